"""GitHub Actions starting a run late: the run says so, and by how much, where people look.

The run's clock is `--now`; the event's time is the payload's own (shell/events.py). A run is
in GitHub Actions when GITHUB_ACTIONS=true, as every runner sets it (and the `world` fixture).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from tests.conftest import World
from tests.support import (
    chat_messages_with,
    comment,
    declare,
    in_actions,
    opened,
    status_comments,
)

#: the example report's `created_at` (examples/events/issues.opened.p1-production-ssoe.json)
REPORTED = datetime(2026, 11, 28, 8, 10, tzinfo=UTC)


def started(minutes: float) -> str:
    return (REPORTED + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def announcement(world: World) -> dict:
    [message] = [m for m in world.slack.messages
                 if (m.get("metadata") or {}).get("event_type") == "incident_announced"]
    return message


def test_a_report_whose_run_started_47_minutes_late_says_so_everywhere(world: World) -> None:
    run = world.call("handle", "--now", started(47), payload=opened(world))

    assert run.returncode == 0, run.stdout
    [status] = status_comments(world)
    assert "The automation ran late" in status["body"]
    assert "47 min after the report was opened (2026-11-28 08:10 UTC" in status["body"]
    assert "47 min after the report was opened" in run.summary
    assert "::warning title=The automation ran late::" in run.stdout
    message = announcement(world)
    assert message["text"].endswith(", posted 47 min late)")
    assert "*Posted late*\\n47 min after the report was opened (08:10 UTC)" in json.dumps(
        message["blocks"])


def test_a_run_on_time_says_nothing_of_it(world: World) -> None:
    run = world.call("handle", "--now", started(3), payload=opened(world),
                     GITHUB_ACTIONS="true")

    assert run.returncode == 0, run.stdout
    assert "ran late" not in status_comments(world)[0]["body"] + run.summary + run.stdout
    assert "Posted late" not in json.dumps(announcement(world))


def test_a_re_run_replays_the_old_payload_and_is_not_called_late(world: World) -> None:
    run = world.call("handle", "--now", started(300), payload=opened(world),
                     GITHUB_ACTIONS="true", GITHUB_RUN_ATTEMPT="2")

    assert run.returncode == 0, run.stdout
    assert "ran late" not in status_comments(world)[0]["body"] + run.summary


def test_a_run_by_hand_is_not_github_actions_running_late(world: World) -> None:
    run = world.call("handle", "--now", started(300), payload=opened(world),
                     GITHUB_ACTIONS=None)  # a person replaying the event from a file

    assert run.returncode == 0, run.stdout
    assert "ran late" not in status_comments(world)[0]["body"] + run.summary


def test_the_threshold_is_the_policys(world: World) -> None:
    config = world.workdir / ".github" / "incident-response.yml"
    config.write_text(config.read_text().replace("delivery:\n",
                                                 "delivery:\n  late_after_minutes: 60\n"))

    run = world.call("handle", "--now", started(47), payload=opened(world),
                     GITHUB_ACTIONS="true")

    assert run.returncode == 0, run.stdout
    assert "ran late" not in status_comments(world)[0]["body"] + run.summary


def test_null_turns_it_off(world: World) -> None:
    config = world.workdir / ".github" / "incident-response.yml"
    config.write_text(config.read_text().replace("delivery:\n",
                                                 "delivery:\n  late_after_minutes: null\n"))

    run = world.call("handle", "--now", started(300), payload=opened(world),
                     GITHUB_ACTIONS="true")

    assert run.returncode == 0, run.stdout
    assert "ran late" not in status_comments(world)[0]["body"] + run.summary


def test_a_late_command_says_so_in_the_record_and_posts_no_late_announcement(
        world: World) -> None:
    declare(world)
    late = comment(world, "/update Rolled back the ISAM change", 5)

    run = in_actions(world, late, 35)  # the comment at T0+5, its run at T0+35

    assert run.returncode == 0, run.stdout
    assert "30 min after the comment was written" in status_comments(world)[0]["body"]
    assert chat_messages_with(world, "Rolled back the ISAM change") == 1
    assert chat_messages_with(world, "Posted late") == 0  # announced on time, before
