"""Slack through slack-sdk's WebClient: the `ChatNotifier` port.

429s are retried after the `Retry-After` Slack sends, 5xx and connection failures with
slack-sdk's own handlers; the counts come from the policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

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
from incident_response.adapters.slack.layout import blocks, fallback, with_people
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import PostToChat
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.texts.chat import PERSON

__all__ = ["SlackNotifier", "metadata"]

_SERVICE = "Slack"
_TRANSIENT = {"ratelimited", "rate_limited", "fatal_error", "internal_error", "service_unavailable",
              "request_timeout"}
_FIXES = {
    "not_in_channel": "invite the bot to the channel (/invite @your-bot)",
    "channel_not_found": "check the channel name in the config and that the bot can see it",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "not_authed": "set SLACK_BOT_TOKEN",
    "missing_scope": "give the bot the chat:write scope",
}


def metadata(effect: PostToChat) -> dict[str, Any]:
    """Message metadata naming the incident and the effect: how a message whose answer was
    lost is found again (conversations.history / replies with include_all_metadata)."""
    return {"event_type": effect.kind,
            "event_payload": {"incident": effect.incident, "effect": effect.key}}



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
            code = str(error.response.get("error", "")) if error.response is not None else ""
            status = error.response.status_code if error.response is not None else None
            text = f"posting to {effect.channel} failed: {code or status}"
            if code in _FIXES:
                text += f" ({_FIXES[code]})"
            if code in _TRANSIENT or (status is not None and (status == 429 or status >= 500)):
                raise TransientServiceError(_SERVICE, text, status=status) from error
            raise PermanentServiceError(_SERVICE, text, status=status) from error
        except (SlackClientError, OSError) as error:
            msg = f"posting to {effect.channel} failed: {type(error).__name__} (no answer)"
            raise TransientServiceError(_SERVICE, msg) from error
        return ChatMessageRef(channel=str(response["channel"]), id=str(response["ts"]))

    def find(self, effect: PostToChat, thread: ChatMessageRef | None,
             since: datetime | None) -> ChatMessageRef | None:
        """The message an earlier run posted for this effect, found by its metadata.

        conversations.history (top-level) or conversations.replies (a thread) with
        `include_all_metadata`; needs the `channels:history` scope and a channel *id*: Slack
        reads history only by id, so a channel configured by name cannot be searched.
        """
        channel = effect.channel
        if channel.startswith("#"):
            msg = (f"cannot look for an earlier message in {channel}: Slack reads history only "
                   "by channel id (configure the channel by its id, e.g. C0123456789)")
            raise PermanentServiceError(_SERVICE, msg)
        wanted = metadata(effect)["event_payload"]
        arguments: dict[str, Any] = {"channel": channel, "include_all_metadata": True,
                                     "limit": 200}
        if since is not None:  # a minute of slack for clocks that disagree
            arguments["oldest"] = f"{since.timestamp() - 60:.6f}"
        cursor = None
        for _ in range(5):  # bounded: the message is recent, a few pages at most
            try:
                if thread:
                    response = self._client.conversations_replies(ts=thread.id, cursor=cursor,
                                                                  **arguments)
                else:
                    response = self._client.conversations_history(cursor=cursor, **arguments)
            except SlackApiError as error:
                code = str(error.response.get("error", "")) if error.response is not None else ""
                msg = f"looking for an earlier message in {channel} failed: {code}"
                if code == "missing_scope":
                    msg += " (give the bot the channels:history scope)"
                raise PermanentServiceError(_SERVICE, msg) from error
            except (SlackClientError, OSError) as error:
                msg = f"looking for an earlier message failed: {type(error).__name__}"
                raise TransientServiceError(_SERVICE, msg) from error
            for message in response.get("messages") or []:
                payload = ((message.get("metadata") or {}).get("event_payload") or {})
                if payload.get("effect") == wanted.get("effect") and (
                        payload.get("incident") == wanted.get("incident")):
                    return ChatMessageRef(channel=channel, id=str(message["ts"]))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None
