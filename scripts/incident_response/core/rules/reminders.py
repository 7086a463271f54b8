"""When the commander is due a reminder, and when silence escalates.

Computed from the record and the clock only, never from when the schedule ran: cron runs late
or not at all, so a late sweep sends at most one catch-up reminder and never a burst.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_response.core.record import keys
from incident_response.core.record.state import IncidentState, Pending
from incident_response.core.rules import lifecycle
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.chat import mention

__all__ = ["SWEEP_SILENCE", "cadence", "record_due_reminder", "sweep_due", "sweep_paused"]

#: how many of an incident's cadences may pass without the frequent sweep before a run says
#: reminders are paused (GitHub disables a schedule after 60 days without activity, and drops
#: or delays scheduled runs under load; the daily sweep does not count)
SWEEP_SILENCE = 3


def cadence(state: IncidentState, policy: Policy) -> timedelta | None:
    if state.priority is None or not lifecycle.traits(state.phase).live:
        return None
    minutes = policy.rule(state.priority).update_every_minutes
    return timedelta(minutes=minutes) if minutes else None


def record_due_reminder(state: IncidentState, policy: Policy, now: datetime,
                        commander: str) -> bool:
    """Record one reminder if one is due (and the escalation it triggers); True if it was."""
    every = cadence(state, policy)
    last_update = state.last_sign_of_life()
    if every is None or last_update is None:
        return False
    last_nudge = max([last_update, *state.reminders_unanswered])
    if now - last_nudge < every:
        return False
    state.reminders_unanswered.append(now)
    state.reminder_count += 1
    state.queue(Pending(key=keys.reminder(state.reminder_count), kind="reminder"))
    commander_mention = mention(commander)
    unanswered = state.unanswered_reminders()
    silent = int((now - last_update).total_seconds() // 60)
    threshold = policy.reminders.escalate_after
    if unanswered == threshold:
        state.escalations += 1
        state.note(f"escalation-{state.reminder_count}",
                   f"{commander_mention}: no update for {silent} minutes on this "
                   f"{state.priority} incident. Please post one with `/update` on the issue.")
    elif unanswered == threshold + 1 and policy.chat.leadership_channel:
        state.escalations += 1
        state.note(f"escalation-leadership-{state.reminder_count}",
                   f"Escalation: the {state.priority} incident has had no update for {silent} "
                   f"minutes and {unanswered} reminders went unanswered. Commander: "
                   f"{commander_mention}.", channel=policy.chat.leadership_channel)
    return True


def _last_sweep(state: IncidentState) -> datetime | None:
    """When the sweep last looked, or could first have looked: a reopened incident was not
    watched while it was completed, so its silence counts from the reopen."""
    last = state.swept_at or state.declared_at or state.opened_at
    reopened = state.reopened_at()
    if reopened is not None and (last is None or reopened > last):
        return reopened
    return last


def sweep_due(state: IncidentState, policy: Policy, now: datetime) -> bool:
    """Whether the sweep should look at this incident even with nothing else due: once a
    cadence, so that `swept_at` tells the truth about the schedule."""
    every, last = cadence(state, policy), _last_sweep(state)
    return every is not None and (last is None or now - last >= every)


def sweep_paused(state: IncidentState, policy: Policy, now: datetime) -> str | None:
    """A notice when no sweep has looked at a live incident for SWEEP_SILENCE cadences."""
    every, last = cadence(state, policy), _last_sweep(state)
    if every is None or last is None or now - last < SWEEP_SILENCE * every:
        return None
    since = f"{last:%Y-%m-%d %H:%M} UTC"
    # The frequent sweep rests while nothing is live; the run that makes an incident live and
    # the daily sweep turn it on, so silence here means neither could (their job summaries
    # say why) or GitHub stopped its schedule ("Disabling and enabling a workflow"; "Events
    # that trigger workflows", schedule).
    return (f"Reminders are paused: the frequent sweep has not run since {since}. Enable the "
            "Incident sweep workflow (Actions, Incident sweep, Enable workflow) and give "
            "incident.yml's job `actions: write`. GitHub also stops a schedule after 60 days "
            "without activity in a public repository, and when the last person who committed "
            "its cron leaves the organization: then commit a change to its cron.")
