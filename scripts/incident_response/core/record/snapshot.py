"""The incident as GitHub has it at the start of a run: what `decide` reasons about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from incident_response.core import names

__all__ = ["EFFECT_MARKER", "CommentSnapshot", "HistoryEvent", "IssueSnapshot", "LabelEvent",
           "PageAcknowledgement", "PostmortemClosed", "effect_marker"]

#: every comment the bot writes names, on its first line, the effect that wrote it, so a run
#: that lost the answer to a create (or the record itself) finds it instead of writing twice
EFFECT_MARKER = re.compile(r"<!-- incident-response:effect (?P<key>[^\s<>]+) -->")


def effect_marker(key: str) -> str:
    return f"<!-- incident-response:effect {key} -->"


@dataclass(frozen=True)
class CommentSnapshot:
    id: int
    author: str
    body: str
    created_at: datetime
    updated_at: datetime | None = None
    #: how many 👍 reactions it has (GitHub's reaction roll-up): the bot's answer to a command
    plus_one: int = 0

    def is_by(self, login: str) -> bool:
        """Written by this login (logins are case-insensitive on GitHub)."""
        return names.same(self.author, login)


@dataclass(frozen=True)
class LabelEvent:
    """A label added or removed on the issue, by whom (from the issue's events)."""

    id: int
    action: str  # "labeled" or "unlabeled"
    label: str
    actor: str
    at: datetime

    def is_by(self, login: str) -> bool:
        return names.same(self.actor, login)


@dataclass(frozen=True)
class HistoryEvent:
    """One entry of the issue's own timeline (GitHub's timeline API)."""

    at: datetime
    kind: str  # labeled, unlabeled, assigned, unassigned, commented, closed, reopened
    actor: str
    detail: str = ""


@dataclass(frozen=True)
class PageAcknowledgement:
    """Who first acknowledged the page, and when (the pager's log of the incident)."""

    who: str
    at: datetime


@dataclass(frozen=True)
class PostmortemClosed:
    """The post-mortem pull request was closed: merged or not."""

    number: int
    merged: bool
    at: datetime
    actor: str
    url: str


@dataclass(frozen=True)
class IssueSnapshot:
    repository: str
    number: int
    title: str
    body: str
    author: str
    labels: tuple[str, ...]
    open: bool
    url: str
    created_at: datetime
    comments: tuple[CommentSnapshot, ...] = field(default_factory=tuple)
    #: the reporter's permission on the repository (none, read, triage, write, maintain, admin)
    author_permission: str = "none"
    #: label changes since the issue opened, oldest first (read only when labels disagree)
    label_events: tuple[LabelEvent, ...] = ()
    #: permissions of people whose commands or label changes this run must judge
    permissions: dict[str, str] = field(default_factory=dict)
    #: the issue's timeline, read only when a post-mortem is to be written (None: not read)
    history: tuple[HistoryEvent, ...] | None = None
    default_branch: str | None = None
    #: the event is the issue being reopened
    reopened: bool = False
    #: the incident's post-mortem pull request, read from GitHub once it is closed
    postmortem_closed: PostmortemClosed | None = None
    #: the page's first acknowledgement, when it was looked up and found
    acknowledgement: PageAcknowledgement | None = None
    #: why the acknowledgement could not be looked up (no token, a refused token), if so
    acknowledgement_unknown: str | None = None
    #: of a completed incident's follow-up issues, those found closed (None: not read)
    closed_followups: frozenset[int] | None = None

    def has_label(self, name: str) -> bool:
        """Whether the issue carries this label, in whatever case the repository spells it."""
        return names.spelled(name, self.labels) is not None

    def comment(self, comment_id: int) -> CommentSnapshot | None:
        return next((c for c in self.comments if c.id == comment_id), None)

    def posted_keys(self, bot_login: str) -> set[str]:
        """Effect keys of the comments the bot has written on this issue."""
        keys: set[str] = set()
        for comment in self.comments:
            if comment.is_by(bot_login):
                first = comment.body.lstrip().split("\n", 1)[0]
                keys.update(m["key"] for m in EFFECT_MARKER.finditer(first))
        return keys

    @property
    def key(self) -> str:
        """`OWNER/REPO#NUMBER`: the incident's idempotency key outside GitHub."""
        return f"{self.repository}#{self.number}"

