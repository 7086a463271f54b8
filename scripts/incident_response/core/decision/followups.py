"""The chase of an overdue follow-up issue: reminders on the issue and one leadership notice.

A follow-up issue needs no record of its own: the reminders are comments carrying their
effect's marker on the issue itself, so the comments say which were sent.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from incident_response.core.decision.effects import Effect, Message, PostComment, PostToChat
from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules.chasing import calendar_of, followup_due
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.chat import escape_chat

__all__ = ["followup_chases"]

_OWNER = re.compile(r"; owner @(?P<owner>[A-Za-z0-9-]+)")
_RECORDER = re.compile(r"recorded by @(?P<author>[A-Za-z0-9-]+)")
_FOLLOWUP_REMINDER = "chase-followup-"


def followup_chases(issue: IssueSnapshot, policy: Policy, now: datetime) -> list[Effect]:
    """What an open follow-up issue's due date calls for now: once overdue, a reminder that
    mentions its owner (else who recorded it) at most once every N business days (default 5),
    and with the first, one message to the leadership channel. The reminders are comments
    with markers on the follow-up issue itself, so it needs no record of its own."""
    due = followup_due(issue.created_at, policy)
    if not issue.open or now < due:
        return []
    calendar = calendar_of(policy)
    today = calendar.local_day(now)
    sent = sorted(date.fromisoformat(key.removeprefix(keys.reply(_FOLLOWUP_REMINDER)))
                  for key in issue.posted_keys(policy.github.bot_login)
                  if key.startswith(keys.reply(_FOLLOWUP_REMINDER)))
    every = policy.chasing.followup_reminder_business_days
    if sent and today < calendar.nth_business_day_after(sent[-1], every):
        return []
    if not calendar.business_day(today):
        return []
    found = _OWNER.search(issue.body) or _RECORDER.search(issue.body)
    who = f"@{found.group(1)}" if found else "the incident commander"
    stamp = f"{(due - timedelta(seconds=1)).date():%Y-%m-%d}"
    effects: list[Effect] = [PostComment(
        key=keys.reply(f"{_FOLLOWUP_REMINDER}{today:%Y-%m-%d}"),
        body=f"{who}: this follow-up was due on {stamp} (end of the day, "
             f"{policy.chasing.timezone}). Please do it and close this issue, or say here when "
             "it will be done.")]
    if not sent and policy.chat.leadership_channel:
        text = (f"Overdue follow-up: {escape_chat(issue.title)} was due on {stamp}. "
                f"<{issue.url}|The follow-up>.")
        effects.append(PostToChat(key=keys.chat_note(f"followup-overdue-{issue.number}"),
                                  channel=policy.chat.leadership_channel, text=text,
                                  message=Message(text), incident=issue.key,
                                  kind="followup_overdue"))
    return effects
