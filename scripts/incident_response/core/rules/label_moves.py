"""Label edits by people on `phase:*`, `priority:*` and `severity:*`, honoured like commands.

A responder may move the incident by editing labels instead of typing commands. Moves the
lifecycle does not allow (active straight to completed, two phases at once, a label changed by
someone without permission, a phase label simply removed) are reverted, with a comment saying
why. Reverting needs no effect of its own: the bot re-applies the labels the state implies.
"""

from __future__ import annotations

from itertools import groupby

from incident_response.core import names
from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot, LabelEvent
from incident_response.core.record.state import IncidentState, Pending
from incident_response.core.rules import lifecycle
from incident_response.core.rules.answers import FormAnswers
from incident_response.core.rules.comment_commands import Command, CommandContext, apply_command
from incident_response.core.rules.labels import managed, phase_of
from incident_response.core.rules.permissions import has_permission
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.markdown_text import code_span
from incident_response.core.vocabulary import Phase

__all__ = ["apply_label_events"]

#: the lifecycle's moves a label edit may make (the others come from GitHub facts)
_BY_LABEL = {"declare", "mitigate", "resolve", "reactivate"}


def _revert(state: IncidentState, event: LabelEvent, why: str) -> None:
    state.queue(Pending(
        key=keys.reply(f"label-{event.id}"), kind="reply",
        text=f"@{event.actor}: the label {code_span(event.label)} was "
             f"{'added' if event.action == 'labeled' else 'removed'} and has been put back as "
             f"it was: {why}",
    ))


def _move(state: IncidentState, event: LabelEvent, policy: Policy,
          answers: FormAnswers | None) -> None:
    name = event.label
    context = CommandContext(state=state, policy=policy, answers=answers, actor=event.actor,
                             at=event.at, comment_id=event.id, index=0)
    if event.action == "unlabeled":
        _revert(state, event, "the bot keeps one phase, priority and severity label; move the "
                              "incident by adding the new label or with a command (`/help`).")
        return
    if names.starts_with(name, policy.labels.phase_prefix):
        target = phase_of(policy, name)
        if target is None:
            _revert(state, event, "it is not a phase of the lifecycle.")
            return
        if target is state.phase:
            return
        command = lifecycle.command_for(state.phase, target)
        if command == "reactivate":
            state.change_phase(target, event.at, event.actor)
            context.note(f"Back to active: impact has returned (@{event.actor}).")
            return
        if command not in _BY_LABEL:
            _revert(state, event, f"an incident cannot go from {state.phase} to {target}"
                    + (" (it completes when its post-mortem pull request is merged)."
                       if target is Phase.COMPLETED else "."))
            return
        result = apply_command(Command(str(command), "", name), context, permitted=True,
                               needed="")
        if not result.ok:
            _revert(state, event, result.message or "the move is not possible now.")
        return
    kind = "priority" if names.starts_with(name, policy.labels.priority_prefix) else "severity"
    value = names.without_prefix(name, policy.labels.priority_prefix if kind == "priority"
                                 else policy.labels.severity_prefix) or ""
    result = apply_command(Command(kind, value, name), context, permitted=True, needed="")
    if not result.ok:
        _revert(state, event, result.message or "it is not a valid value.")


def apply_label_events(issue: IssueSnapshot, state: IncidentState, policy: Policy,
                       answers: FormAnswers | None, bot_login: str) -> None:
    """Honour or revert every label change by a person not yet seen, oldest first."""
    unseen = [e for e in issue.label_events if e.id > state.label_watermark]
    state.label_watermark = max([state.label_watermark, *(e.id for e in unseen)])
    for event in unseen:
        if (names.same(event.label, policy.labels.incident) and event.action == "unlabeled"
                and not event.is_by(bot_login)
                and lifecycle.traits(state.phase).watched):
            _revert(state, event, "this issue is a live incident's record, and without that "
                                  "label its reminders, repairs and post-mortem would stop. "
                                  "An incident ends with `/resolve` and the merge of its "
                                  "post-mortem.")
    fresh = [e for e in unseen if not e.is_by(bot_login)
             and managed(policy, e.label)]
    for _, batch in groupby(fresh, key=lambda e: (e.actor, e.at)):
        events = list(batch)
        added_phases = [e for e in events if e.action == "labeled"
                        and names.starts_with(e.label, policy.labels.phase_prefix)]
        if len(added_phases) > 1:
            for event in added_phases:
                _revert(state, event, "two phases at once; add one phase label at a time.")
            events = [e for e in events if e not in added_phases]
        for event in events:
            if not has_permission(issue.permissions.get(event.actor, "none"),
                                  policy.permissions.command):
                _revert(state, event, f"changing it needs {policy.permissions.command} "
                                      "permission on this repository.")
                continue
            _move(state, event, policy, answers)
