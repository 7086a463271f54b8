"""GitHub reads without PyGithub, for what a run must know before anything else loads.

Importing PyGithub (with requests and urllib3) takes longer than paging itself, and the
Action's first step runs before it is even installed, so the reads the page needs (the issue as
it is now, and the reporter's permission) go through the standard library (adapters/https.py);
so do the two a run from a terminal makes first (the repository as GitHub names it, and who the
token writes as). They are the REST API's own endpoints, as PyGithub reads them for the full
run: `GET /repos/{owner}/{repo}/issues/{number}` and
`GET /repos/{owner}/{repo}/collaborators/{username}/permission`, whose `permission` is one of
admin, write, read or none (404 for someone who is not a collaborator at all). Everything else
reads GitHub through `github.tracker`.
"""

from __future__ import annotations

import json
import ssl
from typing import Any
from urllib.parse import quote

from incident_response.adapters.github.refusals import SERVICE, github_error
from incident_response.adapters.https import Answer, request
from incident_response.adapters.transport import Transport
from incident_response.core.errors import PermanentServiceError, TransientServiceError

__all__ = ["GitHubReads"]


#: what GitHub answers an App's installation token on a user's endpoint
_APP_REFUSAL = "Resource not accessible by integration"


def _message(body: bytes) -> str | None:
    """GitHub's `message` in an error's JSON body ("Bad credentials"), if it has one."""
    try:
        data = json.loads(body or b"null")
    except ValueError:
        return None
    message = data.get("message") if isinstance(data, dict) else None
    return str(message) if message else None


class GitHubReads:
    def __init__(self, token: str, repository: str, api_url: str, transport: Transport, *,
                 context: ssl.SSLContext | None = None) -> None:
        self._token, self._repository = token, repository
        self._api = api_url.rstrip("/")
        self._timeout = transport.timeout_seconds
        # One TLS context for both reads (they may run at the same time: a context is safe to
        # share), or the caller's; building one reads the CA bundle.
        self._context = context or transport.ssl_context()

    def _get(self, action: str, path: str, *, under_repository: bool = True) -> Any:
        url = f"{self._api}/repos/{self._repository}{path}" if under_repository else (
            f"{self._api}{path}")
        answer = self._request(action, url)
        # A renamed or transferred repository answers 301 with its new URL (GitHub's "Moved
        # Permanently", `Location`); PyGithub's requests follows it, so does this, once, and
        # only to the same API.
        location = answer.headers.get("location", "")
        if answer.status in (301, 302, 307, 308) and location.startswith(self._api + "/"):
            answer = self._request(action, location)
        if answer.status != 200:
            raise github_error(action, answer.status, _message(answer.body),
                               headers=answer.headers)
        try:
            return json.loads(answer.body)
        except ValueError as error:
            msg = f"{action} failed: the answer is not JSON"
            raise TransientServiceError(SERVICE, msg) from error

    def _request(self, action: str, url: str) -> Answer:
        try:
            return request(
                "GET", url,
                headers={"Authorization": f"Bearer {self._token}",
                         "Accept": "application/vnd.github+json",
                         "X-GitHub-Api-Version": "2022-11-28",
                         "User-Agent": "incident-response"},
                body=None, context=self._context, timeout=self._timeout)
        except OSError as error:
            msg = f"{action} failed: {type(error).__name__}"
            raise TransientServiceError(SERVICE, msg) from error

    def repository(self) -> dict[str, Any]:
        """The repository as GitHub answers it (repos/get): its `full_name` as GitHub spells
        it, whatever case it was asked by, and its `default_branch`. A renamed repository
        answers 301 to its new name, which `_get` follows."""
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
        data = self._get("Reading the issue", f"/issues/{number}")
        if not isinstance(data, dict):
            msg = "Reading the issue failed: the answer is not an issue"
            raise TransientServiceError(SERVICE, msg)
        return data

    def permission(self, login: str) -> str:
        try:
            data = self._get("Reading a collaborator's permission",
                             f"/collaborators/{quote(login, safe='')}/permission")
        except PermanentServiceError as error:
            if error.status == 404:  # not a collaborator: no permission of their own
                return "none"
            raise
        return str((data if isinstance(data, dict) else {}).get("permission") or "none")
