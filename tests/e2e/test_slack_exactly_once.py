"""Slack exactly once with the shipped configuration, whose channels are names
(`#identity-support`, `#identity-leadership`): after a lost record, a refused token mid-run and
a lost answer, the announcement, the leadership notice and the updates are found by their
metadata in the channel's id before anything is posted again; where the bot may not look, the
run says which scope it lacks; and the thread is a link people can open.

Every run is the real program against the loopback fakes (tests/conftest.py `world`), with the
shipped policy's channel names; the bot token has the scopes README step 2 asks for unless a
test says otherwise.
"""

from __future__ import annotations

import threading
from typing import Any

from incident_response.core.record.block import parse_state
from incident_response.core.record.state import IncidentState
from tests.conftest import Run, World
from tests.fakes.server import Fault
from tests.support import (
    SLACK_SCOPES,
    at,
    command,
    comment,
    declare,
    handle,
    opened,
    resolved_p1,
    status_comments,
)

SUPPORT, LEADERSHIP = "#identity-support", "#identity-leadership"


def state(world: World) -> IncidentState:
    [status] = status_comments(world)
    found = parse_state(status["body"])
    assert found is not None
    return found


def tagged(world: World, effect: str) -> list[dict[str, Any]]:
    """The messages the bot posted for one effect (their metadata names it)."""
    return [m for m in world.slack.messages
            if (m.get("metadata") or {}).get("event_payload", {}).get("effect") == effect]


def announcement(world: World) -> dict[str, Any]:
    [message] = tagged(world, "slack:announce")
    return message


def test_channels_named_in_the_config_are_kept_by_id_in_the_record(world: World) -> None:
    world.slack.scopes = set(SLACK_SCOPES)
    declare(world)
    record = state(world)
    # Slack's answers to the posts named the ids; the record keeps them, so a later look asks
    # Slack for no listing.
    assert record.chat_channels == {SUPPORT: "C0SUPPORT", LEADERSHIP: "C0LEADERS"}
    assert not world.slack.calls("conversations_list")
    assert world.violations() == []


def test_a_deleted_record_finds_the_thread_and_announces_nothing_twice(world: World) -> None:
    world.slack.scopes = set(SLACK_SCOPES)
    declare(world)
    command(world, "/update Rolled back the ISAM change", 5, login="sam")
    [status] = status_comments(world)
    world.github.delete_comment(status["id"])

    run = handle(world, comment(world, "/update Error rate back under 1%", 10), 10.5)

    assert run.returncode == 0, run.stdout
    assert world.violations() == []
    thread = announcement(world)["ts"]  # one announcement, and one leadership notice
    assert len(tagged(world, "slack:leadership")) == 1
    replies = [m["text"] for m in world.slack.messages if m.get("thread_ts") == thread]
    assert sum("Rolled back the ISAM change" in t for t in replies) == 1
    assert sum("Error rate back under 1%" in t for t in replies) == 1  # into the found thread
    assert not [m for m in world.slack.messages
                if "Error rate" in m["text"] and not m.get("thread_ts")]
    record = state(world)
    assert (record.chat_channel, record.chat_thread) == ("C0SUPPORT", thread)
    assert record.chat_channels[SUPPORT] == "C0SUPPORT"
    [rebuilt] = status_comments(world)
    assert "Slack announcement was found in #identity-support by its tags" in rebuilt["body"]
    assert "Slack leadership notice was found in #identity-leadership" in rebuilt["body"]
    assert "Slack announcement: done found in #identity-support" in run.stdout


def test_a_token_refused_before_the_record_was_written_repeats_nothing(world: World) -> None:
    world.slack.scopes = set(SLACK_SCOPES)
    payload = opened(world)
    # The run's two posts are held in Slack: the announcement goes out, then the token is
    # revoked while the leadership notice waits; and GitHub refuses the record's last write.
    announced, noticed = (world.slack.hold("chat_postMessage"),
                          world.slack.hold("chat_postMessage"))
    world.github.inject("issues/update-comment",
                        *[Fault(401, body={"message": "Bad credentials"}) for _ in range(3)])
    results: list[Run] = []
    first = threading.Thread(target=lambda: results.append(
        world.call("handle", "--now", at(0), payload=payload)))
    first.start()
    assert announced.arrived.wait(30), "the announcement never reached Slack"
    announced.release()
    assert noticed.arrived.wait(30), "the leadership notice never reached Slack"
    world.slack.revoke_token()
    noticed.release()
    first.join(60)

    assert results[0].returncode == 1
    assert "SLACK_BOT_TOKEN" in results[0].stdout  # the refused token is named
    assert len(tagged(world, "slack:announce")) == 1
    assert tagged(world, "slack:leadership") == []
    left = state(world)  # the record as the run claimed it, before it went out
    assert {"slack:announce", "slack:leadership"} <= set(left.claimed)
    assert not left.chat_thread and not left.chat_channels

    world.slack.token_error = None  # a good token again
    world.github.faults.clear()
    sweep = world.call("sweep", "--now", at(20))

    assert sweep.returncode == 0, sweep.stdout
    assert world.violations() == []
    assert len(tagged(world, "slack:announce")) == 1  # found by its metadata, not posted
    assert len(tagged(world, "slack:leadership")) == 1  # not found, so posted: once
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")] == [
        "trigger"]
    record = state(world)
    assert record.chat_thread == announcement(world)["ts"]
    assert not record.claimed and not record.failures
    assert record.chat_channels == {SUPPORT: "C0SUPPORT", LEADERSHIP: "C0LEADERS"}
    [status] = status_comments(world)
    assert "**Slack" not in status["body"]  # nothing failed, nothing could not be looked for


def test_a_lost_answer_to_the_announcement_is_found_and_its_thread_used(world: World) -> None:
    world.slack.scopes = set(SLACK_SCOPES)
    world.slack.inject("chat_postMessage", Fault(kind="lost"))
    first = world.call("handle", "--now", at(0), payload=opened(world))
    assert first.returncode == 1  # reported, and left to the next run
    world.github.permissions["sam"] = "write"

    # The next run, here an update's, looks first (a failed claim is not left to its run).
    run = handle(world, comment(world, "/update Rolled back", 5), 5.5)

    assert run.returncode == 0, run.stdout
    assert "Slack announcement: done found in #identity-support" in run.stdout
    assert world.violations() == []
    thread = announcement(world)["ts"]  # found by its metadata: still one
    [update] = [m for m in world.slack.messages if "Rolled back" in m["text"]]
    assert update["thread_ts"] == thread
    record = state(world)
    assert record.chat_thread == thread and record.chat_thread_url
    assert not record.claimed and not record.failures


def test_a_private_channel_without_groups_read_says_which_scope(world: World) -> None:
    world.slack.add_channel(SUPPORT, "C0SUPPORT", private=True)
    world.slack.scopes = set(SLACK_SCOPES) | {"groups:history"}  # but not groups:read
    world.slack.inject("chat_postMessage", Fault(kind="lost"))  # the announcement's answer
    first = world.call("handle", "--now", at(0), payload=opened(world))
    assert first.returncode == 1  # the lost answer is reported, and retried
    assert len(tagged(world, "slack:announce")) == 1  # Slack did post it

    run = world.call("sweep", "--now", at(20))

    assert world.violations() == []
    [status] = status_comments(world)
    # The look is impossible: the run says so, and which scope, in the job summary and once
    # in the status comment, and posts rather than leave the channel unannounced.
    [warning] = [line for line in run.stdout.splitlines() if line.startswith("::warning")]
    assert "groups:read" in warning
    shown = status["body"].split("<!-- incident-response:state")[0]
    assert shown.count("groups:read") == 1
    assert "may show twice" in shown
    assert len(tagged(world, "slack:announce")) == 2
    assert state(world).chat_lookup_problem

    world.slack.scopes.add("groups:read")  # given the scope, the next look succeeds
    world.github.permissions["sam"] = "write"
    world.slack.inject("chat_postMessage", Fault(kind="lost"))
    lost = handle(world, comment(world, "/update Failover started", 25), 25.5)
    assert lost.returncode == 1
    again = world.call("sweep", "--now", at(45))
    assert again.returncode == 0, again.stdout
    assert len([m for m in world.slack.messages if "Failover started" in m["text"]]) == 1
    assert state(world).chat_lookup_problem is None
    [status] = status_comments(world)
    assert "could not be looked for" not in status["body"]


def test_the_thread_is_a_link_in_the_status_comment_and_the_postmortem(world: World) -> None:
    resolved_p1(world)
    assert world.violations() == []
    ts = announcement(world)["ts"]
    link = f"https://identity-team.slack.com/archives/C0SUPPORT/p{ts.replace('.', '')}"
    record = state(world)
    assert record.chat_thread_url == link
    [status] = status_comments(world)
    assert f"announced in \\#identity-support ([open the thread]({link}))" in status["body"]
    [pull] = world.github.pulls.values()
    document = next(iter(world.github.branches[pull["head"]["ref"]]["files"].values()))
    assert f"]({link})" in document
    # asked once, when the announcement went out
    assert len(world.slack.calls("chat_getPermalink")) == 1
