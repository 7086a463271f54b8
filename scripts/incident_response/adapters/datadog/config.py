"""What a team configures for Datadog Incident Management: its section `datadog:` and each
person's Datadog user id (`people: {login: {datadog: UUID}}`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["DatadogConfig", "DatadogFields", "DatadogPerson", "NotificationHandle"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NotificationHandle(_Model):
    handle: str
    display_name: str


class DatadogFields(_Model):
    """The names of the incident fields in the Datadog organisation (null: not set)."""

    severity: str = "severity"
    state: str = "state"
    teams: str = "teams"
    services: str = "services"
    priority: str | None = "priority"
    monitor: str | None = "monitor"
    controller: str | None = "controller"
    sub_service: str | None = "sub_service"
    acknowledged_by_team: str | None = "acknowledged_by_team"
    detection_method: str | None = "detection_method"


class DatadogConfig(_Model):
    teams: list[str] = Field(default_factory=lambda: ["Platform Identity"])
    services: list[str] = Field(default_factory=lambda: ["Identity"])
    notification_handles: list[NotificationHandle] = Field(default_factory=list)
    acknowledged_by_team: str = "Yes"
    fields: DatadogFields = DatadogFields()


class DatadogPerson(_Model):
    datadog: str | None = Field(default=None, description="Datadog user id (a UUID).")
