"""The GitHub Actions event: where it comes from and whether it is about an incident.

Deliberately light: this runs for every event, and one that is not about an incident must
exit before any service client is imported.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from incident_response.core import names
from incident_response.core.errors import UsageError
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules.lateness import EventTime
from incident_response.shell.context import RunContext

__all__ = ["Event", "event_time", "incident_number", "issue_from_payload", "postmortem_number",
           "read_event"]


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    repository: str

    @property
    def action(self) -> str:
        return str(self.payload.get("action") or "")


def read_event(event_file: str | None, event_name: str | None, repository: str | None,
               context: RunContext) -> Event:
    name = event_name or context.event_name
    path = event_file or context.event_path
    if not name or not path:
        msg = ("no event to handle: run inside GitHub Actions, or pass --event FILE "
               "--event-name NAME --repo OWNER/REPO")
        raise UsageError(msg)
    try:
        payload = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        msg = f"cannot read the event payload {path}: {error}"
        raise UsageError(msg) from error
    if not isinstance(payload, dict):
        msg = f"the event payload {path} is not a JSON object"
        raise UsageError(msg)
    repo = (repository or context.repository
            or (payload.get("repository") or {}).get("full_name"))
    if not repo or "/" not in str(repo):
        msg = "no repository: set GITHUB_REPOSITORY or pass --repo OWNER/REPO"
        raise UsageError(msg)
    return Event(name=name, payload=payload, repository=str(repo))


_POSTMORTEM_BRANCH = re.compile(r"^postmortem/incident-(?P<number>[1-9][0-9]{0,9})$")


def postmortem_number(event: Event) -> int | None:
    """The incident whose post-mortem pull request this `pull_request.closed` event closes."""
    if event.name != "pull_request" or event.action != "closed":
        return None
    head = ((event.payload.get("pull_request") or {}).get("head") or {}).get("ref") or ""
    match = _POSTMORTEM_BRANCH.match(str(head))
    return int(match["number"]) if match else None


def incident_number(event: Event, incident_label: str) -> int | None:
    """The number of the incident issue this event is about, or None."""
    if event.name == "pull_request":
        return postmortem_number(event)
    if event.name not in ("issues", "issue_comment"):
        return None
    issue = event.payload.get("issue") or {}
    if issue.get("pull_request"):
        return None
    labels = [str(label.get("name")) for label in issue.get("labels") or []
              if isinstance(label, dict)]
    # The repository may spell it `Incident`: GitHub (and the workflow's `contains()`) count
    # it as the same label.
    removed = (event.action == "unlabeled"
               and names.same((event.payload.get("label") or {}).get("name"), incident_label))
    if names.spelled(incident_label, labels) is None and not removed:
        return None
    number = issue.get("number")
    return int(number) if isinstance(number, int) else None


_TRUSTED_ASSOCIATIONS = {"OWNER": "admin", "MEMBER": "write", "COLLABORATOR": "write"}


def issue_from_payload(event: Event, now: datetime) -> IssueSnapshot:
    """The issue as the event saw it, without comments or reads: for a dry run without a
    token, and for the page that leaves before the incident is loaded."""
    issue = event.payload["issue"]
    created = str(issue.get("created_at") or "")
    return IssueSnapshot(
        repository=event.repository,
        number=int(issue["number"]),
        title=str(issue.get("title") or ""),
        body=str(issue.get("body") or ""),
        author=str((issue.get("user") or {}).get("login") or ""),
        labels=tuple(str(label["name"]) for label in issue.get("labels") or []),
        open=issue.get("state") == "open",
        url=str(issue.get("html_url") or ""),
        created_at=datetime.fromisoformat(created) if created else now,
        # Offline, the payload's association stands in for the permission endpoint.
        author_permission=_TRUSTED_ASSOCIATIONS.get(str(issue.get("author_association")), "read"),
    )


def _moment(text: object) -> datetime | None:
    if not isinstance(text, str) or not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


#: what an `issues` event's action did, as the lateness notice says it
_ISSUE_ACTIONS = {"opened": "the report was opened", "edited": "the report was edited",
                  "closed": "the issue was closed", "reopened": "the issue was reopened",
                  "labeled": "a label was added", "unlabeled": "a label was removed"}


def event_time(event: Event) -> EventTime | None:
    """When the event happened, from the payload's own times (the payload is GitHub's record of
    the event, written when it happened: a run that starts late still reads it as it was).

    - `issues`: the issue's `created_at` when it was opened, else its `updated_at`, which the
      change itself sets (tests/fixtures/github: `issues.unlabeled`, `issues.reopened` and
      `issues.closed` carry the change's time there; a label change moves `updatedAt`,
      apache/devlake#7510);
    - `issue_comment`: the comment's `created_at`, or `updated_at` for an edit;
    - `pull_request` (closed): `merged_at`, else `closed_at`;
    - `schedule`: nothing. Its payload is only the cron expression (`{"schedule": "*/5 * * *
      *"}`, octokit/webhooks#141; the repository and the workflow were added in 2022:
      tests/fixtures/github/schedule.json), never the time the run was due, and a late or
      dropped schedule leaves no trace in it; the sweep's silence is told by the record's
      own clock instead (`swept_at`). `workflow_dispatch` is a person asking now.
    """
    payload = event.payload
    at: datetime | None = None
    what = ""
    if event.name == "issues":
        issue = payload.get("issue") or {}
        at = _moment(issue.get("created_at") if event.action == "opened"
                     else issue.get("updated_at"))
        what = _ISSUE_ACTIONS.get(event.action, "the issue changed")
    elif event.name == "issue_comment":
        comment = payload.get("comment") or {}
        edited = event.action == "edited"
        at = _moment(comment.get("updated_at") if edited else comment.get("created_at"))
        what = "the comment was edited" if edited else "the comment was written"
    elif event.name == "pull_request":
        pull = payload.get("pull_request") or {}
        merged = _moment(pull.get("merged_at"))
        at = merged or _moment(pull.get("closed_at"))
        what = ("the post-mortem pull request was merged" if merged
                else "the post-mortem pull request was closed")
    return EventTime(at, what) if at is not None else None
