"""Slack through slack-sdk's WebClient: the `ChatNotifier` port.

429s are retried after the `Retry-After` Slack sends, 5xx and connection failures with
slack-sdk's own handlers; the counts come from the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    BackoffRetryIntervalCalculator,
)

from incident_response.adapters.ports import ChatMessageRef
from incident_response.adapters.slack.channels import ChannelDirectory
from incident_response.adapters.slack.layout import blocks, fallback, with_people
from incident_response.adapters.slack.refusals import SERVICE, refusal, refused
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import PostToChat
from incident_response.core.errors import Refusal, TransientServiceError
from incident_response.core.texts.chat import PERSON

__all__ = ["SlackNotifier", "metadata", "safe_link"]

#: what may stand in a link people click in Markdown (the status comment, the post-mortem)
#: unencoded: a permalink is `https://<workspace>.slack.com/archives/<channel>/p<ts>`, with
#: `?thread_ts=...&cid=...` for a reply (chat.getPermalink's examples on docs.slack.dev);
#: anything else (a parenthesis, a space, `<`) is percent-encoded so it cannot end the link
_LINK_SAFE = "/:?&=%#.-_~+"
#: how many pages of 200 messages a look reads: the newest 1,000 of the channel or the thread
_FIND_PAGES = 5


def metadata(effect: PostToChat) -> dict[str, Any]:
    """Message metadata naming the incident and the effect: how a message whose answer was
    lost is found again (conversations.history / replies with include_all_metadata)."""
    return {"event_type": effect.kind,
            "event_payload": {"incident": effect.incident, "effect": effect.key}}



def safe_link(url: str) -> str | None:
    """A link Slack gave, fit to stand in a Markdown link; None if it is not an https URL."""
    if not url.startswith("https://"):
        return None
    return quote(url, safe=_LINK_SAFE)


class SlackNotifier:
    def __init__(self, token: str, api_url: str, transport: Transport,
                 people: Mapping[str, str] | None = None) -> None:
        #: GitHub handle -> Slack user id, for mentions
        self._people = dict(people or {})
        retries = max(transport.attempts - 1, 0)
        backoff = BackoffRetryIntervalCalculator(backoff_factor=transport.backoff_seconds)
        self._client = WebClient(
            token=token,
            base_url=api_url,
            timeout=int(max(transport.timeout_seconds, 1)),
            ssl=transport.ssl_context(),
            retry_handlers=[
                RateLimitErrorRetryHandler(max_retry_count=retries),
                ServerErrorRetryHandler(max_retry_count=retries,
                                        interval_calculator=backoff),
                # No ConnectionErrorRetryHandler: it would send a post again after a lost
                # answer, and Slack has no idempotency key. A lost answer fails the effect,
                # whose claim the next run looks up by the message's metadata instead.
            ],
        )
        self._channels = ChannelDirectory(self._client)

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        message = with_people(effect.message, self._people)
        text = PERSON.sub(lambda m: f"@{m['login']}", effect.text)
        arguments: dict[str, Any] = {
            "channel": effect.channel,
            "text": fallback(text, message.more_at),
            "blocks": blocks(message),
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread:
            arguments["thread_ts"] = thread.id
            if effect.broadcast:
                arguments["reply_broadcast"] = True
        if effect.incident:
            arguments["metadata"] = metadata(effect)
        try:
            response = self._client.chat_postMessage(**arguments)
        except SlackApiError as error:
            raise refusal(error, f"posting to {effect.channel}") from error
        except (SlackClientError, OSError) as error:
            msg = f"posting to {effect.channel} failed: {type(error).__name__} (no answer)"
            raise TransientServiceError(SERVICE, msg) from error
        # The answer names the channel by its id, whatever the post named it by (termibot's
        # recording: `#bots` -> `C2J0AD99Q`): the record keeps it.
        return ChatMessageRef(channel=str(response["channel"]), id=str(response["ts"]))

    def find(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef | None:
        """The message an earlier run posted for this effect, found by its metadata.

        conversations.history (top-level) or conversations.replies (a thread) with
        `include_all_metadata`, in the channel's *id* (a name is made one first: channels.py).
        Needs `channels:history` (`groups:history` for a private channel), and `channels:read`
        (`groups:read`) to make a name an id; without them it raises a PERMISSION refusal that
        names the scope.

        The search is bounded by pages, not by time: conversations.history answers "the most
        recent messages ... first" (its docs.slack.dev page), and the copy looked for is among
        the newest; an `oldest` bound would compare the runner's clock with Slack's.
        """
        channel = thread.channel if thread else self._channels.id_of(effect.channel)
        wanted = metadata(effect)["event_payload"]
        arguments: dict[str, Any] = {"channel": channel, "include_all_metadata": True,
                                     "limit": 200}
        cursor = None
        for _ in range(_FIND_PAGES):
            try:
                if thread:
                    response = self._client.conversations_replies(ts=thread.id, cursor=cursor,
                                                                  **arguments)
                else:
                    response = self._client.conversations_history(cursor=cursor, **arguments)
            except SlackApiError as error:
                raise refusal(error, f"looking for an earlier message in {effect.channel}") \
                    from error
            except (SlackClientError, OSError) as error:
                msg = f"looking for an earlier message failed: {type(error).__name__}"
                raise TransientServiceError(SERVICE, msg) from error
            for message in response.get("messages") or []:
                payload = ((message.get("metadata") or {}).get("event_payload") or {})
                if payload.get("effect") == wanted.get("effect") and (
                        payload.get("incident") == wanted.get("incident")):
                    return ChatMessageRef(channel=channel, id=str(message["ts"]))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None

    def permalink(self, message: ChatMessageRef) -> str:
        """A link people can open to the message: chat.getPermalink, which needs no scope (its
        docs.slack.dev page lists none; tests/fixtures/slack/recorded/docs-examples.json)."""
        try:
            response = self._client.chat_getPermalink(channel=message.channel,
                                                      message_ts=message.id)
        except SlackApiError as error:
            raise refusal(error, "getting the message's link") from error
        except (SlackClientError, OSError) as error:
            msg = f"getting the message's link failed: {type(error).__name__} (no answer)"
            raise TransientServiceError(SERVICE, msg) from error
        link = safe_link(str(response.get("permalink") or ""))
        if link is None:
            msg = "getting the message's link failed: Slack answered no https link"
            raise refused(msg, reason=Refusal.INVALID)
        return link
