"""The repository's issues as lists: what the sweep and the monthly report read and write
beyond one incident's record (watched incidents, open follow-ups, the report's issue).

The sweep reads what changed, not everything: the incidents' lists, then the repository's
comments in one paged list (GitHub's "List issue comments for a repository", `since`,
`sort=updated`), instead of one comments request per incident.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from incident_response.adapters.github.client import GitHubClient, comment_of, parse_time
from incident_response.adapters.github.tracker import GitHubTracker
from incident_response.core.record.block import carries_status_marker, parse_state
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules import lifecycle
from incident_response.core.rules.labels import LabelSpec

__all__ = ["RECORD_LOOKBACK", "GitHubRepository"]

#: How far back, at least, the sweep reads the repository's comments: past the last write of
#: every live incident's record, which the frequent sweep rewrites once a cadence (P3's is
#: four hours), so that a live incident closed or stripped of its labels by hand, whose
#: event run GitHub dropped, is still found by its record.
RECORD_LOOKBACK = timedelta(days=2)


class GitHubRepository:
    """The repository's issue lists, over the same client as the incident's tracker."""

    def __init__(self, client: GitHubClient, tracker: GitHubTracker) -> None:
        self._client, self._tracker = client, tracker

    def pages(self, action: str, path: str, **parameters: Any) -> Iterator[dict[str, Any]]:
        """Every item of a list under the repository, as GitHub answers it."""
        return self._client.pages(action, path, **parameters)

    @property
    def repository(self) -> str:
        return self._client.repository

    def add_label(self, number: int, spec: LabelSpec) -> None:
        """The label on the issue, made with its colour and description if it is new."""
        self._tracker.change_labels(number, [spec.name], [], {spec.name: spec})

    def with_comments(self, item: dict[str, Any]) -> IssueSnapshot:
        """An issue as listed, with its comments (one more request)."""
        return self._tracker.snapshot(item)

    def watched_incidents(self, label: str, resolved_label: str, phase_labels: list[str],
                          bot_login: str, *, every_phase_list: bool) -> list[IssueSnapshot]:
        """Every incident a sweep watches, each with all its comments, reading what changed:

        - the open issues with the incident label (pages of 100);
        - the closed ones still resolved (closed by hand while the post-mortem is reviewed,
          or merged with the merge's own run cancelled): one list;
        - with `every_phase_list`, one list per live phase label, open or closed, as well (a
          sweep by hand's backstop, which reads everything);
        - the repository's comments updated since the oldest of these incidents was opened,
          and at least RECORD_LOOKBACK back, in one paged list: every comment of every listed
          incident (a comment cannot be older than its issue, and an edit counts: `since` is
          "last updated after"), and the record of any live incident not listed (closed or
          stripped of its labels by hand), which is then read on its own.
        """
        found: dict[int, dict[str, Any]] = {}
        items, github_now = self._client.dated_pages("Listing open incidents", "/issues",
                                                     labels=label, state="open")
        lists = [items]
        if every_phase_list:
            lists += [list(self._client.pages("Listing live incidents", "/issues", labels=phase,
                                              state="all")) for phase in phase_labels]
        else:
            lists.append(list(self._client.pages(
                "Listing closed incidents awaiting their post-mortem", "/issues",
                labels=resolved_label, state="closed")))
        for listed in lists:
            for item in listed:
                if not item.get("pull_request"):
                    found.setdefault(int(item["number"]), item)
        floors = [parse_time(item.get("created_at")) for item in found.values()]
        if github_now is not None:
            floors.append(github_now - RECORD_LOOKBACK)
        if not floors:
            return []
        comments = self.comments_since(min(floors))
        unlisted = set()  # found by their record: older comments may be missing
        for number, of_issue in sorted(comments.items()):
            if number not in found and _holds_watched_record(of_issue, bot_login):
                data = self.issue_data(number)
                if data is not None and not data.get("pull_request"):
                    found[number] = data
                    unlisted.add(number)
        return [self._tracker.snapshot(item, None if number in unlisted
                                       else comments.get(number, []))
                for number, item in sorted(found.items())]

    def comments_since(self, moment: datetime) -> dict[int, list[dict[str, Any]]]:
        """The repository's comments updated at or after `moment`, by issue number: one paged
        list, oldest update first (a comment updated while the pages are read moves to the
        end, so it is read again, never skipped; the later copy is kept)."""
        by_id: dict[int, dict[str, Any]] = {}
        for comment in self._client.pages(
                "Listing the comments changed since the last look", "/issues/comments",
                sort="updated", direction="asc",
                since=moment.strftime("%Y-%m-%dT%H:%M:%SZ")):
            by_id[int(comment["id"])] = comment
        grouped: dict[int, list[dict[str, Any]]] = {}
        for comment in by_id.values():
            number = _issue_number(comment)
            if number is not None:
                grouped.setdefault(number, []).append(comment)
        return grouped

    def labelled(self, label: str, state: str = "all") -> list[dict[str, Any]]:
        """Issues with this label, as GitHub lists them (no comments read): one list."""
        return [item for item in self._client.pages(f"Listing issues labelled {label}",
                                                    "/issues", labels=label, state=state)
                if not item.get("pull_request")]

    def open_issues(self, label: str) -> list[dict[str, Any]]:
        """Open issues with this label, as GitHub lists them (no comments read): one list."""
        return [item for item in self._client.pages("Listing follow-up issues", "/issues",
                                             labels=label, state="open")
                if not item.get("pull_request")]

    def issue_data(self, number: int) -> dict[str, Any] | None:
        """An issue as GitHub answers it (without its comments), None if it does not exist."""
        data: dict[str, Any] | None = self._client.maybe("Reading an issue", f"/issues/{number}")
        return data

    def update_issue_body(self, number: int, body: str) -> None:
        self._client.request("Updating an issue", "PATCH", f"/issues/{number}",
                             input={"body": body})

    def open_labelled_issue(self, title: str, body: str, labels: list[str]) -> dict[str, Any]:
        """A new issue with these labels, as GitHub answers it (its address, its labels)."""
        data: dict[str, Any] = self._client.request("Opening an issue", "POST", "/issues", input={
            "title": title, "body": body, "labels": labels})
        return data


def _issue_number(comment: dict[str, Any]) -> int | None:
    """The issue a listed comment belongs to: the last part of its `issue_url`
    (".../repos/OWNER/REPO/issues/1347", schema `issue-comment`)."""
    tail = str(comment.get("issue_url") or "").rstrip("/").rsplit("/", 1)[-1]
    return int(tail) if tail.isdigit() else None


def _holds_watched_record(comments: list[dict[str, Any]], bot_login: str) -> bool:
    """Whether these comments hold the bot's record of an incident the sweep watches."""
    for data in comments:
        comment = comment_of(data)
        if comment.is_by(bot_login) and carries_status_marker(comment):
            state = parse_state(comment.body)
            if state is not None and lifecycle.traits(state.phase).watched:
                return True
    return False
