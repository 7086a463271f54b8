"""What finding earlier Slack messages costs with channels named in the config (the shipped
`#identity-support`), against the loopback fakes: Slack requests and wall time of one run.

- "rebuilt": the status comment is deleted after the declaration, then an `/update` comes: the
  run turns the channel names into ids (conversations.list, 999 channels a page, the support
  channel listed last), looks for the announcement and the leadership notice
  (conversations.history) and for the update in the found thread (conversations.replies),
  then posts the update;
- "lost answer in the thread": an update's answer is lost, then the sweep looks for it in the
  thread, whose channel id the record holds: nothing is listed.

"copies" is how many announcements (rebuilt) or copies of the update (lost answer) Slack holds
afterwards: 1 is exactly once.

The workspace has N other public channels. Run: python bench/chat_lookups.py
"""

from __future__ import annotations

import time
from collections import Counter

from loopback import Loopback
from tests.conftest import World
from tests.fakes.server import Fault
from tests.support import SLACK_SCOPES, at, comment, declare, handle, status_comments

SIZES = (10, 1_000, 3_000)


def _workspace(world: World, others: int) -> None:
    """N public channels, then the support channel, so the listing finds it last."""
    world.slack.scopes = set(SLACK_SCOPES)
    world.slack.channels.pop("#identity-support")
    for number in range(others):
        world.slack.add_channel(f"team-{number:05d}")
    world.slack.add_channel("#identity-support", "C0SUPPORT")


def _slack_calls(world: World, since: int) -> Counter[str]:
    return Counter(r.operation for r in world.slack.requests[since:])


def rebuilt(loopback: Loopback, others: int) -> tuple[Counter[str], float, int]:
    world = loopback.world()
    try:
        _workspace(world, others)
        declare(world)
        [status] = status_comments(world)
        world.github.delete_comment(status["id"])
        before = len(world.slack.requests)
        started = time.perf_counter()
        run = handle(world, comment(world, "/update Second look", 10), 10.5)
        elapsed = time.perf_counter() - started
        assert run.returncode == 0, run.stdout
        announced = sum(1 for m in world.slack.messages
                        if (m.get("metadata") or {}).get("event_type") == "incident_announced")
        return _slack_calls(world, before), elapsed, announced
    finally:
        Loopback.stop(world)


def lost_answer(loopback: Loopback, others: int) -> tuple[Counter[str], float, int]:
    world = loopback.world()
    try:
        _workspace(world, others)
        declare(world)
        world.slack.inject("chat_postMessage", Fault(kind="lost"))
        handle(world, comment(world, "/update Failover started", 5), 5.5)
        before = len(world.slack.requests)
        started = time.perf_counter()
        run = world.call("sweep", "--now", at(20))
        elapsed = time.perf_counter() - started
        assert run.returncode == 0, run.stdout
        copies = sum("Failover started" in m["text"] for m in world.slack.messages)
        return _slack_calls(world, before), elapsed, copies
    finally:
        Loopback.stop(world)


def main() -> None:
    loopback = Loopback()
    print(f"{'scenario':25} | {'channels':>8} | {'Slack requests of the run (by method)':70} | "
          f"{'run, s':>6} | copies")
    for others in SIZES:
        for name, scenario in (("rebuilt", rebuilt), ("lost answer in the thread", lost_answer)):
            calls, elapsed, copies = scenario(loopback, others)
            shown = ", ".join(f"{op.removeprefix('conversations_')} {n}"
                              for op, n in sorted(calls.items()))
            print(f"{name:25} | {others + 2:>8,} | {shown:70} | {elapsed:6.2f} | {copies}")


if __name__ == "__main__":
    main()
