"""A light view of the policy, built from plain data, for the page that leaves first.

The Action's first step decides the page of a report just opened on the runner's own Python,
before pydantic is installed: it reads the policy through this view, built from the merged
configuration once that has been checked against the schema generated from the model
(shell/light_config.py). The view has what the page's decision reads (policy_reads.py), with
the same lookups as the model (`find_named` is both's).

Standard library only: the first step imports this.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from incident_response.core.vocabulary import Priority, Severity

if TYPE_CHECKING:
    from incident_response.core.rules.policy_reads import Named

__all__ = ["PolicyView", "find_named"]


N = TypeVar("N", bound="Named")


def find_named(items: Iterable[N], name: str) -> N | None:
    """The item of that name, matched as people type it (case and surrounding spaces aside)."""
    folded = name.strip().casefold()
    return next((item for item in items if item.name.casefold() == folded), None)


# -- the light view: the same reads, from the configuration's plain data ---------------------
# Named tuples, not dataclasses: immutable and typed alike, and a tenth of the cost to define
# (a dataclass compiles its methods when its module loads, on the path of the first page).


class Labels(NamedTuple):
    incident: str
    priority_prefix: str
    severity_prefix: str
    phase_prefix: str


class Environment(NamedTuple):
    name: str
    tier: int


class PriorityMatrix(NamedTuple):
    user_thresholds: tuple[int, ...]
    boundary: str
    rows: Mapping[int, tuple[Priority, ...]]
    no_users_priority: Priority


class ImpactOption(NamedTuple):
    label: str
    severity: Severity


class SeverityPolicy(NamedTuple):
    user_impact: tuple[ImpactOption, ...]
    multiple_providers: Severity
    sign_in_providers: tuple[str, ...]


class PriorityRule(NamedTuple):
    page: bool


class Permissions(NamedTuple):
    declare: str


class Service(NamedTuple):
    name: str
    recovery_procedure: str | None


class Delivery(NamedTuple):
    attempts: int
    timeout_seconds: float
    backoff_seconds: float


class PolicyView(NamedTuple):
    """The policy as the page reads it, from configuration data that has already been checked
    against the schema (every key known, every value of its type, defaults filled in)."""

    labels: Labels
    environments: tuple[Environment, ...]
    priority_matrix: PriorityMatrix
    severity: SeverityPolicy
    priorities: Mapping[Priority, PriorityRule]
    permissions: Permissions
    services: tuple[Service, ...]
    delivery: Delivery

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> PolicyView:
        """The view of checked data. A key or value it cannot read raises (KeyError,
        TypeError, ValueError): the caller then leaves the page to the full run."""
        labels, matrix, severity = data["labels"], data["priority_matrix"], data["severity"]
        rows: dict[int, tuple[Priority, ...]] = {}
        for tier, row in matrix["rows"].items():
            # YAML reads `1:` as a number; the model reads a key spelled "1" as one too, which
            # this view does not try to match: it leaves such a file to the full run.
            if type(tier) is not int:
                msg = f"priority_matrix.rows: the tier {tier!r} is not a number"
                raise TypeError(msg)
            rows[tier] = tuple(Priority(p) for p in row)
        delivery = data["delivery"]
        return cls(
            labels=Labels(labels["incident"], labels["priority_prefix"],
                          labels["severity_prefix"], labels["phase_prefix"]),
            environments=tuple(Environment(e["name"], e["tier"]) for e in data["environments"]),
            priority_matrix=PriorityMatrix(
                tuple(matrix["user_thresholds"]), matrix["boundary"], rows,
                Priority(matrix["no_users_priority"])),
            severity=SeverityPolicy(
                tuple(ImpactOption(o["label"], Severity(o["severity"]))
                      for o in severity["user_impact"]),
                Severity(severity["multiple_providers"]),
                # the model's default for this key is an empty list (a default_factory, which
                # the schema does not carry)
                tuple(severity.get("sign_in_providers", ()))),
            priorities={Priority(p): PriorityRule(bool(rule["page"]))
                        for p, rule in data["priorities"].items()},
            permissions=Permissions(data["permissions"]["declare"]),
            services=tuple(Service(s["name"], s.get("recovery_procedure"))
                           for s in data["services"]),
            delivery=Delivery(delivery["attempts"], float(delivery["timeout_seconds"]),
                              float(delivery["backoff_seconds"])),
        )

    def service(self, name: str) -> Service | None:
        return find_named(self.services, name)

    def environment(self, name: str) -> Environment | None:
        return find_named(self.environments, name)

    def rule(self, priority: Priority) -> PriorityRule:
        return self.priorities[priority]
