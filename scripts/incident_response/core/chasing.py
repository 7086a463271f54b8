"""Chasing what an incident leaves behind: the post-mortem, then its follow-ups (CONTRACT §4b).

Business days are Monday to Friday except the configured public holidays (the `holidays`
package's calendars, US by default) and extra days off, in the configured time zone. Something
due "N business days after" a day is due at the end of the Nth business day after it.

Like reminders, everything is computed from the record and the clock, never from when the
schedule ran: a late sweep sends what is due once, never a burst.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from incident_response.core import effect_keys as keys
from incident_response.core.policy import Policy
from incident_response.core.state import IncidentState, Pending
from incident_response.core.vocabulary import Phase

__all__ = ["business_day", "due_day", "nth_business_day_after", "postmortem_due",
           "record_due_chases"]


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
        state.queue(Pending(
            key=keys.slack_note("postmortem-overdue"), kind="note",
            channel=policy.slack.leadership_channel,
            text=f"Overdue: the post-mortem of the {state.priority} incident was due on "
                 f"{stamp} and is not merged. <{issue_url}|The incident>."))
