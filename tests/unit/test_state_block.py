from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from incident_response.core.record import keys
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


RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "records"


def test_a_record_written_before_the_neutral_names_reads_as_it_was_and_is_written_back_alike(
) -> None:
    """A status comment written by the release before the core's names became vendor-neutral
    (tests/fixtures/records/ORIGIN.md): every fact reads into today's fields, and writing the
    state again keeps the stored names, so a record moves between the two releases intact."""
    body = (RECORDED / "status-comment.before-neutral-names.md").read_text(encoding="utf-8")
    state = parse_state(body)
    assert state is not None
    assert (state.mirror_id, state.mirror_number, state.mirror_url) == (
        "d466fcca-9324-5212-97d5-2f7e6d216322", 338014,
        "https://app.datadoghq.com/incidents/338014")
    assert (state.chat_channel, state.chat_thread) == ("C0SUPPORT", "1700000000.000001")
    assert state.mirror_synced == "5d6703a177292f78"
    assert state.answers is not None and state.answers.service == "SSOe"
    assert state.is_done(keys.ANNOUNCE) and state.is_done(keys.DECLARE)
    assert state.is_pending(keys.chat_update("501-0"))
    assert state.failures[keys.chat_update("501-0")].attempts == 1
    def block(text: str) -> object:
        return json.loads(text.rsplit("<!-- incident-response:state v2 ", 1)[1].strip()
                          .removesuffix("-->").strip())

    assert block(render_state(state)) == block(body)
