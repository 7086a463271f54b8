"""The page's time from the end of the checkout, on a GitHub-hosted runner's path, replayed here.

Each round replays action.yml's steps, in order, as a runner runs them, against the loopback
fakes, for a P1 `issues.opened`: TODAY without the first step (the page waits for the set-up),
AFTER with it. Time zero is the end of the checkout. Every step is a real process, except
what only GitHub's machines have:

- **the first step** ("Page on-call first", AFTER only): its `run:` script from action.yml, as
  is, on this machine's own python3 (`--system-python`, default /usr/bin/python3: a runner
  has 3.12 there, with PyYAML), from a fresh copy of the action (no bytecode yet, as in a job).
- **setup-python**: modelled as resolving a cached interpreter, which is what it does on a
  GitHub-hosted runner for a version in the tool cache (/opt/hostedtoolcache/Python): a Node.js
  process (the action's runtime) that finds the interpreter in a tool-cache folder. The real
  action also parses its bundle and reports; not modelled, so TODAY is if anything too fast.
- **the cache key**: its `run:` script, as is.
- **actions/cache**: a Node.js start, then the real extraction of the real cached folder: the
  locked environment built here (`uv sync --frozen --no-dev --no-install-project`, bytecode
  compiled, as the install step does on a miss) and uv itself, archived and extracted with the
  commands of actions/toolkit packages/cache/src/internal/tar.ts (`tar --posix
  --use-compress-program "zstd -T0 --long=30" -cf`; `tar --use-compress-program
  "zstd -d --long=30" -xf`; gzip where zstd is missing). The download from GitHub's cache
  service is not modelled (network), so TODAY is if anything too fast again.
- **the install step** and **the run step**: their `run:` scripts, as is (uv sync on the
  restored environment; `python -I -m incident_response handle`, with `--paged` after the
  first step).

The page's time is when the PagerDuty fake has the trigger (stamped on arrival, in this
process, time_to_page.py's stamps). The floor is a bare `python3` process (the same
interpreter as the first step) sending one HTTPS request to the same fake; the goal is AFTER
at most 1.5 times the floor. Rounds alternate TODAY, AFTER and the floor, so a busy machine
weighs on all three alike. Medians over --runs rounds.

Run: .venv/bin/python bench/runner_path.py [--runs 7] [--system-python /usr/bin/python3]
     (needs the test extra; builds the environment from uv's cache, or the package index)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from loopback import ROOT, Loopback
from tests.conftest import World
from time_to_page import Arrivals, timed_world

EVENT = ROOT / "examples/events/issues.opened.p1-production-ssoe.json"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
FIRST_STEP = "Page on-call first"
EXPRESSION = re.compile(r"\$\{\{\s*(?P<expr>.*?)\s*\}\}")
#: what the action's checkout holds that its steps read (the rest of the repository is tests)
ACTION_FILES = ("action.yml", "pyproject.toml", "uv.lock", "README.md", "scripts",
                "incident_templates", "schema", ".github")
TIMEOUT = 300
UV_VERSION = "0.13.9"

#: one HTTPS request from a bare interpreter: the standard library's least (http.client)
FLOOR = """
import http.client, json, os, ssl, sys
from urllib.parse import urlsplit
url = urlsplit(os.environ["PAGERDUTY_EVENTS_URL"])
context = ssl.create_default_context(cafile=os.environ["SSL_CERT_FILE"])
connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=10)
event = {"event_action": "trigger", "routing_key": os.environ["PAGERDUTY_ROUTING_KEY"],
         "dedup_key": sys.argv[1],
         "payload": {"summary": "floor", "source": "bench", "severity": "critical"}}
connection.request("POST", "/v2/enqueue", body=json.dumps(event).encode(),
                   headers={"Content-Type": "application/json"})
connection.getresponse().read()
"""

#: setup-python on a hosted runner, for a version in the tool cache: find it, report it
SETUP_PYTHON = """
const fs = require("fs"), path = require("path");
const root = process.argv[1];
const version = fs.readdirSync(root).filter((v) => /^3\\.\\d+/.test(v)).sort().pop();
const python = path.join(root, version, "x64", "bin", "python3");
fs.accessSync(python, fs.constants.X_OK);
console.log(`python-path=${python}`);
"""


def run(command: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT,
                          check=False, **kwargs)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command[:3])} exited {done.returncode}:\n{done.stdout}"
                         f"\n{done.stderr}")
    return done


@dataclass
class Cache:
    """The Action's cached folder (`runner.temp/incident-response`), built once, archived."""

    archive: Path
    decompress: list[str]
    size: int
    unpacked: int


def base_python() -> Path:
    """The interpreter behind this virtual environment: the full run's Python here."""
    return Path(getattr(sys, "_base_executable", sys.executable)).resolve()


def build_cache(scratch: Path, python: Path) -> Cache:
    folder = scratch / "cached" / "incident-response"
    env = {**os.environ, "UV_PROJECT_ENVIRONMENT": str(folder / "venv"),
           "UV_COMPILE_BYTECODE": "1", "UV_PYTHON_DOWNLOADS": "never",
           "UV_CACHE_DIR": os.environ.get("UV_CACHE_DIR", str(Path.home() / ".cache" / "uv"))}
    env.pop("VIRTUAL_ENV", None)
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv is None:
        raise SystemExit("uv is needed to build the locked environment")
    command = [uv, "sync", "--frozen", "--no-dev", "--no-install-project", "--quiet",
               "--project", str(ROOT), "--python", str(python)]
    if subprocess.run([*command, "--offline"], env=env, capture_output=True,
                      check=False).returncode != 0:
        run(command, env=env)  # not all in uv's cache: from the package index
    # What `pip install --target ... uv==0.13.9` leaves there, as the install step does.
    tools = folder / f"uv-{UV_VERSION}"
    (tools / "bin").mkdir(parents=True)
    shutil.copy2(uv, tools / "bin" / "uv")
    unpacked = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    if shutil.which("zstd"):
        archive = scratch / "cache.tzst"
        run(["tar", "--posix", "--use-compress-program", "zstd -T0 --long=30", "-cf",
             str(archive), "-C", str(folder.parent), folder.name])
        decompress = ["--use-compress-program", "zstd -d --long=30"]
    else:
        archive = scratch / "cache.tgz"
        run(["tar", "--posix", "-z", "-cf", str(archive), "-C", str(folder.parent),
             folder.name])
        decompress = ["-z"]
    return Cache(archive, decompress, archive.stat().st_size, unpacked)


@dataclass
class Round:
    """One replay: each step's end, and the page's arrival, in seconds after the checkout."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    page: float = 0.0
    paged_by_first_step: bool = False


class Replay:
    def __init__(self, loopback: Loopback, cache: Cache, system_python: str,
                 full_python: Path, toolcache: Path) -> None:
        self.loopback, self.cache = loopback, cache
        self.system_python, self.full_python = system_python, full_python
        self.toolcache = toolcache
        self.payload = json.loads(EVENT.read_text(encoding="utf-8"))

    def round(self, *, first_step: bool) -> Round:
        arrivals = Arrivals()
        world = timed_world(self.loopback, arrivals)
        scratch = Path(tempfile.mkdtemp(prefix="runner-"))
        try:
            world.github.add_issue(self.payload["issue"])
            world.github.permissions[self.payload["issue"]["user"]["login"]] = "admin"
            action = scratch / "action"
            for name in ACTION_FILES:  # a fresh copy, as a job downloads it: no bytecode
                source = ROOT / name
                if source.is_dir():
                    shutil.copytree(source, action / name,
                                    ignore=shutil.ignore_patterns("__pycache__"))
                else:
                    (action / name).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, action / name)
            temp = scratch / "runner-temp"
            temp.mkdir()
            result = self._steps(world, action, temp, first_step=first_step)
            page = arrivals.page()
            if page is None:
                raise SystemExit(f"no page reached the fake: {arrivals.ordered()}")
            triggers = [a for a in arrivals.ordered() if a.event_action == "trigger"]
            if len(triggers) != 1 or world.violations():
                raise SystemExit(f"{len(triggers)} triggers, {world.violations()}")
            result.page = page.at - result.page
            return result
        finally:
            Loopback.stop(world)
            shutil.rmtree(scratch, ignore_errors=True)

    def _steps(self, world: World, action: Path, temp: Path, *, first_step: bool) -> Round:
        workdir = self.loopback.workdir
        outputs: dict[str, dict[str, str]] = {}
        inputs = {name: str(spec.get("default", "")) for name, spec in
                  ACTION["inputs"].items()}
        inputs |= {"github-token": "ghs_bot_token",
                   "datadog-api-key": "dd-api-key-secret", "datadog-app-key": "dd-app-key-secret",
                   "slack-bot-token": "xoxb-test-token",
                   "pagerduty-routing-key": world.pagerduty.routing_key}
        scope = {"github.action_path": str(action), "github.token": "ghs_bot_token",
                 "runner.temp": str(temp), "runner.os": "Linux"}

        def value(expression: str) -> str:
            if expression.startswith("inputs."):
                return inputs[expression.removeprefix("inputs.")]
            if expression.startswith("steps."):
                step, _, name = expression.removeprefix("steps.").partition(".outputs.")
                return outputs.get(step, {}).get(name, "")
            return scope[expression]

        base = world.environment(
            GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(world.event_file(self.payload)),
            GITHUB_STEP_SUMMARY=str(temp / "summary.md"), GITHUB_TOKEN=None, DD_API_KEY=None,
            DD_APP_KEY=None, SLACK_BOT_TOKEN=None, PAGERDUTY_ROUTING_KEY=None, PYTHONPATH=None,
            VIRTUAL_ENV=None, UV_OFFLINE="1")
        result = Round()
        zero = time.perf_counter()  # the checkout's end
        result.page = zero
        for step in ACTION["runs"]["steps"]:
            name = step["name"]
            if name == FIRST_STEP and not first_step:
                continue
            if "uses" in step:
                self._uses(step, temp, outputs)
            else:
                output = temp / f"output-{len(result.steps)}"
                output.write_text("", encoding="utf-8")
                env = base | {"GITHUB_OUTPUT": str(output)} | {
                    k: EXPRESSION.sub(lambda m: value(m["expr"]), str(v))
                    for k, v in step.get("env", {}).items()}
                if name == FIRST_STEP:
                    # this machine's python3 stands in for the runner's /usr/bin/python3
                    script = step["run"].replace("python=/usr/bin/python3",
                                                 f"python={self.system_python}")
                else:
                    script = step["run"]
                done = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                           env=env, cwd=workdir)
                if name == FIRST_STEP:
                    result.paged_by_first_step = "paged on-call" in done.stdout
                if "id" in step:
                    outputs[step["id"]] = dict(line.split("=", 1) for line in
                                               output.read_text().splitlines() if "=" in line)
            result.steps.append((name, time.perf_counter() - zero))
        return result

    def _uses(self, step: dict[str, Any], temp: Path, outputs: dict[str, dict[str, str]]) -> None:
        if step["uses"].startswith("actions/setup-python@"):
            done = run(["node", "-e", SETUP_PYTHON, str(self.toolcache)])
            version = run([str(self.full_python), "-c", "import platform; "
                           "print(platform.python_version())"]).stdout.strip()
            outputs[step["id"]] = {"python-path": str(self.full_python),
                                   "python-version": version,
                                   **dict([done.stdout.strip().split("=", 1)])}
            outputs[step["id"]]["python-path"] = str(self.full_python)
        elif step["uses"].startswith("actions/cache@"):
            run(["node", "-e", ""])  # the action's runtime starting
            run(["tar", *self.cache.decompress, "-xf", str(self.cache.archive), "-C",
                 str(temp)])
            outputs[step["id"]] = {"cache-hit": "true"}
        else:
            raise SystemExit(f"not modelled: {step['uses']}")


def first_step_alone(replay: Replay) -> tuple[float, float]:
    """The first step's script twice on one fresh copy of the action: (cold, warm) times to
    the page, the second with the bytecode the first compiled (what compiling costs; a job on
    a hosted runner always starts cold)."""
    step = next(s for s in ACTION["runs"]["steps"] if s["name"] == FIRST_STEP)
    script = step["run"].replace("python=/usr/bin/python3", f"python={replay.system_python}")
    scratch = Path(tempfile.mkdtemp(prefix="first-step-"))
    times = []
    try:
        for name in ACTION_FILES:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, scratch / name,
                                ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy2(source, scratch / name)
        for _ in range(2):
            arrivals = Arrivals()
            world = timed_world(replay.loopback, arrivals)
            try:
                world.github.add_issue(replay.payload["issue"])
                world.github.permissions[replay.payload["issue"]["user"]["login"]] = "admin"
                env = world.environment(
                    GITHUB_EVENT_NAME="issues",
                    GITHUB_EVENT_PATH=str(world.event_file(replay.payload)), PYTHONPATH=None,
                    ACTION_PATH=str(scratch), COMMAND="handle", CONFIG="", DRY_RUN="false",
                    PAGE_RECORD=str(scratch / "page.json"))
                started = time.perf_counter()
                run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                    env=env, cwd=replay.loopback.workdir)
                page = arrivals.page()
                if page is None:
                    raise SystemExit("the first step did not page")
                times.append(page.at - started)
            finally:
                Loopback.stop(world)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return times[0], times[1]


def floor(loopback: Loopback, python: str, index: int) -> float:
    arrivals = Arrivals()
    world = timed_world(loopback, arrivals)
    try:
        env = world.environment()
        started = time.perf_counter()
        run([python, "-I", "-c", FLOOR, f"bench#floor-{index}"], env=env, cwd=loopback.workdir)
        page = arrivals.page()
        if page is None:
            raise SystemExit("the floor's request did not reach the fake")
        return page.at - started
    finally:
        Loopback.stop(world)


def toolcache(scratch: Path, python: Path) -> Path:
    """A tool-cache folder as a hosted runner has it, the full run's Python in it."""
    root = scratch / "hostedtoolcache" / "Python"
    target = root / "3.12.8" / "x64" / "bin"
    target.mkdir(parents=True)
    (target / "python3").symlink_to(python)
    return root


def median(values: list[float]) -> str:
    return f"{1000 * statistics.median(values):7.0f}"


def spread(values: list[float]) -> str:
    return f"[{1000 * min(values):.0f}-{1000 * max(values):.0f}]"


def report(today: list[Round], after: list[Round], floors: list[float],
           alone: list[tuple[float, float]], *, cache: Cache, system_python: str) -> None:
    version = run([system_python, "-c", "import sys; print(sys.version.split()[0])"])
    print(f"rounds: {len(today)}; {os.cpu_count()} cores; first step on {system_python} "
          f"(Python {version.stdout.strip()}); full run on {base_python()}")
    print(f"cached folder: {cache.unpacked / 1e6:.0f} MB unpacked, {cache.size / 1e6:.1f} MB "
          f"archived ({cache.archive.suffix[1:]})")
    print("milliseconds after the end of the checkout, median [min-max]:")
    print(f"  {'step (ends at)':32s} {'TODAY':>7s} {'':17s} {'AFTER':>7s}")
    names = [name for name, _ in after[0].steps]
    for name in names:
        before = [dict(r.steps)[name] for r in today if name in dict(r.steps)]
        now = [dict(r.steps)[name] for r in after]
        left = f"{median(before)} {spread(before):17s}" if before else f"{'-':>7s} {'':17s}"
        print(f"  {name:32s} {left} {median(now)} {spread(now)}")
    today_page, after_page = [r.page for r in today], [r.page for r in after]
    print(f"  {'the page reaches PagerDuty':32s} {median(today_page)} {spread(today_page):17s}"
          f" {median(after_page)} {spread(after_page)}")
    early = sum(r.paged_by_first_step for r in after)
    print(f"AFTER: the first step sent the page in {early} of {len(after)} rounds; one trigger "
          "per round in both (the run step recorded it, `--paged`)")
    ratios = [a / f for a, f in zip(after_page, floors, strict=True)]
    print(f"floor: a bare python3 sending one HTTPS request to the fake: {median(floors)} ms "
          f"{spread(floors)}")
    cold, warm = [c for c, _ in alone], [w for _, w in alone]
    print(f"the first step alone, to the page: {median(cold)} ms {spread(cold)} on a fresh "
          f"copy (as on a runner); {median(warm)} ms {spread(warm)} once its bytecode exists")
    print(f"AFTER / floor: {statistics.median(after_page) / statistics.median(floors):.2f}x "
          f"(per round {min(ratios):.2f}-{max(ratios):.2f}x; goal at most 1.5x); "
          f"TODAY / AFTER: {statistics.median(today_page) / statistics.median(after_page):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds (default 7)")
    parser.add_argument("--system-python", default="/usr/bin/python3",
                        help="the runner's own python3 (3.11+ with PyYAML)")
    arguments = parser.parse_args()
    runs = min(max(1, arguments.runs), 100)
    for tool in ("node", "tar", "bash"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is needed to replay the runner's steps")
    run([arguments.system_python, "-I", "-c", "import sys, yaml; "
         "sys.exit(sys.version_info < (3, 11))"])
    scratch = Path(tempfile.mkdtemp(prefix="runner-path-"))
    try:
        python = base_python()
        cache = build_cache(scratch, python)
        replay = Replay(Loopback(), cache, arguments.system_python, python,
                        toolcache(scratch, python))
        replay.round(first_step=True)  # warm the machine's file cache once, untimed
        today, after, floors, alone = [], [], [], []
        for index in range(runs):
            today.append(replay.round(first_step=False))
            after.append(replay.round(first_step=True))
            floors.append(floor(replay.loopback, arguments.system_python, index))
            alone.append(first_step_alone(replay))
        report(today, after, floors, alone, cache=cache, system_python=arguments.system_python)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
