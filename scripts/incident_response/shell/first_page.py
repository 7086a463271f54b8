"""The page of a report just opened, sent before the incident is loaded.

Time to page is the number that matters most at 3 a.m. The page is idempotent by its dedup
key, so it needs no record; what it does need is the decision, and for a report just opened
that decision needs only the event, the issue as it is now and the reporter's permission. The
two reads go through the standard library (adapters/github/reads.py), at the same time, and the
decision is `core.decision.page.fresh_report_page`, which a test holds equal to `decide`'s.

Two callers: the Action's first step (shell/page_step.py), on the runner's own Python before
anything is installed, and the full run (`page_first`), when that step did not page: then only
the PagerDuty client is imported, so the page still leaves before PyGithub, Datadog's or
Slack's client is loaded. Either way the full run that follows finds the page done.

Anything unusual (an issue already past triage, a read that fails) skips this and leaves the
page to the full run, which pages in its turn: this path can only make the page earlier,
never lose it or send one that the full run would not.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import closing
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar

from incident_response.adapters.github.reads import GitHubReads
from incident_response.core.decision.page_effect import TriggerPage
from incident_response.core.errors import ServiceError
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.shell import actions
from incident_response.shell.context import RunContext
from incident_response.shell.events import Event, issue_from_payload

if TYPE_CHECKING:
    from incident_response.core.rules.form import FormTemplate
    from incident_response.shell.settings import Settings

__all__ = ["Background", "FirstPage", "fresh_report", "page_first", "recorded_page"]

T = TypeVar("T")


class FirstPage(NamedTuple):
    """What the early path did: the page it sent, and the reporter's permission it read (the
    full run uses it instead of reading it again)."""

    page: TriggerPage | None = None
    reporter_permission: str | None = None


class Background(Generic[T]):
    """One call on its own thread: the two reads wait on the network, not on each other."""

    def __init__(self, call: Callable[[], T]) -> None:
        self._call = call
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as error:  # handed to the caller by result()
            self._error = error

    def result(self) -> T:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set when no error was raised


def fresh_report(event: Event, reads: GitHubReads, now: datetime, *,
                 current: dict[str, Any] | None = None) -> IssueSnapshot | None:
    """A report just opened (`issues.opened`), as it is now: its current body, labels and state
    (`current`, the issue as GitHub answers it, when the caller has just read it), and its
    reporter's permission. None for any other event. Raises ServiceError when a read fails."""
    if not (event.name == "issues" and event.action == "opened"):
        return None
    issue = issue_from_payload(event, now)
    permission = Background(lambda: reads.permission(issue.author))
    if current is None:
        current = reads.issue(issue.number)
    labels = tuple(str(label.get("name")) for label in current.get("labels") or []
                   if isinstance(label, dict))
    return replace(issue, body=str(current.get("body") or ""), labels=labels,
                   open=current.get("state") == "open", author_permission=permission.result())


def recorded_page(path: Path | None, repository: str, number: int) -> FirstPage | None:
    """The page the Action's first step sent, from its record (shell/page_record.py); None
    when there is none for this issue, and the full run pages as it always did."""
    if path is None:
        return None
    from incident_response.shell.page_record import read_page_record

    try:
        record = read_page_record(path, repository, number)
    except (OSError, ValueError, KeyError, TypeError) as error:
        actions.annotate("notice", "incident-response: page record ignored",
                         f"{path}: {type(error).__name__}; this run pages itself (PagerDuty "
                         "keeps the same alert for the same dedup key)")
        return None
    if record is None:
        actions.annotate("notice", "incident-response: page record ignored",
                         f"{path} is not the record of {repository}#{number}; this run pages "
                         "itself")
        return None
    return FirstPage(record.page, record.reporter_permission)


def page_first(event: Event, number: int, policy: Settings, template: FormTemplate,
               context: RunContext, *, current: dict[str, Any] | None = None) -> FirstPage:
    """The full run's early page, when the Action's first step did not send it: sent if the
    report just opened calls for one (`current`: the issue as just read, see fresh_report)."""
    from incident_response.core.decision.page import fresh_report_page
    from incident_response.shell.wiring import pager, transport

    if not (context.github_token and context.pagerduty_routing_key):
        return FirstPage()
    shared = transport(policy, context)
    reads = GitHubReads(context.github_token, event.repository, context.github_api_url, shared)
    try:
        issue = fresh_report(event, reads, context.now, current=current)
    except ServiceError:
        return FirstPage()
    if issue is None or issue.number != number:
        return FirstPage()
    page = fresh_report_page(issue, policy, template)
    if page is not None:
        with closing(pager(context, shared, policy)) as sender:
            try:
                sender.trigger(page)
            except ServiceError:
                page = None  # the full run pages again, and reports a failure there
    return FirstPage(page, issue.author_permission)
