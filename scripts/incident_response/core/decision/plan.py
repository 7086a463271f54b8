"""A run's decision: the state to record, the labels to set and the effects to carry out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from incident_response.core.decision.effects import Effect, TriggerPage
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.answers import FieldProblem, FormAnswers
from incident_response.core.rules.classification import Classification
from incident_response.core.rules.labels import LabelSpec
from incident_response.core.rules.lateness import LateRun

__all__ = ["Plan"]


@dataclass
class Plan:
    state: IncidentState
    labels_to_add: list[str] = field(default_factory=list)
    labels_to_remove: list[str] = field(default_factory=list)
    labels_to_create: list[LabelSpec] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    answers: FormAnswers | None = None
    classification: Classification | None = None
    problems: list[FieldProblem] = field(default_factory=list)
    #: effects the policy wants but that were given up after too many failed attempts
    abandoned: list[str] = field(default_factory=list)
    #: one-line facts for the responder (why nothing went out, what is waiting)
    notices: list[str] = field(default_factory=list)
    #: the record was lost and this run rebuilds it (a new status comment says so)
    rebuilding: bool = False
    #: effects another run has claimed and may still be sending: left to it for now
    in_flight: list[str] = field(default_factory=list)
    #: this run started late after its event (its notice is among `notices` too)
    late: LateRun | None = None

    def page_already_sent(self, page: TriggerPage, at: datetime) -> bool:
        """The page left before this plan was made (before the incident was loaded, or
        before the run decided again from a newer record): recorded as done, and not sent
        again. False when this plan pages for nothing, or for another dedup key."""
        if not any(isinstance(e, TriggerPage) and e.dedup_key == page.dedup_key
                   for e in self.effects):
            return False
        self.state.record_page(page.dedup_key, at)
        self.effects = [e for e in self.effects if not isinstance(e, TriggerPage)]
        return True

    def before_record(self) -> list[Effect]:
        """What goes out before the record is written, and even if it cannot be: the page
        alone. It is idempotent by its dedup key, so it needs no record; everything else
        waits for the record, whose claims are what stop a later run from repeating it."""
        return [e for e in self.effects if isinstance(e, TriggerPage)]

    def after_record(self) -> list[Effect]:
        before = self.before_record()
        return [e for e in self.effects if e not in before]
