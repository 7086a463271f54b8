"""Plans for reports: pure, no fakes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import (
    DeclareIncident,
    PostComment,
    PostToChat,
    TriggerPage,
)
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.vocabulary import Phase, Priority
from incident_response.shell.configuration import load_form_template, load_policy

ROOT = Path(__file__).resolve().parents[2]
FORM = load_form_template(ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml")
POLICY = load_policy()
NOW = datetime(2026, 11, 28, 8, 11, tzinfo=UTC)
P1_BODY = (ROOT / "examples" / "form-bodies" / "p1-production-ssoe.md").read_text()

ISSUE = IssueSnapshot(
    repository="acme/identity", number=7, title="SSOe down", body=P1_BODY, author="mona",
    labels=("incident",), open=True, url="https://github.com/acme/identity/issues/7",
    created_at=datetime(2026, 11, 28, 8, 10, tzinfo=UTC), author_permission="write",
)


def kinds(plan_effects: list[object]) -> list[str]:
    return [type(e).__name__ for e in plan_effects]


def test_p1_pages_first_then_declares_announces_and_notifies_leadership() -> None:
    plan = decide(ISSUE, None, POLICY, FORM, NOW)
    assert kinds(plan.effects) == ["TriggerPage", "DeclareIncident", "PostToChat",
                                   "PostToChat"]
    page = plan.effects[0]
    assert isinstance(page, TriggerPage)
    assert page.dedup_key == "acme/identity#7"
    assert plan.state.phase is Phase.ACTIVE
    assert plan.state.declared_at == NOW
    assert plan.labels_to_add == ["phase:active", "priority:P1", "severity:SEV-2"]
    assert {spec.name for spec in plan.labels_to_create} == set(plan.labels_to_add)


def test_code_change_yes_adds_the_out_of_band_checklist() -> None:
    issue = replace(ISSUE, body=P1_BODY.replace("fix it?\n\nNo", "fix it?\n\nYes"))
    plan = decide(issue, None, POLICY, FORM, NOW)
    checklist = [e for e in plan.effects if isinstance(e, PostComment)]
    assert len(checklist) == 1
    assert "Out-of-band deploy checklist" in checklist[0].body


def test_done_effects_are_not_planned_again_and_failures_are() -> None:
    first = decide(ISSUE, None, POLICY, FORM, NOW)
    state = first.state
    for key in ("page:trigger", "slack:announce", "slack:leadership"):
        state.mark_done(key)
    state.mark_failed("datadog:declare", "HTTP 503", NOW)
    again = decide(ISSUE, state, POLICY, FORM, NOW)
    assert kinds(again.effects) == ["DeclareIncident"]


def test_an_effect_failing_too_often_is_abandoned_not_retried_forever() -> None:
    state = decide(ISSUE, None, POLICY, FORM, NOW).state
    for _ in range(10):
        state.mark_failed("datadog:declare", "HTTP 403", NOW)
    plan = decide(ISSUE, state, POLICY, FORM, NOW)
    assert not any(isinstance(e, DeclareIncident) for e in plan.effects)
    assert plan.abandoned == ["datadog:declare"]


def test_untrusted_reporter_gets_triage_and_a_request_only() -> None:
    plan = decide(replace(ISSUE, author_permission="read"), None, POLICY, FORM, NOW)
    assert plan.state.phase is Phase.TRIAGE
    assert kinds(plan.effects) == ["PostComment"]
    assert "phase:triage" in plan.labels_to_add
    assert plan.state.declared_at is None


def test_edit_reclassifies_and_swaps_managed_labels_only() -> None:
    first = decide(ISSUE, None, POLICY, FORM, NOW)
    labelled = replace(ISSUE, labels=("incident", "phase:active", "priority:P1",
                                      "severity:SEV-2", "team:identity"),
                       body=P1_BODY.replace("2,500", "500"))
    plan = decide(labelled, first.state, POLICY, FORM, NOW)
    assert plan.state.priority is Priority.P2
    assert plan.labels_to_add == ["priority:P2"]
    assert plan.labels_to_remove == ["priority:P1"]


def test_a_priority_set_by_command_survives_an_edit() -> None:
    state = decide(ISSUE, None, POLICY, FORM, NOW).state
    state.priority_override = Priority.P1
    plan = decide(replace(ISSUE, body=P1_BODY.replace("2,500", "5")), state, POLICY,
                         FORM, NOW)
    assert plan.state.priority is Priority.P1


def test_p3_announces_without_declaring_or_paging() -> None:
    body = P1_BODY.replace("production", "staging").replace("2,500", "150")
    plan = decide(replace(ISSUE, body=body), None, POLICY, FORM, NOW)
    assert kinds(plan.effects) == ["PostToChat"]
    assert isinstance(plan.effects[0], PostToChat)
    assert plan.effects[0].channel == "#identity-support"


def test_bad_form_on_a_new_issue_goes_to_triage_with_problems() -> None:
    plan = decide(replace(ISSUE, body="help"), None, POLICY, FORM, NOW)
    assert plan.state.phase is Phase.TRIAGE
    assert plan.effects == []
    assert plan.labels_to_add == ["phase:triage"]
    assert plan.problems


def test_bad_edit_keeps_an_active_incident_active() -> None:
    first = decide(ISSUE, None, POLICY, FORM, NOW)
    state = first.state
    for effect in first.effects:
        state.mark_done(effect.key)
        state.mirror_synced = getattr(effect, "fingerprint", state.mirror_synced)
    plan = decide(replace(ISSUE, body=P1_BODY.replace("2,500", "heaps")),
                         state, POLICY, FORM, NOW)
    assert plan.state.phase is Phase.ACTIVE
    assert plan.effects == []  # nothing re-sent, nothing withdrawn
    assert plan.state.priority is Priority.P1
    assert plan.answers is not None and plan.answers.users_per_hour == 2500  # last valid one
    assert any("last valid answers" in notice for notice in plan.notices)
    assert IncidentState.model_validate(plan.state.model_dump()) == plan.state
