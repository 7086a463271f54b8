"""An event that is not about an incident exits 0 without importing any service client."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import IMPORT_PROBE

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "github"


@pytest.mark.parametrize(("event_name", "fixture"), [
    ("issues", "issues.opened.json"),  # an issue without the incident label
    ("issue_comment", "issue_comment.created.json"),
    ("pull_request", "pull_request.opened.json"),
    ("schedule", "schedule.json"),
    ("workflow_dispatch", "workflow_dispatch.json"),
])
def test_events_not_about_an_incident_import_no_client(event_name: str, fixture: str,
                                                       tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "scripts"), "GITHUB_TOKEN": "unused"}
    completed = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, "handle",
         "--event", str(FIXTURES / fixture), "--event-name", event_name,
         "--repo", "Codertocat/Hello-World"],
        cwd=tmp_path, env=env, capture_output=True, text=True, check=True, timeout=60,
    )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    assert result == {"code": 0, "loaded": []}
