"""GitHub's own rules for the post-mortem pull request and the workflow token (issue 12, point 3).

- New repositories forbid GitHub Actions to open pull requests: the failure says which setting.
- A GitHub App token writes as APP-SLUG[bot]: `github.bot_login` must follow it, loudly.
- Each job's token has only its `permissions:`: the fake refuses the rest, as GitHub does, and
  the permissions are read from the workflows themselves, so a workflow change that takes away
  what a job needs fails here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from incident_response.adapters.github.postmortem import ACTIONS_PULLS_FIX
from tests.conftest import ROOT, TEST_CONFIG, World
from tests.support import BRANCH, at, command, comment_event, opened, status_comments

WORKFLOWS = ROOT / ".github" / "workflows"
APP_TOKEN = "ghs_app_installation_token"
APP_BOT = "incident-response-app[bot]"


def job_permissions(workflow: str, job: str) -> dict[str, str]:
    """A job's `permissions:` as the workflow file grants them (the workflow's own when the job
    sets none); `{}` grants nothing, which is what the workflows here say at the top."""
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / workflow).read_text(encoding="utf-8"))
    granted = data["jobs"][job].get("permissions", data.get("permissions", {}))
    assert isinstance(granted, dict), f"{workflow} {job}: permissions must be a mapping"
    return {str(key): str(value) for key, value in granted.items()}


def token_for(world: World, name: str, permissions: dict[str, str],
              login: str = "github-actions[bot]") -> str:
    """A token the fake accepts, with exactly these permissions (as one job's token)."""
    world.github.tokens[name] = login
    world.github.token_permissions[name] = permissions
    return name


def until_mitigated(world: World) -> None:
    assert world.handle(opened(world), "issues", "--now", at(0)).returncode == 0
    world.github.permissions["sam"] = "write"
    command(world, "/ic @sam", 2)
    command(world, "/update Rolled back the ISAM change", 10, login="sam")
    command(world, "/mitigate", 25, login="sam")


def failures_shown(world: World) -> str:
    [status] = status_comments(world)
    return str(status["body"])


# -- (a) GitHub Actions may not open pull requests ---------------------------------------------

def test_a_repository_that_forbids_actions_pull_requests_says_which_setting(
        world: World) -> None:
    world.github.actions_can_create_pulls = False
    until_mitigated(world)

    run = world.handle(comment_event(world, "sam", "/resolve", 40), "issue_comment",
                       "--now", at(40.5))

    assert run.returncode == 1, run.stdout + run.stderr
    assert world.github.pulls == {}
    # The branch and the file were written; only the pull request was refused.
    assert BRANCH in world.github.branches
    refused = world.github.calls("pulls/create")
    assert len(refused) == 1
    setting = ('Settings → Actions → General → Workflow permissions → "Allow GitHub Actions to '
               'create and approve pull requests"')
    assert setting in ACTIONS_PULLS_FIX and "github-token" in ACTIONS_PULLS_FIX
    assert len(ACTIONS_PULLS_FIX) <= 300  # what the record keeps of a fix
    assert ("**Post-mortem pull request: refused** after 1 attempt(s): GitHub: Opening the "
            "post-mortem pull request failed with HTTP 403: GitHub Actions is not permitted to "
            f"create or approve pull requests. {ACTIONS_PULLS_FIX}. Tried again hourly (next "
            "after 2026-11-28 09:51 UTC), or at once after you type `/retry`.") in (
        failures_shown(world))
    assert setting in run.summary
    assert world.violations() == []

    # A refused setting is not retried by every sweep (every ten minutes, each failing)...
    swept = world.sweep("--now", at(50))
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert len(world.github.calls("pulls/create")) == 1
    assert "Tried again hourly" in failures_shown(world)  # and still said

    # ...and once it is turned on, `/retry` opens the pull request at once, once.
    world.github.actions_can_create_pulls = True
    retried = world.handle(comment_event(world, "sam", "/retry", 52), "issue_comment",
                           "--now", at(52.5))
    assert retried.returncode == 0, retried.stdout + retried.stderr
    assert len(world.github.pulls) == 1
    again = world.sweep("--now", at(60))
    assert again.returncode == 0, again.stdout + again.stderr
    assert len(world.github.pulls) == 1
    assert len(world.github.calls("pulls/create")) == 2  # the refused one, then the one
    assert setting not in failures_shown(world)
    assert "Post-mortem pull request: repaired" in failures_shown(world)
    assert world.violations() == []


def test_an_app_token_is_not_held_by_the_actions_setting(world: World) -> None:
    """The setting is about the workflow token only: the App token route opens the pull
    request (and, unlike the workflow token, starts the repository's checks on it)."""
    world.github.actions_can_create_pulls = False
    token_for(world, APP_TOKEN, {"issues": "write", "contents": "write",
                                 "pull-requests": "write"}, login=APP_BOT)
    (world.workdir / ".github" / "incident-response.yml").write_text(
        TEST_CONFIG + f"github:\n  bot_login: {APP_BOT}\n", encoding="utf-8")
    env = {"GITHUB_TOKEN": APP_TOKEN}
    assert world.handle(opened(world), "issues", "--now", at(0), **env).returncode == 0
    world.github.permissions["sam"] = "write"
    for minutes, body in ((2, "/ic @sam"), (25, "/mitigate"), (40, "/resolve")):
        run = world.handle(comment_event(world, "sam", body, minutes), "issue_comment",
                           "--now", at(minutes + 0.5), **env)
        assert run.returncode == 0, run.stdout + run.stderr
    assert len(world.github.pulls) == 1
    [status] = [c for c in world.github.comments_on(1) if c["user"]["login"] == APP_BOT
                and c["body"].startswith("<!-- incident-response:status -->")]
    assert status
    assert world.violations() == []


# -- (b) the bot login follows the token -------------------------------------------------------

def test_a_bot_login_that_does_not_match_the_token_is_loud(world: World) -> None:
    """An App token with the default `github.bot_login` (github-actions[bot]): the first run
    writes the status comment as the App; the next run refuses to go on without its record and
    names the key to set, instead of writing a second record."""
    token_for(world, APP_TOKEN, {"issues": "write", "contents": "write",
                                 "pull-requests": "write"}, login=APP_BOT)
    env = {"GITHUB_TOKEN": APP_TOKEN}
    assert world.handle(opened(world), "issues", "--now", at(0), **env).returncode == 0
    world.github.permissions["sam"] = "write"

    run = world.handle(comment_event(world, "sam", "/update Rolled back", 5), "issue_comment",
                       "--now", at(5.5), **env)

    assert run.returncode == 1
    said = run.stdout + run.stderr
    assert f"written by {APP_BOT}, but github.bot_login is github-actions[bot]" in said
    assert f"Set `github: bot_login: {APP_BOT}`" in said
    written = [c for c in world.github.comments_on(1)
               if c["body"].startswith("<!-- incident-response:status -->")]
    assert len(written) == 1  # no second record

    # The sweep says the same, rather than listing or sweeping on a record it would not trust.
    swept = world.sweep("--now", at(6), **env)
    assert swept.returncode == 1
    assert "github.bot_login" in swept.stdout + swept.stderr

    # Set as the message says, the incident goes on from the record the App wrote.
    (world.workdir / ".github" / "incident-response.yml").write_text(
        TEST_CONFIG + f"github:\n  bot_login: {APP_BOT}\n", encoding="utf-8")
    run = world.handle(comment_event(world, "sam", "/update Still rolled back", 7),
                       "issue_comment", "--now", at(7.5), **env)
    assert run.returncode == 0, run.stdout + run.stderr
    written = [c for c in world.github.comments_on(1)
               if c["body"].startswith("<!-- incident-response:status -->")]
    assert len(written) == 1
    assert "Still rolled back" in written[0]["body"]


def test_a_person_copying_the_status_marker_changes_nothing(world: World) -> None:
    """Only an app writes as a `[bot]` login: a person's comment with the marker is neither
    trusted as the record nor taken for a mismatch."""
    assert world.handle(opened(world), "issues", "--now", at(0)).returncode == 0
    world.github.permissions["sam"] = "write"
    world.github.person_comments(1, "mallory", "<!-- incident-response:status -->\nforged")
    command(world, "/update Rolled back", 5, login="sam")
    assert len(status_comments(world)) == 1


# -- (c) each job's token has only its permissions ---------------------------------------------

def test_the_fake_refuses_what_a_token_was_not_given(world: World) -> None:
    """The old sweep job's `issues: write` alone cannot write a post-mortem: the fake answers
    as GitHub does, and the failure names the permission."""
    until_mitigated(world)
    token_for(world, "ghs_issues_only", {"issues": "write"})
    run = world.handle(comment_event(world, "sam", "/resolve", 40), "issue_comment",
                       "--now", at(40.5), GITHUB_TOKEN="ghs_issues_only")
    assert run.returncode == 1
    assert world.github.pulls == {}
    assert "Resource not accessible by integration" in run.summary
    assert ("Finding the post-mortem pull request failed with HTTP 403: Resource not accessible"
            " by integration. The token lacks `pull-requests: write`") in run.summary
    assert world.violations() == []


def test_the_workflows_permissions_suffice_for_what_each_job_does(world: World) -> None:
    """incident.yml's job for every event; sweep.yml's read-only `find` job for
    `sweep --list-due`; its per-incident job for a resolved incident's post-mortem."""
    events = token_for(world, "ghs_incident_job", job_permissions("incident.yml", "handle"))
    finder = token_for(world, "ghs_sweep_find", job_permissions("sweep.yml", "find"))
    sweeper = token_for(world, "ghs_sweep_job", job_permissions("sweep.yml", "sweep"))
    assert job_permissions("sweep.yml", "find") == {"issues": "read", "pull-requests": "read",
                                                    "contents": "read"}

    # The whole incident, up to its resolution, with the events job's token; the pull request
    # is refused (the repository setting), so the post-mortem is left to a sweep.
    world.github.actions_can_create_pulls = False
    assert world.handle(opened(world), "issues", "--now", at(0),
                        GITHUB_TOKEN=events).returncode == 0
    world.github.permissions["sam"] = "write"
    for minutes, body in ((2, "/ic @sam"), (10, "/update Rolled back"), (25, "/mitigate")):
        run = world.handle(comment_event(world, "sam", body, minutes), "issue_comment",
                           "--now", at(minutes + 0.5), GITHUB_TOKEN=events)
        assert run.returncode == 0, run.stdout + run.stderr
    run = world.handle(comment_event(world, "sam", "/resolve", 40), "issue_comment",
                       "--now", at(40.5), GITHUB_TOKEN=events)
    assert run.returncode == 1 and ACTIONS_PULLS_FIX[:40] in run.summary
    world.github.actions_can_create_pulls = True

    # find: reads only, and lists the incident whose post-mortem is due (a refused setting
    # is tried again hourly: core/decision/retry.py).
    before = len(world.github.requests)
    listed = world.sweep("--list-due", "--now", at(101), GITHUB_TOKEN=finder)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert listed.outputs["incidents"] == "[1]"
    assert {r.method for r in world.github.requests[before:]} == {"GET"}

    # sweep: the per-incident job writes the post-mortem pull request.
    swept = world.sweep("--incident", "1", "--now", at(101.5), GITHUB_TOKEN=sweeper)
    assert swept.returncode == 0, swept.stdout + swept.stderr
    assert len(world.github.pulls) == 1
    used = {r.headers.get("authorization", "").split()[-1] for r in world.github.requests}
    assert used == {events, finder, sweeper}  # only the jobs' tokens were used
    assert "Resource not accessible by integration" not in swept.summary + listed.summary
    assert world.violations() == []


def test_every_operation_the_fake_routes_has_a_permission() -> None:
    """A route added to the fake without its permission would be refused for restricted
    tokens: keep the table complete."""
    from tests.fakes.github import required_permission

    source = Path(ROOT / "tests" / "fakes" / "github.py").read_text(encoding="utf-8")
    source = source.split("class FakeGitHub", 1)[1].split("\nclass ", 1)[0]
    routed = set(re.findall(r'self\.route\("(\w+)", "([^"]+)"', source))
    missing = [f"{method} {operation}" for method, operation in sorted(routed)
               if required_permission(operation, method) is None]
    assert missing == []
