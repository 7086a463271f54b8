"""How the chat names a person: one function, so every message mentions people alike."""

from __future__ import annotations

from incident_response.core.rules.policy import Policy
from incident_response.core.texts.rendering import escape_slack

__all__ = ["mention"]


def mention(policy: Policy, login: str) -> str:
    """The person's chat user, which notifies them (`<@U0123>`), when the people map has one;
    else their GitHub handle, marked as such and escaped for the chat's markup."""
    person = policy.person(login)
    if person and person.slack:
        return f"<@{person.slack}>"
    return f"@{escape_slack(login)} (GitHub)"
