"""The machine state of one incident, kept in a hidden, versioned block of the status comment.

Labels are the index people see; this block is what the bot trusts: outside ids (Datadog
incident, Slack message), which effects are done, claimed or failed, and how far the comments
have been read. It is only ever read from a comment written by the bot's own login, so nobody
can forge it by editing labels or pasting text.

The block is bounded: it keeps identifiers, watermarks and the effects still to do, never the
texts that GitHub already holds. An update is kept as the id of the comment that carries it
(`1234-0`: comment 1234, first command) and its text is read again from that comment on every
run, so the block stays a few kilobytes however long the incident lasts. Texts are kept only
for what is still to be sent (a note for Slack, a reply), and leave the block once sent.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from incident_response.core.record import keys
from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = [
    "STATE_VERSION",
    "STATUS_MARKER",
    "EffectFailure",
    "FollowUpRef",
    "IncidentState",
    "Pending",
    "PhaseChange",
    "Repair",
    "SavedReport",
    "merge_states",
    "parse_state",
    "render_state",
    "status_comment_of",
]

STATE_VERSION = 2
STATUS_MARKER = "<!-- incident-response:status -->"
_BLOCK = re.compile(r"<!-- incident-response:state v(?P<version>\d+) (?P<json>\{.*?\}) -->", re.S)


class EffectFailure(BaseModel):
    model_config = ConfigDict(extra="ignore")

    attempts: int = 0
    error: str = ""
    at: datetime | None = None


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


class Repair(BaseModel):
    """A mirror that had failed and was then made, by a later run (often the sweep)."""

    key: str
    at: datetime


class PhaseChange(BaseModel):
    phase: Phase
    at: datetime
    by: str


class SavedReport(BaseModel):
    """The last valid form, without its free text: in force while an edit makes it invalid."""

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

    model_config = ConfigDict(extra="ignore")

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
    report: SavedReport | None = None
    opened_at: datetime | None = None
    declared_at: datetime | None = None
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    completed_at: datetime | None = None
    datadog_id: str | None = None
    datadog_public_id: int | None = None
    datadog_url: str | None = None
    #: the channel id Slack answered for the announcement: its thread lives there
    slack_channel: str | None = None
    slack_ts: str | None = None
    page_dedup_key: str | None = None
    #: keys of the incident's one-off effects that succeeded, e.g. keys.PAGE
    done: list[str] = Field(default_factory=list)
    #: effect key -> when a run announced it was about to send it (intent before effect)
    claimed: dict[str, datetime] = Field(default_factory=dict)
    #: effect key -> the last failure, while it is not done
    failures: dict[str, EffectFailure] = Field(default_factory=dict)
    #: effects of single facts still to be sent
    outbox: list[Pending] = Field(default_factory=list)
    #: the newest comment id whose commands are applied (GitHub's ids only grow)
    watermark: int = 0
    #: the newest label event id honoured or reverted
    label_watermark: int = 0
    #: comment id -> its `updated_at` when last seen, for comments edited before or after
    #: their commands were applied (an unedited comment needs none: updated_at = created_at)
    applied: dict[str, datetime] = Field(default_factory=dict)
    #: fact ids (`COMMENT-INDEX`) of the accepted `/update`s, `/timeline`s and `/followup`s
    updates: list[str] = Field(default_factory=list)
    last_update_at: datetime | None = None
    timeline: list[str] = Field(default_factory=list)
    followups: list[FollowUpRef] = Field(default_factory=list)
    #: reminders sent in all (numbers them) and those since the last update (escalation)
    reminder_count: int = 0
    reminders_unanswered: list[datetime] = Field(default_factory=list)
    #: escalations of silence made (to the thread, then to leadership), for the report
    escalations: int = 0
    phase_changes: list[PhaseChange] = Field(default_factory=list)
    #: the latest repairs, newest last (a few are kept, for the status comment)
    repairs: list[Repair] = Field(default_factory=list)
    #: fingerprint of what Datadog was last told (fields, state, commander, summary)
    datadog_synced: str | None = None
    #: 1, then one more each time a completed incident is reopened (a new post-mortem each)
    cycle: int = 1
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
    closed_by_hand: int = 0
    reopens: int = 0
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
        """The newest `/update`, else the declaration, else the report."""
        for moment in (self.last_update_at, self.declared_at, self.opened_at):
            if moment is not None:
                return moment
        return None

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
        self.queue(Pending(key=keys.slack_note(tag), kind="note", text=text, channel=channel,
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

    def mark_failed(self, key: str, error: str, at: datetime) -> None:
        previous = self.failures.get(key)
        attempts = (previous.attempts if previous else 0) + 1
        self.failures[key] = EffectFailure(attempts=attempts, error=error[:300], at=at)


def status_comment_of(issue: IssueSnapshot, bot_login: str) -> CommentSnapshot | None:
    """The bot's status comment: its marker on the first line, written by the bot's login."""
    for comment in issue.comments:
        if comment.is_by(bot_login) and comment.body.lstrip().startswith(STATUS_MARKER):
            return comment
    return None


def render_state(state: IncidentState) -> str:
    payload = state.model_dump(mode="json", exclude_defaults=True)
    payload["version"] = STATE_VERSION
    # UTF-8 as it is (a Japanese update costs its characters, not six per character), with
    # `<` and `>` escaped so neither `-->` nor `<!--` can end or fake the block.
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<!-- incident-response:state v{STATE_VERSION} {text} -->"


def parse_state(comment_body: str) -> IncidentState | None:
    """The state in a status comment, or None when there is none (or it cannot be read)."""
    matches = list(_BLOCK.finditer(comment_body or ""))
    if not matches:
        return None
    block = matches[-1]
    version = int(block["version"])
    if version > STATE_VERSION:
        return None
    try:
        data = json.loads(block["json"])
        if not isinstance(data, dict):
            return None
        return IncidentState.model_validate(_from_v1(data) if version == 1 else data)
    except (ValueError, ValidationError):
        return None


def _from_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 block (texts kept in the state) read as version 2: ids and watermarks."""
    done = [k for k in data.get("done", []) if not k.startswith(keys.PER_FACT)]
    outbox = []
    for note in data.get("notes", []):
        key = keys.slack_note(note['id'])
        if key not in data.get("done", []):
            outbox.append({"key": key, "kind": "note", "text": note["text"],
                           "channel": note.get("channel"), "broadcast": note.get("broadcast")})
    for reply in data.get("replies", []):
        key = keys.reply(reply['id'])
        if key not in data.get("done", []):
            outbox.append({"key": key, "kind": "reply", "text": reply.get("body"),
                           "comment_id": reply.get("comment_id"),
                           "reaction": reply.get("reaction")})
    updates = data.get("updates", [])
    return {
        **{k: v for k, v in data.items() if k not in (
            "notes", "replies", "updates", "timeline", "followups", "processed_comments",
            "processed_label_events", "reminders_sent")},
        "done": done, "outbox": outbox,
        "watermark": max(data.get("processed_comments") or [0]),
        "label_watermark": max(data.get("processed_label_events") or [0]),
        "updates": [u["id"] for u in updates],
        "last_update_at": max((u["at"] for u in updates), default=None),
        "followups": [{"id": f["id"], "owner": f.get("owner"),
                       "issue_number": f.get("issue_number")}
                      for f in data.get("followups", [])],
        "reminder_count": len(data.get("reminders_sent", [])),
    }


# -- merging two runs' records ------------------------------------------------------------

def _identity(item: Any) -> Any:
    if isinstance(item, BaseModel):
        for name in ("key", "id"):
            if name in type(item).model_fields:
                return getattr(item, name)
        return json.dumps(item.model_dump(mode="json"), sort_keys=True)
    return item


def _merge_list(base: list[Any], mine: list[Any], theirs: list[Any]) -> list[Any]:
    """Three-way merge of a set kept as a list: what either run added stays, what either run
    removed goes; the order is mine, then what only theirs has."""
    base_ids = {_identity(i) for i in base}
    mine_ids = {_identity(i) for i in mine}
    theirs_ids = {_identity(i) for i in theirs}
    removed = (base_ids - mine_ids) | (base_ids - theirs_ids)
    merged = [i for i in mine if _identity(i) not in removed]
    seen = {_identity(i) for i in merged}
    merged += [i for i in theirs if _identity(i) not in removed and _identity(i) not in seen]
    return merged


def _merge_dict(base: dict[str, Any], mine: dict[str, Any],
                theirs: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in {*mine, *theirs}:
        in_mine, in_theirs, in_base = key in mine, key in theirs, key in base
        if in_base and (not in_mine or not in_theirs):
            continue  # removed by one of the runs (done, or no longer failing)
        if in_mine and (not in_theirs or mine[key] != base.get(key)):
            merged[key] = mine[key]
        else:
            merged[key] = theirs[key]
    return merged


def merge_states(base: IncidentState, mine: IncidentState,
                 theirs: IncidentState) -> IncidentState:
    """Both runs' facts, when another run wrote the record after this run read it.

    The state is a set of facts, so the merge is their union: what either run added is kept,
    what either run finished (an outbox entry sent, a claim confirmed) is gone, a watermark is
    the higher one, and a single value takes the run that changed it (this one, if both did).
    """
    merged: dict[str, Any] = {}
    for name in IncidentState.model_fields:
        b, m, t = getattr(base, name), getattr(mine, name), getattr(theirs, name)
        if name in ("watermark", "label_watermark", "reminder_count", "escalations", "cycle",
                    "reopens", "closed_by_hand"):
            merged[name] = max(m, t)
        elif isinstance(m, list):
            merged[name] = _merge_list(b, m, t)
        elif isinstance(m, dict):
            merged[name] = _merge_dict(b, m, t)
        else:
            merged[name] = m if m != b else t
    result = IncidentState.model_validate(merged)
    result.phase_changes.sort(key=lambda change: change.at)
    for key in result.done:
        result.claimed.pop(key, None)
        result.failures.pop(key, None)
    return result
