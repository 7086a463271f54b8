"""The drill: a whole tabletop incident, offline, through the real core and shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IMPORT_PROBE

ROOT = Path(__file__).resolve().parent.parent


def drill(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "DD_", "SLACK_", "PAGERDUTY_"))}
    env["PYTHONPATH"] = str(ROOT / "scripts")
    return subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, "drill",
         "--now", "2026-11-28T08:10:00Z", "--output", str(tmp_path / "out"), *args],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=False, timeout=120)


def test_the_p1_drill_runs_the_whole_lifecycle_offline(tmp_path: Path) -> None:
    run = drill(tmp_path)
    assert run.returncode == 0, run.stderr
    *lines, probe = run.stdout.strip().splitlines()
    assert json.loads(probe) == {"code": 0, "loaded": []}  # no service client, so no network
    output = "\n".join(lines)
    for expected in (
        "classified P1 / SEV-2",
        "PagerDuty: on-call paged (critical), dedup key drill/identity#1",
        "Datadog: incident declared: SSOe is experiencing degraded service (SEV-2, active)",
        "Slack: #identity-leadership (channel): Declared P1",
        "Rolling back the ISAM configuration change",
        "comment: @drill-commander: this P1 incident has had no update for 30 minutes",
        "Datadog: incident updated: state stable",
        "PagerDuty: page resolved",
        "open pull request: number 2, title Post-mortem: Drill: SSOe sign-in failing",
        "Datadog: incident updated: state completed",
        "Datadog: attach post-mortem",
        "open issue: number 3, title Follow-up of incident #1",
    ):
        assert expected in output, expected
    assert output.index("PagerDuty: on-call paged") < output.index("Datadog: incident declared")
    folder = tmp_path / "out"
    [document] = folder.glob("2026-11-28-incident-1-*.md")
    text = document.read_text()
    assert "| 2026-11-28 07:55 | ISAM configuration change deployed | @drill-commander |" in text
    assert "Alert on the SSOe error rate within 5 minutes (owner: @drill-responder)" in text
    calls = [json.loads(line) for line in (folder / "transcript.jsonl").read_text().splitlines()]
    assert sum(c["service"] == "PagerDuty" for c in calls) == 2
    assert "phase:completed" in (folder / "status-comment.md").read_text()


@pytest.mark.parametrize(("scenario", "expected", "absent"), [
    ("p3-staging", "classified P3 / SEV-4", "PagerDuty"),
    ("escalation", "Priority P2 \u2192 P1 (set by @drill-reporter); the incident is now "
                   "declared", None),
])
def test_other_scenarios(tmp_path: Path, scenario: str, expected: str, absent: str | None) -> None:
    run = drill(tmp_path, "--scenario", scenario)
    assert run.returncode == 0, run.stderr
    assert expected in run.stdout
    if absent:
        assert f"\u2192 {absent}" not in run.stdout
    assert list((tmp_path / "out").glob("*-incident-1-*.md"))


def test_an_unknown_scenario_is_a_usage_error(tmp_path: Path) -> None:
    run = drill(tmp_path, "--scenario", "tornado")
    assert json.loads(run.stdout.strip().splitlines()[-1])["code"] == 2
    assert "choose one of p1, p3-staging, escalation" in run.stderr
