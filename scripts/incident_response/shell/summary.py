"""What a run of one incident tells in GitHub Actions: the job summary, the annotations and the
step outputs, each effect named as people know it."""

from __future__ import annotations

from incident_response.core.record.keys import Vendors, describe
from incident_response.core.texts.markdown_text import inline
from incident_response.shell import actions
from incident_response.shell.context import RunContext
from incident_response.shell.incident_run import IncidentRun

__all__ = ["incident_summary", "report_run"]

_MARKS = {"done": "done", "failed": "**FAILED**", "skipped": "skipped", "waiting": "waiting:"}


def incident_summary(run: IncidentRun, vendors: Vendors) -> str:
    """The job summary's section for this incident: each effect's result and cause."""
    state = run.plan.state
    lines = [f"### Incident #{run.number}: {state.priority or 'unclassified'} "
             f"{state.severity or ''} · {state.phase}", ""]
    lines += [f"> {inline(notice)}" for notice in run.plan.notices]
    if run.plan.notices:
        lines.append("")
    for result in run.outcome.results:
        lines.append(f"- {describe(result.effect.key, vendors)}: {_MARKS[result.status]} "
                     f"{result.detail}")
    for error in run.errors:
        lines.append(f"- GitHub record: **FAILED** {error}")
    if not run.outcome.results and not run.errors:
        lines.append("- nothing to send outside GitHub")
    if run.outcome.failed or run.errors:
        lines += ["", "Failed effects are retried by the next run (a new event, or the sweep). "
                  "The cause is in each line; fix credentials or channels in the repository "
                  "secrets and the config."]
    return "\n".join(lines)


def report_run(run: IncidentRun, context: RunContext, vendors: Vendors) -> int:
    """Annotations, the job summary and the step outputs of one incident's run; its exit
    status (1 when an effect or the record failed)."""
    for result in run.outcome.skipped:
        actions.annotate("notice", f"{result.service} skipped", result.detail)
    for result in run.outcome.failed:
        actions.annotate("error", f"{describe(result.effect.key, vendors)} failed",
                         result.detail)
    for error in run.errors:
        actions.annotate("error", "GitHub record failed", error)
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
