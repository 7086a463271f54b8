"""GitHub reads without PyGithub, for what a run must know before anything else loads.

Importing PyGithub (with requests and urllib3) takes longer than paging itself, so the reads
the page needs (the issue's current labels and the reporter's permission) go through the
standard library; so do the two a run from a terminal makes first (the repository as GitHub
names it, and who the token writes as). Everything else reads GitHub through `github_tracker`.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from incident_response.adapters.github.refusals import SERVICE, github_error
from incident_response.adapters.transport import Transport
from incident_response.core.errors import PermanentServiceError, TransientServiceError

__all__ = ["GitHubReads"]

_SERVICE = SERVICE
#: what GitHub answers an App's installation token on a user's endpoint
_APP_REFUSAL = "Resource not accessible by integration"


def _message(error: urllib.error.HTTPError) -> str | None:
    """GitHub's `message` in an error's JSON body ("Bad credentials"), if it has one."""
    try:
        data = json.loads(error.read() or b"null")
    except (OSError, ValueError):
        return None
    finally:
        error.close()
    message = data.get("message") if isinstance(data, dict) else None
    return str(message) if message else None


class GitHubReads:
    def __init__(self, token: str, repository: str, api_url: str, transport: Transport) -> None:
        self._token, self._repository = token, repository
        self._api = api_url.rstrip("/")
        self._transport = transport

    def _get(self, action: str, path: str, *, under_repository: bool = True) -> Any:
        where = f"/repos/{self._repository}{path}" if under_repository else path
        request = urllib.request.Request(  # noqa: S310 (the URL is the configured API's)
            f"{self._api}{where}",
            headers={"Authorization": f"Bearer {self._token}",
                     "Accept": "application/vnd.github+json",
                     "X-GitHub-Api-Version": "2022-11-28",
                     "User-Agent": "incident-response"})
        try:
            with urllib.request.urlopen(  # noqa: S310
                    request, timeout=self._transport.timeout_seconds,
                    context=self._transport.ssl_context()) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            raise github_error(action, error.code, _message(error),
                               headers=dict(error.headers or {})) from error
        except (urllib.error.URLError, OSError, ValueError) as error:
            msg = f"{action} failed: {type(error).__name__}"
            raise TransientServiceError(_SERVICE, msg) from error

    def repository(self) -> dict[str, Any]:
        """The repository as GitHub answers it (repos/get): its `full_name` as GitHub spells
        it, whatever case it was asked by, and its `default_branch`. A renamed repository
        answers 301 to its new name, which urllib follows for a GET."""
        data: dict[str, Any] = self._get("Reading the repository", "")
        return data

    def token_login(self) -> str | None:
        """Who the token writes as: a person's (or a machine user's) login; None for a GitHub
        App's installation token, which cannot ask (users/get-authenticated is
        `enabledForGitHubApps: false` in GitHub's description and answers 403 "Resource not
        accessible by integration": actions/create-github-app-token#258,
        googleapis/repo-automation-bots#3935) and writes as the App's `SLUG[bot]`."""
        try:
            data = self._get("Reading who the token belongs to", "/user",
                             under_repository=False)
        except PermanentServiceError as error:
            # Only that answer: a 403 for another reason (a rate limit) says nothing of who.
            if error.status == 403 and _APP_REFUSAL in str(error):
                return None
            raise
        return str(data.get("login") or "") or None

    def issue(self, number: int) -> dict[str, Any]:
        data: dict[str, Any] = self._get("Reading the issue", f"/issues/{number}")
        return data

    def permission(self, login: str) -> str:
        try:
            data = self._get("Reading a collaborator's permission",
                             f"/collaborators/{quote(login, safe='')}/permission")
        except PermanentServiceError as error:
            if error.status == 404:  # not a collaborator: no permission of their own
                return "none"
            raise
        return str(data.get("permission") or "none")
