"""A second chat vendor, for the tests only: Microsoft Teams, behind the same `ChatNotifier` port.

It proves the recipe in docs/architecture.md: a chat is an adapter that lays the core's neutral
`Message` out its own way (here an Adaptive Card: a header, the facts as a FactSet, the text,
the context) and writes each `<person:LOGIN>` as its own mention (Teams: `<at>Name</at>` with a
mention entity naming the person's Teams id), with its own id of each person. Nothing in core/
knows it exists. It keeps its messages in memory, as a Teams channel holds them: top-level
posts and replies in a post's thread, each tagged with the incident and the effect (Teams keeps
such tags in a message's `channelData`), which is how `find` answers after a lost answer.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from incident_response.adapters.ports import ChatMessageRef
from incident_response.core import names
from incident_response.core.decision.effects import Message, PostToChat
from incident_response.core.texts.chat import PERSON

__all__ = ["TeamsCard", "TeamsChat"]


@dataclass
class TeamsCard:
    """A posted message as Teams holds it: its card, its mentions, where it is, its tags."""

    id: str
    channel: str
    card: dict[str, Any]
    mentions: list[dict[str, Any]]
    thread: str | None
    tags: dict[str, str] = field(default_factory=dict)


class TeamsChat:
    """The `ChatNotifier` port over an in-memory Teams channel set."""

    def __init__(self, people: Mapping[str, tuple[str, str]]) -> None:
        #: GitHub handle -> (Teams user id, display name)
        self.people = dict(people)
        self.posted: list[TeamsCard] = []
        self._ids = itertools.count(1)

    def _mention(self, login: str, mentions: list[dict[str, Any]]) -> str:
        known = next((who for key, who in self.people.items() if names.same(key, login)), None)
        if known is None:
            return f"@{login} (GitHub)"
        user, name = known
        mentions.append({"type": "mention", "text": f"<at>{name}</at>",
                         "mentioned": {"id": user, "name": name}})
        return f"<at>{name}</at>"

    def _card(self, message: Message, mentions: list[dict[str, Any]]) -> dict[str, Any]:
        def text(value: str) -> str:
            return PERSON.sub(lambda m: self._mention(m["login"], mentions), value)

        body: list[dict[str, Any]] = []
        if message.header:
            body.append({"type": "TextBlock", "text": text(message.header), "weight": "Bolder",
                         "size": "Medium"})
        if message.facts:
            body.append({"type": "FactSet", "facts": [
                {"title": label, "value": text(value)} for label, value in message.facts]})
        body.append({"type": "TextBlock", "text": text(message.text), "wrap": True})
        if message.context:
            body.append({"type": "TextBlock", "text": text(message.context),
                         "isSubtle": True, "size": "Small"})
        return {"type": "AdaptiveCard", "version": "1.5", "body": body,
                "msteams": {"entities": mentions}}

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        mentions: list[dict[str, Any]] = []
        card = self._card(effect.message, mentions)
        posted = TeamsCard(id=f"teams-{next(self._ids)}", channel=effect.channel, card=card,
                           mentions=mentions, thread=thread.id if thread else None,
                           tags={"incident": effect.incident, "effect": effect.key})
        self.posted.append(posted)
        return ChatMessageRef(channel=effect.channel, id=posted.id)

    def find(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef | None:
        for posted in self.posted:
            if posted.tags == {"incident": effect.incident, "effect": effect.key} and (
                    thread is None or posted.thread == thread.id):
                return ChatMessageRef(channel=posted.channel, id=posted.id)
        return None

    def permalink(self, message: ChatMessageRef) -> str:
        """A Teams deep link to a channel message (`/l/message/{channel}/{message id}`)."""
        return (f"https://teams.microsoft.com/l/message/{quote(message.channel, safe='')}/"
                f"{quote(message.id, safe='')}")
