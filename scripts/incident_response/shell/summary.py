"""What a run of one incident tells in GitHub Actions: the job summary, the annotations and the
step outputs, each effect named as people know it.

The summary says what the status comment says, for this run: what was done, what failed and
when it is tried again (the same words as the status comment: core/decision/retry.py), what
waits for someone to fix something, and the run's notices ("Reminders are paused", an
integration skipped). A refused credential is one line that names the secret, printed,
annotated and first in the summary.
"""

from __future__ import annotations

from incident_response.adapters.github.refusals import REFUSED_FIX
from incident_response.core.decision.status import failure_lines, mirror_problem
from incident_response.core.errors import PermanentServiceError, Refusal, one_line
from incident_response.core.record.keys import Vendors, describe
from incident_response.shell import actions
from incident_response.shell.context import RunContext
from incident_response.shell.incident_run import IncidentRun

__all__ = ["incident_summary", "listing_notices", "refusal_line", "refused_credentials",
           "report_run"]

_MARKS = {"done": "done", "failed": "**FAILED**", "skipped": "skipped", "waiting": "waiting:"}


def refusal_line(error: PermanentServiceError) -> str:
    """A refused credential in one line: the service, what failed, the secret to check."""
    return one_line(str(error))


def refused_credentials(run: IncidentRun, vendors: Vendors) -> list[str]:
    """One line per effect of this run refused for its credential (each service's secret is
    tried once a run: execute skips the rest), and the record's own refused writes."""
    state = run.plan.state
    lines = []
    for result in run.outcome.failed:
        failure = state.failures.get(result.effect.key)
        if failure is not None and failure.refusal is Refusal.CREDENTIALS:
            lines.append(one_line(f"{describe(result.effect.key, vendors)}: {failure.error}. "
                                  f"{failure.fix}"))
    lines += [one_line(error) for error in run.errors if one_line(REFUSED_FIX) in one_line(error)]
    return lines


def incident_summary(run: IncidentRun, vendors: Vendors) -> str:
    """The job summary's section for this incident: each effect's result and cause, what
    waits for a fix, and the run's notices."""
    state = run.plan.state
    lines = [f"### Incident #{run.number}: {state.priority or 'unclassified'} "
             f"{state.severity or ''} · {state.phase}", ""]
    refused = refused_credentials(run, vendors)
    lines += [f"- **Refused credential**: {line}" for line in refused]
    for result in run.outcome.results:
        lines.append(f"- {describe(result.effect.key, vendors)}: {_MARKS[result.status]} "
                     f"{result.detail}")
    for error in run.errors:
        if one_line(error) not in refused:
            lines.append(f"- GitHub record: **FAILED** {error}")
    if not run.outcome.results and not run.errors:
        lines.append("- nothing to send outside GitHub")
    # (a mirror lost by this very run is said in its result's line already)
    held = failure_lines(state, vendors, only=run.plan.abandoned) + [
        line for line in mirror_problem(state, vendors)
        if not any(line in result.detail for result in run.outcome.results)]
    if held:
        lines += ["", "Waiting for someone (not tried by this run; the status comment says the "
                  "same):", *(f"- {line}" for line in held)]
    if run.plan.notices:
        lines += ["", *(f"> {one_line(notice)}" for notice in run.plan.notices)]
    if run.outcome.failed or run.errors:
        lines += ["", "Each failure above says whether and when it is tried again; the status "
                  "comment on the issue keeps saying it until it is done."]
    return "\n".join(lines)


def listing_notices(context: RunContext, acknowledgements: object | None) -> str:
    """What a run that lists incidents (the sweep's `--list-due` job, the one that runs every
    time) says of an integration it skips, for the job summary: the page's acknowledgement is
    read only with PAGERDUTY_API_TOKEN, and without it no MTTA is recorded."""
    if acknowledgements is not None or not context.pagerduty_routing_key:
        return ""
    from incident_response.shell.loading import NO_ACKNOWLEDGEMENTS

    return f"\n\n> {NO_ACKNOWLEDGEMENTS}"


def report_run(run: IncidentRun, context: RunContext, vendors: Vendors) -> int:
    """Annotations, the job summary and the step outputs of one incident's run; its exit
    status (1 when an effect or the record failed)."""
    for line in refused_credentials(run, vendors):
        print(f"incident-response: {line}")
    for result in run.outcome.skipped:
        actions.annotate("notice", f"{result.service} skipped", result.detail)
    for result in run.outcome.failed:
        actions.annotate("error", f"{describe(result.effect.key, vendors)} failed",
                         result.detail)
    for error in run.errors:
        actions.annotate("error", "GitHub record failed", error)
    for notice in run.plan.notices:
        actions.annotate("notice", f"Incident #{run.number}", one_line(notice))
    if run.plan.late is not None:
        actions.annotate("warning", "The automation ran late", run.plan.late.notice(context.now))
    summary = incident_summary(run, vendors)
    print(summary)
    actions.write_summary(context, summary)
    actions.write_outputs(context, {
        "incident-number": str(run.number),
        "priority": str(run.plan.state.priority or ""),
        "severity": str(run.plan.state.severity or ""),
        "phase": str(run.plan.state.phase),
        "postmortem-pr": str(run.plan.state.postmortem_pr or ""),
    })
    return 1 if run.failed else 0
