"""The machine state of one incident, kept in a hidden, versioned block of the status comment.

Labels are the index people see; this block is what the bot trusts: outside ids (Datadog
incident, Slack message), which effects are done, which failed and how often. It is only ever
read from a comment written by the bot's own login, so nobody can forge it by editing labels
or pasting text. The JSON is escaped so it can never close the HTML comment early.
"""

from __future__ import annotations

import json
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from incident_response.vocabulary import Phase, Priority, Severity

__all__ = [
    "STATE_VERSION",
    "STATUS_MARKER",
    "EffectFailure",
    "FollowUp",
    "IncidentState",
    "Note",
    "PhaseChange",
    "Reply",
    "TimelineEntry",
    "Update",
    "parse_state",
    "render_state",
]

STATE_VERSION = 1
STATUS_MARKER = "<!-- incident-response:status -->"
_BLOCK = re.compile(r"<!-- incident-response:state v(?P<version>\d+) (?P<json>\{.*?\}) -->", re.S)


class EffectFailure(BaseModel):
    model_config = ConfigDict(extra="ignore")

    attempts: int = 0
    error: str = ""
    at: datetime | None = None


class Update(BaseModel):
    """An `/update` from a responder: the incident's heartbeat."""

    id: str
    at: datetime
    author: str
    text: str


class Note(BaseModel):
    """A line for the Slack thread (role changes, severity, phase); `broadcast` also to channel."""

    id: str
    text: str
    broadcast: bool = False
    #: a channel of its own instead of the incident's thread (escalation to leadership)
    channel: str | None = None


class TimelineEntry(BaseModel):
    """A back-dated `/timeline` entry (UTC)."""

    at: datetime
    author: str
    text: str


class FollowUp(BaseModel):
    id: str
    text: str
    author: str
    at: datetime
    owner: str | None = None
    issue_number: int | None = None


class Reply(BaseModel):
    """The bot's answer to a comment with commands: a reaction, or a reply with words."""

    id: str
    comment_id: int
    reaction: str | None = None
    body: str | None = None


class Repair(BaseModel):
    """A mirror that had failed and was then made, by a later run (often the sweep)."""

    key: str
    at: datetime


class PhaseChange(BaseModel):
    phase: Phase
    at: datetime
    by: str


class IncidentState(BaseModel):
    """Everything the bot must remember between runs."""

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
    opened_at: datetime | None = None
    declared_at: datetime | None = None
    datadog_id: str | None = None
    datadog_public_id: int | None = None
    datadog_url: str | None = None
    #: the channel id Slack answered for the announcement: its thread lives there
    slack_channel: str | None = None
    slack_ts: str | None = None
    page_dedup_key: str | None = None
    #: effect keys that have succeeded, e.g. "page:trigger", "datadog:declare"
    done: list[str] = Field(default_factory=list)
    #: effect key -> the last failure, while it is not done
    failures: dict[str, EffectFailure] = Field(default_factory=dict)
    updates: list[Update] = Field(default_factory=list)
    notes: list[Note] = Field(default_factory=list)
    timeline: list[TimelineEntry] = Field(default_factory=list)
    followups: list[FollowUp] = Field(default_factory=list)
    replies: list[Reply] = Field(default_factory=list)
    phase_changes: list[PhaseChange] = Field(default_factory=list)
    #: comment ids whose commands have been applied (each exactly once)
    processed_comments: list[int] = Field(default_factory=list)
    #: ids of label events (added/removed by people) already honoured or reverted
    processed_label_events: list[int] = Field(default_factory=list)
    reminders_sent: list[datetime] = Field(default_factory=list)
    #: the latest repairs, newest last (a few are kept, for the status comment)
    repairs: list[Repair] = Field(default_factory=list)
    mitigated_at: datetime | None = None
    resolved_at: datetime | None = None
    #: fingerprint of what Datadog was last told (fields, state, commander, summary)
    datadog_synced: str | None = None
    #: the post-mortem pull request, once opened, and what was last written to it
    postmortem_pr: int | None = None
    postmortem_url: str | None = None
    postmortem_path: str | None = None
    postmortem_hash: str | None = None
    postmortem_merged_at: datetime | None = None
    #: post-mortem pull requests closed (merged or not), each handled once
    postmortem_closed: list[int] = Field(default_factory=list)
    #: of those, the ones merged before the incident was resolved (refused)
    postmortem_refused: list[int] = Field(default_factory=list)
    completed_at: datetime | None = None
    default_branch: str | None = None
    issue_closed: bool = False
    reopens: int = 0

    def last_update_at(self) -> datetime | None:
        """The last sign of life: the newest `/update`, else the declaration, else the report."""
        moments = [u.at for u in self.updates]
        if not moments:
            moments = [m for m in (self.declared_at, self.opened_at) if m is not None]
        return max(moments) if moments else None

    def unanswered_reminders(self) -> int:
        since = self.last_update_at()
        return sum(1 for r in self.reminders_sent if since is None or r > since)

    def change_phase(self, phase: Phase, at: datetime, by: str) -> None:
        if phase is not self.phase:
            self.phase = phase
            self.phase_changes.append(PhaseChange(phase=phase, at=at, by=by))

    def is_done(self, key: str) -> bool:
        return key in self.done

    def mark_done(self, key: str, at: datetime | None = None) -> None:
        if key not in self.done:
            self.done.append(key)
        if self.failures.pop(key, None) is not None and at is not None:
            self.repairs = [*self.repairs, Repair(key=key, at=at)][-5:]

    def mark_failed(self, key: str, error: str, at: datetime) -> None:
        previous = self.failures.get(key)
        attempts = (previous.attempts if previous else 0) + 1
        self.failures[key] = EffectFailure(attempts=attempts, error=error, at=at)


def render_state(state: IncidentState) -> str:
    payload = state.model_dump(mode="json", exclude_defaults=False)
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    # `<` and `>` never appear raw, so neither `-->` nor `<!--` can end or fake the block.
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<!-- incident-response:state v{STATE_VERSION} {text} -->"


def parse_state(comment_body: str) -> IncidentState | None:
    """The state in a status comment, or None when there is none (or it cannot be read)."""
    matches = list(_BLOCK.finditer(comment_body or ""))
    if not matches:
        return None
    block = matches[-1]
    if int(block["version"]) > STATE_VERSION:
        return None
    try:
        return IncidentState.model_validate(json.loads(block["json"]))
    except (ValueError, ValidationError):
        return None
