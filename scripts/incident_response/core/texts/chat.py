"""The chat's light markup, as the core writes it, whatever chat is behind it.

`*bold*`, `<url|label>`, and `<person:LOGIN>` for a person, which each chat adapter writes as
its own mention (a user id from the people map, else the GitHub handle). User text is
escaped with `escape_chat`: `&`, `<` and `>`, the three characters that open control sequences,
so `<!channel>` typed in a report stays literal and no user text can forge a person.
"""

from __future__ import annotations

import re

__all__ = ["PERSON", "escape_chat", "mention"]

#: a person in a chat message, as the core writes them: `<person:octocat>`
PERSON = re.compile(r"<person:(?P<login>[A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))>")


def escape_chat(text: object) -> str:
    """User text made literal in the chat's markup."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(login: str) -> str:
    """Someone named in a chat message; the chat adapter notifies them its own way."""
    return f"<person:{login}>"
