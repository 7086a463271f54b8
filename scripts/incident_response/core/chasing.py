"""Chasing what an incident leaves behind: the post-mortem, then its follow-ups (CONTRACT §4b).

Business days are Monday to Friday except the configured public holidays (the `holidays`
package's calendars, US by default) and extra days off, in the configured time zone. Something
due "N business days after" a day is due at the end of the Nth business day after it.

Like reminders, everything is computed from the record and the clock, never from when the
schedule ran: a late sweep sends what is due once, never a burst.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from incident_response.core import effect_keys as keys
from incident_response.core.effects import Effect, Message, PostComment, PostToChat
from incident_response.core.policy import Policy
from incident_response.core.rendering import escape_slack
from incident_response.core.snapshot import IssueSnapshot
from incident_response.core.state import IncidentState, Pending
from incident_response.core.vocabulary import Phase

__all__ = ["business_day", "due_day", "followup_chases", "followup_due",
           "nth_business_day_after", "postmortem_due", "record_due_chases"]


@cache
def _holidays(country: str | None, extra: tuple[str, ...], year: int) -> frozenset[date]:
    days = {date.fromisoformat(text) for text in extra}
    if country:
        import holidays  # a calendar library: imported only when something is chased

        days |= set(holidays.country_holidays(country, years=year))
    return frozenset(days)


def business_day(day: date, policy: Policy) -> bool:
    chasing = policy.chasing
    return day.weekday() < 5 and day not in _holidays(
        chasing.holidays, tuple(chasing.extra_holidays), day.year)


def nth_business_day_after(day: date, count: int, policy: Policy) -> date:
    while count > 0:
        day += timedelta(days=1)
        if business_day(day, policy):
            count -= 1
    return day


def _previous_business_day(day: date, policy: Policy) -> date:
    day -= timedelta(days=1)
    while not business_day(day, policy):
        day -= timedelta(days=1)
    return day


def _zone(policy: Policy) -> ZoneInfo:
    return ZoneInfo(policy.chasing.timezone)


def _end_of(day: date, policy: Policy) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=_zone(policy))


def postmortem_due(state: IncidentState, policy: Policy) -> datetime | None:
    """When the post-mortem is due (the end of that business day), or None if not chased:
    2 business days after resolution after an out-of-band deploy, else per priority."""
    if state.resolved_at is None or state.priority is None:
        return None
    if state.report is not None and state.report.code_change_required == "Yes":
        count: int | None = policy.out_of_band_deploy.postmortem_due_business_days
    else:
        count = policy.chasing.postmortem_business_days.get(state.priority)
    if not count:
        return None
    resolved = state.resolved_at.astimezone(_zone(policy)).date()
    return _end_of(nth_business_day_after(resolved, count, policy), policy)


def due_day(state: IncidentState, policy: Policy) -> str | None:
    """The post-mortem's due date as people read it (YYYY-MM-DD, the day it ends), or None."""
    due = postmortem_due(state, policy)
    return f"{(due - timedelta(seconds=1)).date():%Y-%m-%d}" if due else None


def record_due_chases(state: IncidentState, policy: Policy, now: datetime,
                      commander_mention: str, issue_url: str) -> None:
    """Queue what the post-mortem's due date calls for now: one reminder on its pull request
    on the last business day before it is due; once overdue, a comment on the issue at most
    once a business day and one message to the leadership channel."""
    due = postmortem_due(state, policy)
    if due is None or state.phase is not Phase.RESOLVED or state.postmortem_merged_at:
        return
    today = now.astimezone(_zone(policy)).date()
    due_day = (due - timedelta(seconds=1)).date()
    stamp = f"{due_day:%Y-%m-%d} (end of the day, {policy.chasing.timezone})"
    if now < due:
        before = keys.chase("postmortem-before-due")
        if (state.postmortem_pr is not None and before not in state.chased
                and today >= _previous_business_day(due_day, policy)):
            state.chased.append(before)
            state.queue(Pending(
                key=before, kind="pr-comment", comment_id=state.postmortem_pr,
                text=f"{commander_mention}: this post-mortem is due on {stamp}. Please finish "
                     "and merge it; the incident completes when it is merged."))
        return
    if business_day(today, policy) and state.chased_on != today:
        state.chased_on = today
        state.queue(Pending(
            key=keys.reply(f"postmortem-overdue-{today:%Y-%m-%d}"), kind="reply",
            text=f"{commander_mention}: the post-mortem of this incident was due on {stamp} and "
                 "is not merged yet. Please finish and merge its pull request"
                 + (f" (#{state.postmortem_pr})." if state.postmortem_pr else ".")))
    leadership = keys.chase("postmortem-overdue-leadership")
    if policy.slack.leadership_channel and leadership not in state.chased:
        state.chased.append(leadership)
        state.note("postmortem-overdue",
                   f"Overdue: the post-mortem of the {state.priority} incident was due on "
                   f"{stamp} and is not merged. <{issue_url}|The incident>.",
                   channel=policy.slack.leadership_channel)


_OWNER = re.compile(r"; owner @(?P<owner>[A-Za-z0-9-]+)")
_RECORDER = re.compile(r"recorded by @(?P<author>[A-Za-z0-9-]+)")
_FOLLOWUP_REMINDER = "chase-followup-"


def followup_due(opened_at: datetime, policy: Policy) -> datetime:
    """A follow-up issue is due N business days after it was opened, at the incident's
    completion (CONTRACT §4b; default 20)."""
    opened = opened_at.astimezone(_zone(policy)).date()
    return _end_of(nth_business_day_after(opened, policy.chasing.followup_business_days,
                                          policy), policy)


def followup_chases(issue: IssueSnapshot, policy: Policy, now: datetime) -> list[Effect]:
    """What an open follow-up issue's due date calls for now: once overdue, a reminder that
    mentions its owner (else who recorded it) at most once every N business days (default 5),
    and with the first, one message to the leadership channel. The reminders are comments
    with markers on the follow-up issue itself, so it needs no record of its own."""
    due = followup_due(issue.created_at, policy)
    if not issue.open or now < due:
        return []
    today = now.astimezone(_zone(policy)).date()
    sent = sorted(date.fromisoformat(key.removeprefix(keys.reply(_FOLLOWUP_REMINDER)))
                  for key in issue.posted_keys(policy.github.bot_login)
                  if key.startswith(keys.reply(_FOLLOWUP_REMINDER)))
    every = policy.chasing.followup_reminder_business_days
    if sent and today < nth_business_day_after(sent[-1], every, policy):
        return []
    if not business_day(today, policy):
        return []
    found = _OWNER.search(issue.body) or _RECORDER.search(issue.body)
    who = f"@{found.group(1)}" if found else "the incident commander"
    stamp = f"{(due - timedelta(seconds=1)).date():%Y-%m-%d}"
    effects: list[Effect] = [PostComment(
        key=keys.reply(f"{_FOLLOWUP_REMINDER}{today:%Y-%m-%d}"),
        body=f"{who}: this follow-up was due on {stamp} (end of the day, "
             f"{policy.chasing.timezone}). Please do it and close this issue, or say here when "
             "it will be done.")]
    if not sent and policy.slack.leadership_channel:
        text = (f"Overdue follow-up: {escape_slack(issue.title)} was due on {stamp}. "
                f"<{issue.url}|The follow-up>.")
        effects.append(PostToChat(key=keys.slack_note(f"followup-overdue-{issue.number}"),
                                  channel=policy.slack.leadership_channel, text=text,
                                  message=Message(text), incident=issue.key,
                                  kind="followup_overdue"))
    return effects
