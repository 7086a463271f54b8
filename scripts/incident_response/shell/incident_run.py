"""One incident, one run: decide, page, write the record with its claims, act, write it again.

Shared by `handle` (one event) and `sweep` (every open incident). The order is the promise:

1. The page leaves first: it is idempotent by its dedup key and needs no record.
2. The record is written (created, or re-read and updated) with every non-idempotent effect
   about to go out *claimed* in it, so a run that dies or loses an answer leaves a trace that
   the next run looks up instead of repeating. If the record moved since it was read, the run
   decides again from the newer record before claiming anything.
3. The labels follow the record (labels past triage mean a record was written).
4. The other effects go out, each on its own.
5. The record is written again with the results; if another run wrote it meanwhile, both runs'
   facts are merged (the state is a set of facts: union is the merge).

If the record cannot be written at step 2, nothing else is sent: without the claims a later
run could not tell what went out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from incident_response.adapters.ports import IssueTracker
from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import CLAIMED_EFFECTS, Effect, TriggerPage
from incident_response.core.decision.outcome import EffectResult, Outcome
from incident_response.core.decision.plan import Plan
from incident_response.core.errors import ServiceError
from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import (
    STATUS_MARKER,
    IncidentState,
    merge_states,
    parse_state,
    render_state,
)
from incident_response.core.rules.form import FormTemplate
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.status import status_comment
from incident_response.shell.execute import Services, execute
from incident_response.shell.loading import LoadedIncident

__all__ = ["IncidentRun", "run_incident"]

#: how often a run re-reads and decides again when the record moved under it before claiming
_REPLANS = 2


@dataclass
class IncidentRun:
    number: int
    plan: Plan
    outcome: Outcome = field(default_factory=Outcome)
    errors: list[str] = field(default_factory=list)
    wrote: bool = False
    #: another run wrote the record while this one worked, and the two were merged
    merged: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.outcome.failed or self.errors)


class Record:
    """The status comment as this run knows it: where it is, and what it last said."""

    def __init__(self, github: IssueTracker, issue: IssueSnapshot, loaded: LoadedIncident,
                 policy: Policy, run_url: str | None) -> None:
        self.github, self.issue, self.policy, self.run_url = github, issue, policy, run_url
        self.comment_id = loaded.status.id if loaded.status else None
        self.body = loaded.status.body if loaded.status else None
        #: the state as the record holds it, as far as this run knows
        self.base: IncidentState | None = loaded.previous

    def render(self, plan: Plan, outcome: Outcome | None) -> str:
        return status_comment(plan, outcome, self.policy, self.run_url, self.issue)

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
        elif self.body is None or not _same(self.body, body):
            self.github.update_comment(self.comment_id, body)
        self.body, self.base = body, plan.state.model_copy(deep=True)

    def _create(self, body: str) -> int:
        try:
            return self.github.create_comment(self.issue.number, body)
        except ServiceError:
            # The answer may be lost while the comment was made: look for it before failing.
            found = self.github.find_comment(self.issue.number, STATUS_MARKER)
            if found is None:
                raise
            self.github.update_comment(found, body)
            return found


def _claim(plan: Plan, now: datetime) -> bool:
    claims = [e for e in plan.effects if isinstance(e, CLAIMED_EFFECTS)]
    for effect in claims:
        plan.state.claimed.setdefault(effect.key, now)
    return bool(claims)


def _run(effects: list[Effect], plan: Plan, services: Services, run: IncidentRun,
         now: datetime) -> None:
    if effects:
        whole = plan.effects
        plan.effects = effects
        run.outcome.results += execute(plan, services, run.number, now).results
        plan.effects = whole


@dataclass
class _Run:
    """One incident's run as it goes: what it loaded, decided and did so far."""

    loaded: LoadedIncident
    services: Services
    policy: Policy
    template: FormTemplate
    now: datetime
    sweep: bool
    run: IncidentRun

    def decide(self, previous: IncidentState | None) -> Plan:
        self.run.plan = decide(self.loaded.issue, previous, self.policy, self.template,
                               self.now, sweep=self.sweep)
        return self.run.plan

    def execute(self, effects: list[Effect]) -> None:
        _run(effects, self.run.plan, self.services, self.run, self.now)

    def page(self, paged: TriggerPage | None) -> None:
        """1. The page: first, whatever else happens (unless it left before loading)."""
        plan = self.run.plan
        pages = plan.before_record()
        if paged is not None and any(isinstance(p, TriggerPage)
                                     and p.dedup_key == paged.dedup_key for p in pages):
            plan.state.mark_done(paged.key, self.now)
            plan.state.page_dedup_key = paged.dedup_key
            self.run.outcome.results.append(EffectResult(
                paged, "done", "triggered before the incident was loaded"))
            plan.effects = [e for e in plan.effects if not isinstance(e, TriggerPage)]
            return
        self.execute(pages)

    def claim(self, record: Record) -> bool:
        """2. The record, with the claims of what is about to go out; False if not written."""
        plan = self.run.plan
        needs_record = _claim(plan, self.now) or record.comment_id is None or plan.rebuilding
        try:
            for _ in range(_REPLANS):
                theirs = record.moved() if needs_record else None
                if theirs is None:
                    break
                # Another run wrote the record since it was read: decide again from it.
                self.run.merged = True
                was_paged = plan.state.is_done(keys.PAGE)
                plan = self.decide(theirs)
                record.base = theirs
                if was_paged:
                    plan.state.mark_done(keys.PAGE, self.now)
                    plan.effects = [e for e in plan.effects if not isinstance(e, TriggerPage)]
                _claim(plan, self.now)
            if needs_record:
                record.write(plan, None)
                self.run.wrote = True
        except ServiceError as error:
            self.run.errors.append(f"The status comment could not be written, so nothing "
                                   f"else was sent (a later run does it): {error}")
            return False
        return True

    def label(self, github: IssueTracker) -> None:
        """3. The labels, now that the record says what they mean."""
        plan = self.run.plan
        if plan.labels_to_add or plan.labels_to_remove:
            try:
                github.change_labels(self.run.number, plan.labels_to_add, plan.labels_to_remove,
                                     {spec.name: spec for spec in plan.labels_to_create})
                self.run.wrote = True
            except ServiceError as error:
                self.run.errors.append(str(error))

    def record_results(self, record: Record) -> None:
        """5. The record again, with the results; merged with any run that wrote meanwhile."""
        plan = self.run.plan
        try:
            body = record.render(plan, self.run.outcome)
            if record.body is None or not _same(record.body, body):
                theirs = record.moved()
                if theirs is not None and record.base is not None:
                    self.run.merged = True
                    plan.state = merge_states(record.base, plan.state, theirs)
                record.write(plan, self.run.outcome)
                self.run.wrote = True
        except ServiceError as error:
            self.run.errors.append(str(error))


def run_incident(loaded: LoadedIncident, services: Services, policy: Policy,
                 template: FormTemplate, now: datetime, *, sweep: bool = False,
                 run_url: str | None = None, paged: TriggerPage | None = None) -> IncidentRun:
    """Reconcile one incident. `paged` is the page this run already sent before loading
    (shell/first_page.py): it is recorded as done, not sent again."""
    run = IncidentRun(loaded.issue.number, Plan(state=IncidentState()))
    steps = _Run(loaded, services, policy, template, now, sweep, run)
    plan = steps.decide(loaded.previous)
    github = services.github
    if github is None:
        steps.execute(plan.effects)
        return run
    record = Record(github, loaded.issue, loaded, policy, run_url)
    steps.page(paged)
    if not steps.claim(record):
        return run
    steps.label(github)
    # 4. Everything else, each effect on its own.
    steps.execute(run.plan.after_record())
    steps.record_results(record)
    return run


def _same(old: str, new: str) -> bool:
    """Equal but for the run link, which changes every run and is not worth a write."""
    def strip(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if not line.startswith("<sub>"))
    return strip(old) == strip(new)
