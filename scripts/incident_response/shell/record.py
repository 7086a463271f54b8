"""The status comment as one run knows it: where it is, what it last said, and writing it.

A full-body PATCH is idempotent, so the adapter retries it; a create whose answer was lost is
looked for by its marker before it counts as failed. Before each write the run asks whether
another run changed the record since it was read (`moved`): the protocol in incident_run.py
decides again, or merges, from what this returns.
"""

from __future__ import annotations

from incident_response.adapters.ports import IssueTracker
from incident_response.core.decision.outcome import Outcome
from incident_response.core.decision.plan import Plan
from incident_response.core.decision.status import status_comment
from incident_response.core.errors import PermanentServiceError, Refusal, ServiceError
from incident_response.core.record.block import STATUS_MARKER, parse_state, render_state
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.policy import Policy

__all__ = ["Record", "same_but_for_the_run_link"]


class Record:
    """The status comment as this run knows it: where it is, and what it last said."""

    def __init__(self, github: IssueTracker, issue: IssueSnapshot,
                 status: CommentSnapshot | None, previous: IncidentState | None, *,
                 policy: Policy, run_url: str | None, vendors: Vendors,
                 author: str | None = None) -> None:
        self.github, self.issue, self.policy, self.run_url = github, issue, policy, run_url
        self.vendors = vendors
        #: the person this run's token writes as, when it is not the bot: such a run edits
        #: the bot's comment in place, and starts no record of its own
        self.author = author
        self.comment_id = status.id if status else None
        self.body = status.body if status else None
        #: the state as the record holds it, as far as this run knows
        self.base: IncidentState | None = previous

    def render(self, plan: Plan, outcome: Outcome | None) -> str:
        return status_comment(plan, outcome, self.policy, run_url=self.run_url,
                              issue=self.issue, vendors=self.vendors)

    def moved(self) -> IncidentState | None:
        """The record's state if another run changed it since this run read or wrote it."""
        if self.comment_id is None:
            return None
        current = self.github.get_comment(self.comment_id)
        if current is None:  # deleted meanwhile: the next write creates it again
            self.comment_id = self.body = None
            return None
        theirs = parse_state(current.body)
        if theirs is None or self.base is None:
            return None
        return theirs if render_state(theirs) != render_state(self.base) else None

    def write(self, plan: Plan, outcome: Outcome | None) -> None:
        """Create or update the comment (raises ServiceError when it cannot be written)."""
        body = self.render(plan, outcome)
        if self.comment_id is None:
            self.comment_id = self._create(body)
        elif self.body is None or not same_but_for_the_run_link(self.body, body):
            self.github.update_comment(self.comment_id, body)
        self.body, self.base = body, plan.state.model_copy(deep=True)

    def changed_by(self, plan: Plan, outcome: Outcome | None) -> bool:
        """Whether writing this plan would change what the comment says (the run link aside)."""
        return self.body is None or not same_but_for_the_run_link(
            self.body, self.render(plan, outcome))

    def _create(self, body: str) -> int:
        if self.author is not None:
            raise _no_record_of(self.author, self.policy.github.bot_login)
        try:
            return self.github.create_comment(self.issue.number, body)
        except ServiceError:
            # The answer may be lost while the comment was made: look for it before failing.
            found = self.github.find_comment(self.issue.number, STATUS_MARKER)
            if found is None:
                raise
            self.github.update_comment(found, body)
            return found


def same_but_for_the_run_link(old: str, new: str) -> bool:
    """Equal but for the run link, which changes every run and is not worth a write."""
    def strip(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if not line.startswith("<sub>"))
    return strip(old) == strip(new)


def _no_record_of(person: str, bot: str) -> PermanentServiceError:
    """Why a person's token starts no record. The record is trusted only from the bot's own
    comments (core/record/block.py), so a status comment @person wrote would be ignored by
    every later run, which would then declare and announce a second time. Editing the bot's
    comment is safe: GitHub lets anyone with write access edit a comment and keeps its author
    ("You must be the author or have write access to this repository to edit this comment",
    GraphQL `CommentCannotEditReason`)."""
    return PermanentServiceError(
        "GitHub", f"this incident has no record yet, and a status comment written with "
        f"@{person}'s token would not be trusted by the runs that follow (only {bot}'s is), "
        "so none was written. A page that was due has gone out (it needs no record); the rest "
        "waits for "
        f"a run as {bot}: GitHub Actions when it runs, or `incident-response handle --issue N` "
        "with a token that writes as the bot (a GitHub App's installation token)",
        reason=Refusal.PERMISSION,
        fix=f"run it as {bot}: GitHub Actions, or a GitHub App's installation token")
