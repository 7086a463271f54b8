"""Channels as the config writes them (`#identity-support`) made the ids Slack reads by.

Slack posts to a channel given by name or id: chat.postMessage takes "an encoded ID or channel
name" (its docs.slack.dev page; the termibot recording posts to `#bots` and is answered with
the id `C2J0AD99Q`, tests/fixtures/slack/recorded/chat.postMessage.channel-name.json). But it
reads a channel's messages only by id: conversations.history and conversations.replies take the
"Conversation ID to fetch history for" (their docs.slack.dev pages), and a name is answered
`channel_not_found` (slackapi/python-slack-sdk#237). So a message whose answer was lost can be
looked for in a channel written as a name only once the name is made an id, which is what
conversations.list is for:

- it needs `channels:read` to list public channels and `groups:read` for private ones, and a
  token without the scope of a type it asks for is refused as a whole (`missing_scope`,
  `needed: im:read` for `types=im`: getsentry/sentry#18317). So public channels are listed
  first, private ones only when the name is not among them: a bot without `groups:read` still
  finds every public channel, and is told which scope a private one needs.
- it lists a private channel only when the bot is in it (slack-go/slack#797).
- it pages with `response_metadata.next_cursor` (`""` on the last page: slack-ruby-client's
  recorded conversations.list, tests/fixtures/slack/recorded/conversations.list.paginated.json).
- "Channel names may only contain lowercase letters, numbers, hyphens, and underscores"
  (conversations.create on docs.slack.dev): a name is compared without its `#` and without
  case, with the channel's `name` and `name_normalized`.

An id (scopes.py tells one from a name) is used as it is, without a call.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from incident_response.adapters.slack.refusals import SERVICE, refusal, refused, scope_fix
from incident_response.adapters.slack.scopes import is_channel_id, name_of
from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    TransientServiceError,
)

__all__ = ["ChannelDirectory"]

#: conversations.list's `limit`: "Must be an integer under 1000" on the method's page (other
#: copies of it say "no larger than 1000"): 999 is valid by either reading, and the fewest pages
_PAGE = 999
#: a workspace of 50,000 channels is listed; beyond that, configure the channel by id
_PAGES = 50


class ChannelDirectory:
    """Channel names made ids, each listed once per run (the record keeps what it learns, so
    the next run asks nothing)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._ids: dict[str, str] = {}
        #: a name that could not be resolved, and why: said once, not asked again this run
        self._refused: dict[str, PermanentServiceError] = {}

    def id_of(self, channel: str) -> str:
        """The channel's id: as it is when it is one, else found by its name."""
        if is_channel_id(channel):
            return channel.strip()
        name = name_of(channel)
        if name in self._ids:
            return self._ids[name]
        if name in self._refused:
            raise self._refused[name]
        try:
            found = self._listed(name, "public_channel") or self._private(channel, name)
        except PermanentServiceError as error:
            self._refused[name] = error
            raise
        if found is None:
            fix = ("check the channel's name in the config (chat:), or write its id "
                   "(C0123456789, from the channel's details in Slack); a private channel is "
                   "seen only once the bot is invited (/invite @your-bot)")
            unknown = refused(f"no channel named {channel} that the bot can see",
                              reason=Refusal.GONE, fix=fix)
            self._refused[name] = unknown
            raise unknown
        self._ids[name] = found
        return found

    def _private(self, channel: str, name: str) -> str | None:
        try:
            return self._listed(name, "private_channel")
        except PermanentServiceError as error:
            if error.reason is not Refusal.PERMISSION:
                raise
            fix = f"if it is a private channel, {scope_fix('groups:read')}"
            raise refused(f"{channel} is not a public channel, and the bot may not list "
                          "private ones to find it", reason=Refusal.PERMISSION, fix=fix) \
                from error

    def _listed(self, name: str, kind: str) -> str | None:
        cursor: str | None = None
        for _ in range(_PAGES):
            try:
                response = self._client.conversations_list(
                    types=kind, exclude_archived=True, limit=_PAGE, cursor=cursor)
            except SlackApiError as error:
                raise refusal(error, f"finding the channel #{name} (conversations.list)") \
                    from error
            except (SlackClientError, OSError) as error:
                msg = f"finding the channel #{name} failed: {type(error).__name__} (no answer)"
                raise TransientServiceError(SERVICE, msg) from error
            # Every channel a page shows is kept: the config's other channel is often on it.
            for conversation in response.get("channels") or []:
                if isinstance(conversation, dict) and conversation.get("id"):
                    for seen in _names(conversation):
                        self._ids.setdefault(seen, str(conversation["id"]))
            if name in self._ids:
                return self._ids[name]
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if cursor is None:
                return None
        msg = f"the workspace has more than {_PAGE * _PAGES:,} channels to look #{name} up in"
        raise refused(msg, reason=Refusal.INVALID,
                      fix="write the channel's id in the config (C0123456789)")


def _names(conversation: dict[str, Any]) -> set[str]:
    """The names a channel answers to: its `name` and `name_normalized`, in lowercase."""
    return {str(conversation.get(key) or "").lower()
            for key in ("name", "name_normalized")} - {""}
