"""The texts of an incident's facts, read again from the comments that carry them.

The state keeps only fact ids (`COMMENT-INDEX`); GitHub keeps the words. Every run loads the
issue's comments anyway, so reading an update's text from its comment costs nothing, and the
state stays small however many updates an incident has. A comment deleted since is shown as
such rather than silently dropped; a comment edited since shows its words as they are now.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.comment_commands import (
    Command,
    followup_parts,
    parse_commands,
    timeline_moment,
)

__all__ = ["DELETED", "FactText", "FollowUp", "command_of", "followups", "timeline_entries",
           "update_text", "updates"]

DELETED = "(the comment with this entry was deleted)"


@dataclass(frozen=True)
class FactText:
    id: str
    at: datetime
    author: str
    text: str


@dataclass(frozen=True)
class FollowUp:
    id: str
    text: str
    author: str
    at: datetime
    owner: str | None
    issue_number: int | None


def _split(fact_id: str) -> tuple[int, int]:
    comment, _, index = fact_id.partition("-")
    return int(comment), int(index or 0)


def command_of(issue: IssueSnapshot, fact_id: str) -> tuple[CommentSnapshot, Command] | None:
    """The comment and the command a fact came from, or None when the comment is gone."""
    comment_id, index = _split(fact_id)
    comment = issue.comment(comment_id)
    if comment is None:
        return None
    commands = parse_commands(comment.body)
    return (comment, commands[index]) if index < len(commands) else None


def update_text(issue: IssueSnapshot, fact_id: str) -> FactText | None:
    found = command_of(issue, fact_id)
    if found is None:
        return None
    comment, command = found
    return FactText(fact_id, comment.created_at, comment.author, command.argument or DELETED)


def updates(issue: IssueSnapshot, state: IncidentState) -> list[FactText]:
    """Every accepted `/update`, oldest first; a deleted one keeps its place."""
    items = []
    for fact_id in state.updates:
        item = update_text(issue, fact_id)
        items.append(item or FactText(fact_id, _deleted_at(issue, fact_id, state), "", DELETED))
    return sorted(items, key=lambda item: (item.at, item.id))


def _deleted_at(issue: IssueSnapshot, fact_id: str, state: IncidentState) -> datetime:
    # A deleted comment's time is gone with it; its neighbours in id order bound it.
    comment_id, _ = _split(fact_id)
    earlier = [c.created_at for c in issue.comments if c.id < comment_id]
    return max(earlier) if earlier else (state.opened_at or issue.created_at)


def timeline_entries(issue: IssueSnapshot, state: IncidentState) -> list[FactText]:
    """The back-dated `/timeline` entries, in time order."""
    items = []
    for fact_id in state.timeline:
        found = command_of(issue, fact_id)
        if found is None:
            continue
        comment, command = found
        parsed = timeline_moment(command.argument, comment.created_at)
        if not isinstance(parsed, str):
            items.append(FactText(fact_id, parsed[0], comment.author, parsed[1]))
    return sorted(items, key=lambda item: (item.at, item.id))


def followups(issue: IssueSnapshot, state: IncidentState) -> list[FollowUp]:
    items = []
    for ref in state.followups:
        found = command_of(issue, ref.id)
        if found is None:
            text, author, at = DELETED, "", state.opened_at or issue.created_at
        else:
            comment, command = found
            text, _ = followup_parts(command.argument)
            author, at = comment.author, comment.created_at
        items.append(FollowUp(ref.id, text or DELETED, author, at, ref.owner, ref.issue_number))
    return items
