"""GitHub's REST API through PyGithub's requester: requests, pages and errors, said once.

The tracker (the incident's record), the post-mortem's writer and the repository's lists (the
sweep's and the report's reads) all go through this one client, so retries, timeouts and the
way a refusal is told are the same everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import partial
from typing import Any, TypeVar

from github import Auth, Github, GithubException, GithubRetry, RateLimitExceededException
from requests.exceptions import RequestException

from incident_response.adapters.github.refusals import SERVICE, github_error
from incident_response.adapters.transport import Transport
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.record.snapshot import CommentSnapshot

__all__ = ["SERVICE", "GitHubClient", "call", "comment_of", "parse_time"]

T = TypeVar("T")
#: GitHub always sends the times read here; were one missing, it is "long ago", never "now"
#: (which would make a missing `updated_at` look like an edit made this very moment)
_UNKNOWN = datetime(1970, 1, 1, tzinfo=UTC)
#: a page of a list, as large as GitHub allows
PAGE_SIZE = 100


def parse_time(text: str | None) -> datetime:
    if not text:
        return _UNKNOWN
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def call(action: str, operation: Callable[[], T]) -> T:
    """`operation`, its failures told as the project's own: transient (5xx, 408, 429, rate
    limits, no answer) or permanent with what to fix (a refused token names GITHUB_TOKEN),
    each saying what was being done (refusals.py)."""
    try:
        return operation()
    except RateLimitExceededException as error:  # a 403 PyGithub knows is a rate limit
        msg = f"{action} failed with HTTP {error.status}: rate limited"
        raise TransientServiceError(SERVICE, msg, status=error.status) from error
    except GithubException as error:
        message = (error.data or {}).get("message") if isinstance(error.data, dict) else None
        raise github_error(action, error.status, str(message or error),
                           headers=error.headers) from error
    except RequestException as error:
        msg = f"{action} failed: {type(error).__name__}"
        raise TransientServiceError(SERVICE, msg) from error


def comment_of(data: dict[str, Any]) -> CommentSnapshot:
    """A comment as GitHub answers it, as the core reads it."""
    return CommentSnapshot(
        id=int(data["id"]), author=(data.get("user") or {}).get("login", ""),
        body=data.get("body") or "", created_at=parse_time(data["created_at"]),
        updated_at=parse_time(data["updated_at"]) if data.get("updated_at") else None,
        plus_one=int((data.get("reactions") or {}).get("+1") or 0))


class GitHubClient:
    """One repository's REST API (api.github.com or Enterprise Server)."""

    def __init__(self, token: str, repository: str, api_url: str, transport: Transport) -> None:
        self.repository = repository
        self.attempts = max(transport.attempts, 1)
        self.backoff = transport.backoff_seconds
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=int(transport.timeout_seconds),
            verify=transport.ca_file or True,
            # read=0: a request whose answer was lost is never sent again blindly (PyGithub
            # retries POST too); creates are found again by their marker, and the record's
            # PATCH is retried by the tracker, where that is safe.
            retry=GithubRetry(total=transport.attempts - 1, read=0,
                              backoff_factor=transport.backoff_seconds),
            # A run makes a handful of writes; PyGithub's default 1 s pause between writes
            # would add seconds before the page goes out. Rate limits are retried instead.
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        self.repo = self._github.get_repo(repository)

    def close(self) -> None:
        """Close the client's connections (a run ends; tests run many in one process)."""
        self._github.close()

    def request(self, action: str, method: str, path: str, **arguments: Any) -> Any:
        """One request under the repository (`path` after `/repos/OWNER/REPO`)."""
        _, data = call(action, partial(self._github.requester.requestJsonAndCheck, method,
                                       f"/repos/{self.repository}{path}", **arguments))
        return data

    def maybe(self, action: str, path: str, **arguments: Any) -> Any:
        """A GET that may find nothing: None for a 404."""
        try:
            return self.request(action, "GET", path, **arguments)
        except PermanentServiceError as error:
            if error.status == 404:
                return None
            raise

    def pages(self, action: str, path: str, **parameters: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list under the repository, PAGE_SIZE at a time."""
        page = 1
        while True:
            data = self.request(action, "GET", path, parameters={
                **parameters, "per_page": PAGE_SIZE, "page": page}) or []
            yield from data
            if len(data) < PAGE_SIZE:
                return
            page += 1

    def dated_pages(self, action: str, path: str, **parameters: Any,
                    ) -> tuple[list[dict[str, Any]], datetime | None]:
        """Every item of a paginated list, and GitHub's own clock when it answered the first
        page (its `Date` header, RFC 9110): times compared with GitHub's timestamps come from
        GitHub, never from this machine's clock (or a run's `--now`)."""
        items: list[dict[str, Any]] = []
        answered_at: datetime | None = None
        page = 1
        while True:
            headers, data = call(action, partial(
                self._github.requester.requestJsonAndCheck, "GET",
                f"/repos/{self.repository}{path}",
                parameters={**parameters, "per_page": PAGE_SIZE, "page": page}))
            if answered_at is None:
                answered_at = _date_of(headers)
            items += data or []
            if len(data or []) < PAGE_SIZE:
                return items, answered_at
            page += 1


def _date_of(headers: dict[str, Any]) -> datetime | None:
    text = next((str(v) for k, v in headers.items() if k.lower() == "date"), None)
    try:
        return parsedate_to_datetime(text) if text else None
    except (TypeError, ValueError):
        return None
