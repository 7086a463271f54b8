"""What a team configures for Slack: each person's Slack user id
(`people: {login: {slack: U0123ABCD}}`), so a mention notifies them. The channels are the
chat's routing (`chat:`), the same whatever chat is behind it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SlackPerson"]


class SlackPerson(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    slack: str | None = Field(default=None, description="Slack user id, e.g. U0123ABCD.")
