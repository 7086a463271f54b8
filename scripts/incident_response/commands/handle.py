"""`incident-response handle`: one GitHub Actions event, reconciled into the incident record.

load -> decide (pure) -> record labels and the status comment -> execute outside effects
(page first) -> record the results. The status comment is written before anything goes out,
so the state that prevents duplicates exists before a duplicate could be made.

`handle --repo OWNER/REPO --issue N` does the same without an event, from a terminal, while
GitHub Actions is down or late: everything is read from GitHub, as every run already reads it
(the post-mortem's merge from its pull request, a reopen from the issue's history), so the
run is safe beside the late Actions runs that may still come (the record's claims and the
page's dedup key make sure nothing is sent twice, whichever runs first).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incident_response.core import names
from incident_response.core.errors import PermanentServiceError, ServiceError, UsageError
from incident_response.core.record.snapshot import IssueSnapshot, PostmortemClosed
from incident_response.shell import actions
from incident_response.shell.configuration import form_template
from incident_response.shell.context import RunContext
from incident_response.shell.events import (
    Event,
    event_time,
    incident_number,
    issue_from_payload,
    read_event,
)

# The policy (pydantic), the templates (Jinja2) and the core load only once an event is known
# to be about an incident: the fast path must not pay for them.
if TYPE_CHECKING:
    from incident_response.adapters.ports import IssueTracker
    from incident_response.core.decision.plan import Plan
    from incident_response.core.rules.form import FormTemplate
    from incident_response.core.rules.lateness import EventTime
    from incident_response.shell.first_page import FirstPage
    from incident_response.shell.loading import LoadedIncident
    from incident_response.shell.settings import Settings
    from incident_response.shell.terminal import Runner

_INCIDENT_EVENTS = ("issues", "issue_comment", "pull_request")
#: every event a workflow of this program is triggered by; any other `--event-name` is a typo
KNOWN_EVENTS = (*_INCIDENT_EVENTS, "schedule", "workflow_dispatch")

__all__ = ["handle"]


def _is_about_incident(event: Event, number: int | None, bot_login: str) -> bool:
    if number is None:
        return False
    if event.name == "pull_request":
        return True
    if event.name == "issues":
        # The bot's own label changes start runs when it writes with an App token (events of
        # the workflow token start none): they have nothing to tell, so they stop here.
        sender = (event.payload.get("sender") or {}).get("login")
        if event.action in ("labeled", "unlabeled") and names.same(sender, bot_login):
            return False
        return event.action in ("opened", "edited", "reopened", "closed", "labeled",
                                "unlabeled")
    commenter = ((event.payload.get("comment") or {}).get("user") or {}).get("login")
    return event.action in ("created", "edited") and not names.same(commenter, bot_login)


def _with_event_facts(issue: IssueSnapshot, event: Event, now: datetime) -> IssueSnapshot:
    """What only the event knows: a reopen, a closed post-mortem, the default branch."""
    repository = event.payload.get("repository") or {}
    closed = None
    pull = event.payload.get("pull_request") or {}
    if event.name == "pull_request" and pull:
        at = str(pull.get("merged_at") or pull.get("closed_at") or "")
        closed = PostmortemClosed(
            number=int(pull["number"]), merged=bool(pull.get("merged")),
            at=datetime.fromisoformat(at) if at else now,
            actor=str(((pull.get("merged_by") or event.payload.get("sender")) or {})
                      .get("login") or ""),
            url=str(pull.get("html_url") or ""))
    return replace(issue, reopened=event.name == "issues" and event.action == "reopened",
                   default_branch=repository.get("default_branch") or None,
                   postmortem_closed=closed)


def _incident_of(event: Event, config: Path | None) -> tuple[Settings, int] | None:
    """The policy and the incident's number, or None for an event not about an incident."""
    if event.name not in _INCIDENT_EVENTS:
        return None  # decided without loading the policy at all
    from incident_response.shell.configuration import load_policy

    policy = load_policy(config)
    number = incident_number(event, policy.labels.incident)
    if number is None or not _is_about_incident(event, number, policy.github.bot_login):
        return None
    return policy, number


def _dry_run(plan_of: Callable[[], Plan], policy: Settings, number: int,
             issue: IssueSnapshot) -> int:
    from incident_response.shell.dry_run import print_plan

    print_plan(plan_of(), policy, number, issue)
    return 0


def handle(arguments: argparse.Namespace, config: Path | None, context: RunContext) -> int:
    if getattr(arguments, "issue", None) is not None:
        return _by_hand(arguments, config, context)
    now = context.now
    if arguments.event_name and arguments.event_name not in KNOWN_EVENTS:
        msg = (f"--event-name {arguments.event_name!r} is not a GitHub Actions event this "
               f"program handles; use one of {', '.join(KNOWN_EVENTS)}")
        raise UsageError(msg)
    event = read_event(arguments.event, arguments.event_name, arguments.repo, context)
    found = _incident_of(event, config)
    if found is None:
        print(f"incident-response: {event.name}.{event.action or '-'} is not about an "
              "incident; nothing to do.")
        return 0
    policy, number = found
    template = form_template(arguments.form)
    from incident_response.core.decision.decide import decide

    timing = _when(event, context)
    if arguments.dry_run and not context.github_token:
        offline = issue_from_payload(event, now)
        return _dry_run(lambda: decide(offline, None, policy, template, now, event=timing),
                        policy, number, offline)

    from incident_response.shell.first_page import FirstPage, page_first, recorded_page

    # The page the Action's first step sent (`--paged`) is recorded, not sent again.
    first = FirstPage() if arguments.dry_run else (
        recorded_page(arguments.paged, event.repository, number)
        or page_first(event, number, policy, template, context))
    runner = _runner(event.repository, context, policy, typed=bool(arguments.repo),
                     dry_run=arguments.dry_run)
    if runner is None:
        return 1
    return _reconcile(number, policy, template, context, first=first, dry_run=arguments.dry_run,
                      runner=runner, timing=timing,
                      facts=lambda issue: _with_event_facts(issue, event, now))


def _when(event: Event, context: RunContext) -> EventTime | None:
    """When the event happened, for a run in GitHub Actions that may be late. A re-run
    replays its first attempt's payload, and a run by hand is a person acting now: neither is
    GitHub Actions starting late."""
    if not context.in_actions or context.run_attempt > 1:
        return None
    return event_time(event)


def _runner(repository: str, context: RunContext, policy: Settings, *, typed: bool,
            dry_run: bool) -> Runner | None:
    """The repository as GitHub names it and the person the token writes as (see
    shell/terminal.py); None, said in one line, when GitHub cannot tell."""
    from incident_response.shell.terminal import Runner, who_runs

    if dry_run and not typed:
        return Runner(repository)
    try:
        runner = who_runs(repository, context, policy, typed=typed)
    except ServiceError as error:
        print(f"incident-response: {error}")
        return None
    return Runner(runner.repository, runner.default_branch) if dry_run else runner


def _by_hand(arguments: argparse.Namespace, config: Path | None, context: RunContext) -> int:
    """`handle --issue N`: the incident read from GitHub, with no event."""
    if arguments.event or arguments.event_name:
        msg = ("--issue reads the incident from GitHub: give it without --event and "
               "--event-name")
        raise UsageError(msg)
    repository = arguments.repo or context.repository
    if not repository:
        msg = "--issue needs the repository: pass --repo OWNER/REPO"
        raise UsageError(msg)
    if arguments.issue < 1:
        msg = f"--issue {arguments.issue}: give the incident's issue number"
        raise UsageError(msg)
    from incident_response.shell.configuration import load_policy

    policy = load_policy(config)
    template = form_template(arguments.form)
    runner = _runner(repository, context, policy, typed=True, dry_run=arguments.dry_run)
    if runner is None:
        return 1
    if runner.person:
        print(f"incident-response: this token writes as @{runner.person}, not as "
              f"{policy.github.bot_login}: it sends what leaves GitHub and updates the bot's "
              "record in place; labels, comments and the post-mortem are left to the bot's "
              "next run.")
    from incident_response.shell.first_page import FirstPage

    first = FirstPage() if arguments.dry_run else _page_unhandled_report(
        runner.repository, arguments.issue, policy, template, context)
    branch = runner.default_branch
    return _reconcile(arguments.issue, policy, template, context, first=first,
                      dry_run=arguments.dry_run, runner=runner, timing=None,
                      facts=lambda issue: replace(issue, default_branch=branch), by_hand=True)


def _page_unhandled_report(repository: str, number: int, policy: Settings,
                           template: FormTemplate, context: RunContext) -> FirstPage:
    """A report no run has handled yet (Actions never started for it) is what the early page
    is for: paged before the incident is loaded (shell/first_page.py), with the issue as GitHub
    has it now standing in for its `issues.opened` payload. The page's own rule
    (`fresh_report_page`) leaves anything past a fresh report (a phase label: a run wrote its
    record; a closed issue) to the full run."""
    from incident_response.adapters.github.reads import GitHubReads
    from incident_response.shell.first_page import FirstPage, page_first
    from incident_response.shell.wiring import transport

    reads = GitHubReads(context.github_token or "", repository, context.github_api_url,
                        transport(policy, context))
    try:
        issue = reads.issue(number)
    except ServiceError:
        return FirstPage()
    if issue.get("pull_request"):
        return FirstPage()
    report = Event("issues", {"action": "opened", "issue": issue}, repository)
    return page_first(report, number, policy, template, context, current=issue)


def _reopened(loaded: LoadedIncident, tracker: IssueTracker) -> None:
    """A reopen, found from GitHub's state when no `issues.reopened` event tells it: the issue
    is open, the record says the incident ended while the issue was open (so the core cannot
    tell from its own `issue_closed`), and the issue's history has a reopen since the end."""
    from incident_response.core.rules import lifecycle

    previous, issue = loaded.previous, loaded.issue
    if previous is None or not issue.open or previous.issue_closed or (
            not lifecycle.traits(previous.phase).ended):
        return
    ends = [t for t in (previous.resolved_at, previous.completed_at) if t is not None]
    if not ends:
        return
    history = issue.history if issue.history is not None else tuple(tracker.history(
        issue.number))
    if any(e.kind == "reopened" and e.at > max(ends) for e in history):
        loaded.issue = replace(issue, reopened=True)


def _reconcile(number: int, policy: Settings, template: FormTemplate, context: RunContext, *,
               first: FirstPage, dry_run: bool, runner: Runner, timing: EventTime | None,
               facts: Callable[[IssueSnapshot], IssueSnapshot], by_hand: bool = False) -> int:
    """Load the incident, decide and act: the whole run, its clients closed at the end.
    `facts`: what the event adds to the issue as GitHub has it (nothing, from a terminal)."""
    from incident_response.core.decision.decide import decide
    from incident_response.core.record.block import status_comment_of
    from incident_response.shell.incident_run import run_incident
    from incident_response.shell.loading import complete_snapshot
    from incident_response.shell.summary import refusal_line, report_run
    from incident_response.shell.sweep_schedule import keep_sweeping
    from incident_response.shell.wiring import acknowledgements, build_adapters, close_adapter

    now = context.now
    with build_adapters(context, runner.repository, policy) as adapters:
        tracker = adapters.github
        acks = acknowledgements(context, policy)
        try:
            issue = facts(tracker.load_issue(number))
            # An incident whose label a person removed is still one: its record says so.
            loaded = complete_snapshot(issue, tracker, policy, acknowledgements=acks,
                                       reporter_permission=first.reporter_permission) if (
                issue.has_label(policy.labels.incident)
                or status_comment_of(issue, policy.github.bot_login)) else None
            if loaded is not None and by_hand:
                _reopened(loaded, tracker)
        except ServiceError as error:
            actions.annotate("error", "Incident not loaded", str(error))
            actions.write_summary(context, f"**Incident #{number} not loaded**: {error}")
            print(f"incident-response: {error}")
            return 1
        finally:
            close_adapter(acks)
        if loaded is None:
            print(f"incident-response: #{number} is not an incident; nothing to do.")
            return 0
        if dry_run:
            return _dry_run(lambda: decide(loaded.issue, loaded.previous, policy, template, now,
                                           vendors=adapters.vendors, event=timing),
                            policy, number, loaded.issue)
        run = run_incident(loaded, adapters, policy, template, now, run_url=context.run_url,
                           paged=first.page, event=timing, person=runner.person)
        keep_sweeping(run, adapters, policy, context)
        code = report_run(run, context, adapters.vendors)
        # A refused PAGERDUTY_API_TOKEN fails the run like any refused secret (the lookup
        # happens while loading, so it is no effect of the run's): one line, exit 1.
        refused = getattr(acks, "refused", None)
        if isinstance(refused, PermanentServiceError):
            print(f"incident-response: {refusal_line(refused)}")
            actions.annotate("error", f"{refused.credential or refused.service} refused",
                             refusal_line(refused))
            return 1
        return code
