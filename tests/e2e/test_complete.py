"""How an incident ends: post-mortem pull request, completion on merge, reopen."""

from __future__ import annotations

from typing import Any

from incident_response.core.record.block import parse_state
from tests.conftest import World, example_event
from tests.support import BRANCH, at, command, comment_event, resolved_p1, status_comments

PATH = "postmortems/2026-11-28-incident-1-ssoe-sign-in-failing-for-login-gov-users.md"


def the_pull(world: World) -> dict[str, Any]:
    [pull] = world.github.pulls.values()
    return pull


def state(world: World) -> Any:
    return parse_state(status_comments(world)[0]["body"])


def test_resolve_opens_the_postmortem_pull_request_once(world: World) -> None:
    resolved_p1(world)
    assert world.violations() == []
    pull = the_pull(world)
    assert pull["title"] == "Post-mortem: SSOe sign-in failing for Login.gov users (#1)"
    assert pull["head"]["ref"] == BRANCH and pull["base"]["ref"] == "master"
    assert pull["body"].startswith("Closes #1") and "- [ ] Root cause" in pull["body"]
    document = world.github.branches[BRANCH]["files"][PATH]
    assert document.startswith("# Post-mortem: SSOe sign-in failing for Login.gov users (#1)")
    assert "| 2026-11-28 08:03 | Deploy of the ISAM change | @Codertocat |" in document
    # The command is quoted as text: a word joiner after `@` keeps GitHub from notifying @sam
    # on every change to the pull request.
    assert "| 2026-11-28 08:13 | /ic @\u2060sam | @Codertocat |" in document
    assert "| /mitigate |" not in document  # shown once, as the Mitigated milestone
    assert "```mermaid\ngantt" in document
    assert "Alert on SSOe error rate sooner (owner: @lee)" in document
    assert "| **Time to resolve** | 46 min |" in document
    recorded = state(world)
    assert recorded.postmortem_pr == pull["number"] and recorded.postmortem_path == PATH

    # Re-running the same event opens nothing new.
    command(world, "/help", 41, login="sam")
    assert len(world.github.pulls) == 1
    assert len(world.github.calls("git/create-ref")) == 1
    assert len(world.github.calls("pulls/create")) == 1
    assert len(world.github.branches[BRANCH]["commits"]) == 1


def test_the_postmortem_is_updated_while_only_the_bot_has_committed(world: World) -> None:
    resolved_p1(world)
    command(world, "/followup Rotate the ISAM certificate @kim", 45, login="sam")
    document = world.github.branches[BRANCH]["files"][PATH]
    assert "Rotate the ISAM certificate (owner: @kim)" in document
    assert len(world.github.branches[BRANCH]["commits"]) == 2
    assert len(world.github.pulls) == 1

    world.github.commit(BRANCH, PATH, "# Post-mortem\n\nRoot cause: written by a person.", "sam")
    run = world.handle(comment_event(world, "sam", "/followup One more thing", 50),
                       "issue_comment", "--now", at(51))
    assert run.returncode == 0, run.stdout + run.stderr
    assert world.github.branches[BRANCH]["files"][PATH].endswith("written by a person.")
    assert "someone else has committed to postmortem/incident-1" in run.summary
    assert len(world.github.pulls) == 1


def test_merging_the_postmortem_completes_the_incident(world: World) -> None:
    resolved_p1(world)
    payload = world.github.merge(the_pull(world)["number"], "sam")
    run = world.handle(payload, "pull_request", "--now", at(60))
    assert run.returncode == 0, run.stdout + run.stderr
    assert world.violations() == []

    issue = world.github.issues[1]
    assert issue["state"] == "closed"
    assert "phase:completed" in world.github.label_names(1)
    [incident] = world.datadog.incidents.values()
    assert incident["attributes"]["fields"]["state"]["value"] == "completed"
    [attachment] = world.datadog.attachments[incident["id"]]
    assert attachment["attributes"]["attachment_type"] == "postmortem"
    assert attachment["attributes"]["attachment"]["documentUrl"] == (
        f"https://github.com/Codertocat/Hello-World/blob/master/{PATH}")
    leadership = world.slack.in_channel("#identity-leadership")
    assert len(leadership) == 2 and "Completed" in leadership[-1]["text"]
    followups = [i for n, i in world.github.issues.items() if n != 1]
    assert sorted(i["title"] for i in followups) == [
        "Follow-up of incident #1: Alert on SSOe error rate sooner",
        "Follow-up of incident #1: Document rollback"]
    assert all("Codertocat/Hello-World#1" in i["body"] for i in followups)

    # Report to completion, each outside effect exactly once.
    assert [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")] == [
        "trigger", "resolve"]
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert len(world.datadog.calls("CreateIncidentTodo")) == 2
    assert len(world.datadog.calls("CreateIncidentAttachment")) == 1
    # The announcement, then in its thread: /ic, /update, /mitigate and /resolve.
    assert len(world.slack.in_channel("#identity-support")) == 1 + 4
    assert len(world.github.calls("pulls/create")) == 1
    assert len(world.github.calls("git/create-ref")) == 1
    assert sum("incident-response:recovery-checklist" in c["body"]
               for c in world.github.comments_on(1)) == 1
    assert world.violations() == []

    again = world.handle(payload, "pull_request", "--now", at(61))
    assert again.returncode == 0
    assert len(world.github.issues) == 3
    assert len(world.datadog.attachments[incident["id"]]) == 1
    assert len(world.slack.in_channel("#identity-leadership")) == 2


def test_a_postmortem_closed_without_merge_only_gets_a_note(world: World) -> None:
    resolved_p1(world)
    before = len(world.datadog.requests), len(world.slack.messages)
    payload = world.github.close_unmerged(the_pull(world)["number"], "sam")
    assert world.handle(payload, "pull_request", "--now", at(60)).returncode == 0
    assert (len(world.datadog.requests), len(world.slack.messages)) == before
    assert "phase:resolved" in world.github.label_names(1)
    assert world.github.issues[1]["state"] == "open"
    assert "closed without merging" in world.github.comments_on(1)[-1]["body"]


def test_a_merge_before_resolution_is_refused(world: World) -> None:
    resolved_p1(world)
    reopen = example_event()
    reopen["action"] = "reopened"
    command(world, "/update Errors are back", 45, login="sam")
    world.github.person_labels(1, "sam", "labeled", "phase:active")
    labelled = example_event()
    labelled["action"] = "labeled"
    labelled["issue"] = world.github.issues[1]
    # resolved -> active by label is not a move the lifecycle allows; the reopen is.
    world.github.issues[1]["state"] = "closed"
    assert world.handle(labelled, "issues", "--now", at(46)).returncode == 0
    world.github.issues[1]["state"] = "open"
    reopen["issue"] = world.github.issues[1]
    assert world.handle(reopen, "issues", "--now", at(47)).returncode == 0
    assert "phase:active" in world.github.label_names(1)

    payload = world.github.merge(the_pull(world)["number"], "sam")
    assert world.github.issues[1]["state"] == "closed"  # GitHub acted on "Closes #1"
    assert world.handle(payload, "pull_request", "--now", at(50)).returncode == 0
    assert "phase:active" in world.github.label_names(1)
    assert world.github.issues[1]["state"] == "open"
    assert "was merged while the incident is active" in " ".join(
        c["body"] for c in world.github.comments_on(1))
    assert next(iter(world.datadog.incidents.values()))["attributes"]["fields"]["state"][
        "value"] == "active"


def test_reopening_after_resolution_makes_it_active_again(world: World) -> None:
    resolved_p1(world)
    world.github.issues[1]["state"] = "closed"
    payload = example_event()
    payload["action"] = "reopened"
    world.github.issues[1]["state"] = "open"
    payload["issue"] = world.github.issues[1]
    run = world.handle(payload, "issues", "--now", at(70))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "phase:active" in world.github.label_names(1)
    actions = [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")]
    assert actions == ["trigger", "resolve", "trigger"]
    assert world.pagerduty.calls("createV2Event")[-1].json()["dedup_key"] == (
        "Codertocat/Hello-World#1")
    [incident] = world.datadog.incidents.values()
    assert incident["attributes"]["fields"]["state"]["value"] == "active"
    assert "reopened after it was resolved" in world.github.comments_on(1)[-1]["body"]
