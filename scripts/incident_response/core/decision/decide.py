"""The functional core: from the incident as GitHub has it to a plan. No I/O, no clock, no env.

Level-triggered: each run re-reads the form's answers, applies every command and label change
not yet applied (in the order people made them), records a reminder if one is due, and then
plans every outside effect of the state that is not yet done. A run that follows dropped or
failed runs therefore does exactly what they left undone, and nothing twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from incident_response.core import names
from incident_response.core.decision import retry
from incident_response.core.decision.due_effects import due_effects
from incident_response.core.decision.effects import (
    CLAIMED_EFFECTS,
    Capability,
    PostComment,
    TriggerPage,
)
from incident_response.core.decision.plan import Plan
from incident_response.core.decision.rebuilt import rebuild, was_declared
from incident_response.core.record import keys
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState, Pending, SavedAnswers
from incident_response.core.rules import lifecycle
from incident_response.core.rules.answers import FormAnswers, validate_answers
from incident_response.core.rules.chasing import record_due_chases
from incident_response.core.rules.classification import classify
from incident_response.core.rules.comment_commands import (
    CommandContext,
    apply_command,
    parse_commands,
)
from incident_response.core.rules.facts import command_of
from incident_response.core.rules.form import FormTemplate, parse_form
from incident_response.core.rules.label_moves import apply_label_events
from incident_response.core.rules.labels import (
    expected_labels,
    label_specs,
    managed,
)
from incident_response.core.rules.lateness import EventTime, LateRun, late_run
from incident_response.core.rules.permissions import has_permission
from incident_response.core.rules.policy import Policy
from incident_response.core.rules.reminders import record_due_reminder, sweep_due, sweep_paused
from incident_response.core.texts.markdown_text import quote
from incident_response.core.texts.markers import strip_markers
from incident_response.core.texts.templates import render
from incident_response.core.vocabulary import Phase

__all__ = ["GIVE_UP_AFTER", "REPEATABLE", "decide"]

#: failed transient attempts (over all runs) after which an effect waits for a `/retry`
GIVE_UP_AFTER = retry.GIVE_UP_AFTER
#: mirrors re-planned whenever their content changes, whatever was done before
REPEATABLE = {keys.MIRROR_SYNC, keys.POSTMORTEM_WRITE}
#: a claim younger than this, neither confirmed nor failed, may belong to a run still sending
#: it (the job's time limit): another run leaves it alone rather than send it a second time
IN_FLIGHT = timedelta(minutes=15)


def _apply_commands(issue: IssueSnapshot, state: IncidentState, policy: Policy,
                    answers: FormAnswers | None, bot_login: str) -> None:
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
        said: list[str] = []
        for index, command in enumerate(commands):
            needed = policy.permissions.declare if command.name == "declare" else (
                policy.permissions.command)
            context = CommandContext(state=state, policy=policy, answers=answers,
                                     actor=comment.author, at=comment.created_at,
                                     comment_id=comment.id, index=index)
            result = apply_command(command, context, permitted=has_permission(permission, needed),
                                   needed=needed)
            if result.message:
                said.append(f"{quote(command.line)}\n\n{result.message}")
        if said:
            state.queue(Pending(key=keys.reply(comment.id), kind="reply",
                                comment_id=comment.id,
                                text=f"@{comment.author}\n\n" + "\n\n".join(said)))
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
        # An indented code block shows the lines as typed; only the bot's markers are made
        # inert (a code block is raw text to every reader of the comment).
        lines = "\n".join(f"    {strip_markers(c.line)}" for c in parse_commands(comment.body))
        state.queue(Pending(
            key=keys.reply(f"edited-{comment.id}-{int(comment.updated_at.timestamp())}"),
            kind="reply",
            text=f"@{comment.author}: this comment was edited after its commands were applied. "
                 "Edits are not applied again: what the comment said when it was first "
                 "handled stands. To change something, write a new comment with the command, "
                 "for example `/update TEXT` for a correction"
                 + (f"; the edited comment now reads:\n\n{lines}" if lines else ".")))


def _reopen(issue: IssueSnapshot, state: IncidentState, now: datetime) -> None:
    """An incident reopened after resolution is active again: the page, the declared incident
    and the chat follow.

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
    # The commander's clock starts afresh (State.last_sign_of_life counts from the reopen):
    # reminders left unanswered before the resolution do not escalate the new cycle.
    state.reminders_unanswered = []
    forget = {keys.PAGE, keys.PAGE_RESOLVE, keys.RECOVERY_CHECKLIST}
    if completed:
        state.cycle += 1
        state.postmortem_pr = state.postmortem_url = state.postmortem_path = None
        state.postmortem_hash = None
        state.postmortem_merged_at = None
        forget |= {keys.CLOSE_ISSUE, keys.POSTMORTEM_ATTACH, keys.POSTMORTEM_WRITE}
    # Forget the mirrors of the resolution so they happen again at the next one, and page again
    # (a pager opens a new alert for a dedup key whose alert was resolved).
    state.done = [k for k in state.done if k not in forget]
    state.note(f"reopened-{state.reopens}",
               "The incident was reopened on GitHub: it is active again.")
    state.queue(Pending(
        key=keys.reply(f"reopened-{state.reopens}"), kind="reply",
        text=f"This incident was reopened after it was "
             f"{'completed' if completed else 'resolved'}, so it is **active** again: on-call "
             "is paged again, the declared incident is back to active, and reminders resume. "
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
             "incident (the page, the declared incident and the post-mortem would be left "
             "behind). When it "
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
    link = state.mirror_url or issue.url
    if policy.chat.leadership_channel:
        state.note(f"completed-{closed.number}",
                   f"Completed: the {state.priority} incident {issue.key} is complete and its "
                   f"post-mortem is merged: <{link}|the completed incident> and "
                   f"<{closed.url}|the post-mortem>.", channel=policy.chat.leadership_channel)


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
                   answers: FormAnswers, vendors: Vendors) -> None:
    plan.notices.append(
        f"@{issue.author} cannot declare incidents here (needs {policy.permissions.declare} "
        "permission), so nothing was sent outside GitHub. A responder confirms with /declare.")
    if not plan.state.is_done(keys.TRIAGE_REQUEST):
        plan.effects.append(PostComment(
            key=keys.TRIAGE_REQUEST,
            body=render("triage_request.md.j2", issue=issue, policy=policy, answers=answers,
                        vendors=vendors)))


def _saved(answers: FormAnswers) -> SavedAnswers:
    return SavedAnswers(
        service=answers.service, environment=answers.environment,
        users_per_hour=answers.users_per_hour, user_impact=answers.user_impact,
        providers=list(answers.providers), started_at=answers.started_at, monitor=answers.monitor,
        commander=answers.commander, code_change_required=answers.code_change_required)


def _restored(saved: SavedAnswers, summary: str) -> FormAnswers:
    return FormAnswers(
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
    for dropped in {item.key for item in state.outbox} - {item.key for item in kept}:
        # Never sent, never tried again: its failure would promise a retry that never comes.
        state.failures.pop(dropped, None)
        state.claimed.pop(dropped, None)
    state.outbox = kept


def _starting_state(issue: IssueSnapshot, previous: IncidentState | None,
                    policy: Policy) -> IncidentState:
    if previous is not None:
        return previous.model_copy(deep=True)
    if was_declared(issue, policy):
        return rebuild(issue, policy)
    return IncidentState(reporter=issue.author, opened_at=issue.created_at)


def _classify(plan: Plan, issue: IssueSnapshot, policy: Policy, template: FormTemplate,
              now: datetime) -> FormAnswers | None:
    """The answers in force and their classification; the last valid ones while an edit is
    bad."""
    state = plan.state
    parsed = parse_form(issue.body, template)
    answers, plan.problems = validate_answers(parsed, template, policy, reporter=issue.author)
    if answers is not None:
        state.answers = _saved(answers)
        plan.classification = classification = classify(answers, policy)
        if plan.rebuilding:  # labels that differ from the form were set by a command
            state.priority_override = state.priority if (
                state.priority not in (None, classification.priority)) else None
            state.severity_override = state.severity if (
                state.severity not in (None, classification.severity)) else None
        state.priority = state.priority_override or classification.priority
        state.severity = state.severity_override or classification.severity
        state.commander = state.roles.get("commander") or answers.commander
        trusted = has_permission(issue.author_permission, policy.permissions.declare)
        if state.phase is Phase.TRIAGE and trusted:
            state.change_phase(Phase.ACTIVE, now, issue.author)
        return answers
    if state.answers is None or state.phase is Phase.TRIAGE:
        plan.notices.append("The form has problems (listed above); nothing was sent outside "
                            "GitHub. Edit the issue to fix them and it is handled again.")
        return None
    # The last valid answers stay in force: mirrors and reminders go on meanwhile. The summary
    # is the form's one free text: it is read from the body as it is now.
    answers = _restored(state.answers, " ".join(parsed.choices("summary")).strip())
    plan.classification = classify(answers, policy)
    state.priority = state.priority_override or plan.classification.priority
    state.severity = state.severity_override or plan.classification.severity
    plan.notices.append("The edited form has problems (listed above); the incident keeps "
                        "its last valid answers and classification until they are fixed.")
    return answers


def _remind(issue: IssueSnapshot, state: IncidentState, policy: Policy, now: datetime) -> None:
    if state.priority is None:
        return
    if (policy.rule(state.priority).declare and state.declared_at is None
            and lifecycle.traits(state.phase).live):
        state.declared_at = now
    commander = state.commander or issue.author
    record_due_reminder(state, policy, now, commander)
    record_due_chases(state, policy, now, commander, issue.url)


def _acknowledged(plan: Plan, issue: IssueSnapshot) -> None:
    """The page's first acknowledgement, once read; it counts for the MTTA."""
    state = plan.state
    if issue.acknowledgement is not None and state.acknowledged_at is None:
        state.acknowledged_at = issue.acknowledgement.at
        state.acknowledged_by = issue.acknowledgement.who


def _acknowledgement_unknown(plan: Plan, issue: IssueSnapshot) -> None:
    """Why the page's acknowledgement (and the MTTA) is not recorded, said by every run of a
    paged incident (the one that pages included) while none is: a sweep run only when
    something is due would otherwise never say it."""
    state = plan.state
    paged = state.is_done(keys.PAGE) or any(isinstance(e, TriggerPage) for e in plan.effects)
    if issue.acknowledgement_unknown and paged and state.acknowledged_at is None:
        plan.notices.append(issue.acknowledgement_unknown)


def _followups_closed(issue: IssueSnapshot, state: IncidentState) -> None:
    """The follow-up issues found closed are done: the status comment ticks them."""
    for ref in state.followups:
        if ref.issue_number is not None and ref.issue_number in (issue.closed_followups or ()):
            ref.closed = True


def _sweep_health(plan: Plan, policy: Policy, now: datetime, *, sweep: bool) -> None:
    """The sweep leaves its mark once a cadence (not every run: that would be a write each
    time); other runs say so when it has been silent for several cadences."""
    if sweep:
        if sweep_due(plan.state, policy, now):
            plan.state.swept_at = now
    elif (notice := sweep_paused(plan.state, policy, now)) is not None:
        plan.notices.append(notice)


def _retry_requested(state: IncidentState, now: datetime) -> bool:
    """A `/retry` applied by this run: everything held back is tried once, and a mirror
    stopped after its replacement was deleted too is declared again (the losses before now
    no longer count). Consumed here, so the record never keeps it."""
    requested, state.retry_requested = state.retry_requested, False
    if requested and state.mirror_stopped():
        state.mirror_resumed_at = now
    return requested

def _ran_late(plan: Plan, event: EventTime | None, now: datetime, policy: Policy) -> None:
    """A run that started late after its event says so, and by how much (the announcement it
    makes too, through `plan.late`)."""
    late: LateRun | None = late_run(event, now, policy)
    if late is not None:
        plan.late = late
        plan.notices.append(late.notice(now))


def _plan_effects(plan: Plan, issue: IssueSnapshot, answers: FormAnswers | None,
                  policy: Policy, now: datetime, *, vendors: Vendors) -> None:
    state = plan.state
    posted = issue.posted_keys(policy.github.bot_login)
    retrying = _retry_requested(state, now)
    stopped = state.mirror_stopped()
    for wanted in due_effects(issue, answers, state, plan.classification, policy,
                              vendors=vendors, late=plan.late):
        effect = wanted
        failure = state.failures.get(effect.key)
        if effect.key in posted:
            state.mark_done(effect.key, now)  # written by a run whose answer was lost
            continue
        if state.is_done(effect.key) and effect.key not in REPEATABLE:
            continue
        if stopped and effect.capability is Capability.MIRROR:
            continue  # the status comment says the mirror stopped, and how to resume it
        if failure and not retrying and not retry.is_due(failure, retry.fingerprint(wanted),
                                                         now):
            plan.abandoned.append(effect.key)  # held: the status comment says until when
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
           template: FormTemplate, now: datetime, *, sweep: bool = False,
           vendors: Vendors = Vendors(),  # noqa: B008 (frozen, shared safely)
           event: EventTime | None = None) -> Plan:
    """Plan one run for one incident.

    Every run reconciles everything that is due, reminders included, because GitHub may cancel
    a pending sweep in favour of an event run; `sweep` marks a run of the schedule, which
    records when the sweep last looked (runs that are not sweeps warn when it stopped).
    `vendors` names the services behind the capabilities in what people read. `event` is when
    the event this run answers happened, when known: with `now`, how late the run started.
    """
    bot = policy.github.bot_login
    state = _starting_state(issue, previous, policy)
    plan = Plan(state=state, rebuilding=previous is None and bool(state.rebuilt))
    state.default_branch = issue.default_branch or state.default_branch
    _reopen(issue, state, now)
    _closed_by_hand(issue, state)
    state.issue_closed = not issue.open
    plan.answers = answers = _classify(plan, issue, policy, template, now)
    _apply_commands(issue, state, policy, answers, bot)
    _edited_commands(issue, state, bot)
    apply_label_events(issue, state, policy, answers, bot)
    _postmortem_closed(issue, state, policy)
    _followups_closed(issue, state)
    _remind(issue, state, policy, now)
    _sweep_health(plan, policy, now, sweep=sweep)
    _acknowledged(plan, issue)
    if answers is not None and state.phase is Phase.TRIAGE:
        _triage_notice(plan, issue, policy, answers, vendors)
    _prune_outbox(issue, state, policy)
    _ran_late(plan, event, now, policy)
    _plan_effects(plan, issue, answers, policy, now, vendors=vendors)
    _acknowledgement_unknown(plan, issue)
    _labels(plan, issue, policy)
    return plan
