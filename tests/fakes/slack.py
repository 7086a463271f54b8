"""The Slack Web API fake: chat.postMessage, chat.getPermalink and the conversation methods.

Answers are shaped as Slack's recorded answers are (tests/fixtures/slack/recorded/, checked
by tests/adapters/test_slack_recordings.py): a posted message comes back as Slack renders it
(blocks with `block_id`s, the bot's profile), channels as conversation objects, errors as
`ok: false` with HTTP 200, and every answer to a known token carries `X-OAuth-Scopes` and
`X-Accepted-OAuth-Scopes`. What a test can change at any point: the token's scopes (`scopes`),
the token itself (`revoke_token`), the channels (`add_channel`, `archive`, `remove_bot`,
`invite_bot`; `channels` still maps `#name` to an id), and rate limits (`rate_limit`).
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import ssl
import uuid
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.common import FIXTURES
from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Fault, Recorded, Reply

TOKEN = "xoxb-test-token"
#: The scopes each method accepts, public channels' first (docs.slack.dev method pages, kept in
#: tests/fixtures/slack/recorded/docs-examples.json; the order of the recorded
#: X-Accepted-OAuth-Scopes headers). chat.getPermalink needs none (its page lists no scope;
#: the 2021 description says `slackAuth: none`).
ACCEPTED_SCOPES = {
    "chat_postMessage": ("chat:write",),
    "chat_getPermalink": (),
    "conversations_list": ("channels:read", "groups:read", "mpim:read", "im:read"),
    "conversations_info": ("channels:read", "groups:read", "mpim:read", "im:read"),
    "conversations_history": ("channels:history", "groups:history", "mpim:history",
                              "im:history"),
    "conversations_replies": ("channels:history", "groups:history", "mpim:history",
                              "im:history"),
}
#: conversations.list `types` and the scope each needs (docs.slack.dev/reference/methods/
#: conversations.list; getsentry/sentry#18317: asking for `im` without im:read answered
#: `missing_scope` with `needed: im:read` to a token that listed channels fine)
TYPE_SCOPES = {"public_channel": "channels:read", "private_channel": "groups:read",
               "mpim": "mpim:read", "im": "im:read"}
#: what a revoked or deactivated token answers (chat.postMessage's errors on docs.slack.dev)
TOKEN_ERRORS = ("invalid_auth", "token_revoked", "account_inactive")
#: the default app icons of a bot without its own (zenn-contents' recorded bot_profile)
ICONS = {"image_36": "https://a.slack-edge.com/80588/img/plugins/app/bot_36.png",
         "image_48": "https://a.slack-edge.com/80588/img/plugins/app/bot_48.png",
         "image_72": "https://a.slack-edge.com/80588/img/plugins/app/service_72.png"}
CREATED = 1700000000


class FakeSlack(FakeService):
    name = "Slack"
    #: the workspace's subdomain, as permalinks show it
    workspace = "identity-team"

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
        # The 2021 description makes chat.getPermalink's `token` a required query argument, but
        # Slack takes the token in the Authorization header ("Tokens should be passed as an
        # HTTP Authorization header or alternatively, as a POST parameter", every method page),
        # which is where slack_sdk sends it; `authorise` checks it there.
        for item in description.document["paths"].values():
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    if parameter.get("name") == "token" and parameter.get("in") != "header":
                        parameter["required"] = False
        super().__init__(description, tls)
        #: `#name` -> channel id; a channel named here and not declared with `add_channel` is a
        #: public channel the bot is in
        self.channels = {"#identity-support": "C0SUPPORT", "#identity-leadership": "C0LEADERS"}
        #: channel id -> what Slack knows of it (see `add_channel`)
        self.conversations: dict[str, dict[str, Any]] = {}
        self.messages: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        #: the bot token's OAuth scopes; a method needing another answers `missing_scope`
        self.scopes: set[str] = {"chat:write", "channels:history"}
        #: set by `revoke_token`: what every call answers from then on
        self.token_error: str | None = None
        #: who the bot token posts as (a bot user, as Slack shows an app's messages)
        #: (IDs shaped as the description's defs_user_id, defs_bot_id, defs_app_id, defs_team)
        self.bot = {"user": "U0BOTUSER", "bot_id": "B0BOTUSER1", "app_id": "A0INCIDENT",
                    "team": "T0WORKSPACE"}
        self.route("POST", "chat_postMessage", self._post)
        for method in ("GET", "POST"):
            self.route(method, "conversations_history", self._history)
            self.route(method, "conversations_replies", self._replies)
            self.route(method, "conversations_list", self._list)
            self.route(method, "conversations_info", self._info)
            self.route(method, "chat_getPermalink", self._permalink)

    # -- what a test says happened in Slack -----------------------------------------------------

    def add_channel(self, name: str, channel_id: str | None = None, *, private: bool = False,
                    archived: bool = False, member: bool = True) -> dict[str, Any]:
        """A channel in the workspace: public or private, archived or not, with the bot in it
        or not. A private channel made since March 2021 has a C id, `is_channel: true` and
        `is_group: false`; only older ones are G "groups" (docs.slack.dev/reference/objects/
        conversation-object and group-object)."""
        name = name.removeprefix("#")
        with self._work:
            self._sync()  # channels named earlier were created earlier
            channel_id = channel_id or f"C0CHAN{next(self._ids):05d}"
            record = {"id": channel_id, "name": name, "is_private": private,
                      "is_archived": archived, "is_member": member,
                      "created": CREATED + len(self.conversations)}
            self.conversations[channel_id] = record
            self.channels[f"#{name}"] = channel_id
            return record

    def archive(self, channel: str) -> None:
        self._record(channel)["is_archived"] = True

    def remove_bot(self, channel: str) -> None:
        """Someone removes the bot from the channel (/kick @bot, or it leaves)."""
        self._record(channel)["is_member"] = False

    def invite_bot(self, channel: str) -> None:
        self._record(channel)["is_member"] = True

    def revoke_token(self, error: str = "token_revoked") -> None:
        """The token stops working: the app was uninstalled or the token revoked
        (`token_revoked`), its user or workspace deactivated (`account_inactive`), or it was
        never valid (`invalid_auth`)."""
        if error not in TOKEN_ERRORS:
            msg = f"Slack answers one of {TOKEN_ERRORS} to a dead token, not {error!r}"
            raise ValueError(msg)
        self.token_error = error

    def rate_limit(self, operation_id: str, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of the method are rate limited as Slack does it: HTTP 429,
        `Retry-After` in seconds and `{"ok": false, "error": "ratelimited"}` (an answer
        recorded in beginner-corp/slack#105; slack_sdk's tests mock the same)."""
        self.inject(operation_id, *[Fault(status=429, headers={"Retry-After": str(retry_after)},
                                          body={"ok": False, "error": "ratelimited"})
                                    for _ in range(times)])

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

    # -- the channels ------------------------------------------------------------------------

    def _sync(self) -> None:
        """Channels named only in `channels` (tests written before `add_channel`) are public
        and have the bot in them."""
        for name, channel_id in list(self.channels.items()):
            if channel_id not in self.conversations:
                self.conversations[channel_id] = {
                    "id": channel_id, "name": name.removeprefix("#"), "is_private": False,
                    "is_archived": False, "is_member": True,
                    "created": CREATED + len(self.conversations)}

    def _record(self, channel: str) -> dict[str, Any]:
        with self._work:
            found = self._lookup(channel, by_name=True)
            if found is None:
                msg = f"no channel {channel!r} in the fake"
                raise KeyError(msg)
            return found

    def _lookup(self, value: str, *, by_name: bool) -> dict[str, Any] | None:
        """A channel by id or, where the method takes names, by name with or without `#`.

        chat.postMessage takes "an encoded ID or channel name" (its docs.slack.dev page): the
        termibot recording posts to `#bots` and is answered with the id, and a bare name
        resolves too (archive/github-actions-slack#14 posted to `software-website` and got
        `not_in_channel`, not `channel_not_found`). The conversation methods take the
        "Conversation ID" only.
        """
        self._sync()
        if value in self.conversations:
            return self.conversations[value]
        if by_name:
            name = value.removeprefix("#")
            return next((c for c in self.conversations.values() if c["name"] == name), None)
        return None

    def _visible(self, value: str, *, by_name: bool = False) -> dict[str, Any] | None:
        """A channel the bot can see: a private channel without the bot in it does not exist
        for it (`channel_not_found` until the bot is invited: czbiohub-sf/Rapid-QC-MS#82)."""
        channel = self._lookup(value, by_name=by_name)
        if channel is None or (channel["is_private"] and not channel["is_member"]):
            return None
        return channel

    def _conversation(self, channel: dict[str, Any], *, info: bool = False,
                      arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """A channel as a conversation object: the keys and types of slack-ruby-client's
        recorded conversations.list answer (2021), plus `updated` (ms) and `context_team_id`,
        which Slack added since (docs.slack.dev's conversations.list/info examples,
        java-slack-sdk's recorded samples)."""
        team = self.bot["team"]
        shown: dict[str, Any] = {
            "id": channel["id"], "name": channel["name"], "is_channel": True, "is_group": False,
            "is_im": False, "is_mpim": False, "is_private": channel["is_private"],
            "created": channel["created"], "is_archived": channel["is_archived"],
            "is_general": channel["name"] == "general", "unlinked": 0,
            "name_normalized": channel["name"], "is_shared": False, "is_org_shared": False,
            "is_pending_ext_shared": False, "pending_shared": [], "context_team_id": team,
            "updated": channel["created"] * 1000, "parent_conversation": None,
            "creator": "U0CREATOR", "is_ext_shared": False, "shared_team_ids": [team],
            "pending_connected_team_ids": [], "is_member": channel["is_member"],
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0}, "previous_names": []}
        if not info:
            shown["num_members"] = 3
            return shown
        # conversations.info: the caller's read marker in a channel it is in (the channel
        # object of slack-ruby-client's recorded conversations.setTopic answer, java-slack-sdk's
        # samples), the member count and locale only when asked (the method's arguments).
        if channel["is_member"]:
            posted = [m["ts"] for m in self.messages if m["channel"] == channel["id"]]
            shown["last_read"] = max(posted, key=float) if posted else "0000000000.000000"
        if self._truthy((arguments or {}).get("include_num_members")):
            shown["num_members"] = 3
        if self._truthy((arguments or {}).get("include_locale")):
            shown["locale"] = "en-US"
        return shown

    # -- what every answer shares ------------------------------------------------------------

    def authorise(self, request: Recorded) -> Reply | None:
        header = request.headers.get("authorization")
        if not header:  # recorded: slack-ruby-client's auth_test_error.yml; apache/superset#30026
            return Reply(200, {"ok": False, "error": "not_authed"})
        if header != f"Bearer {TOKEN}":
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        if self.token_error:
            return Reply(200, {"ok": False, "error": self.token_error})
        return None

    def _dispatch(self, request: Recorded) -> tuple[Reply | None, Fault | None]:
        reply, fault = super()._dispatch(request)
        if reply is None or not request.operation:
            return reply, fault
        if request.headers.get("authorization") == f"Bearer {TOKEN}" and not self.token_error:
            # On every recorded answer to a valid token (termibot, slack-ruby-client).
            extra = {"X-OAuth-Scopes": ",".join(sorted(self.scopes))}
            if accepted := ACCEPTED_SCOPES.get(request.operation):
                extra["X-Accepted-OAuth-Scopes"] = ",".join(accepted)
            reply.headers = {**reply.headers, **extra}
        content_type = request.headers.get("content-type", "")
        if (request.method == "POST" and content_type.startswith("application/json")
                and "charset" not in content_type and isinstance(reply.body, dict)
                and reply.body.get("ok")):
            # JSON posted without a charset: Slack does it and warns (termibot's recordings).
            metadata = {**reply.body.get("response_metadata", {}),
                        "warnings": ["missing_charset"]}
            reply.body = {**reply.body, "warning": "missing_charset",
                          "response_metadata": metadata}
        return reply, fault

    def _missing_scope(self, needed: str) -> Reply | None:
        """Slack's answer to a token without the method's scope: HTTP 200, `ok: false`, and the
        scope `needed` and the ones `provided` (comma-separated), e.g. apache/superset#15903,
        getsentry/sentry#18317, elementary-data/elementary#705; `needed`/`provided` are in
        slack_sdk's and @slack/web-api's response types (ConversationsHistoryResponse)."""
        if needed in self.scopes:
            return None
        return Reply(200, {"ok": False, "error": "missing_scope", "needed": needed,
                           "provided": ",".join(sorted(self.scopes))})

    def _scoped(self, operation_id: str, channel: dict[str, Any] | None) -> Reply | None:
        """A method on a channel needs the scope of the channel's type (public: channels:*,
        private: groups:*); a token with none of the method's scopes is refused before the
        channel is looked at."""
        accepted = ACCEPTED_SCOPES[operation_id]
        if not self.scopes & set(accepted):
            return self._missing_scope(accepted[0])
        if channel is not None:
            return self._missing_scope(accepted[1] if channel["is_private"] else accepted[0])
        return None

    @staticmethod
    def _decoded(value: Any) -> Any:
        return json.loads(value) if isinstance(value, str) else value

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

    # -- chat.postMessage ----------------------------------------------------------------------

    def _post(self, request: Recorded, values: dict[str, str]) -> Reply:
        if (denied := self._missing_scope("chat:write")) is not None:
            return denied
        data = self._arguments(request)
        channel = self._visible(str(data.get("channel", "")), by_name=True)
        if channel is None:
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if channel["is_archived"]:  # dblock/slack-strava#112
            return Reply(200, {"ok": False, "error": "is_archived"})
        if not channel["is_member"] and (channel["is_private"]
                                         or "chat:write.public" not in self.scopes):
            # A bot posts only where it is a member, unless chat:write.public lets it into
            # public channels (docs.slack.dev/reference/scopes/chat.write.public);
            # archive/github-actions-slack#14, slack-ruby/slack-ruby-client#124.
            return Reply(200, {"ok": False, "error": "not_in_channel"})
        if (invalid := self._invalid_blocks(self._decoded(data.get("blocks")) or [])) is not None:
            return Reply(200, {"ok": False, "error": "invalid_blocks",
                               "errors": [invalid], "response_metadata": {"messages": [
                                   f"[ERROR] {invalid}"]}})
        message = {**data, "channel": channel["id"], "ts": f"1700000000.{next(self._ts):06d}"}
        self.messages.append(message)
        # The answer names the channel by id whatever was asked (termibot: `#bots` ->
        # `C2J0AD99Q`) and carries the message as Slack rendered it.
        return Reply(200, {"ok": True, "channel": channel["id"], "ts": message["ts"],
                           "message": self._render(message, metadata=True)})

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

    # -- how Slack shows a message -----------------------------------------------------------

    @staticmethod
    def _block_id(ts: str, index: int) -> str:
        """Slack gives every block a short id (the recordings: `ROYF`, `hbzKA`, `=X+5Y`)."""
        digest = hashlib.blake2b(f"{ts}:{index}".encode(), digest_size=4).digest()
        return base64.b64encode(digest).decode()[:5]

    @staticmethod
    def _text_object(value: Any) -> Any:
        """Text objects as Slack stores them: mrkdwn with `verbatim: false`, plain_text with
        `emoji: true` unless the poster said otherwise (termibot's recorded blocks)."""
        if isinstance(value, dict) and value.get("type") == "mrkdwn":
            return {"verbatim": False, **value}
        if isinstance(value, dict) and value.get("type") == "plain_text":
            return {"emoji": True, **value}
        return value

    def _blocks(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """The message's blocks as Slack returns them; a message posted with text only gets a
        rich_text block of it (termibot's recordings; zenn-contents' conversations.history)."""
        given = self._decoded(message.get("blocks")) or []
        if not given:
            text = message.get("text") or ""
            return [{"type": "rich_text", "block_id": self._block_id(message["ts"], 0),
                     "elements": [{"type": "rich_text_section",
                                   "elements": [{"type": "text", "text": text}]}]}] if text else []
        shown = []
        for index, posted in enumerate(given):
            block = {"type": posted.get("type"), "block_id": self._block_id(message["ts"], index),
                     **posted}
            if "text" in block:
                block["text"] = self._text_object(block["text"])
            for key in ("fields", "elements"):
                if isinstance(block.get(key), list):
                    block[key] = [self._text_object(item) for item in block[key]]
            shown.append(block)
        return shown

    def _text(self, message: dict[str, Any]) -> str:
        """The message's text; posted without one, Slack makes it from the blocks' texts
        (termibot's blocks recording: `*why* _hello_ there foo bar`)."""
        if message.get("text"):
            return str(message["text"])
        parts: list[str] = []
        for block in self._decoded(message.get("blocks")) or []:
            for item in [block.get("text"), *(block.get("fields") or [])]:
                if isinstance(item, dict) and item.get("text"):
                    parts.append(str(item["text"]))
        return " ".join(parts)

    def _author(self, message: dict[str, Any]) -> dict[str, Any]:
        """Who wrote it, as Slack shows it: a person's message carries `client_msg_id`; the
        bot's, its ids and `bot_profile` (termibot, zenn-contents; `bot_profile.user_id`, absent
        from those 2023 recordings, is in java-slack-sdk's later recorded samples)."""
        if message.get("user"):
            return {"user": message["user"], "team": self.bot["team"],
                    "client_msg_id": str(uuid.uuid5(uuid.NAMESPACE_URL, message["ts"]))}
        return {**self.bot, "bot_profile": {
            "id": self.bot["bot_id"], "deleted": False, "name": "incident-response",
            "updated": CREATED, "app_id": self.bot["app_id"], "user_id": self.bot["user"],
            "icons": dict(ICONS), "team_id": self.bot["team"]}}

    def _render(self, message: dict[str, Any], *, metadata: bool) -> dict[str, Any]:
        """A stored message as chat.postMessage, conversations.history and .replies return it."""
        shown: dict[str, Any] = {"type": "message", **self._author(message),
                                 "text": self._text(message), "ts": message["ts"]}
        if blocks := self._blocks(message):
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
        # Metadata is returned only when asked for with include_all_metadata (see __init__);
        # chat.postMessage's answer echoes it (java-slack-sdk's recorded samples).
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

    # -- reading ---------------------------------------------------------------------------------

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

    def _readable(self, operation_id: str, arguments: dict[str, Any]) -> dict[str, Any] | Reply:
        """The channel a history read names, or the answer refusing it: the scope of its type,
        then `channel_not_found`, then `not_in_channel` for a public channel without the bot
        ("Only user tokens can access public channels they are not in", the methods' error
        lists on docs.slack.dev)."""
        if (denied := self._scoped(operation_id, None)) is not None:
            return denied
        channel = self._visible(str(arguments.get("channel", "")))
        if channel is None:
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if (denied := self._scoped(operation_id, channel)) is not None:
            return denied
        if not channel["is_member"]:
            return Reply(200, {"ok": False, "error": "not_in_channel"})
        return channel

    def _history(self, request: Recorded, values: dict[str, str]) -> Reply:
        """conversations.history: the channel's messages, newest first; thread replies only
        when also sent to the channel (docs.slack.dev/reference/methods/conversations.history:
        "The most recent messages in the time range are returned first"; `limit` defaults to
        100; `oldest`/`latest` are exclusive unless `inclusive`)."""
        arguments = self._arguments(request)
        channel = self._readable("conversations_history", arguments)
        if isinstance(channel, Reply):
            return channel
        inclusive = self._truthy(arguments.get("inclusive"))
        oldest, latest = float(arguments.get("oldest") or 0), float(
            arguments.get("latest") or "inf")

        def in_range(ts: float) -> bool:
            return (oldest <= ts <= latest) if inclusive else (oldest < ts < latest)

        top = [m for m in self.messages if m["channel"] == channel["id"]
               and in_range(float(m["ts"]))
               and (not m.get("thread_ts") or m["thread_ts"] == m["ts"]
                    or m.get("reply_broadcast") in (True, "true", "1"))]
        top.sort(key=lambda m: float(m["ts"]), reverse=True)
        metadata = self._truthy(arguments.get("include_all_metadata"))
        reply = self._page(arguments, [self._render(m, metadata=metadata) for m in top], 100,
                           "messages")
        if reply.body.get("ok"):  # as recorded (zenn-contents) and required by the description
            reply.body.update(pin_count=0, channel_actions_ts=None, channel_actions_count=0)
        return reply

    def _replies(self, request: Recorded, values: dict[str, str]) -> Reply:
        """conversations.replies: the thread's parent, then its replies, oldest first; `ts` may
        be the parent's or a reply's (docs.slack.dev/reference/methods/conversations.replies;
        `limit` defaults to 1000)."""
        arguments = self._arguments(request)
        channel = self._readable("conversations_replies", arguments)
        if isinstance(channel, Reply):
            return channel
        message = self._find(channel["id"], arguments.get("ts", ""))
        if message is None:
            return Reply(200, {"ok": False, "error": "thread_not_found"})
        thread = self._thread_of(channel["id"], message.get("thread_ts") or message["ts"])
        metadata = self._truthy(arguments.get("include_all_metadata"))
        return self._page(arguments, [self._render(m, metadata=metadata) for m in thread], 1000,
                          "messages")

    def _list(self, request: Recorded, values: dict[str, str]) -> Reply:
        """conversations.list (docs.slack.dev/reference/methods/conversations.list): `types`
        (default public_channel), each needing its scope; `exclude_archived`; `limit` (default
        100, "Must be an integer under 1000"); private channels only those the bot is in.
        Pages as slack-ruby-client's recording shows: `response_metadata.next_cursor` is
        base64 of `team:` and the next page's first channel id, `""` on the last page, and
        there is no `has_more`."""
        if (denied := self._scoped("conversations_list", None)) is not None:
            return denied
        arguments = self._arguments(request)
        types = [t.strip() for t in str(arguments.get("types") or "public_channel").split(",")
                 if t.strip()]
        if any(t not in TYPE_SCOPES for t in types):
            return Reply(200, {"ok": False, "error": "invalid_types"})
        for kind in types:
            if (denied := self._missing_scope(TYPE_SCOPES[kind])) is not None:
                return denied
        limit = int(arguments.get("limit") or 100)
        if not 0 < limit <= 1000:
            return Reply(200, {"ok": False, "error": "invalid_limit"})
        self._sync()
        wanted = [c for c in self.conversations.values()
                  if (("private_channel" in types and c["is_private"] and c["is_member"])
                      or ("public_channel" in types and not c["is_private"]))
                  and not (c["is_archived"] and self._truthy(arguments.get("exclude_archived")))]
        start = 0
        if cursor := arguments.get("cursor"):
            try:
                marker = base64.b64decode(cursor).decode().removeprefix("team:")
                start = next(i for i, c in enumerate(wanted) if c["id"] == marker)
            except (ValueError, StopIteration):
                return Reply(200, {"ok": False, "error": "invalid_cursor"})
        chunk, rest = wanted[start:start + limit], wanted[start + limit:]
        following = base64.b64encode(f"team:{rest[0]['id']}".encode()).decode() if rest else ""
        return Reply(200, {"ok": True, "channels": [self._conversation(c) for c in chunk],
                           "response_metadata": {"next_cursor": following}})

    def _info(self, request: Recorded, values: dict[str, str]) -> Reply:
        """conversations.info (docs.slack.dev/reference/methods/conversations.info): a public
        channel whether or not the bot is in it (`is_member` says), a private one only when it
        is; `channel_not_found` otherwise."""
        arguments = self._arguments(request)
        if (denied := self._scoped("conversations_info", None)) is not None:
            return denied
        channel = self._visible(str(arguments.get("channel", "")))
        if channel is None:
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        if (denied := self._scoped("conversations_info", channel)) is not None:
            return denied
        return Reply(200, {"ok": True, "channel": self._conversation(channel, info=True,
                                                                     arguments=arguments)})

    def _permalink(self, request: Recorded, values: dict[str, str]) -> Reply:
        """chat.getPermalink: `https://<workspace>.slack.com/archives/<channel>/p<ts without
        the dot>`, and for a thread reply `?thread_ts=<parent>&cid=<channel>` (the examples on
        docs.slack.dev/reference/methods/chat.getPermalink); `channel_not_found`,
        `message_not_found`. It needs no scope."""
        arguments = self._arguments(request)
        channel = self._visible(str(arguments.get("channel", "")))
        if channel is None:
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        message = self._find(channel["id"], str(arguments.get("message_ts", "")))
        if message is None:
            return Reply(200, {"ok": False, "error": "message_not_found"})
        link = (f"https://{self.workspace}.slack.com/archives/{channel['id']}/"
                f"p{message['ts'].replace('.', '')}")
        if message.get("thread_ts") and message["thread_ts"] != message["ts"]:
            link += f"?thread_ts={message['thread_ts']}&cid={channel['id']}"
        return Reply(200, {"ok": True, "channel": channel["id"], "permalink": link})
