"""Managing an open incident end to end: comment commands, label edits and the sweep."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from incident_response.core.record.block import parse_state
from tests.conftest import World, example_event
from tests.fakes.server import Fault
from tests.support import at, command, comment_event, opened, status_comments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
T0 = datetime(2026, 11, 28, 8, 11, tzinfo=UTC)


def sweep(world: World, minutes: float) -> Any:
    return world.sweep("--now", at(minutes))


def declared_p1(world: World) -> None:
    run = world.handle(opened(world), "issues", "--now", at(0))
    assert run.returncode == 0, run.stdout + run.stderr
    world.github.permissions["sam"] = "write"


def thread(world: World) -> list[dict[str, Any]]:
    announcement = world.slack.in_channel("#identity-support")[0]
    return [m for m in world.slack.messages if m.get("thread_ts") == announcement["ts"]]


def test_a_whole_managed_incident_mirrors_each_step_once(world: World) -> None:
    declared_p1(world)
    command(world, "/ic @sam", 2)
    command(world, "/update Rolled back the ISAM change", 10)
    command(world, "/update Error rate back under 1%", 20, login="sam")
    command(world, "/severity SEV-1", 25, login="sam")
    command(world, "/mitigate", 30, login="sam")
    command(world, "/resolve", 40, login="sam")
    assert world.violations() == []

    assert world.github.label_names(1) == ["incident", "phase:resolved", "priority:P1",
                                           "severity:SEV-1"]
    assert [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")] == [
        "trigger", "resolve"]
    assert world.pagerduty.alerts["Codertocat/Hello-World#1"]["status"] == "resolved"

    [incident] = world.datadog.incidents.values()
    assert len(world.datadog.calls("CreateIncident")) == 1
    patches = [c.json()["data"] for c in world.datadog.calls("UpdateIncident")]
    assert len(patches) == 6  # ic, update, update, severity, mitigate, resolve: once each
    fields = incident["attributes"]["fields"]
    assert fields["state"]["value"] == "resolved" and fields["severity"]["value"] == "SEV-1"
    assert "Error rate back under 1%" in fields["summary"]["value"]
    assert incident["attributes"]["customer_impact_end"].startswith("2026-11-28T08:51")

    texts = [m["text"] for m in thread(world)]
    assert len(texts) == 6
    assert "Incident commander is now @sam" in texts[0]
    assert "Rolled back the ISAM change" in texts[1] and "Error rate back" in texts[2]
    assert "Severity SEV-2 \u2192 SEV-1" in texts[3]
    assert "Mitigated" in texts[4]
    resolved = thread(world)[5]
    assert resolved["text"].startswith("Resolved by @sam") and resolved["reply_broadcast"] is True
    assert len(world.slack.in_channel("#identity-leadership")) == 1

    bodies = [c["body"] for c in world.github.comments_on(1)
              if c["user"]["login"] == "github-actions[bot]"]
    assert sum("incident-response:recovery-checklist" in b for b in bodies) == 1
    assert sum("incident-response:status" in b for b in bodies) == 1
    human = [c for c in world.github.comments_on(1) if c["user"]["login"] != "github-actions[bot]"]
    assert all(world.github.reactions.get(c["id"]) == ["+1"] for c in human)
    state = parse_state(status_comments(world)[0]["body"])
    assert state is not None and state.commander == "sam" and len(state.updates) == 2


def test_a_p2_raised_to_p1_is_declared_then(world: World) -> None:
    body = example_event()["issue"]["body"].replace("2,500", "500")
    assert world.handle(opened(world, body=body), "issues", "--now", at(0)).returncode == 0
    assert world.pagerduty.requests == [] and world.datadog.requests == []
    command(world, "/priority P1", 5)
    assert len(world.pagerduty.alerts) == 1 and len(world.datadog.incidents) == 1
    assert len(world.slack.in_channel("#identity-leadership")) == 1
    assert any("Priority P2 \u2192 P1" in m["text"] and "declared" in m["text"]
               for m in thread(world))


def test_a_command_from_someone_without_permission_is_refused(world: World) -> None:
    declared_p1(world)
    world.github.permissions["eve"] = "read"
    command(world, "/resolve", 5, login="eve")
    assert "phase:active" in world.github.label_names(1)
    assert world.pagerduty.calls("createV2Event")[-1].json()["event_action"] == "trigger"
    reply = world.github.comments_on(1)[-1]
    assert reply["user"]["login"] == "github-actions[bot]"
    assert "@eve, `/resolve` needs write permission" in reply["body"]


def test_label_edits_are_honoured_or_reverted(world: World) -> None:
    declared_p1(world)
    world.github.person_labels(1, "sam", "labeled", "phase:stable")
    payload = example_event()
    payload["action"] = "labeled"
    payload["issue"] = world.github.issues[1]
    assert world.handle(payload, "issues", "--now", at(5)).returncode == 0
    assert "phase:stable" in world.github.label_names(1)
    assert "phase:active" not in world.github.label_names(1)
    assert world.datadog.incidents and next(iter(world.datadog.incidents.values()))[
        "attributes"]["fields"]["state"]["value"] == "stable"

    world.github.person_labels(1, "sam", "labeled", "phase:completed")
    assert world.handle(payload, "issues", "--now", at(6)).returncode == 0
    assert "phase:completed" not in world.github.label_names(1)
    assert "cannot go from stable to completed" in world.github.comments_on(1)[-1]["body"]


def test_reminders_at_29_31_61_and_one_catch_up_after_three_hours(world: World) -> None:
    declared_p1(world)

    def reminders() -> list[dict[str, Any]]:
        return [c for c in world.github.comments_on(1)
                if c["body"].startswith("<!-- incident-response:reminder -->")]

    assert sweep(world, 29).returncode == 0 and reminders() == []
    assert sweep(world, 31).returncode == 0 and len(reminders()) == 1
    assert "@Codertocat" in reminders()[0]["body"]
    writes = len(world.github.requests)
    assert sweep(world, 31).returncode == 0 and len(reminders()) == 1  # same sweep again
    assert all(r.method == "GET" for r in world.github.requests[writes:])
    assert sweep(world, 61).returncode == 0 and len(reminders()) == 2
    assert sweep(world, 241).returncode == 0 and len(reminders()) == 3  # one catch-up
    assert sweep(world, 241).returncode == 0 and len(reminders()) == 3
    # Two unanswered: the commander was mentioned in the thread; then leadership was told.
    assert any("no update for 61 minutes" in m["text"] for m in thread(world))
    assert any("went unanswered" in m["text"]
               for m in world.slack.in_channel("#identity-leadership"))


def test_slack_failing_during_an_update_is_retried_by_the_next_sweep(world: World) -> None:
    declared_p1(world)
    world.slack.inject("chat_postMessage", *[Fault(status=503) for _ in range(3)])
    run = world.handle(comment_event(world, "Codertocat", "/update Still investigating", 5),
                       "issue_comment", "--now", at(6))
    assert run.returncode == 1
    assert "Still investigating" in status_comments(world)[0]["body"]
    assert not any("Still investigating" in m["text"] for m in world.slack.messages)
    assert sweep(world, 10).returncode == 0
    assert sum("Still investigating" in m["text"] for m in thread(world)) == 1
    assert sweep(world, 11).returncode == 0
    assert sum("Still investigating" in m["text"] for m in thread(world)) == 1


def test_sweep_repairs_a_missing_datadog_incident(world: World) -> None:
    world.datadog.inject("CreateIncident", *[Fault(status=503) for _ in range(3)])
    assert world.handle(opened(world), "issues", "--now", at(0)).returncode == 1
    assert world.datadog.incidents == {}
    run = sweep(world, 5)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(world.datadog.incidents) == 1
    assert "Datadog incident" in run.summary
    body = status_comments(world)[0]["body"]
    assert "failed" not in body
    assert "Datadog incident: repaired 2026-11-28 08:16 UTC, after an earlier failure" in body
