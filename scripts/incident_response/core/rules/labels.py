"""The labels the bot manages: names from the policy, colours and descriptions for new ones."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from incident_response.core import names
from incident_response.core.vocabulary import Phase, Priority, Severity

# Types only: reading a label's phase is on the path of the page that leaves before anything
# is installed (core/rules/policy_reads.py), which has neither pydantic nor the record.
if TYPE_CHECKING:
    from incident_response.core.record.state import IncidentState
    from incident_response.core.rules.policy import Policy
    from incident_response.core.rules.policy_reads import LabelPolicy

__all__ = ["LabelSpec", "expected_labels", "label_specs", "managed", "phase_label", "phase_of",
           "priority_label", "priority_of", "severity_label", "severity_of"]

@dataclass(frozen=True)
class LabelSpec:
    """A label as the bot creates it: its name, colour and description."""

    name: str
    color: str
    description: str


_PRIORITY_COLOURS = {"P1": "b60205", "P2": "d93f0b", "P3": "fbca04", "P4": "c2e0c6"}
_SEVERITY_COLOURS = {
    "SEV-1": "5319e7", "SEV-2": "7057ff", "SEV-3": "8b7bff", "SEV-4": "b4a9ff", "SEV-5": "d4c5f9",
}
_PHASE_COLOURS = {
    "triage": "ededed", "active": "e11d21", "stable": "f9d0c4", "resolved": "0e8a16",
    "completed": "006b75",
}
_PHASE_MEANING = {
    "triage": "Incident awaiting a responder's confirmation or a fixed form",
    "active": "Incident in progress: customers are impacted",
    "stable": "Incident mitigated: impact contained, not yet resolved",
    "resolved": "Incident resolved: post-mortem under way",
    "completed": "Incident completed: post-mortem merged",
}


def priority_label(policy: Policy, priority: Priority) -> str:
    return f"{policy.labels.priority_prefix}{priority.value}"


def severity_label(policy: Policy, severity: Severity) -> str:
    return f"{policy.labels.severity_prefix}{severity.value}"


def phase_label(policy: Policy, phase: Phase) -> str:
    return f"{policy.labels.phase_prefix}{phase.value}"


def _value_of(name: str, prefix: str, values: type[Phase] | type[Priority] | type[Severity],
              ) -> Phase | Priority | Severity | None:
    rest = names.without_prefix(name, prefix)
    if rest is None:
        return None
    return next((v for v in values if names.same(v.value, rest)), None)


def phase_of(policy: LabelPolicy, name: str) -> Phase | None:
    """The phase a label names, however the repository spells it (`Phase:Active`)."""
    found = _value_of(name, policy.labels.phase_prefix, Phase)
    return found if isinstance(found, Phase) else None


def priority_of(policy: LabelPolicy, name: str) -> Priority | None:
    found = _value_of(name, policy.labels.priority_prefix, Priority)
    return found if isinstance(found, Priority) else None


def severity_of(policy: LabelPolicy, name: str) -> Severity | None:
    found = _value_of(name, policy.labels.severity_prefix, Severity)
    return found if isinstance(found, Severity) else None


def expected_labels(state: IncidentState, policy: Policy) -> set[str]:
    """The phase, priority and severity labels the record implies (the incident label aside)."""
    expected = {phase_label(policy, state.phase)}
    if state.priority:
        expected.add(priority_label(policy, state.priority))
    if state.severity:
        expected.add(severity_label(policy, state.severity))
    return expected


def managed(policy: Policy, name: str) -> bool:
    """Whether the bot owns this label name (and may remove it)."""
    prefixes = (policy.labels.priority_prefix, policy.labels.severity_prefix,
                policy.labels.phase_prefix)
    return names.starts_with(name, prefixes)


def label_specs(policy: Policy) -> dict[str, LabelSpec]:
    specs = {
        policy.labels.incident: LabelSpec(
            policy.labels.incident, "b60205", "Incident record managed by incident-response"
        )
    }
    specs[policy.labels.followup] = LabelSpec(
        policy.labels.followup, "fbca04", "Follow-up of an incident, chased until it is closed")
    specs[policy.labels.report] = LabelSpec(
        policy.labels.report, "0052cc", "Monthly incident report published by incident-response")
    for priority in Priority:
        name = priority_label(policy, priority)
        specs[name] = LabelSpec(name, _PRIORITY_COLOURS[priority.value],
                                f"Incident priority {priority.value}")
    for severity in Severity:
        name = severity_label(policy, severity)
        specs[name] = LabelSpec(name, _SEVERITY_COLOURS[severity.value],
                                f"Incident severity {severity.value}")
    for phase in Phase:
        name = phase_label(policy, phase)
        specs[name] = LabelSpec(name, _PHASE_COLOURS[phase.value], _PHASE_MEANING[phase.value])
    return specs
