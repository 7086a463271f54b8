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
from incident_response.state import IncidentState, Reply
from incident_response.vocabulary import Phase

__all__ = ["GIVE_UP_AFTER", "commands_pending", "decide"]

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
        if state.is_done(effect.key) and effect.key != "datadog:sync":
            continue
        if failure and failure.attempts >= GIVE_UP_AFTER:
            plan.abandoned.append(effect.key)
            continue
        plan.effects.append(effect)
    _labels(plan, issue, policy)
    return plan
