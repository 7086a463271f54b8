"""GitHub issues through PyGithub: the incident record (issue, labels, comments)."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar
from urllib.parse import quote

from github import Auth, Github, GithubException, GithubRetry
from requests.exceptions import RequestException

from incident_response.adapters.ports import PostmortemRef
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import WritePostmortem
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.record.snapshot import (
    CommentSnapshot,
    HistoryEvent,
    IssueSnapshot,
    LabelEvent,
    PostmortemClosed,
    effect_marker,
)
from incident_response.core.rules.labels import LabelSpec

__all__ = ["GitHubTracker"]

T = TypeVar("T")
_SERVICE = "GitHub"


#: GitHub always sends the times read here; were one missing, it is "long ago", never "now"
#: (which would make a missing `updated_at` look like an edit made this very moment)
_UNKNOWN = datetime(1970, 1, 1, tzinfo=UTC)


def _utc(moment: datetime | None) -> datetime:
    if moment is None:
        return _UNKNOWN
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _parse_time(text: str | None) -> datetime:
    return _utc(datetime.fromisoformat(text) if text else None)


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

    def __init__(self, token: str, repository: str, api_url: str, transport: Transport, *,
                 bot_login: str = "github-actions[bot]",
                 server_url: str = "https://github.com") -> None:
        self._bot = bot_login
        self._server = server_url.rstrip("/")
        self._attempts = max(transport.attempts, 1)
        self._backoff = transport.backoff_seconds
        self._github = Github(
            auth=Auth.Token(token),
            base_url=api_url.rstrip("/"),
            timeout=int(transport.timeout_seconds),
            verify=transport.ca_file or True,
            # read=0: a request whose answer was lost is never sent again blindly (PyGithub
            # retries POST too); creates are found again by their marker, and the record's
            # PATCH is retried by update_comment, where that is safe.
            retry=GithubRetry(total=transport.attempts - 1, read=0,
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
        """The issue and its comments (2 requests, more for long discussions)."""
        _, issue_data = _call("Reading the issue", lambda: self._requester.requestJsonAndCheck(
            "GET", self._path(f"/issues/{number}")))
        return self._snapshot(issue_data)

    def live_incidents(self, label: str, phase_labels: list[str]) -> list[IssueSnapshot]:
        """Open issues with the incident label, and issues open or closed with a live phase
        label (one closed by hand or stripped of the incident label is still live): one list
        request per label, then the comments of each incident."""
        found: dict[int, dict[str, Any]] = {}
        for item in self.pages("Listing open incidents", "/issues", labels=label,
                                state="open"):
            found.setdefault(int(item["number"]), item)
        for phase in phase_labels:
            for item in self.pages("Listing live incidents", "/issues", labels=phase,
                                    state="all"):
                found.setdefault(int(item["number"]), item)
        return [self._snapshot(item) for number, item in sorted(found.items())
                if not item.get("pull_request")]

    def open_issues(self, label: str) -> list[dict[str, Any]]:
        """Open issues with this label, as GitHub lists them (no comments read): one list."""
        return [item for item in self.pages("Listing follow-up issues", "/issues",
                                             labels=label, state="open")
                if not item.get("pull_request")]

    def issue_data(self, number: int) -> dict[str, Any] | None:
        """An issue as GitHub answers it (without its comments), None if it does not exist."""
        data: dict[str, Any] | None = self._maybe("Reading an issue", f"/issues/{number}")
        return data

    def update_issue_body(self, number: int, body: str) -> None:
        self._request("Updating an issue", "PATCH", f"/issues/{number}", input={"body": body})

    def open_labelled_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        """A new issue with these labels, as GitHub answers it (its address, its labels)."""
        data: dict[str, Any] = self._request("Opening an issue", "POST", "/issues", input={
            "title": title, "body": body, "labels": labels})
        return data

    def snapshot(self, item: dict[str, Any]) -> IssueSnapshot:
        """An issue as listed, with its comments (one more request)."""
        return self._snapshot(item)

    def get_comment(self, comment_id: int) -> CommentSnapshot | None:
        """One comment as it is now (the record re-read before it is written), None if gone."""
        data = self._maybe("Reading the status comment", f"/issues/comments/{comment_id}")
        return _comment(data) if data else None

    def find_comment(self, number: int, marker: str) -> int | None:
        """The bot's comment whose first line carries this marker (after a lost answer)."""
        for comment in self._comments(number):
            if comment.is_by(self._bot) and comment.body.lstrip().split("\n", 1)[0].find(
                    marker) >= 0:
                return comment.id
        return None

    def find_issue(self, effect_key: str) -> int | None:
        """An issue the bot opened for this effect (its marker on the first line)."""
        marker = effect_marker(effect_key)
        for item in self.pages("Looking for an issue the bot opened", "/issues",
                                creator=self._bot, state="all"):
            # GitHub lists the bot's pull requests here too (each with `pull_request`).
            if item.get("pull_request"):
                continue
            if marker in (item.get("body") or "").split("\n", 1)[0]:
                return int(item["number"])
        return None

    def postmortem_pull(self, number: int) -> PostmortemClosed | None:
        """The post-mortem pull request, if it is closed (merged or not): read from GitHub, so
        a merge whose own run GitHub cancelled is still seen by the next run."""
        pull = self._maybe("Reading the post-mortem pull request", f"/pulls/{number}")
        if not pull or pull.get("state") != "closed":
            return None
        # `merged` is in the single pull request's answer (pulls/get); a list's items have only
        # `merged_at`.
        merged = bool(pull["merged"]) if "merged" in pull else bool(pull.get("merged_at"))
        moment = pull.get("merged_at") if merged else pull.get("closed_at")
        return PostmortemClosed(
            number=int(pull["number"]), merged=merged,
            at=_parse_time(moment),
            actor=str((pull.get("merged_by") or pull.get("user") or {}).get("login") or ""),
            url=str(pull.get("html_url") or ""))

    def pages(self, action: str, path: str, **parameters: Any) -> Iterator[dict[str, Any]]:
        """Every item of a paginated list under the repository, 100 at a time."""
        page = 1
        while True:
            data = self._request(action, "GET", path,
                                 parameters={**parameters, "per_page": 100, "page": page}) or []
            yield from data
            if len(data) < 100:
                return
            page += 1

    def _comments(self, number: int) -> list[CommentSnapshot]:
        return [_comment(c) for c in self.pages("Listing the issue's comments",
                                                 f"/issues/{number}/comments")]

    def _snapshot(self, issue_data: dict[str, Any]) -> IssueSnapshot:
        number = int(issue_data["number"])
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
            created_at=_parse_time(issue_data.get("created_at")),
            comments=self._check_bot_login(number, tuple(self._comments(number))),
            author_permission="unknown",
        )

    def _check_bot_login(self, number: int, comments: tuple[CommentSnapshot, ...]
                         ) -> tuple[CommentSnapshot, ...]:
        """The record is trusted only from `github.bot_login`'s comments. A status comment by
        another bot, and none by that login, means the token writes as someone else (a GitHub
        App token writes as APP-SLUG[bot], the workflow token as github-actions[bot]): every
        run would then miss its record and write a new one. Only an app can write as a
        `[bot]` login, so a person cannot trigger this by copying the marker."""
        from incident_response.core.record.block import STATUS_MARKER

        def status_by(comment: CommentSnapshot) -> bool:
            return comment.body.lstrip().startswith(STATUS_MARKER)

        if any(c.is_by(self._bot) and status_by(c) for c in comments):
            return comments
        other = next((c.author for c in comments
                      if c.author.endswith("[bot]") and not c.is_by(self._bot) and status_by(c)),
                     None)
        if other is not None:
            raise PermanentServiceError(_SERVICE, (
                f"#{number}'s status comment was written by {other}, but github.bot_login is "
                f"{self._bot}, so the record is not trusted. Set `github: bot_login: {other}` "
                "in .github/incident-response.yml (a GitHub App token writes as APP-SLUG[bot], "
                "the workflow token as github-actions[bot])"))
        return comments

    def change_labels(self, number: int, add: list[str], remove: list[str],
                      specs: dict[str, LabelSpec] | None = None) -> None:
        """Add and remove labels. GitHub creates a missing label as it adds it, grey and bare;
        only such a label is then given its colour and description, so labels that exist cost
        nothing extra (creating each first would cost a request per label, nearly always 422)."""
        if add:
            _, added = _call("Adding labels", lambda: self._requester.requestJsonAndCheck(
                "POST", self._path(f"/issues/{number}/labels"), input={"labels": add}))
            for label in added or []:
                spec = (specs or {}).get(label.get("name", ""))
                if spec and label.get("name") in add and not label.get("description") and (
                        label.get("color") != spec.color):
                    _call(f"Styling label {spec.name}", partial(
                        self._requester.requestJsonAndCheck, "PATCH",
                        self._path(f"/labels/{quote(spec.name, safe='')}"),
                        input={"color": spec.color, "description": spec.description}))
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

    def add_reaction(self, comment_id: int, content: str) -> None:
        _call("Reacting to a comment", lambda: self._requester.requestJsonAndCheck(
            "POST", self._path(f"/issues/comments/{comment_id}/reactions"),
            input={"content": content}))

    def label_events(self, number: int) -> list[LabelEvent]:
        """Who added or removed which label, oldest first (the issue's events)."""
        return [LabelEvent(id=int(item["id"]), action=item["event"],
                           label=item["label"]["name"],
                           actor=(item.get("actor") or {}).get("login", ""),
                           at=_parse_time(item["created_at"]))
                for item in self.pages("Reading the issue's label events",
                                        f"/issues/{number}/events")
                if item.get("event") in ("labeled", "unlabeled") and item.get("label")]

    def _request(self, action: str, method: str, path: str, **arguments: Any) -> Any:
        _, data = _call(action, partial(self._requester.requestJsonAndCheck, method,
                                        self._path(path), **arguments))
        return data

    def _maybe(self, action: str, path: str, **arguments: Any) -> Any:
        try:
            return self._request(action, "GET", path, **arguments)
        except PermanentServiceError as error:
            if error.status == 404:
                return None
            raise

    def history(self, number: int) -> list[HistoryEvent]:
        """The issue's timeline: label changes, assignments, comments, closes and reopens."""
        events: list[HistoryEvent] = []
        for item in self.pages("Reading the issue's timeline", f"/issues/{number}/timeline"):
            kind = item.get("event", "")
            actor = ((item.get("actor") or item.get("user")) or {}).get("login", "")
            detail = {"labeled": (item.get("label") or {}).get("name", ""),
                      "unlabeled": (item.get("label") or {}).get("name", ""),
                      "assigned": (item.get("assignee") or {}).get("login", ""),
                      "unassigned": (item.get("assignee") or {}).get("login", ""),
                      "commented": item.get("body") or ""}.get(kind)
            moment = item.get("created_at") or item.get("submitted_at")
            if moment and (detail is not None or kind in ("closed", "reopened")):
                events.append(HistoryEvent(_parse_time(moment), kind, actor, detail or ""))
        return events

    def _only_bot_commits(self, pull_number: int) -> bool:
        commits = self._request("Listing the post-mortem's commits", "GET",
                                f"/pulls/{pull_number}/commits",
                                parameters={"per_page": 100}) or []
        return all((c.get("author") or {}).get("login") == self._bot for c in commits)

    def write_postmortem(self, effect: WritePostmortem, known_pr: int | None) -> PostmortemRef:
        """Branch, file and pull request, each made once; the file updated only while the bot
        is the only one who has committed to the branch. A refusal GitHub explains only by a
        repository setting or a missing permission says which one to change."""
        try:
            return self._write_postmortem(effect, known_pr)
        except PermanentServiceError as error:
            explained = _explain_postmortem_refusal(error)
            if explained is error:
                raise
            raise explained from error

    def _write_postmortem(self, effect: WritePostmortem, known_pr: int | None) -> PostmortemRef:
        branch = quote(effect.branch, safe="/")
        base_name = effect.base or self._default_branch()
        owner = self._repository.split("/")[0]
        pulls = self._request("Finding the post-mortem pull request", "GET", "/pulls",
                              parameters={"head": f"{owner}:{effect.branch}", "state": "open"})
        pull = pulls[0] if pulls else None
        head = self._maybe("Reading the post-mortem branch", f"/git/ref/heads/{branch}")
        if head is None or (pull is None and known_pr is None):
            base = self._request("Reading the base branch", "GET",
                                 f"/git/ref/heads/{quote(base_name, safe='/')}")
            if head is None:
                self._request("Creating the post-mortem branch", "POST", "/git/refs",
                              input={"ref": f"refs/heads/{effect.branch}",
                                     "sha": base["object"]["sha"]})
            else:
                # A branch left from an earlier cycle (merged) starts again from the base, so
                # the recurrence's pull request carries only its own post-mortem.
                self._request("Resetting the post-mortem branch", "PATCH",
                              f"/git/refs/heads/{branch}",
                              input={"sha": base["object"]["sha"], "force": True})
        path = quote(effect.path, safe="/")
        existing = self._maybe("Reading the post-mortem file", f"/contents/{path}",
                               parameters={"ref": effect.branch})
        written = True
        encoded = base64.b64encode(effect.content.encode()).decode()
        if existing is None:
            self._request("Writing the post-mortem", "PUT", f"/contents/{path}", input={
                "message": effect.commit_message, "content": encoded, "branch": effect.branch})
        elif base64.b64decode(existing.get("content") or "").decode(errors="replace") != (
                effect.content):
            if pull is not None and not self._only_bot_commits(int(pull["number"])):
                written = False
            else:
                self._request("Updating the post-mortem", "PUT", f"/contents/{path}", input={
                    "message": effect.commit_message, "content": encoded,
                    "branch": effect.branch, "sha": existing["sha"]})
        if pull is None:
            pull = self._request("Opening the post-mortem pull request", "POST", "/pulls",
                                 input={"title": effect.title, "head": effect.branch,
                                        "base": base_name, "body": effect.body})
        file_url = f"{self._server}/{self._repository}/blob/{base_name}/{effect.path}"
        return PostmortemRef(int(pull["number"]), str(pull["html_url"]), file_url, written)

    def _default_branch(self) -> str:
        """The repository's default branch, as GitHub says (never assumed to be `main`)."""
        data = self._request("Reading the repository", "GET", "")
        return str(data["default_branch"])

    def set_issue_state(self, number: int, *, open_: bool, reason: str) -> None:
        change = {"state": "open"} if open_ else {"state": "closed", "state_reason": reason}
        self._request("Changing the issue's state", "PATCH", f"/issues/{number}", input=change)

    def create_issue(self, title: str, body: str, labels: list[str] | None = None) -> int:
        data = self._request("Opening a follow-up issue", "POST", "/issues",
                             input={"title": title, "body": body, "labels": labels or []})
        return int(data["number"])

    def update_comment(self, comment_id: int, body: str) -> None:
        """A full-body PATCH: idempotent, so a transient failure or a lost answer is retried
        (PyGithub's retry leaves PATCH alone, as urllib3 does for non-idempotent methods)."""
        for attempt in range(self._attempts):
            try:
                _call("Updating the status comment",
                      lambda: self._requester.requestJsonAndCheck(
                          "PATCH", self._path(f"/issues/comments/{comment_id}"),
                          input={"body": body}))
            except TransientServiceError:
                if attempt + 1 >= self._attempts:
                    raise
                time.sleep(self._backoff * (2 ** attempt))
            else:
                return


def _quote(name: str) -> str:
    return quote(name, safe="")


#: GitHub's answer to a pull request opened with the workflow token while the repository (or its
#: organisation) does not allow it, the default for new repositories since 2025: HTTP 403
#: {"message": "GitHub Actions is not permitted to create or approve pull requests.",
#: "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
#: "status": "403"} (danielroe/uppt#11, peter-evans/create-pull-request#3979 "In all new
#: repositories, you now have to explicitly enable this"; the setting: GitHub changelog
#: 2022-05-03 "Prevent GitHub Actions from creating and approving pull requests").
_ACTIONS_MAY_NOT_OPEN_PULLS = "not permitted to create or approve pull requests"
ACTIONS_PULLS_FIX = (
    "GitHub Actions may not open pull requests here (HTTP 403): turn on Settings → Actions → "
    "General → Workflow permissions → \"Allow GitHub Actions to create and approve pull "
    "requests\", or give the Action's github-token input a GitHub App token (docs/adoption.md)")
#: What GitHub answers a token without the permission an endpoint needs: HTTP 403
#: {"message": "Resource not accessible by integration", ...} (actions/create-github-app-token#258,
#: jgehrcke/github-repo-stats#58).
_NOT_ACCESSIBLE = "Resource not accessible by integration"


def _explain_postmortem_refusal(error: PermanentServiceError) -> PermanentServiceError:
    """The post-mortem's 403s, with the one thing to change (kept under the 300 characters the
    record keeps of a failure)."""
    text = str(error)
    if error.status != 403:
        return error
    if _ACTIONS_MAY_NOT_OPEN_PULLS in text:
        return PermanentServiceError(_SERVICE, ACTIONS_PULLS_FIX, status=403)
    if _NOT_ACCESSIBLE in text:
        action = text.removeprefix(f"{_SERVICE}: ").split(" failed", 1)[0]
        permission = ("pull-requests" if "pull request" in action or "commits" in action
                      else "contents")
        return PermanentServiceError(_SERVICE, (
            f"{action} failed with HTTP 403: {_NOT_ACCESSIBLE}. The token lacks "
            f"`{permission}: write`: give the job `permissions:` `contents: write` and "
            "`pull-requests: write` (or the GitHub App those permissions)"), status=403)
    return error


def _comment(data: dict[str, Any]) -> CommentSnapshot:
    return CommentSnapshot(
        id=int(data["id"]), author=(data.get("user") or {}).get("login", ""),
        body=data.get("body") or "", created_at=_parse_time(data["created_at"]),
        updated_at=_parse_time(data["updated_at"]) if data.get("updated_at") else None,
        plus_one=int((data.get("reactions") or {}).get("+1") or 0))

