"""The way through while GitHub Actions is down or late: `incident-response handle --repo
OWNER/REPO --issue N` (and `sweep --repo`) typed at a terminal with a person's own token.

Every run here is the real program against the loopback fakes. The late Actions runs are the
same program with the events' payloads, started afterwards or in the middle of the terminal's
run (a run held inside a fake, never a sleep): whichever comes first, nothing is sent twice.
"""

from __future__ import annotations

import threading
from typing import Any

from incident_response.core.record.block import parse_state
from tests.conftest import Run, World
from tests.support import (
    BOT,
    PERSON_TOKEN,
    TYPED_REPOSITORY,
    at,
    by_hand,
    chat_messages_with,
    comment,
    declare,
    handle_by_hand,
    in_actions,
    opened,
    resolved_p1,
    status_comments,
)

CANONICAL = "Codertocat/Hello-World"


def record(world: World) -> Any:
    [status] = status_comments(world)
    state = parse_state(status["body"])
    assert state is not None
    return state


def triggers(world: World) -> list[dict[str, Any]]:
    return [r.json() for r in world.pagerduty.requests
            if (r.json() or {}).get("event_action") == "trigger"]


def reactions_by(world: World, login: str) -> int:
    return sum(1 for objects in world.github.reaction_objects.values() for r in objects
               if r["user"]["login"] == login)


# -- a terminal run, and the late Actions runs beside it -------------------------------------

def test_a_terminal_run_sends_what_actions_would_and_the_late_run_repeats_none_of_it(
        world: World) -> None:
    declare(world)
    late = comment(world, "/update Rolled back the ISAM change", 5)  # its run: not yet

    run = handle_by_hand(world, 20)

    assert run.returncode == 0, run.stdout + run.stderr
    assert chat_messages_with(world, "Rolled back the ISAM change") == 1
    [status] = status_comments(world)  # the bot's record, edited in place: still trusted
    assert status["user"]["login"] == BOT
    assert "from a terminal" in status["body"] and "Reply " in status["body"]
    assert reactions_by(world, "sam") == 0  # GitHub's side is the bot's: the 👍 waits for it
    assert {r.json()["dedup_key"] for r in world.pagerduty.requests} == {f"{CANONICAL}#1"}
    written = run.stdout + run.stderr + status["body"] + "".join(
        r.body.decode() for r in world.slack.requests + world.datadog.requests)
    assert PERSON_TOKEN not in written  # the person's token is used, never shown

    again = in_actions(world, late, 45)  # GitHub Actions, 40 minutes late

    assert again.returncode == 0, again.stdout
    assert chat_messages_with(world, "Rolled back the ISAM change") == 1
    assert reactions_by(world, BOT) == 1 and reactions_by(world, "sam") == 0
    assert len(world.datadog.calls("UpdateIncident")) == 1  # the latest update, synced once
    assert not record(world).outbox and not record(world).claimed
    assert world.violations() == []


def _race(first: Any, second: Any, hold: Any) -> tuple[Run, Run]:
    """`first` runs until the held request reaches the fake; `second` runs whole meanwhile;
    then `first` goes on."""
    results: dict[str, Run] = {}
    racing = threading.Thread(target=lambda: results.setdefault("first", first()))
    racing.start()
    assert hold.arrived.wait(30), "the first run never reached the held request"
    results["second"] = second()
    hold.release()
    racing.join(60)
    return results["first"], results["second"]


def test_a_late_actions_run_arriving_while_the_terminal_run_posts_leaves_the_post_to_it(
        world: World) -> None:
    declare(world)
    late = comment(world, "/update Failover to the second region", 5)
    hold = world.slack.hold("chat_postMessage")  # the terminal run, inside Slack

    terminal, actions = _race(lambda: handle_by_hand(world, 20),
                              lambda: in_actions(world, late, 20.5), hold)

    assert terminal.returncode == 0, terminal.stdout
    assert actions.returncode == 0, actions.stdout
    assert chat_messages_with(world, "Failover to the second region") == 1
    assert reactions_by(world, BOT) == 1 and reactions_by(world, "sam") == 0
    state = record(world)
    assert len(state.updates) == 1 and not state.outbox and not state.claimed
    assert world.violations() == []


def test_a_terminal_run_arriving_while_the_late_actions_run_posts_leaves_the_post_to_it(
        world: World) -> None:
    declare(world)
    late = comment(world, "/update Database team joined", 5)
    hold = world.slack.hold("chat_postMessage")  # the late Actions run, inside Slack

    actions, terminal = _race(lambda: in_actions(world, late, 30),
                              lambda: handle_by_hand(world, 30.5), hold)

    assert actions.returncode == 0, actions.stdout
    assert terminal.returncode == 0, terminal.stdout
    assert chat_messages_with(world, "Database team joined") == 1
    state = record(world)
    assert len(state.updates) == 1 and not state.outbox and not state.claimed
    assert world.violations() == []


def test_a_report_actions_never_ran_for_is_paged_from_a_terminal_and_declared_once_later(
        world: World) -> None:
    payload = opened(world)  # the report is open; its `issues.opened` run has not started

    run = handle_by_hand(world, 15)

    # Paged at once, under GitHub's spelling of the repository whatever was typed ...
    assert [t["dedup_key"] for t in triggers(world)] == [f"{CANONICAL}#1"]
    # ... and nothing else: a record the person started would not be trusted by the runs
    # that follow, which would then declare and announce a second time.
    assert run.returncode == 1
    assert "has no record yet" in run.stdout and "handle --issue N" in run.stdout
    assert world.github.comments_on(1) == []
    assert world.github.label_names(1) == ["incident"]
    assert world.slack.messages == [] and world.datadog.requests == []

    late = in_actions(world, payload, 40, event_name="issues")

    assert late.returncode == 0, late.stdout
    assert set(world.pagerduty.alerts) == {f"{CANONICAL}#1"}  # the same alert, not a second
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert chat_messages_with(world, "incident_announced") == 1
    assert chat_messages_with(world, "Posted late") == 1  # 30 min after the report
    assert status_comments(world)[0]["user"]["login"] == BOT
    assert world.violations() == []


def test_a_token_that_writes_as_the_bot_does_all_of_it_from_a_terminal(world: World) -> None:
    opened(world)

    run = handle_by_hand(world, 15, token="ghs_bot_token")  # an App's token: the bot itself

    assert run.returncode == 0, run.stdout
    assert "phase:active" in world.github.label_names(1)
    assert len(status_comments(world)) == 1
    assert chat_messages_with(world, "incident_announced") == 1
    assert "from a terminal" not in status_comments(world)[0]["body"]


# -- what only GitHub's state says: the post-mortem's merge, a reopen ----------------------

def test_a_post_mortem_merged_while_actions_is_down_completes_the_incident_once(
        world: World) -> None:
    resolved_p1(world)
    [pull] = world.github.pulls
    merged = world.github.merge(pull, "sam")  # `pull_request.closed`: its run has not started

    run = handle_by_hand(world, 60)

    assert run.returncode == 0, run.stdout
    assert record(world).phase == "completed"
    assert chat_messages_with(world, "post-mortem is merged") == 1  # the leadership channel
    assert len(world.datadog.calls("CreateIncidentAttachment")) == 1

    late = in_actions(world, merged, 90, event_name="pull_request")

    assert late.returncode == 0, late.stdout
    assert chat_messages_with(world, "post-mortem is merged") == 1
    assert len(world.datadog.calls("CreateIncidentAttachment")) == 1
    followups = [i for i in world.github.issues.values()
                 if "incident-followup" in [label["name"] for label in i["labels"]]]
    assert len(followups) == 2 and {i["user"]["login"] for i in followups} == {BOT}
    assert world.violations() == []


def test_a_reopen_while_actions_is_down_is_found_in_the_issues_history(world: World) -> None:
    resolved_p1(world)
    pages = len(triggers(world))
    closed = world.github.close_issue(1, "sam", at=at(60))
    reopened = world.github.reopen_issue(1, "sam", at=at(61))  # neither event's run started

    run = handle_by_hand(world, 70)

    assert run.returncode == 0, run.stdout
    assert record(world).phase == "active"
    assert len(triggers(world)) == pages + 1  # on-call paged again

    for payload in (closed, reopened):  # the two late runs change nothing more
        assert in_actions(world, payload, 90, event_name="issues").returncode == 0
    assert len(triggers(world)) == pages + 1
    assert record(world).phase == "active" and record(world).reopens == 1

    # Resolved again: that old reopen is history, not a reason to reopen a second time.
    assert in_actions(world, comment(world, "/resolve", 95), 96).returncode == 0
    assert handle_by_hand(world, 100).returncode == 0
    assert record(world).phase == "resolved" and record(world).reopens == 1
    assert len(triggers(world)) == pages + 1
    assert world.violations() == []


# -- the sweep from a terminal --------------------------------------------------------------

def test_a_sweep_from_a_terminal_applies_what_is_pending_and_leaves_github_to_the_bot(
        world: World) -> None:
    declare(world)
    late = comment(world, "/resolve", 10)  # typed while Actions is down

    run = by_hand(world, "sweep", "--repo", TYPED_REPOSITORY, "--now", at(20))

    assert run.returncode == 0, run.stdout + run.stderr
    assert "### Sweep at" in run.stdout  # the summary, printed: no GITHUB_STEP_SUMMARY here
    assert record(world).phase == "resolved"
    assert [r.json()["event_action"] for r in world.pagerduty.requests][-1] == "resolve"
    assert "phase:active" in world.github.label_names(1)  # the labels wait for the bot
    assert PERSON_TOKEN not in run.stdout + run.stderr

    again = in_actions(world, late, 50)

    assert again.returncode == 0, again.stdout
    assert "phase:resolved" in world.github.label_names(1)
    assert [r.json()["event_action"] for r in world.pagerduty.requests].count("resolve") == 1
    bot_replies = [c["body"] for c in world.github.comments_on(1) if c["user"]["login"] == BOT]
    assert not any("put back" in body for body in bot_replies)
    assert world.violations() == []


# -- what a person typing it is told ---------------------------------------------------------

def test_handle_issue_refuses_what_it_cannot_do_in_one_line(world: World) -> None:
    opened(world)
    cases = {
        "--issue needs the repository": by_hand(world, "handle", "--issue", "1"),
        "give it without --event": by_hand(world, "handle", "--repo", CANONICAL, "--issue",
                                           "1", "--event", "x.json"),
        "GitHub knows no such repository": by_hand(world, "handle", "--repo", "nobody/nothing",
                                                   "--issue", "1"),
        "is not OWNER/REPO": by_hand(world, "handle", "--repo", "../../user", "--issue", "1"),
        "GITHUB_TOKEN is not set": by_hand(world, "handle", "--repo", CANONICAL, "--issue",
                                           "1", token=None),
    }
    for said, run in cases.items():
        assert run.returncode == 2, (said, run.stdout, run.stderr)
        assert said in run.stderr and len(run.stderr.strip().splitlines()) == 1
    assert world.outside_requests() == 0 and world.github.comments_on(1) == []


def test_handle_issue_on_an_issue_that_is_no_incident_does_nothing(world: World) -> None:
    world.github.add_issue({"number": 2, "title": "A question", "labels": []})

    run = by_hand(world, "handle", "--repo", CANONICAL, "--issue", "2")

    assert run.returncode == 0 and "#2 is not an incident" in run.stdout
    assert world.outside_requests() == 0


def test_a_dry_run_by_hand_prints_the_plan_and_sends_nothing(world: World) -> None:
    opened(world)

    run = handle_by_hand(world, 15, "--dry-run")

    assert run.returncode == 0, run.stdout + run.stderr
    assert "page on-call" in run.stdout
    assert world.outside_requests() == 0
    assert {r.method for r in world.github.requests} == {"GET"}


def test_in_github_actions_no_run_asks_who_it_is_or_how_the_repository_is_spelled(
        world: World) -> None:
    payload = opened(world)

    assert in_actions(world, payload, 1, event_name="issues").returncode == 0
    assert world.call("sweep", "--now", at(2), GITHUB_ACTIONS="true").returncode == 0

    asked = {r.operation for r in world.github.requests}
    assert "users/get-authenticated" not in asked and "repos/get" not in asked
