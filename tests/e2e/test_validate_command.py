from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incident_response", "validate", *args],
                          cwd=cwd, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": ""},
                          capture_output=True, text=True, check=False, timeout=60)


def test_the_shipped_config_and_form_agree() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "config and form agree (10 services" in result.stdout
    assert "incident label `incident`, as in .github/workflows/incident.yml" in result.stdout


def test_a_form_service_missing_from_the_config_is_named(tmp_path: Path) -> None:
    form = yaml.safe_load(FORM.read_text())
    service = next(f for f in form["body"] if f.get("id") == "service")
    service["attributes"]["options"].append("Payments")
    del form["body"][[f.get("id") for f in form["body"]].index("summary")]
    bad = tmp_path / "incident.yml"
    bad.write_text(yaml.safe_dump(form))
    result = run("--form", str(bad))
    assert result.returncode == 2
    assert "form service option `Payments` is not in the config's services" in result.stdout
    assert "the form has no field with id `summary` (textarea)" in result.stdout


def test_a_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "c.yml"
    config.write_text("slack:\n  channel: '#x'\n")
    result = run("--config", str(config))
    assert result.returncode == 2
    assert "slack.channel: unknown key" in result.stderr


def test_a_missing_config_file_is_a_usage_error(tmp_path: Path) -> None:
    result = run("--config", str(tmp_path / "nope.yml"))
    assert result.returncode == 2
    assert "no such file" in result.stderr


WORKFLOW = ROOT / ".github" / "workflows" / "incident.yml"


def repository(tmp_path: Path, config: str, *, workflow: str | None = None) -> Path:
    """A checkout with a config, the shipped form and (unless None) this events workflow."""
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "incident-response.yml").write_text(config)
    (tmp_path / ".github" / "ISSUE_TEMPLATE").mkdir()
    (tmp_path / ".github" / "ISSUE_TEMPLATE" / "incident.yml").write_text(FORM.read_text())
    if workflow is not None:
        (tmp_path / ".github" / "workflows" / "incident.yml").write_text(workflow)
    return tmp_path


def test_an_incident_label_the_form_and_workflow_do_not_use_fails_naming_each_place(
        tmp_path: Path) -> None:
    root = repository(tmp_path, "labels:\n  incident: outage\n",
                      workflow=WORKFLOW.read_text())
    result = run("--config", ".github/incident-response.yml", cwd=root)
    assert result.returncode == 2, result.stdout
    assert ("the config's labels.incident (.github/incident-response.yml) is `outage`, but the "
            "form (.github/ISSUE_TEMPLATE/incident.yml) applies the labels `incident` (its "
            "top-level `labels:`), so a report never gets `outage` and is never handled; add "
            "`outage` to the form's `labels:`, or set labels.incident in the config to the "
            "form's label") in result.stdout
    assert ("but .github/workflows/incident.yml's `if:` runs the job only for the label "
            "'incident'; replace 'incident' with 'outage' in its "
            "contains(github.event.issue.labels.*.name, ...)") in result.stdout


def test_the_default_config_file_is_found_and_named(tmp_path: Path) -> None:
    root = repository(tmp_path, "labels:\n  incident: outage\n")
    result = run(cwd=root)  # no workflow: only the form is checked
    assert result.returncode == 2
    assert "labels.incident (.github/incident-response.yml) is `outage`" in result.stdout
    assert "workflows/incident.yml" not in result.stdout


def test_one_label_everywhere_passes(tmp_path: Path) -> None:
    workflow = WORKFLOW.read_text().replace("'incident'", "'outage'")
    root = repository(tmp_path, "labels:\n  incident: outage\n", workflow=workflow)
    form = root / ".github" / "ISSUE_TEMPLATE" / "incident.yml"
    form.write_text(form.read_text().replace("labels: [incident]", "labels: outage, triage"))
    result = run(cwd=root)
    assert result.returncode == 0, result.stdout
    assert "incident label `outage`, as in .github/workflows/incident.yml" in result.stdout


def test_a_workflow_whose_if_tests_no_label_is_named(tmp_path: Path) -> None:
    workflow = WORKFLOW.read_text().replace(
        "contains(github.event.issue.labels.*.name, 'incident')", "true").replace(
        "github.event.label.name == 'incident'", "true")
    root = repository(tmp_path, "", workflow=workflow)
    result = run(cwd=root)
    assert result.returncode == 2
    assert (".github/workflows/incident.yml: its `if:` does not test for the incident label "
            "(contains(github.event.issue.labels.*.name, 'incident'))") in result.stdout
