"""The narrow capabilities the core needs from outside services, one per service.

Adapters in `incident_response.adapters` implement them with the vendor SDKs; they raise only
`TransientServiceError` / `PermanentServiceError`, after retrying what is transient.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from incident_response.core.decision.effects import (
    DeclareIncident,
    PostToChat,
    TriggerPage,
    UpdateIncident,
    WritePostmortem,
)
from incident_response.core.record.snapshot import (
    CommentSnapshot,
    HistoryEvent,
    IssueSnapshot,
    LabelEvent,
    PostmortemClosed,
)
from incident_response.core.rules.labels import LabelSpec

__all__ = [
    "Acknowledgement",
    "Acknowledgements",
    "ChatMessageRef",
    "ChatNotifier",
    "IncidentMirror",
    "IssueTracker",
    "MirrorRef",
    "Pager",
    "PostmortemRef",
]


@dataclass(frozen=True)
class Acknowledgement:
    """The first acknowledgement of a page: by whom (a name, else an email) and when."""

    who: str
    at: datetime
    #: the paging service's own page of the incident
    incident_url: str


@dataclass(frozen=True)
class MirrorRef:
    """The declared incident in the incident tool: its id, its number and its page."""

    id: str
    number: int | None
    url: str | None


@dataclass(frozen=True)
class PostmortemRef:
    number: int
    url: str
    #: where the merged file will be read: the file on the base branch
    file_url: str
    #: False when someone else has committed to the branch, so it was left as they made it
    written: bool = True


@dataclass(frozen=True)
class ChatMessageRef:
    """A chat message: the channel it is in (by id) and its own id in that channel."""

    channel: str
    id: str


class IssueTracker(Protocol):
    def load_issue(self, number: int) -> IssueSnapshot: ...
    def get_comment(self, comment_id: int) -> CommentSnapshot | None: ...
    def find_comment(self, number: int, marker: str) -> int | None: ...
    def find_issue(self, effect_key: str) -> int | None: ...
    def postmortem_pull(self, number: int) -> PostmortemClosed | None: ...
    def permission(self, login: str) -> str: ...
    def label_events(self, number: int) -> list[LabelEvent]: ...
    def change_labels(self, number: int, add: list[str], remove: list[str],
                      specs: dict[str, LabelSpec] | None = None) -> None: ...
    def create_comment(self, number: int, body: str) -> int: ...
    def update_comment(self, comment_id: int, body: str) -> None: ...
    def add_reaction(self, comment_id: int, content: str) -> None: ...
    def history(self, number: int) -> list[HistoryEvent]: ...
    def write_postmortem(self, effect: WritePostmortem,
                         known_pr: int | None) -> PostmortemRef: ...
    def set_issue_state(self, number: int, *, open_: bool, reason: str) -> None: ...
    def create_issue(self, title: str, body: str, labels: list[str] | None = None) -> int: ...
    def closed_issues(self, numbers: list[int]) -> set[int]: ...


class Pager(Protocol):
    def trigger(self, effect: TriggerPage) -> str: ...
    def resolve(self, dedup_key: str) -> None: ...


class IncidentMirror(Protocol):
    def find(self, issue_url: str) -> MirrorRef | None: ...
    def declare(self, effect: DeclareIncident) -> MirrorRef: ...
    def sync(self, incident_id: str, effect: UpdateIncident) -> None: ...
    def add_todo(self, incident_id: str, content: str) -> None: ...
    def has_todo(self, incident_id: str, content: str) -> bool: ...
    def has_attachment(self, incident_id: str, url: str) -> bool: ...
    def attach_postmortem(self, incident_id: str, url: str, title: str) -> None: ...


class ChatNotifier(Protocol):
    """Posts, and finds again by its tags a post whose answer was lost. A channel is given as
    the config writes it (a name, or an id); what comes back names it by id."""

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef: ...
    def find(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef | None: ...
    #: a link people can open to the message
    def permalink(self, message: ChatMessageRef) -> str: ...


class Acknowledgements(Protocol):
    def acknowledgement(self, dedup_key: str, since: datetime) -> Acknowledgement | None: ...
