"""The machine state of one incident, kept in a hidden, versioned block of the status comment.

Labels are the index people see; this block is what the bot trusts: outside ids (the declared
incident, the chat thread), which effects are done, claimed or failed, and how far the comments
have been read. It is only ever read from a comment written by the bot's own login, so nobody
can forge it by editing labels or pasting text.

The block is bounded: it keeps identifiers, watermarks and the effects still to do, never the
texts that GitHub already holds. An update is kept as the id of the comment that carries it
(`1234-0`: comment 1234, first command) and its text is read again from that comment on every
run, so the block stays a few kilobytes however long the incident lasts. Texts are kept only
for what is still to be sent (a note for Slack, a reply), and leave the block once sent.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from incident_response.core.errors import Refusal
from incident_response.core.record import keys
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = [
    "STATE_VERSION",
    "EffectFailure",
    "FollowUpRef",
    "GoneMirror",
    "IncidentState",
    "Merge",
    "Pending",
    "PhaseChange",
    "Repair",
    "SavedAnswers",
]

STATE_VERSION = 2


class Merge(Enum):
    """How a field merges when two runs wrote the record (record/merge.py). Declared on the
    field itself (`Annotated[int, Merge.HIGHER]`), so a new field says how it merges where it
    is defined. Without a declaration a list or a mapping is a set (what either run added
    stays, what either finished goes) and a single value takes the run that changed it."""

    #: a counter or a watermark: the higher of the two
    HIGHER = "higher"


class EffectFailure(BaseModel):
    """An effect's last failure. When it is tried again is core/decision/retry.py's rule."""

    model_config = ConfigDict(extra="ignore")

    attempts: int = 0
    error: str = ""
    at: datetime | None = None
    #: why no retry helps until someone fixes something; None for a transient failure
    refusal: Refusal | None = None
    #: what to fix, in a sentence for the responder ("check SLACK_BOT_TOKEN ...")
    fix: str = ""
    #: a fingerprint of the request that was refused: a refused request that has changed
    #: since (a channel fixed in the config, a title measured anew) is tried again
    sent: str | None = None


class Pending(BaseModel):
    """An effect of one fact, still to be sent: a Slack note or update, a reply, a reminder.

    It leaves the state once done, which is what keeps the state small: a thousand updates
    sent are a thousand comment ids, not a thousand effect keys and texts.
    """

    model_config = ConfigDict(extra="ignore")

    key: str
    #: "update" (fact id of an /update), "note" (text), "reply" (text or reaction),
    #: "reminder" (number), "todo" (follow-up id), "pr-comment" (text, on the pull request
    #: `comment_id` names)
    kind: str
    fact: str | None = None
    text: str | None = None
    #: a channel of its own instead of the incident's thread (escalation to leadership)
    channel: str | None = None
    broadcast: bool = False
    comment_id: int | None = None
    reaction: str | None = None


class FollowUpRef(BaseModel):
    """A `/followup`: its text stays in its comment; the state keeps where its issue is."""

    id: str
    owner: str | None = None
    issue_number: int | None = None
    #: its issue was found closed (done), by a run that read it
    closed: bool = False


class GoneMirror(BaseModel):
    """A declared incident deleted in the incident tool (it answered 404 about it)."""

    id: str
    number: int | None = None
    url: str | None = None
    #: when a run found it gone
    at: datetime


class Repair(BaseModel):
    """A mirror that had failed and was then made, by a later run (often the sweep)."""

    key: str
    at: datetime


class PhaseChange(BaseModel):
    phase: Phase
    at: datetime
    by: str


class SavedAnswers(BaseModel):
    """The last valid answers of the form, without their free text: in force while an edit
    makes the form invalid."""

    model_config = ConfigDict(extra="ignore")

    service: str
    environment: str
    users_per_hour: int
    user_impact: str
    providers: list[str] = Field(default_factory=list)
    started_at: datetime | None = None
    monitor: str | None = None
    commander: str | None = None
    code_change_required: str = "Not sure"


class IncidentState(BaseModel):
    """Everything the bot must remember between runs, and nothing GitHub already holds."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    version: int = STATE_VERSION
    phase: Phase = Phase.TRIAGE
    priority: Priority | None = None
    severity: Severity | None = None
    #: set by `/priority` or `/severity`; wins over the form's classification
    priority_override: Priority | None = None
    severity_override: Severity | None = None
    reporter: str | None = None
    commander: str | None = None
    roles: dict[str, str] = Field(default_factory=dict)
    #: when a responder with permission confirmed an untrusted report
    confirmed_by: str | None = None
    #: kept under its first name, `report`, in the stored record
    answers: SavedAnswers | None = Field(default=None, alias="report")
    opened_at: datetime | None = None
    declared_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    completed_at: datetime | None = None
    #: the incident declared in the incident-management tool (the mirror): its id, the number
    #: people know it by, and its page. The stored record keeps the names these fields were
    #: first written under (aliases), so records written before read as they were.
    mirror_id: str | None = Field(default=None, alias="datadog_id")
    mirror_number: int | None = Field(default=None, alias="datadog_public_id")
    mirror_url: str | None = Field(default=None, alias="datadog_url")
    #: the channel id Slack answered for the announcement: its thread lives there
    chat_channel: str | None = Field(default=None, alias="slack_channel")
    #: the announcement's message id: its thread is the incident's thread
    chat_thread: str | None = Field(default=None, alias="slack_ts")
    #: a link to the announcement that people can open (the chat's permalink)
    chat_thread_url: str | None = None
    #: each channel as the config writes it (a name) -> the id the chat answered for it, once
    #: known: a message whose answer was lost is looked for by id, and the chat may read its
    #: history only by id. Merged as a set (what either run learnt stays); a record written
    #: before it reads as an empty map, and an older program ignores it.
    chat_channels: dict[str, str] = Field(default_factory=dict)
    #: why the last look for an earlier chat message could not be made (a scope the bot lacks,
    #: and how to give it), shown once in the status comment until a look succeeds
    chat_lookup_problem: str | None = None
    page_dedup_key: str | None = None
    #: when the page first went out (the start of MTTA)
    paged_at: datetime | None = None
    #: keys of the incident's one-off effects that succeeded, e.g. keys.PAGE
    done: list[str] = Field(default_factory=list)
    #: effect key -> when a run announced it was about to send it (intent before effect)
    claimed: dict[str, datetime] = Field(default_factory=dict)
    #: effect key -> the last failure, while it is not done
    failures: dict[str, EffectFailure] = Field(default_factory=dict)
    #: effects of single facts still to be sent
    outbox: list[Pending] = Field(default_factory=list)
    #: the newest comment id whose commands are applied (GitHub's ids only grow)
    watermark: Annotated[int, Merge.HIGHER] = 0
    #: the newest label event id honoured or reverted
    label_watermark: Annotated[int, Merge.HIGHER] = 0
    #: comment id -> its `updated_at` when last seen, for comments edited before or after
    #: their commands were applied (an unedited comment needs none: updated_at = created_at)
    applied: dict[str, datetime] = Field(default_factory=dict)
    #: fact ids (`COMMENT-INDEX`) of the accepted `/update`s, `/timeline`s and `/followup`s
    updates: list[str] = Field(default_factory=list)
    last_update_at: datetime | None = None
    timeline: list[str] = Field(default_factory=list)
    followups: list[FollowUpRef] = Field(default_factory=list)
    #: reminders sent in all (numbers them) and those since the last update (escalation)
    reminder_count: Annotated[int, Merge.HIGHER] = 0
    reminders_unanswered: list[datetime] = Field(default_factory=list)
    #: escalations of silence made (to the thread, then to leadership), for the report
    escalations: Annotated[int, Merge.HIGHER] = 0
    phase_changes: list[PhaseChange] = Field(default_factory=list)
    #: the latest repairs, newest last (a few are kept, for the status comment)
    repairs: list[Repair] = Field(default_factory=list)
    #: fingerprint of what Datadog was last told (fields, state, commander, summary)
    mirror_synced: str | None = Field(default=None, alias="datadog_synced")
    #: declared incidents deleted in the incident tool, oldest first: the first is declared
    #: again once; a replacement deleted too stops the mirror until `/retry`
    mirror_gone: list[GoneMirror] = Field(default_factory=list)
    #: when a `/retry` last resumed a stopped mirror (losses before it no longer count)
    mirror_resumed_at: datetime | None = None
    #: a `/retry` was typed: the run that applies it tries again, once, everything held back
    #: (it is consumed by that run's plan, so the stored record never keeps it set)
    retry_requested: bool = False
    #: 1, then one more each time a completed incident is reopened (a new post-mortem each)
    cycle: Annotated[int, Merge.HIGHER] = 1
    postmortem_pr: int | None = None
    postmortem_url: str | None = None
    postmortem_path: str | None = None
    postmortem_hash: str | None = None
    postmortem_merged_at: datetime | None = None
    #: post-mortem pull requests closed (merged or not), each handled once
    postmortem_closed: list[int] = Field(default_factory=list)
    #: of those, the ones merged before the incident was resolved (refused)
    postmortem_refused: list[int] = Field(default_factory=list)
    default_branch: str | None = None
    issue_closed: bool = False
    #: times the issue was closed by hand while the incident was live (each answered once)
    closed_by_hand: Annotated[int, Merge.HIGHER] = 0
    reopens: Annotated[int, Merge.HIGHER] = 0
    #: what a run found when it rebuilt a lost record (shown in the status comment)
    rebuilt: list[str] = Field(default_factory=list)
    #: when a sweep last looked at this incident
    swept_at: datetime | None = None
    #: the chases of the post-mortem (and follow-ups) already made, and the last business day
    #: an overdue post-mortem was chased on the issue
    chased: list[str] = Field(default_factory=list)
    chased_on: date | None = None
    #: when and by whom the page was first acknowledged (PagerDuty's log entries)
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None

    def unanswered_reminders(self) -> int:
        return len(self.reminders_unanswered)

    def change_phase(self, phase: Phase, at: datetime, by: str) -> None:
        if phase is not self.phase:
            self.phase = phase
            self.phase_changes.append(PhaseChange(phase=phase, at=at, by=by))

    def last_sign_of_life(self) -> datetime | None:
        """The newest `/update`, else the declaration, else the report; a reopen since then
        starts the commander's clock afresh (the time the incident spent resolved or
        completed is not silence)."""
        moment = next((m for m in (self.last_update_at, self.declared_at, self.opened_at)
                       if m is not None), None)
        reopened = self.reopened_at()
        if reopened is not None and (moment is None or reopened > moment):
            return reopened
        return moment

    def reopened_at(self) -> datetime | None:
        """When the incident was last reopened after its resolution, if it was."""
        return max((c.at for c in self.phase_changes if c.by == "reopened"), default=None)

    def record_update(self, fact_id: str, at: datetime) -> None:
        self.updates.append(fact_id)
        if self.last_update_at is None or at > self.last_update_at:
            self.last_update_at = at
        self.reminders_unanswered = [r for r in self.reminders_unanswered if r > at]

    def queue(self, item: Pending) -> None:
        if all(existing.key != item.key for existing in self.outbox):
            self.outbox.append(item)

    def note(self, tag: str, text: str, *, channel: str | None = None,
             broadcast: bool = False) -> None:
        """Queue a chat message: to the incident's thread, or to a channel of its own."""
        self.queue(Pending(key=keys.chat_note(tag), kind="note", text=text, channel=channel,
                           broadcast=broadcast))

    def is_done(self, key: str) -> bool:
        return key in self.done

    def is_pending(self, key: str) -> bool:
        return any(item.key == key for item in self.outbox)

    def mark_done(self, key: str, at: datetime | None = None) -> None:
        if self.is_pending(key):
            self.outbox = [item for item in self.outbox if item.key != key]
        elif key not in self.done:
            self.done.append(key)
        self.claimed.pop(key, None)
        if self.failures.pop(key, None) is not None and at is not None:
            self.repairs = [*self.repairs, Repair(key=key, at=at)][-5:]

    def record_page(self, dedup_key: str, at: datetime) -> None:
        """The page went out (now, or before this run loaded the incident)."""
        self.page_dedup_key = dedup_key
        self.paged_at = self.paged_at or at
        self.mark_done(keys.PAGE, at)

    def mark_failed(self, key: str, error: str, at: datetime, *,
                    refusal: Refusal | None = None, fix: str = "",
                    sent: str | None = None) -> None:
        previous = self.failures.get(key)
        attempts = (previous.attempts if previous else 0) + 1
        self.failures[key] = EffectFailure(attempts=attempts, error=error[:300], at=at,
                                           refusal=refusal, fix=fix[:300], sent=sent)

    def mirror_stopped(self) -> bool:
        """The declared incident was deleted, and so was the one declared to replace it,
        since the last `/retry`: the incident tool no longer mirrors this incident."""
        since = self.mirror_resumed_at
        return len([g for g in self.mirror_gone if since is None or g.at > since]) >= 2

    def lose_mirror(self, at: datetime) -> GoneMirror | None:
        """The declared incident is gone from the incident tool: forget it, so that it is
        declared again (once; `mirror_stopped` says when not), with every follow-up as a todo
        and the post-mortem attached again. None when no incident was declared."""
        if self.mirror_id is None:
            return None
        gone = GoneMirror(id=self.mirror_id, number=self.mirror_number, url=self.mirror_url,
                          at=at)
        self.mirror_gone = [*self.mirror_gone, gone]
        self.mirror_id = self.mirror_number = self.mirror_url = self.mirror_synced = None
        forget = {keys.DECLARE, keys.MIRROR_SYNC, keys.POSTMORTEM_ATTACH}
        self.done = [k for k in self.done if k not in forget]
        for key in forget:
            self.claimed.pop(key, None)
            self.failures.pop(key, None)
        for item in self.followups:  # the new incident gets every follow-up as a todo
            self.queue(Pending(key=keys.todo(item.id), kind="todo", fact=item.id))
        return gone


