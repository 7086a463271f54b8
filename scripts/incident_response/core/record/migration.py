"""Records written by earlier versions, read as today's.

Version 1 kept texts in the state (updates, notes, replies); version 2 keeps fact ids and
watermarks and reads the texts again from the comments that carry them.
"""

from __future__ import annotations

from typing import Any

from incident_response.core.record import keys

__all__ = ["from_v1"]


def from_v1(data: dict[str, Any]) -> dict[str, Any]:
    """A version-1 block (texts kept in the state) read as version 2: ids and watermarks."""
    done = [k for k in data.get("done", []) if not k.startswith(keys.PER_FACT)]
    outbox = []
    for note in data.get("notes", []):
        key = keys.chat_note(note['id'])
        if key not in data.get("done", []):
            outbox.append({"key": key, "kind": "note", "text": note["text"],
                           "channel": note.get("channel"), "broadcast": note.get("broadcast")})
    for reply in data.get("replies", []):
        key = keys.reply(reply['id'])
        if key not in data.get("done", []):
            outbox.append({"key": key, "kind": "reply", "text": reply.get("body"),
                           "comment_id": reply.get("comment_id"),
                           "reaction": reply.get("reaction")})
    updates = data.get("updates", [])
    return {
        **{k: v for k, v in data.items() if k not in (
            "notes", "replies", "updates", "timeline", "followups", "processed_comments",
            "processed_label_events", "reminders_sent")},
        "done": done, "outbox": outbox,
        "watermark": max(data.get("processed_comments") or [0]),
        "label_watermark": max(data.get("processed_label_events") or [0]),
        "updates": [u["id"] for u in updates],
        "last_update_at": max((u["at"] for u in updates), default=None),
        "followups": [{"id": f["id"], "owner": f.get("owner"),
                       "issue_number": f.get("issue_number")}
                      for f in data.get("followups", [])],
        "reminder_count": len(data.get("reminders_sent", [])),
    }
