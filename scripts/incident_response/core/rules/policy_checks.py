"""The policy's rules that span several keys, as plain functions of plain values.

The JSON Schema generated from the model says what each key holds; it cannot say that a matrix
row has one priority per threshold, or that every environment's tier has a row. The model
(policy.py) checks these with the functions below, and so does the Action's first step, which
reads the configuration without the model (shell/light_config.py): one rule, one place, so the
step never accepts a configuration that the full run refuses.

Each function returns the problem, in the words the model's error shows, or None.
Standard library only.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence

__all__ = ["LABEL_LIMIT", "consistency_problem", "label_problem", "matrix_problem",
           "targets_problem"]

#: GitHub refuses a label name longer than 50 characters
LABEL_LIMIT = 50


def label_problem(*, incident: str, followup: str, report: str, priority_prefix: str,
                  severity_prefix: str, phase_prefix: str) -> str | None:
    """A label name GitHub would refuse: the longest name each setting makes."""
    longest = {"incident": incident, "followup": followup, "report": report,
               "priority_prefix": priority_prefix + "P1",
               "severity_prefix": severity_prefix + "SEV-1",
               "phase_prefix": phase_prefix + "completed"}
    for key, name in longest.items():
        if len(name) > LABEL_LIMIT:
            return (f"labels.{key} makes the label {name!r}, {len(name)} characters; GitHub "
                    f"allows {LABEL_LIMIT}: shorten it")
    return None


def matrix_problem(user_thresholds: Sequence[int],
                   rows: Mapping[int, Sequence[object]]) -> str | None:
    if list(user_thresholds) != sorted(user_thresholds, reverse=True):
        return "priority_matrix.user_thresholds: list them from largest to smallest"
    for tier, row in rows.items():
        if len(row) != len(user_thresholds):
            return (f"priority_matrix.rows.{tier}: give {len(user_thresholds)} priorities, "
                    f"one per entry of user_thresholds, not {len(row)}")
    return None


def targets_problem(availability_targets: Mapping[str, float]) -> str | None:
    for service, target in availability_targets.items():
        if not 0 < target <= 100:
            return (f"report.availability_targets.{service}: {target} is not a percentage; "
                    "give a number above 0 and at most 100, e.g. 99.9")
    return None


def consistency_problem(*, tiers: Iterable[int], rows: Collection[int],
                        priorities: Collection[str], all_priorities: Sequence[str],
                        services: Sequence[str], targets: Iterable[str]) -> str | None:
    """Keys that must agree with each other: a row per tier in use, a rule per priority, one
    entry per service, availability targets of known services."""
    missing = sorted(set(tiers) - set(rows))
    if missing:
        return f"priority_matrix.rows: add a row for tier {missing[0]} (used by environments)"
    absent = [p for p in all_priorities if p not in priorities]
    if absent:
        return f"priorities: add an entry for {', '.join(absent)}"
    duplicates = sorted({n for n in services if services.count(n) > 1})
    if duplicates:
        return f"services: {duplicates[0]!r} is listed twice; keep one entry per service"
    unknown = sorted(set(targets) - set(services))
    if unknown:
        return (f"report.availability_targets: {unknown[0]!r} is not a service; use a name "
                "from `services`")
    return None
