"""Chasing the post-mortem: business days, due dates, and reminders that never burst."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from incident_response.core.record.state import IncidentState, SavedAnswers
from incident_response.core.rules.chasing import (
    business_day,
    nth_business_day_after,
    postmortem_due,
    record_due_chases,
)
from incident_response.core.vocabulary import Phase, Priority
from tests.support import POLICY


def resolved(at: datetime, *, code_change: str = "No", priority: Priority = Priority.P1,
             pull: int | None = 7) -> IncidentState:
    return IncidentState(
        phase=Phase.RESOLVED, priority=priority, resolved_at=at, postmortem_pr=pull,
        report=SavedAnswers(service="SSOe", environment="production", users_per_hour=2500,
                           user_impact="x", code_change_required=code_change))


def chase(state: IncidentState, now: datetime) -> list[str]:
    before = {item.key for item in state.outbox}
    record_due_chases(state, POLICY, now, "@mona (GitHub)", "https://github.com/o/r/issues/1")
    return [item.key for item in state.outbox if item.key not in before]


def test_thanksgiving_and_the_weekend_are_not_business_days() -> None:
    assert not business_day(date(2026, 11, 26), POLICY)  # Thanksgiving Day
    assert not business_day(date(2026, 11, 28), POLICY)  # Saturday
    assert business_day(date(2026, 11, 27), POLICY)
    assert nth_business_day_after(date(2026, 11, 25), 2, POLICY) == date(2026, 11, 30)


def test_the_out_of_band_rule_is_two_business_days_across_a_holiday() -> None:
    # docs/process.md: resolved Wednesday 2026-11-25, Thursday is Thanksgiving: due at the end
    # of Monday 2026-11-30 (New York).
    state = resolved(datetime(2026, 11, 25, 18, 0, tzinfo=UTC), code_change="Yes")
    due = postmortem_due(state, POLICY)
    assert due is not None
    assert due.astimezone(UTC) == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 00:00 EST


def test_priority_decides_the_days_and_p3_is_not_chased() -> None:
    monday = datetime(2026, 11, 30, 15, 0, tzinfo=UTC)
    assert postmortem_due(resolved(monday), POLICY).date() == date(2026, 12, 8)  # type: ignore[union-attr]
    assert postmortem_due(resolved(monday, priority=Priority.P3), POLICY) is None


def test_one_reminder_on_the_pull_request_on_the_last_business_day_before() -> None:
    state = resolved(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # due end of Mon 2026-12-07
    assert chase(state, datetime(2026, 12, 3, 15, 0, tzinfo=UTC)) == []
    [key] = chase(state, datetime(2026, 12, 4, 15, 0, tzinfo=UTC))  # Friday, last before
    [item] = [i for i in state.outbox if i.key == key]
    assert item.kind == "pr-comment" and item.comment_id == 7 and "2026-12-07" in item.text
    assert chase(state, datetime(2026, 12, 7, 15, 0, tzinfo=UTC)) == []  # once


def test_overdue_a_comment_each_business_day_and_leadership_once() -> None:
    state = resolved(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    first = chase(state, datetime(2026, 12, 8, 15, 0, tzinfo=UTC))
    assert sorted(first) == ["reply:postmortem-overdue-2026-12-08",
                             "slack:note:postmortem-overdue"]
    assert chase(state, datetime(2026, 12, 8, 18, 0, tzinfo=UTC)) == []  # same day
    assert chase(state, datetime(2026, 12, 12, 15, 0, tzinfo=UTC)) == []  # Saturday
    # A sweep that was off for days sends one comment, not one per missed day.
    assert chase(state, datetime(2026, 12, 14, 15, 0, tzinfo=UTC)) == [
        "reply:postmortem-overdue-2026-12-14"]


def test_nothing_once_merged() -> None:
    state = resolved(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    state.postmortem_merged_at = datetime(2026, 12, 9, tzinfo=UTC)
    assert chase(state, datetime(2026, 12, 10, 15, 0, tzinfo=UTC) + timedelta(days=1)) == []


# -- follow-ups, end to end ----------------------------------------------------------------------
