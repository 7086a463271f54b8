"""A run that started late: by how much, and how people are told.

GitHub Actions may start a run long after its event: it documents that scheduled runs "can be
delayed during periods of high loads" and may be dropped ("Events that trigger workflows"),
and people report delays of minutes to hours (community discussions #210625, #213505); event
runs queue behind Actions incidents too. Then the page, the announcement and the reminders are
late, and without a word nobody knows the automation itself was late. A run is given when its
event happened (the shell reads it from the event's own payload) and when it started (its
clock); past the policy's `delivery.late_after_minutes` it says so, and by how much.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the event's first look (shell/events.py) dates it before any policy loads
    from incident_response.core.rules.policy import Policy

__all__ = ["EventTime", "LateRun", "duration", "late_run"]


@dataclass(frozen=True)
class EventTime:
    """When the event a run answers happened, and what it was, as people say it."""

    at: datetime
    #: "the report was opened", "the comment was written", ...
    what: str


def duration(span: timedelta) -> str:
    """A delay as people read it at a glance: `47 min`, `2 h 05 min`, `3 d 4 h`."""
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {minutes:02d} min"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h"


@dataclass(frozen=True)
class LateRun:
    """A run that started later after its event than the policy allows."""

    event: EventTime
    #: from the event to the run's start
    by: timedelta

    def notice(self, now: datetime) -> str:
        """What the status comment and the job summary say."""
        return (f"The automation ran late: GitHub Actions started this run {duration(self.by)} "
                f"after {self.event.what} ({self.event.at:%Y-%m-%d %H:%M} UTC; the run started "
                f"{now:%Y-%m-%d %H:%M} UTC), so what it sent went out that late. While runs "
                "start late, run the same work from a terminal: docs/troubleshooting.md, "
                "\u201cGitHub Actions is down or late\u201d.")

    def fact(self) -> tuple[str, str]:
        """A line of the chat announcement made by this run: (label, value)."""
        return ("Posted late", f"{duration(self.by)} after {self.event.what} "
                f"({self.event.at:%H:%M} UTC): GitHub Actions started late")

    def suffix(self) -> str:
        """What a notification's one line adds."""
        return f", posted {duration(self.by)} late"


def late_run(event: EventTime | None, now: datetime, policy: Policy) -> LateRun | None:
    """The run's delay when it is past the policy's threshold; None when on time, when the
    event's time is unknown (a schedule, a person's own run), or when the check is off."""
    threshold = policy.delivery.late_after_minutes
    if event is None or threshold is None:
        return None
    by = now - event.at
    return LateRun(event, by) if by >= timedelta(minutes=threshold) else None
