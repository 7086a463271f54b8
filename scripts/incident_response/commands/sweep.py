"""`incident-response sweep`: reminders, escalations and repairs for every live incident.

Run on a schedule (best effort: late or skipped runs are expected) and by hand. A live incident
is found by its label and by its phase label (an issue closed by hand, or stripped of the
incident label, is still found). The cost grows with the number of live incidents only; nothing
is written for an incident where nothing is due.

In GitHub Actions the sweep is two steps, so that every run that writes an incident's record
is in that incident's concurrency group: `--list-due` finds the incidents with something due
(reading only), then one job per incident runs `--incident N` in the group `incident-N` that
the event runs of the same incident use.

Two schedules run it (shell/sweep_schedule.py): the frequent sweep (`--schedule frequent`,
every 10 minutes while an incident is live) and the daily sweep (`--schedule daily`: the
post-mortem and follow-up chases, due in business days, and the watchdog). `--list-due` says
in its output `frequent-sweep` whether the frequent sweep is still needed; `--keep-schedule`
turns it on or off to match.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incident_response.core.errors import ServiceError, UsageError
from incident_response.core.record.keys import describe as effect_name
from incident_response.shell import actions
from incident_response.shell.configuration import form_template, load_policy
from incident_response.shell.context import RunContext
from incident_response.shell.dry_run import print_plan
from incident_response.shell.sweep_schedule import needs_frequent_sweep

if TYPE_CHECKING:
    from incident_response.adapters.github.repository import GitHubRepository
    from incident_response.adapters.github.tracker import GitHubTracker
    from incident_response.adapters.ports import Acknowledgements, IssueTracker
    from incident_response.core.record.snapshot import IssueSnapshot
    from incident_response.core.rules.form import FormTemplate
    from incident_response.shell.loading import LoadedIncident
    from incident_response.shell.settings import Settings
    from incident_response.shell.wiring import Adapters

__all__ = ["live_phase_labels", "sweep"]


def live_phase_labels(policy: Settings) -> list[str]:
    from incident_response.core.rules import lifecycle
    from incident_response.core.rules.labels import phase_label

    return [phase_label(policy, p) for p in lifecycle.phases(watched=True)]


def _is_due(loaded: LoadedIncident, policy: Settings, template: FormTemplate,
            now: datetime, *, frequent: bool) -> bool:
    from incident_response.core.decision.decide import decide
    from incident_response.core.record.block import render_state

    plan = decide(loaded.issue, loaded.previous, policy, template, now, sweep=frequent)
    if loaded.previous is None or plan.effects or plan.labels_to_add or plan.labels_to_remove:
        return True
    return render_state(loaded.previous) != render_state(plan.state)


def sweep(arguments: argparse.Namespace, config: Path | None, context: RunContext) -> int:
    repository = arguments.repo or context.repository
    if not repository or "/" not in repository:
        msg = "no repository: set GITHUB_REPOSITORY or pass --repo OWNER/REPO"
        raise UsageError(msg)
    policy = load_policy(config)
    template = form_template(arguments.form)
    # By hand (a terminal, while Actions is down): the repository as GitHub spells it, and
    # the person the token writes as (shell/terminal.py).
    from incident_response.shell.terminal import Runner, who_runs

    try:
        runner = (Runner(repository) if arguments.list_due or arguments.dry_run else
                  who_runs(repository, context, policy, typed=bool(arguments.repo)))
    except ServiceError as error:
        print(f"incident-response: {error}")
        return 1
    repository = runner.repository

    from incident_response.shell.wiring import (
        acknowledgements,
        build_adapters,
        close_adapter,
        github_repository,
        github_tracker,
    )

    tracker = github_tracker(context, repository, policy)
    schedule = arguments.schedule
    with build_adapters(context, repository, policy, github=tracker) as adapters:
        lists = github_repository(tracker)
        if arguments.keep_schedule:
            return _keep_schedule(lists, tracker, policy, context)
        acks = acknowledgements(context, policy)
        try:
            try:
                incidents = _incidents(lists, adapters.github, policy, arguments.incident,
                                       every_phase_list=schedule is None)
                # Follow-ups are due in business days: the daily sweep chases them.
                followups = [] if schedule == "frequent" else _overdue_followups(
                    lists, policy, context.now, arguments.incident)
            except ServiceError as error:
                actions.annotate("error", "Live incidents not listed", str(error))
                print(f"incident-response: {error}")
                return 1
            incidents = [i for i in incidents if not i.has_label(policy.labels.followup)]
            # The daily sweep is not the frequent one: it leaves `swept_at` alone, so a live
            # incident's status comment says "Reminders are paused" when only it runs.
            frequent = schedule != "daily"
            if arguments.list_due:
                return _list_due(incidents, adapters.github, policy, template, context,
                                 followups=followups, acks=acks, frequent=frequent)
            code = _sweep(incidents, adapters, policy, template, context=context,
                          dry_run=arguments.dry_run, acks=acks, frequent=frequent,
                          person=runner.person)
            if followups and not arguments.dry_run:
                code = max(code, _chase_followups(followups, adapters, policy, context))
            return code
        finally:
            close_adapter(acks)


def _overdue_followups(lists: GitHubRepository, policy: Settings, now: datetime,
                       only: list[int] | None) -> list[IssueSnapshot]:
    """Open follow-up issues past their due date, with their comments (the reminders sent):
    one list request, then one comments request per overdue follow-up only."""
    from incident_response.core.rules.chasing import followup_due

    overdue = []
    for item in lists.open_issues(policy.labels.followup):
        if only and int(item["number"]) not in only:
            continue
        opened = datetime.fromisoformat(str(item["created_at"]))
        if followup_due(opened, policy) <= now:
            overdue.append(lists.with_comments(item))
    return overdue


def _chase_followups(followups: list[IssueSnapshot], adapters: Adapters, policy: Settings,
                     context: RunContext) -> int:
    from incident_response.core.decision.followups import followup_chases
    from incident_response.core.record.state import IncidentState
    from incident_response.shell.execute import execute

    lines, failed = [], False
    for issue in followups:
        effects = followup_chases(issue, policy, context.now)
        if not effects:
            continue
        # A follow-up issue keeps no record: its reminders' markers say what was sent.
        outcome = execute(effects, IncidentState(), adapters, issue.number, context.now)
        failed = failed or bool(outcome.failed)
        lines.append(f"- follow-up #{issue.number}: " + "; ".join(
            f"{effect_name(r.effect.key, adapters.vendors)} {r.status}"
            for r in outcome.results))
    if lines:
        summary = "\n".join(["### Overdue follow-ups", "", *lines])
        print(summary)
        actions.write_summary(context, summary)
    return 1 if failed else 0


def _keep_schedule(lists: GitHubRepository, tracker: GitHubTracker, policy: Settings,
                   context: RunContext) -> int:
    """The frequent sweep on while an incident is live, off otherwise; 1 when an incident is
    live and the frequent sweep could not be turned on (its reminders are paused)."""
    from incident_response.adapters.github.workflows import GitHubWorkflows
    from incident_response.shell.sweep_schedule import keep_schedule

    try:
        change, frequent_on = keep_schedule(lists, GitHubWorkflows(tracker.client), policy)
    except ServiceError as error:
        actions.annotate("error", "Live incidents not listed", str(error))
        print(f"incident-response: {error}")
        return 1
    change.tell(context, "Sweep schedule", echo=True)
    live = any(line.startswith("live") for line in change.done)
    if live and not frequent_on:
        actions.annotate("error", "Reminders are paused",
                         "An incident is live and the frequent sweep (sweep.yml) is off: "
                         "enable it (Actions, Incident sweep, Enable workflow).")
        return 1
    return 0


def _incidents(lists: GitHubRepository, tracker: IssueTracker, policy: Settings,
               only: list[int] | None, *, every_phase_list: bool) -> list[IssueSnapshot]:
    if only:
        return [tracker.load_issue(number) for number in sorted(set(only))]
    from incident_response.core.rules.labels import phase_label
    from incident_response.core.vocabulary import Phase

    return lists.watched_incidents(policy.labels.incident,
                                   phase_label(policy, Phase.RESOLVED),
                                   live_phase_labels(policy), policy.github.bot_login,
                                   every_phase_list=every_phase_list)


def _list_due(incidents: list[IssueSnapshot], tracker: IssueTracker, policy: Settings,
              template: FormTemplate, context: RunContext, *,
              followups: list[IssueSnapshot], acks: Acknowledgements | None,
              frequent: bool) -> int:
    now = context.now
    from incident_response.shell.loading import complete_snapshot
    from incident_response.shell.summary import listing_notices

    due: list[int] = []
    live = False
    for issue in incidents:
        try:
            loaded = complete_snapshot(issue, tracker, policy, sweep=True,
                                       acknowledgements=acks)
        except ServiceError:
            due.append(issue.number)  # its own run reports the failure where it belongs
            continue
        live = live or (loaded.previous is not None
                        and needs_frequent_sweep(loaded.previous, policy))
        if _is_due(loaded, policy, template, now, frequent=frequent):
            due.append(issue.number)
    from incident_response.core.decision.followups import followup_chases

    # The frequent sweep is needed while an incident is live, or an incident has something
    # due (a repair to retry); follow-ups are the daily sweep's.
    needed = live or bool(due)
    due += [f.number for f in followups if followup_chases(f, policy, now)]
    print(json.dumps(due))
    actions.write_outputs(context, {"incidents": json.dumps(due),
                                    "frequent-sweep": "needed" if needed else "idle"})
    actions.write_summary(context, f"### Sweep at {now:%Y-%m-%d %H:%M} UTC: {len(incidents)} live "
                          f"incident(s), {len(due)} with something due"
                          + (": " + ", ".join(f"#{n}" for n in due) if due else "")
                          + listing_notices(context, acks))
    return 0


def _sweep(incidents: list[IssueSnapshot], adapters: Adapters, policy: Settings,
           template: FormTemplate, *, context: RunContext, dry_run: bool,
           acks: Acknowledgements | None, frequent: bool, person: str | None = None) -> int:
    now = context.now
    from incident_response.core.decision.decide import decide
    from incident_response.shell.incident_run import run_incident
    from incident_response.shell.loading import complete_snapshot

    lines = [f"### Sweep at {now:%Y-%m-%d %H:%M} UTC: {len(incidents)} live incident(s)", ""]
    failed = False
    for issue in incidents:
        try:
            loaded = complete_snapshot(issue, adapters.github, policy, sweep=True,
                                       acknowledgements=acks)
        except ServiceError as error:
            failed = True
            lines.append(f"- #{issue.number}: **not loaded**: {error}")
            continue
        if dry_run:
            print_plan(decide(loaded.issue, loaded.previous, policy, template, now,
                              sweep=frequent, vendors=adapters.vendors),
                       policy, issue.number, loaded.issue)
            continue
        run = run_incident(loaded, adapters, policy, template, now, sweep=frequent,
                           run_url=context.run_url, person=person)
        failed = failed or run.failed
        done = [effect_name(r.effect.key, adapters.vendors) for r in run.outcome.results
                if r.status == "done"]
        problems = [f"{effect_name(r.effect.key, adapters.vendors)} failed ({r.detail})"
                    for r in run.outcome.failed] + run.errors
        for problem in problems:
            actions.annotate("error", f"Incident #{issue.number}", problem)
        if done or problems:
            lines.append(f"- #{issue.number} ({run.plan.state.priority}, "
                         f"{run.plan.state.phase}): " + "; ".join(done + problems))
    if len(lines) == 2:
        lines.append("- nothing due")
    summary = "\n".join(lines)
    print(summary)
    actions.write_summary(context, summary)
    return 1 if failed else 0
