"""Two GitHub reads without PyGithub, for the page that leaves before anything else loads.

Importing PyGithub (with requests and urllib3) takes longer than paging itself, so the reads
the page needs (the issue's current labels and the reporter's permission) go through the
standard library. Everything else reads GitHub through `github_tracker`.
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


def _message(error: urllib.error.HTTPError) -> str | None:
    """GitHub's `message` in an error's JSON body ("Bad credentials"), if it has one."""
    try:
        data = json.loads(error.read() or b"null")
    except (OSError, ValueError):
        return None
    message = data.get("message") if isinstance(data, dict) else None
    return str(message) if message else None


class GitHubReads:
    def __init__(self, token: str, repository: str, api_url: str, transport: Transport) -> None:
        self._token, self._repository = token, repository
        self._api = api_url.rstrip("/")
        self._transport = transport

    def _get(self, action: str, path: str) -> Any:
        request = urllib.request.Request(  # noqa: S310 (the URL is the configured API's)
            f"{self._api}/repos/{self._repository}{path}",
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
