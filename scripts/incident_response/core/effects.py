"""What a run intends to do outside its own memory: typed, frozen, printable.

`decide` returns these; `execute` is the only code that carries them out. Each outside effect
has a stable `key`; the state block records keys that are done, which is what makes a re-run
(or a run that picks up after a cancelled one) do each thing once.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Self

__all__ = [
    "CLAIMED_EFFECTS",
    "AddDatadogTodo",
    "AttachPostmortem",
    "DeclareInDatadog",
    "Effect",
    "FindInDatadog",
    "LabelSpec",
    "OpenFollowUpIssue",
    "PostComment",
    "PostToSlack",
    "React",
    "ResolvePage",
    "SetIssueState",
    "SyncDatadog",
    "TriggerPage",
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

    def looking_first(self) -> Self:
        return replace(self, look_first=True)

    @property
    def service(self) -> str:
        raise NotImplementedError

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

    @property
    def service(self) -> str:
        return "PagerDuty"

    def describe(self) -> str:
        return f"page on-call ({self.severity}), dedup_key {self.dedup_key}: {self.summary}"


@dataclass(frozen=True)
class DeclareInDatadog(Effect):
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
    #: the SyncDatadog fingerprint this creation already satisfies
    fingerprint: str = ""

    @property
    def service(self) -> str:
        return "Datadog"

    def describe(self) -> str:
        commander = self.commander_user_id or "none (not in the people map)"
        return (
            f"declare Datadog incident \u201c{self.title}\u201d ({self.severity}, {self.state}), "
            f"commander {commander}, notify {', '.join(h for h, _ in self.notification_handles)}"
        )


@dataclass(frozen=True)
class FindInDatadog(Effect):
    """Find the incident declared for this issue (a rebuilt record): never declare it again."""

    issue_url: str

    @property
    def service(self) -> str:
        return "Datadog"

    def describe(self) -> str:
        return f"find the Datadog incident of {self.issue_url}"


@dataclass(frozen=True)
class PostToSlack(Effect):
    channel: str
    text: str
    blocks: tuple[dict[str, Any], ...]
    #: reply in the thread of the incident's announcement
    in_thread: bool = False
    #: names the incident, so a message can be recognised as ours (Slack message metadata)
    metadata: dict[str, Any] | None = None
    #: the announcement whose `ts` becomes the incident's thread
    is_announcement: bool = False
    #: a thread reply that is also shown in the channel
    broadcast: bool = False

    @property
    def service(self) -> str:
        return "Slack"

    def describe(self) -> str:
        where = "thread in " if self.in_thread else ""
        return f"post to Slack {where}{self.channel}: {self.text}"


@dataclass(frozen=True)
class PostComment(Effect):
    body: str

    @property
    def service(self) -> str:
        return "GitHub"

    def describe(self) -> str:
        first = next((line for line in self.body.splitlines() if line.strip()
                      and not line.startswith("<!--")), "")
        return f"comment on the issue: {first}"


@dataclass(frozen=True)
class ResolvePage(Effect):
    dedup_key: str

    @property
    def service(self) -> str:
        return "PagerDuty"

    def describe(self) -> str:
        return f"resolve the page, dedup_key {self.dedup_key}"


@dataclass(frozen=True)
class SyncDatadog(Effect):
    """Bring the Datadog incident in line with GitHub: fields, state, commander, latest update."""

    fingerprint: str
    fields: dict[str, tuple[str, str | list[str]]]
    commander_user_id: str | None
    customer_impact_end: datetime | None = None

    @property
    def service(self) -> str:
        return "Datadog"

    def describe(self) -> str:
        values = ", ".join(f"{k}={v[1]}" for k, v in self.fields.items()
                           if k in ("state", "severity", "priority"))
        return f"update the Datadog incident ({values})"


@dataclass(frozen=True)
class AddDatadogTodo(Effect):
    content: str

    @property
    def service(self) -> str:
        return "Datadog"

    def describe(self) -> str:
        return f"add a Datadog todo: {self.content}"


@dataclass(frozen=True)
class React(Effect):
    comment_id: int
    content: str

    @property
    def service(self) -> str:
        return "GitHub"

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

    @property
    def service(self) -> str:
        return "GitHub"

    def describe(self) -> str:
        return f"write {self.path} on {self.branch} and its pull request \u201c{self.title}\u201d"


@dataclass(frozen=True)
class AttachPostmortem(Effect):
    url: str
    title: str

    @property
    def service(self) -> str:
        return "Datadog"

    def describe(self) -> str:
        return f"attach the post-mortem to the Datadog incident: {self.url}"


@dataclass(frozen=True)
class SetIssueState(Effect):
    open: bool
    reason: str = "completed"

    @property
    def service(self) -> str:
        return "GitHub"

    def describe(self) -> str:
        return "reopen the issue" if self.open else "close the issue"


@dataclass(frozen=True)
class OpenFollowUpIssue(Effect):
    followup_id: str
    title: str
    body: str

    @property
    def service(self) -> str:
        return "GitHub"

    def describe(self) -> str:
        return f"open follow-up issue \u201c{self.title}\u201d"


#: Effects that are not idempotent on the vendor's side: each is claimed in the record before
#: it is sent and confirmed after, and an unconfirmed claim is looked up before a second try.
#: (Comments need no claim: every comment carries its effect's marker and every run reads the
#: comments. The page, Datadog updates, reactions and the issue's state are idempotent.)
CLAIMED_EFFECTS = (PostToSlack, AddDatadogTodo, DeclareInDatadog, AttachPostmortem,
                   OpenFollowUpIssue, WritePostmortem)
