"""The functional core: from the incident as GitHub has it to a plan. No I/O, no clock, no env.

Level-triggered: each run re-reads the report, applies every command and label change not yet
applied (in the order people made them), records a reminder if one is due, and then plans
every mirror of the state that is not yet done. A run that follows dropped or failed runs
therefore does exactly what they left undone, and nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_response.core import names
from incident_response.core.decision.due_effects import mirrors
from incident_response.core.decision.effects import CLAIMED_EFFECTS, PostComment
from incident_response.core.decision.plan import Plan
from incident_response.core.record import keys
from incident_response.core.record.facts import command_of
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState, Pending, SavedReport
from incident_response.core.rules import lifecycle
from incident_response.core.rules.answers import IncidentReport, validate_report
from incident_response.core.rules.chasing import record_due_chases
from incident_response.core.rules.classification import classify
from incident_response.core.rules.comment_commands import (
    CommandContext,
    apply_command,
    parse_commands,
)
from incident_response.core.rules.form import FormTemplate, parse_form
from incident_response.core.rules.label_moves import apply_label_events
from incident_response.core.rules.labels import (
    expected_labels,
    label_specs,
    managed,
    phase_of,
    priority_of,
    severity_of,
)
from incident_response.core.rules.permissions import has_permission
from incident_response.core.rules.policy import Policy
from incident_response.core.rules.reminders import record_due_reminder, sweep_due, sweep_paused
from incident_response.core.texts.markdown_text import quote
from incident_response.core.texts.people import mention
from incident_response.core.texts.rendering import render
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = ["GIVE_UP_AFTER", "REPEATABLE", "answered_watermark", "decide",
           "was_declared"]

#: failed attempts (over all runs) after which an effect is reported as abandoned, not retried
GIVE_UP_AFTER = 10
#: mirrors re-planned whenever their content changes, whatever was done before
REPEATABLE = {keys.DATADOG_SYNC, keys.POSTMORTEM_WRITE}
#: a claim younger than this, neither confirmed nor failed, may belong to a run still sending
#: it (the job's time limit): another run leaves it alone rather than send it a second time
IN_FLIGHT = timedelta(minutes=15)


def was_declared(issue: IssueSnapshot, policy: Policy) -> bool:
    """Whether the labels or the bot's comments say this incident already went out.

    The record is written before the labels, so a phase label past triage (or any comment the
    bot wrote for an effect) means a record existed: it was deleted or damaged since.
    """
    declared = set(lifecycle.phases(declared=True))
    return any(phase_of(policy, name) in declared for name in issue.labels) or bool(
        issue.posted_keys(policy.github.bot_login) - {keys.TRIAGE_REQUEST})


def answered_watermark(issue: IssueSnapshot, bot_login: str) -> int:
    """The newest comment the bot visibly answered (a 👍 or a reply): commands up to it ran."""
    posted = issue.posted_keys(bot_login)
    answered = [c.id for c in issue.comments
                if not c.is_by(bot_login) and (c.plus_one > 0 or keys.reply(c.id) in posted)]
    return max(answered, default=0)


def _rebuild(issue: IssueSnapshot, policy: Policy) -> IncidentState:
    """A lost record rebuilt from what GitHub shows: never declared or announced again."""
    state = IncidentState(reporter=issue.author, opened_at=issue.created_at,
                          declared_at=issue.created_at, page_dedup_key=issue.key)
    # The lifecycle's order decides between two labels of a kind (a person's slip).
    phases = {phase_of(policy, name) for name in issue.labels}
    priorities = {priority_of(policy, name) for name in issue.labels}
    severities = {severity_of(policy, name) for name in issue.labels}
    state.phase = next((p for p in Phase if p in phases), Phase.ACTIVE)
    state.priority = next((p for p in Priority if p in priorities), None)
    state.severity = next((s for s in Severity if s in severities), None)
    bot = policy.github.bot_login
    state.watermark = answered_watermark(issue, bot)
    # Label changes made before the loss were honoured then; only later ones count.
    state.label_watermark = max((e.id for e in issue.label_events), default=0)
    for comment in issue.comments:
        if comment.is_by(bot) or comment.id > state.watermark or comment.plus_one == 0:
            continue
        for index, command in enumerate(parse_commands(comment.body)):
            if command.name == "update" and command.argument:
                state.record_update(f"{comment.id}-{index}", comment.created_at)
    # The declaration's one-off effects happened, or were deliberately held: not again.
    state.done = [keys.PAGE, keys.DATADOG_DECLARE, keys.ANNOUNCE, keys.LEADERSHIP,
                  keys.OOB_CHECKLIST, keys.TRIAGE_REQUEST]
    state.rebuilt = [
        "The status comment with this incident's record was deleted or damaged, so the "
        "record was rebuilt from the labels and comments; nothing was declared, paged or "
        "announced again.",
        f"Phase, priority and severity were taken from the labels; commands up to comment "
        f"{state.watermark or 'none'} (the last one the bot answered) count as applied, "
        f"with {len(state.updates)} update(s) found.",
    ]
    return state


def _apply_commands(issue: IssueSnapshot, state: IncidentState, policy: Policy,
                    report: IncidentReport | None, bot_login: str) -> None:
    for comment in sorted(issue.comments, key=lambda c: (c.created_at, c.id)):
        if comment.is_by(bot_login) or comment.id <= state.watermark:
            continue
        commands = parse_commands(comment.body)
        state.watermark = max(state.watermark, comment.id)
        if not commands:
            continue
        if comment.updated_at and comment.updated_at > comment.created_at:
            # Already edited when applied: only later edits are news. (Unedited comments need
            # no entry: their `updated_at` is their `created_at` until someone edits them.)
            state.applied[str(comment.id)] = comment.updated_at
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
                answers.append(f"{quote(command.line)}\n\n{result.message}")
        if answers:
            state.queue(Pending(key=keys.reply(comment.id), kind="reply",
                                comment_id=comment.id,
                                text=f"@{comment.author}\n\n" + "\n\n".join(answers)))
        else:
            state.queue(Pending(key=keys.reply(comment.id), kind="reply",
                                comment_id=comment.id, reaction="+1"))


def _edited_commands(issue: IssueSnapshot, state: IncidentState, bot_login: str) -> None:
    """A command edited after it was applied is not applied again; say so, once per edit."""
    for comment in issue.comments:
        if comment.is_by(bot_login) or comment.id > state.watermark or (
                comment.updated_at is None):
            continue
        applied = state.applied.get(str(comment.id), comment.created_at)
        if comment.updated_at <= applied or not parse_commands(comment.body):
            continue
        state.applied[str(comment.id)] = comment.updated_at
        lines = "\n".join(f"    {c.line}" for c in parse_commands(comment.body))
        state.queue(Pending(
            key=keys.reply(f"edited-{comment.id}-{int(comment.updated_at.timestamp())}"),
            kind="reply",
            text=f"@{comment.author}: this comment was edited after its commands were applied. "
                 "Edits are not applied again: what the comment said when it was first "
                 "handled stands. To change something, write a new comment with the command, "
                 "for example `/update TEXT` for a correction"
                 + (f"; the edited comment now reads:\n\n{lines}" if lines else ".")))


def _reopen(issue: IssueSnapshot, state: IncidentState, now: datetime) -> None:
    """An incident reopened after resolution is active again: page, Datadog and Slack follow.

    Reopening a completed incident starts a new cycle, which ends in its own post-mortem pull
    request and completion.
    """
    if not issue.open or not lifecycle.traits(state.phase).ended:
        return
    if not (issue.reopened or state.issue_closed):
        return
    closed = issue.postmortem_closed
    if closed is not None and closed.number not in state.postmortem_closed:
        return  # this run completes the incident; GitHub's reopen comes after
    state.reopens += 1
    completed = state.phase is Phase.COMPLETED
    state.change_phase(Phase.ACTIVE, now, "reopened")
    state.resolved_at = state.completed_at = None
    state.chased, state.chased_on = [], None
    forget = {keys.PAGE, keys.PAGE_RESOLVE, keys.RECOVERY_CHECKLIST}
    if completed:
        state.cycle += 1
        state.postmortem_pr = state.postmortem_url = state.postmortem_path = None
        state.postmortem_hash = None
        state.postmortem_merged_at = None
        forget |= {keys.GITHUB_CLOSE, keys.DATADOG_POSTMORTEM, keys.POSTMORTEM_WRITE}
    # Forget the mirrors of the resolution so they happen again at the next one, and page again
    # (PagerDuty opens a new alert for a dedup key whose alert was resolved).
    state.done = [k for k in state.done if k not in forget]
    state.note(f"reopened-{state.reopens}",
               "The incident was reopened on GitHub: it is active again.")
    state.queue(Pending(
        key=keys.reply(f"reopened-{state.reopens}"), kind="reply",
        text=f"This incident was reopened after it was "
             f"{'completed' if completed else 'resolved'}, so it is **active** again: on-call "
             "is paged again, the Datadog incident is back to active, and reminders resume. "
             "Resolve it again with `/resolve`"
             + ("; a new post-mortem pull request then covers this recurrence." if completed
                else ".")))


def _closed_by_hand(issue: IssueSnapshot, state: IncidentState) -> None:
    """A live incident's issue closed by hand is reopened: resolving is a deliberate act."""
    if issue.open or not lifecycle.traits(state.phase).live:
        return
    key = keys.reopen(f"closed-{state.closed_by_hand}")
    if state.closed_by_hand and not state.is_done(key):
        return  # already answered; the reopen is still being retried
    state.closed_by_hand += 1
    state.queue(Pending(
        key=keys.reply(f"closed-{state.closed_by_hand}"), kind="reply",
        text="This issue was closed while the incident is still "
             f"**{state.phase}**, so it was reopened: closing the issue does not resolve the "
             "incident (the page, Datadog and the post-mortem would be left behind). When it "
             "is over, type `/resolve`; the issue closes by itself when the post-mortem pull "
             "request is merged."))


def _postmortem_closed(issue: IssueSnapshot, state: IncidentState, policy: Policy) -> None:
    closed = issue.postmortem_closed
    if closed is None or closed.number in state.postmortem_closed:
        return
    if state.phase is Phase.COMPLETED:
        return
    state.postmortem_closed.append(closed.number)
    if not closed.merged:
        state.queue(Pending(
            key=keys.reply(f"postmortem-closed-{closed.number}"), kind="reply",
            text=f"The post-mortem pull request #{closed.number} was closed without merging, so "
                 "nothing changed: the incident stays resolved. Reopen and merge it to "
                 "complete the incident."))
        return
    if state.phase is not Phase.RESOLVED:
        state.queue(Pending(
            key=keys.reply(f"postmortem-refused-{closed.number}"), kind="reply",
            text=f"@{closed.actor}: the post-mortem pull request #{closed.number} was merged "
                 f"while the incident is {state.phase}, not resolved, so the incident was not "
                 "completed and this issue stays open. Resolve it with `/resolve` first; the "
                 "post-mortem is then brought up to date in a new pull request."))
        state.postmortem_refused.append(closed.number)
        state.postmortem_pr = state.postmortem_hash = None
        state.done = [k for k in state.done if k != keys.POSTMORTEM_WRITE]
        return
    state.change_phase(Phase.COMPLETED, closed.at, closed.actor)
    state.completed_at, state.postmortem_merged_at = closed.at, closed.at
    link = state.datadog_url or issue.url
    if policy.slack.leadership_channel:
        state.note(f"completed-{closed.number}",
                   f"Completed: the {state.priority} incident {issue.key} is complete and its "
                   f"post-mortem is merged: <{link}|the completed incident> and "
                   f"<{closed.url}|the post-mortem>.", channel=policy.slack.leadership_channel)


def _labels(plan: Plan, issue: IssueSnapshot, policy: Policy) -> None:
    state = plan.state
    wanted = expected_labels(state, policy)
    if issue.has_label(policy.labels.incident) or lifecycle.traits(state.phase).watched:
        wanted.add(policy.labels.incident)
    # GitHub compares label names without case: a repository's own `Phase:Active` is the
    # phase label, kept as it is spelled, never joined by a second `phase:active`.
    specs = label_specs(policy)
    plan.labels_to_add = sorted(n for n in wanted if not issue.has_label(n))
    plan.labels_to_remove = sorted(n for n in issue.labels if managed(policy, n)
                                   and names.spelled(n, wanted) is None)
    plan.labels_to_create = [specs[n] for n in plan.labels_to_add if n in specs]


def _triage_notice(plan: Plan, issue: IssueSnapshot, policy: Policy,
                   report: IncidentReport) -> None:
    plan.notices.append(
        f"@{issue.author} cannot declare incidents here (needs {policy.permissions.declare} "
        "permission), so nothing was sent outside GitHub. A responder confirms with /declare.")
    if not plan.state.is_done(keys.TRIAGE_REQUEST):
        plan.effects.append(PostComment(
            key=keys.TRIAGE_REQUEST,
            body=render("triage_request.md.j2", issue=issue, policy=policy, report=report)))


def _saved(report: IncidentReport) -> SavedReport:
    return SavedReport(
        service=report.service, environment=report.environment,
        users_per_hour=report.users_per_hour, user_impact=report.user_impact,
        providers=list(report.providers), started_at=report.started_at, monitor=report.monitor,
        commander=report.commander, code_change_required=report.code_change_required)


def _restored(saved: SavedReport, summary: str) -> IncidentReport:
    return IncidentReport(
        service=saved.service, environment=saved.environment,
        users_per_hour=saved.users_per_hour, user_impact=saved.user_impact,
        providers=tuple(saved.providers), summary=summary,
        started_at=saved.started_at, monitor=saved.monitor, commander=saved.commander,
        code_change_required=saved.code_change_required)


def _prune_outbox(issue: IssueSnapshot, state: IncidentState, policy: Policy) -> None:
    """Drop what can never be sent: updates whose comment is gone, thread posts of an
    incident that is not announced."""
    announced = state.is_done(keys.ANNOUNCE) or (
        state.priority is not None and policy.rule(state.priority).announce)
    kept = []
    for item in state.outbox:
        if item.kind == "update" and (not announced or command_of(issue, item.fact or "")
                                      is None):
            continue
        if item.kind == "note" and item.channel is None and not announced:
            continue
        kept.append(item)
    state.outbox = kept


def _starting_state(issue: IssueSnapshot, previous: IncidentState | None,
                    policy: Policy) -> IncidentState:
    if previous is not None:
        return previous.model_copy(deep=True)
    if was_declared(issue, policy):
        return _rebuild(issue, policy)
    return IncidentState(reporter=issue.author, opened_at=issue.created_at)


def _classify(plan: Plan, issue: IssueSnapshot, policy: Policy, template: FormTemplate,
              now: datetime) -> IncidentReport | None:
    """The report in force and its classification; the last valid one while an edit is bad."""
    state = plan.state
    parsed = parse_form(issue.body, template)
    report, plan.problems = validate_report(parsed, template, policy, reporter=issue.author)
    if report is not None:
        state.report = _saved(report)
        plan.classification = classification = classify(report, policy)
        if plan.rebuilding:  # labels that differ from the form were set by a command
            state.priority_override = state.priority if (
                state.priority not in (None, classification.priority)) else None
            state.severity_override = state.severity if (
                state.severity not in (None, classification.severity)) else None
        state.priority = state.priority_override or classification.priority
        state.severity = state.severity_override or classification.severity
        state.commander = state.roles.get("commander") or report.commander
        trusted = has_permission(issue.author_permission, policy.permissions.declare)
        if state.phase is Phase.TRIAGE and trusted:
            state.change_phase(Phase.ACTIVE, now, issue.author)
        return report
    if state.report is None or state.phase is Phase.TRIAGE:
        plan.notices.append("The form has problems (listed above); nothing was sent outside "
                            "GitHub. Edit the issue to fix them and it is handled again.")
        return None
    # The last valid report stays in force: mirrors and reminders go on meanwhile. The summary
    # is the form's one free text: it is read from the body as it is now.
    report = _restored(state.report, " ".join(parsed.choices("summary")).strip())
    plan.classification = classify(report, policy)
    state.priority = state.priority_override or plan.classification.priority
    state.severity = state.severity_override or plan.classification.severity
    plan.notices.append("The edited form has problems (listed above); the incident keeps "
                        "its last valid report and classification until they are fixed.")
    return report


def _remind(issue: IssueSnapshot, state: IncidentState, policy: Policy, now: datetime) -> None:
    if state.priority is None:
        return
    if (policy.rule(state.priority).declare and state.declared_at is None
            and lifecycle.traits(state.phase).live):
        state.declared_at = now
    who = mention(policy, state.commander or issue.author)
    record_due_reminder(state, policy, now, who)
    record_due_chases(state, policy, now, who, issue.url)


def _acknowledged(plan: Plan, issue: IssueSnapshot) -> None:
    """The page's first acknowledgement, once read; it counts for the MTTA."""
    state = plan.state
    if issue.acknowledgement is not None and state.acknowledged_at is None:
        state.acknowledged_at = issue.acknowledgement.at
        state.acknowledged_by = issue.acknowledgement.who
    elif issue.acknowledgement_unknown and state.acknowledged_at is None:
        plan.notices.append(issue.acknowledgement_unknown)


def _sweep_health(plan: Plan, policy: Policy, now: datetime, *, sweep: bool) -> None:
    """The sweep leaves its mark once a cadence (not every run: that would be a write each
    time); other runs say so when it has been silent for several cadences."""
    if sweep:
        if sweep_due(plan.state, policy, now):
            plan.state.swept_at = now
    elif (notice := sweep_paused(plan.state, policy, now)) is not None:
        plan.notices.append(notice)


def _plan_effects(plan: Plan, issue: IssueSnapshot, report: IncidentReport | None,
                  policy: Policy, now: datetime) -> None:
    state = plan.state
    posted = issue.posted_keys(policy.github.bot_login)
    for wanted in mirrors(issue, report, state, plan.classification, policy):
        effect = wanted
        failure = state.failures.get(effect.key)
        if effect.key in posted:
            state.mark_done(effect.key, now)  # written by a run whose answer was lost
            continue
        if state.is_done(effect.key) and effect.key not in REPEATABLE:
            continue
        if failure and failure.attempts >= GIVE_UP_AFTER:
            plan.abandoned.append(effect.key)
            continue
        claimed = state.claimed.get(effect.key)
        if isinstance(wanted, CLAIMED_EFFECTS) and claimed is not None:
            if effect.key not in state.failures and now - claimed < IN_FLIGHT:
                plan.in_flight.append(effect.key)
                continue
            # An earlier run announced it and never confirmed it: look before sending again.
            effect = wanted.looking_first()
        plan.effects.append(effect)


def decide(issue: IssueSnapshot, previous: IncidentState | None, policy: Policy,
           template: FormTemplate, now: datetime, *, sweep: bool = False) -> Plan:
    """Plan one run for one incident.

    Every run reconciles everything that is due, reminders included, because GitHub may cancel
    a pending sweep in favour of an event run; `sweep` marks a run of the schedule, which
    records when the sweep last looked (runs that are not sweeps warn when it stopped).
    """
    bot = policy.github.bot_login
    state = _starting_state(issue, previous, policy)
    plan = Plan(state=state, rebuilding=previous is None and bool(state.rebuilt))
    state.default_branch = issue.default_branch or state.default_branch
    _reopen(issue, state, now)
    _closed_by_hand(issue, state)
    state.issue_closed = not issue.open
    plan.report = report = _classify(plan, issue, policy, template, now)
    _apply_commands(issue, state, policy, report, bot)
    _edited_commands(issue, state, bot)
    apply_label_events(issue, state, policy, report, bot)
    _postmortem_closed(issue, state, policy)
    _remind(issue, state, policy, now)
    _sweep_health(plan, policy, now, sweep=sweep)
    _acknowledged(plan, issue)
    if report is not None and state.phase is Phase.TRIAGE:
        _triage_notice(plan, issue, policy, report)
    _prune_outbox(issue, state, policy)
    _plan_effects(plan, issue, report, policy, now)
    _labels(plan, issue, policy)
    return plan
