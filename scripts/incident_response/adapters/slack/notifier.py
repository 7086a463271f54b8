"""Slack through slack-sdk's WebClient: the `ChatNotifier` port.

429s are retried after the `Retry-After` Slack sends, 5xx and connection failures with
slack-sdk's own handlers; the counts come from the policy.
"""

from __future__ import annotations

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

from incident_response.adapters.ports import SlackMessageRef
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import Message, PostToChat
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.texts.markdown_text import shorten

__all__ = ["SlackNotifier"]

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


# Slack's Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): 50 blocks a
# message, 3,000 characters a section's text, 2,000 a field and 10 fields, 150 a header.
_BLOCKS, _SECTION, _FIELD, _FIELDS, _HEADER = 50, 3000, 2000, 10, 150
#: the plain `text` is shown in notifications; Slack truncates very long ones, so it follows
#: the sections' rule
_FALLBACK = 3000


def _safe_end(text: str, cut: int) -> int:
    """`cut` moved left out of a `<link|label>`, `<@mention>` or `&entity;` it would split."""
    opened, closed = text.rfind("<", 0, cut), text.rfind(">", 0, cut)
    if opened > closed:
        cut = opened
    amp = text.rfind("&", max(0, cut - 8), cut)
    if amp != -1 and ";" not in text[amp:cut]:
        cut = amp
    return cut


def split(text: str, limit: int) -> list[str]:
    """`text` in pieces of at most `limit` characters, cut at a paragraph, a line or a space
    where one is near, never inside a link, a mention, an entity or a grapheme cluster."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        window = rest[:limit]
        cut = next((at for at in (window.rfind(sep) for sep in ("\n\n", "\n", " "))
                    if at > limit // 2), limit)
        cut = _safe_end(rest, cut) or limit  # an atom longer than a piece is cut anyway
        head = shorten(rest[:cut], cut, ellipsis="")
        cut = len(head) or cut
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def _continued(more_at: str | None) -> str:
    return f"\u2026 continued on GitHub: <{more_at}|the full text>" if more_at else "\u2026"


def fallback(text: str, more_at: str | None) -> str:
    """The plain text of a message, within the same limit and by the same rule."""
    pieces = split(text, _FALLBACK - 80)
    return pieces[0] + (" " + _continued(more_at) if len(pieces) > 1 else "") if pieces else ""


def blocks(message: Message) -> list[dict[str, Any]]:
    """Block Kit for a message: header, the facts (first, so any text can follow them), the
    text in as many sections as it needs, and the context line, within Slack's limits."""
    head: list[dict[str, Any]] = []
    if message.header:
        head.append({"type": "header", "text": {"type": "plain_text",
                                                 "text": shorten(message.header, _HEADER)}})
    if message.facts:
        head.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": split(f"*{label}*\n{value}", _FIELD)[0]}
            for label, value in message.facts[:_FIELDS]]})
    tail = ([{"type": "context", "elements": [
        {"type": "mrkdwn", "text": split(message.context, _SECTION)[0]}]}]
        if message.context else [])
    room = _BLOCKS - len(head) - len(tail)
    pieces = split(message.text, _SECTION) or [" "]
    if len(pieces) > room:
        pieces = [*pieces[:room - 1], _continued(message.more_at)]
    body = [{"type": "section", "text": {"type": "mrkdwn", "text": piece}} for piece in pieces]
    return [*head, *body, *tail]


def metadata(effect: PostToChat) -> dict[str, Any]:
    """Message metadata naming the incident and the effect: how a message whose answer was
    lost is found again (conversations.history / replies with include_all_metadata)."""
    return {"event_type": effect.kind,
            "event_payload": {"incident": effect.incident, "effect": effect.key}}


class SlackNotifier:
    def __init__(self, token: str, api_url: str, transport: Transport) -> None:
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

    def post(self, effect: PostToChat, thread_ts: str | None) -> SlackMessageRef:
        arguments: dict[str, Any] = {
            "channel": effect.channel,
            "text": fallback(effect.text, effect.message.more_at),
            "blocks": blocks(effect.message),
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if thread_ts:
            arguments["thread_ts"] = thread_ts
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
        return SlackMessageRef(channel=str(response["channel"]), ts=str(response["ts"]))

    def find(self, effect: PostToChat, thread_ts: str | None,
             since: datetime | None) -> SlackMessageRef | None:
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
                if thread_ts:
                    response = self._client.conversations_replies(ts=thread_ts, cursor=cursor,
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
                    return SlackMessageRef(channel=channel, ts=str(message["ts"]))
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None
        return None
