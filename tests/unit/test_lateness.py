"""A late run, as the core sees it: the event's time and the run's clock are data."""

from __future__ import annotations

from datetime import timedelta

import pytest

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import PostToChat
from incident_response.core.record import keys
from incident_response.core.rules.lateness import EventTime, duration, late_run
from tests.support import FORM, ISSUE, POLICY, T0, declared

OPENED = EventTime(T0, "the report was opened")


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 min"), (9.9, "9 min"), (47, "47 min"), (60, "1 h 00 min"), (125, "2 h 05 min"),
    (47 * 60 + 59, "47 h 59 min"), (3 * 24 * 60 + 4 * 60 + 30, "3 d 4 h"),
])
def test_a_delay_reads_at_a_glance(minutes: float, text: str) -> None:
    assert duration(timedelta(minutes=minutes)) == text


def test_a_run_is_late_from_the_policys_threshold_on() -> None:
    threshold = POLICY.delivery.late_after_minutes
    assert threshold == 10
    assert late_run(OPENED, T0 + timedelta(minutes=9, seconds=59), POLICY) is None
    late = late_run(OPENED, T0 + timedelta(minutes=10), POLICY)
    assert late is not None and late.by == timedelta(minutes=10)


def test_an_unknown_event_time_or_no_threshold_is_never_late() -> None:
    assert late_run(None, T0 + timedelta(days=3), POLICY) is None
    never = POLICY.model_copy(update={"delivery": POLICY.delivery.model_copy(
        update={"late_after_minutes": None})})
    assert late_run(OPENED, T0 + timedelta(days=3), never) is None


def test_an_event_after_the_runs_clock_is_not_late() -> None:
    assert late_run(OPENED, T0 - timedelta(minutes=30), POLICY) is None


def _announcement(effects: list) -> PostToChat:
    [found] = [e for e in effects if isinstance(e, PostToChat) and e.key == keys.ANNOUNCE]
    return found


def test_a_late_run_says_so_and_announces_by_how_much() -> None:
    plan = decide(ISSUE, None, POLICY, FORM, T0 + timedelta(minutes=47), event=OPENED)

    assert plan.late is not None and plan.late.by == timedelta(minutes=47)
    [notice] = [n for n in plan.notices if "ran late" in n]
    assert "47 min after the report was opened (2026-11-28 08:11 UTC" in notice
    announced = _announcement(plan.effects)
    assert announced.text.endswith(", posted 47 min late)")
    assert announced.message.facts[-1] == (
        "Posted late", "47 min after the report was opened (08:11 UTC): GitHub Actions "
        "started late")
    assert announced.message.facts[0] == ("Priority", "P1")  # what matters first stays first


def test_a_run_on_time_announces_as_ever() -> None:
    on_time = decide(ISSUE, None, POLICY, FORM, T0 + timedelta(minutes=2), event=OPENED)
    unknown = decide(ISSUE, None, POLICY, FORM, T0 + timedelta(minutes=47))

    for plan in (on_time, unknown):
        assert plan.late is None and not any("ran late" in n for n in plan.notices)
        assert all(label != "Posted late" for label, _ in _announcement(plan.effects)
                   .message.facts)
    assert _announcement(on_time.effects) == _announcement(unknown.effects)


def test_a_late_run_with_nothing_to_announce_still_says_it_ran_late() -> None:
    plan = decide(ISSUE, declared(), POLICY, FORM, T0 + timedelta(hours=2), event=OPENED)

    assert not any(isinstance(e, PostToChat) and e.key == keys.ANNOUNCE for e in plan.effects)
    assert any("2 h 00 min after the report was opened" in n for n in plan.notices)
