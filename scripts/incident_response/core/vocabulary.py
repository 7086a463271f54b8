"""The words of the domain: priorities, severities and phases."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Phase", "Priority", "Severity"]


class Priority(StrEnum):
    """P1 (highest) to P4; decides whether an incident is declared (docs/process.md)."""

    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"

    @property
    def rank(self) -> int:
        """1 for P1 ... 4 for P4: lower is more urgent."""
        return int(self.value[1])


class Severity(StrEnum):
    """SEV-1 (total outage) to SEV-5 (minimal), from user impact (docs/process.md)."""

    SEV_1 = "SEV-1"
    SEV_2 = "SEV-2"
    SEV_3 = "SEV-3"
    SEV_4 = "SEV-4"
    SEV_5 = "SEV-5"

    @property
    def rank(self) -> int:
        return int(self.value[-1])


class Phase(StrEnum):
    """Where the incident is in its lifecycle; `phase:*` labels mirror it."""

    TRIAGE = "triage"
    ACTIVE = "active"
    STABLE = "stable"
    RESOLVED = "resolved"
    COMPLETED = "completed"
