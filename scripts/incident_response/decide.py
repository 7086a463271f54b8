"""The functional core: from the incident as GitHub has it to a plan. No I/O, no clock, no env.

Level-triggered: each run re-reads the report, applies every command and label change not yet
applied (in the order people made them), records a reminder if one is due (sweeps), and then
plans every mirror of the state that is not yet done. A run that follows dropped or failed runs
therefore does exactly what they left undone, and nothing twice.
"""

from __future__ import annotations

from datetime import datetime

from incident_response.classification import classify
from incident_response.commands import CommandContext, apply_command, parse_commands
from incident_response.effects import PostComment
from incident_response.form import FormTemplate, parse_form
from incident_response.label_moves import apply_label_events
from incident_response.labels import (
    label_specs,
    managed,
    phase_label,
    priority_label,
    severity_label,
)
from incident_response.mirrors import TRIAGE_REQUEST, mirrors
from incident_response.permissions import has_permission
from incident_response.plan import Plan
from incident_response.policy import Policy
from incident_response.reminders import record_due_reminder
from incident_response.rendering import render
from incident_response.report import IncidentReport, validate_report
from incident_response.snapshot import IssueSnapshot
from incident_response.state import IncidentState, Note, Reply
from incident_response.vocabulary import Phase

__all__ = ["GIVE_UP_AFTER", "REPEATABLE", "commands_pending", "decide", "needs_history"]


def needs_history(state: IncidentState, *, sweep: bool) -> bool:
    """Whether the post-mortem must be (re)written, which needs the issue's timeline."""
    if state.phase is not Phase.RESOLVED or state.postmortem_merged_at is not None:
        return False
    return not sweep or state.postmortem_pr is None

#: failed attempts (over all runs) after which an effect is reported as abandoned, not retried
GIVE_UP_AFTER = 10


def commands_pending(issue: IssueSnapshot, state: IncidentState | None,
                     bot_login: str) -> list[str]:
    """Authors of comments whose commands are not yet applied (their permission is needed)."""
    done = set(state.processed_comments) if state else set()
    return sorted({c.author for c in issue.comments
                   if c.author != bot_login and c.id not in done and parse_commands(c.body)})


def _apply_commands(issue: IssueSnapshot, state: IncidentState, policy: Policy,
                    report: IncidentReport | None, bot_login: str) -> None:
    done = set(state.processed_comments)
    for comment in sorted(issue.comments, key=lambda c: (c.created_at, c.id)):
        if comment.author == bot_login or comment.id in done:
            continue
        commands = parse_commands(comment.body)
        if not commands:
            continue
        state.processed_comments.append(comment.id)
        permission = issue.permissions.get(comment.author, "none")
        answers: list[str] = []
        for index, command in enumerate(commands):
            needed = policy.permissions.declare if command.name == "declare" else (
                policy.permissions.command)
            context = CommandContext(state=state, policy=policy, report=report,
                                     actor=comment.author, at=comment.created_at,
                                     comment_id=comment.id, index=index)
            result = apply_command(command, context, permitted=has_permission(permission, needed),
                                   needed=needed)
            if result.message:
                answers.append(f"> {command.line}\n\n{result.message}")
        if answers:
            state.replies.append(Reply(id=str(comment.id), comment_id=comment.id,
                                       body=f"@{comment.author}\n\n" + "\n\n".join(answers)))
        else:
            state.replies.append(Reply(id=str(comment.id), comment_id=comment.id, reaction="+1"))


#: mirrors re-planned whenever their content changes, whatever was done before
REPEATABLE = {"datadog:sync", "postmortem:write"}


def _reopen(issue: IssueSnapshot, state: IncidentState, now: datetime) -> None:
    """An incident reopened after resolution is active again: page, Datadog and Slack follow."""
    if not issue.open or state.phase not in (Phase.RESOLVED, Phase.COMPLETED):
        return
    if not (issue.reopened or state.issue_closed) or issue.postmortem_closed is not None:
        return
    state.reopens += 1
    state.change_phase(Phase.ACTIVE, now, "reopened")
    state.resolved_at = state.completed_at = None
    # Forget the mirrors of the resolution so they happen again at the next one, and page again
    # (PagerDuty opens a new alert for a dedup key whose alert was resolved).
    state.done = [k for k in state.done if k not in
                  ("page:trigger", "page:resolve", "comment:recovery-checklist")]
    state.notes.append(Note(id=f"reopened-{state.reopens}",
                            text="The incident was reopened on GitHub: it is active again."))
    state.replies.append(Reply(
        id=f"reopened-{state.reopens}", comment_id=0,
        body="This incident was reopened after it was resolved, so it is **active** again: "
             "on-call is paged again, the Datadog incident is back to active, and reminders "
             "resume. Resolve it again with `/resolve`."))


def _postmortem_closed(issue: IssueSnapshot, state: IncidentState, policy: Policy) -> None:
    closed = issue.postmortem_closed
    if closed is None or closed.number in state.postmortem_closed:
        return
    if state.phase is Phase.COMPLETED:
        return
    state.postmortem_closed.append(closed.number)
    if not closed.merged:
        state.replies.append(Reply(
            id=f"postmortem-closed-{closed.number}", comment_id=0,
            body=f"The post-mortem pull request #{closed.number} was closed without merging, so "
                 "nothing changed: the incident stays resolved. Reopen and merge it to "
                 "complete the incident."))
        return
    if state.phase is not Phase.RESOLVED:
        state.replies.append(Reply(
            id=f"postmortem-refused-{closed.number}", comment_id=0,
            body=f"@{closed.actor}: the post-mortem pull request #{closed.number} was merged "
                 f"while the incident is {state.phase}, not resolved, so the incident was not "
                 "completed and this issue stays open. Resolve it with `/resolve` first; the "
                 "post-mortem is then brought up to date in a new pull request."))
        state.postmortem_refused.append(closed.number)
        state.postmortem_pr = state.postmortem_hash = None
        return
    state.change_phase(Phase.COMPLETED, closed.at, closed.actor)
    state.completed_at, state.postmortem_merged_at = closed.at, closed.at
    link = state.datadog_url or issue.url
    if policy.slack.leadership_channel:
        state.notes.append(Note(
            id=f"completed-{closed.number}", channel=policy.slack.leadership_channel,
            text=f"Completed: the {state.priority} incident {issue.key} is complete and its "
                 f"post-mortem is merged: <{link}|the completed incident> and "
                 f"<{closed.url}|the post-mortem>."))


def _labels(plan: Plan, issue: IssueSnapshot, policy: Policy) -> None:
    state = plan.state
    wanted = {policy.labels.incident, phase_label(policy, state.phase)}
    if state.priority:
        wanted.add(priority_label(policy, state.priority))
    if state.severity:
        wanted.add(severity_label(policy, state.severity))
    present = set(issue.labels)
    specs = label_specs(policy)
    plan.labels_to_add = sorted(wanted - present)
    plan.labels_to_remove = sorted(n for n in present - wanted if managed(policy, n))
    plan.labels_to_create = [specs[n] for n in plan.labels_to_add if n in specs]


def _triage_notice(plan: Plan, issue: IssueSnapshot, policy: Policy,
                   report: IncidentReport) -> None:
    plan.notices.append(
        f"@{issue.author} cannot declare incidents here (needs {policy.permissions.declare} "
        "permission), so nothing was sent outside GitHub. A responder confirms with /declare.")
    if not plan.state.is_done(TRIAGE_REQUEST):
        plan.effects.append(PostComment(
            key=TRIAGE_REQUEST,
            body=render("triage_request.md.j2", issue=issue, policy=policy, report=report)))


def decide(issue: IssueSnapshot, previous: IncidentState | None, policy: Policy,
           template: FormTemplate, now: datetime, *, sweep: bool = False) -> Plan:
    """Plan one run for one incident."""
    bot = policy.github.bot_login
    state = previous.model_copy(deep=True) if previous else IncidentState(
        reporter=issue.author, opened_at=issue.created_at)
    plan = Plan(state=state)
    state.default_branch = issue.default_branch or state.default_branch
    _reopen(issue, state, now)
    state.issue_closed = not issue.open
    report, problems = validate_report(parse_form(issue.body, template), template, policy,
                                       reporter=issue.author)
    plan.report, plan.problems = report, problems
    if report is not None:
        plan.classification = classification = classify(report, policy)
        state.priority = state.priority_override or classification.priority
        state.severity = state.severity_override or classification.severity
        state.commander = state.roles.get("commander") or report.commander
        trusted = has_permission(issue.author_permission, policy.permissions.declare)
        if state.phase is Phase.TRIAGE and trusted:
            state.change_phase(Phase.ACTIVE, now, issue.author)
    elif previous is None or state.phase is Phase.TRIAGE:
        plan.notices.append("The form has problems (listed above); nothing was sent outside "
                            "GitHub. Edit the issue to fix them and it is handled again.")
    else:
        plan.notices.append("The edited form has problems (listed above); the incident keeps "
                            "its last classification until they are fixed.")

    _apply_commands(issue, state, policy, report, bot)
    apply_label_events(issue, state, policy, report, bot)
    _postmortem_closed(issue, state, policy)
    if state.priority is not None:
        if (policy.rule(state.priority).declare and state.declared_at is None
                and state.phase in (Phase.ACTIVE, Phase.STABLE)):
            state.declared_at = now
        if sweep:
            commander = state.commander or issue.author
            person = policy.person(commander)
            mention = f"<@{person.slack}>" if person and person.slack else f"@{commander} (GitHub)"
            record_due_reminder(state, policy, now, mention)
    if report is not None and state.phase is Phase.TRIAGE:
        _triage_notice(plan, issue, policy, report)

    for effect in mirrors(issue, report, state, plan.classification, policy):
        failure = state.failures.get(effect.key)
        if state.is_done(effect.key) and effect.key not in REPEATABLE:
            continue
        if failure and failure.attempts >= GIVE_UP_AFTER:
            plan.abandoned.append(effect.key)
            continue
        plan.effects.append(effect)
    _labels(plan, issue, policy)
    return plan
