"""The answers on GitHub to what people did: a reaction, a reply, a comment on the pull request.

They wait in the record's outbox (a command's 👍, a refusal, a reopen's explanation, a chase
on the post-mortem pull request) until sent.
"""

from __future__ import annotations

from incident_response.core.decision.effects import Effect, PostComment, React
from incident_response.core.record.state import IncidentState, Pending
from incident_response.core.texts.markdown_text import code_points, shorten

__all__ = ["GITHUB_BODY", "GITHUB_TITLE", "pending", "replies"]

#: GitHub's limits, in characters (code points, as GitHub counts them): an issue's or pull
#: request's title, and a comment's body (with room for the effect's marker)
GITHUB_TITLE = 256
GITHUB_BODY = 65_536 - 200


def pending(state: IncidentState, kind: str) -> list[Pending]:
    """The outbox's entries of one kind, in the order they were queued."""
    return [item for item in state.outbox if item.kind == kind]


def replies(state: IncidentState) -> list[Effect]:
    wanted: list[Effect] = []
    for reply in pending(state, "reply"):
        if reply.reaction and reply.comment_id:
            wanted.append(React(key=reply.key, comment_id=reply.comment_id,
                                content=reply.reaction))
        elif reply.text:
            wanted.append(PostComment(key=reply.key, body=shorten(reply.text, GITHUB_BODY,
                                                                  measure=code_points)))
    wanted.extend(PostComment(key=item.key, body=item.text or "", on=item.comment_id)
                  for item in pending(state, "pr-comment"))
    return wanted
