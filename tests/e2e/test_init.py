"""`incident-response init`: labels, form, config and workflows, against the GitHub fake."""

from __future__ import annotations

from pathlib import Path

import yaml

from incident_response.core.rules.labels import label_specs
from incident_response.shell.configuration import load_policy
from tests.conftest import ROOT, World

FILES = (".github/ISSUE_TEMPLATE/incident.yml", ".github/incident-response.yml",
         ".github/workflows/incident.yml", ".github/workflows/sweep.yml",
         ".github/workflows/sweep-daily.yml")


def fresh(world: World) -> Path:
    """An empty repository checkout (the world's workdir holds a test config already)."""
    root = world.workdir / "repo"
    root.mkdir()
    return root


def expected_labels() -> dict[str, tuple[str, str]]:
    specs = list(label_specs(load_policy()).values())
    return {s.name: (s.color, s.description) for s in specs}


def repository_labels(world: World) -> dict[str, tuple[str, str]]:
    return {name: (label["color"], label["description"])
            for name, label in world.github.labels.items()}


def test_init_sets_up_an_empty_repository(world: World) -> None:
    world.github.default_branch = "trunk"
    root = fresh(world)
    run = world.call("init", "--path", str(root))
    assert run.returncode == 0, run.stdout + run.stderr
    assert world.violations() == []
    # every label the config names, incident-report included, with colour and description
    assert repository_labels(world) == expected_labels()
    assert {"incident", "priority:P1", "severity:SEV-5", "phase:triage", "phase:completed",
            "incident-report"} <= set(world.github.labels)
    for name in FILES:
        assert (root / name).exists(), name
        assert f"written: {name}" in run.stdout
    assert "Default branch: trunk" in run.stdout
    for workflow in ("incident.yml", "sweep.yml", "sweep-daily.yml"):
        text = (root / ".github" / "workflows" / workflow).read_text()
        assert "uses: ./" not in text
        assert "uses: OWNER/incident-response@v1" in text
        assert yaml.safe_load(text)["jobs"]  # still a workflow
    # the form and the config are the shipped ones
    assert (root / FILES[0]).read_text() == (ROOT / FILES[0]).read_text()
    assert (root / FILES[1]).read_text() == (ROOT / FILES[1]).read_text()
    for left in ("DD_API_KEY", "DD_APP_KEY", "SLACK_BOT_TOKEN", "PAGERDUTY_ROUTING_KEY",
                 "Allow GitHub Actions to create and approve pull requests",
                 "replace OWNER in `uses: OWNER/incident-response@v1`"):
        assert left in run.stdout, left


def test_a_second_run_changes_nothing_and_says_so(world: World) -> None:
    root = fresh(world)
    first = world.call("init", "--path", str(root))
    assert first.returncode == 0, first.stdout
    contents = {name: (root / name).read_text() for name in FILES}
    labels = repository_labels(world)
    created = len(world.github.calls("issues/create-label"))
    second = world.call("init", "--path", str(root))
    assert second.returncode == 0, second.stdout
    assert "Nothing new: every file was already in place and every label already existed." \
        in second.stdout
    for name in FILES:
        assert f"unchanged: {name}" in second.stdout
        assert (root / name).read_text() == contents[name]
    assert "created:" not in second.stdout
    assert f"already there: {len(labels)} label(s)" in second.stdout
    assert repository_labels(world) == labels
    # each create was refused as existing: nothing new was made
    assert len(world.github.calls("issues/create-label")) == created + len(labels)
    assert world.violations() == []


def test_an_existing_label_gets_its_colour_and_description(world: World) -> None:
    world.github.labels["incident"] = {"id": 7, "node_id": "LA_x", "name": "incident",
                                       "url": "", "color": "ededed", "default": False,
                                       "description": None}
    run = world.call("init", "--path", str(fresh(world)))
    assert run.returncode == 0, run.stdout
    assert "created: incident\n" not in run.stdout
    assert "created: priority:P1" in run.stdout
    assert repository_labels(world)["incident"] == expected_labels()["incident"]


def test_a_file_that_differs_is_kept_and_reported(world: World) -> None:
    root = fresh(world)
    mine = root / ".github" / "incident-response.yml"
    mine.parent.mkdir(parents=True)
    mine.write_text("labels:\n  incident: outage\n")
    run = world.call("init", "--path", str(root))
    assert run.returncode == 0, run.stdout
    assert "kept, differs: .github/incident-response.yml" in run.stdout
    assert mine.read_text() == "labels:\n  incident: outage\n"
    # the adopter's incident label is the one created and written into the form and workflow
    assert "outage" in world.github.labels
    assert "incident" not in world.github.labels
    form = yaml.safe_load((root / FILES[0]).read_text())
    assert form["labels"] == ["outage"]
    workflow = (root / FILES[2]).read_text()
    assert "labels.*.name, 'outage')" in workflow
    assert "github.event.label.name == 'outage'" in workflow
    assert "'incident'" not in workflow


def test_the_files_it_writes_pass_validate(world: World) -> None:
    root = world.workdir  # its config says labels.incident: incident (the default)
    (root / ".github" / "incident-response.yml").write_text("labels:\n  incident: outage\n")
    assert world.call("init").returncode == 0
    run = world.call("validate")
    assert run.returncode == 0, run.stdout + run.stderr
    assert "incident label `outage`, as in .github/workflows/incident.yml" in run.stdout


def test_without_a_token_it_writes_the_files_and_skips_the_labels(world: World) -> None:
    root = fresh(world)
    run = world.call("init", "--path", str(root), GITHUB_TOKEN=None)
    assert run.returncode == 0, run.stdout
    assert "skipped: GITHUB_TOKEN is not set" in run.stdout
    assert all((root / name).exists() for name in FILES)
    assert world.github.requests == []
    assert world.github.labels == {}


def test_a_dry_run_writes_and_creates_nothing(world: World) -> None:
    root = fresh(world)
    run = world.call("init", "--path", str(root), "--dry-run")
    assert run.returncode == 0, run.stdout
    assert "would write: .github/workflows/sweep.yml" in run.stdout
    assert list(root.iterdir()) == []
    assert world.github.labels == {}
    assert world.github.calls("issues/create-label") == []


def test_a_refused_token_fails_with_the_reason(world: World) -> None:
    run = world.call("init", "--path", str(fresh(world)), GITHUB_TOKEN="ghs_wrong")
    assert run.returncode == 1
    assert ("Reading the repository failed (HTTP 401: Bad credentials); the token is not "
            "valid (GITHUB_TOKEN)") in run.stdout
    assert "skipped: the repository could not be read" in run.stdout


def test_another_action_reference_is_written_as_given(world: World) -> None:
    root = fresh(world)
    run = world.call("init", "--path", str(root), "--action", "acme/incident-response@v1.2.0",
                     GITHUB_TOKEN=None)
    assert run.returncode == 0
    assert "uses: acme/incident-response@v1.2.0" in (root / FILES[3]).read_text()
    assert "replace OWNER" not in run.stdout
    config = (root / ".github" / "incident-response.yml").read_text()
    assert ("$schema=https://raw.githubusercontent.com/acme/incident-response/v1.2.0/schema/"
            "incident-response.schema.json") in config


def test_a_missing_folder_is_a_usage_error(world: World) -> None:
    run = world.call("init", "--path", str(world.workdir / "nope"))
    assert run.returncode == 2
    assert "--path" in run.stderr
    assert "no such folder" in run.stderr


def test_a_token_that_may_not_write_issues_fails_naming_the_permission(world: World) -> None:
    world.github.token_permissions["ghs_bot_token"] = {"issues": "read"}
    root = fresh(world)
    run = world.call("init", "--path", str(root))
    assert run.returncode == 1
    assert ("Label incident failed (HTTP 403: Resource not accessible by integration); the "
            "token may not write labels: it needs `issues: write`") in run.stdout
    assert world.github.labels == {}
    assert all((root / name).exists() for name in FILES)  # the files do not need the token
    assert "Nothing new" not in run.stdout
