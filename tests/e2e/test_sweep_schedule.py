"""The frequent sweep runs only while something needs it, and reads what changed.

The frequent sweep (sweep.yml) is enabled by the run that makes an incident live and by the
daily sweep's watchdog, and disabled by the sweep that finds nothing live; its listing reads
the repository's comments in one list instead of one request per incident. Every run here is
the real program against the loopback GitHub, whose workflows start `active`.
"""

from __future__ import annotations

import math
from typing import Any

from incident_response.core.record.block import STATUS_MARKER
from tests.conftest import World, example_event
from tests.support import (
    BOT,
    at,
    comment,
    declare,
    declared_incidents,
    handle,
    record,
    status_comments,
)

FREQUENT, DAILY = "sweep.yml", "sweep-daily.yml"


def state_of(world: World, name: str) -> str:
    return str(world.github.workflows[name]["state"])


def find(world: World, minutes: float, *args: str, **env: str | None) -> Any:
    run = world.sweep("--list-due", "--schedule", "frequent", "--now", at(minutes), *args,
                      **env)
    assert run.returncode == 0, run.stdout + run.stderr
    return run


def keep(world: World, minutes: float, **env: str | None) -> Any:
    return world.sweep("--keep-schedule", "--now", at(minutes), **env)


def resolve(world: World, minutes: float) -> None:
    run = handle(world, comment(world, "/resolve", minutes), minutes + 0.5)
    assert run.returncode == 0, run.stdout + run.stderr


# -- on while live, off when nothing is ---------------------------------------------------------

def test_a_declaration_wakes_both_sweeps_and_later_runs_leave_them_be(world: World) -> None:
    world.github.workflows[FREQUENT]["state"] = "disabled_manually"
    world.github.workflows[DAILY]["state"] = "disabled_inactivity"
    declare(world)
    assert state_of(world, FREQUENT) == "active" and state_of(world, DAILY) == "active"
    assert len(world.github.calls("actions/enable-workflow")) == 2

    # The frequent sweep looks once a cadence; a command after it costs no schedule request.
    swept = world.sweep("--incident", "1", "--schedule", "frequent", "--now", at(31))
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert record(world).swept_at is not None
    run = handle(world, comment(world, "/update Rolled back", 35), 35.5)
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(world.github.calls("actions/enable-workflow")) == 2
    assert world.violations() == []


def test_the_sweep_that_finds_nothing_live_rests_and_the_daily_one_wakes_it(
        world: World) -> None:
    declare(world)
    listed = find(world, 5)
    assert listed.outputs["frequent-sweep"] == "needed"  # a live P1: reminders every 30 min
    resolve(world, 10)
    listed = find(world, 20)
    assert listed.outputs["frequent-sweep"] == "idle"  # resolved, nothing due
    world.github.workflows[DAILY]["state"] = "disabled_inactivity"

    rested = keep(world, 20)
    assert rested.returncode == 0, rested.stdout + rested.stderr
    # The watchdog first, then the rest: never the frequent sweep off without the daily on.
    assert state_of(world, DAILY) == "active" and state_of(world, FREQUENT) == "disabled_manually"
    assert "sweep.yml disabled" in rested.summary

    # The incident is reopened: its run wakes the frequent sweep; the daily watchdog would too.
    world.github.workflows[FREQUENT]["state"] = "disabled_manually"
    reopened = world.call("handle", "--now", at(60),
                          payload=world.github.reopen_issue(1, "sam"), event_name="issues")
    assert reopened.returncode == 0, reopened.stdout + reopened.stderr
    assert state_of(world, FREQUENT) == "active"
    world.github.workflows[FREQUENT]["state"] = "disabled_manually"
    assert world.sweep("--list-due", "--schedule", "daily", "--now", at(61)).outputs[
        "frequent-sweep"] == "needed"
    woken = keep(world, 61)
    assert woken.returncode == 0, woken.stdout + woken.stderr
    assert state_of(world, FREQUENT) == "active"
    assert world.violations() == []


def test_a_declaration_while_the_sweep_rests_turns_it_straight_back_on(world: World) -> None:
    """The race: the rest job decided on an empty list, and an incident is declared before it
    disables the frequent sweep; the labels are read again after disabling."""
    original = world.github._disable_workflow

    def disable_then_declare(request: Any, values: dict[str, str]) -> Any:
        reply = original(request, values)
        # The declaration's run labelled its incident and enabled the frequent sweep just
        # before this disable landed: only the labels are left to tell.
        payload = example_event()
        payload["issue"]["labels"] = [{"name": n} for n in (
            "incident", "phase:active", "priority:P1", "severity:SEV-1")]
        world.github.add_issue(payload["issue"])
        return reply

    routes = world.github._routes
    routes[:] = [(m, o, disable_then_declare if o == "actions/disable-workflow" else h)
                 for m, o, h in routes]
    rested = keep(world, 0)
    assert rested.returncode == 0, rested.stdout + rested.stderr
    assert state_of(world, FREQUENT) == "active"
    assert "live meanwhile: #1" in rested.summary


def test_without_the_daily_sweep_the_frequent_one_never_rests(world: World) -> None:
    del world.github.workflows[DAILY]
    rested = keep(world, 0)
    assert rested.returncode == 0
    assert state_of(world, FREQUENT) == "active"
    assert world.github.calls("actions/disable-workflow") == []
    assert "no .github/workflows/sweep-daily.yml" in rested.summary
    assert "::warning" in rested.stdout


def test_a_token_without_actions_write_says_the_fix_and_loses_nothing(world: World) -> None:
    """An adopter's old incident.yml: the declaration goes out, and the run says what to grant."""
    world.github.tokens["ghs_no_actions"] = BOT
    world.github.token_permissions["ghs_no_actions"] = {
        "issues": "write", "contents": "write", "pull-requests": "write"}
    world.github.workflows[FREQUENT]["state"] = "disabled_manually"
    from tests.support import opened

    run = world.call("handle", "--now", at(0), payload=opened(world),
                     GITHUB_TOKEN="ghs_no_actions")
    assert run.returncode == 0, run.stdout + run.stderr
    assert record(world).phase == "active"
    assert "`actions: write`" in run.summary
    assert state_of(world, FREQUENT) == "disabled_manually"

    # The daily watchdog cannot wake it either: its job fails, naming what is paused.
    woken = keep(world, 5, GITHUB_TOKEN="ghs_no_actions")
    assert woken.returncode == 1
    assert "Reminders are paused" in woken.stdout


def test_only_the_frequent_sweep_counts_and_a_silent_one_is_said(world: World) -> None:
    """The daily sweep sends the due reminder but leaves `swept_at` alone: the status comment
    says the frequent sweep has been silent, until it runs again."""
    declare(world)
    daily = world.sweep("--schedule", "daily", "--now", at(120))
    assert daily.returncode == 0, daily.stdout + daily.stderr
    assert record(world).swept_at is None
    [status] = status_comments(world)
    assert "Reminders are paused: the frequent sweep has not run since" in status["body"]
    assert any(c["body"].startswith("<!-- incident-response:reminder -->")
               for c in world.github.comments_on(1))
    frequent = world.sweep("--schedule", "frequent", "--now", at(125))
    assert frequent.returncode == 0
    [status] = status_comments(world)
    assert "Reminders are paused" not in status["body"]


# -- reading what changed -------------------------------------------------------------------

def test_a_sweep_with_nothing_due_reads_three_lists_whatever_the_incidents(
        world: World) -> None:
    numbers = declared_incidents(world, 3)
    for number in numbers:  # each looked at once by the frequent sweep: nothing due after
        assert world.sweep("--incident", str(number), "--schedule", "frequent",
                           "--now", at(1)).returncode == 0
    before = len(world.github.requests)
    listed = find(world, 2)
    assert listed.outputs["incidents"] == "[]"
    made = world.github.requests[before:]
    assert len(made) <= 3 + math.ceil(len(numbers) / 100)
    assert [r.operation for r in made].count("issues/list-comments") == 0
    assert {r.method for r in made} == {"GET"}


def test_what_changed_since_the_record_is_seen(world: World) -> None:
    declare(world)
    assert find(world, 1).outputs["incidents"] == "[]"
    # A command whose event run GitHub dropped: due.
    world.github.person_comments(1, "sam", "/severity SEV-3", at(2))
    assert find(world, 3).outputs["incidents"] == "[1]"
    handle(world, comment(world, "/help", 4), 4.5)
    assert find(world, 5).outputs["incidents"] == "[]"
    # An applied command edited since: the edit counts.
    [applied] = [c for c in world.github.comments_on(1) if c["body"] == "/severity SEV-3"]
    world.github.edit_comment(applied["id"], "/severity SEV-1")
    assert find(world, 6).outputs["incidents"] == "[1]"


def test_a_deleted_record_and_a_closed_live_incident_are_still_found(world: World) -> None:
    declare(world)
    [status] = status_comments(world)
    world.github.delete_comment(status["id"])
    assert find(world, 1).outputs["incidents"] == "[1]"  # a record to rebuild

    swept = world.sweep("--incident", "1", "--now", at(2))
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert status_comments(world)[0]["body"].startswith(STATUS_MARKER)
    # Closed and stripped of its label by hand, its event runs dropped: found by its record.
    world.github.person_labels(1, "sam", "unlabeled", "incident")
    world.github.close_issue(1, "sam")
    assert find(world, 3).outputs["incidents"] == "[1]"
    assert world.violations() == []


# -- the workflows agree ------------------------------------------------------------------------

def test_the_shipped_workflows_let_the_sweep_rest_and_wake() -> None:
    """validate: the rest job, the daily wake job and the events job each may switch the
    schedule; without one of them it says what to restore, or how to keep the sweep on."""
    import yaml

    from incident_response.commands.validate import check_schedule
    from tests.support import ROOT

    def load(name: str) -> Any:
        return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text())

    events, sweep, daily = load("incident.yml"), load(FREQUENT), load(DAILY)
    assert check_schedule(events, sweep, daily) == []
    assert "no .github/workflows/sweep-daily.yml" in " ".join(
        check_schedule(events, sweep, None))
    del events["jobs"]["handle"]["permissions"]["actions"]
    [problem] = check_schedule(events, sweep, daily)
    assert "incident.yml: its job lacks `actions: write`" in problem
    del sweep["jobs"]["rest"]
    assert check_schedule(events, sweep, None) == []  # never rests: nothing to wake it
