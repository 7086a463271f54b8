"""The effects' common base, and the page: the one effect decided before anything loads.

The Action's first step builds a `TriggerPage` on the runner's own Python before the set-up,
and every module it imports counts against the time to page: the other effects (effects.py,
which re-exports these) stay off that path.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, ClassVar, Self

from incident_response.core.vocabulary import Priority, Severity

__all__ = ["Capability", "EffectBase", "TriggerPage"]


class Capability(StrEnum):
    """What carries an effect out: a port of the adapters. Which vendor stands behind it is
    the wiring's business, not the core's."""

    PAGER = "pager"
    MIRROR = "mirror"
    CHAT = "chat"
    GITHUB = "github"


@dataclass(frozen=True)
class EffectBase:
    key: str
    #: an earlier run claimed this effect and never confirmed it: look for it before sending
    look_first: bool = field(default=False, kw_only=True)
    capability: ClassVar[Capability]

    def looking_first(self) -> Self:
        return replace(self, look_first=True)

    def describe(self) -> str:
        raise NotImplementedError


@dataclass(frozen=True)
class TriggerPage(EffectBase):
    dedup_key: str
    summary: str
    source: str
    #: the pager maps the priority to its own urgency (a severity per priority, say)
    priority: Priority
    severity: Severity
    links: tuple[tuple[str, str], ...] = ()
    custom_details: dict[str, Any] = field(default_factory=dict)

    capability: ClassVar[Capability] = Capability.PAGER

    def describe(self) -> str:
        return (f"page on-call ({self.priority}, {self.severity}), dedup_key "
                f"{self.dedup_key}: {self.summary}")
