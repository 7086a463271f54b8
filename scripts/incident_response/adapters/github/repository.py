"""The repository's issues as lists: what the sweep and the monthly report read and write
beyond one incident's record (live incidents, open follow-ups, the report's issue)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from incident_response.adapters.github.client import GitHubClient
from incident_response.adapters.github.tracker import GitHubTracker
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules.labels import LabelSpec

__all__ = ["GitHubRepository"]


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

    def live_incidents(self, label: str, phase_labels: list[str]) -> list[IssueSnapshot]:
        """Open issues with the incident label, and issues open or closed with a live phase
        label (one closed by hand or stripped of the incident label is still live): one list
        request per label, then the comments of each incident."""
        found: dict[int, dict[str, Any]] = {}
        for item in self._client.pages("Listing open incidents", "/issues", labels=label,
                                state="open"):
            found.setdefault(int(item["number"]), item)
        for phase in phase_labels:
            for item in self._client.pages("Listing live incidents", "/issues", labels=phase,
                                    state="all"):
                found.setdefault(int(item["number"]), item)
        return [self._tracker.snapshot(item) for _, item in sorted(found.items())
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
