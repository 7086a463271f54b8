"""Which scopes the Slack bot token needs for a config, said before any run: offline, from the
config's channels alone (`incident-response validate` and `init` print it).

Each scope is the one Slack's method pages on docs.slack.dev list for what the product does
(tests/fixtures/slack/recorded/docs-examples.json): chat.postMessage needs `chat:write`;
conversations.list, which makes a channel's name its id, `channels:read` for public channels and
`groups:read` for private ones; conversations.history and .replies, which find a message whose
answer was lost, `channels:history` / `groups:history`; chat.getPermalink none. A bot posts only
where it is a member unless `chat:write.public` lets it into public channels
(docs.slack.dev/reference/scopes/chat.write.public).

No vendor SDK is imported here: validate and init load none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["is_channel_id", "name_of", "scope_lines"]

#: Slack's conversation ids: an uppercase letter for the kind (C a channel, G a private channel
#: made before 2021, D a direct message), then uppercase letters and digits (C0123456789, the
#: ids of the conversation objects on docs.slack.dev). A channel name cannot match: "Channel
#: names may only contain lowercase letters, numbers, hyphens, and underscores"
#: (conversations.create on docs.slack.dev).
_ID = re.compile(r"^[CGD][A-Z0-9]{8,}$")


def is_channel_id(channel: str) -> bool:
    return bool(_ID.match(channel.strip()))


def name_of(channel: str) -> str:
    """The name as Slack spells it: without the `#`, in lowercase."""
    return channel.strip().removeprefix("#").strip().lower()


def scope_lines(channels: Iterable[str | None]) -> list[str]:
    """The bot token's scopes this config needs, each with what it is for, and what happens
    without the optional ones."""
    given = [c for c in channels if c]
    named = [c for c in given if not is_channel_id(c)]
    lines = ["chat:write: post the announcement, the updates and the notices (required)."]
    if named:
        shown = " and ".join(f"`{c}`" for c in named)
        lines.append(
            f"channels:read (and groups:read for a private channel): {shown} "
            f"{'is' if len(named) == 1 else 'are'} written as "
            f"{'a name' if len(named) == 1 else 'names'}, and Slack finds an earlier message "
            "only by a channel's id; these scopes let the bot look the id up. Write the "
            "channel's id instead (C0123456789, at the bottom of the channel's details in "
            "Slack) and they are not needed.")
    else:
        lines.append("channels:read, groups:read: not needed, the channels are written by id.")
    lines += [
        "channels:history (and groups:history for a private channel): find a message whose "
        "answer was lost, or that a lost record no longer names, before posting it again.",
        "chat:write.public: only to post to a public channel the bot was not invited to.",
        "Without the read and history scopes nothing is lost, but a message whose first answer "
        "was lost is posted again and may show twice; the run says which scope is missing.",
    ]
    return lines
