"""`execute` on its own: each effect through its capability's adapter, each result recorded.

The drill's in-memory stand-ins are the adapters; no server, no process.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from incident_response.adapters.ports import ChatMessageRef
from incident_response.commands.drill.standins import (
    Clock,
    StandInDatadog,
    StandInGitHub,
    StandInPagerDuty,
    StandInSlack,
    Transcript,
)
from incident_response.core.decision.effects import (
    Message,
    PostComment,
    PostToChat,
    Thread,
    TriggerPage,
)
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.record import keys
from incident_response.core.record.state import IncidentState
from incident_response.core.vocabulary import Priority, Severity
from incident_response.shell.execute import execute
from incident_response.shell.wiring import Adapters, Lazy

NOW = datetime(2026, 11, 28, 8, 11, tzinfo=UTC)
PAGE = TriggerPage(key=keys.PAGE, dedup_key="acme/identity#7", summary="SSOe down",
                   source="SSOe (production)", priority=Priority.P1, severity=Severity.SEV_2)


def post(key: str, thread: Thread = Thread.CHANNEL, *, announcement: bool = False) -> PostToChat:
    return PostToChat(key=key, channel="#identity-support", text=key, message=Message(key),
                      thread=thread, incident="acme/identity#7", is_announcement=announcement)


class Chat(StandInSlack):
    """The Slack stand-in, with the messages it has posted findable, and faults on demand."""

    def __init__(self, transcript: Transcript) -> None:
        super().__init__(transcript)
        self.posts: list[tuple[PostToChat, ChatMessageRef | None, ChatMessageRef]] = []
        self.failing: Exception | None = None

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        if self.failing is not None:
            raise self.failing
        ref = super().post(effect, thread)
        self.posts.append((effect, thread, ref))
        return ref

    def find(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef | None:
        return next((ref for posted, _, ref in self.posts if posted.key == effect.key), None)


@pytest.fixture
def world() -> dict[str, Any]:
    transcript = Transcript(Clock(NOW))
    github = StandInGitHub("acme/identity", transcript, "github-actions[bot]")
    github.open_issue("SSOe down", "", "mona", "incident")
    chat = Chat(transcript)
    pager = StandInPagerDuty(transcript)
    adapters = Adapters(github=github, pager=Lazy.ready(pager),
                        mirror=Lazy.ready(StandInDatadog(transcript)), chat=Lazy.ready(chat))
    return {"adapters": adapters, "chat": chat, "pager": pager, "github": github}


def test_each_effect_goes_through_its_capability_and_is_recorded_done(
        world: dict[str, Any]) -> None:
    state = IncidentState()
    outcome = execute([PAGE, post(keys.ANNOUNCE, announcement=True),
                       PostComment(key=keys.RECOVERY_CHECKLIST, body="Checklist")],
                      state, world["adapters"], 1, NOW)
    assert [(r.status, r.service) for r in outcome.results] == [
        ("done", "PagerDuty"), ("done", "Slack"), ("done", "GitHub")]
    assert world["pager"].alerts == {"acme/identity#7": "triggered"}
    assert state.paged_at == NOW and state.page_dedup_key == "acme/identity#7"
    assert state.chat_thread is not None  # the announcement starts the incident's thread
    assert all(state.is_done(k) for k in (keys.PAGE, keys.ANNOUNCE, keys.RECOVERY_CHECKLIST))
    [comment] = list(world["github"].comments.values())
    assert comment.body.startswith(f"<!-- incident-response:effect {keys.RECOVERY_CHECKLIST}")


def test_an_integration_without_credentials_is_skipped_and_keeps_no_claim(
        world: dict[str, Any]) -> None:
    world["adapters"].pager = Lazy.absent("PAGERDUTY_ROUTING_KEY is not set")
    state = IncidentState(claimed={keys.PAGE: NOW})
    [result] = execute([PAGE], state, world["adapters"], 1, NOW).results
    assert (result.status, result.detail) == ("skipped", "PAGERDUTY_ROUTING_KEY is not set")
    assert keys.PAGE not in state.claimed and not state.is_done(keys.PAGE)


def test_a_reply_waits_for_the_announcement_that_starts_its_thread(
        world: dict[str, Any]) -> None:
    state = IncidentState(claimed={keys.chat_update("5-0"): NOW})
    reply = post(keys.chat_update("5-0"), Thread.REPLY)
    [result] = execute([reply], state, world["adapters"], 1, NOW).results
    assert result.status == "waiting" and keys.chat_update("5-0") not in state.claimed
    assert world["chat"].posts == []
    # once announced (in the same run, earlier), the reply goes into the thread
    outcome = execute([post(keys.ANNOUNCE, announcement=True), reply], state,
                      world["adapters"], 1, NOW)
    assert [r.status for r in outcome.results] == ["done", "done"]
    (_, _, announced), (_, thread, _) = world["chat"].posts
    assert thread == announced


def test_a_lost_thread_is_found_by_its_announcement_else_the_channel_hears_it(
        world: dict[str, Any]) -> None:
    lost = IncidentState(done=[keys.ANNOUNCE])  # announced, but the record lost its thread
    execute([post(keys.chat_note("a"), Thread.FIND_THEN_REPLY)], lost, world["adapters"], 1,
            NOW)
    (_, thread, _), = world["chat"].posts
    assert thread is None  # not to be found: a message of its own in the channel
    execute([post(keys.ANNOUNCE, announcement=True)], IncidentState(), world["adapters"], 1,
            NOW)
    found = IncidentState(done=[keys.ANNOUNCE])
    execute([post(keys.chat_note("b"), Thread.FIND_THEN_REPLY)], found, world["adapters"], 1,
            NOW)
    _, (_, _, announced), (_, thread, _) = world["chat"].posts
    assert thread == announced and found.chat_thread == announced.id


@pytest.mark.parametrize("error", [
    TransientServiceError("Slack", "posting failed: ratelimited", status=429),
    PermanentServiceError("Slack", "posting failed: channel_not_found"),
])
def test_a_refusal_is_recorded_as_a_failure_and_the_others_still_go_out(
        world: dict[str, Any], error: Exception) -> None:
    world["chat"].failing = error
    state = IncidentState()
    outcome = execute([post(keys.ANNOUNCE, announcement=True), PAGE], state,
                      world["adapters"], 1, NOW)
    assert [r.status for r in outcome.results] == ["failed", "done"]
    assert state.failures[keys.ANNOUNCE].attempts == 1
    assert str(error) in state.failures[keys.ANNOUNCE].error


def test_an_unexpected_exception_in_an_adapter_fails_its_effect_only(
        world: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    world["chat"].failing = KeyError("channel")
    state = IncidentState()
    outcome = execute([post(keys.ANNOUNCE, announcement=True), PAGE], state,
                      world["adapters"], 1, NOW)
    assert [r.status for r in outcome.results] == ["failed", "done"]
    assert "unexpected KeyError" in state.failures[keys.ANNOUNCE].error
    assert "KeyError" in capsys.readouterr().err  # the traceback is in the run's log
