"""Time to page: how long after the process starts PagerDuty hears about a P1.

A P1 `issues.opened` is handled by `python -m incident_response handle` in a fresh process, as
GitHub Actions runs it, against the loopback fakes. The fakes run in this process, so their
arrival stamps (time.perf_counter) compare directly with the stamp taken just before launch:

- time to page: launch -> the PagerDuty fake receives createV2Event with event_action trigger;
- whole run: launch -> exit; and which requests (per service) arrived before the page;
- the floor: a fresh interpreter that imports only the `pagerduty` client and sends one
  trigger over TLS to the same fake, measured the same way;
- where the time goes: a bare interpreter, `import github` alone, and the policy load
  (its import, then `load_policy()`), each in a fresh interpreter.

Only the CLI entry and the fakes are relied on (the package may be reorganised under it).

Run: .venv/bin/python bench/time_to_page.py [--runs N]   (needs the test extra installed)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loopback import ROOT, Loopback
from tests.conftest import World
from tests.fakes.server import FakeService, Recorded
from tests.fakes.services import FakeDatadog, FakeGitHub, FakePagerDuty, FakeSlack

#: no child may run longer than this (seconds); the loops are bounded by --runs
TIMEOUT = 120
EVENT = ROOT / "examples/events/issues.opened.p1-production-ssoe.json"

FLOOR = """
import os, ssl
from pagerduty import EventsApiV2Client
client = EventsApiV2Client(
    os.environ["PAGERDUTY_ROUTING_KEY"], base_url=os.environ["PAGERDUTY_EVENTS_URL"],
    verify=ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"]))
client.timeout = 5
client.trigger("bench: floor", "bench/time_to_page.py", dedup_key=os.environ["DEDUP_KEY"])
"""

IMPORT_GITHUB = """
import json, time
started = time.perf_counter()
import github
print(json.dumps({"import": time.perf_counter() - started}))
"""

#: the policy load: the module's import, then the call; two import paths (a tree in motion)
POLICY = """
import json, time
from pathlib import Path
started = time.perf_counter()
try:
    from incident_response.shell.configuration import load_policy
    via = "incident_response.shell.configuration"
except ImportError:
    from incident_response.policy import load_policy
    via = "incident_response.policy"
imported = time.perf_counter()
path = Path(".github/incident-response.yml")
try:
    load_policy(path)
except TypeError:
    load_policy()
loaded = time.perf_counter()
print(json.dumps({"import": imported - started, "load": loaded - imported, "via": via}))
"""


@dataclass(frozen=True)
class Arrival:
    at: float  # time.perf_counter() when the fake had read the whole request
    service: str
    operation: str
    method: str
    path: str
    event_action: str | None  # PagerDuty only


class Arrivals:
    """Every request any timed fake receives, stamped on arrival (before it is handled)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[Arrival] = []

    def add(self, arrival: Arrival) -> None:
        with self._lock:
            self._items.append(arrival)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def ordered(self) -> list[Arrival]:
        with self._lock:
            return sorted(self._items, key=lambda a: a.at)

    def page(self) -> Arrival | None:
        return next((a for a in self.ordered() if a.service == FakePagerDuty.name
                     and a.operation == "createV2Event" and a.event_action == "trigger"), None)


def _event_action(request: Recorded) -> str | None:
    try:
        body = request.json()
    except ValueError:
        return None
    return body.get("event_action") if isinstance(body, dict) else None


def timed(base: type[FakeService], arrivals: Arrivals) -> type[FakeService]:
    """`base` with every request stamped on arrival, into `arrivals` (the fake is unchanged)."""

    class Timed(base):  # type: ignore[valid-type, misc]
        def _dispatch(self, request: Recorded) -> Any:
            arrived = time.perf_counter()
            action = _event_action(request) if self.name == FakePagerDuty.name else None
            try:
                return super()._dispatch(request)
            finally:  # the operation is known once the request has been checked
                arrivals.add(Arrival(arrived, self.name, request.operation or "(rejected)",
                                     request.method, request.path, action))

    Timed.__name__ = Timed.__qualname__ = f"Timed{base.__name__}"
    return Timed


def timed_world(loopback: Loopback, arrivals: Arrivals) -> World:
    fakes = [timed(cls, arrivals)(loopback.tls)
             for cls in (FakeGitHub, FakeDatadog, FakeSlack, FakePagerDuty)]
    return World(*fakes, workdir=loopback.workdir, ca_bundle=loopback.bundle)  # type: ignore[arg-type]


def launch(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Run to completion; (start stamp, exit stamp, stdout). Fails loudly on a non-zero exit."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, check=False)
    ended = time.perf_counter()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:4])} exited {done.returncode}:\n"
                         f"{done.stdout}\n{done.stderr}")
    return started, ended, done.stdout


@dataclass
class Series:
    label: str
    values: list[float]


def p1_run(loopback: Loopback, payload: dict[str, Any]) -> tuple[float, float, list[Arrival]]:
    """One P1 handled by a fresh process: (time to page, whole run, arrivals in order)."""
    arrivals = Arrivals()
    world = timed_world(loopback, arrivals)
    try:
        world.github.add_issue(payload["issue"])
        world.github.permissions[payload["issue"]["user"]["login"]] = "admin"
        workdir = loopback.workdir
        for name in ("summary.md", "outputs.txt"):
            (workdir / name).write_text("", encoding="utf-8")
        env = world.environment(GITHUB_EVENT_NAME="issues",
                                GITHUB_EVENT_PATH=str(world.event_file(payload)),
                                GITHUB_STEP_SUMMARY=str(workdir / "summary.md"),
                                GITHUB_OUTPUT=str(workdir / "outputs.txt"))
        started, ended, _ = launch([sys.executable, "-m", "incident_response", "handle"],
                                   env, workdir)
        page = arrivals.page()
        if page is None:
            raise SystemExit(f"no page reached the PagerDuty fake: {arrivals.ordered()}")
        if violations := world.violations():
            raise SystemExit(f"the fakes saw requests off their API descriptions: {violations}")
        return page.at - started, ended - started, rebase(arrivals.ordered(), started)
    finally:
        Loopback.stop(world)


def rebase(arrivals: list[Arrival], started: float) -> list[Arrival]:
    return [Arrival(a.at - started, a.service, a.operation, a.method, a.path, a.event_action)
            for a in arrivals]


def measure_p1(loopback: Loopback, runs: int) -> tuple[list[float], list[float],
                                                      list[list[Arrival]]]:
    payload = json.loads(EVENT.read_text(encoding="utf-8"))
    to_page, whole, timelines = [], [], []
    for _ in range(runs):
        page_at, total, timeline = p1_run(loopback, payload)
        to_page.append(page_at)
        whole.append(total)
        timelines.append(timeline)
    return to_page, whole, timelines


def measure_fresh_interpreters(loopback: Loopback, runs: int) -> list[Series]:
    """The floor and the imports; they share one set of fakes (only PagerDuty is spoken to)."""
    arrivals = Arrivals()
    world = timed_world(loopback, arrivals)
    workdir = loopback.workdir
    floor, bare, github_in, github_proc = [], [], [], []
    policy_import, policy_load, policy_proc = [], [], []
    via = "(not run)"
    try:
        env = world.environment()
        for run in range(runs):
            arrivals.clear()
            started, _, _ = launch([sys.executable, "-c", FLOOR],
                                   {**env, "DEDUP_KEY": f"bench#floor-{run}"}, workdir)
            page = arrivals.page()
            if page is None:
                raise SystemExit("the floor's trigger did not reach the PagerDuty fake")
            floor.append(page.at - started)

            started, ended, _ = launch([sys.executable, "-c", "pass"], env, workdir)
            bare.append(ended - started)

            started, ended, out = launch([sys.executable, "-c", IMPORT_GITHUB], env, workdir)
            github_in.append(json.loads(out)["import"])
            github_proc.append(ended - started)

            started, ended, out = launch([sys.executable, "-c", POLICY], env, workdir)
            measured = json.loads(out)
            policy_import.append(measured["import"])
            policy_load.append(measured["load"])
            policy_proc.append(ended - started)
            via = measured["via"]
    finally:
        Loopback.stop(world)
    return [
        Series("floor: `pagerduty` client only (start -> arrival)", floor),
        Series("bare interpreter `python -c pass` (start -> exit)", bare),
        Series("`import github` (inside a fresh interpreter)", github_in),
        Series("`import github` process (start -> exit)", github_proc),
        Series(f"policy: import {via}", policy_import),
        Series("policy: load_policy() call", policy_load),
        Series("policy: import + load process (start -> exit)", policy_proc),
    ]


def _spread(counts: list[int]) -> str:
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{statistics.median(counts):g} ({low}-{high})"


def report(to_page: list[float], whole: list[float], timelines: list[list[Arrival]],
           others: list[Series]) -> None:
    runs = len(to_page)
    rows = [Series("time to page (start -> PagerDuty fake receives trigger)", to_page),
            Series("whole run (start -> exit)", whole), *others]
    print(f"runs: {runs} each, Python {sys.version.split()[0]}, {os.cpu_count()} cores; "
          "seconds")
    print(f"  {'measurement':58s} {'median':>7s} {'min':>7s} {'max':>7s}")
    for row in rows:
        print(f"  {row.label:58s} {statistics.median(row.values):7.3f} "
              f"{min(row.values):7.3f} {max(row.values):7.3f}")
    share = [page / total for page, total in zip(to_page, whole, strict=True)]
    floor = statistics.median(others[0].values)
    print(f"page reached after {100 * statistics.median(share):.0f}% of the run "
          f"(median of per-run shares, {100 * min(share):.0f}-{100 * max(share):.0f}%); "
          f"{statistics.median(to_page) - floor:.3f} s later than the floor")

    services = (FakeGitHub.name, FakeDatadog.name, FakeSlack.name, FakePagerDuty.name)
    for when, wanted in (("before", lambda at, page: at < page),
                         ("after ", lambda at, page: at > page)):
        counts = [Counter(a.service for a in timeline if wanted(a.at, page))
                  for timeline, page in zip(timelines, to_page, strict=True)]
        print(f"requests {when} the page: " + ", ".join(
            f"{s} {_spread([c[s] for c in counts])}" for s in services))

    middle = sorted(range(runs), key=lambda i: to_page[i])[runs // 2]
    print(f"timeline of the run with the median time to page (ms after launch; page at "
          f"{1000 * to_page[middle]:.0f}, exit at {1000 * whole[middle]:.0f}):")
    for arrival in timelines[middle]:
        mark = "  <- the page" if arrival.at == to_page[middle] else ""
        action = f" {arrival.event_action}" if arrival.event_action else ""
        print(f"  {1000 * arrival.at:7.1f}  {arrival.service:9s} {arrival.operation}"
              f"{action}{mark}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per measurement (default 7)")
    runs = min(max(1, parser.parse_args().runs), 1000)
    loopback = Loopback()
    to_page, whole, timelines = measure_p1(loopback, runs)
    report(to_page, whole, timelines, measure_fresh_interpreters(loopback, runs))


if __name__ == "__main__":
    main()
