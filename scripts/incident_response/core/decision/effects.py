"""What a run intends to do outside its own memory: typed, frozen, printable.

`decide` returns these; `execute` is the only code that carries them out. Each outside effect
has a stable `key`; the state block records keys that are done, which is what makes a re-run
(or a run that picks up after a cancelled one) do each thing once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import ClassVar

from incident_response.core.decision.page_effect import Capability, EffectBase, TriggerPage
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = [
    "CLAIMED_EFFECTS",
    "AddIncidentTodo",
    "AttachPostmortem",
    "Capability",
    "DeclareIncident",
    "Effect",
    "EffectBase",
    "FindIncident",
    "IncidentFacts",
    "Message",
    "OpenFollowUpIssue",
    "PostComment",
    "PostToChat",
    "React",
    "ResolvePage",
    "SetIssueState",
    "Thread",
    "TriggerPage",
    "UpdateIncident",
    "WritePostmortem",
]


@dataclass(frozen=True)
class IncidentFacts:
    """What the incident tool is told of the incident, whatever tool it is: each adapter maps
    these to its own fields (incident fields, a state, a commander)."""

    title: str
    priority: Priority
    severity: Severity
    phase: Phase
    service: str
    environment: str
    #: the service's controller, where the policy names one
    controller: str | None = None
    monitor: str | None = None
    #: the incident commander's GitHub login: the adapter finds its own user in the people map
    commander: str | None = None
    #: the latest `/update`, as one line ("2026-11-28 08:40 UTC, @mona: Rolled back")
    latest_update: str | None = None
    customer_impact_end: datetime | None = None


@dataclass(frozen=True)
class DeclareIncident(EffectBase):
    issue_url: str
    facts: IncidentFacts
    #: who is impacted, and the GitHub issue's URL (by which a lost declaration is found again)
    impact_scope: str
    timeline_note: str
    #: the UpdateIncident fingerprint this creation already satisfies
    fingerprint: str = ""

    capability: ClassVar[Capability] = Capability.MIRROR

    def describe(self) -> str:
        commander = f"@{self.facts.commander}" if self.facts.commander else "none"
        return (f"declare the incident \u201c{self.facts.title}\u201d ({self.facts.priority}, "
                f"{self.facts.severity}, {self.facts.phase}), commander {commander}")


@dataclass(frozen=True)
class FindIncident(EffectBase):
    """Find the incident declared for this issue (a rebuilt record): never declare it again."""

    issue_url: str

    capability: ClassVar[Capability] = Capability.MIRROR

    def describe(self) -> str:
        return f"find the declared incident of {self.issue_url}"


@dataclass(frozen=True)
class Message:
    """A chat message as the core means it; each chat adapter lays it out its own way (blocks,
    cards). The text uses the chat's light markup (`*bold*`, `<url|label>`, and
    `<person:LOGIN>` for someone the adapter mentions its own way) with user text escaped for
    it (core/texts/chat.py)."""

    text: str
    #: a title line shown above the text, when the message has one
    header: str | None = None
    #: a small line under the text (links, who and when)
    context: str | None = None
    #: (label, value) pairs shown first, before any long text, so they survive it
    facts: tuple[tuple[str, str], ...] = ()
    #: where the whole text can be read when the chat cuts it ("continued on GitHub")
    more_at: str | None = None


class Thread(StrEnum):
    """Where a chat post goes, decided by the core from what the record knows."""

    #: a message of its own in the channel
    CHANNEL = "channel"
    #: a reply in the incident's thread, whose id the record holds
    REPLY = "reply"
    #: a reply in the incident's thread, whose id a lost record no longer holds: the
    #: announcement is looked up by its tags first, and the post goes to the channel as a
    #: message of its own when it cannot be found
    FIND_THEN_REPLY = "find-then-reply"


@dataclass(frozen=True)
class PostToChat(EffectBase):
    channel: str
    #: the plain notification text (shown in notifications and where rich layout is not)
    text: str
    message: Message
    #: where it goes: the channel, or the thread of the incident's announcement
    thread: Thread = field(default_factory=lambda: Thread.CHANNEL)
    #: the incident (`OWNER/REPO#N`) and a kind: tags the message carries so a message whose
    #: answer was lost can be found again (message metadata, say)
    incident: str = ""
    kind: str = "incident_message"
    #: the announcement whose id becomes the incident's thread
    is_announcement: bool = False
    #: a thread reply that is also shown in the channel
    broadcast: bool = False

    capability: ClassVar[Capability] = Capability.CHAT

    def describe(self) -> str:
        where = "the thread in " if self.thread is not Thread.CHANNEL else ""
        return f"post to chat {where}{self.channel}: {self.text}"

    @property
    def in_thread(self) -> bool:
        return self.thread is not Thread.CHANNEL


@dataclass(frozen=True)
class PostComment(EffectBase):
    body: str
    #: the issue or pull request to comment on; None for the incident's own issue
    on: int | None = None

    capability: ClassVar[Capability] = Capability.GITHUB

    def describe(self) -> str:
        first = next((line for line in self.body.splitlines() if line.strip()
                      and not line.startswith("<!--")), "")
        return f"comment on the issue: {first}"


@dataclass(frozen=True)
class ResolvePage(EffectBase):
    dedup_key: str

    capability: ClassVar[Capability] = Capability.PAGER

    def describe(self) -> str:
        return f"resolve the page, dedup_key {self.dedup_key}"


@dataclass(frozen=True)
class UpdateIncident(EffectBase):
    """Bring the declared incident in line with GitHub: its facts, as the fingerprint says."""

    fingerprint: str
    facts: IncidentFacts

    capability: ClassVar[Capability] = Capability.MIRROR

    def describe(self) -> str:
        return (f"update the declared incident ({self.facts.phase}, {self.facts.severity}, "
                f"{self.facts.priority})")


@dataclass(frozen=True)
class AddIncidentTodo(EffectBase):
    content: str

    capability: ClassVar[Capability] = Capability.MIRROR

    def describe(self) -> str:
        return f"add a todo to the declared incident: {self.content}"


@dataclass(frozen=True)
class React(EffectBase):
    comment_id: int
    content: str

    capability: ClassVar[Capability] = Capability.GITHUB

    def describe(self) -> str:
        return f"react {self.content} to comment {self.comment_id}"


@dataclass(frozen=True)
class WritePostmortem(EffectBase):
    """Open (or bring up to date) the post-mortem branch, file and pull request."""

    branch: str
    base: str
    path: str
    content: str
    content_hash: str
    title: str
    body: str
    commit_message: str

    capability: ClassVar[Capability] = Capability.GITHUB

    def describe(self) -> str:
        return f"write {self.path} on {self.branch} and its pull request \u201c{self.title}\u201d"


@dataclass(frozen=True)
class AttachPostmortem(EffectBase):
    url: str
    title: str

    capability: ClassVar[Capability] = Capability.MIRROR

    def describe(self) -> str:
        return f"attach the post-mortem to the declared incident: {self.url}"


@dataclass(frozen=True)
class SetIssueState(EffectBase):
    open: bool
    reason: str = "completed"

    capability: ClassVar[Capability] = Capability.GITHUB

    def describe(self) -> str:
        return "reopen the issue" if self.open else "close the issue"


@dataclass(frozen=True)
class OpenFollowUpIssue(EffectBase):
    followup_id: str
    title: str
    body: str
    #: labels it is opened with (the follow-up label, by which the sweep chases it)
    labels: tuple[str, ...] = ()

    capability: ClassVar[Capability] = Capability.GITHUB

    def describe(self) -> str:
        return f"open follow-up issue \u201c{self.title}\u201d"


Effect = (TriggerPage | ResolvePage | DeclareIncident | FindIncident | UpdateIncident
          | AddIncidentTodo | AttachPostmortem | PostToChat | PostComment | React
          | WritePostmortem | SetIssueState | OpenFollowUpIssue)
"""Every effect a plan may hold: `execute` matches on it, and mypy proves each has a sender."""

#: Effects that are not idempotent on the vendor's side: each is claimed in the record before
#: it is sent and confirmed after, and an unconfirmed claim is looked up before a second try.
#: (Comments need no claim: every comment carries its effect's marker and every run reads the
#: comments. The page, the declared incident's updates, reactions and the issue's state are
#: idempotent.)
CLAIMED_EFFECTS = (PostToChat, AddIncidentTodo, DeclareIncident, AttachPostmortem,
                   OpenFollowUpIssue, WritePostmortem)
