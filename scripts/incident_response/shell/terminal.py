"""A run started by hand, from a terminal: the repository as GitHub names it, and who writes.

While GitHub Actions is down or late, a person runs `incident-response handle --issue N` (or
`sweep`) with their own token. Two things then differ from a run in Actions, and both are
settled here, before the incident is read:

- The repository is typed. GitHub takes `Octo/Repo` for `octo/repo` (owner and name are
  case-insensitive: core/names.py), but the page's dedup key is `OWNER/REPO#N` as the run
  spells it, so `--repo octo/repo` would page a second time beside Actions' `Octo/Repo#N`.
  Its `full_name` is read from GitHub (repos/get) and used instead, as Actions'
  GITHUB_REPOSITORY and the payload's `repository.full_name` are.
- The token may be a person's, which writes as that person, never as the bot. The record is
  trusted only from the bot's comments, so such a run must not start a record or leave label
  events in the person's name: shell/incident_run.py keeps to that when it is told who.

Both reads go through the standard library (adapters/github/reads.py); in Actions, with the
repository from GITHUB_REPOSITORY, none is made.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from incident_response.adapters.github.reads import GitHubReads
from incident_response.core import names
from incident_response.core.errors import PermanentServiceError, UsageError
from incident_response.shell.context import RunContext
from incident_response.shell.settings import Settings
from incident_response.shell.wiring import transport

__all__ = ["Runner", "who_runs"]

#: `OWNER/REPO`: GitHub's owner and repository names are letters, digits, `-`, `_` and `.`
_REPOSITORY = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Runner:
    """Where and as whom a run writes."""

    #: `OWNER/REPO` as GitHub spells it
    repository: str
    #: the repository's default branch, when it was read
    default_branch: str | None = None
    #: the person the token writes as, when it is not the bot (None: the bot, or in Actions)
    person: str | None = None


def who_runs(repository: str, context: RunContext, policy: Settings, *, typed: bool) -> Runner:
    """The run's repository (read from GitHub when a person `typed` it) and, outside GitHub
    Actions, the person its token writes as. Raises ServiceError when GitHub cannot say."""
    if not typed and context.in_actions:
        return Runner(repository)  # GitHub's own spelling, and the workflow's token
    if not context.github_token:
        msg = ("GITHUB_TOKEN is not set: a run from a terminal reads the incident from GitHub "
               "with your own token (docs/troubleshooting.md, \"GitHub Actions is down or "
               "late\")")
        raise UsageError(msg)
    if not _REPOSITORY.fullmatch(repository):
        msg = f"--repo {repository!r} is not OWNER/REPO"
        raise UsageError(msg)
    reads = GitHubReads(context.github_token, repository, context.github_api_url,
                        transport(policy, context))
    runner = Runner(repository)
    if typed:
        try:
            found = reads.repository()
        except PermanentServiceError as error:
            if error.status != 404:
                raise
            msg = (f"--repo {repository}: GitHub knows no such repository, or this token may "
                   "not see it")
            raise UsageError(msg) from error
        runner = Runner(str(found.get("full_name") or repository),
                        str(found.get("default_branch") or "") or None)
    if context.in_actions:
        return runner
    login = reads.token_login()
    if login is None or names.same(login, policy.github.bot_login):
        return runner
    return Runner(runner.repository, runner.default_branch, login)
