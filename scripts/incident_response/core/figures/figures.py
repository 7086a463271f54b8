"""The incident report's figures (docs/process.md), computed from the incidents' records only.

Pure: the incidents, the window and the clock come in, a JSON-ready dict goes out. Where a
figure needs a rule the record does not hold (a post-mortem's due date), the rule is handed in.

Definitions (all durations in minutes):

- an incident belongs to the window in which its issue was opened (`created_at`);
- MTTA: from the page (`paged_at` if the record has one, else the report, since the page
  leaves first) to the first acknowledgement (`acknowledged_at`), paged incidents only;
- time to declare: from the report (`opened_at`) to the declaration (`declared_at`);
- time to mitigate / MTTR: from the start of impact (the form's `started_at`, else the report)
  to `mitigated_at` / `resolved_at`;
- customer impact: from the start of impact to the resolution (or the end of the window, or
  now, for an incident still unresolved);
- availability per service: 100 x (1 - impact minutes / window minutes), production incidents
  only (environments of tier 1), overlapping incidents of one service counted once, impact
  clipped to the window (which ends at `now` while it is still running). Incidents opened
  before the window but still impacting in it count here, and only here;
- response-time SLA per severity: the first response is the acknowledgement, else the
  declaration; met when it came within the severity's target after the report; missed when
  it came later or has not come and the target has passed; pending otherwise. Only incidents
  that were paged or declared call for a response; others are not counted;
- post-mortems (resolved incidents with a due date): on time when merged by the due date, late
  when merged after it, open when not merged (`overdue` among them when past due);
- follow-ups: opened (every `/followup` of the window's incidents), closed (its issue closed),
  overdue (open, and past N business days after the incident was completed).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from incident_response.core.record.state import IncidentState
from incident_response.core.rules.chasing import Calendar, calendar_of, due_after_resolution
from incident_response.core.rules.policy import Policy, ReportTargets

__all__ = [
    "DEFAULT_AVAILABILITY_TARGET",
    "DEFAULT_RESPONSE_MINUTES",
    "IncidentRecord",
    "Targets",
    "Window",
    "compute",
    "fallback_postmortem_due",
    "rows",
    "targets_for",
]

_DEFAULTS = ReportTargets()
#: the team's availability objective (docs/process.md), the policy's default
DEFAULT_AVAILABILITY_TARGET = _DEFAULTS.availability_target
#: the legacy SLA table, used only as a response-time target (docs/process.md)
DEFAULT_RESPONSE_MINUTES: Mapping[str, int] = {
    str(severity): minutes for severity, minutes in _DEFAULTS.response_minutes.items()}
UNCLASSIFIED = "unclassified"
UNKNOWN = "unknown"

Due = Callable[[IncidentState], datetime | None]


@dataclass(frozen=True)
class Window:
    since: datetime
    until: datetime
    #: "2026-11" for a month, "2026-11-03..2026-11-20" for a range
    label: str

    def contains(self, moment: datetime) -> bool:
        return self.since <= moment < self.until


@dataclass(frozen=True)
class IncidentRecord:
    number: int
    url: str
    title: str
    created_at: datetime
    #: None when the issue has no status comment (never handled): counted, nothing measured
    state: IncidentState | None
    #: follow-up issue number -> closed (a number absent here was not read)
    followups_closed: Mapping[int, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class Targets:
    availability_percent: float = DEFAULT_AVAILABILITY_TARGET
    #: per service, overriding `availability_percent`
    availability_by_service: Mapping[str, float] = field(default_factory=dict)
    response_minutes: Mapping[str, int] = field(
        default_factory=lambda: dict(DEFAULT_RESPONSE_MINUTES))
    #: environments whose incidents count against availability (tier 1 in the policy)
    production: frozenset[str] = frozenset({"production"})
    #: every configured service, listed in `availability` even without an incident
    services: tuple[str, ...] = ()
    followup_due_business_days: int = 20
    #: the post-mortem's due date, as the chase computes it (core/chasing.py)
    postmortem_due_business_days: Mapping[str, int] = field(
        default_factory=lambda: {"P1": 5, "P2": 10})
    out_of_band_business_days: int = 2
    #: the policy's calendar (targets_for); by default Monday to Friday, no holidays
    calendar: Calendar = field(default_factory=Calendar)


def fallback_postmortem_due(state: IncidentState, targets: Targets) -> datetime | None:
    """The post-mortem's due date by the targets' calendar and days (the chase's rule)."""
    return due_after_resolution(state, targets.calendar, targets.out_of_band_business_days,
                                targets.postmortem_due_business_days)


def _minutes(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return max((end - start).total_seconds() / 60, 0.0)


def _stats(values: Iterable[float | None]) -> dict[str, Any]:
    present = [v for v in values if v is not None]
    if not present:
        return {"mean": None, "median": None, "max": None, "count": 0}
    return {"mean": round(statistics.fmean(present), 1),
            "median": round(statistics.median(present), 1),
            "max": round(max(present), 1), "count": len(present)}


def _paged_at(state: IncidentState) -> datetime | None:
    """When the page went out; records from before `paged_at` was kept use the report, since
    the page leaves first."""
    if not state.page_dedup_key:
        return None
    return state.paged_at or state.opened_at


def _impact_start(state: IncidentState) -> datetime | None:
    started = state.answers.started_at if state.answers else None
    return started or state.opened_at


@dataclass(frozen=True)
class _Measured:
    record: IncidentRecord
    state: IncidentState
    priority: str
    severity: str
    service: str
    environment: str
    mtta: float | None
    declare: float | None
    mitigate: float | None
    resolve: float | None
    impact: float | None
    sla: str | None  # "met", "missed", "pending", None (not counted)


def _measure(record: IncidentRecord, now: datetime, window: Window,
             targets: Targets) -> _Measured:
    state = record.state or IncidentState(opened_at=record.created_at)
    opened = state.opened_at or record.created_at
    start = _impact_start(state) or opened
    acknowledged = state.acknowledged_at
    severity = str(state.severity) if state.severity else UNCLASSIFIED
    impact_end = state.resolved_at or min(now, window.until)
    return _Measured(
        record=record, state=state,
        priority=str(state.priority) if state.priority else UNCLASSIFIED,
        severity=severity,
        service=state.answers.service if state.answers else UNKNOWN,
        environment=state.answers.environment if state.answers else UNKNOWN,
        mtta=_minutes(_paged_at(state), acknowledged) if acknowledged else None,
        declare=_minutes(opened, state.declared_at),
        mitigate=_minutes(start, state.mitigated_at),
        resolve=_minutes(start, state.resolved_at),
        impact=_minutes(start, impact_end) if record.state else None,
        sla=_sla(state, opened, severity, now, targets),
    )


def _sla(state: IncidentState, opened: datetime, severity: str, now: datetime,
         targets: Targets) -> str | None:
    if not (state.page_dedup_key or state.declared_at):
        return None
    target = targets.response_minutes.get(severity)
    if target is None:
        return None
    response = state.acknowledged_at or state.declared_at
    limit = opened + timedelta(minutes=target)
    if response is not None:
        return "met" if response <= limit else "missed"
    return "missed" if now > limit else "pending"


# -- availability ---------------------------------------------------------------------------------

def _availability(measured: Sequence[_Measured], window: Window, now: datetime,
                  targets: Targets) -> dict[str, Any]:
    start, end = window.since, min(window.until, now)
    window_minutes = max((end - start).total_seconds() / 60, 0.0)
    intervals: dict[str, list[tuple[datetime, datetime]]] = {s: [] for s in targets.services}
    for item in measured:
        if item.record.state is None or item.environment not in targets.production:
            continue
        begin = max(_impact_start(item.state) or item.record.created_at, start)
        finish = min(item.state.resolved_at or end, end)
        intervals.setdefault(item.service, [])
        if finish > begin:
            intervals[item.service].append((begin, finish))
    result: dict[str, Any] = {}
    for service in sorted(intervals):
        impact = _union_minutes(intervals[service])
        target = targets.availability_by_service.get(service, targets.availability_percent)
        percent = (round(100 * (1 - impact / window_minutes), 4) if window_minutes else None)
        result[service] = {
            "percent": percent, "impact_minutes": round(impact, 1), "target": target,
            "met": None if percent is None else percent >= target}
    return result


def _union_minutes(intervals: list[tuple[datetime, datetime]]) -> float:
    total = 0.0
    current: tuple[datetime, datetime] | None = None
    for begin, finish in sorted(intervals):
        if current and begin <= current[1]:
            current = (current[0], max(current[1], finish))
            continue
        if current:
            total += (current[1] - current[0]).total_seconds() / 60
        current = (begin, finish)
    if current:
        total += (current[1] - current[0]).total_seconds() / 60
    return total


# -- the report -----------------------------------------------------------------------------------

def _postmortems(measured: Sequence[_Measured], due: Due, now: datetime) -> dict[str, int]:
    counts = {"on_time": 0, "late": 0, "open": 0, "overdue": 0}
    for item in measured:
        deadline = due(item.state)
        if deadline is None or item.state.resolved_at is None:
            continue
        merged = item.state.postmortem_merged_at
        if merged is not None:
            counts["on_time" if merged <= deadline else "late"] += 1
        else:
            counts["open"] += 1
            counts["overdue"] += now > deadline
    return counts


def _followups(measured: Sequence[_Measured], now: datetime,
               targets: Targets) -> dict[str, int]:
    counts = {"opened": 0, "closed": 0, "overdue": 0, "unread": 0}
    for item in measured:
        completed = item.state.completed_at
        deadline = (targets.calendar.due_after(completed, targets.followup_due_business_days)
                    if completed else None)
        for followup in item.state.followups:
            counts["opened"] += 1
            number = followup.issue_number
            if number is None or number not in item.record.followups_closed:
                counts["unread"] += 1
                continue
            if item.record.followups_closed[number]:
                counts["closed"] += 1
            elif deadline is not None and now > deadline:
                counts["overdue"] += 1
    return counts


def _in_window(records: Iterable[IncidentRecord], window: Window) -> list[IncidentRecord]:
    return [r for r in records if window.contains(r.created_at)]


def compute(records: Sequence[IncidentRecord], window: Window, now: datetime,
            targets: Targets) -> dict[str, Any]:
    """The report's JSON (docs/process.md: The monthly report). `records` may hold incidents
    opened before the window (they count towards availability only)."""
    def due(state: IncidentState) -> datetime | None:
        return fallback_postmortem_due(state, targets)
    everything = [_measure(r, now, window, targets) for r in records]
    measured = [m for m in everything if window.contains(m.record.created_at)]
    sla: dict[str, dict[str, Any]] = {}
    for item in measured:
        if item.sla is None:
            continue
        row = sla.setdefault(item.severity, {
            "met": 0, "missed": 0, "pending": 0,
            "target_minutes": targets.response_minutes.get(item.severity)})
        row[item.sla] += 1
    per_priority: dict[str, Any] = {}
    for priority in sorted({m.priority for m in measured}):
        group = [m for m in measured if m.priority == priority]
        per_priority[priority] = {
            "mtta_minutes": _stats(m.mtta for m in group),
            "time_to_declare_minutes": _stats(m.declare for m in group),
            "time_to_mitigate_minutes": _stats(m.mitigate for m in group),
            "mttr_minutes": _stats(m.resolve for m in group),
            "impact_minutes": _stats(m.impact for m in group),
        }
    paged = [m for m in measured if m.state.page_dedup_key]
    availability = _availability(everything, window, now, targets)
    return {
        "month": window.label,
        "window": {"since": _iso(window.since), "until": _iso(window.until)},
        "incidents": len(measured),
        "by_priority": dict(sorted(Counter(m.priority for m in measured).items())),
        "by_severity": dict(sorted(Counter(m.severity for m in measured).items())),
        "by_service": dict(sorted(Counter(m.service for m in measured).items())),
        "by_environment": dict(sorted(Counter(m.environment for m in measured).items())),
        "mtta_minutes": _stats(m.mtta for m in measured),
        "time_to_declare_minutes": _stats(m.declare for m in measured),
        "time_to_mitigate_minutes": _stats(m.mitigate for m in measured),
        "mttr_minutes": _stats(m.resolve for m in measured),
        "impact_minutes": _stats(m.impact for m in measured),
        "per_priority": per_priority,
        "acknowledgement": {"paged": len(paged),
                            "acknowledged": sum(1 for m in paged if m.mtta is not None)},
        # per service, percent (docs/process.md); the impact and the target beside it
        "availability": {name: detail["percent"] for name, detail in availability.items()},
        "availability_detail": availability,
        "sla": dict(sorted(sla.items())),
        "postmortems": _postmortems(measured, due, now),
        "followups": _followups(measured, now, targets),
        "reminders": {"sent": sum(m.state.reminder_count for m in measured),
                      "incidents_reminded": sum(1 for m in measured
                                                if m.state.reminder_count),
                      "escalations": sum(m.state.escalations for m in measured)},
    }


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None



def rows(records: Sequence[IncidentRecord], window: Window, now: datetime, targets: Targets,
         ) -> list[dict[str, Any]]:
    """One row per incident of the window, with its figures (the CSV)."""
    def due(state: IncidentState) -> datetime | None:
        return fallback_postmortem_due(state, targets)
    result = []
    for record in sorted(_in_window(records, window), key=lambda r: r.number):
        item = _measure(record, now, window, targets)
        state = item.state

        def number(value: float | None) -> float | None:
            return None if value is None else round(value, 1)

        result.append({
            "number": record.number, "title": record.title, "url": record.url,
            "created_at": _iso(record.created_at), "priority": item.priority,
            "severity": item.severity, "service": item.service,
            "environment": item.environment,
            "phase": str(state.phase) if record.state else UNKNOWN,
            "opened_at": _iso(state.opened_at), "declared_at": _iso(state.declared_at),
            "acknowledged_at": _iso(state.acknowledged_at),
            "mitigated_at": _iso(state.mitigated_at), "resolved_at": _iso(state.resolved_at),
            "mtta_minutes": number(item.mtta), "time_to_declare_minutes": number(item.declare),
            "time_to_mitigate_minutes": number(item.mitigate),
            "mttr_minutes": number(item.resolve), "impact_minutes": number(item.impact),
            "sla": item.sla or "", "postmortem_due": _iso(due(state)),
            "postmortem_merged_at": _iso(state.postmortem_merged_at),
            "followups": len(state.followups), "reminders": state.reminder_count,
        })
    return result


def targets_for(policy: Policy) -> Targets:
    """The report's targets: the policy's `report:` section and its business-day rules."""
    section = policy.report
    return Targets(
        availability_percent=section.availability_target,
        availability_by_service=dict(section.availability_targets),
        response_minutes={**DEFAULT_RESPONSE_MINUTES,
                          **{str(k): v for k, v in section.response_minutes.items()}},
        production=frozenset(e.name for e in policy.environments if e.tier == 1),
        services=tuple(s.name for s in policy.services),
        postmortem_due_business_days={
            str(p): n for p, n in policy.chasing.postmortem_business_days.items()},
        out_of_band_business_days=policy.out_of_band_deploy.postmortem_due_business_days,
        followup_due_business_days=policy.chasing.followup_business_days,
        calendar=calendar_of(policy),
    )
