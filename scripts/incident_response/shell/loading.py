"""The shell's first step: the incident as GitHub has it, with just the facts `decide` needs.

Permissions and label history cost requests, so they are read only when the state says they
matter: the reporter's permission while a report is in triage; a commenter's permission when
their comment has commands not yet applied; label events when the labels disagree with the state;
the post-mortem pull request while the incident waits for its merge. Facts are read from GitHub,
never only from an event's payload, so a run that GitHub cancelled while it was pending loses
nothing: the next run of the incident reads the same facts.
"""

from __future__ import annotations

from dataclasses import replace

from incident_response.adapters.ports import IssueTracker
from incident_response.core.decide import commands_pending, was_declared
from incident_response.core.labels import managed, phase_label, priority_label, severity_label
from incident_response.core.policy import Policy
from incident_response.core.snapshot import CommentSnapshot, IssueSnapshot, LabelEvent
from incident_response.core.state import STATUS_MARKER, IncidentState, parse_state
from incident_response.core.vocabulary import Phase

__all__ = ["LoadedIncident", "complete_snapshot", "find_status_comment"]


class LoadedIncident:
    def __init__(self, issue: IssueSnapshot, status: CommentSnapshot | None,
                 previous: IncidentState | None) -> None:
        self.issue, self.status, self.previous = issue, status, previous


def find_status_comment(issue: IssueSnapshot, bot_login: str) -> CommentSnapshot | None:
    """The bot's status comment: its marker on the first line, written by the bot's login."""
    for comment in issue.comments:
        if comment.author == bot_login and comment.body.lstrip().startswith(STATUS_MARKER):
            return comment
    return None


def _labels_disagree(issue: IssueSnapshot, state: IncidentState, policy: Policy) -> bool:
    expected = {phase_label(policy, state.phase)}
    if state.priority:
        expected.add(priority_label(policy, state.priority))
    if state.severity:
        expected.add(severity_label(policy, state.severity))
    present = {n for n in issue.labels if managed(policy, n)}
    return present != expected or policy.labels.incident not in issue.labels


def complete_snapshot(issue: IssueSnapshot, reader: IssueTracker,
                      policy: Policy) -> LoadedIncident:
    status = find_status_comment(issue, policy.github.bot_login)
    previous = parse_state(status.body) if status else None
    closed = None
    if previous is not None and previous.postmortem_pr is not None and (
            previous.postmortem_pr not in previous.postmortem_closed):
        closed = reader.postmortem_pull(previous.postmortem_pr)
    people = set(commands_pending(issue, previous, policy.github.bot_login))
    label_events: tuple[LabelEvent, ...] = ()
    rebuilding = previous is None and was_declared(issue, policy)
    if rebuilding or (previous is not None and _labels_disagree(issue, previous, policy)):
        label_events = tuple(reader.label_events(issue.number))
        seen = previous.label_watermark if previous else max(
            (e.id for e in label_events), default=0)
        people |= {e.actor for e in label_events
                   if e.id > seen and e.actor != policy.github.bot_login}
    author_permission = issue.author_permission
    if previous is None or previous.phase is Phase.TRIAGE:
        author_permission = reader.permission(issue.author) if issue.author else "none"
    permissions = {login: reader.permission(login) for login in sorted(people)}
    if issue.author in people:
        author_permission = permissions[issue.author]
    return LoadedIncident(
        replace(issue, author_permission=author_permission, label_events=label_events,
                permissions=permissions, postmortem_closed=closed or issue.postmortem_closed),
        status, previous)
