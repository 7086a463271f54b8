"""A run from a terminal (`handle --issue`, `sweep --repo`) against the same run in GitHub Actions.

What a person pays for the way through while Actions is down: the requests each run makes
(a terminal run first reads the repository's spelling and who its token is), and, for a P1
just reported, how long after the process starts PagerDuty hears of it. In Actions the page
leaves before the incident is loaded (shell/first_page.py); a terminal run has no event, so
it pages once the issue, its comments and the reporter's permission are read.

Each run is `python -m incident_response` in a fresh process, against the loopback fakes in
this process (their arrival stamps are time.monotonic, as the launch stamp).

Run: .venv/bin/python bench/by_hand.py [--runs N]   (needs the test extra installed)
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

from loopback import Loopback
from tests.conftest import World
from tests.support import PERSON_TOKEN, TYPED_REPOSITORY, at, comment_event, opened

TIMEOUT = 120


def _run(loopback: Loopback, world: World, args: list[str], **env: str | None) -> float:
    """Launch one run; the monotonic stamp just before launch."""
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "incident_response", *args],
                          cwd=loopback.workdir, env=world.environment(**env),
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{args}: exit {done.returncode}\n{done.stdout}{done.stderr}")
    return started


def _terminal(loopback: Loopback, world: World, *args: str) -> float:
    world.github.tokens.setdefault(PERSON_TOKEN, "sam")
    return _run(loopback, world, list(args), GITHUB_TOKEN=PERSON_TOKEN, GITHUB_ACTIONS=None,
                GITHUB_REPOSITORY=None, GITHUB_RUN_ID=None, GITHUB_STEP_SUMMARY=None,
                GITHUB_OUTPUT=None)


def _page_after(world: World, started: float) -> float:
    page = next(r for r in world.pagerduty.requests if (r.json() or {}).get("event_action")
                == "trigger")
    return page.at - started


def _report_in_actions(loopback: Loopback, world: World) -> float:
    event = world.event_file(opened(world))
    return _run(loopback, world, ["handle", "--now", at(1)], GITHUB_EVENT_NAME="issues",
                GITHUB_EVENT_PATH=str(event))


def _report_by_hand(loopback: Loopback, world: World) -> float:
    opened(world)
    return _terminal(loopback, world, "handle", "--repo", TYPED_REPOSITORY, "--issue", "1",
                     "--now", at(1))


def _declared(loopback: Loopback, world: World) -> dict[str, Any]:
    _report_in_actions(loopback, world)
    world.github.permissions["sam"] = "write"
    return comment_event(world, "sam", "/update Rolled back", 5)


def _update_in_actions(loopback: Loopback, world: World, event: dict[str, Any]) -> float:
    path = world.event_file(event)
    return _run(loopback, world, ["handle", "--now", at(6)], GITHUB_EVENT_NAME="issue_comment",
                GITHUB_EVENT_PATH=str(path))


def _update_by_hand(loopback: Loopback, world: World, event: dict[str, Any]) -> float:
    del event
    return _terminal(loopback, world, "handle", "--repo", TYPED_REPOSITORY, "--issue", "1",
                     "--now", at(6))


def _counts(world: World, since: tuple[int, ...]) -> tuple[list[int], Counter[str]]:
    fakes = (world.github, world.datadog, world.slack, world.pagerduty)
    now = [len(f.requests) for f in fakes]
    operations = Counter(r.operation for r in world.github.requests[since[0]:])
    return [a - b for a, b in zip(now, since, strict=True)], operations


def _sizes(world: World) -> tuple[int, ...]:
    return tuple(len(f.requests) for f in (world.github, world.datadog, world.slack,
                                          world.pagerduty))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    loopback = Loopback()

    print("a P1 just reported: process start -> page (median of", runs, "runs)")
    for name, report in (("GitHub Actions, issues.opened", _report_in_actions),
                         ("terminal, handle --issue", _report_by_hand)):
        pages, requests = [], None
        for _ in range(runs):
            world = loopback.world()
            before = _sizes(world)
            pages.append(_page_after(world, report(loopback, world)))
            requests = _counts(world, before)
            loopback.stop(world)
        assert requests is not None
        print(f"  {name:32s} page after {statistics.median(pages) * 1000:6.0f} ms; requests "
              f"GH/DD/Sl/PD {'/'.join(map(str, requests[0]))}; GitHub {dict(requests[1])}")

    print("an /update on a declared P1: requests of the run")
    steps: tuple[tuple[str, Callable[..., float]], ...] = (
        ("GitHub Actions, issue_comment", _update_in_actions),
        ("terminal, handle --issue", _update_by_hand))
    for name, step in steps:
        world = loopback.world()
        event = _declared(loopback, world)
        before = _sizes(world)
        step(loopback, world, event)
        (github, datadog, slack, pagerduty), operations = _counts(world, before)
        print(f"  {name:32s} GH/DD/Sl/PD {github}/{datadog}/{slack}/{pagerduty}; "
              f"GitHub {dict(operations)}")
        loopback.stop(world)

    print("a sweep with nothing due: GitHub requests")
    for name, by_hand in (("GitHub Actions, sweep", False), ("terminal, sweep --repo", True)):
        world = loopback.world()
        _declared(loopback, world)
        _update_in_actions(loopback, world, comment_event(world, "sam", "/update Fine", 5))
        before = _sizes(world)
        if by_hand:
            _terminal(loopback, world, "sweep", "--repo", TYPED_REPOSITORY, "--now", at(7))
        else:
            _run(loopback, world, ["sweep", "--now", at(7)])
        (github, *_), operations = _counts(world, before)
        print(f"  {name:32s} {github}: {dict(operations)}")
        loopback.stop(world)


if __name__ == "__main__":
    main()
