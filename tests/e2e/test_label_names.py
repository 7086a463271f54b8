"""A repository whose labels already exist in its own case (`Incident`, `Priority:P1`,
`Phase:Active`): the report is declared once, its phase moves, the repository's spellings are
kept, and a run that changes no label writes none. GitHub compares label names without case
(tests/adapters/test_github_recordings.py shows the fake does too)."""

from __future__ import annotations

from tests.conftest import World
from tests.support import at, command, opened, status_comments

THEIRS = ("Incident", "Priority:P1", "Priority:P2", "Severity:SEV-2", "Phase:Active",
          "Phase:Stable", "Phase:Resolved")
LABEL_WRITES = ("issues/add-labels", "issues/remove-label", "issues/create-label",
                "issues/update-label")


def _theirs(world: World) -> dict[str, object]:
    for name in THEIRS:
        world.github.repository_label(name)
    payload = opened(world)
    # The form applies `incident`; GitHub attaches the repository's `Incident`.
    payload["issue"]["labels"] = [{"name": "Incident"}]
    world.github.add_issue(payload["issue"])
    return payload


def _label_writes(world: World) -> int:
    return sum(1 for request in world.github.requests if request.operation in LABEL_WRITES)


def test_a_report_labelled_as_the_repository_spells_it_is_declared_once(world: World) -> None:
    payload = _theirs(world)
    run = world.handle(payload, "issues", "--now", at(0))
    assert run.returncode == 0, run.stdout + run.stderr
    assert len(world.pagerduty.alerts) == 1
    assert len(world.datadog.incidents) == 1
    assert len(world.slack.in_channel("#identity-support")) == 1
    assert world.github.label_names(1) == ["Incident", "Phase:Active", "Priority:P1",
                                           "Severity:SEV-2"]
    # no second spelling beside the repository's own
    folded = [name.casefold() for name in world.github.labels]
    assert len(folded) == len(set(folded))
    assert len(status_comments(world)) == 1
    # the same event again changes nothing, and writes no label
    writes = _label_writes(world)
    again = world.handle(payload, "issues", "--now", at(1))
    assert again.returncode == 0
    assert _label_writes(world) == writes
    assert len(world.pagerduty.alerts) == 1 and len(world.datadog.incidents) == 1


def test_the_phase_moves_in_the_repositorys_spelling_and_quiet_runs_write_no_label(
        world: World) -> None:
    assert world.handle(_theirs(world), "issues", "--now", at(0)).returncode == 0
    command(world, "/mitigate", 5)
    assert world.github.label_names(1) == ["Incident", "Phase:Stable", "Priority:P1",
                                           "Severity:SEV-2"]
    writes = _label_writes(world)
    command(world, "/update Error rate back to normal", 10)
    assert _label_writes(world) == writes  # a run that changes no label writes none
    # a person adds the phase in lower case: the repository's `Phase:Resolved` is what moves it
    world.github.person_labels(1, "Codertocat", "labeled", "phase:resolved")
    event = {"action": "labeled", "label": {"name": "Phase:Resolved"},
             "issue": world.github.issues[1], "sender": {"login": "Codertocat"},
             "repository": {"full_name": world.github.repository}}
    assert world.handle(event, "issues", "--now", at(15)).returncode == 0
    assert "Phase:Resolved" in world.github.label_names(1)
    assert not any(name.casefold() == "phase:stable" for name in world.github.label_names(1))
