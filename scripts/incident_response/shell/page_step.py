"""The Action's first step: the page of a report just opened, before the job's set-up.

On a GitHub-hosted runner the program waits behind the Action's set-up (setup-python, the
cache key, the restore of the cached environment, `uv sync`: seconds) before it can page. This
step runs before all of that, on the runner's own Python (`/usr/bin/python3`: 3.12 on
ubuntu-24.04, with PyYAML from the system's python3-yaml), with nothing installed: the
standard library, PyYAML, and this package's own standard-library modules.

It decides with the full run's code: the shipped defaults merged with the adopter's
`.github/incident-response.yml` (shell/config_files.py), checked against the schema generated
from the model (shell/light_config.py); the issue form; the issue as it is now and the
reporter's permission (shell/first_page.py); and `fresh_report_page`, the same function the
full run's declaration builds its page with. It sends the event the `pagerduty` client would
send (adapters/pagerduty/events.py), then writes the page record (shell/page_record.py) that
the full run, `handle --paged FILE`, records as done instead of paging again.

Fail safe: whatever is unusual (no YAML reader, a configuration this reader does not accept,
a read or the send that fails, an event that is not `issues.opened`) ends the step with one
line saying so, and the page is left to the full run, which pages as it always did. The step
never fails the job, and never prints a secret.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from incident_response.adapters.github.reads import GitHubReads
from incident_response.adapters.pagerduty.events import events_connection
from incident_response.adapters.transport import Transport
from incident_response.core.errors import ConfigError, ServiceError, UsageError
from incident_response.shell import actions
from incident_response.shell.context import RunContext
from incident_response.shell.events import Event, read_event
from incident_response.shell.first_page import Background, fresh_report

if TYPE_CHECKING:
    from incident_response.adapters.https import Connection
    from incident_response.core.record.snapshot import IssueSnapshot

__all__ = ["StepOutcome", "page_step"]

_LEFT = "the page, if any, is left to the full run"
#: seconds the step waits for one answer (GitHub's, PagerDuty's) before it leaves the page to
#: the full run: the job's set-up waits for this step
_WAIT = 5.0


class StepOutcome(NamedTuple):
    """What the step did, in one line; `unusual` lines become a notice on the run."""

    text: str
    paged: bool = False
    unusual: bool = False


def page_step(context: RunContext, config: Path | None, record: Path) -> StepOutcome:
    """Page for a report just opened, if it calls for one, and say what was done."""
    try:
        outcome = _page(context, config, record)
    except ImportError as error:
        # PyYAML, most likely: a Python without it cannot read the configuration.
        outcome = StepOutcome(f"this Python lacks the module {error.name!r}; {_LEFT}",
                              unusual=True)
    except Exception as error:  # fail safe: anything unforeseen skips the step
        outcome = StepOutcome(f"unexpected {type(error).__name__}; {_LEFT}", unusual=True)
    if outcome.unusual:
        actions.annotate("notice", "incident-response: early page skipped", outcome.text)
    else:
        print(f"incident-response (first step): {outcome.text}")
    return outcome


def _page(  # noqa: PLR0911 -- one return per way the step ends, each said
        context: RunContext, config: Path | None, record: Path) -> StepOutcome:
    if context.event_name != "issues":
        return StepOutcome(f"a {context.event_name or 'missing'} event is not a report just "
                           "opened; the run handles it")
    if not context.github_token:
        return StepOutcome(f"GITHUB_TOKEN is not set; {_LEFT}")
    if not context.pagerduty_routing_key:
        return StepOutcome("PAGERDUTY_ROUTING_KEY is not set: nothing to page")
    try:
        event = read_event(None, None, None, context)
    except UsageError as error:
        return StepOutcome(f"{error}; {_LEFT}", unusual=True)
    if event.action != "opened":
        return StepOutcome(f"issues.{event.action} is not a report just opened; the run "
                           "handles it")
    if importlib.util.find_spec("yaml") is None:
        raise ImportError(name="yaml")  # before anything is read: the full run reads it all
    # The two reads, and the pager's connection, start now and run while the configuration and
    # the form are read: on a runner the network is the slower part. One attempt each, a
    # short wait: what fails or lags here is done by the full run, moments later.
    transport = Transport(1, _WAIT, 0.0, context.ca_file)
    tls = transport.ssl_context()
    reads = GitHubReads(context.github_token, event.repository, context.github_api_url,
                        transport, context=tls)
    try:
        pager = events_connection(context.pagerduty_events_url, context=tls, timeout=_WAIT)
    except ServiceError as error:
        return StepOutcome(f"{error}; {_LEFT}", unusual=True)
    pager.connect_early()
    report = Background(lambda: fresh_report(event, reads, context.now))
    try:
        return _decide_and_send(context, config, record, event=event, report=report,
                                pager=pager)
    finally:
        pager.close()


def _decide_and_send(  # noqa: PLR0911 -- one return per way the step ends, each said
        context: RunContext, config: Path | None, record: Path, *, event: Event,
        report: Background[IssueSnapshot | None], pager: Connection) -> StepOutcome:
    # What decides the page loads while the reads and the pager's connection are under way.
    from incident_response.adapters.pagerduty.events import send_event, trigger_event
    from incident_response.core.decision.page import fresh_report_page
    from incident_response.shell.config_files import form_path, load_form_template
    from incident_response.shell.events import incident_number
    from incident_response.shell.light_config import NotUnderstood, light_config
    from incident_response.shell.page_record import PageRecord, write_page_record

    try:
        light = light_config(config)
        template = load_form_template(form_path(None))
    except (ConfigError, NotUnderstood) as error:
        return StepOutcome(f"the configuration is left to the full run ({error}); {_LEFT}",
                           unusual=True)
    policy = light.policy
    number = incident_number(event, policy.labels.incident)
    if number is None:
        return StepOutcome("the issue is not an incident report: nothing to page")
    try:
        issue = report.result()
    except ServiceError as error:
        return StepOutcome(f"{error}; {_LEFT}", unusual=True)
    page = fresh_report_page(issue, policy, template) if issue is not None else None
    if issue is None or page is None:
        return StepOutcome(f"#{number} calls for no page now (the full run says why)")
    try:
        severity = str(light.data["paging"]["severity"][page.priority.value])
    except (KeyError, TypeError):
        return StepOutcome(f"paging.severity has no entry for {page.priority}; {_LEFT}",
                           unusual=True)
    try:
        send_event(trigger_event(page, context.pagerduty_routing_key or "", severity), pager)
    except ServiceError as error:
        return StepOutcome(f"{error}; the full run sends the page", unusual=True)
    paged = f"paged on-call for {issue.key} ({page.priority}, {page.severity})"
    try:
        write_page_record(record, PageRecord(event.repository, number, page,
                                             issue.author_permission))
    except OSError as error:
        return StepOutcome(f"{paged}, but its record could not be written "
                           f"({type(error).__name__}): the full run repeats the trigger, which "
                           "PagerDuty keeps as the same alert (same dedup key)",
                           paged=True, unusual=True)
    return StepOutcome(f"{paged} before the set-up; the full run records it", paged=True)
