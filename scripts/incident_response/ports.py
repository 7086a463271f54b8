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
)
from incident_response.snapshot import IssueSnapshot

__all__ = [
    "ChatNotifier",
    "IncidentMirror",
    "IssueTracker",
    "MirrorRef",
    "Pager",
    "SlackMessageRef",
]


@dataclass(frozen=True)
class MirrorRef:
    id: str
    public_id: int | None
    url: str | None


@dataclass(frozen=True)
class SlackMessageRef:
    channel: str
    ts: str


class IssueTracker(Protocol):
    def load_issue(self, number: int) -> IssueSnapshot: ...
    def ensure_labels(self, specs: list[LabelSpec]) -> None: ...
    def change_labels(self, number: int, add: list[str], remove: list[str]) -> None: ...
    def create_comment(self, number: int, body: str) -> int: ...
    def update_comment(self, comment_id: int, body: str) -> None: ...
    def add_reaction(self, comment_id: int, content: str) -> None: ...


class Pager(Protocol):
    def trigger(self, effect: TriggerPage) -> str: ...
    def resolve(self, dedup_key: str) -> None: ...


class IncidentMirror(Protocol):
    def find(self, issue_url: str) -> MirrorRef | None: ...
    def declare(self, effect: DeclareInDatadog) -> MirrorRef: ...
    def sync(self, incident_id: str, effect: SyncDatadog) -> None: ...
    def add_todo(self, incident_id: str, content: str) -> None: ...


class ChatNotifier(Protocol):
    def post(self, effect: PostToSlack, thread_ts: str | None) -> SlackMessageRef: ...
