"""Every outside effect's key, in one place: what the record says is done, claimed or pending.

A key names one effect of one incident for good: the state block records it, the markers on
the bot's comments carry it, Slack messages carry it in their metadata. So a key, once
shipped, never changes its spelling; a new kind of effect gets a new key here.
"""

from __future__ import annotations

__all__ = [
    "ANNOUNCE",
    "DATADOG_DECLARE",
    "DATADOG_FIND",
    "DATADOG_POSTMORTEM",
    "DATADOG_SYNC",
    "GITHUB_CLOSE",
    "LEADERSHIP",
    "OOB_CHECKLIST",
    "PAGE",
    "PAGE_RESOLVE",
    "PER_FACT",
    "POSTMORTEM_WRITE",
    "RECOVERY_CHECKLIST",
    "TRIAGE_REQUEST",
    "chase",
    "followup_issue",
    "name",
    "reminder",
    "reopen",
    "reply",
    "slack_note",
    "slack_update",
    "todo",
]

# -- one-off effects of an incident (kept as done keys)
PAGE = "page:trigger"
PAGE_RESOLVE = "page:resolve"
DATADOG_DECLARE = "datadog:declare"
DATADOG_SYNC = "datadog:sync"
DATADOG_FIND = "datadog:find"
DATADOG_POSTMORTEM = "datadog:postmortem"
ANNOUNCE = "slack:announce"
LEADERSHIP = "slack:leadership"
OOB_CHECKLIST = "comment:out-of-band-deploy"
TRIAGE_REQUEST = "comment:triage-request"
RECOVERY_CHECKLIST = "comment:recovery-checklist"
POSTMORTEM_WRITE = "postmortem:write"
GITHUB_CLOSE = "github:close"

# -- effects of single facts (kept in the outbox until sent)
_SLACK_UPDATE = "slack:update:"
_SLACK_NOTE = "slack:note:"
_REPLY = "reply:"
_REMINDER = "comment:reminder:"
_TODO = "datadog:todo:"
_FOLLOWUP = "github:followup:"
_REOPEN = "github:reopen:"
PER_FACT = (_SLACK_UPDATE, _SLACK_NOTE, _REPLY, _REMINDER, _TODO)


def slack_update(fact: str) -> str:
    return f"{_SLACK_UPDATE}{fact}"


def slack_note(tag: str) -> str:
    return f"{_SLACK_NOTE}{tag}"


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


_NAMES = {
    PAGE: "PagerDuty page", PAGE_RESOLVE: "PagerDuty resolve",
    DATADOG_DECLARE: "Datadog incident", DATADOG_SYNC: "Datadog update",
    DATADOG_FIND: "Datadog look-up", DATADOG_POSTMORTEM: "Datadog post-mortem attachment",
    ANNOUNCE: "Slack announcement", LEADERSHIP: "Slack leadership notice",
    OOB_CHECKLIST: "Out-of-band deploy checklist", TRIAGE_REQUEST: "Triage request",
    RECOVERY_CHECKLIST: "Recovery checklist", POSTMORTEM_WRITE: "Post-mortem pull request",
    GITHUB_CLOSE: "Closing the issue",
}
_PREFIX_NAMES = {
    _SLACK_UPDATE: "Slack update", _SLACK_NOTE: "Slack note", _TODO: "Datadog todo",
    _REMINDER: "Reminder", _REPLY: "Reply", _FOLLOWUP: "Follow-up issue",
    _REOPEN: "Reopening the issue",
}


def name(key: str) -> str:
    """How people read a key: `slack:update:12-0` -> `Slack update 12-0`."""
    if key in _NAMES:
        return _NAMES[key]
    for prefix, text in _PREFIX_NAMES.items():
        if key.startswith(prefix):
            return f"{text} {key.removeprefix(prefix)}"
    return key
