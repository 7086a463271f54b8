"""The shell's first step: the incident as GitHub has it, with exactly what the core needs.

The core says what a decision needs beyond the issue and its comments (`core.needs`):
permissions, label events, the issue's timeline, the post-mortem pull request. This loads
each of those at most once, asking again after each load until nothing new is asked for, so
`decide` then runs once. Facts are read from GitHub, never only from an event's payload, so a
run GitHub cancelled while it was pending loses nothing: the next run reads the same facts.
"""

from __future__ import annotations

from dataclasses import replace

from incident_response.adapters.ports import Acknowledgements, IssueTracker
from incident_response.core.decision.needs import Needs, needs
from incident_response.core.decision.rebuilt import answered_watermark, was_declared
from incident_response.core.errors import PermanentServiceError, ServiceError
from incident_response.core.record.block import parse_state, status_comment_of
from incident_response.core.record.snapshot import (
    CommentSnapshot,
    IssueSnapshot,
    PageAcknowledgement,
)
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.policy import Policy

__all__ = ["LoadedIncident", "complete_snapshot"]

#: rounds of asking: the second round only adds the permissions of people named by label
#: events, so a third never asks for anything new
_ROUNDS = 3


class LoadedIncident:
    def __init__(self, issue: IssueSnapshot, status: CommentSnapshot | None,
                 previous: IncidentState | None) -> None:
        self.issue, self.status, self.previous = issue, status, previous


#: said when the page's acknowledgement cannot be read because no REST token is configured
NO_ACKNOWLEDGEMENTS = ("The page's acknowledgement is not read: PAGERDUTY_API_TOKEN is not set "
                       "(a read-only PagerDuty REST API key suffices; without it the report "
                       "counts time to declare instead of MTTA).")


def complete_snapshot(issue: IssueSnapshot, reader: IssueTracker, policy: Policy, *,
                      sweep: bool = False,
                      acknowledgements: Acknowledgements | None = None,
                      reporter_permission: str | None = None) -> LoadedIncident:
    """The incident with what the core needs. `reporter_permission`: already read (the early
    page's path read it), so not read again."""
    status = status_comment_of(issue, policy.github.bot_login)
    previous = parse_state(status.body) if status else None
    if acknowledgements is None:  # said by every run of a paged incident, its first included
        issue = replace(issue, acknowledgement_unknown=NO_ACKNOWLEDGEMENTS)
    rebuilding = previous is None and was_declared(issue, policy)
    answered = answered_watermark(issue, policy.github.bot_login)
    loaded: set[str] = set()
    if reporter_permission is not None:
        issue = replace(issue, author_permission=reporter_permission)
        loaded.add("reporter")
    for _ in range(_ROUNDS):
        wanted = needs(issue, previous, policy, rebuilding=rebuilding, answered=answered,
                       sweep=sweep)
        new = _load(issue, wanted, reader, loaded, acknowledgements=acknowledgements,
                    previous=previous)
        if new == issue:
            break
        issue = new
    return LoadedIncident(issue, status, previous)


def _load(issue: IssueSnapshot, wanted: Needs, reader: IssueTracker, loaded: set[str], *,
          acknowledgements: Acknowledgements | None,
          previous: IncidentState | None) -> IssueSnapshot:
    """The issue with what `wanted` asks for and is not loaded yet (the same issue if none)."""
    if wanted.reporter and "reporter" not in loaded:
        loaded.add("reporter")
        permission = reader.permission(issue.author) if issue.author else "none"
        issue = replace(issue, author_permission=permission)
    if wanted.label_events and "label_events" not in loaded:
        loaded.add("label_events")
        issue = replace(issue, label_events=tuple(reader.label_events(issue.number)))
    people = sorted(wanted.permissions - set(issue.permissions))
    if people:
        permissions = {login: reader.permission(login) for login in people}
        issue = replace(issue, permissions={**issue.permissions, **permissions})
        if issue.author in permissions:
            issue = replace(issue, author_permission=permissions[issue.author])
    if wanted.history and "history" not in loaded:
        loaded.add("history")
        issue = replace(issue, history=tuple(reader.history(issue.number)))
    if wanted.postmortem_pull is not None and "pull" not in loaded:
        loaded.add("pull")
        closed = reader.postmortem_pull(wanted.postmortem_pull)
        issue = replace(issue, postmortem_closed=closed or issue.postmortem_closed)
    if wanted.followup_issues and "followups" not in loaded:
        loaded.add("followups")
        done = reader.closed_issues(list(wanted.followup_issues))
        issue = replace(issue, closed_followups=frozenset(done))
    if wanted.acknowledgement is not None and "acknowledgement" not in loaded:
        loaded.add("acknowledgement")
        issue = _acknowledgement(issue, wanted.acknowledgement, acknowledgements, previous)
    return issue


def _acknowledgement(issue: IssueSnapshot, dedup_key: str,
                     acknowledgements: Acknowledgements | None,
                     previous: IncidentState | None) -> IssueSnapshot:
    if acknowledgements is None:
        return replace(issue, acknowledgement_unknown=NO_ACKNOWLEDGEMENTS)
    since = (previous.declared_at or previous.opened_at) if previous else None
    try:
        found = acknowledgements.acknowledgement(dedup_key, since or issue.created_at)
    except PermanentServiceError as error:  # a refused token: say so, lose nothing else
        return replace(issue, acknowledgement_unknown=str(error))
    except ServiceError:
        return issue  # transient: the next run looks again
    if found is None:
        return issue
    return replace(issue, acknowledgement=PageAcknowledgement(found.who, found.at))
