"""What a team configures for PagerDuty: the Events API severity of each priority
(section `paging:`)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from incident_response.core.vocabulary import Priority

__all__ = ["PagerDutyConfig", "PagerSeverity"]

#: the severities of PagerDuty's Events API v2
PagerSeverity = Literal["critical", "error", "warning", "info"]


class PagerDutyConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    severity: dict[Priority, PagerSeverity] = Field(
        default={
            Priority.P1: "critical",
            Priority.P2: "error",
            Priority.P3: "warning",
            Priority.P4: "info",
        },
        description="PagerDuty's severity for each priority (Events API v2).")
