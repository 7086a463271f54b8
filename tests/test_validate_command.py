from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml"


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "incident_response", "validate", *args],
                          cwd=cwd, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": ""},
                          capture_output=True, text=True, check=False, timeout=60)


def test_the_shipped_config_and_form_agree() -> None:
    result = run()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "config and form agree (10 services" in result.stdout


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
