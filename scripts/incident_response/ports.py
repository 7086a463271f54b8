"""The narrow capabilities the core needs from outside services, one per service.

Adapters in `incident_response.adapters` implement them with the vendor SDKs; they raise only
`TransientServiceError` / `PermanentServiceError`, after retrying what is transient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from incident_response.effects import (
    DeclareInDatadog,
    LabelSpec,
    PostToSlack,
    SyncDatadog,
    TriggerPage,
    WritePostmortem,
)
from incident_response.snapshot import HistoryEvent, IssueSnapshot

__all__ = [
    "ChatNotifier",
    "IncidentMirror",
    "IssueTracker",
    "MirrorRef",
    "Pager",
    "PostmortemRef",
    "SlackMessageRef",
]


@dataclass(frozen=True)
class MirrorRef:
    id: str
    public_id: int | None
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
class SlackMessageRef:
    channel: str
    ts: str


class IssueTracker(Protocol):
    def load_issue(self, number: int) -> IssueSnapshot: ...
    def change_labels(self, number: int, add: list[str], remove: list[str],
                      specs: dict[str, LabelSpec] | None = None) -> None: ...
    def create_comment(self, number: int, body: str) -> int: ...
    def update_comment(self, comment_id: int, body: str) -> None: ...
    def add_reaction(self, comment_id: int, content: str) -> None: ...
    def history(self, number: int) -> list[HistoryEvent]: ...
    def write_postmortem(self, effect: WritePostmortem,
                         known_pr: int | None) -> PostmortemRef: ...
    def set_issue_state(self, number: int, *, open_: bool, reason: str) -> None: ...
    def create_issue(self, title: str, body: str) -> int: ...


class Pager(Protocol):
    def trigger(self, effect: TriggerPage) -> str: ...
    def resolve(self, dedup_key: str) -> None: ...


class IncidentMirror(Protocol):
    def find(self, issue_url: str) -> MirrorRef | None: ...
    def declare(self, effect: DeclareInDatadog) -> MirrorRef: ...
    def sync(self, incident_id: str, effect: SyncDatadog) -> None: ...
    def add_todo(self, incident_id: str, content: str) -> None: ...
    def attach_postmortem(self, incident_id: str, url: str, title: str) -> None: ...


class ChatNotifier(Protocol):
    def post(self, effect: PostToSlack, thread_ts: str | None) -> SlackMessageRef: ...
