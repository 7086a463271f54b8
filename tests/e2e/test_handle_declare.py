"""`handle` end to end: a real subprocess, real clients, loopback fakes that check each request."""

from __future__ import annotations

import json
from pathlib import Path

from incident_response.core.record.block import parse_state
from tests.conftest import SECRETS, World, example_event
from tests.fakes.server import Fault
from tests.support import opened, status_comments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"


def test_p1_is_labelled_recorded_declared_announced_and_paged(world: World) -> None:
    run = world.handle(opened(world), isolated=True)  # as GitHub Actions runs it

    assert run.returncode == 0, run.stdout + run.stderr
    assert world.violations() == []
    assert world.github.label_names(1) == ["incident", "phase:active", "priority:P1",
                                           "severity:SEV-2"]
    styled = world.github.labels["priority:P1"]
    assert styled["color"] == "b60205"
    assert styled["description"] == "Incident priority P1"
    assert len(world.github.calls("issues/update-label")) == 3  # the three new labels, once
    [status] = status_comments(world)
    assert "P1 incident" in status["body"]
    assert "matrix cell (tier 1" in status["body"]
    state = parse_state(status["body"])
    assert state is not None
    assert state.phase == "active"
    assert state.mirror_id

    [incident] = world.datadog.incidents.values()
    attributes = incident["attributes"]
    assert attributes["title"] == "SSOe is experiencing degraded service"
    assert attributes["customer_impacted"] is True
    assert "https://github.com/Codertocat/Hello-World/issues/1" in attributes[
        "customer_impact_scope"]
    fields = attributes["fields"]
    assert fields["severity"]["value"] == "SEV-2"
    assert fields["state"]["value"] == "active"
    assert fields["teams"]["value"] == ["Platform Identity"]
    assert fields["services"]["value"] == ["Identity"]
    assert fields["priority"]["value"] == "P1"
    assert fields["controller"]["value"] == "v1/sessions"
    assert fields["monitor"]["value"].endswith("[89113]")
    assert attributes["notification_handles"] == [
        {"handle": "@slack-identity-support", "display_name": "#identity-support"}]
    assert incident["relationships"]["commander_user"]["data"]["id"] == (
        "654d8602-a17a-45dc-b651-ed566eb8a26b")
    assert world.datadog.calls("CreateIncident")[0].headers["dd-api-key"] == "dd-api-key-secret"

    [announcement] = world.slack.in_channel("#identity-support")
    assert announcement["metadata"]["event_payload"]["incident"] == "Codertocat/Hello-World#1"
    assert "<@U0CODERTOCAT>" in json.dumps(announcement["blocks"])
    [notice] = world.slack.in_channel("#identity-leadership")
    assert "Declared P1" in notice["text"]
    assert state.chat_thread == announcement["ts"]

    [page] = world.pagerduty.calls("createV2Event")
    event = page.json()
    assert event["event_action"] == "trigger"
    assert event["dedup_key"] == "Codertocat/Hello-World#1"
    assert event["payload"]["severity"] == "critical"
    assert any(link["href"] == "https://github.com/Codertocat/Hello-World/issues/1"
               for link in event["links"])
    # The page is sent before anything else leaves GitHub.
    assert run.outputs == {"incident-number": "1", "priority": "P1", "severity": "SEV-2",
                           "phase": "active", "postmortem-pr": ""}
    assert "PagerDuty page: done" in run.summary


def test_page_goes_out_before_datadog_and_slack(world: World) -> None:
    world.handle(opened(world))
    first_outside = min(
        (world.pagerduty.requests[0], world.datadog.requests[0], world.slack.requests[0]),
        key=(world.pagerduty.requests + world.datadog.requests
                       + world.slack.requests).index,
    )
    assert first_outside is world.pagerduty.requests[0]


def test_p3_staging_gets_record_and_announcement_but_no_declaration_or_page(world: World) -> None:
    run = world.handle(opened(world, "p3-staging-sis"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert world.github.label_names(1) == ["incident", "phase:active", "priority:P3",
                                           "severity:SEV-4"]
    assert len(status_comments(world)) == 1
    assert world.datadog.requests == []
    assert world.pagerduty.requests == []
    assert len(world.slack.in_channel("#identity-support")) == 1
    assert world.slack.in_channel("#identity-leadership") == []
    assert world.violations() == []


def test_untrusted_reporter_is_held_in_triage_with_nothing_outside_github(world: World) -> None:
    run = world.handle(opened(world, permission="read"))
    assert run.returncode == 0, run.stdout + run.stderr
    assert "phase:triage" in world.github.label_names(1)
    assert "phase:active" not in world.github.label_names(1)
    assert world.outside_requests() == 0
    bodies = [c["body"] for c in world.github.comments_on(1)]
    assert any("/declare" in body and "triage" in body for body in bodies)
    assert world.github.calls("repos/get-collaborator-permission-level")


def test_not_a_collaborator_counts_as_untrusted(world: World) -> None:
    payload = opened(world)
    del world.github.permissions["Codertocat"]  # the endpoint answers 404
    run = world.handle(payload)
    assert run.returncode == 0
    assert "phase:triage" in world.github.label_names(1)
    assert world.outside_requests() == 0


def test_the_same_event_twice_duplicates_nothing(world: World) -> None:
    payload = opened(world)
    first, second = world.handle(payload), world.handle(payload)
    assert (first.returncode, second.returncode) == (0, 0)
    assert len(status_comments(world)) == 1
    assert len(world.github.comments_on(1)) == 1
    assert len(world.datadog.incidents) == 1
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert len(world.slack.messages) == 2
    assert len(world.pagerduty.requests) == 1


def test_transient_faults_are_retried_and_done_once(world: World) -> None:
    payload = opened(world)
    world.datadog.inject("CreateIncident", Fault(status=500, body={"errors": ["boom"]}))
    world.slack.inject("chat_postMessage", Fault(
        status=429, headers={"Retry-After": "1"}, body={"ok": False, "error": "ratelimited"}))
    run = world.handle(payload)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(world.datadog.calls("CreateIncident")) == 2
    assert len(world.datadog.incidents) == 1
    assert len(world.slack.calls("chat_postMessage")) == 3  # 429, then announcement, notice
    assert len(world.slack.in_channel("#identity-support")) == 1


def test_datadog_down_for_good_does_not_stop_page_or_slack(world: World) -> None:
    payload = opened(world)
    # Every attempt of this run fails (the policy allows 3).
    world.datadog.inject("CreateIncident", *[Fault(status=503) for _ in range(3)])
    run = world.handle(payload)
    assert run.returncode == 1
    assert len(world.pagerduty.alerts) == 1
    assert len(world.slack.in_channel("#identity-support")) == 1
    assert world.datadog.incidents == {}
    [status] = status_comments(world)
    assert "Datadog incident: failed" in status["body"]
    assert "Datadog incident: **FAILED**" in run.summary
    assert "::error title=Datadog incident failed::" in run.stdout
    # The next run (an edit, or the sweep) retries it, and only it.
    run = world.handle(payload)
    assert run.returncode == 0
    assert len(world.datadog.incidents) == 1
    assert len(world.slack.messages) == 2
    assert len(world.pagerduty.requests) == 1


def test_lost_datadog_answer_is_found_again_not_created_twice(world: World) -> None:
    payload = opened(world)
    world.datadog.inject("CreateIncident", Fault(kind="lost"))
    first = world.handle(payload)
    assert first.returncode == 1  # the answer never came: we cannot know it worked
    assert len(world.datadog.incidents) == 1  # but it did
    second = world.handle(payload)
    assert second.returncode == 0
    assert len(world.datadog.incidents) == 1
    assert world.datadog.calls("SearchIncidents")
    state = parse_state(status_comments(world)[0]["body"])
    assert state is not None
    assert state.mirror_id in world.datadog.incidents


def test_lost_page_answer_is_retried_safely_by_dedup_key(world: World) -> None:
    payload = opened(world)
    world.pagerduty.inject("createV2Event", Fault(kind="lost"))
    run = world.handle(payload)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(world.pagerduty.calls("createV2Event")) == 2
    assert len(world.pagerduty.alerts) == 1


def test_slack_markup_in_the_report_stays_literal(world: World) -> None:
    body = example_event()["issue"]["body"].replace(
        "The outbound SSOe error monitor is alerting.",
        "<!channel> please look: <https://evil.example|click here> & thanks")
    world.handle(opened(world, body=body))
    [announcement] = world.slack.in_channel("#identity-support")
    text = json.dumps(announcement["blocks"])
    assert "&lt;!channel&gt;" in text
    assert "&lt;https://evil.example|click here&gt; &amp; thanks" in text
    assert "<!channel>" not in text
    assert "<https://evil" not in text


def test_missing_credentials_skip_each_integration_with_a_notice(world: World) -> None:
    run = world.handle(opened(world), DD_API_KEY=None, SLACK_BOT_TOKEN=None,
                       PAGERDUTY_ROUTING_KEY=None)
    assert run.returncode == 0
    assert world.outside_requests() == 0
    assert ("::notice title=Datadog skipped::DD_API_KEY and DD_APP_KEY are not both set"
            in run.stdout)
    [status] = status_comments(world)
    assert "PagerDuty page: skipped, PAGERDUTY_ROUTING_KEY is not set" in status["body"]


def test_a_bad_form_gets_one_comment_naming_each_field_and_triage(world: World) -> None:
    body = (example_event()["issue"]["body"]
            .replace("2,500", "lots").replace("\r\nSSOe\r\n", "\r\nWebsite\r\n"))
    run = world.handle(opened(world, body=body))
    assert run.returncode == 0
    assert world.github.label_names(1) == ["incident", "phase:triage"]
    [comment] = world.github.comments_on(1)
    assert "`lots` is not a number of users" in comment["body"]
    assert "`Website` is not one of the choices" in comment["body"]
    assert world.outside_requests() == 0


def test_secrets_never_reach_logs_summary_or_comments(world: World) -> None:
    world.datadog.inject("CreateIncident", *[Fault(status=403) for _ in range(3)])
    run = world.handle(opened(world), isolated=True)  # everything the process prints
    published = run.stdout + run.stderr + run.summary + "".join(
        c["body"] for c in world.github.comments_on(1))
    for secret in SECRETS:
        assert secret not in published


def test_dry_run_sends_nothing(world: World) -> None:
    run = world.handle(opened(world), "issues", "--dry-run")
    assert run.returncode == 0
    assert "1. PagerDuty: page on-call (P1, SEV-2)" in run.stdout
    assert world.outside_requests() == 0
    assert world.github.comments_on(1) == []


def test_an_edit_that_raises_p2_to_p1_declares_then(world: World) -> None:
    body = example_event()["issue"]["body"].replace("2,500", "500")
    payload = opened(world, body=body)
    assert world.handle(payload).returncode == 0
    assert "priority:P2" in world.github.label_names(1)
    assert world.pagerduty.requests == [] and world.datadog.requests == []

    edited = json.loads(json.dumps(payload))
    edited["action"] = "edited"
    edited["changes"] = {"body": {"from": body}}
    edited["issue"]["body"] = body.replace("500", "2,500")
    world.github.issues[1]["body"] = edited["issue"]["body"]
    run = world.handle(edited)
    assert run.returncode == 0, run.stdout + run.stderr
    assert world.github.label_names(1) == ["incident", "phase:active", "priority:P1",
                                           "severity:SEV-2"]
    assert len(world.pagerduty.alerts) == 1 and len(world.datadog.incidents) == 1
    assert len(world.slack.in_channel("#identity-support")) == 1  # announced once, at open
    assert len(world.slack.in_channel("#identity-leadership")) == 1
    assert len(status_comments(world)) == 1


def test_the_page_leaves_before_anything_is_written_or_loaded_beyond_its_reads(
        world: World) -> None:
    run = world.handle(opened(world))
    assert run.returncode == 0, run.stdout
    [page] = world.pagerduty.calls("createV2Event")
    before = [r.operation for r in world.github.requests if r.at < page.at]
    # the two reads go out at the same time (shell/first_page.py): in either order
    assert sorted(before) == ["issues/get", "repos/get-collaborator-permission-level"]
    assert all(r.at > page.at for r in world.datadog.requests + world.slack.requests)
    assert "PagerDuty page: done triggered before the incident was loaded" in run.summary


def test_a_rerun_of_an_old_report_event_does_not_page_again(world: World) -> None:
    payload = opened(world)
    world.handle(payload)
    world.github.permissions["sam"] = "write"
    world.github.person_comments(1, "sam", "/resolve")
    comment = json.loads((FIXTURES / "issue_comment.created.json").read_text())
    comment["issue"] = world.github.issues[1]
    comment["comment"] = {k: v for k, v in world.github.comments_on(1)[-1].items()
                          if k != "issue_number"}
    assert world.handle(comment, "issue_comment").returncode == 0
    assert world.handle(payload).returncode == 0  # GitHub re-runs the original event
    assert [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")] == [
        "trigger", "resolve"]
