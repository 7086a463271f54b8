from __future__ import annotations

from datetime import UTC, datetime

from incident_response.core.record.block import parse_state, render_state
from incident_response.core.record.state import IncidentState
from incident_response.core.vocabulary import Phase, Priority


def test_round_trip_keeps_everything() -> None:
    state = IncidentState(phase=Phase.ACTIVE, priority=Priority.P1, datadog_id="abc",
                          slack_ts="1.2", roles={"commander": "mona"},
                          declared_at=datetime(2026, 11, 28, 8, 11, tzinfo=UTC))
    state.mark_done("page:trigger")
    state.mark_failed("datadog:declare", "HTTP 503 --> <!-- nasty", datetime.now(UTC))
    text = render_state(state)
    assert "-->" not in text[:-3]
    assert "<!--" not in text[4:]
    assert parse_state(f"<!-- incident-response:status -->\nhello\n{text}") == state


def test_last_block_wins_and_garbage_is_no_state() -> None:
    older = render_state(IncidentState(phase=Phase.TRIAGE))
    newer = render_state(IncidentState(phase=Phase.STABLE))
    assert parse_state(older + newer).phase == Phase.STABLE  # type: ignore[union-attr]
    assert parse_state("<!-- incident-response:state v1 {not json} -->") is None
    assert parse_state("no block here") is None


def test_a_newer_version_is_not_misread() -> None:
    text = render_state(IncidentState()).replace(" v2 ", " v9 ")
    assert parse_state(text) is None


def test_failures_count_attempts_and_clear_when_done() -> None:
    state = IncidentState()
    now = datetime.now(UTC)
    state.mark_failed("x", "one", now)
    state.mark_failed("x", "two", now)
    assert state.failures["x"].attempts == 2
    assert state.failures["x"].error == "two"
    state.mark_done("x")
    assert "x" not in state.failures
    assert state.is_done("x")
