"""Before any incident, `validate` (offline) and `init` say which scopes the Slack bot needs for
the config's channels as written, and what happens without them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, World

FORM = ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml"


def validate(config: str, tmp_path: Path) -> str:
    (tmp_path / ".github" / "ISSUE_TEMPLATE").mkdir(parents=True)
    (tmp_path / ".github" / "ISSUE_TEMPLATE" / "incident.yml").write_text(FORM.read_text())
    (tmp_path / ".github" / "incident-response.yml").write_text(config)
    result = subprocess.run([sys.executable, "-m", "incident_response", "validate"],
                            cwd=tmp_path, env={"PYTHONPATH": str(ROOT / "scripts"), "PATH": ""},
                            capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_validate_names_the_channels_written_as_names_and_the_scopes_they_need(
        tmp_path: Path) -> None:
    said = validate("", tmp_path)  # the shipped channels: two names
    for scope in ("chat:write", "channels:read", "groups:read", "channels:history",
                  "groups:history", "chat:write.public"):
        assert f"{scope}" in said, scope
    assert "`#identity-support` and `#identity-leadership` are written as names" in said
    assert "may show twice" in said


def test_validate_needs_no_read_scope_for_channels_written_by_id(tmp_path: Path) -> None:
    said = validate("chat:\n  support_channel: C0SUPPORT1\n  leadership_channel: null\n",
                    tmp_path)
    assert "channels:read, groups:read: not needed, the channels are written by id" in said


def test_init_lists_the_scopes_among_the_steps_left_by_hand(world: World) -> None:
    root = world.workdir / "repo"
    root.mkdir()
    run = world.call("init", "--path", str(root), "--dry-run")
    assert run.returncode == 0, run.stdout
    left = run.stdout.split("Left to do by hand:", 1)[1]
    assert "Give the Slack bot behind SLACK_BOT_TOKEN its scopes" in left
    for scope in ("chat:write:", "channels:read", "channels:history", "chat:write.public"):
        assert f"     - {scope}" in left, scope
