"""The Action's first step against the loopback fakes: it pages before the set-up, without
pydantic, Jinja or any client library, and the full run that follows never pages again.

The step (scripts/page_first.py) runs as the Action runs it: a fresh interpreter in isolated
mode. An import guard refuses every third-party package but PyYAML (which the runner's own
Python has), so a stray import on the step's path fails here. Then `handle --paged FILE`, the
full run, records the page; PagerDuty's dedup key is the second line of defence, shown too.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SECRETS, World, example_event
from tests.fakes.server import Fault
from tests.support import comment_event, opened, status_comments

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "scripts" / "page_first.py"
#: what a GitHub-hosted runner's Python lacks before the set-up: all of it but PyYAML
NOT_ON_THE_RUNNER = ("pydantic", "pydantic_core", "jinja2", "markupsafe", "github", "pagerduty",
                     "httpx2", "httpx", "requests", "urllib3", "datadog_api_client", "slack_sdk",
                     "holidays", "trustme", "regex")
#: runs the launcher as `python -I scripts/page_first.py ARGS`, with those imports refused
GUARDED = """
import runpy, sys
blocked, version = set(sys.argv[1].split(",")), sys.argv[2]
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ImportError(f"not on the runner: {name}", name=name.split(".")[0])
        return None
sys.meta_path.insert(0, Refuse())
if version:
    sys.version_info = tuple(int(part) for part in version.split(".")) + ("final", 0)
sys.argv = sys.argv[3:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@dataclass
class Step:
    returncode: int
    output: str
    record: Path

    @property
    def paged(self) -> bool:
        return self.record.exists()


def first_step(world: World, payload: dict[str, Any], event_name: str = "issues", *,
               blocked: tuple[str, ...] = NOT_ON_THE_RUNNER, version: str = "",
               python: str = sys.executable, **env: str | None) -> Step:
    record = world.workdir / "runner-temp" / "page.json"
    record.parent.mkdir(exist_ok=True)
    record.unlink(missing_ok=True)
    environment = world.environment(GITHUB_EVENT_NAME=event_name,
                                    GITHUB_EVENT_PATH=str(world.event_file(payload)), **env)
    if python == sys.executable:
        command = [python, "-I", "-c", GUARDED, ",".join(blocked), version, str(LAUNCHER)]
    else:
        command = [python, "-I", str(LAUNCHER)]
    done = subprocess.run([*command, "--page-record", str(record)], cwd=world.workdir,
                          env=environment, capture_output=True, text=True, timeout=120,
                          check=False)
    return Step(done.returncode, done.stdout + done.stderr, record)


def triggers(world: World) -> int:
    return sum(1 for r in world.pagerduty.requests
               if (r.json() or {}).get("event_action") == "trigger")


def no_secret_in(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


def test_the_page_leaves_first_and_the_run_records_it(world: World) -> None:
    payload = opened(world)
    step = first_step(world, payload)
    assert step.returncode == 0, step.output
    assert "paged on-call for Codertocat/Hello-World#1 (P1, SEV-2)" in step.output
    assert step.paged and triggers(world) == 1
    assert [r.operation for r in world.github.requests] in (
        ["issues/get", "repos/get-collaborator-permission-level"],
        ["repos/get-collaborator-permission-level", "issues/get"])  # read at the same time
    run = world.call("handle", "--paged", str(step.record), payload=payload)
    assert run.returncode == 0, run.stdout
    assert triggers(world) == 1
    assert len(world.pagerduty.alerts) == 1
    assert "PagerDuty page: done triggered before the incident was loaded" in run.stdout
    assert '"page:trigger"' in status_comments(world)[0]["body"]  # done, in the record
    # the run used the permission the step read instead of reading it again
    assert [r.operation for r in world.github.requests].count(
        "repos/get-collaborator-permission-level") == 1
    assert world.violations() == []
    no_secret_in(step.output + run.stdout + run.stderr)


def test_without_its_record_the_run_repeats_the_trigger_as_the_same_alert(world: World) -> None:
    """The second line of defence: the dedup key keeps one alert."""
    payload = opened(world)
    assert first_step(world, payload).paged
    assert world.call("handle", payload=payload).returncode == 0
    assert triggers(world) == 2
    assert len(world.pagerduty.alerts) == 1


@pytest.mark.parametrize("permission", ["read", "triage", "none"])
def test_an_untrusted_reporter_is_not_paged_for(world: World, permission: str) -> None:
    payload = opened(world, permission=permission)
    step = first_step(world, payload)
    assert step.returncode == 0 and not step.paged
    assert "calls for no page" in step.output
    run = world.call("handle", payload=payload)
    assert run.outputs["phase"] == "triage"  # held for a responder's /declare
    assert world.pagerduty.requests == []


def test_a_priority_that_does_not_page_is_not_paged(world: World) -> None:
    payload = opened(world, "p3-staging-sis")
    step = first_step(world, payload)
    assert not step.paged and world.pagerduty.requests == []


def test_a_report_already_recorded_is_left_to_the_run(world: World) -> None:
    """A re-run of the job of `issues.opened`: the issue has its phase label by now."""
    payload = opened(world)
    assert world.call("handle", payload=payload).returncode == 0
    step = first_step(world, payload)
    assert not step.paged and "calls for no page" in step.output
    assert triggers(world) == 1


def test_other_events_read_nothing(world: World) -> None:
    payload = opened(world)
    step = first_step(world, comment_event(world, "Codertocat", "/update hi", 1),
                      "issue_comment")
    assert step.returncode == 0 and not step.paged
    assert "not a report just opened" in step.output
    labelled = {**payload, "action": "labeled", "label": {"name": "incident"}}
    assert "issues.labeled is not a report just opened" in first_step(world, labelled).output
    assert world.github.requests == [] and world.pagerduty.requests == []


def test_an_issue_that_is_not_an_incident_is_not_paged_for(world: World) -> None:
    """The reads start before the configuration says which label makes an incident (they
    overlap its reading), so they happen; nothing else does."""
    payload = example_event()
    payload["issue"]["labels"] = [{"name": "bug"}]
    world.github.add_issue(payload["issue"])
    step = first_step(world, payload)
    assert "not an incident report" in step.output and not step.paged
    assert world.pagerduty.requests == []


@pytest.mark.parametrize(("env", "said"), [
    ({"PAGERDUTY_ROUTING_KEY": None}, "PAGERDUTY_ROUTING_KEY is not set"),
    ({"GITHUB_TOKEN": None}, "GITHUB_TOKEN is not set"),
])
def test_without_a_secret_the_step_does_nothing(world: World, env: dict[str, str | None],
                                                said: str) -> None:
    step = first_step(world, opened(world), **env)
    assert step.returncode == 0 and said in step.output and not step.paged
    assert world.github.requests == [] and world.pagerduty.requests == []


# -- fail safe: anything unusual leaves the page to the full run, which pages once -----------


def _the_run_pages_once(world: World, payload: dict[str, Any], step: Step) -> None:
    assert step.returncode == 0, step.output
    assert not step.paged
    assert "::notice title=incident-response%3A early page skipped::" in step.output
    assert step.output.count("::notice") == 1
    no_secret_in(step.output)
    run = world.call("handle", payload=payload)
    assert run.returncode == 0, run.stdout
    assert len(world.pagerduty.alerts) == 1
    assert world.violations() == []


@pytest.mark.parametrize("fault", [Fault(status=500), Fault(status=429), Fault(kind="lost")])
def test_a_page_that_fails_is_sent_by_the_run(world: World, fault: Fault) -> None:
    payload = opened(world)
    world.pagerduty.inject("createV2Event", fault)
    step = first_step(world, payload)
    assert "the full run sends the page" in step.output
    _the_run_pages_once(world, payload, step)


@pytest.mark.parametrize("operation", ["issues/get", "repos/get-collaborator-permission-level"])
def test_a_read_that_fails_leaves_the_page_to_the_run(world: World, operation: str) -> None:
    payload = opened(world)
    world.github.inject(operation, Fault(status=502))
    step = first_step(world, payload)
    assert "failed with HTTP 502" in step.output
    assert world.pagerduty.requests == []
    _the_run_pages_once(world, payload, step)


@pytest.mark.parametrize("config", [
    "delivery:\n  attempts: '3'\n",  # the model converts it; the step's reader does not
    "priorities:\n  P1: {page: yes, declare: true}\n",  # YAML 1.1's yes: a bool, kept
    "labels:\n  incident: incident\n  phase_prefix: !!binary aGk=\n",
])
def test_a_configuration_the_step_does_not_read_is_left_to_the_run(world: World,
                                                                  config: str) -> None:
    (world.workdir / ".github" / "incident-response.yml").write_text(config, encoding="utf-8")
    payload = opened(world)
    step = first_step(world, payload)
    if "yes" in config:  # PyYAML reads `yes` as true, as the full run does: it pages
        assert step.paged, step.output
        assert world.call("handle", "--paged", str(step.record),
                          payload=payload).returncode == 0
        assert triggers(world) == 1
        return
    assert "the configuration is left to the full run" in step.output
    _the_run_pages_once(world, payload, step)


def test_without_pyyaml_the_step_is_skipped(world: World) -> None:
    payload = opened(world)
    step = first_step(world, payload, blocked=(*NOT_ON_THE_RUNNER, "yaml"))
    assert "this Python lacks the module 'yaml'" in step.output
    assert world.github.requests == []
    _the_run_pages_once(world, payload, step)


def test_an_older_python_is_skipped(world: World) -> None:
    payload = opened(world)
    step = first_step(world, payload, version="3.10.12")
    assert "this Python is 3.10.12, older than 3.11" in step.output
    assert world.github.requests == []
    _the_run_pages_once(world, payload, step)


def test_a_record_of_another_issue_is_ignored(world: World) -> None:
    first = opened(world)
    step = first_step(world, first)
    second = example_event()
    second["issue"] = {**second["issue"], "number": 2,
                       "html_url": second["issue"]["html_url"].replace("/1", "/2")}
    world.github.add_issue(second["issue"])
    run = world.call("handle", "--paged", str(step.record), payload=second)
    assert run.returncode == 0
    assert "page record ignored" in run.stdout
    assert len(world.pagerduty.alerts) == 2  # #2 paged by its own run


def _runner_python() -> str | None:
    """The machine's own python3, as a runner has it: 3.11 or newer, PyYAML, no pydantic."""
    for candidate in ("/usr/bin/python3", shutil.which("python3")):
        if not candidate or Path(candidate).resolve() == Path(sys.executable).resolve():
            continue
        probe = subprocess.run(
            [candidate, "-I", "-c", "import sys, yaml; sys.exit(sys.version_info < (3, 11))"],
            capture_output=True, check=False)
        lacks = subprocess.run([candidate, "-I", "-c", "import pydantic"], capture_output=True,
                               check=False)
        if probe.returncode == 0 and lacks.returncode != 0:
            return candidate
    return None


def test_the_machines_own_python_pages(world: World) -> None:
    python = _runner_python()
    if python is None:
        pytest.skip("no python3 here like a runner's (3.11+, PyYAML, no pydantic)")
    payload = opened(world)
    step = first_step(world, payload, python=python)
    assert step.paged, step.output
    assert world.call("handle", "--paged", str(step.record), payload=payload).returncode == 0
    assert triggers(world) == 1


def test_the_page_record_holds_no_secret(world: World) -> None:
    step = first_step(world, opened(world))
    assert step.paged
    no_secret_in(step.record.read_text(encoding="utf-8"))


def test_the_launcher_reads_as_old_python(world: World) -> None:
    """scripts/page_first.py must parse on an old interpreter, to say why it is skipped."""
    import ast

    ast.parse(LAUNCHER.read_text(encoding="utf-8"), feature_version=(3, 6))


def test_the_step_in_process(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same step called in this process (the shell's function, without the launcher)."""
    from datetime import UTC, datetime

    from incident_response.shell.context import RunContext
    from incident_response.shell.page_record import read_page_record
    from incident_response.shell.page_step import page_step

    payload = opened(world)
    env = world.environment(GITHUB_EVENT_NAME="issues",
                            GITHUB_EVENT_PATH=str(world.event_file(payload)))
    monkeypatch.chdir(world.workdir)
    record = world.workdir / "page.json"
    outcome = page_step(RunContext.from_environment(env, datetime.now(UTC)), None, record)
    assert outcome.paged and not outcome.unusual
    saved = read_page_record(record, "codertocat/hello-world", 1)  # as GitHub compares names
    assert saved is not None and saved.reporter_permission == "admin"
    assert saved.page.dedup_key == "Codertocat/Hello-World#1"
    assert read_page_record(record, "Codertocat/Hello-World", 2) is None
    again = page_step(RunContext.from_environment(
        {**env, "PAGERDUTY_EVENTS_URL": "http://127.0.0.1:9"}, datetime.now(UTC)), None, record)
    assert again.unusual and "PAGERDUTY_EVENTS_URL is not an https URL" in again.text
    assert triggers(world) == 1


def test_an_unreadable_record_is_ignored_and_the_run_pages(world: World) -> None:
    payload = opened(world)
    broken = world.workdir / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    run = world.call("handle", "--paged", str(broken), payload=payload)
    assert run.returncode == 0
    assert "page record ignored" in run.stdout
    assert triggers(world) == 1
