"""The post-mortem: a document rendered from the incident's own record, and where it goes.

The timeline merges the issue's history (label changes, assignments, commands, reopen/close,
from GitHub's timeline API) with the state's facts (answers, declaration, updates, back-dated
`/timeline` entries, mitigation, resolution), in time order, in UTC, also drawn as a Mermaid
chart. User text never becomes a path: the file name's slug keeps only `a-z0-9-`.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from incident_response.core import names
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import HistoryEvent, IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.answers import FormAnswers
from incident_response.core.rules.chasing import due_day
from incident_response.core.rules.comment_commands import parse_commands
from incident_response.core.rules.facts import followups, timeline_entries, updates
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.gantt import TODAY_MARKER_OFF, task_name
from incident_response.core.texts.templates import render
from incident_response.core.vocabulary import Phase

__all__ = [
    "Figures",
    "TimelineItem",
    "branch_name",
    "postmortem_path",
    "render_postmortem",
    "slug",
    "timeline",
]

_SLUG_LENGTH = 50


def slug(title: str) -> str:
    """`[Incident] SSOe down!` -> `ssoe-down`; only a-z, 0-9 and single dashes, bounded."""
    text = re.sub(r"^\s*\[[^\]]*\]\s*", "", title)
    # Accented letters keep their base letter (Ü -> u); anything else becomes a dash.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")
    return text[:_SLUG_LENGTH].rstrip("-") or "incident"


def branch_name(number: int) -> str:
    return f"postmortem/incident-{number}"


def postmortem_path(number: int, title: str, day: datetime, cycle: int = 1) -> str:
    recurrence = f"recurrence-{cycle}-" if cycle > 1 else ""
    return f"postmortems/{day:%Y-%m-%d}-incident-{number}-{recurrence}{slug(title)}.md"


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    text: str
    who: str = ""
    milestone: bool = False


@dataclass(frozen=True)
class Figures:
    impact_start: datetime
    time_to_declare: timedelta | None
    time_to_mitigate: timedelta | None
    time_to_resolve: timedelta | None
    impact_duration: timedelta | None


def _history_items(history: tuple[HistoryEvent, ...], bot: str) -> list[TimelineItem]:
    items = []
    for event in history:
        if names.same(event.actor, bot):
            continue  # the bot's own label changes mirror facts listed from the state
        if event.kind in ("labeled", "unlabeled"):
            verb = "added label" if event.kind == "labeled" else "removed label"
            items.append(TimelineItem(event.at, f"{verb} {event.detail}", event.actor))
        elif event.kind in ("assigned", "unassigned"):
            items.append(TimelineItem(event.at, f"{event.kind} {event.detail}", event.actor))
        elif event.kind in ("closed", "reopened"):
            items.append(TimelineItem(event.at, f"issue {event.kind}", event.actor))
        elif event.kind == "commented":
            for command in parse_commands(event.detail):
                # Updates, entries and phase moves are listed from the state already.
                if command.name not in ("update", "timeline", "help", "followup", "declare",
                                        "mitigate", "resolve"):
                    items.append(TimelineItem(event.at, command.line, event.actor))
    return items


def timeline(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
             bot: str) -> list[TimelineItem]:
    items = [TimelineItem(issue.created_at, "Incident reported on GitHub", issue.author, True)]
    if answers.started_at:
        items.append(TimelineItem(answers.started_at, "Customer impact started", "", True))
    if state.declared_at:
        items.append(TimelineItem(state.declared_at,
                                  f"Declared {state.priority}: paged, declared, announced", "",
                                  True))
    items += [TimelineItem(u.at, f"Update: {u.text}", u.author) for u in updates(issue, state)]
    items += [TimelineItem(e.at, e.text, e.author) for e in timeline_entries(issue, state)]
    titles = {"stable": "Mitigated", "resolved": "Resolved", "active": "Back to active",
             "completed": "Completed"}
    for index, change in enumerate(state.phase_changes):
        if index == 0 and change.phase is Phase.ACTIVE:
            continue  # the declaration itself, listed above
        items.append(TimelineItem(change.at, titles.get(change.phase.value, change.phase.value),
                                  change.by, True))
    items += _history_items(issue.history or (), bot)
    return sorted(items, key=lambda item: (item.at, not item.milestone, item.text))


def figures(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState) -> Figures:
    start = answers.started_at or issue.created_at

    def since(moment: datetime | None) -> timedelta | None:
        return moment - start if moment else None

    return Figures(start, since(state.declared_at), since(state.mitigated_at),
                   since(state.resolved_at), since(state.resolved_at))


def _duration(value: timedelta | None) -> str:
    if value is None:
        return "not reached"
    minutes = int(value.total_seconds() // 60)
    hours, minutes = divmod(abs(minutes), 60)
    sign = "-" if value.total_seconds() < 0 else ""
    return f"{sign}{hours} h {minutes:02d} min" if hours else f"{sign}{minutes} min"


#: Mermaid refuses a chart over 50,000 characters (its `maxTextSize`); a name is at most 60
#: characters, encoded a few times longer, so a few hundred items stay well under it. The table
#: above the chart keeps every item; the chart keeps the milestones and the latest others.
_CHART_ITEMS = 150


def mermaid(items: list[TimelineItem], figures_: Figures, state: IncidentState) -> str:
    def stamp(moment: datetime) -> str:
        return f"{moment:%Y-%m-%dT%H:%M}"

    lines = ["gantt", "    title Incident timeline (UTC)", "    dateFormat YYYY-MM-DDTHH:mm",
             "    axisFormat %H:%M", f"    {TODAY_MARKER_OFF}"]
    end = state.resolved_at or (items[-1].at if items else figures_.impact_start)
    if end > figures_.impact_start:
        lines += ["    section Impact",
                  f"    Customer impact :crit, {stamp(figures_.impact_start)}, {stamp(end)}"]
    lines.append("    section Response")
    if len(items) > _CHART_ITEMS:
        milestones = [item for item in items if item.milestone]
        others = [item for item in items if not item.milestone]
        kept = set(map(id, milestones + others[-(_CHART_ITEMS - len(milestones)):]))
        items = [item for item in items if id(item) in kept]
    lines += [f"    {task_name(item.text)} :milestone, {stamp(item.at)}, 0m" for item in items]
    return "\n".join(lines)


def render_postmortem(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
                      policy: Policy, vendors: Vendors = Vendors()) -> str:  # noqa: B008
    items = timeline(issue, answers, state, policy.github.bot_login)
    numbers = figures(issue, answers, state)
    return render(
        "postmortem.md.j2", issue=issue, answers=answers, state=state, policy=policy,
        service=policy.service(answers.service), items=items, figures=numbers,
        duration=_duration, mermaid=mermaid(items, numbers, state),
        followups=followups(issue, state), postmortem_due=due_day(state, policy),
        title=re.sub(r"^\s*\[[^\]]*\]\s*", "", issue.title) or issue.title, vendors=vendors,
    )


def content_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
