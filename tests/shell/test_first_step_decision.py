"""The first step pages exactly when, and exactly as, the full run would.

The Action's first step decides the page of a report just opened with
`core.decision.page.fresh_report_page`, reading the policy through the light view that
shell/light_config.py builds without pydantic. Here, for every policy variant, a few hundred
reports (valid and not, from every permission level), that decision is compared, field for
field, with the `TriggerPage` that `decide` plans for the same issue from the typed model:
through the model and through the light view, the two must be the same page or both none.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.decision.page import fresh_report_page
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules.policy_view import PolicyView
from incident_response.resources import schema_path
from incident_response.shell.light_config import check_against_schema
from incident_response.shell.settings import Settings
from tests.support import FORM, ISSUE, POLICY_VARIANTS, T0, policy_data, report_bodies

SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))
BODIES = report_bodies(FORM, count=150)
PERMISSIONS = ("none", "read", "triage", "write", "admin")


def _planned_page(issue: IssueSnapshot, policy: Settings) -> TriggerPage | None:
    plan = decide(issue, None, policy, FORM, T0)
    return next((e for e in plan.effects if isinstance(e, TriggerPage)), None)


def _both(variant: str) -> tuple[Settings, PolicyView]:
    data = policy_data(variant)
    return Settings.model_validate(data), PolicyView.from_data(check_against_schema(data, SCHEMA))


@pytest.mark.parametrize("variant", list(POLICY_VARIANTS))
def test_the_first_steps_page_is_the_one_decide_plans(variant: str) -> None:
    model, view = _both(variant)
    reports = pages = 0
    for body in BODIES:
        for permission in PERMISSIONS:
            issue = replace(ISSUE, body=body, author_permission=permission,
                            labels=(model.labels.incident,))
            planned = _planned_page(issue, model)
            assert fresh_report_page(issue, model, FORM) == planned, (variant, permission, body)
            assert fresh_report_page(issue, view, FORM) == planned, (variant, permission, body)
            reports += 1
            pages += planned is not None
    # The corpus pages and does not page, in every variant that can page at all.
    assert reports > pages > 0 or variant == "nothing pages"


@pytest.mark.parametrize("labels", [
    ("incident", "phase:triage"),  # a run has recorded it: the full run decides from its record
    ("incident", "phase:active", "priority:P1"),
    ("bug",),  # not (or no longer) an incident report
    (),
])
def test_a_report_that_is_not_fresh_gets_no_early_page(labels: tuple[str, ...]) -> None:
    model, view = _both("shipped")
    issue = replace(ISSUE, labels=labels, author_permission="admin")
    assert fresh_report_page(issue, model, FORM) is None
    assert fresh_report_page(issue, view, FORM) is None


def test_a_closed_report_gets_no_early_page() -> None:
    model, view = _both("shipped")
    issue = replace(ISSUE, open=False, author_permission="admin")
    assert _planned_page(replace(issue, open=True), model) is not None
    assert fresh_report_page(issue, model, FORM) is None
    assert fresh_report_page(issue, view, FORM) is None


def test_an_untrusted_reporter_is_never_paged_for() -> None:
    model, view = _both("shipped")
    for body in BODIES:
        for permission in ("none", "read", "triage", "unknown", ""):
            issue = replace(ISSUE, body=body, author_permission=permission)
            assert fresh_report_page(issue, view, FORM) is None
            assert fresh_report_page(issue, model, FORM) is None


def test_the_view_reads_what_the_model_reads() -> None:
    """Every value the light view holds is the model's, defaults included."""
    for variant in POLICY_VARIANTS:
        model, view = _both(variant)
        assert view.labels.incident == model.labels.incident
        assert view.labels.phase_prefix == model.labels.phase_prefix
        assert view.labels.priority_prefix == model.labels.priority_prefix
        assert view.labels.severity_prefix == model.labels.severity_prefix
        assert [(e.name, e.tier) for e in view.environments] == [
            (e.name, e.tier) for e in model.environments]
        matrix, expected = view.priority_matrix, model.priority_matrix
        assert list(matrix.user_thresholds) == expected.user_thresholds
        assert matrix.boundary == expected.boundary
        assert {t: list(r) for t, r in matrix.rows.items()} == expected.rows
        assert matrix.no_users_priority == expected.no_users_priority
        assert [(o.label, o.severity) for o in view.severity.user_impact] == [
            (o.label, o.severity) for o in model.severity.user_impact]
        assert view.severity.multiple_providers == model.severity.multiple_providers
        assert list(view.severity.sign_in_providers) == model.severity.sign_in_providers
        assert {p: r.page for p, r in view.priorities.items()} == {
            p: r.page for p, r in model.priorities.items()}
        assert view.permissions.declare == model.permissions.declare
        assert [(s.name, s.recovery_procedure) for s in view.services] == [
            (s.name, s.recovery_procedure) for s in model.services]
        assert (view.delivery.attempts, view.delivery.timeout_seconds,
                view.delivery.backoff_seconds) == (model.delivery.attempts,
                                                   model.delivery.timeout_seconds,
                                                   model.delivery.backoff_seconds)


@pytest.mark.parametrize("overrides", [
    {},
    {"severity": {"sign_in_providers": None}},  # dropped below: the model's default_factory
    {"labels": None, "delivery": None, "permissions": None, "priority_matrix": None},
])
def test_defaults_left_out_are_the_models(overrides: dict[str, Any]) -> None:
    """Keys an adopter leaves out (here, removed from the shipped file) take the model's
    defaults in the view too: the schema carries them."""
    data = policy_data("shipped")
    for key, value in overrides.items():
        if isinstance(value, dict):
            for inner in value:
                data[key] = {k: v for k, v in data[key].items() if k != inner}
        else:
            data.pop(key)
    model = Settings.model_validate(data)
    view = PolicyView.from_data(check_against_schema(data, SCHEMA))
    for body in BODIES[:60]:
        issue = replace(ISSUE, body=body, author_permission="write")
        assert fresh_report_page(issue, view, FORM) == _planned_page(issue, model)
    assert list(view.severity.sign_in_providers) == model.severity.sign_in_providers
    assert view.delivery.timeout_seconds == model.delivery.timeout_seconds
