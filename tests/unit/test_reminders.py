"""Reminders from the record and the clock: due, once, a single catch-up, escalation."""

from __future__ import annotations

from datetime import timedelta

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import PostComment, PostToChat
from tests.support import FORM, ISSUE, POLICY, T0, declared, with_comment


def sweep_at(minutes: float, state=None, issue=ISSUE):
    plan = decide(issue, state or declared(), POLICY, FORM, T0 + timedelta(minutes=minutes),
                  sweep=True)
    reminders = [e for e in plan.effects if isinstance(e, PostComment)
                 and e.key.startswith("comment:reminder:")]
    for effect in plan.effects:
        plan.state.mark_done(effect.key)
    return plan, reminders


def test_no_reminder_before_the_cadence() -> None:
    _, reminders = sweep_at(29)
    assert reminders == []


def test_one_reminder_after_30_minutes_mentioning_the_commander() -> None:
    _, reminders = sweep_at(31)
    assert len(reminders) == 1
    assert reminders[0].body.startswith("<!-- incident-response:reminder -->")
    assert "@Codertocat" in reminders[0].body


def test_the_next_reminder_waits_a_full_cadence() -> None:
    plan, _ = sweep_at(31)
    plan, reminders = sweep_at(45, plan.state)
    assert reminders == []
    plan, reminders = sweep_at(61, plan.state)
    assert [r.key for r in reminders] == ["comment:reminder:2"]


def test_a_late_schedule_sends_one_catch_up_not_a_burst() -> None:
    plan, reminders = sweep_at(180)
    assert len(reminders) == 1
    again, reminders = sweep_at(180, plan.state)
    assert reminders == []
    assert again.state.reminder_count == 1


def test_an_update_resets_the_clock() -> None:
    state = declared()
    issue = with_comment("/update still digging", minutes=25)
    plan = decide(issue, state, POLICY, FORM, T0 + timedelta(minutes=26))
    _, reminders = sweep_at(50, plan.state, issue)
    assert reminders == []
    _, reminders = sweep_at(56, plan.state, issue)
    assert len(reminders) == 1


def test_no_reminders_once_resolved() -> None:
    issue = with_comment("/resolve", minutes=10)
    plan = decide(issue, declared(), POLICY, FORM, T0 + timedelta(minutes=11))
    _, reminders = sweep_at(120, plan.state, issue)
    assert reminders == []


def test_silence_escalates_to_the_thread_then_leadership() -> None:
    def notes(plan):
        return [e for e in plan.effects if isinstance(e, PostToChat)
                and e.key.startswith("slack:note:escalation")]

    plan, _ = sweep_at(31)
    assert notes(plan) == []
    plan, _ = sweep_at(61, plan.state)  # second unanswered reminder: escalate in the thread
    [thread] = notes(plan)
    assert thread.in_thread and "no update for 61" in thread.text
    plan, _ = sweep_at(91, plan.state)
    [leadership] = notes(plan)
    assert leadership.channel == "#identity-leadership" and not leadership.in_thread
    assert "3 reminders went unanswered" in leadership.text
    planned = decide(ISSUE, plan.state, POLICY, FORM, T0 + timedelta(minutes=92))
    assert notes(planned) == []  # already mirrored above
