"""The policy: everything a team may change without touching code, as one typed model.

Loaded from `.github/incident-response.yml` over the shipped defaults (which encode the VA.gov
OCTO Identity process, docs/process.md). Mappings merge key by key; lists replace. A bad file fails
with a message that names the key and says what to put there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from incident_response.core.rules.policy_checks import (
    consistency_problem,
    label_problem,
    matrix_problem,
    targets_problem,
)
from incident_response.core.rules.policy_view import find_named
from incident_response.core.vocabulary import Priority, Severity

__all__ = [
    "ChatRouting",
    "Environment",
    "Person",
    "Policy",
    "PriorityMatrix",
    "PriorityRule",
    "ReportTargets",
    "Service",
]

Permission = Literal["read", "triage", "write", "maintain", "admin"]


M = TypeVar("M")


def _checked(model: M, problem: str | None) -> M:
    """The model, or its problem raised as pydantic expects a validator's (policy_checks.py
    holds the rules, shared with the Action's first step)."""
    if problem is not None:
        raise ValueError(problem)
    return model


class _Model(BaseModel):
    # Unknown keys are typos more often than not: refuse them so the fix is named.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Labels(_Model):
    incident: str = "incident"
    priority_prefix: str = "priority:"
    severity_prefix: str = "severity:"
    phase_prefix: str = "phase:"
    #: on the follow-up issues opened when an incident completes: the sweep finds them by it
    followup: str = "incident-followup"
    #: on the monthly report's issue (incident-response report --publish)
    report: str = "incident-report"

    @model_validator(mode="after")
    def _names_fit(self) -> Labels:
        return _checked(self, label_problem(
            incident=self.incident, followup=self.followup, report=self.report,
            priority_prefix=self.priority_prefix, severity_prefix=self.severity_prefix,
            phase_prefix=self.phase_prefix))


class Environment(_Model):
    name: str
    tier: int = Field(ge=1, description="Row of the priority matrix (1 = production).")


class PriorityMatrix(_Model):
    user_thresholds: list[int] = Field(
        default=[1000, 100, 0],
        description="Users per hour that open each column, most severe first.",
    )
    boundary: Literal["exclusive", "inclusive"] = Field(
        default="exclusive",
        description="exclusive: more than the threshold; inclusive: the threshold or more.",
    )
    rows: dict[int, list[Priority]] = Field(
        default={
            1: [Priority.P1, Priority.P2, Priority.P3],
            2: [Priority.P2, Priority.P3, Priority.P4],
            3: [Priority.P3, Priority.P4, Priority.P4],
        },
        description="Tier -> one priority per column of user_thresholds.",
    )
    no_users_priority: Priority = Priority.P4

    @model_validator(mode="after")
    def _rows_match_columns(self) -> PriorityMatrix:
        return _checked(self, matrix_problem(self.user_thresholds, self.rows))


class ImpactOption(_Model):
    label: str
    severity: Severity


class SeverityPolicy(_Model):
    user_impact: list[ImpactOption] = Field(min_length=1)
    multiple_providers: Severity = Severity.SEV_1
    sign_in_providers: list[str] = Field(default_factory=list)


class PriorityRule(_Model):
    declare: bool = False
    page: bool = False
    announce: bool = True
    notify_leadership: bool = False
    update_every_minutes: int | None = Field(default=None, ge=1)


class ChatRouting(_Model):
    """Where chat messages go: the channel that hears each incident (its announcement and
    thread) and the leadership channel. A channel is written as the chat names it
    (`#identity-support`) or by its id."""

    support_channel: str = "#identity-support"
    leadership_channel: str | None = "#identity-leadership"
    #: also show each `/update` in the channel, not only in the incident's thread
    updates_to_channel: bool = False


class Permissions(_Model):
    declare: Permission = "write"
    command: Permission = "write"


class GitHubPolicy(_Model):
    bot_login: str = "github-actions[bot]"


class Person(_Model):
    """Someone the incidents may name, by GitHub handle. Each integration adds its own id of
    the person (the configuration's composition in shell/settings.py)."""

    name: str | None = None


class Delivery(_Model):
    attempts: int = Field(default=3, ge=1, le=10)
    timeout_seconds: float = Field(default=15, gt=0, le=120)
    #: first pause between attempts; each later pause doubles (Retry-After wins when given)
    backoff_seconds: float = Field(default=1.0, ge=0, le=60)
    late_after_minutes: int | None = Field(
        default=10, ge=1,
        description="Minutes between an event and the start of its run after which the run "
        "says it ran late (status comment, job summary, the announcement it makes); null for "
        "never. The default leaves room for a job's queueing and set-up, and stays well under "
        "a P1's update cadence.")


class Reminders(_Model):
    escalate_after: int = Field(default=2, ge=1)


class Chasing(_Model):
    """When post-mortems and follow-ups are due, in business days (docs/process.md)."""

    timezone: str = Field(default="America/New_York",
                          description="Where business days start and end (an IANA zone).")
    holidays: str | None = Field(
        default="US", description="Country code of the public holidays that are not business "
        "days (the `holidays` package's calendars); null for none.")
    extra_holidays: list[str] = Field(
        default_factory=list, description="More days off, as YYYY-MM-DD.")
    postmortem_business_days: dict[Priority, int] = Field(
        default_factory=lambda: {Priority.P1: 5, Priority.P2: 10},
        description="Business days after resolution a post-mortem is due, per priority; a "
        "priority left out is not chased.")
    followup_business_days: int = Field(
        default=20, ge=1, description="Business days after completion a follow-up is due.")
    followup_reminder_business_days: int = Field(
        default=5, ge=1, description="Business days between reminders of an overdue follow-up.")


class ReportTargets(_Model):
    """The monthly report's targets: availability per service, response time per severity."""

    availability_target: float = Field(
        default=99.9, gt=0, le=100,
        description="Monthly availability target of every production service, in percent "
        "(the team's objective: 99.9).")
    availability_targets: dict[str, float] = Field(
        default_factory=dict,
        description="Per service (its name in `services`), overriding availability_target.")
    response_minutes: dict[Severity, int] = Field(
        default_factory=lambda: {Severity.SEV_1: 60, Severity.SEV_2: 240,
                                 Severity.SEV_3: 1440, Severity.SEV_4: 1440,
                                 Severity.SEV_5: 1440},
        description="Minutes from the report to the first response (the page's "
        "acknowledgement, else the declaration) per severity: the legacy SLA table's one hour, "
        "four hours and one business day (taken as 24 hours; SEV-4 and SEV-5 take SEV-3's).")

    @model_validator(mode="after")
    def _targets_are_percentages(self) -> ReportTargets:
        return _checked(self, targets_problem(self.availability_targets))


class OutOfBandDeploy(_Model):
    guide: str = ""
    postmortem_due_business_days: int = 2


class Service(_Model):
    name: str
    description: str = ""
    controller: str | None = None
    recovery_procedure: str | None = None
    monitors: list[str] = Field(default_factory=list)
    verification: list[str] = Field(default_factory=list)


class Policy(_Model):
    """Everything configurable, with defaults from the team's process (docs/process.md)."""

    version: Literal[1] = 1
    labels: Labels = Labels()
    environments: list[Environment] = Field(min_length=1)
    priority_matrix: PriorityMatrix = PriorityMatrix()
    severity: SeverityPolicy
    priorities: dict[Priority, PriorityRule]
    chat: ChatRouting = ChatRouting()
    permissions: Permissions = Permissions()
    github: GitHubPolicy = GitHubPolicy()
    people: Mapping[str, Person] = Field(default_factory=dict)
    delivery: Delivery = Delivery()
    reminders: Reminders = Reminders()
    chasing: Chasing = Chasing()
    out_of_band_deploy: OutOfBandDeploy = OutOfBandDeploy()
    report: ReportTargets = ReportTargets()
    services: list[Service] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        return _checked(self, consistency_problem(
            tiers=[env.tier for env in self.environments], rows=self.priority_matrix.rows.keys(),
            priorities=self.priorities.keys(), all_priorities=[p.value for p in Priority],
            services=[s.name for s in self.services],
            targets=self.report.availability_targets.keys()))

    def service(self, name: str) -> Service | None:
        return find_named(self.services, name)

    def environment(self, name: str) -> Environment | None:
        return find_named(self.environments, name)

    def rule(self, priority: Priority) -> PriorityRule:
        return self.priorities[priority]

    def person(self, github_login: str | None) -> Person | None:
        if not github_login:
            return None
        folded = github_login.casefold()
        return next((p for login, p in self.people.items() if login.casefold() == folded), None)
