"""Every outside effect's key, in one place: what the record says is done, claimed or pending.

A key names one effect of one incident for good: the state block records it, the markers on
the bot's comments carry it, chat messages carry it in their metadata. So a key, once shipped,
never changes its spelling: the spellings below are the stored record's vocabulary (some were
named after the first vendor behind a capability, and stay so, like the record's JSON field
names), and a new kind of effect gets a new key here. Which vendor does an effect is the
wiring's business: people read a key through `describe`, with the vendors' names.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "ANNOUNCE",
    "CLOSE_ISSUE",
    "DECLARE",
    "FIND_DECLARED",
    "LEADERSHIP",
    "MIRROR_SYNC",
    "OOB_CHECKLIST",
    "PAGE",
    "PAGE_RESOLVE",
    "PER_FACT",
    "POSTMORTEM_ATTACH",
    "POSTMORTEM_WRITE",
    "RECOVERY_CHECKLIST",
    "TRIAGE_REQUEST",
    "Vendors",
    "chase",
    "chat_note",
    "chat_update",
    "describe",
    "followup_issue",
    "reminder",
    "reopen",
    "reply",
    "todo",
]

# -- one-off effects of an incident (kept as done keys)
PAGE = "page:trigger"
PAGE_RESOLVE = "page:resolve"
DECLARE = "datadog:declare"
MIRROR_SYNC = "datadog:sync"
FIND_DECLARED = "datadog:find"
POSTMORTEM_ATTACH = "datadog:postmortem"
ANNOUNCE = "slack:announce"
LEADERSHIP = "slack:leadership"
OOB_CHECKLIST = "comment:out-of-band-deploy"
TRIAGE_REQUEST = "comment:triage-request"
RECOVERY_CHECKLIST = "comment:recovery-checklist"
POSTMORTEM_WRITE = "postmortem:write"
CLOSE_ISSUE = "github:close"

# -- effects of single facts (kept in the outbox until sent)
_CHAT_UPDATE = "slack:update:"
_CHAT_NOTE = "slack:note:"
_REPLY = "reply:"
_REMINDER = "comment:reminder:"
_TODO = "datadog:todo:"
_FOLLOWUP = "github:followup:"
_REOPEN = "github:reopen:"
PER_FACT = (_CHAT_UPDATE, _CHAT_NOTE, _REPLY, _REMINDER, _TODO)


def chat_update(fact: str) -> str:
    return f"{_CHAT_UPDATE}{fact}"


def chat_note(tag: str) -> str:
    return f"{_CHAT_NOTE}{tag}"


def reply(tag: object) -> str:
    return f"{_REPLY}{tag}"


def reminder(number: int) -> str:
    return f"{_REMINDER}{number}"


def todo(fact: str) -> str:
    return f"{_TODO}{fact}"


def followup_issue(fact: str) -> str:
    return f"{_FOLLOWUP}{fact}"


def reopen(tag: object) -> str:
    return f"{_REOPEN}{tag}"


def chase(tag: str) -> str:
    """A chase already made (kept in the state's `chased`, not an effect of its own)."""
    return f"chase:{tag}"


@dataclass(frozen=True)
class Vendors:
    """The names people know the capabilities by: the wiring's, given to whatever writes
    for people. The core itself says "pager", "incident tool" and "chat"."""

    pager: str = "pager"
    mirror: str = "incident tool"
    chat: str = "chat"
    #: how the incident tool shows an incident's number (Datadog: `IR-{number}`)
    mirror_reference: str = "#{number}"

    def reference(self, number: int | None, fallback: str = "") -> str:
        return self.mirror_reference.format(number=number) if number is not None else fallback


def _names(vendors: Vendors) -> tuple[dict[str, str], dict[str, str]]:
    one_off = {
        PAGE: f"{vendors.pager} page", PAGE_RESOLVE: f"{vendors.pager} resolve",
        DECLARE: f"{vendors.mirror} incident", MIRROR_SYNC: f"{vendors.mirror} update",
        FIND_DECLARED: f"{vendors.mirror} look-up",
        POSTMORTEM_ATTACH: f"{vendors.mirror} post-mortem attachment",
        ANNOUNCE: f"{vendors.chat} announcement", LEADERSHIP: f"{vendors.chat} leadership notice",
        OOB_CHECKLIST: "Out-of-band deploy checklist", TRIAGE_REQUEST: "Triage request",
        RECOVERY_CHECKLIST: "Recovery checklist", POSTMORTEM_WRITE: "Post-mortem pull request",
        CLOSE_ISSUE: "Closing the issue",
    }
    per_fact = {
        _CHAT_UPDATE: f"{vendors.chat} update", _CHAT_NOTE: f"{vendors.chat} note",
        _TODO: f"{vendors.mirror} todo", _REMINDER: "Reminder", _REPLY: "Reply",
        _FOLLOWUP: "Follow-up issue", _REOPEN: "Reopening the issue",
    }
    return one_off, per_fact


def describe(key: str, vendors: Vendors | None = None) -> str:
    """How people read a key: `slack:update:12-0` -> `Slack update 12-0` (with the wiring's
    vendors), the first letter capitalised."""
    one_off, per_fact = _names(vendors or Vendors())
    text = one_off.get(key)
    if text is None:
        text = next((f"{name} {key.removeprefix(prefix)}" for prefix, name in per_fact.items()
                     if key.startswith(prefix)), key)
    return text[:1].upper() + text[1:]
