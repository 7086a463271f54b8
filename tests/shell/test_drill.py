"""The drill: a whole tabletop incident, offline, through the real core and shell."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import IMPORT_PROBE

ROOT = Path(__file__).resolve().parents[2]


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
    # the page and its resolution; one read of the page's acknowledgement (then recorded)
    assert [c["operation"] for c in calls if c["service"] == "PagerDuty"] == [
        "trigger", "read acknowledgement", "resolve"]
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


FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml"
PAYMENTS = """\
labels:
  incident: outage
environments:
  - {name: prod, tier: 1}
  - {name: test, tier: 2}
services:
  - name: Payments
    recovery_procedure: https://runbooks.example.com/payments
    monitors: [Payments error rate]
"""


def adopter(tmp_path: Path, config: str = PAYMENTS, **options: list[str]) -> None:
    """The adopter's checkout: their config, and the shipped form with their options."""
    (tmp_path / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (tmp_path / ".github" / "incident-response.yml").write_text(config)
    form = yaml.safe_load(FORM.read_text())
    form["labels"] = ["outage"]
    for element in form["body"]:
        if element.get("id") in options:
            element["attributes"]["options"] = options[element["id"]]
    (tmp_path / ".github" / "ISSUE_TEMPLATE" / "incident.yml").write_text(yaml.safe_dump(form))


def test_the_drill_uses_the_adopters_services_form_and_label(tmp_path: Path) -> None:
    adopter(tmp_path, service=["Payments"], environment=["prod", "test"])
    run = drill(tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "classified P1 / SEV-2" in run.stdout
    assert "Datadog: incident declared: Payments is experiencing degraded service" in run.stdout
    assert "open pull request: number 2, title Post-mortem: Drill: Payments sign-in" in run.stdout
    assert "Datadog: incident updated: state completed" in run.stdout
    assert "SSOe" not in (tmp_path / "out" / "status-comment.md").read_text()
    [document] = (tmp_path / "out").glob("2026-11-28-incident-1-drill-payments-*.md")
    assert "Payments error rate" in document.read_text()


def test_the_staging_drill_takes_the_adopters_second_tier(tmp_path: Path) -> None:
    adopter(tmp_path, service=["Payments"], environment=["prod", "test"])
    run = drill(tmp_path, "--scenario", "p3-staging")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "test is tier 2" in run.stdout


def test_a_form_with_no_service_of_the_config_is_refused_in_one_sentence(
        tmp_path: Path) -> None:
    adopter(tmp_path)  # the form still offers the built-in services
    run = drill(tmp_path)
    assert json.loads(run.stdout.strip().splitlines()[-1])["code"] == 2
    assert run.stderr.strip() == (
        "incident-response: the drill cannot run with this config and form: no service of the "
        "config's `services:` is an option of the form's `service` dropdown "
        "(`incident-response validate` names every disagreement)")
    assert "Traceback" not in run.stderr


def test_the_drill_takes_another_form(tmp_path: Path) -> None:
    adopter(tmp_path, service=["Payments"], environment=["prod", "test"])
    run = drill(tmp_path, "--form", str(FORM))  # the shipped form: no Payments
    assert "no service of the config's `services:`" in run.stderr


def cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "DD_", "SLACK_", "PAGERDUTY_"))}
    env["PYTHONPATH"] = str(ROOT / "scripts")
    return subprocess.run([sys.executable, "-m", "incident_response", *args], cwd=tmp_path,
                          env=env, capture_output=True, text=True, check=False, timeout=120)


EVENT = str(ROOT / "examples" / "events" / "issues.opened.p1-production-ssoe.json")


def test_handle_takes_a_form(tmp_path: Path) -> None:
    custom = tmp_path / "my-form.yml"
    custom.write_text(FORM.read_text())
    run = cli(tmp_path, "handle", "--dry-run", "--event", EVENT, "--event-name", "issues",
              "--form", str(custom))
    assert run.returncode == 0, run.stderr
    assert "P1" in run.stdout
    missing = cli(tmp_path, "handle", "--dry-run", "--event", EVENT, "--event-name", "issues",
                  "--form", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2
    assert f"{tmp_path / 'nope.yml'}: cannot read the issue form" in missing.stderr


def test_sweep_takes_a_form(tmp_path: Path) -> None:
    run = cli(tmp_path, "sweep", "--repo", "acme/app", "--form", str(tmp_path / "nope.yml"))
    assert run.returncode == 2
    assert f"{tmp_path / 'nope.yml'}: cannot read the issue form" in run.stderr


@pytest.mark.parametrize("name", ["issue", "push", "Issues"])
def test_an_unknown_event_name_is_a_usage_error(tmp_path: Path, name: str) -> None:
    run = cli(tmp_path, "handle", "--dry-run", "--event", EVENT, "--event-name", name)
    assert run.returncode == 2
    assert run.stderr.strip() == (
        f"incident-response: --event-name {name!r} is not a GitHub Actions event this program "
        "handles; use one of issues, issue_comment, pull_request, schedule, workflow_dispatch")
    assert "nothing to do" not in run.stdout


def test_a_known_event_that_is_not_about_an_incident_is_still_nothing_to_do(
        tmp_path: Path) -> None:
    run = cli(tmp_path, "handle", "--event", EVENT, "--event-name", "workflow_dispatch",
              "--repo", "acme/app")
    assert run.returncode == 0, run.stderr
    assert "nothing to do" in run.stdout


def test_the_overdue_postmortem_drill_chases_and_ends_with_the_months_report(
        tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "DD_", "SLACK_", "PAGERDUTY_"))}
    env["PYTHONPATH"] = str(ROOT / "scripts")
    # Resolved Tuesday 2026-11-24; Thanksgiving on Thursday: due at the end of Friday 11-27.
    run = subprocess.run(
        [sys.executable, "-m", "incident_response", "drill", "--scenario",
         "overdue-postmortem", "--now", "2026-11-24T14:00:00Z", "--output",
         str(tmp_path / "out")], cwd=tmp_path, env=env, capture_output=True, text=True,
        check=False, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    reminders = [line for line in run.stdout.splitlines()
                 if "this post-mortem is due on 2026-11-27" in line]
    overdue = [line for line in run.stdout.splitlines()
               if "the post-mortem of this incident was due on 2026-11-27" in line]
    leadership = [line for line in run.stdout.splitlines() if "Overdue: the post-mortem" in line]
    assert len(reminders) == 1  # once, on the last business day before (Wednesday)
    assert len(overdue) == 2  # Monday and Tuesday: not Saturday, not Sunday
    assert len(leadership) == 1
    report = (tmp_path / "out" / "incident-report-2026-11.md").read_text(encoding="utf-8")
    assert "Post-mortems: 0 merged on time, 1 late" in report
    assert "| MTTA (page to acknowledgement) | 4.0 |" in report
