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

A run with a person's token (from a terminal, while GitHub Actions is down or late) writes as
that person, and the record is trusted only from the bot's comments: such a run updates the
bot's record in place (the comment keeps its author), never starts one, and leaves every other
change on GitHub to the bot (see `_Steps.leave_to_the_bot`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import (
    CLAIMED_EFFECTS,
    Capability,
    Effect,
    TriggerPage,
)
from incident_response.core.decision.outcome import EffectResult, Outcome
from incident_response.core.decision.plan import Plan
from incident_response.core.errors import ServiceError
from incident_response.core.record.keys import describe
from incident_response.core.record.merge import merge_states
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.form import FormTemplate
from incident_response.core.rules.lateness import EventTime
from incident_response.core.rules.policy import Policy
from incident_response.shell.execute import execute
from incident_response.shell.loading import LoadedIncident
from incident_response.shell.record import Record
from incident_response.shell.wiring import Adapters

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
    #: the page this run sent (or found sent before it loaded the incident)
    paged: TriggerPage | None = None

    @property
    def failed(self) -> bool:
        return bool(self.outcome.failed or self.errors)


def _claim(plan: Plan, now: datetime) -> bool:
    claims = [e for e in plan.effects if isinstance(e, CLAIMED_EFFECTS)]
    for effect in claims:
        plan.state.claimed.setdefault(effect.key, now)
    return bool(claims)


@dataclass
class _Steps:
    """One incident's run as it goes: what it loaded, decided and did so far."""

    loaded: LoadedIncident
    adapters: Adapters
    policy: Policy
    template: FormTemplate
    now: datetime
    sweep: bool
    run: IncidentRun
    event: EventTime | None = None
    #: the person the token writes as, when it is not the bot (a run from a terminal)
    person: str | None = None

    def decide(self, previous: IncidentState | None) -> Plan:
        self.run.plan = decide(self.loaded.issue, previous, self.policy, self.template,
                               self.now, sweep=self.sweep, vendors=self.adapters.vendors,
                               event=self.event)
        if self.run.paged is not None:
            self.run.plan.page_already_sent(self.run.paged, self.now)
        if self.person is not None:
            self.leave_to_the_bot(self.run.plan, self.person)
        return self.run.plan

    def leave_to_the_bot(self, plan: Plan, person: str) -> None:
        """What a person's token must not do, taken out of the plan before anything is claimed:
        every change on GitHub but the record's own comment.

        Whatever a token does on GitHub is recorded as done by its owner, and later runs read
        GitHub as people's doing unless the bot did it: a label change would read as @person
        moving the incident by hand (a priority label becoming an override, a removed phase
        label "put back" with a reply); a comment or a follow-up issue is found again by its
        marker only among the bot's (after a lost answer: a second one); a commit on the
        post-mortem's branch stops the bot from bringing the file up to date; and none of them
        is claimed in the record, so a late Actions run racing this one could make them too.
        So this run sends what leaves GitHub (the page, the chat, the declared incident:
        claimed, or idempotent) and edits the record; the next run as the bot does the rest,
        from the record."""
        bot = self.policy.github.bot_login
        held = [e for e in plan.effects if e.capability is Capability.GITHUB]
        plan.effects = [e for e in plan.effects if e not in held]
        changes = [f"+{n}" for n in plan.labels_to_add] + [f"-{n}" for n in plan.labels_to_remove]
        plan.labels_to_add, plan.labels_to_remove, plan.labels_to_create = [], [], []
        named = "; ".join(describe(e.key, self.adapters.vendors) for e in held)
        left = ([f"the labels ({', '.join(changes)})"] if changes else []) + (
            [f"these changes on GitHub: {named}"] if held else [])
        if left:
            plan.notices.append(
                f"Run by @{person} from a terminal, with their own token: {' and '.join(left)} "
                f"wait for the next run as {bot} (GitHub Actions, or a token that writes as the "
                f"bot), so that nothing reads later as done by hand by @{person}. What leaves "
                "GitHub (the page, the chat, the declared incident) went out.")

    def execute(self, effects: list[Effect]) -> None:
        if effects:
            self.run.outcome.results += execute(effects, self.run.plan.state, self.adapters,
                                                self.run.number, self.now).results

    def page(self, paged: TriggerPage | None) -> None:
        """1. The page: first, whatever else happens (unless it left before loading)."""
        plan = self.run.plan
        if paged is not None and plan.page_already_sent(paged, self.now):
            self.run.paged = paged
            self.run.outcome.results.append(EffectResult(
                paged, "done", "triggered before the incident was loaded",
                self.adapters.vendors.pager))
            return
        pages = plan.before_record()
        self.execute(pages)
        self.run.paged = next((p for p in pages if isinstance(p, TriggerPage)
                               and plan.state.is_done(p.key)), None)

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
                plan = self.decide(theirs)
                record.base = theirs
                _claim(plan, self.now)
            if needs_record:
                record.write(plan, None)
                self.run.wrote = True
        except ServiceError as error:
            self.run.errors.append(f"The status comment could not be written, so nothing "
                                   f"else was sent (a later run does it): {error}")
            return False
        return True

    def label(self) -> None:
        """3. The labels, now that the record says what they mean."""
        plan = self.run.plan
        if plan.labels_to_add or plan.labels_to_remove:
            try:
                self.adapters.github.change_labels(
                    self.run.number, plan.labels_to_add, plan.labels_to_remove,
                    {spec.name: spec for spec in plan.labels_to_create})
                self.run.wrote = True
            except ServiceError as error:
                self.run.errors.append(str(error))

    def record_results(self, record: Record) -> None:
        """5. The record again, with the results; merged with any run that wrote meanwhile."""
        plan = self.run.plan
        try:
            if record.changed_by(plan, self.run.outcome):
                theirs = record.moved()
                if theirs is not None and record.base is not None:
                    self.run.merged = True
                    plan.state = merge_states(record.base, plan.state, theirs)
                record.write(plan, self.run.outcome)
                self.run.wrote = True
        except ServiceError as error:
            self.run.errors.append(str(error))


def run_incident(loaded: LoadedIncident, adapters: Adapters, policy: Policy,
                 template: FormTemplate, now: datetime, *, sweep: bool = False,
                 run_url: str | None = None, paged: TriggerPage | None = None,
                 event: EventTime | None = None, person: str | None = None) -> IncidentRun:
    """Reconcile one incident. `paged` is the page this run already sent before loading
    (shell/first_page.py): it is recorded as done, not sent again. `event`: when the event
    this run answers happened (a late run says so). `person`: the login the token writes as
    when it is a person's, not the bot's (a run from a terminal)."""
    run = IncidentRun(loaded.issue.number, Plan(state=IncidentState()))
    steps = _Steps(loaded, adapters, policy, template, now, sweep, run, event, person)
    steps.decide(loaded.previous)
    record = Record(adapters.github, loaded.issue, loaded.status, loaded.previous,
                    policy=policy, run_url=run_url, vendors=adapters.vendors,
                    author=person)
    steps.page(paged)
    if not steps.claim(record):
        return run
    steps.label()
    # 4. Everything else, each effect on its own.
    steps.execute(run.plan.after_record())
    steps.record_results(record)
    return run
