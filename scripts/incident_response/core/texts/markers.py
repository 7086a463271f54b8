"""The bot's own marker sequences, and how user text is kept from carrying one.

Every reader of what the bot writes (the run's, the sweep's, the report's) finds the record by
these sequences: the status marker on the status comment's first line, the state block, the
effect marker on each comment's first line. User text may hold them (pasted from a status
comment, or typed on purpose), so every path of user text into what the bot writes goes
through `strip_markers`: the escaping of Markdown (core/texts/markdown_text.py, every filter
and function), raw text outside Markdown (an issue or pull request title, a pager summary, an
incident tool's field). No module is imported here: the page's path uses it too.
"""

from __future__ import annotations

import re

__all__ = ["STATE_MARKER_START", "STATUS_MARKER", "strip_markers"]

STATUS_MARKER = "<!-- incident-response:status -->"
#: how every state block begins; user text must never contain it (strip_markers)
STATE_MARKER_START = "<!-- incident-response:state"
#: any of the bot's own markers, as user text might carry them (HTML allows spaces and any
#: case after `<!--`; the readers' patterns do not, but a marker in any spelling is refused)
_ANY_MARKER = re.compile(r"<!--\s*incident-response:", re.IGNORECASE)
#: U+2060 WORD JOINER: invisible, so the text reads as typed, and it breaks the sequence
_JOINER = "\u2060"


def strip_markers(text: str) -> str:
    """User text with the bot's marker sequences made inert (`<!-- incident-response:` gets a
    word joiner after `<!--`), so no reader of what the bot wrote, the bot included, finds a
    marker or a state block in what someone typed."""
    return _ANY_MARKER.sub(lambda m: m.group(0)[:4] + _JOINER + m.group(0)[4:], text)
