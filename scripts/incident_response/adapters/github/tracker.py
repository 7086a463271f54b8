"""GitHub issues as the incident's record: the `IssueTracker` port over the REST API.

The issue, its comments, labels, reactions, label events and timeline; the status comment's
writes; the post-mortem through its own writer (postmortem.py). Requests, retries and errors
are the client's (client.py).
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from incident_response.adapters.github.client import (
    SERVICE,
    GitHubClient,
    call,
    comment_of,
    parse_time,
)
from incident_response.adapters.github.postmortem import PostmortemWriter
from incident_response.adapters.ports import PostmortemRef
from incident_response.core.decision.effects import WritePostmortem
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.record.block import carries_status_marker
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


class GitHubTracker:
    """The `IssueTracker` port over the GitHub REST API (api.github.com or Enterprise Server)."""

    def __init__(self, client: GitHubClient, *, bot_login: str = "github-actions[bot]",
                 server_url: str = "https://github.com") -> None:
        self._client = client
        self._bot = bot_login
        self._postmortems = PostmortemWriter(client, bot_login=bot_login,
                                             server_url=server_url)

    @property
    def client(self) -> GitHubClient:
        """The client under the tracker, for the repository's lists to share."""
        return self._client

    def close(self) -> None:
        self._client.close()

    def permission(self, login: str) -> str:
        try:
            return call("Reading a collaborator's permission",
                         lambda: self._client.repo.get_collaborator_permission(login))
        except PermanentServiceError as error:
            if error.status == 404:  # not a collaborator: no permission of their own
                return "none"
            raise

    def load_issue(self, number: int) -> IssueSnapshot:
        """The issue and its comments (2 requests, more for long discussions)."""
        return self._snapshot(self._client.request("Reading the issue", "GET",
                                                   f"/issues/{number}"))

    def snapshot(self, item: dict[str, Any],
                 comments: list[dict[str, Any]] | None = None) -> IssueSnapshot:
        """An issue as listed, with its comments: these, as GitHub listed them (the sweep reads
        every incident's at once), or read now (one more request)."""
        return self._snapshot(item, comments)

    def get_comment(self, comment_id: int) -> CommentSnapshot | None:
        """One comment as it is now (the record re-read before it is written), None if gone."""
        data = self._client.maybe("Reading the status comment", f"/issues/comments/{comment_id}")
        return comment_of(data) if data else None

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
        for item in self._client.pages("Looking for an issue the bot opened", "/issues",
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
        pull = self._client.maybe("Reading the post-mortem pull request", f"/pulls/{number}")
        if not pull or pull.get("state") != "closed":
            return None
        # `merged` is in the single pull request's answer (pulls/get); a list's items have only
        # `merged_at`.
        merged = bool(pull["merged"]) if "merged" in pull else bool(pull.get("merged_at"))
        moment = pull.get("merged_at") if merged else pull.get("closed_at")
        return PostmortemClosed(
            number=int(pull["number"]), merged=merged,
            at=parse_time(moment),
            actor=str((pull.get("merged_by") or pull.get("user") or {}).get("login") or ""),
            url=str(pull.get("html_url") or ""))

    def _comments(self, number: int) -> list[CommentSnapshot]:
        return [comment_of(c) for c in self._client.pages("Listing the issue's comments",
                                                 f"/issues/{number}/comments")]

    def _snapshot(self, issue_data: dict[str, Any],
                  listed: list[dict[str, Any]] | None = None) -> IssueSnapshot:
        number = int(issue_data["number"])
        comments = self._comments(number) if listed is None else [
            comment_of(c) for c in sorted(listed, key=lambda c: int(c["id"]))]
        author = (issue_data.get("user") or {}).get("login", "")
        return IssueSnapshot(
            repository=self._client.repository,
            number=number,
            title=issue_data.get("title") or "",
            body=issue_data.get("body") or "",
            author=author,
            labels=tuple(label["name"] for label in issue_data.get("labels") or []),
            open=issue_data.get("state") == "open",
            url=issue_data.get("html_url") or "",
            created_at=parse_time(issue_data.get("created_at")),
            comments=self._check_bot_login(number, tuple(comments)),
            author_permission="unknown",
        )

    def _check_bot_login(self, number: int, comments: tuple[CommentSnapshot, ...]
                         ) -> tuple[CommentSnapshot, ...]:
        """The record is trusted only from `github.bot_login`'s comments. A status comment by
        another bot, and none by that login, means the token writes as someone else (a GitHub
        App token writes as APP-SLUG[bot], the workflow token as github-actions[bot]): every
        run would then miss its record and write a new one. Only an app can write as a
        `[bot]` login, so a person cannot trigger this by copying the marker."""
        if any(c.is_by(self._bot) and carries_status_marker(c) for c in comments):
            return comments
        other = next((c.author for c in comments
                      if c.author.endswith("[bot]") and not c.is_by(self._bot)
                      and carries_status_marker(c)),
                     None)
        if other is not None:
            raise PermanentServiceError(SERVICE, (
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
            added = self._client.request("Adding labels", "POST", f"/issues/{number}/labels",
                                         input={"labels": add})
            for label in added or []:
                spec = (specs or {}).get(label.get("name", ""))
                if spec and label.get("name") in add and not label.get("description") and (
                        label.get("color") != spec.color):
                    self._client.request(
                        f"Styling label {spec.name}", "PATCH",
                        f"/labels/{quote(spec.name, safe='')}",
                        input={"color": spec.color, "description": spec.description})
        for name in remove:
            try:
                self._client.request(f"Removing label {name}", "DELETE",
                                     f"/issues/{number}/labels/{quote(name, safe='')}")
            except PermanentServiceError as error:
                if error.status != 404:  # already gone
                    raise

    def create_comment(self, number: int, body: str) -> int:
        data = self._client.request("Commenting on the issue", "POST",
                                    f"/issues/{number}/comments", input={"body": body})
        return int(data["id"])

    def add_reaction(self, comment_id: int, content: str) -> None:
        self._client.request("Reacting to a comment", "POST",
                             f"/issues/comments/{comment_id}/reactions",
                             input={"content": content})

    def label_events(self, number: int) -> list[LabelEvent]:
        """Who added or removed which label, oldest first (the issue's events)."""
        return [LabelEvent(id=int(item["id"]), action=item["event"],
                           label=item["label"]["name"],
                           actor=(item.get("actor") or {}).get("login", ""),
                           at=parse_time(item["created_at"]))
                for item in self._client.pages("Reading the issue's label events",
                                        f"/issues/{number}/events")
                if item.get("event") in ("labeled", "unlabeled") and item.get("label")]

    def history(self, number: int) -> list[HistoryEvent]:
        """The issue's timeline: label changes, assignments, comments, closes and reopens."""
        events: list[HistoryEvent] = []
        for item in self._client.pages("Reading the issue's timeline",
                                       f"/issues/{number}/timeline"):
            kind = item.get("event", "")
            actor = ((item.get("actor") or item.get("user")) or {}).get("login", "")
            detail = {"labeled": (item.get("label") or {}).get("name", ""),
                      "unlabeled": (item.get("label") or {}).get("name", ""),
                      "assigned": (item.get("assignee") or {}).get("login", ""),
                      "unassigned": (item.get("assignee") or {}).get("login", ""),
                      "commented": item.get("body") or ""}.get(kind)
            moment = item.get("created_at") or item.get("submitted_at")
            if moment and (detail is not None or kind in ("closed", "reopened")):
                events.append(HistoryEvent(parse_time(moment), kind, actor, detail or ""))
        return events

    def write_postmortem(self, effect: WritePostmortem, known_pr: int | None) -> PostmortemRef:
        return self._postmortems.write(effect, known_pr)

    def set_issue_state(self, number: int, *, open_: bool, reason: str) -> None:
        change = {"state": "open"} if open_ else {"state": "closed", "state_reason": reason}
        self._client.request("Changing the issue's state", "PATCH", f"/issues/{number}",
                             input=change)

    def create_issue(self, title: str, body: str, labels: list[str] | None = None) -> int:
        data = self._client.request("Opening a follow-up issue", "POST", "/issues",
                             input={"title": title, "body": body, "labels": labels or []})
        return int(data["number"])

    def closed_issues(self, numbers: list[int]) -> set[int]:
        """Which of these issues (a completed incident's follow-ups) are closed: one read
        each; an issue deleted since is not counted closed."""
        closed = set()
        for number in numbers:
            data = self._client.maybe("Reading a follow-up issue", f"/issues/{number}")
            if data and data.get("state") == "closed":
                closed.add(number)
        return closed

    def update_comment(self, comment_id: int, body: str) -> None:
        """A full-body PATCH: idempotent, so a transient failure or a lost answer is retried
        (PyGithub's retry leaves PATCH alone, as urllib3 does for non-idempotent methods)."""
        for attempt in range(self._client.attempts):
            try:
                self._client.request("Updating the status comment", "PATCH",
                                     f"/issues/comments/{comment_id}", input={"body": body})
            except TransientServiceError:
                if attempt + 1 >= self._client.attempts:
                    raise
                time.sleep(self._client.backoff * (2 ** attempt))
            else:
                return
