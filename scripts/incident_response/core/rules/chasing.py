"""Chasing what an incident leaves behind: the post-mortem, then its follow-ups
(docs/process.md: Business days and what is due).

Business days are Monday to Friday except the configured public holidays (the `holidays`
package's calendars, US by default) and extra days off, in the configured time zone. Something
due "N business days after" a day is due at the end of the Nth business day after it.

Like reminders, everything is computed from the record and the clock, never from when the
schedule ran: a late sweep sends what is due once, never a burst.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from incident_response.core.record import keys
from incident_response.core.record.state import IncidentState, Pending
from incident_response.core.rules.policy import Policy
from incident_response.core.vocabulary import Phase

__all__ = ["Calendar", "business_day", "calendar_of", "due_after_resolution", "due_day",
           "followup_due", "nth_business_day_after", "postmortem_due",
           "record_due_chases"]


@cache
def _holidays(country: str | None, extra: tuple[str, ...], year: int) -> frozenset[date]:
    days = {date.fromisoformat(text) for text in extra}
    if country:
        import holidays  # a calendar library: imported only when something is chased

        days |= set(holidays.country_holidays(country, years=year))
    return frozenset(days)


@dataclass(frozen=True)
class Calendar:
    """Business days: Monday to Friday except public holidays (a `holidays` calendar) and
    extra days off, in a time zone. The chase and the monthly report count with the same one."""

    timezone: str = "America/New_York"
    #: a country code of the `holidays` package, or None for no public holidays
    holidays: str | None = None
    extra: tuple[str, ...] = ()

    def business_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _holidays(self.holidays, self.extra, day.year)

    def nth_business_day_after(self, day: date, count: int) -> date:
        while count > 0:
            day += timedelta(days=1)
            if self.business_day(day):
                count -= 1
        return day

    def previous_business_day(self, day: date) -> date:
        day -= timedelta(days=1)
        while not self.business_day(day):
            day -= timedelta(days=1)
        return day

    def local_day(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.timezone)).date()

    def end_of(self, day: date) -> datetime:
        return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(self.timezone))

    def due_after(self, moment: datetime, count: int) -> datetime:
        """The end of the `count`-th business day after the day of `moment`."""
        return self.end_of(self.nth_business_day_after(self.local_day(moment), count))


def calendar_of(policy: Policy) -> Calendar:
    chasing = policy.chasing
    return Calendar(chasing.timezone, chasing.holidays, tuple(chasing.extra_holidays))


def business_day(day: date, policy: Policy) -> bool:
    return calendar_of(policy).business_day(day)


def nth_business_day_after(day: date, count: int, policy: Policy) -> date:
    return calendar_of(policy).nth_business_day_after(day, count)


def due_after_resolution(state: IncidentState, calendar: Calendar, out_of_band_days: int,
                         days_per_priority: Mapping[str, int]) -> datetime | None:
    """The end of the Nth business day after the resolution, N = the out-of-band
    days when the form said a code change was needed, else per priority (None: not chased)."""
    if state.resolved_at is None or state.priority is None:
        return None
    code_change = state.answers is not None and state.answers.code_change_required == "Yes"
    count = out_of_band_days if code_change else days_per_priority.get(str(state.priority))
    return calendar.due_after(state.resolved_at, count) if count else None


def postmortem_due(state: IncidentState, policy: Policy) -> datetime | None:
    """When the post-mortem is due (the end of that business day), or None if not chased:
    2 business days after resolution after an out-of-band deploy, else per priority."""
    return due_after_resolution(
        state, calendar_of(policy), policy.out_of_band_deploy.postmortem_due_business_days,
        {str(p): n for p, n in policy.chasing.postmortem_business_days.items()})


def due_day(state: IncidentState, policy: Policy) -> str | None:
    """The post-mortem's due date as people read it (YYYY-MM-DD, the day it ends), or None."""
    due = postmortem_due(state, policy)
    return f"{(due - timedelta(seconds=1)).date():%Y-%m-%d}" if due else None


def record_due_chases(state: IncidentState, policy: Policy, now: datetime,
                      commander: str, issue_url: str) -> None:
    """Queue what the post-mortem's due date calls for now: one reminder on its pull request
    on the last business day before it is due; once overdue, a comment on the issue at most
    once a business day and one message to the leadership channel."""
    due = postmortem_due(state, policy)
    if due is None or state.phase is not Phase.RESOLVED or state.postmortem_merged_at:
        return
    calendar = calendar_of(policy)
    today = calendar.local_day(now)
    due_day = (due - timedelta(seconds=1)).date()
    stamp = f"{due_day:%Y-%m-%d} (end of the day, {policy.chasing.timezone})"
    if now < due:
        before = keys.chase("postmortem-before-due")
        if (state.postmortem_pr is not None and before not in state.chased
                and today >= calendar.previous_business_day(due_day)):
            state.chased.append(before)
            state.queue(Pending(
                key=before, kind="pr-comment", comment_id=state.postmortem_pr,
                text=f"@{commander}: this post-mortem is due on {stamp}. Please finish "
                     "and merge it; the incident completes when it is merged."))
        return
    if calendar.business_day(today) and state.chased_on != today:
        state.chased_on = today
        state.queue(Pending(
            key=keys.reply(f"postmortem-overdue-{today:%Y-%m-%d}"), kind="reply",
            text=f"@{commander}: the post-mortem of this incident was due on {stamp} and "
                 "is not merged yet. Please finish and merge its pull request"
                 + (f" (#{state.postmortem_pr})." if state.postmortem_pr else ".")))
    leadership = keys.chase("postmortem-overdue-leadership")
    if policy.chat.leadership_channel and leadership not in state.chased:
        state.chased.append(leadership)
        state.note("postmortem-overdue",
                   f"Overdue: the post-mortem of the {state.priority} incident was due on "
                   f"{stamp} and is not merged. <{issue_url}|The incident>.",
                   channel=policy.chat.leadership_channel)




def followup_due(opened_at: datetime, policy: Policy) -> datetime:
    """A follow-up issue is due N business days after it was opened, at the incident's
    completion (default 20)."""
    return calendar_of(policy).due_after(opened_at, policy.chasing.followup_business_days)
