"""Wall time of `incident-response handle`, as the Action runs it (a fresh process per event).

- a P1 `issues.opened` against the loopback fakes (every outside effect sent over TLS);
- an event that is not about an incident (the fast path);
- the bare interpreter importing the same client libraries, for what our own code adds.

Run: python bench/handle_wall_time.py [--runs N]   (needs the test extra installed)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from loopback import ROOT, Loopback


def _timed(command: list[str], env: dict[str, str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=cwd, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs

    loopback = Loopback()
    workdir = loopback.workdir
    p1, fast, imports = [], [], []
    payload = json.loads((ROOT / "examples/events/issues.opened.p1-production-ssoe.json")
                         .read_text())
    for _ in range(runs):
        world = loopback.world()
        fakes = (world.github, world.datadog, world.slack, world.pagerduty)
        world.github.add_issue(payload["issue"])
        world.github.permissions["Codertocat"] = "admin"
        env = world.environment(GITHUB_EVENT_NAME="issues",
                                GITHUB_EVENT_PATH=str(world.event_file(payload)))
        p1.append(_timed([sys.executable, "-m", "incident_response", "handle"], env, workdir))
        assert len(world.datadog.incidents) == 1
        assert len(world.pagerduty.alerts) == 1
        outside = {f.name: len(f.requests) for f in fakes}
        loopback.stop(world)
        other = ROOT / "tests/fixtures/github/issue_comment.created.json"
        fast.append(_timed([sys.executable, "-m", "incident_response", "handle", "--event",
                            str(other), "--event-name", "issue_comment"], env, workdir))
        imports.append(_timed([sys.executable, "-c",
                               "import github, slack_sdk, pagerduty; "
                               "import datadog_api_client.v2.api.incidents_api"], env, workdir))
    print(f"runs: {runs} (median, min-max), Python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores")
    for name, values in (("P1 issues.opened against the fakes", p1),
                         ("event not about an incident", fast),
                         ("bare interpreter importing the four clients", imports)):
        print(f"  {name:48s} {statistics.median(values):6.3f} s "
              f"({min(values):.3f}-{max(values):.3f})")
    print(f"  requests per service for the P1 open: {outside}")


if __name__ == "__main__":
    main()
