"""Billed Actions minutes and reminder lateness of the sweep's schedule, BEFORE and AFTER.

BEFORE: sweep.yml every 10 minutes, all month. AFTER: sweep.yml only while an incident is
live (enabled by the declaration's run, disabled by the `rest` job of the first run that
finds nothing live), sweep-daily.yml once a day (13:23 UTC), whose `wake` job runs when
something is live.

The model, and where its numbers come from:
- Billing: every job is billed by the minute, "rounded up to the nearest whole minute"
  ("About billing for GitHub Actions": "GitHub rounds the minutes and partial minutes each job
  uses up to the nearest whole minute"); each of these jobs takes well under a minute (setup,
  a cached environment, a handful of requests), so each job is 1 billed minute. The event
  runs of incident.yml are the same before and after and are left out.
- Scheduling: best effort ("The schedule event can be delayed during periods of high loads of
  GitHub Actions workflow runs ... some queued jobs may be dropped", "Events that trigger
  workflows", schedule). Assumed: each scheduled run starts late by a log-normal delay (median
  3 minutes, about 1 in 20 later than 12), and 2 in 100 never run; the jobs a run starts for
  due incidents begin 1 minute after it. A workflow enabled again fires from its next slot.
- An incident's life: reported at a random minute of the month; declared at once. A P1 is
  active 2 hours, stable 1 more, then resolved (reminders every 30 minutes while active or
  stable, nobody updating); a P2 is live 4 hours (every 60), a P3 8 hours (every 240). Its
  post-mortem is merged at the end of its due day (P1: 5 business days after resolution, P2:
  10, P3: not chased), Monday to Friday (holidays left out); the chase sends one reminder on
  the business day before, from the daily sweep after (before: from the first frequent run of
  that day). The mix for 2 incidents: a P1 and a P2; for 10: 3 P1, 4 P2, 3 P3.
- A sweep job runs for an incident when a reminder is due (the heartbeat `swept_at` falls at
  the same moments) or a chase is due.

Run: python bench/schedule_cost.py
"""

from __future__ import annotations

import math
import random
import statistics
from dataclasses import dataclass

DAY = 24 * 60
MONTH = 30 * DAY
FREQUENT_SLOTS = tuple(range(7, 60, 10))  # "7,17,27,37,47,57 * * * *"
DAILY_SLOT = 13 * 60 + 23  # "23 13 * * *"
DROPPED = 0.02
MEDIAN_DELAY = 3.0
JOB_START = 1.0


@dataclass
class Incident:
    declared: float
    live_minutes: float
    cadence: int
    postmortem_days: int | None

    @property
    def resolved(self) -> float:
        return self.declared + self.live_minutes


def business_days_after(minute: float, days: int) -> float:
    """The end of the `days`-th business day after the day of `minute` (day 0 a Monday)."""
    day = int(minute // DAY)
    while days:
        day += 1
        if day % 7 < 5:
            days -= 1
    return (day + 1) * DAY


def incidents(count: int, rng: random.Random) -> list[Incident]:
    kinds = {0: [], 2: ["P1", "P2"], 10: ["P1"] * 3 + ["P2"] * 4 + ["P3"] * 3}[count]
    life = {"P1": (180, 30, 5), "P2": (240, 60, 10), "P3": (480, 240, None)}
    found = []
    for kind in kinds:
        minutes, cadence, days = life[kind]
        found.append(Incident(rng.uniform(0, MONTH - 20 * DAY), minutes, cadence, days))
    return found


def runs(slots: list[float], seed: int) -> list[float]:
    """When scheduled runs really start: late, some never. Each slot's fate is drawn from the
    month's seed and the slot alone, so BEFORE and AFTER meet the same GitHub."""
    started = []
    for slot in slots:
        rng = random.Random(f"{seed}:{slot}")
        if rng.random() >= DROPPED:
            started.append(slot + rng.lognormvariate(math.log(MEDIAN_DELAY), 1.0))
    return sorted(started)


def frequent_slots(start: float, end: float) -> list[float]:
    hour = int(start // 60)
    found = []
    while hour * 60 < end:
        found += [hour * 60 + m for m in FREQUENT_SLOTS if start <= hour * 60 + m < end]
        hour += 1
    return found


def simulate(count: int, after: bool, seed: int) -> tuple[int, list[float]]:
    rng = random.Random(seed)
    month = incidents(count, rng)
    if after:  # on from the declaration until the first run after the last resolution
        windows: list[tuple[float, float]] = []
        for incident in sorted(month, key=lambda i: i.declared):
            if windows and incident.declared <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(windows[-1][1], incident.resolved + 10))
            else:
                windows.append((incident.declared, incident.resolved + 10))
        frequent = runs([s for a, b in windows for s in frequent_slots(a, b)], seed)
        rests = len(windows)
    else:
        frequent = runs(frequent_slots(0, MONTH), seed)
        rests = 0
    daily = runs([d * DAY + DAILY_SLOT for d in range(30)], seed) if after else []
    billed = len(frequent) + len(daily) + rests
    billed += sum(1 for d in daily if any(i.declared <= d < i.resolved for i in month))
    late: list[float] = []
    for incident in month:
        nudge = incident.declared
        for started in (r for r in frequent if incident.declared < r < incident.resolved):
            if started + JOB_START >= nudge + incident.cadence:
                late.append(started + JOB_START - (nudge + incident.cadence))
                nudge = started + JOB_START
                billed += 1
        if incident.postmortem_days is not None:  # the chase: one job on each of two days
            due = business_days_after(incident.resolved, incident.postmortem_days)
            chasers = daily if after else frequent
            for day_start in (due - 2 * DAY, due - DAY):
                if any(day_start <= r < day_start + DAY for r in chasers):
                    billed += 1
    return billed, late


def main() -> None:
    print("incidents | schedule | billed minutes (mean of 20 months) | reminders | lateness "
          "typical (median) | worst")
    for count in (0, 2, 10):
        for after in (False, True):
            billed, late = [], []
            for seed in range(20):
                minutes, lateness = simulate(count, after, seed)
                billed.append(minutes)
                late += lateness
            typical = f"{statistics.median(late):.1f} min" if late else "-"
            worst = f"{max(late):.1f} min" if late else "-"
            print(f"{count:9d} | {'AFTER ' if after else 'BEFORE'}   | "
                  f"{statistics.mean(billed):8.0f} | {len(late) // 20:9d} | {typical:>8} | "
                  f"{worst:>8}")


if __name__ == "__main__":
    main()
