"""Two GitHub reads without PyGithub, for the page that leaves before anything else loads.

Importing PyGithub (with requests and urllib3) takes longer than paging itself, and the
Action's first step runs before it is even installed, so the reads the page needs (the issue as
it is now, and the reporter's permission) go through the standard library (adapters/https.py).
They are the REST API's own endpoints, as PyGithub reads them for the full run:
`GET /repos/{owner}/{repo}/issues/{number}` and
`GET /repos/{owner}/{repo}/collaborators/{username}/permission`, whose `permission` is one of
admin, write, read or none (404 for someone who is not a collaborator at all). Everything else
reads GitHub through `github.tracker`.
"""

from __future__ import annotations

import json
import ssl
from typing import Any
from urllib.parse import quote

from incident_response.adapters.https import request
from incident_response.adapters.transport import Transport
from incident_response.core.errors import PermanentServiceError, TransientServiceError

__all__ = ["GitHubReads"]

_SERVICE = "GitHub"


class GitHubReads:
    def __init__(self, token: str, repository: str, api_url: str, transport: Transport, *,
                 context: ssl.SSLContext | None = None) -> None:
        self._token, self._repository = token, repository
        self._api = api_url.rstrip("/")
        self._timeout = transport.timeout_seconds
        # One TLS context for both reads (they may run at the same time: a context is safe to
        # share), or the caller's; building one reads the CA bundle.
        self._context = context or transport.ssl_context()

    def _get(self, action: str, path: str) -> Any:
        try:
            answer = request(
                "GET", f"{self._api}/repos/{self._repository}{path}",
                headers={"Authorization": f"Bearer {self._token}",
                         "Accept": "application/vnd.github+json",
                         "X-GitHub-Api-Version": "2022-11-28",
                         "User-Agent": "incident-response"},
                body=None, context=self._context, timeout=self._timeout)
        except OSError as error:
            msg = f"{action} failed: {type(error).__name__}"
            raise TransientServiceError(_SERVICE, msg) from error
        if answer.status != 200:
            text = f"{action} failed with HTTP {answer.status}"
            if answer.status in (408, 429) or answer.status >= 500:
                raise TransientServiceError(_SERVICE, text, status=answer.status)
            raise PermanentServiceError(_SERVICE, text, status=answer.status)
        try:
            return json.loads(answer.body)
        except ValueError as error:
            msg = f"{action} failed: the answer is not JSON"
            raise TransientServiceError(_SERVICE, msg) from error

    def issue(self, number: int) -> dict[str, Any]:
        data = self._get("Reading the issue", f"/issues/{number}")
        if not isinstance(data, dict):
            msg = "Reading the issue failed: the answer is not an issue"
            raise TransientServiceError(_SERVICE, msg)
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
