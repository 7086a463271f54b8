"""The smaller things people see (issue 16, part 3): notices in the job summary, a skipped
integration said by the runs that run, a reopen's fresh clock, and a completed record that
links its post-mortem and its follow-up issues."""

from __future__ import annotations

from tests.conftest import World
from tests.support import (
    BOT,
    at,
    command,
    comment,
    declare,
    handle,
    resolved_p1,
    status_comments,
)

PAUSED = "Reminders are paused: the frequent sweep has not run since"
NO_TOKEN = "The page's acknowledgement is not read: PAGERDUTY_API_TOKEN is not set"


def status(world: World) -> str:
    [comment_] = status_comments(world)
    return str(comment_["body"])


def reminders(world: World) -> list[str]:
    return [c["body"] for c in world.github.comments_on(1)
            if c["user"]["login"] == BOT and "incident-response:reminder" in c["body"]]


def test_reminders_paused_is_in_the_job_summary_too(world: World) -> None:
    declare(world)
    run = handle(world, comment(world, "/help", 99), 100)  # three P1 cadences, no sweep
    assert run.returncode == 0, run.stdout
    assert PAUSED in status(world)
    assert PAUSED in run.summary
    assert f"::notice title=Incident #1::{PAUSED}" in run.stdout


def test_without_an_api_token_the_runs_that_run_say_mtta_is_not_recorded(
        world: World) -> None:
    """The run that pages says it (no sweep job may ever be due for this incident), and so
    does the listing job, which runs every time."""
    declare(world)
    assert NO_TOKEN in status(world)
    listed = world.sweep("--list-due", "--now", at(5))
    assert listed.returncode == 0, listed.stdout
    assert listed.outputs["incidents"] == "[]"  # nothing due, and still said
    assert NO_TOKEN in listed.summary


def test_a_reopen_starts_the_commanders_clock_afresh(world: World) -> None:
    """Resolved at 40, completed at 60, reopened hours later: the reopen's own run neither
    reminds nor escalates, nor says the sweep is paused; the first reminder is one cadence
    after the reopen."""
    resolved_p1(world)
    [number] = world.github.pulls
    assert world.handle(world.github.merge(number, "sam"), "pull_request",
                        "--now", at(60)).returncode == 0
    before = len(reminders(world))
    escalations = len(world.slack.messages)
    reopened = handle(world, world.github.reopen_issue(1, "sam", at(299.5)), 300,
                      event_name="issues")
    assert reopened.returncode == 0, reopened.stdout
    assert len(reminders(world)) == before
    assert not any("no update for" in m["text"] for m in world.slack.messages[escalations:])
    assert PAUSED not in status(world)
    assert world.sweep("--now", at(320)).returncode == 0
    assert len(reminders(world)) == before
    assert world.sweep("--now", at(331)).returncode == 0
    assert len(reminders(world)) == before + 1
    assert not any("no update for" in m["text"] for m in world.slack.messages[escalations:])


def test_the_completed_record_links_the_postmortem_and_ticks_closed_followups(
        world: World) -> None:
    resolved_p1(world)
    [number] = world.github.pulls
    assert world.handle(world.github.merge(number, "sam"), "pull_request",
                        "--now", at(60)).returncode == 0
    shown = status(world)
    [pull] = world.github.pulls.values()
    assert (f"| **Post-mortem** | [the merged post-mortem](https://github.com/"
            f"{world.github.repository}/blob/master/postmortems/") in shown
    assert f", pull request #{pull['number']}, merged " in shown
    followups = sorted(n for n in world.github.issues if n != 1)
    assert len(followups) == 2
    assert f"- [ ] Alert on SSOe error rate sooner (owner @lee): #{followups[0]}" in shown
    assert f"- [ ] Document rollback: #{followups[1]}" in shown
    assert "Each is ticked once its issue is closed" in shown

    world.github.close_issue(followups[0], "lee")
    command(world, "/help", 70, login="sam")
    shown = status(world)
    assert f"- [x] Alert on SSOe error rate sooner (owner @lee): #{followups[0]}" in shown
    assert f"- [ ] Document rollback: #{followups[1]}" in shown
    reads = len(world.github.calls("issues/get"))
    world.github.close_issue(followups[1], "sam")
    command(world, "/help", 80, login="sam")
    assert f"- [x] Document rollback: #{followups[1]}" in status(world)
    assert "Each is ticked" not in status(world)
    assert len(world.github.calls("issues/get")) == reads + 2  # the incident, the open one
    command(world, "/help", 90, login="sam")
    assert len(world.github.calls("issues/get")) == reads + 3  # all closed: none read again
    assert world.violations() == []
