"""What a run intends to do outside its own memory: typed, frozen, printable.

`decide` returns these; `execute` is the only code that carries them out. Each outside effect
has a stable `key`; the state block records keys that are done, which is what makes a re-run
(or a run that picks up after a cancelled one) do each thing once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, ClassVar, Self

__all__ = [
    "CLAIMED_EFFECTS",
    "AddIncidentTodo",
    "AttachPostmortem",
    "DeclareIncident",
    "Effect",
    "FindIncident",
    "LabelSpec",
    "Message",
    "OpenFollowUpIssue",
    "PostComment",
    "PostToChat",
    "React",
    "ResolvePage",
    "SetIssueState",
    "TriggerPage",
    "UpdateIncident",
    "WritePostmortem",
]


@dataclass(frozen=True)
class LabelSpec:
    name: str
    color: str
    description: str


@dataclass(frozen=True)
class Effect:
    key: str
    #: an earlier run claimed this effect and never confirmed it: look for it before sending
    look_first: bool = field(default=False, kw_only=True)
    #: the capability that carries it out (a port of the shell's Services): "pager",
    #: "mirror" (the incident record), "chat" or "github"; which vendor is behind it is the
    #: wiring's business, not the core's
    capability: ClassVar[str] = ""

    def looking_first(self) -> Self:
        return replace(self, look_first=True)

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class TriggerPage(Effect):
    dedup_key: str
    summary: str
    source: str
    severity: str
    links: tuple[tuple[str, str], ...] = ()
    custom_details: dict[str, Any] = field(default_factory=dict)

    capability: ClassVar[str] = "pager"

    def describe(self) -> str:
        return f"page on-call ({self.severity}), dedup_key {self.dedup_key}: {self.summary}"


@dataclass(frozen=True)
class DeclareIncident(Effect):
    issue_url: str
    title: str
    severity: str
    state: str
    customer_impacted: bool
    customer_impact_scope: str
    #: Datadog field name -> (field type, one value or several): ("dropdown", "SEV-2"),
    #: ("autocomplete", ["Platform Identity"])
    fields: dict[str, tuple[str, str | list[str]]]
    commander_user_id: str | None
    notification_handles: tuple[tuple[str, str], ...]
    timeline_note: str
    #: the UpdateIncident fingerprint this creation already satisfies
    fingerprint: str = ""

    capability: ClassVar[str] = "mirror"

    def describe(self) -> str:
        commander = self.commander_user_id or "none (not in the people map)"
        return (
            f"declare the incident \u201c{self.title}\u201d ({self.severity}, {self.state}), "
            f"commander {commander}, notify {', '.join(h for h, _ in self.notification_handles)}"
        )


@dataclass(frozen=True)
class FindIncident(Effect):
    """Find the incident declared for this issue (a rebuilt record): never declare it again."""

    issue_url: str

    capability: ClassVar[str] = "mirror"

    def describe(self) -> str:
        return f"find the declared incident of {self.issue_url}"


@dataclass(frozen=True)
class Message:
    """A chat message as the core means it; each chat adapter lays it out its own way (Slack:
    Block Kit). The text uses the chat's light markup (`*bold*`, `<url|label>`) with user text
    escaped for it."""

    text: str
    #: a title line shown above the text, when the message has one
    header: str | None = None
    #: a small line under the text (links, who and when)
    context: str | None = None
    #: (label, value) pairs shown first, before any long text, so they survive it
    facts: tuple[tuple[str, str], ...] = ()
    #: where the whole text can be read when the chat cuts it ("continued on GitHub")
    more_at: str | None = None


@dataclass(frozen=True)
class PostToChat(Effect):
    channel: str
    #: the plain notification text (shown in notifications and where rich layout is not)
    text: str
    message: Message
    #: reply in the thread of the incident's announcement
    in_thread: bool = False
    #: the incident (`OWNER/REPO#N`) and a kind: tags the message carries so a message whose
    #: answer was lost can be found again (Slack: message metadata)
    incident: str = ""
    kind: str = "incident_message"
    #: the announcement whose id becomes the incident's thread
    is_announcement: bool = False
    #: a thread reply that is also shown in the channel
    broadcast: bool = False

    capability: ClassVar[str] = "chat"

    def describe(self) -> str:
        where = "thread in " if self.in_thread else ""
        return f"post to chat {where}{self.channel}: {self.text}"


@dataclass(frozen=True)
class PostComment(Effect):
    body: str
    #: the issue or pull request to comment on; None for the incident's own issue
    on: int | None = None

    capability: ClassVar[str] = "github"

    def describe(self) -> str:
        first = next((line for line in self.body.splitlines() if line.strip()
                      and not line.startswith("<!--")), "")
        return f"comment on the issue: {first}"


@dataclass(frozen=True)
class ResolvePage(Effect):
    dedup_key: str

    capability: ClassVar[str] = "pager"

    def describe(self) -> str:
        return f"resolve the page, dedup_key {self.dedup_key}"


@dataclass(frozen=True)
class UpdateIncident(Effect):
    """Bring the Datadog incident in line with GitHub: fields, state, commander, latest update."""

    fingerprint: str
    fields: dict[str, tuple[str, str | list[str]]]
    commander_user_id: str | None
    customer_impact_end: datetime | None = None

    capability: ClassVar[str] = "mirror"

    def describe(self) -> str:
        values = ", ".join(f"{k}={v[1]}" for k, v in self.fields.items()
                           if k in ("state", "severity", "priority"))
        return f"update the declared incident ({values})"


@dataclass(frozen=True)
class AddIncidentTodo(Effect):
    content: str

    capability: ClassVar[str] = "mirror"

    def describe(self) -> str:
        return f"add a todo to the declared incident: {self.content}"


@dataclass(frozen=True)
class React(Effect):
    comment_id: int
    content: str

    capability: ClassVar[str] = "github"

    def describe(self) -> str:
        return f"react {self.content} to comment {self.comment_id}"


@dataclass(frozen=True)
class WritePostmortem(Effect):
    """Open (or bring up to date) the post-mortem branch, file and pull request."""

    branch: str
    base: str
    path: str
    content: str
    content_hash: str
    title: str
    body: str
    commit_message: str

    capability: ClassVar[str] = "github"

    def describe(self) -> str:
        return f"write {self.path} on {self.branch} and its pull request \u201c{self.title}\u201d"


@dataclass(frozen=True)
class AttachPostmortem(Effect):
    url: str
    title: str

    capability: ClassVar[str] = "mirror"

    def describe(self) -> str:
        return f"attach the post-mortem to the declared incident: {self.url}"


@dataclass(frozen=True)
class SetIssueState(Effect):
    open: bool
    reason: str = "completed"

    capability: ClassVar[str] = "github"

    def describe(self) -> str:
        return "reopen the issue" if self.open else "close the issue"


@dataclass(frozen=True)
class OpenFollowUpIssue(Effect):
    followup_id: str
    title: str
    body: str
    #: labels it is opened with (the follow-up label, by which the sweep chases it)
    labels: tuple[str, ...] = ()

    capability: ClassVar[str] = "github"

    def describe(self) -> str:
        return f"open follow-up issue \u201c{self.title}\u201d"


#: Effects that are not idempotent on the vendor's side: each is claimed in the record before
#: it is sent and confirmed after, and an unconfirmed claim is looked up before a second try.
#: (Comments need no claim: every comment carries its effect's marker and every run reads the
#: comments. The page, Datadog updates, reactions and the issue's state are idempotent.)
CLAIMED_EFFECTS = (PostToChat, AddIncidentTodo, DeclareIncident, AttachPostmortem,
                   OpenFollowUpIssue, WritePostmortem)
