"""The frequent sweep runs only while something needs it; the daily sweep watches over it.

GitHub bills every job of a private repository by the started minute, so a sweep every 10
minutes costs about 4,320 minutes a month with no incident at all. The frequent sweep
(`sweep.yml`) is therefore enabled while an incident has a reminder cadence (active or stable,
with `update_every_minutes`) or a run left something to retry, and disabled by the sweep that
finds nothing left; the daily sweep (`sweep-daily.yml`, its own file, since disabling a
workflow disables all its triggers) chases what is due in business days and, as a watchdog,
enables the frequent sweep again whenever something is live.

Three things turn the frequent sweep on, so that no single failure pauses reminders:
- the event run that makes an incident live (a declaration, a reopen) or leaves a failure
  (`keep_sweeping`, called by `handle` after its run), which also enables the daily sweep;
- the daily sweep (`sweep --keep-schedule` in `sweep-daily.yml`) when something is live;
- a person (Actions, Incident sweep, Enable workflow), as the status comment says when the
  sweep has been silent for three cadences (core.rules.reminders.sweep_paused).
The frequent sweep never disables itself without first making sure the daily sweep is on: if
GitHub disabled that one too (60 days without activity in a public repository, or the last
person who committed its cron left the organization), the frequent sweep stays on.

Enabling and disabling need `actions: write` in the job's `permissions:` ("Permissions required
for GitHub Apps", section Actions: "Enable a workflow" and "Disable a workflow" need write, "Get
a workflow" read). Without it, or without the workflow file, the run says so in a warning and
its summary, and goes on: the schedule is then as it was before this program touched it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from incident_response.core.errors import PermanentServiceError, ServiceError
from incident_response.core.rules import lifecycle
from incident_response.core.rules.labels import phase_label, priority_of
from incident_response.core.rules.reminders import cadence
from incident_response.shell import actions

if TYPE_CHECKING:
    from incident_response.adapters.github.repository import GitHubRepository
    from incident_response.adapters.github.workflows import GitHubWorkflows
    from incident_response.core.record.state import IncidentState
    from incident_response.core.rules.policy import Policy
    from incident_response.shell.context import RunContext
    from incident_response.shell.incident_run import IncidentRun
    from incident_response.shell.wiring import Adapters

__all__ = ["DAILY_SWEEP", "FREQUENT_SWEEP", "ScheduleChange", "keep_schedule", "keep_sweeping",
           "needs_frequent_sweep"]

#: the workflow files, as `incident-response init` writes them
FREQUENT_SWEEP = "sweep.yml"
DAILY_SWEEP = "sweep-daily.yml"
#: an incident whose record shows a frequent sweep within this many cadences needs no call:
#: the schedule is evidently on (a declaration has no sweep yet, a reopen an old one)
_RECENT_CADENCES = 2
_PERMISSION = ("grant `actions: write` to this job's `permissions:` (the shipped workflows do; "
               "`incident-response init` writes them)")


def needs_frequent_sweep(state: IncidentState, policy: Policy) -> bool:
    """Whether this incident needs the frequent sweep: it has a reminder cadence."""
    return cadence(state, policy) is not None


def _swept_lately(state: IncidentState, policy: Policy, now: datetime) -> bool:
    every = cadence(state, policy)
    return (every is not None and state.swept_at is not None
            and now - state.swept_at < _RECENT_CADENCES * every)


@dataclass
class ScheduleChange:
    """What a run did to the schedule, and what it could not do (said, never fatal)."""

    done: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def tell(self, context: RunContext, heading: str, *, echo: bool = False) -> None:
        """In the job summary (and on standard output if `echo`); each problem also as a
        warning annotation."""
        for problem in self.problems:
            actions.annotate("warning", "Incident sweep schedule", problem)
        lines = [f"- {line}" for line in [*self.done, *self.problems]]
        if lines:
            text = "\n".join([f"### {heading}", "", *lines])
            if echo:
                print(text)
            actions.write_summary(context, text)


def _enable(workflows: GitHubWorkflows, name: str, change: ScheduleChange) -> bool:
    """The workflow on (True), or why not in `change` (False)."""
    try:
        workflows.enable(name)
    except PermanentServiceError as error:
        change.problems.append(_refusal(name, "enabled", error))
        return False
    except ServiceError as error:
        change.problems.append(f"{name} was not enabled ({error}); the next run tries again")
        return False
    change.done.append(f"{name} enabled")
    return True


def _refusal(name: str, verb: str, error: PermanentServiceError) -> str:
    if error.status == 404:
        return (f"{name} was not {verb}: the repository has no .github/workflows/{name} "
                "(`incident-response init` writes it)")
    if error.status == 403:
        return f"{name} was not {verb}: the token may not ({error}); {_PERMISSION}"
    return f"{name} was not {verb}: {error}"


def keep_sweeping(run: IncidentRun, adapters: Adapters, policy: Policy,
                  context: RunContext) -> None:
    """After an event run: the frequent and the daily sweep on, when the incident needs
    reminders (a declaration, a reopen) and no sweep has looked at it lately, or when the run
    left something to retry. Two requests when it acts, none otherwise."""
    from incident_response.adapters.github.tracker import GitHubTracker
    from incident_response.adapters.github.workflows import GitHubWorkflows

    state = run.plan.state
    wanted = needs_frequent_sweep(state, policy) and not _swept_lately(state, policy,
                                                                        context.now)
    if not (wanted or run.failed) or not isinstance(adapters.github, GitHubTracker):
        return
    workflows = GitHubWorkflows(adapters.github.client)
    change = ScheduleChange()
    for name in (FREQUENT_SWEEP, DAILY_SWEEP):
        _enable(workflows, name, change)
    change.tell(context, "Sweep schedule")


def _live_with_cadence(lists: GitHubRepository, policy: Policy) -> list[int]:
    """Incidents whose labels say they are live (active, stable; open or closed) with a
    priority that has a reminder cadence: one list per live phase, no comments read."""
    live: set[int] = set()
    for phase in lifecycle.phases(live=True):
        for item in lists.labelled(phase_label(policy, phase)):
            names = [str(label.get("name") or "") for label in item.get("labels") or []]
            priorities = [p for p in (priority_of(policy, n) for n in names) if p is not None]
            if any(policy.rule(p).update_every_minutes for p in priorities):
                live.add(int(item["number"]))
    return sorted(live)


def keep_schedule(lists: GitHubRepository, workflows: GitHubWorkflows, policy: Policy,
                  ) -> tuple[ScheduleChange, bool]:
    """The frequent sweep on while an incident is live with a cadence, off otherwise; the
    daily sweep always on. Returns what changed and whether the frequent sweep is on.

    Disabling races with a declaration, whose run enables the frequent sweep after it has
    labelled the incident: so the frequent sweep is disabled first and the labels read again
    after; an incident live by then is seen, and the frequent sweep enabled again."""
    change = ScheduleChange()
    live = _live_with_cadence(lists, policy)
    watchdog = _active(workflows, DAILY_SWEEP, change)
    if live:
        change.done.append("live: " + ", ".join(f"#{n}" for n in live))
        return change, _active(workflows, FREQUENT_SWEEP, change)
    if not watchdog:
        change.problems.append(f"{FREQUENT_SWEEP} stays on: without {DAILY_SWEEP} nothing "
                               "would turn it on again for a live incident but its event runs")
        return change, True
    try:
        workflows.disable(FREQUENT_SWEEP)
    except PermanentServiceError as error:
        change.problems.append(_refusal(FREQUENT_SWEEP, "disabled", error))
        return change, True
    except ServiceError as error:
        change.problems.append(f"{FREQUENT_SWEEP} was not disabled ({error})")
        return change, True
    change.done.append(f"{FREQUENT_SWEEP} disabled: no incident is live")
    live = _live_with_cadence(lists, policy)
    if live:
        change.done.append("live meanwhile: " + ", ".join(f"#{n}" for n in live))
        return change, _enable(workflows, FREQUENT_SWEEP, change)
    return change, False


def _active(workflows: GitHubWorkflows, name: str, change: ScheduleChange) -> bool:
    """The workflow active, enabling it if it is not (one read; a write when it acts)."""
    from incident_response.adapters.github.workflows import ACTIVE

    try:
        state = workflows.state(name)
    except PermanentServiceError as error:
        change.problems.append(_refusal(name, "read", error))
        return False
    except ServiceError as error:
        change.problems.append(f"{name} was not read ({error})")
        return False
    if state is None:
        change.problems.append(f"the repository has no .github/workflows/{name} "
                               "(`incident-response init` writes it)")
        return False
    if state == ACTIVE:
        return True
    change.done.append(f"{name} was {state}")
    return _enable(workflows, name, change)
