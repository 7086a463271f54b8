"""The page, sent before the incident is loaded: for a report just opened.

Time to page is the number that matters most at 3 a.m. The page is idempotent by its dedup
key, so it needs no record; what it does need is the decision, and for a report just opened
that decision needs only the event, the issue's current labels and the reporter's permission.
Those two reads go through the standard library (`adapters.github_reads`), and only the
PagerDuty client is imported, so the page leaves before PyGithub, Datadog's or Slack's client
is loaded. The full run follows and finds the page done.

Anything unusual (an issue already past triage, a read that fails) skips this and leaves the
page to the full run, which pages in its turn: this path can only make the page earlier,
never lose it or send one that the full run would not.
"""

from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, replace

from incident_response.adapters.github.reads import GitHubReads
from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.errors import ServiceError
from incident_response.core.rules.form import FormTemplate
from incident_response.core.rules.labels import phase_of
from incident_response.shell.context import RunContext
from incident_response.shell.events import Event, issue_from_payload
from incident_response.shell.settings import Settings
from incident_response.shell.wiring import pager, transport

__all__ = ["FirstPage", "page_first"]


@dataclass(frozen=True)
class FirstPage:
    """What the early path did: the page it sent, and the reporter's permission it read (the
    full run uses it instead of reading it again)."""

    page: TriggerPage | None = None
    reporter_permission: str | None = None


def page_first(event: Event, number: int, policy: Settings, template: FormTemplate,
               context: RunContext) -> FirstPage:
    """Send the page of a report just opened, if it calls for one."""
    fresh = event.name == "issues" and event.action == "opened"
    if not (fresh and context.github_token and context.pagerduty_routing_key):
        return FirstPage()
    shared = transport(policy, context)
    reads = GitHubReads(context.github_token, event.repository, context.github_api_url, shared)
    try:
        current = reads.issue(number)
        labels = [str(label.get("name")) for label in current.get("labels") or []]
        if current.get("state") != "open" or any(phase_of(policy, n) for n in labels):
            return FirstPage()  # not a fresh report (a re-run, a later event): the full run
        issue = issue_from_payload(event, context.now)
        permission = reads.permission(issue.author)
        issue = replace(issue, body=str(current.get("body") or ""), labels=tuple(labels),
                        author_permission=permission)
    except ServiceError:
        return FirstPage()
    plan = decide(issue, None, policy, template, context.now)
    page = next((e for e in plan.effects if isinstance(e, TriggerPage)), None)
    if page is not None:
        with closing(pager(context, shared, policy)) as sender:
            try:
                sender.trigger(page)
            except ServiceError:
                page = None  # the full run pages again, and reports a failure there
    return FirstPage(page, permission)
