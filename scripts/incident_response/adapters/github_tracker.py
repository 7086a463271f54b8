"""GitHub issues through PyGithub: the incident record (issue, labels, comments)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from github import Auth, Github, GithubException, GithubRetry
from requests.exceptions import RequestException

from incident_response.adapters.transport import Transport
from incident_response.effects import LabelSpec
from incident_response.errors import PermanentServiceError, TransientServiceError
from incident_response.snapshot import CommentSnapshot, IssueSnapshot

__all__ = ["GitHubTracker"]

T = TypeVar("T")
_SERVICE = "GitHub"


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return datetime.now(UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _call(action: str, operation: Callable[[], T]) -> T:
    try:
        return operation()
    except GithubException as error:
        status = error.status
        message = (error.data or {}).get("message") if isinstance(error.data, dict) else None
        text = f"{action} failed with HTTP {status}: {message or error}"
        if status in (408, 429) or status >= 500:
            raise TransientServiceError(_SERVICE, text, status=status) from error
        raise PermanentServiceError(_SERVICE, text, status=status) from error
    except RequestException as error:
        msg = f"{action} failed: {type(error).__name__}"
        raise TransientServiceError(_SERVICE, msg) from error


class GitHubTracker:
    """The `IssueTracker` port over the GitHub REST API (api.github.com or Enterprise Server)."""

    def __init__(self, token: str, repository: str, api_url: str, transport: Transport) -> None:
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=int(transport.timeout_seconds),
            verify=transport.ca_file or True,
            retry=GithubRetry(total=transport.attempts - 1,
                              backoff_factor=transport.backoff_seconds),
            # A run makes a handful of writes; PyGithub's default 1 s pause between writes
            # would add seconds before the page goes out. Rate limits are retried instead.
            seconds_between_requests=None,
            seconds_between_writes=None,
            lazy=True,
        )
        self._repository = repository
        self._repo = self._github.get_repo(repository, lazy=True)

    @property
    def _requester(self) -> Any:
        return self._github.requester

    def _path(self, suffix: str) -> str:
        return f"/repos/{self._repository}{suffix}"

    def permission(self, login: str) -> str:
        try:
            return _call("Reading a collaborator's permission",
                         lambda: self._repo.get_collaborator_permission(login))
        except PermanentServiceError as error:
            if error.status == 404:  # not a collaborator: no permission of their own
                return "none"
            raise

    def load_issue(self, number: int) -> IssueSnapshot:
        issue = _call("Reading the issue", lambda: self._repo.get_issue(number))
        issue_data = _call("Reading the issue", lambda: issue.raw_data)
        comments = _call("Listing the issue's comments", lambda: [
            CommentSnapshot(
                id=c.id, author=c.user.login if c.user else "", body=c.body or "",
                created_at=_utc(c.created_at), updated_at=_utc(c.updated_at),
            )
            for c in issue.get_comments()
        ])
        author = (issue_data.get("user") or {}).get("login", "")
        return IssueSnapshot(
            repository=self._repository,
            number=number,
            title=issue_data.get("title") or "",
            body=issue_data.get("body") or "",
            author=author,
            labels=tuple(label["name"] for label in issue_data.get("labels") or []),
            open=issue_data.get("state") == "open",
            url=issue_data.get("html_url") or "",
            created_at=_utc(datetime.fromisoformat(issue_data["created_at"].replace("Z", "+00:00"))
                            if issue_data.get("created_at") else None),
            comments=tuple(comments),
            author_permission=self.permission(author) if author else "none",
        )

    def ensure_labels(self, specs: list[LabelSpec]) -> None:
        for spec in specs:
            try:
                _call(f"Creating label {spec.name}", partial(
                    self._repo.create_label, spec.name, spec.color, spec.description))
            except PermanentServiceError as error:
                if error.status != 422:  # 422: it exists already, which is what we want
                    raise

    def change_labels(self, number: int, add: list[str], remove: list[str]) -> None:
        if add:
            _call("Adding labels", lambda: self._requester.requestJsonAndCheck(
                "POST", self._path(f"/issues/{number}/labels"), input={"labels": add}))
        for name in remove:
            try:
                _call(f"Removing label {name}", partial(
                    self._requester.requestJsonAndCheck, "DELETE",
                    self._path(f"/issues/{number}/labels/{_quote(name)}")))
            except PermanentServiceError as error:
                if error.status != 404:  # already gone
                    raise

    def create_comment(self, number: int, body: str) -> int:
        _, data = _call("Commenting on the issue", lambda: self._requester.requestJsonAndCheck(
            "POST", self._path(f"/issues/{number}/comments"), input={"body": body}))
        return int(data["id"])

    def update_comment(self, comment_id: int, body: str) -> None:
        _call("Updating the status comment", lambda: self._requester.requestJsonAndCheck(
            "PATCH", self._path(f"/issues/comments/{comment_id}"), input={"body": body}))


def _quote(name: str) -> str:
    return quote(name, safe="")

