"""The record's place on GitHub: the status comment, found by its marker, and its hidden block.

The block is JSON inside an HTML comment on the bot's status comment. It is trusted only from
a comment the bot's own login wrote whose first line carries the status marker: a person can
copy the text, never the author. Every reader of the record (the run, the sweep, the report,
the GitHub adapter's check of the bot's login) asks this module, so the rule is written once.
"""

from __future__ import annotations

import json
import re

from pydantic import ValidationError

from incident_response.core.record.migration import from_v1
from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.core.record.state import STATE_VERSION, IncidentState
from incident_response.core.texts.markers import (
    STATE_MARKER_START,
    STATUS_MARKER,
    strip_markers,
)

__all__ = ["STATE_MARKER_START", "STATUS_MARKER", "carries_status_marker", "parse_state",
           "render_state", "status_comment_of", "strip_markers"]

_BLOCK = re.compile(r"<!-- incident-response:state v(?P<version>\d+) (?P<json>\{.*?\}) -->", re.S)


def carries_status_marker(comment: CommentSnapshot) -> bool:
    """The status marker on the comment's first line (leading blank lines aside)."""
    return comment.body.lstrip().startswith(STATUS_MARKER)


def status_comment_of(issue: IssueSnapshot, bot_login: str) -> CommentSnapshot | None:
    """The bot's status comment: its marker on the first line, written by the bot's login."""
    return next((comment for comment in issue.comments
                 if comment.is_by(bot_login) and carries_status_marker(comment)), None)


def render_state(state: IncidentState) -> str:
    payload = state.model_dump(mode="json", exclude_defaults=True, by_alias=True)
    payload["version"] = STATE_VERSION
    # UTF-8 as it is (a Japanese update costs its characters, not six per character), with
    # `<` and `>` escaped so neither `-->` nor `<!--` can end or fake the block.
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return f"<!-- incident-response:state v{STATE_VERSION} {text} -->"


def parse_state(comment_body: str) -> IncidentState | None:
    """The state in a status comment, or None when there is none (or it cannot be read)."""
    matches = list(_BLOCK.finditer(comment_body or ""))
    if not matches:
        return None
    block = matches[-1]
    version = int(block["version"])
    if version > STATE_VERSION:
        return None
    try:
        data = json.loads(block["json"])
        if not isinstance(data, dict):
            return None
        return IncidentState.model_validate(from_v1(data) if version == 1 else data)
    except (ValueError, ValidationError):
        return None
