"""What came of a plan's effects: done, failed, skipped (no credentials) or waiting."""

from __future__ import annotations

from dataclasses import dataclass, field

from incident_response.core.decision.effects import Effect

__all__ = ["EffectResult", "Outcome"]


@dataclass(frozen=True)
class EffectResult:
    effect: Effect
    status: str  # "done", "failed", "skipped", "waiting"
    detail: str = ""
    #: who carried it out, as people know it (the vendor's name): the wiring's name for
    #: the effect's capability
    service: str = ""


@dataclass
class Outcome:
    results: list[EffectResult] = field(default_factory=list)

    @property
    def failed(self) -> list[EffectResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def skipped(self) -> list[EffectResult]:
        return [r for r in self.results if r.status == "skipped"]
