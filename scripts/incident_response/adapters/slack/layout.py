"""A message laid out for Slack: Block Kit within Slack's limits, and people as mentions.

The core writes a message in the chat's light markup, with `<person:LOGIN>` for a person; here
each person becomes a Slack mention (`<@U0123>`) when the people map knows their Slack id,
else their GitHub handle, escaped and marked as such, which notifies nobody by mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from incident_response.core import names
from incident_response.core.decision.effects import Message
from incident_response.core.texts.chat import PERSON, escape_chat
from incident_response.core.texts.markdown_text import shorten

__all__ = ["blocks", "fallback", "split", "with_people"]


def _person(login: str, people: Mapping[str, str]) -> str:
    user = next((user for who, user in people.items() if names.same(who, login)), None)
    return f"<@{user}>" if user else f"@{escape_chat(login)} (GitHub)"


def with_people(message: Message, people: Mapping[str, str]) -> Message:
    """The message with every `<person:LOGIN>` written as Slack mentions them."""
    def text(value: str) -> str:
        return PERSON.sub(lambda m: _person(m["login"], people), value)

    return replace(message, text=text(message.text),
                   header=text(message.header) if message.header else None,
                   context=text(message.context) if message.context else None,
                   facts=tuple((label, text(value)) for label, value in message.facts))


# Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks a
# message, 3,000 characters a section's text, 2,000 a field and 10 fields, 150 a header.
_BLOCKS, _SECTION, _FIELD, _FIELDS, _HEADER = 50, 3000, 2000, 10, 150
#: the plain `text` is shown in notifications; Slack truncates very long ones, so it follows
#: the sections' rule
_FALLBACK = 3000


def _safe_end(text: str, cut: int) -> int:
    """`cut` moved left out of a `<link|label>`, `<@mention>` or `&entity;` it would split."""
    opened, closed = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if opened > closed:
        cut = opened
    amp = text.rfind("&", max(0, cut - 8), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    return cut


def split(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a paragraph, a line or a space
    where one is near, never inside a link, a mention, an entity or a grapheme cluster."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = next((at for at in (window.rfind(sep) for sep in ("\n\n", "\n", " "))
                    if at > limit // 2), limit)
        cut = _safe_end(rest, cut) or limit  # an atom longer than a piece is cut anyway
        head = shorten(rest[:cut], cut, ellipsis="")
        cut = len(head) or cut
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _continued(more_at: str | None) -> str:
    return f"\u2026 continued on GitHub: <{more_at}|the full text>" if more_at else "\u2026"


def fallback(text: str, more_at: str | None) -> str:
    """The plain text of a message, within the same limit and by the same rule."""
    pieces = split(text, _FALLBACK - 80)
    return pieces[0] + (" " + _continued(more_at) if len(pieces) > 1 else "") if pieces else ""


def blocks(message: Message) -> list[dict[str, Any]]:
    """Block Kit for a message: header, the facts (first, so any text can follow them), the
    text in as many sections as it needs, and the context line, within Slack's limits."""
    head: list[dict[str, Any]] = []
    if message.header:
        head.append({"type": "header", "text": {"type": "plain_text",
                                                 "text": shorten(message.header, _HEADER)}})
    if message.facts:
        head.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": split(f"*{label}*\n{value}", _FIELD)[0]}
            for label, value in message.facts[:_FIELDS]]})
    tail = ([{"type": "context", "elements": [
        {"type": "mrkdwn", "text": split(message.context, _SECTION)[0]}]}]
        if message.context else [])
    room = _BLOCKS - len(head) - len(tail)
    pieces = split(message.text, _SECTION) or [" "]
    if len(pieces) > room:
        pieces = [*pieces[:room - 1], _continued(message.more_at)]
    body = [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in pieces]
    return [*head, *body, *tail]
