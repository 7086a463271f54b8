"""`action.yml` run step by step, as a GitHub runner would, against the loopback fakes.

The runner is emulated just enough: `${{ }}` expressions are evaluated (only where GitHub allows
them, and this test also checks they never appear inside a `run:` script), `uses:` steps are
stood in for (setup-python gives this machine's Python; the cache step restores a cache folder),
and `run:` steps execute with `bash --noprofile --norc -eo pipefail` and the step's `env:`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import World
from tests.support import opened

ROOT = Path(__file__).resolve().parents[2]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*(?P<expr>.*?)\s*\}\}")
#: restored by the emulated cache step, like actions/cache between workflow runs
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "incident-response-test-uv"


def _python_with_pip() -> str | None:
    for candidate in (getattr(sys, "_base_executable", None), shutil.which("python3")):
        if candidate and subprocess.run([candidate, "-m", "pip", "--version"],
                                        capture_output=True, check=False).returncode == 0:
            return candidate
    return None


class Runner:
    def __init__(self, world: World, inputs: dict[str, str], event: dict[str, Any]) -> None:
        self.world = world
        self.temp = world.workdir / "runner-temp"
        self.temp.mkdir(exist_ok=True)
        defaults = {name: str(spec.get("default", "")) for name, spec in
                    ACTION["inputs"].items()}
        self.github = {"action_path": str(ROOT), "token": "ghs_bot_token"}
        self.inputs = {k: self._evaluate(v) for k, v in defaults.items()} | inputs
        self.steps: dict[str, dict[str, str]] = {}
        self.event_path = world.event_file(event)
        self.summary = world.workdir / "step-summary.md"

    def _value(self, expression: str) -> str:
        scope, _, name = expression.partition(".")
        if scope == "inputs":
            return self.inputs[name]
        if scope == "github":
            return self.github[name]
        if scope == "runner" and name == "temp":
            return str(self.temp)
        if scope == "runner" and name == "os":
            return "Linux"
        if scope == "steps":
            step, _, output = name.partition(".outputs.")
            return self.steps.get(step, {}).get(output, "")
        raise AssertionError(f"expression not emulated: {expression}")

    def _evaluate(self, text: str) -> str:
        return EXPRESSION.sub(lambda m: self._value(m["expr"]), text)

    def run(self) -> tuple[int, str]:
        log = []
        for step in ACTION["runs"]["steps"]:
            if "uses" in step:
                self._uses(step)
                continue
            assert "${{" not in step["run"], f"expression inside a run script: {step['name']}"
            output = self.temp / f"output-{len(log)}"
            output.write_text("")
            env = self.world.environment(
                GITHUB_EVENT_NAME="issues", GITHUB_EVENT_PATH=str(self.event_path),
                GITHUB_STEP_SUMMARY=str(self.summary), GITHUB_OUTPUT=str(output),
                GITHUB_TOKEN=None, DD_API_KEY=None, DD_APP_KEY=None, SLACK_BOT_TOKEN=None,
                PAGERDUTY_ROUTING_KEY=None, PYTHONPATH=None, VIRTUAL_ENV=None,
            ) | {k: self._evaluate(str(v)) for k, v in step.get("env", {}).items()}
            done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c",
                                   step["run"]], env=env, cwd=self.world.workdir,
                                  capture_output=True, text=True, timeout=600, check=False)
            log.append(f"--- {step['name']} (exit {done.returncode})\n{done.stdout}{done.stderr}")
            if "id" in step:
                self.steps[step["id"]] = dict(
                    line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
            if done.returncode != 0:
                return done.returncode, "\n".join(log)
        return 0, "\n".join(log)

    def _uses(self, step: dict[str, Any]) -> None:
        if step["uses"].startswith("actions/setup-python@"):
            python = _python_with_pip()
            if python is None:
                pytest.skip("no Python with pip on this machine to stand in for setup-python")
            version = subprocess.run([python, "-c", "import platform;"
                                      "print(platform.python_version())"],
                                     capture_output=True, text=True, check=True).stdout.strip()
            self.steps[step["id"]] = {"python-path": python, "python-version": version}
        elif step["uses"].startswith("actions/cache@"):
            path = Path(self._evaluate(step["with"]["path"]))
            CACHE.mkdir(parents=True, exist_ok=True)
            path.symlink_to(CACHE, target_is_directory=True)
        else:
            raise AssertionError(f"action not emulated: {step['uses']}")

    def output(self, name: str) -> str:
        return EXPRESSION.sub(lambda m: self._value(m["expr"]), ACTION["outputs"][name]["value"])


def test_every_action_input_is_documented_and_passed_through_env() -> None:
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description"), name
    scripts = [s["run"] for s in ACTION["runs"]["steps"] if "run" in s]
    assert all("${{" not in script for script in scripts)
    run_step = next(s for s in ACTION["runs"]["steps"] if s.get("id") == "run")
    passed = " ".join(str(v) for v in run_step["env"].values())
    for name in ACTION["inputs"]:
        assert f"inputs.{name}" in passed, name
    for spec in ACTION["runs"]["steps"]:
        if "uses" in spec:
            assert re.search(r"@[0-9a-f]{40}$", spec["uses"]), spec["uses"]


def test_the_action_handles_a_p1_opened_event(world: World) -> None:
    payload = opened(world)
    runner = Runner(world, {
        "datadog-api-key": "dd-api-key-secret", "datadog-app-key": "dd-app-key-secret",
        "slack-bot-token": "xoxb-test-token",
        "pagerduty-routing-key": world.pagerduty.routing_key,
    }, payload)
    code, log = runner.run()
    assert code == 0, log
    assert len(world.pagerduty.alerts) == 1
    assert len(world.datadog.incidents) == 1
    assert len(world.slack.in_channel("#identity-support")) == 1
    assert world.github.label_names(1) == ["incident", "phase:active", "priority:P1",
                                           "severity:SEV-2"]
    assert (runner.output("incident-number"), runner.output("priority"),
            runner.output("severity"), runner.output("phase")) == ("1", "P1", "SEV-2", "active")
    assert runner.output("postmortem-pr") == ""
    for secret in ("dd-api-key-secret", "xoxb-test-token", "ghs_bot_token"):
        assert secret not in log


def test_the_action_fails_clearly_without_a_token(world: World) -> None:
    runner = Runner(world, {"github-token": ""}, opened(world))
    code, log = runner.run()
    assert code == 2
    assert "GITHUB_TOKEN is not set" in log
    assert world.outside_requests() == 0


def test_the_action_refuses_an_unknown_command(world: World) -> None:
    runner = Runner(world, {"command": "deploy"}, opened(world))
    code, log = runner.run()
    assert code == 2
    assert "input 'command' is 'deploy'; use handle, sweep, drill, validate or report" in log


def test_the_action_pages_in_its_first_step_and_the_run_records_it(world: World) -> None:
    """The first step, before setup-python, pages on the machine's own python3 (a runner's:
    /usr/bin/python3 with PyYAML); the run step gets its record (`--paged`) and does not page
    again. Where this machine's python3 cannot (too old, no PyYAML), the step says so in a
    notice and the run step pages: one trigger either way."""
    assert ACTION["runs"]["steps"][0]["name"] == "Page on-call first"
    assert "uses" not in ACTION["runs"]["steps"][0]  # nothing to download or set up first
    runner = Runner(world, {"pagerduty-routing-key": world.pagerduty.routing_key},
                    opened(world))
    code, log = runner.run()
    assert code == 0, log
    triggers = [r for r in world.pagerduty.requests if r.json()["event_action"] == "trigger"]
    assert len(triggers) == 1
    first, *_ = log.split("--- Cache key")
    if "paged on-call for Codertocat/Hello-World#1" in first:
        assert "PagerDuty page: done triggered before the incident was loaded" in log
    else:
        assert "early page skipped" in first, first
    assert world.pagerduty.routing_key not in log


def test_the_first_step_stays_out_of_other_commands(world: World) -> None:
    runner = Runner(world, {"command": "sweep", "list-due": "true",
                            "pagerduty-routing-key": world.pagerduty.routing_key},
                    opened(world))
    code, log = runner.run()
    assert code == 0, log
    first, *_ = log.split("--- Cache key")
    assert first.strip() == "--- Page on-call first (exit 0)"
    assert world.pagerduty.requests == []
