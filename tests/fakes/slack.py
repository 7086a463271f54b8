"""The Slack Web API fake: chat.postMessage and the conversation reads."""

from __future__ import annotations

import base64
import itertools
import json
import ssl
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.common import FIXTURES
from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Recorded, Reply


class FakeSlack(FakeService):
    name = "Slack"

    def __init__(self, tls: ssl.SSLContext) -> None:
        # `metadata` came to chat.postMessage after the archived 2021 description.
        # `include_all_metadata` came to conversations.history and conversations.replies with
        # message metadata too: "Return all metadata associated with this message"
        # (https://docs.slack.dev/reference/methods/conversations.history,
        # https://docs.slack.dev/reference/methods/conversations.replies; slack_sdk's
        # WebClient.conversations_history/_replies send it; slack-go/slack#1139: "needed to get
        # metadata").
        description = ApiDescription.shared(
            FIXTURES / "slack" / "web-openapi-subset.json", base_path="/api",
            extra_parameters={"/chat.postMessage": {"metadata"},
                              "/conversations.history": {"include_all_metadata"},
                              "/conversations.replies": {"include_all_metadata"}},
            # Every Web API method also takes POST, arguments form-encoded or JSON: the method
            # pages list both content types, and slack_sdk sends every call as POST ("Slack APIs
            # accepts any API method requests with POST methods", slack_sdk/web/base_client.py).
            post_for_any=True,
        )
        super().__init__(description, tls)
        self.channels = {"#identity-support": "C0SUPPORT", "#identity-leadership": "C0LEADERS"}
        self.messages: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        #: the bot token's OAuth scopes; a method needing another answers `missing_scope`
        self.scopes: set[str] = {"chat:write", "channels:history"}
        #: who the bot token posts as (a bot user, as Slack shows an app's messages)
        #: (IDs shaped as the description's defs_user_id, defs_bot_id, defs_app_id, defs_team)
        self.bot = {"user": "U0BOTUSER", "bot_id": "B0BOTUSER1", "app_id": "A0INCIDENT",
                    "team": "T0WORKSPACE"}
        self.route("POST", "chat_postMessage", self._post)
        for method in ("GET", "POST"):
            self.route(method, "conversations_history", self._history)
            self.route(method, "conversations_replies", self._replies)

    def authorise(self, request: Recorded) -> Reply | None:
        if request.headers.get("authorization") != "Bearer xoxb-test-token":
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        return None

    def _missing_scope(self, needed: str) -> Reply | None:
        """Slack's answer to a token without the method's scope: HTTP 200, `ok: false`, and the
        scope `needed` and the ones `provided` (comma-separated), e.g. apache/superset#15904,
        elementary-data/elementary#705; `needed`/`provided` are in slack_sdk's and
        @slack/web-api's response types (ConversationsHistoryResponse)."""
        if needed in self.scopes:
            return None
        return Reply(200, {"ok": False, "error": "missing_scope", "needed": needed,
                           "provided": ",".join(sorted(self.scopes))})

    def _post(self, request: Recorded, values: dict[str, str]) -> Reply:
        if (denied := self._missing_scope("chat:write")) is not None:
            return denied
        data = request.json()
        channel = self.channels.get(data["channel"], data["channel"])
        if channel not in self.channels.values():
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if (invalid := self._invalid_blocks(data.get("blocks") or [])) is not None:
            return Reply(200, {"ok": False, "error": "invalid_blocks",
                               "errors": [invalid], "response_metadata": {"messages": [
                                   f"[ERROR] {invalid}"]}})
        message = {**data, "channel": channel, "ts": f"1700000000.{next(self._ts):06d}"}
        self.messages.append(message)
        return Reply(200, {"ok": True, "channel": channel, "ts": message["ts"],
                           "message": {"text": data.get("text"), "ts": message["ts"]}})

    @staticmethod
    def _invalid_blocks(blocks: list[dict[str, Any]]) -> str | None:
        """Block Kit's documented limits, answered as Slack does (`invalid_blocks`): 50 blocks,
        a section's text 3,000 characters, its fields 10 of 2,000, a header's 150, a context's
        elements 10 (https://docs.slack.dev/reference/block-kit/blocks)."""
        if len(blocks) > 50:
            return "no more than 50 items allowed [json-pointer:/blocks]"
        for index, block in enumerate(blocks):
            where = f"[json-pointer:/blocks/{index}"
            text = (block.get("text") or {}).get("text", "")
            if block.get("type") == "header" and len(text) > 150:
                return f"must be less than 151 characters {where}/text/text]"
            if block.get("type") == "section":
                if len(text) > 3000:
                    return f"must be less than 3001 characters {where}/text/text]"
                fields = block.get("fields") or []
                if len(fields) > 10 or any(len(f.get("text", "")) > 2000 for f in fields):
                    return f"fields: at most 10 of 2000 characters {where}/fields]"
            if block.get("type") == "context" and len(block.get("elements") or []) > 10:
                return f"no more than 10 items allowed {where}/elements]"
        return None

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == self.channels.get(channel, channel)]

    def person_posts(self, channel: str, user: str, text: str,
                     thread_ts: str | None = None) -> dict[str, Any]:
        """A person writes in the channel (or in a thread) in the Slack app."""
        with self._work:
            message = {"channel": self.channels.get(channel, channel), "text": text,
                       "user": user, "ts": f"1700000000.{next(self._ts):06d}"}
            if thread_ts:
                message["thread_ts"] = thread_ts
            self.messages.append(message)
            return message

    @staticmethod
    def _decoded(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

    def _render(self, message: dict[str, Any], *, metadata: bool) -> dict[str, Any]:
        """A stored message as conversations.history/replies return it."""
        author = {"user": message["user"]} if message.get("user") else dict(self.bot)
        shown: dict[str, Any] = {"type": "message", **author, "text": message.get("text") or "",
                                 "ts": message["ts"]}
        if blocks := self._decoded(message.get("blocks")):
            shown["blocks"] = blocks
        thread_ts = message.get("thread_ts")
        if thread_ts and thread_ts != message["ts"]:
            parent = self._find(message["channel"], thread_ts)
            shown.update(thread_ts=thread_ts,
                         parent_user_id=(parent or {}).get("user") or self.bot["user"])
            if message.get("reply_broadcast") in (True, "true", "1"):
                # A reply also sent to the channel (docs.slack.dev/reference/events/message/
                # thread_broadcast).
                shown["subtype"] = "thread_broadcast"
        elif replies := self._thread_of(message["channel"], message["ts"])[1:]:
            users = list(dict.fromkeys(r.get("user") or self.bot["user"] for r in replies))
            shown.update(thread_ts=message["ts"], reply_count=len(replies),
                         reply_users_count=len(users), latest_reply=replies[-1]["ts"],
                         reply_users=users, is_locked=False, subscribed=False)
        # Metadata is returned only when asked for with include_all_metadata (see __init__).
        if metadata and (data := self._decoded(message.get("metadata"))):
            shown["metadata"] = {"event_type": data.get("event_type"),
                                 "event_payload": data.get("event_payload", {})}
        return shown

    def _find(self, channel: str, ts: str) -> dict[str, Any] | None:
        return next((m for m in self.messages if m["channel"] == channel and m["ts"] == ts),
                    None)

    def _thread_of(self, channel: str, ts: str) -> list[dict[str, Any]]:
        """The parent, then its replies, oldest first."""
        parent = self._find(channel, ts)
        if parent is None:
            return []
        replies = [m for m in self.messages if m["channel"] == channel
                   and m.get("thread_ts") == ts and m["ts"] != ts]
        return [parent, *sorted(replies, key=lambda m: float(m["ts"]))]

    @staticmethod
    def _truthy(value: Any) -> bool:
        return value is True or str(value or "").lower() in ("1", "true")

    @staticmethod
    def _arguments(request: Recorded) -> dict[str, Any]:
        """A method's arguments: query string, then a form-encoded or JSON body."""
        arguments: dict[str, Any] = {k: v[0] for k, v in parse_qs(request.query).items()}
        if request.headers.get("content-type", "").startswith("application/json"):
            arguments.update(request.json() or {})
        elif request.body:
            arguments.update({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        return arguments

    def _page(self, arguments: dict[str, str], items: list[dict[str, Any]], default: int,
              key: str) -> Reply:
        """Cursor pagination: `limit` items, and `response_metadata.next_cursor` while more
        remain (docs.slack.dev/apis/web-api/pagination; cursors are opaque base64, as the
        spec's example "bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz" = "next_ts:1512085861000543")."""
        start = 0
        if cursor := arguments.get("cursor"):
            try:
                marker = base64.b64decode(cursor).decode().removeprefix("next_ts:")
                start = next(i for i, m in enumerate(items) if m["ts"] == marker)
            except (ValueError, StopIteration):
                return Reply(200, {"ok": False, "error": "invalid_cursor"})
        limit = int(arguments.get("limit") or 0) or default
        chunk, rest = items[start:start + limit], items[start + limit:]
        body: dict[str, Any] = {"ok": True, key: chunk, "has_more": bool(rest)}
        if rest:
            body["response_metadata"] = {"next_cursor": base64.b64encode(
                f"next_ts:{rest[0]['ts']}".encode()).decode()}
        return Reply(200, body)

    def _history(self, request: Recorded, values: dict[str, str]) -> Reply:
        """conversations.history: the channel's messages, newest first; thread replies only
        when also sent to the channel (docs.slack.dev/reference/methods/conversations.history:
        "The most recent messages in the time range are returned first"; `limit` defaults to
        100; `oldest`/`latest` are exclusive unless `inclusive`)."""
        if (denied := self._missing_scope("channels:history")) is not None:
            return denied
        arguments = self._arguments(request)
        channel = self.channels.get(arguments.get("channel", ""), arguments.get("channel", ""))
        if channel not in self.channels.values():
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        inclusive = self._truthy(arguments.get("inclusive"))
        oldest, latest = float(arguments.get("oldest") or 0), float(
            arguments.get("latest") or "inf")

        def in_range(ts: float) -> bool:
            return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

        top = [m for m in self.messages if m["channel"] == channel and in_range(float(m["ts"]))
               and (not m.get("thread_ts") or m["thread_ts"] == m["ts"]
                    or m.get("reply_broadcast") in (True, "true", "1"))]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)
        metadata = self._truthy(arguments.get("include_all_metadata"))
        reply = self._page(arguments, [self._render(m, metadata=metadata) for m in top], 100,
                           "messages")
        if reply.body.get("ok"):  # fields the description requires of this answer
            reply.body.update(pin_count=0, channel_actions_ts=None, channel_actions_count=0)
        return reply

    def _replies(self, request: Recorded, values: dict[str, str]) -> Reply:
        """conversations.replies: the thread's parent, then its replies, oldest first; `ts` may
        be the parent's or a reply's (docs.slack.dev/reference/methods/conversations.replies;
        `limit` defaults to 1000)."""
        if (denied := self._missing_scope("channels:history")) is not None:
            return denied
        arguments = self._arguments(request)
        channel = self.channels.get(arguments.get("channel", ""), arguments.get("channel", ""))
        if channel not in self.channels.values():
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        message = self._find(channel, arguments.get("ts", ""))
        if message is None:
            return Reply(200, {"ok": False, "error": "thread_not_found"})
        thread = self._thread_of(channel, message.get("thread_ts") or message["ts"])
        metadata = self._truthy(arguments.get("include_all_metadata"))
        return self._page(arguments, [self._render(m, metadata=metadata) for m in thread], 1000,
                          "messages")
