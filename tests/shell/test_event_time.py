"""When an event happened, read from GitHub's own payloads (tests/fixtures/github: real ones),
and what the run's environment says of the run (its attempt, whether Actions runs it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_response.core.rules.lateness import EventTime
from incident_response.shell.context import RunContext
from incident_response.shell.events import Event, event_time

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "github"
NOW = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _event(name: str, fixture: str) -> Event:
    return Event(name, json.loads((FIXTURES / fixture).read_text()), "Codertocat/Hello-World")


def _at(text: str) -> datetime:
    return datetime.fromisoformat(text)


@pytest.mark.parametrize(("name", "fixture", "at", "what"), [
    ("issues", "issues.opened.json", "2019-05-15T15:20:18Z", "the report was opened"),
    ("issues", "issues.edited.json", "2019-05-15T15:20:18Z", "the report was edited"),
    ("issues", "issues.labeled.json", "2019-05-15T15:20:18Z", "a label was added"),
    ("issues", "issues.unlabeled.json", "2019-05-15T15:20:26Z", "a label was removed"),
    # closed 13:54:56 after being opened at 13:24:15: its `updated_at` is the close
    ("issues", "issues.closed.json", "2022-07-08T13:54:56Z", "the issue was closed"),
    # reopened months after it was closed (`closed_at` 2021-07-05): `updated_at` is the reopen
    ("issues", "issues.reopened.json", "2021-10-11T16:40:56Z", "the issue was reopened"),
    ("issue_comment", "issue_comment.created.json", "2019-05-15T15:20:21Z",
     "the comment was written"),
    ("issue_comment", "issue_comment.edited.json", "2019-05-15T15:20:22Z",
     "the comment was edited"),
    ("pull_request", "pull_request.closed.merged.json", "2020-03-23T06:46:56Z",
     "the post-mortem pull request was merged"),
    ("pull_request", "pull_request.closed.not-merged.json", "2019-05-15T15:21:18Z",
     "the post-mortem pull request was closed"),
])
def test_the_event_is_dated_by_its_own_payload(name: str, fixture: str, at: str,
                                               what: str) -> None:
    assert event_time(_event(name, fixture)) == EventTime(_at(at), what)


@pytest.mark.parametrize(("name", "fixture"), [
    ("schedule", "schedule.json"),  # the cron expression only: no time it was due
    ("workflow_dispatch", "workflow_dispatch.json"),  # a person asking now
])
def test_a_schedule_or_a_dispatch_has_no_event_time(name: str, fixture: str) -> None:
    assert event_time(_event(name, fixture)) is None


def test_a_payload_without_its_time_is_not_dated() -> None:
    assert event_time(Event("issues", {"action": "opened", "issue": {}}, "o/r")) is None
    assert event_time(Event("issues", {"action": "opened",
                                       "issue": {"created_at": "yesterday"}}, "o/r")) is None


def test_the_runs_attempt_and_whether_actions_runs_it_come_from_the_environment() -> None:
    in_actions = RunContext.from_environment(
        {"GITHUB_ACTIONS": "true", "GITHUB_RUN_ATTEMPT": "3"}, NOW)
    by_hand = RunContext.from_environment({}, NOW)

    assert (in_actions.in_actions, in_actions.run_attempt) == (True, 3)
    assert (by_hand.in_actions, by_hand.run_attempt) == (False, 1)
    assert RunContext.from_environment({"GITHUB_RUN_ATTEMPT": "x"}, NOW).run_attempt == 1
