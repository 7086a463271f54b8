"""Label edits by responders, as plans: honoured like commands, impossible ones reverted."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import PostComment
from incident_response.core.record.snapshot import LabelEvent
from incident_response.core.vocabulary import Phase, Priority
from tests.support import FORM, ISSUE, POLICY, T0, declared

LABELS = ("incident", "phase:active", "priority:P1", "severity:SEV-2")


def labelled(*events: tuple[str, str, str], permission: str = "write", same_time: bool = False):
    items = tuple(LabelEvent(id=900 + i, action=action, label=label, actor=actor,
                             at=T0 + timedelta(minutes=0 if same_time else i))
                  for i, (action, label, actor) in enumerate(events))
    labels = set(LABELS)
    for action, label, _ in events:
        (labels.add if action == "labeled" else labels.discard)(label)
    return replace(ISSUE, labels=tuple(sorted(labels)), label_events=items,
                   permissions={actor: permission for _, _, actor in events})


def test_adding_phase_stable_mitigates_and_drops_the_old_phase() -> None:
    plan = decide(labelled(("labeled", "phase:stable", "sam")), declared(), POLICY, FORM, T0)
    assert plan.state.phase is Phase.STABLE
    assert plan.labels_to_remove == ["phase:active"]
    assert plan.labels_to_add == []


def test_priority_label_is_honoured_like_the_command() -> None:
    plan = decide(labelled(("labeled", "priority:P2", "sam")), declared(), POLICY, FORM, T0)
    assert plan.state.priority is Priority.P2
    assert plan.labels_to_remove == ["priority:P1"]


def test_active_to_completed_is_reverted_with_a_reason() -> None:
    plan = decide(labelled(("labeled", "phase:completed", "sam")), declared(), POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE
    assert plan.labels_to_remove == ["phase:completed"]
    comment = next(e for e in plan.effects if isinstance(e, PostComment))
    assert "cannot go from active to completed" in comment.body
    assert "post-mortem pull request is merged" in comment.body


def test_two_phases_at_once_are_both_reverted() -> None:
    issue = labelled(("labeled", "phase:stable", "sam"), ("labeled", "phase:resolved", "sam"),
                     same_time=True)
    plan = decide(issue, declared(), POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE
    assert plan.labels_to_remove == ["phase:resolved", "phase:stable"]
    assert sum("two phases at once" in e.body for e in plan.effects
               if isinstance(e, PostComment)) == 2


def test_a_label_from_someone_without_permission_is_reverted() -> None:
    plan = decide(labelled(("labeled", "phase:resolved", "eve"), permission="read"), declared(),
                  POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE
    assert plan.labels_to_remove == ["phase:resolved"]
    assert any("needs write permission" in e.body for e in plan.effects
               if isinstance(e, PostComment))


def test_removing_the_phase_label_puts_it_back() -> None:
    plan = decide(labelled(("unlabeled", "phase:active", "sam")), declared(), POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE
    assert plan.labels_to_add == ["phase:active"]


def test_the_bots_own_label_changes_are_not_moves() -> None:
    plan = decide(labelled(("labeled", "phase:resolved", "github-actions[bot]")), declared(),
                  POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE


def test_each_label_event_is_judged_once() -> None:
    issue = labelled(("labeled", "phase:stable", "sam"))
    first = decide(issue, declared(), POLICY, FORM, T0)
    second = decide(replace(issue, labels=("incident", "phase:stable", "priority:P1",
                                           "severity:SEV-2")), first.state, POLICY, FORM, T0)
    assert second.state.phase is Phase.STABLE
    assert len(second.state.phase_changes) == len(first.state.phase_changes)
