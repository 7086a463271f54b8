"""Label names, logins and repositories compared as GitHub compares them: without case.

A repository that already has `Incident`, `Priority:P1` or `Phase:Active` must get its reports
handled, its labels kept as it spells them, and no second label beside them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from incident_response.core import names
from incident_response.core.decision.decide import decide, was_declared
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.record.block import STATUS_MARKER, render_state, status_comment_of
from incident_response.core.record.snapshot import CommentSnapshot, LabelEvent
from incident_response.core.rules.labels import managed, phase_of, priority_of, severity_of
from incident_response.core.vocabulary import Phase, Priority, Severity
from incident_response.shell.events import Event, incident_number
from tests.support import FORM, ISSUE, POLICY, T0, declared

THEIRS = ("Incident", "Phase:Active", "Priority:P1", "Severity:SEV-2")


@pytest.mark.parametrize(("a", "b", "same"), [
    ("incident", "Incident", True), ("phase:active", "PHASE:ACTIVE", True),
    ("priority:P1", "priority:P2", False), ("github-actions[bot]", "GitHub-Actions[bot]", True),
    ("incident", None, False),
])
def test_names_are_the_same_whatever_their_case(a: str, b: str | None, same: bool) -> None:
    assert names.same(a, b) is same


def test_a_label_is_found_in_the_repository_spelling() -> None:
    assert names.spelled("phase:active", THEIRS) == "Phase:Active"
    assert names.spelled("phase:stable", THEIRS) is None
    assert names.without_prefix("Priority:P1", "priority:") == "P1"
    assert names.without_prefix("priority-P1", "priority:") is None


def test_labels_name_their_phase_priority_and_severity_in_any_case() -> None:
    assert phase_of(POLICY, "Phase:Active") is Phase.ACTIVE
    assert phase_of(POLICY, "phase:RESOLVED") is Phase.RESOLVED
    assert phase_of(POLICY, "phase:paused") is None
    assert priority_of(POLICY, "PRIORITY:p2") is Priority.P2
    assert severity_of(POLICY, "severity:sev-3") is Severity.SEV_3
    assert managed(POLICY, "Phase:Active") and not managed(POLICY, "Incident")


def test_an_event_labelled_incident_in_the_repository_case_is_about_an_incident() -> None:
    payload = {"action": "opened", "issue": {"number": 7, "labels": [{"name": "Incident"}]}}
    assert incident_number(Event("issues", payload, "acme/identity"), "incident") == 7
    removed = {"action": "unlabeled", "label": {"name": "INCIDENT"},
               "issue": {"number": 7, "labels": []}}
    assert incident_number(Event("issues", removed, "acme/identity"), "incident") == 7


def test_a_report_labelled_incident_is_classified_and_paged() -> None:
    plan = decide(replace(ISSUE, labels=("Incident",)), None, POLICY, FORM, T0)
    assert plan.state.priority is Priority.P1 and plan.state.phase is Phase.ACTIVE
    assert any(isinstance(e, TriggerPage) for e in plan.effects)
    # the repository's `Incident` stays; the others are added in the config's spelling
    assert plan.labels_to_add == ["phase:active", "priority:P1", "severity:SEV-2"]
    assert plan.labels_to_remove == []


def test_labels_already_spelled_by_the_repository_are_left_alone() -> None:
    plan = decide(replace(ISSUE, labels=THEIRS), declared(), POLICY, FORM, T0)
    assert plan.labels_to_add == [] and plan.labels_to_remove == []


def test_a_phase_label_in_the_repository_case_moves_the_incident() -> None:
    event = LabelEvent(id=900, action="labeled", label="Phase:Stable", actor="sam",
                       at=T0 + timedelta(minutes=3))
    issue = replace(ISSUE, labels=(*THEIRS, "Phase:Stable"), label_events=(event,),
                    permissions={"sam": "write"})
    plan = decide(issue, declared(), POLICY, FORM, T0 + timedelta(minutes=4))
    assert plan.state.phase is Phase.STABLE
    assert plan.labels_to_remove == ["Phase:Active"]  # removed as the repository spells it
    assert plan.labels_to_add == []


def test_a_lost_record_is_rebuilt_from_labels_in_the_repository_case() -> None:
    issue = replace(ISSUE, labels=("Incident", "Phase:Stable", "Priority:P2", "Severity:SEV-3"))
    assert was_declared(issue, POLICY)
    plan = decide(issue, None, POLICY, FORM, T0)
    assert (plan.state.phase, plan.state.priority, plan.state.severity) == (
        Phase.STABLE, Priority.P2, Severity.SEV_3)
    assert not any(isinstance(e, TriggerPage) for e in plan.effects)  # never paged again


def test_the_record_is_trusted_from_the_bot_login_in_any_case() -> None:
    body = f"{STATUS_MARKER}\n{render_state(declared())}"
    comment = CommentSnapshot(1, "GitHub-Actions[bot]", body, T0)
    assert status_comment_of(replace(ISSUE, comments=(comment,)), "github-actions[bot]") is (
        comment)
