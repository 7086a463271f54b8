"""Errors sorted into transient and permanent, end to end (issue 16, parts 1 and 2).

A permanent refusal is told once, with what to fix and when it is tried again, and that text
stays true: a refused credential is named in one line and tried by every run (fixing the secret
is enough, and the next good run completes what was left without duplicates); a deleted
Datadog incident is declared again once, and when its replacement is deleted too the product
says it no longer mirrors the incident and how to resume (`/retry`).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from typing import Any

import pytest

from incident_response.core.record.block import parse_state
from incident_response.core.record.state import IncidentState
from tests.conftest import Run, World
from tests.fakes.pagerduty_rest import FakePagerDutyRest
from tests.fakes.server import Fault
from tests.support import (
    at,
    command,
    comment,
    declare,
    handle,
    opened,
    resolved_p1,
    status_comments,
)


def status(world: World) -> str:
    [comment_] = status_comments(world)
    return str(comment_["body"])


def state(world: World) -> IncidentState:
    found = parse_state(status(world))
    assert found is not None
    return found


def one_line_naming(run: Run, secret: str) -> list[str]:
    """The run's own lines (`incident-response: ...`) that name the secret, each one line,
    never a traceback; its `::error` annotations name it too."""
    assert "Traceback" not in run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert any(line.startswith("::error ") and secret in line for line in lines)
    return [line for line in lines if line.startswith("incident-response:") and secret in line]


def incidents(world: World) -> list[dict[str, Any]]:
    return sorted(world.datadog.incidents.values(), key=lambda i: i["attributes"]["public_id"])


# -- a Datadog incident deleted by hand ---------------------------------------------------------

def test_a_deleted_datadog_incident_is_declared_again_once_then_no_longer_mirrored(
        world: World) -> None:
    declare(world)
    command(world, "/followup Alert on SSOe error rate sooner @lee", 3, login="sam")
    [first] = incidents(world)
    world.datadog.delete_incident(first["id"])

    # The update answers 404: the record forgets the deleted incident, and says what follows.
    run = handle(world, comment(world, "/severity SEV-1", 5), 5.5)
    assert run.returncode == 1
    assert ("Updating the Datadog incident failed with HTTP 404: Not Found: **Datadog: "
            "incident IR-338014 was deleted** in Datadog; it is declared again, once, by the "
            "next run.") in run.summary
    shown = status(world)
    assert ("**Datadog: incident IR-338014 was deleted** in Datadog; it is declared again, "
            "once, by the next run.") in shown
    assert "retried on the next run" not in shown
    assert state(world).failures == {}

    # The next run (here the sweep) declares it again, once, with every follow-up as a todo.
    swept = world.sweep("--now", at(10))
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert len(world.datadog.calls("CreateIncident")) == 2
    [second] = incidents(world)
    assert second["attributes"]["fields"]["severity"]["value"] == "SEV-1"
    assert [t["attributes"]["content"] for t in world.datadog.todos[second["id"]]] == [
        "Alert on SSOe error rate sooner (owner: @lee)"]
    replaced = (f"Datadog: incident [IR-338015]({world.datadog.url}/incidents/338015) "
                "declared, replacing IR-338014 (deleted in Datadog)")
    assert replaced in status(world)
    assert world.sweep("--now", at(12)).returncode == 0
    assert len(world.datadog.calls("CreateIncident")) == 2  # once, not once a run

    # The replacement deleted too: no longer mirrored, and nothing more is sent to Datadog.
    world.datadog.delete_incident(second["id"])
    run = handle(world, comment(world, "/mitigate", 15), 15.5)
    assert run.returncode == 1
    shown = status(world)
    assert ("**Datadog no longer mirrors this incident**: IR-338015, declared to replace the "
            "deleted IR-338014, was deleted too. To declare it there again, type `/retry`."
            ) in shown
    asked = len(world.datadog.requests)
    command(world, "/update Still watching the error rate", 20, login="sam")
    command(world, "/followup Document the rollback", 21, login="sam")
    assert world.sweep("--now", at(60)).returncode == 0
    assert len(world.datadog.requests) == asked
    assert "no longer mirrors this incident" in status(world)  # until someone acts

    # The fix: `/retry` declares it once more, stable as it now is, with both follow-ups.
    command(world, "/retry", 62, login="sam")
    assert len(world.datadog.calls("CreateIncident")) == 3
    [third] = incidents(world)
    assert third["attributes"]["fields"]["state"]["value"] == "stable"
    assert len(world.datadog.todos[third["id"]]) == 2
    shown = status(world)
    assert "declared, replacing IR-338015 (deleted in Datadog)" in shown
    assert "no longer mirrors" not in shown
    assert world.violations() == []


def test_a_datadog_incident_deleted_before_the_postmortem_is_attached_is_declared_again(
        world: World) -> None:
    """The 404 can come last, when the post-mortem is attached to the completed incident,
    which no sweep watches: the status comment says the next run of the incident declares it
    again, and `/retry` is that run (declared completed, as it is, the post-mortem attached)."""
    resolved_p1(world)
    [first] = incidents(world)
    world.datadog.delete_incident(first["id"])
    [number] = world.github.pulls
    run = world.handle(world.github.merge(number, "sam"), "pull_request", "--now", at(60))
    assert run.returncode == 1
    assert ("it is declared again, once, by the next run of this incident: type `/retry` to "
            "start one.") in status(world)

    command(world, "/retry", 70, login="sam")
    [second] = incidents(world)
    assert second["attributes"]["fields"]["state"]["value"] == "completed"
    assert len(world.datadog.attachments[second["id"]]) == 1
    assert "declared, replacing IR-338014 (deleted in Datadog)" in status(world)
    assert world.violations() == []


# -- refused credentials --------------------------------------------------------------------

def test_a_refused_github_token_is_one_line_and_the_next_good_run_completes(
        world: World) -> None:
    payload = opened(world)
    run = world.call("handle", "--now", at(0), payload=payload, GITHUB_TOKEN="ghs_revoked")
    assert run.returncode == 1
    [line] = one_line_naming(run, "GITHUB_TOKEN")
    assert line.startswith("incident-response: GitHub: Reading the issue failed with HTTP 401: "
                           "Bad credentials. GitHub refused GITHUB_TOKEN: check the token")
    assert "`github-token` input" in line and "`permissions:`" in line
    assert "ghs_revoked" not in run.stdout + run.stderr + run.summary
    assert world.outside_requests() == 0  # nothing decided, so nothing sent

    good = world.call("handle", "--now", at(1), payload=payload)
    assert good.returncode == 0, good.stdout
    assert len(world.pagerduty.requests) == 1
    assert len(world.datadog.calls("CreateIncident")) == 1
    assert len(status_comments(world)) == 1


def test_a_github_token_refused_mid_run_is_named_and_nothing_is_sent_twice(
        world: World) -> None:
    """The record's last write refused (the token revoked while the run worked): one line,
    exit 1; the next run finds what went out by its claims and sends nothing again."""
    world.github.inject("issues/update-comment", Fault(
        status=401, body={"message": "Bad credentials",
                          "documentation_url": "https://docs.github.com/rest"}))
    run = world.call("handle", "--now", at(0), payload=opened(world))
    assert run.returncode == 1
    lines = one_line_naming(run, "GITHUB_TOKEN")
    assert lines and all("GitHub refused GITHUB_TOKEN" in line for line in lines)
    sent = (len(world.pagerduty.requests), len(world.datadog.calls("CreateIncident")),
            len(world.slack.calls("chat.postMessage")))

    assert world.sweep("--now", at(10)).returncode == 0
    assert (len(world.pagerduty.requests), len(world.datadog.calls("CreateIncident")),
            len(world.slack.calls("chat.postMessage"))) == sent
    assert state(world).failures == {}
    assert world.violations() == []


def test_the_sweep_listing_refused_names_the_token(world: World) -> None:
    declare(world)
    run = world.sweep("--list-due", "--now", at(30), GITHUB_TOKEN="ghs_revoked")
    assert run.returncode == 1
    [line] = one_line_naming(run, "GITHUB_TOKEN")
    assert "Bad credentials. GitHub refused GITHUB_TOKEN" in line


def test_refused_datadog_keys_are_named_once_and_fixing_them_is_enough(world: World) -> None:
    world.datadog.refused_keys.add("dd-app-key-secret")
    run = world.call("handle", "--now", at(0), payload=opened(world))
    assert run.returncode == 1
    [line] = one_line_naming(run, "DD_API_KEY")
    assert line == ("incident-response: Datadog incident: Datadog: Declaring the Datadog "
                    "incident failed with HTTP 403: Forbidden. Datadog refused DD_API_KEY or "
                    "DD_APP_KEY: check both secrets and DD_SITE (a key works only on its own "
                    "site, e.g. datadoghq.eu); a scoped application key needs incident_read "
                    "and incident_write")
    assert "dd-app-key-secret" not in run.stdout + run.summary + status(world)
    assert "Every run tries it again, so fixing the secret is enough." in status(world)
    # Slack and the page went out regardless; Datadog was asked once.
    assert len(world.datadog.requests) == 1
    assert len(world.pagerduty.requests) == 1

    # Still refused: every run tries Datadog again, once (a look-up, since an earlier attempt
    # may have declared it), and says so in one line.
    again = handle(world, comment(world, "/update Still failing over", 5), 5.5)
    assert again.returncode == 1
    [line] = one_line_naming(again, "DD_API_KEY")
    assert "Searching Datadog incidents failed with HTTP 403" in line
    assert len(world.datadog.requests) == 2

    world.datadog.refused_keys.clear()
    swept = world.sweep("--now", at(10))
    assert swept.returncode == 0, swept.stdout
    assert len(world.datadog.incidents) == 1  # looked up first, then declared once
    assert "refused" not in status(world)
    assert "Datadog incident: repaired" in status(world)
    assert world.violations() == []


def test_a_refused_routing_key_is_named_and_the_fixed_key_pages_once(world: World) -> None:
    wrong = "0123456789abcdef0123456789abcdef"
    payload = opened(world)
    run = world.call("handle", "--now", at(0), payload=payload, PAGERDUTY_ROUTING_KEY=wrong)
    assert run.returncode == 1
    [line] = one_line_naming(run, "PAGERDUTY_ROUTING_KEY")
    assert "HTTP 400: Invalid routing key. PagerDuty refused PAGERDUTY_ROUTING_KEY" in line
    assert wrong not in run.stdout + run.summary + status(world)
    assert world.pagerduty.alerts == {}

    swept = world.sweep("--now", at(5))
    assert swept.returncode == 0, swept.stdout
    assert list(world.pagerduty.alerts) == ["Codertocat/Hello-World#1"]
    assert world.sweep("--now", at(10)).returncode == 0
    assert len([r for r in world.pagerduty.requests if r.json()["event_action"] == "trigger"
                and r.json()["routing_key"] != wrong]) == 1


@pytest.fixture
def pagerduty_rest(server_tls: ssl.SSLContext) -> Iterator[FakePagerDutyRest]:
    fake = FakePagerDutyRest(server_tls)
    yield fake
    assert fake.violations == []
    fake.stop()


def test_a_refused_api_token_fails_the_run_in_one_line(
        world: World, pagerduty_rest: FakePagerDutyRest) -> None:
    """The acknowledgement is read while the incident loads, not as an effect: a refused
    PAGERDUTY_API_TOKEN still ends the run with its line and exit 1, and the rest is done."""
    declare(world)
    pagerduty_rest.trigger("Codertocat/Hello-World#1", at=at(0.5))
    wrong = {"PAGERDUTY_API_TOKEN": "not-a-key", "PAGERDUTY_API_URL": pagerduty_rest.url}
    run = world.call("handle", "--now", at(5.5), payload=comment(world, "/update Rolling back", 5),
                     event_name="issue_comment", **wrong)
    assert run.returncode == 1
    [line] = one_line_naming(run, "PAGERDUTY_API_TOKEN")
    assert line.startswith("incident-response: PagerDuty: finding the incident of the page "
                           "failed with HTTP 401. PagerDuty refused PAGERDUTY_API_TOKEN")
    assert "not-a-key" not in run.stdout + run.summary + status(world)
    assert "PagerDuty refused PAGERDUTY_API_TOKEN" in status(world)
    assert any("Rolling back" in m["text"] for m in world.slack.messages)  # the rest went out

    pagerduty_rest.acknowledge("Codertocat/Hello-World#1", "Nora On-call", at=at(3))
    good = {"PAGERDUTY_API_TOKEN": pagerduty_rest.token, "PAGERDUTY_API_URL": pagerduty_rest.url}
    swept = world.sweep("--now", at(10), **good)
    assert swept.returncode == 0, swept.stdout
    assert state(world).acknowledged_by == "Nora On-call"
    assert "PAGERDUTY_API_TOKEN" not in status(world)


def test_a_revoked_slack_token_is_named_once_a_run_and_the_new_token_announces_once(
        world: World) -> None:
    """Slack answers a dead token with `token_revoked` (HTTP 200, `ok: false`): the run says
    so in one line naming SLACK_BOT_TOKEN, pages and declares regardless, and the next run
    with a new token announces once."""
    world.slack.revoke_token()
    run = world.call("handle", "--now", at(0), payload=opened(world))
    assert run.returncode == 1
    lines = one_line_naming(run, "SLACK_BOT_TOKEN")
    assert lines and all("token_revoked" in line for line in lines)
    assert "reinstall the app" in lines[0]
    assert "Every run tries it again, so fixing the secret is enough." in status(world)
    assert world.slack.messages == []
    assert list(world.pagerduty.alerts) == ["Codertocat/Hello-World#1"]
    assert len(world.datadog.incidents) == 1

    world.slack.token_error = None  # a new bot token put in the secret
    swept = world.sweep("--now", at(10))
    assert swept.returncode == 0, swept.stdout
    assert world.sweep("--now", at(20)).returncode == 0
    top = [m for m in world.slack.in_channel("#identity-support") if "thread_ts" not in m]
    assert len(top) == 1, top
    assert "refused" not in status(world)
    assert world.violations() == []
