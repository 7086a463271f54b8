"""The record holds under what real GitHub does: racing runs, lost answers, a deleted or
damaged record, issues closed by hand, long incidents.

Every run here is the real program (in-process, through the real clients over HTTP to the
loopback fakes). Races are built by holding one run's outside call inside the fake while the
other run reads and writes, never by sleeping.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_response.core.record.block import STATUS_MARKER, parse_state
from tests.conftest import Run, World
from tests.fakes.server import Fault
from tests.support import (
    BOT,
    SLACK_SCOPES,
    comment,
    declare,
    handle,
    opened,
    status_comments,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
T0 = datetime(2026, 11, 28, 8, 11, tzinfo=UTC)


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def state(world: World) -> Any:
    [status] = status_comments(world)
    found = parse_state(status["body"])
    assert found is not None
    return found


def announcements(world: World) -> int:
    return sum(1 for m in world.slack.messages
               if (m.get("metadata") or {}).get("event_type") == "incident_announced")


def thread_texts(world: World) -> list[str]:
    announcement = world.slack.in_channel("#identity-support")[0]
    return [m["text"] for m in world.slack.messages if m.get("thread_ts") == announcement["ts"]]


# -- one writer, and defence in depth at the write ------------------------------------------

def test_two_runs_racing_on_one_record_lose_nothing_and_repeat_nothing(world: World) -> None:
    declare(world)
    first = comment(world, "/update Rolled back the ISAM change", 5)
    hold = world.slack.hold("chat_postMessage")
    results: dict[str, Run] = {}
    racing = threading.Thread(target=lambda: results.setdefault("a", handle(world, first, 5.5)))
    racing.start()
    assert hold.arrived.wait(30), "run A never reached Slack"
    # Run A has claimed its update in the record and is inside Slack; run B does all its work.
    second = comment(world, "/update Error rate back under 1%", 6)
    results["b"] = handle(world, second, 6.5)
    hold.release()
    racing.join(60)

    assert results["a"].returncode == 0 and results["b"].returncode == 0
    assert world.violations() == []
    texts = thread_texts(world)
    assert sum("Rolled back the ISAM change" in t for t in texts) == 1
    assert sum("Error rate back under 1%" in t for t in texts) == 1
    record = state(world)  # B's facts and A's merged: both updates, nothing left to send
    assert len(record.updates) == 2
    assert not record.outbox and not record.claimed
    before = len(world.slack.messages) + len(world.datadog.requests)
    again = world.call("sweep", "--now", at(7))
    assert again.returncode == 0
    assert len(world.slack.messages) + len(world.datadog.calls("UpdateIncident")) <= before


def test_a_run_whose_record_moved_before_it_claimed_decides_again(world: World) -> None:
    declare(world)
    first = comment(world, "/update Paging the database team", 5)
    hold = world.github.hold("issues/get-comment")  # run A's re-read before its claims
    results: dict[str, Run] = {}
    racing = threading.Thread(target=lambda: results.setdefault("a", handle(world, first, 5.5)))
    racing.start()
    assert hold.arrived.wait(30), "run A never re-read the record"
    # While A waits, B applies A's comment and its own, and writes the record.
    results["b"] = handle(world, comment(world, "/update Database team joined", 6), 6.5)
    hold.release()
    racing.join(60)

    assert results["a"].returncode == 0 and results["b"].returncode == 0
    texts = thread_texts(world)
    assert sum("Paging the database team" in t for t in texts) == 1
    assert sum("Database team joined" in t for t in texts) == 1
    record = state(world)
    assert len(record.updates) == 2 and not record.outbox


def test_a_failed_write_of_the_record_is_retried(world: World) -> None:
    declare(world)
    world.github.inject("issues/update-comment", Fault(502), Fault(kind="lost"))
    run = handle(world, comment(world, "/update Still digging", 5), 5.5)
    assert run.returncode == 0, run.stdout
    assert len(world.github.calls("issues/update-comment")) >= 3
    assert len(state(world).updates) == 1
    handle(world, comment(world, "/ic @sam", 6), 6.5)
    assert sum("Still digging" in t for t in thread_texts(world)) == 1


def test_a_lost_answer_to_the_status_comment_is_found_not_made_twice(world: World) -> None:
    world.github.inject("issues/create-comment", Fault(kind="lost"))
    run = world.call("handle", "--now", at(0), payload=opened(world))
    assert len(status_comments(world)) == 1, run.stdout
    assert len(world.datadog.calls("CreateIncident")) == 1


def test_a_claimed_slack_post_whose_answer_was_lost_is_looked_up(world: World) -> None:
    declare(world)
    world.slack.inject("chat_postMessage", Fault(kind="lost"))
    run = handle(world, comment(world, "/update Failover started", 5), 5.5)
    assert run.returncode == 1  # the post's answer was lost: reported, retried later
    posted = [t for t in thread_texts(world) if "Failover started" in t]
    assert len(posted) == 1  # Slack did post it
    assert "slack:update:" in " ".join(state(world).claimed)
    again = world.call("sweep", "--now", at(20))
    assert again.returncode == 0, again.stdout
    assert len([t for t in thread_texts(world) if "Failover started" in t]) == 1
    assert world.slack.calls("conversations_replies")  # it looked instead of posting again
    assert not state(world).claimed


# -- a bounded record ----------------------------------------------------------------------

def test_a_long_incident_stays_under_githubs_limit_and_loses_no_update(world: World) -> None:
    declare(world)
    texts = []
    for index in range(1, 301):
        if index % 5 == 0:
            text = f"第{index}報: 認証サービスのエラー率は低下しています。引き続き監視中です。"
        elif index % 7 == 0:
            text = f"Update {index}: Zürich users still see errors 🔥, rolling back."
        else:
            text = (f"Update {index}: error rate at {index % 13}% on the ISAM login path; "
                    "the rollback of the session cache is in progress.")
        texts.append(text)
        payload = comment(world, f"/update {text}", index)
        if index % 25 == 0:
            run = handle(world, payload, index + 0.5)
            assert run.returncode == 0, run.stdout
    assert world.violations() == []
    [status] = status_comments(world)
    assert len(status["body"]) < 65_536
    block = status["body"][status["body"].index("<!-- incident-response:state"):]
    assert len(block) < 12_000, len(block)
    assert "第300報" in status["body"] or "Update 300" in status["body"]
    assert "earlier update(s) are in the issue's comments" in status["body"]
    # Every update reached the thread exactly once, in order.
    posted = thread_texts(world)
    for text in texts:
        assert sum(text in t for t in posted) == 1, text
    handle(world, comment(world, "/resolve", 310), 310.5)
    [pull] = world.github.pulls.values()
    document = next(iter(world.github.branches[pull["head"]["ref"]]["files"].values()))
    missing = [t for t in texts if t not in document]
    assert missing == []
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert len(world.slack.in_channel("#identity-leadership")) == 1


# -- a lost record is rebuilt, not restarted -------------------------------------------------

def test_a_deleted_status_comment_is_rebuilt_without_declaring_again(world: World) -> None:
    world.slack.scopes = set(SLACK_SCOPES)  # the announcement is looked for by channel name
    declare(world)
    handle(world, comment(world, "/update Rolled back", 5), 5.5)
    [status] = status_comments(world)
    world.github.delete_comment(status["id"])
    run = handle(world, comment(world, "/update Second look", 10), 10.5)
    assert run.returncode == 0, run.stdout
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert announcements(world) == 1  # no second announcement
    assert len(world.slack.in_channel("#identity-leadership")) == 1
    assert [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")] == [
        "trigger"]
    texts = [m["text"] for m in world.slack.messages]
    assert sum("Rolled back" in t for t in texts) == 1  # not re-posted
    assert sum("Second look" in t for t in thread_texts(world)) == 1  # in the found thread
    [rebuilt] = status_comments(world)
    assert "Record rebuilt" in rebuilt["body"]
    record = state(world)
    assert record.mirror_id == next(iter(world.datadog.incidents))


def test_a_damaged_state_block_is_rebuilt_in_place(world: World) -> None:
    world.slack.scopes = set(SLACK_SCOPES)  # the announcement is looked for by channel name
    declare(world)
    [status] = status_comments(world)
    world.github.edit_comment(status["id"], status["body"].replace('"phase"', '"ph'))
    run = handle(world, comment(world, "/update After the edit", 5), 5.5)
    assert run.returncode == 0, run.stdout
    assert len(status_comments(world)) == 1
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert announcements(world) == 1
    assert sum("After the edit" in m["text"] for m in world.slack.messages) == 1


# -- no orphans ------------------------------------------------------------------------------

def test_closing_a_live_incident_by_hand_reopens_it_with_a_comment(world: World) -> None:
    declare(world)
    payload = world.github.close_issue(1, "sam")
    run = handle(world, payload, 5, event_name="issues")
    assert run.returncode == 0, run.stdout
    assert world.github.issues[1]["state"] == "open"
    replies = [c["body"] for c in world.github.comments_on(1)
               if c["user"]["login"] == BOT and "closing the issue does not resolve" in c["body"]]
    assert len(replies) == 1
    assert world.pagerduty.alerts["Codertocat/Hello-World#1"]["status"] == "triggered"


def test_removing_the_incident_label_puts_it_back(world: World) -> None:
    declare(world)
    world.github.person_labels(1, "sam", "unlabeled", "incident")
    payload = json.loads((FIXTURES / "issues.unlabeled.json").read_text())
    payload["issue"] = world.github.issues[1]
    payload["label"] = {"name": "incident", "color": "b60205"}
    run = handle(world, payload, 5, event_name="issues")
    assert run.returncode == 0, run.stdout
    assert "incident" in world.github.label_names(1)
    assert any("put back" in c["body"] for c in world.github.comments_on(1)
               if c["user"]["login"] == BOT)


def test_the_sweep_finds_a_live_incident_by_its_phase_label(world: World) -> None:
    declare(world)
    world.github.person_labels(1, "sam", "unlabeled", "incident")
    world.github.close_issue(1, "sam")
    run = world.call("sweep", "--now", at(40))
    assert run.returncode == 0, run.stdout
    assert world.github.issues[1]["state"] == "open"
    assert "incident" in world.github.label_names(1)
    assert any(c["body"].startswith("<!-- incident-response:reminder -->")
               for c in world.github.comments_on(1))


def test_a_merge_whose_run_was_cancelled_is_completed_by_the_next_run(world: World) -> None:
    declare(world)
    handle(world, comment(world, "/resolve", 10), 10.5)
    [pull] = world.github.pulls.values()
    world.github.merge(pull["number"], "sam")  # its pull_request run never happens
    run = world.call("sweep", "--now", at(60))
    assert run.returncode == 0, run.stdout
    assert state(world).phase == "completed"
    assert world.github.issues[1]["state"] == "closed"
    fields = next(iter(world.datadog.incidents.values()))["attributes"]["fields"]
    assert fields["state"]["value"] == "completed"


def test_reopening_a_completed_incident_ends_in_its_own_postmortem(world: World) -> None:
    declare(world)
    handle(world, comment(world, "/resolve", 10), 10.5)
    [first] = world.github.pulls.values()
    handle(world, world.github.merge(first["number"], "sam"), 20, event_name="pull_request")
    assert state(world).phase == "completed"
    handle(world, world.github.reopen_issue(1, "sam"), 30, event_name="issues")
    assert state(world).phase == "active"
    assert world.github.issues[1]["state"] == "open"
    handle(world, comment(world, "/resolve", 40), 40.5)
    pulls = sorted(world.github.pulls.values(), key=lambda p: p["number"])
    assert len(pulls) == 2 and pulls[1]["state"] == "open"
    assert "recurrence 2" in pulls[1]["title"]
    handle(world, world.github.merge(pulls[1]["number"], "sam"), 50, event_name="pull_request")
    record = state(world)
    assert record.phase == "completed" and record.cycle == 2
    assert world.github.issues[1]["state"] == "closed"
    files = world.github.branches[world.github.default_branch]["files"]
    assert len([p for p in files if p.startswith("postmortems/")]) == 2


def test_an_invalid_edit_keeps_reminders_going_without_a_burst(world: World) -> None:
    declare(world)
    issue = world.github.issues[1]
    good = issue["body"]
    issue["body"] = good.replace("2,500", "heaps")
    assert world.call("sweep", "--now", at(31)).returncode == 0
    [status] = status_comments(world)
    assert "The form needs fixing" in status["body"]
    reminders = [c for c in world.github.comments_on(1)
                 if c["body"].startswith("<!-- incident-response:reminder -->")]
    assert len(reminders) == 1
    issue["body"] = good
    assert world.call("sweep", "--now", at(95)).returncode == 0
    reminders = [c for c in world.github.comments_on(1)
                 if c["body"].startswith("<!-- incident-response:reminder -->")]
    assert len(reminders) == 2  # one catch-up, never a burst


def test_an_edited_command_is_not_applied_again_and_says_so(world: World) -> None:
    declare(world)
    payload = comment(world, "/severity SEV-3", 5)
    handle(world, payload, 5.5)
    world.github.edit_comment(payload["comment"]["id"], "/severity SEV-1", at(7))
    run = world.call("sweep", "--now", at(8))
    assert run.returncode == 0, run.stdout
    assert state(world).severity == "SEV-3"
    answers = [c["body"] for c in world.github.comments_on(1) if c["user"]["login"] == BOT
               and "Edits are not applied again" in c["body"]]
    assert len(answers) == 1
    world.call("sweep", "--now", at(9))
    assert len([c for c in world.github.comments_on(1)
                if "Edits are not applied again" in c["body"]]) == 1


def test_the_status_marker_is_the_first_line(world: World) -> None:
    declare(world)
    [status] = status_comments(world)
    assert status["body"].startswith(STATUS_MARKER)


def test_a_post_waiting_for_its_thread_is_not_held_back_as_in_flight(world: World) -> None:
    world.slack.inject("chat_postMessage", *[Fault(500) for _ in range(100)])
    payload = opened(world)
    world.github.permissions["sam"] = "write"
    world.call("handle", "--now", at(0), payload=payload)
    assert announcements(world) == 0  # Slack was down: nothing announced, nothing lost
    handle(world, comment(world, "/update Still failing over", 2), 2.5)
    assert not any("Still failing over" in m["text"] for m in world.slack.messages)
    assert "slack:update" not in " ".join(state(world).claimed)  # waited, never sent
    world.slack.faults.clear()
    run = world.call("sweep", "--now", at(5))  # Slack is back, five minutes later
    assert run.returncode == 0, run.stdout
    assert announcements(world) == 1
    assert sum("Still failing over" in t for t in thread_texts(world)) == 1
