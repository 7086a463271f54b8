"""`incident-response handle`: one GitHub Actions event, reconciled into the incident record.

load -> decide (pure) -> record labels and the status comment -> execute outside effects
(page first) -> record the results. The status comment is written before anything goes out,
so the state that prevents duplicates exists before a duplicate could be made.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from incident_response.core import names
from incident_response.core.errors import ServiceError, UsageError
from incident_response.core.record.snapshot import IssueSnapshot, PostmortemClosed
from incident_response.shell import actions
from incident_response.shell.configuration import form_template
from incident_response.shell.context import RunContext
from incident_response.shell.events import Event, incident_number, issue_from_payload, read_event

# The policy (pydantic), the templates (Jinja2) and the core load only once an event is known
# to be about an incident: the fast path must not pay for them.
if TYPE_CHECKING:
    from incident_response.core.decision.plan import Plan
    from incident_response.core.rules.form import FormTemplate
    from incident_response.shell.first_page import FirstPage
    from incident_response.shell.settings import Settings

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

    if arguments.dry_run and not context.github_token:
        offline = issue_from_payload(event, now)
        return _dry_run(lambda: decide(offline, None, policy, template, now), policy, number,
                        offline)

    from incident_response.shell.first_page import FirstPage, page_first, recorded_page

    # The page the Action's first step sent (`--paged`) is recorded, not sent again.
    first = FirstPage() if arguments.dry_run else (
        recorded_page(arguments.paged, event.repository, number)
        or page_first(event, number, policy, template, context))
    return _reconcile(event, number, policy, template, context, first=first,
                      dry_run=arguments.dry_run)


def _reconcile(event: Event, number: int, policy: Settings, template: FormTemplate,
               context: RunContext, *, first: FirstPage, dry_run: bool) -> int:
    """Load the incident, decide and act: the whole run, its clients closed at the end."""
    from incident_response.core.decision.decide import decide
    from incident_response.core.record.block import status_comment_of
    from incident_response.shell.incident_run import run_incident
    from incident_response.shell.loading import complete_snapshot
    from incident_response.shell.summary import report_run
    from incident_response.shell.wiring import acknowledgements, build_adapters, close_adapter

    now = context.now
    with build_adapters(context, event.repository, policy) as adapters:
        tracker = adapters.github
        acks = acknowledgements(context, policy)
        try:
            issue = _with_event_facts(tracker.load_issue(number), event, now)
            # An incident whose label a person removed is still one: its record says so.
            loaded = complete_snapshot(issue, tracker, policy, acknowledgements=acks,
                                       reporter_permission=first.reporter_permission) if (
                issue.has_label(policy.labels.incident)
                or status_comment_of(issue, policy.github.bot_login)) else None
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
                                           vendors=adapters.vendors),
                            policy, number, loaded.issue)
        run = run_incident(loaded, adapters, policy, template, now, run_url=context.run_url,
                           paged=first.page)
        return report_run(run, context, adapters.vendors)
