"""What a decision needs beyond the issue and its comments: the core tells the shell.

Permissions, label history, the issue's timeline and the post-mortem pull request each cost
requests, so the shell loads them only when this function says the decision needs them, and
each once. It is asked again after each load (label events name people whose permission is
then needed) until it asks for nothing new.
"""

from __future__ import annotations

from dataclasses import dataclass

from incident_response.core import names
from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules import lifecycle
from incident_response.core.rules.comment_commands import parse_commands
from incident_response.core.rules.labels import expected_labels, managed, phase_label
from incident_response.core.rules.policy import Policy
from incident_response.core.vocabulary import Phase

__all__ = ["Needs", "needs"]


@dataclass(frozen=True)
class Needs:
    #: logins whose permission on the repository the decision must judge
    permissions: frozenset[str] = frozenset()
    #: the reporter's permission (a answers not yet trusted)
    reporter: bool = False
    #: who changed which label, since the labels disagree with the record
    label_events: bool = False
    #: the issue's timeline, for a post-mortem written in this run
    history: bool = False
    #: the post-mortem pull request, to read whether it was merged or closed
    postmortem_pull: int | None = None
    #: the page's dedup key, to read whether and by whom it was acknowledged
    acknowledgement: str | None = None
    #: a completed incident's follow-up issues not known to be closed, to read whether they are
    followup_issues: tuple[int, ...] = ()


def _pending_commands(issue: IssueSnapshot, previous: IncidentState | None,
                      watermark: int, bot: str) -> list[tuple[str, str]]:
    """(author, command name) of every command not yet applied."""
    return [(c.author, command.name) for c in issue.comments
            if not c.is_by(bot) and c.id > watermark for command in parse_commands(c.body)]


def needs(issue: IssueSnapshot, previous: IncidentState | None, policy: Policy, *,
          rebuilding: bool, answered: int, sweep: bool) -> Needs:
    """What deciding on this incident needs that `issue` does not carry yet.

    `rebuilding`: the record is lost and will be rebuilt; `answered`: the newest comment the
    bot visibly answered (the watermark of a rebuilt record)."""
    bot = policy.github.bot_login
    watermark = previous.watermark if previous else answered
    pending = _pending_commands(issue, previous, watermark, bot)
    people = {author for author, _ in pending}
    label_events = rebuilding or (previous is not None and (
        {names.fold(n) for n in issue.labels if managed(policy, n)}
        != {names.fold(n) for n in expected_labels(previous, policy)}
        or not issue.has_label(policy.labels.incident)))
    if issue.label_events:
        seen = previous.label_watermark if previous else max(e.id for e in issue.label_events)
        people |= {e.actor for e in issue.label_events if e.id > seen and not e.is_by(bot)}
    phase = previous.phase if previous else None
    resolving = any(name == "resolve" for _, name in pending) or (
        issue.has_label(phase_label(policy, Phase.RESOLVED)))
    waiting = phase is Phase.RESOLVED and previous is not None and (
        previous.postmortem_merged_at is None) and (not sweep or previous.postmortem_pr is None)
    history = (resolving and (phase is None or not lifecycle.traits(phase).ended)) or waiting
    pull = previous.postmortem_pr if previous and previous.postmortem_pr is not None and (
        previous.postmortem_pr not in previous.postmortem_closed) else None
    if sweep and issue.open:
        # A merged post-mortem closes its issue (`Closes #N`): a sweep reads the pull request
        # only then, so incidents waiting for their post-mortem cost one read each.
        pull = None
    paged = previous is not None and previous.is_done(keys.PAGE) and (
        previous.acknowledged_at is None) and previous.page_dedup_key is not None
    followup_issues = tuple(ref.issue_number for ref in previous.followups
                            if ref.issue_number is not None and not ref.closed) if (
        previous is not None and previous.phase is Phase.COMPLETED) else ()
    return Needs(permissions=frozenset(people),
                 reporter=previous is None or previous.phase is Phase.TRIAGE,
                 label_events=label_events, history=history, postmortem_pull=pull,
                 acknowledgement=previous.page_dedup_key if paged and previous else None,
                 followup_issues=followup_issues)
