"""Shared test set-up: a throwaway CA, the four loopback fakes, and a `handle` runner."""

from __future__ import annotations

import contextlib
import io
import json
import os
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import trustme

from tests.fakes.datadog import FakeDatadog
from tests.fakes.github import FakeGitHub
from tests.fakes.pagerduty import FakePagerDuty
from tests.fakes.slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
SECRETS = ("ghs_bot_token", "xoxb-test-token", "dd-api-key-secret", "dd-app-key-secret",
           "R0UTINGKEY0000000000000000000000")

#: service client packages (and their HTTP stacks) that must not load when nothing is sent
VENDORS = ("github", "datadog_api_client", "slack_sdk", "pagerduty", "httpx2", "requests",
           "urllib3")
#: runs `incident-response ARGS...` in-process, then prints which VENDORS were imported
IMPORT_PROBE = f"""
import json, sys
from incident_response.cli import main
code = main(sys.argv[1:])
loaded = sorted({{m.split('.')[0] for m in sys.modules}} & set({list(VENDORS)!r}))
print(json.dumps({{"code": code, "loaded": loaded}}))
"""

TEST_CONFIG = """\
delivery:
  attempts: 3
  timeout_seconds: 2
  backoff_seconds: 0.05
people:
  Codertocat:
    slack: U0CODERTOCAT
    datadog: 654d8602-a17a-45dc-b651-ed566eb8a26b
    name: Coder Tocat
"""


@pytest.fixture(scope="session")
def certificate_authority(tmp_path_factory: pytest.TempPathFactory) -> tuple[trustme.CA, Path]:
    ca = trustme.CA()
    bundle = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    return ca, bundle


@pytest.fixture(scope="session")
def server_tls(certificate_authority: tuple[trustme.CA, Path]) -> ssl.SSLContext:
    ca, _ = certificate_authority
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("localhost", "127.0.0.1").configure_cert(context)
    return context


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    summary: str
    outputs: dict[str, str]


@dataclass
class World:
    github: FakeGitHub
    datadog: FakeDatadog
    slack: FakeSlack
    pagerduty: FakePagerDuty
    workdir: Path
    ca_bundle: Path

    def environment(self, **overrides: str | None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("GITHUB_", "DD_", "DATADOG_", "SLACK_", "PAGERDUTY_"))}
        env.update({
            "PYTHONPATH": str(ROOT / "scripts") + os.pathsep + env.get("PYTHONPATH", ""),
            "SSL_CERT_FILE": str(self.ca_bundle),
            "GITHUB_TOKEN": "ghs_bot_token",
            "GITHUB_API_URL": self.github.url,
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": self.github.repository,
            "GITHUB_RUN_ID": "4242",
            # a run as GitHub Actions starts it (a person's run from a terminal unsets it)
            "GITHUB_ACTIONS": "true",
            "DD_API_KEY": "dd-api-key-secret",
            "DD_APP_KEY": "dd-app-key-secret",
            "DATADOG_API_URL": self.datadog.url,
            "SLACK_BOT_TOKEN": "xoxb-test-token",
            "SLACK_API_URL": self.slack.url + "/api/",
            "PAGERDUTY_ROUTING_KEY": self.pagerduty.routing_key,
            "PAGERDUTY_EVENTS_URL": self.pagerduty.url,
            "WORKDIR": str(self.workdir),
        })
        for key, value in overrides.items():
            if value is None:
                env.pop(key, None)
            else:
                env[key] = value
        return env

    def event_file(self, payload: dict[str, Any], name: str = "event.json") -> Path:
        path = self.workdir / name
        path.write_text(json.dumps(payload), encoding="utf-8")
        return path

    def handle(self, payload: dict[str, Any], event_name: str = "issues", *args: str,
               isolated: bool = False, **env: str | None) -> Run:
        """`incident-response handle` for this event: in-process unless `isolated`, which runs
        it as a subprocess, as GitHub Actions does (a few tests keep that path honest)."""
        return self._run("handle", args, env, isolated=isolated, payload=payload,
                         event_name=event_name)

    def sweep(self, *args: str, isolated: bool = False, **env: str | None) -> Run:
        return self._run("sweep", args, env, isolated=isolated)

    def call(self, command: str, *args: str, payload: dict[str, Any] | None = None,
             event_name: str = "issues", **env: str | None) -> Run:
        """Run `incident-response COMMAND ARGS` in this process: the same program as a
        subprocess (real clients, real HTTP to the fakes), without an interpreter's start-up.
        Safe from threads of one test (races): the environment is the same for every run."""
        return self._run(command, args, env, isolated=False, payload=payload,
                         event_name=event_name)

    def _run(self, command: str, args: tuple[str, ...], env: dict[str, str | None], *,
             isolated: bool, payload: dict[str, Any] | None = None,
             event_name: str = "issues") -> Run:
        summary = self.workdir / f"summary-{threading.get_ident()}.md"
        outputs = self.workdir / f"outputs-{threading.get_ident()}.txt"
        summary.write_text("", encoding="utf-8")
        outputs.write_text("", encoding="utf-8")
        extra: dict[str, str | None] = {"GITHUB_STEP_SUMMARY": str(summary),
                                        "GITHUB_OUTPUT": str(outputs), **env}
        if payload is not None:
            event = self.event_file(payload, f"event-{threading.get_ident()}.json")
            extra.update(GITHUB_EVENT_NAME=event_name, GITHUB_EVENT_PATH=str(event))
        environment = self.environment(**extra)
        if isolated:
            completed = subprocess.run(
                [sys.executable, "-m", "incident_response", command, *args],
                cwd=self.workdir, env=environment, capture_output=True, text=True,
                timeout=300, check=False)
            code, stdout, stderr = completed.returncode, completed.stdout, completed.stderr
        else:
            from incident_response.cli import main

            out, err = io.StringIO(), io.StringIO()
            with _environment(environment), contextlib.redirect_stdout(out), (
                    contextlib.redirect_stderr(err)):
                code = main([command, *args])
            stdout, stderr = out.getvalue(), err.getvalue()
        output_lines = outputs.read_text(encoding="utf-8").splitlines()
        return Run(code, stdout, stderr, summary.read_text(encoding="utf-8"),
                   dict(line.split("=", 1) for line in output_lines if "=" in line))

    def violations(self) -> list[str]:
        return [v for fake in (self.github, self.datadog, self.slack, self.pagerduty)
                for v in fake.violations]

    def outside_requests(self) -> int:
        return len(self.datadog.requests) + len(self.slack.requests) + len(
            self.pagerduty.requests)


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    saved, cwd = dict(os.environ), Path.cwd()
    os.environ.clear()
    os.environ.update(values)
    os.chdir(values["WORKDIR"])
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
        os.chdir(cwd)


@pytest.fixture
def world(server_tls: ssl.SSLContext, certificate_authority: tuple[trustme.CA, Path],
          tmp_path: Path) -> Iterator[World]:
    fakes = (FakeGitHub(server_tls), FakeDatadog(server_tls), FakeSlack(server_tls),
             FakePagerDuty(server_tls))
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "incident-response.yml").write_text(TEST_CONFIG, encoding="utf-8")
    yield World(*fakes, workdir=tmp_path, ca_bundle=certificate_authority[1])
    for fake in fakes:
        fake.stop()


def example_event(name: str = "p1-production-ssoe") -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (EXAMPLES / "events" / f"issues.opened.{name}.json").read_text(encoding="utf-8"))
    return data
