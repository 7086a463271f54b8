"""The Slack fake answers as Slack answered in real recorded interactions.

Every recording under tests/fixtures/slack/recorded/ (origins in ORIGIN.md there) is replayed
through slack_sdk's WebClient, the client the product uses, over HTTPS against FakeSlack, and the
fake's answer is compared with the recorded one: the HTTP status, `ok`/`error`, the keys and JSON
types of the body (recursively; a list by the union of its elements' keys), and the headers
clients rely on. A difference is allowed only where a case names it, with the reason: a field
Slack added after the recording, or a field that depends on the request rather than the fake.
`pytest -s` prints a MATCH/DIFF line per recording.

Answers Slack gave that were only quoted in issues (quoted-answers.json), examples from Slack's
method pages (docs-examples.json) and the key/type envelopes of java-slack-sdk's recorded samples
(java-slack-sdk-envelopes.json) are checked the same way, each labelled with its kind.
"""

from __future__ import annotations

import base64
import json
import ssl
import urllib.error
import urllib.request
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from tests.fakes.slack import FakeSlack
from tests.support import json_type, report, shape_diff

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "slack" / "recorded"
TOKEN = "xoxb-test-token"


def load(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


# -- comparing answers ------------------------------------------------------------------------


def envelope_diff(envelope: Any, answered: Any, path: str = "") -> list[str]:
    """Keys the answer has that a recorded envelope (keys and types seen across many live answers,
    values masked) never had, or with another type. A null answer fits any type (the masked
    samples cannot type a null); `"array"`/`"object"` in the envelope stand for opaque parts."""
    where = path.rstrip(".") or "."
    if answered is None:
        return []
    if isinstance(envelope, str):
        wanted = {"integer": "number", "unknown": json_type(answered)}.get(envelope, envelope)
        return [] if json_type(answered) == wanted else [f"~{where}: {envelope} -> "
                                                         f"{json_type(answered)}"]
    if isinstance(envelope, list):
        if not isinstance(answered, list):
            return [f"~{where}: array -> {json_type(answered)}"]
        return [d for item in answered
                for d in envelope_diff(envelope[0], item, f"{path.rstrip('.')}[].")]
    if not isinstance(answered, dict):
        return [f"~{where}: object -> {json_type(answered)}"]
    diffs = [f"+{path}{k}" for k in sorted(answered.keys() - envelope.keys())]
    for key in sorted(answered.keys() & envelope.keys()):
        diffs += envelope_diff(envelope[key], answered[key], f"{path}{key}.")
    return sorted(set(diffs))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


@dataclass
class Case:
    """One recorded interaction and how to ask the fake the same thing."""

    name: str
    kind: str  # "live recording", "live answer quoted", "docs example", "live envelope"
    recorded: Answer
    ask: Callable[[FakeSlack, WebClient], Answer]
    #: differences allowed, each with its reason (see the module docstring)
    allowed: dict[str, str] = field(default_factory=dict)
    #: subtrees compared by type only, with the reason
    skip: dict[str, str] = field(default_factory=dict)
    #: headers compared: for these names, present when recorded (and equal for retry-after)
    headers: tuple[str, ...] = ()
    #: further checks of values, as (what, recorded value, answered value) for the report
    values: Callable[[Answer, Answer], list[tuple[str, Any, Any]]] | None = None
    #: an envelope instead of one recorded answer (java-slack-sdk samples)
    envelope: Any = None


def compare(case: Case, answered: Answer) -> list[str]:
    diffs: list[str] = []
    if case.recorded.status != answered.status:
        diffs.append(f"status {case.recorded.status} -> {answered.status}")
    if case.envelope is not None:
        diffs += envelope_diff(case.envelope, answered.body)
    elif isinstance(case.recorded.body, dict) and isinstance(answered.body, dict):
        for key in ("ok", "error"):
            if case.recorded.body.get(key) != answered.body.get(key):
                diffs.append(f"{key} {case.recorded.body.get(key)!r} -> "
                             f"{answered.body.get(key)!r}")
        diffs += shape_diff(case.recorded.body, answered.body, frozenset(case.skip))
    elif case.recorded.body != answered.body:
        diffs.append(f"body {case.recorded.body!r} -> {answered.body!r}")
    recorded_headers = {k.lower(): v for k, v in case.recorded.headers.items()}
    answered_headers = {k.lower(): v for k, v in answered.headers.items()}
    for name in case.headers:
        if name not in recorded_headers:
            continue
        if name not in answered_headers:
            diffs.append(f"-header {name}")
        elif name == "content-type":
            media = [h.split(";")[0].strip() for h in (recorded_headers[name],
                                                       answered_headers[name])]
            if media[0] != media[1]:
                diffs.append(f"header content-type {media[0]} -> {media[1]}")
        elif name == "retry-after" and recorded_headers[name] != answered_headers[name]:
            diffs.append(f"header retry-after {recorded_headers[name]} -> "
                         f"{answered_headers[name]}")
    if case.values is not None:
        diffs += [f"value {what}: {want!r} -> {got!r}"
                  for what, want, got in case.values(case.recorded, answered) if want != got]
    return diffs


# -- driving the fake through slack_sdk -------------------------------------------------------

def answer_of(call: Callable[[], SlackResponse]) -> Answer:
    """The answer to a WebClient call, whether `ok` or not (slack_sdk raises on `ok: false`)."""
    try:
        response = call()
    except SlackApiError as error:
        response = error.response
    return Answer(response.status_code, dict(response.headers), response.data)


def raw_post(fake: FakeSlack, ca_file: Path, method: str, body: bytes,
             content_type: str) -> Answer:
    """A request exactly as a recording made it (its Content-Type), for what depends on that."""
    request = urllib.request.Request(f"{fake.url}/api/{method}", data=body, method="POST",
                                     headers={"Content-Type": content_type,
                                              "Authorization": f"Bearer {TOKEN}"})
    context = ssl.create_default_context(cafile=str(ca_file))
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            return Answer(answer.status, dict(answer.headers), json.loads(answer.read()))
    except urllib.error.HTTPError as error:
        return Answer(error.code, dict(error.headers), json.loads(error.read() or b"null"))


def recorded(name: str, index: int = 0) -> Answer:
    interaction = load(name)["interactions"][index]["response"]
    return Answer(interaction["status"], interaction["headers"], interaction["body"])


def quoted(name: str) -> Answer:
    entry = next(a for a in load("quoted-answers.json")["answers"] if a["name"] == name)
    return Answer(entry["status"], entry.get("headers", {}), entry["body"])


def docs(method: str, index: int) -> Answer:
    return Answer(200, {}, load("docs-examples.json")["methods"][method]["examples"][index])


#: Slack added `user_id` to bot profiles after the June and September 2023 recordings (termibot,
#: zenn-contents): java-slack-sdk's recorded chat.postMessage samples have it.
NEWER_BOT_PROFILE = "+message.bot_profile.user_id"
USER_ID = "added after September 2023 (java-slack-sdk's chat.postMessage samples)"
#: termibot sent `Content-Type: application/json` without a charset, and Slack warned
#: (`missing_charset`, docs.slack.dev/apis/web-api/#posting_json); slack_sdk sends
#: `application/json;charset=utf-8`, so Slack would not warn it.
CHARSET = {"-warning": "missing_charset: the recording's request had no charset; slack_sdk's has",
           "-response_metadata": "carries only that warning"}
#: Slack's channel objects gained `updated` (ms) and `context_team_id` after the 2021 recording:
#: docs.slack.dev's conversations.list/info examples (2023-2024) and java-slack-sdk's live
#: samples have both.
NEWER_CHANNEL = {"+channels[].updated": "added after 2021 (docs examples, java-slack-sdk)",
                 "+channels[].context_team_id": "added after 2021 (docs examples, java-slack-sdk)"}

#: the blocks termibot's blocks recording posted
BLOCKS: list[dict[str, Any]] = [
    {"text": {"text": "*why* _hello_ there", "type": "mrkdwn"}, "type": "section"},
    {"type": "divider"},
    {"fields": [{"text": "foo", "type": "plain_text"}, {"text": "bar", "type": "plain_text"}],
     "type": "section"}]


def _bots(fake: FakeSlack) -> None:
    fake.channels["#bots"] = "C2J0AD99Q"


def ask_post_by_name(fake: FakeSlack, web: WebClient) -> Answer:
    _bots(fake)
    return answer_of(lambda: web.chat_postMessage(channel="#bots", text="foobar", blocks=[]))


def ask_thread_reply(fake: FakeSlack, web: WebClient) -> Answer:
    _bots(fake)
    parent = web.chat_postMessage(channel="#bots", text="foobar")["ts"]
    return answer_of(lambda: web.chat_postMessage(channel="#bots", text="replying to foobar",
                                                  thread_ts=parent))


def ask_blocks(fake: FakeSlack, web: WebClient) -> Answer:
    _bots(fake)
    with warnings.catch_warnings():  # slack_sdk warns of the recording's empty `text`
        warnings.simplefilter("ignore", UserWarning)
        return answer_of(lambda: web.chat_postMessage(channel="#bots", text="", blocks=BLOCKS))


def ask_history(fake: FakeSlack, web: WebClient) -> Answer:
    _bots(fake)
    web.chat_postMessage(channel="C2J0AD99Q", text="an older message")
    web.chat_postMessage(channel="C2J0AD99Q", text="Hello World")
    return answer_of(lambda: web.conversations_history(channel="C2J0AD99Q", limit=1))


def _many_channels(fake: FakeSlack) -> list[str]:
    """156 public channels, as in the recorded workspace (100 on the first page, 56 after)."""
    names = ["general", "random", *(f"channel-{n:03d}" for n in range(154))]
    fake.channels.clear()  # only these, not the two every fake starts with
    fake.scopes.add("channels:read")  # the scope conversations.list needs for public channels
    for number, name in enumerate(names):
        fake.channels[f"#{name}"] = f"C0{number:08d}X"
    return [f"C0{number:08d}X" for number in range(len(names))]


def ask_list_first(fake: FakeSlack, web: WebClient) -> Answer:
    _many_channels(fake)
    return answer_of(lambda: web.conversations_list(limit=100))


def ask_list_last(fake: FakeSlack, web: WebClient) -> Answer:
    _many_channels(fake)
    first = web.conversations_list(limit=100)
    cursor = first["response_metadata"]["next_cursor"]
    return answer_of(lambda: web.conversations_list(limit=100, cursor=cursor))


def ask_not_authed(fake: FakeSlack, web: WebClient) -> Answer:
    anonymous = WebClient(token=None, base_url=web.base_url, ssl=web.ssl)
    return answer_of(lambda: anonymous.chat_postMessage(channel="#identity-support", text="hi"))


def ask_ratelimited(fake: FakeSlack, web: WebClient) -> Answer:
    fake.rate_limit("chat_postMessage", retry_after=1)
    return answer_of(lambda: web.chat_postMessage(channel="#identity-support", text="hi"))


def ask_missing_chat_write(fake: FakeSlack, web: WebClient) -> Answer:
    fake.scopes = {"incoming-webhook", "files:write"}
    return answer_of(lambda: web.chat_postMessage(channel="#identity-support", text="hi"))


def ask_missing_im_read(fake: FakeSlack, web: WebClient) -> Answer:
    fake.scopes = {"links:write", "channels:read", "groups:read", "chat:write",
                   "chat:write.public", "chat:write.customize", "links:read", "team:read",
                   "users:read"}
    return answer_of(lambda: web.conversations_list(types="im"))


def ask_private_not_member(fake: FakeSlack, web: WebClient) -> Answer:
    channel = fake.add_channel("qc-alerts", private=True, member=False)
    return answer_of(lambda: web.chat_postMessage(channel=channel["id"], text="QC failed"))


def ask_bare_name_not_member(fake: FakeSlack, web: WebClient) -> Answer:
    fake.add_channel("software-website", member=False)
    return answer_of(lambda: web.chat_postMessage(channel="software-website", text="just work"))


def ask_archived(fake: FakeSlack, web: WebClient) -> Answer:
    fake.add_channel("club-brags")
    fake.archive("#club-brags")
    return answer_of(lambda: web.chat_postMessage(channel="#club-brags", text="brag"))


def ask_permalink(fake: FakeSlack, web: WebClient) -> Answer:
    ts = web.chat_postMessage(channel="#identity-support", text="hi")["ts"]
    return answer_of(lambda: web.chat_getPermalink(channel="C0SUPPORT", message_ts=ts))


def ask_reply_permalink(fake: FakeSlack, web: WebClient) -> Answer:
    parent = web.chat_postMessage(channel="#identity-support", text="hi")["ts"]
    reply = web.chat_postMessage(channel="#identity-support", text="re", thread_ts=parent)["ts"]
    return answer_of(lambda: web.chat_getPermalink(channel="C0SUPPORT", message_ts=reply))


def ask_permalink_unknown_channel(fake: FakeSlack, web: WebClient) -> Answer:
    return answer_of(lambda: web.chat_getPermalink(channel="C0NOWHERE", message_ts="1.000100"))


def ask_info(fake: FakeSlack, web: WebClient) -> Answer:
    fake.scopes.add("channels:read")
    return answer_of(lambda: web.conversations_info(channel="C0SUPPORT"))


def ask_info_unknown(fake: FakeSlack, web: WebClient) -> Answer:
    fake.scopes.add("channels:read")
    return answer_of(lambda: web.conversations_info(channel="C0NOWHERE"))


def ask_replies(fake: FakeSlack, web: WebClient) -> Answer:
    parent = web.chat_postMessage(channel="C0SUPPORT", text="island")["ts"]
    for text in ("one island", "two island", "three for the land"):
        fake.person_posts("C0SUPPORT", "U061F7AUR", text, thread_ts=parent)
    return answer_of(lambda: web.conversations_replies(channel="C0SUPPORT", ts=parent, limit=3))


def ask_replies_unknown(fake: FakeSlack, web: WebClient) -> Answer:
    return answer_of(lambda: web.conversations_replies(channel="C0SUPPORT", ts="1.000000"))


def ask_history_with_metadata(fake: FakeSlack, web: WebClient) -> Answer:
    parent = web.chat_postMessage(channel="C0SUPPORT", text="Incident declared", metadata={
        "event_type": "incident_declared", "event_payload": {"incident": "o/r#7"}})["ts"]
    web.chat_postMessage(channel="C0SUPPORT", text="Update", thread_ts=parent,
                         reply_broadcast=True)
    fake.person_posts("C0SUPPORT", "U0PERSON", "on it", thread_ts=parent)
    return answer_of(lambda: web.conversations_history(channel="C0SUPPORT",
                                                       include_all_metadata=True))


def ask_replies_with_metadata(fake: FakeSlack, web: WebClient) -> Answer:
    parent = web.chat_postMessage(channel="C0SUPPORT", text="Incident declared", metadata={
        "event_type": "incident_declared", "event_payload": {"incident": "o/r#7"}})["ts"]
    fake.person_posts("C0SUPPORT", "U0PERSON", "on it", thread_ts=parent)
    return answer_of(lambda: web.conversations_replies(channel="C0SUPPORT", ts=parent,
                                                      include_all_metadata=True))


def ask_post_with_metadata(fake: FakeSlack, web: WebClient) -> Answer:
    return answer_of(lambda: web.chat_postMessage(
        channel="#identity-support", text="hi", blocks=BLOCKS,
        metadata={"event_type": "incident_declared", "event_payload": {"incident": "o/r#7"}}))


def _channel_values(recorded: Answer, answered: Answer) -> list[tuple[str, Any, Any]]:
    return [("channel is the id", "C2J0AD99Q", answered.body.get("channel"))]


def _blocks_values(recorded: Answer, answered: Answer) -> list[tuple[str, Any, Any]]:
    want, got = recorded.body["message"], answered.body.get("message") or {}
    blocks = got.get("blocks") or [{}, {}, {}]
    return [("text from the blocks", want["text"], got.get("text")),
            ("mrkdwn verbatim", False, (blocks[0].get("text") or {}).get("verbatim")),
            ("plain_text emoji", True, ((blocks[2].get("fields") or [{}])[0]).get("emoji")),
            ("block_id on every block", True, all("block_id" in b for b in blocks))]


def _list_values(first: bool) -> Callable[[Answer, Answer], list[tuple[str, Any, Any]]]:
    def values(recorded: Answer, answered: Answer) -> list[tuple[str, Any, Any]]:
        channels = answered.body.get("channels") or []
        cursor = (answered.body.get("response_metadata") or {}).get("next_cursor")
        out: list[tuple[str, Any, Any]] = [
            ("channels on the page", len(recorded.body["channels"]), len(channels))]
        if first:  # Slack's cursor: base64 of "team:" + the next page's first channel id
            decoded = base64.b64decode(cursor or "").decode()
            out.append(("cursor names the next channel", "team:C0" + "00000100X", decoded))
        else:
            out.append(("last page's next_cursor", "", cursor))
        return out
    return values


def _permalink_values(thread: bool) -> Callable[[Answer, Answer], list[tuple[str, Any, Any]]]:
    def values(recorded: Answer, answered: Answer) -> list[tuple[str, Any, Any]]:
        link = str(answered.body.get("permalink", ""))
        path = link.split("?", maxsplit=1)[0].rsplit("/", 2)
        out: list[tuple[str, Any, Any]] = [
            ("archives/<channel>/p<ts digits>", True,
             link.startswith("https://") and path[-2] == "C0SUPPORT" and path[-1][0] == "p"
             and path[-1][1:].isdigit() and len(path[-1]) == 17)]
        if thread:
            out.append(("thread_ts and cid", True, "?thread_ts=" in link and "&cid=C0SUPPORT"
                        in link))
        return out
    return values


def envelope(method: str) -> Any:
    return load("java-slack-sdk-envelopes.json")["methods"][method]


CASES = [
    Case("chat.postMessage to #name (termibot)", "live recording",
         recorded("chat.postMessage.channel-name.json"), ask_post_by_name,
         allowed={NEWER_BOT_PROFILE: USER_ID, **CHARSET},
         headers=("content-type", "x-oauth-scopes", "x-accepted-oauth-scopes"),
         values=_channel_values),
    Case("chat.postMessage thread reply (termibot)", "live recording",
         recorded("chat.postMessage.thread-reply.json"), ask_thread_reply,
         allowed={NEWER_BOT_PROFILE: USER_ID, **CHARSET},
         headers=("content-type", "x-oauth-scopes", "x-accepted-oauth-scopes"),
         values=_channel_values),
    Case("chat.postMessage with blocks (termibot)", "live recording",
         recorded("chat.postMessage.blocks.json"), ask_blocks,
         allowed={NEWER_BOT_PROFILE: USER_ID, **CHARSET},
         headers=("content-type", "x-oauth-scopes", "x-accepted-oauth-scopes"),
         values=_blocks_values),
    Case("conversations.history, a bot message (zenn-contents)", "live recording",
         recorded("conversations.history.bot-message.json"), ask_history,
         allowed={"+messages[].bot_profile.user_id": USER_ID}),
    Case("conversations.list first page (slack-ruby-client)", "live recording",
         recorded("conversations.list.paginated.json", 0), ask_list_first,
         allowed=NEWER_CHANNEL,
         headers=("content-type", "x-oauth-scopes", "x-accepted-oauth-scopes"),
         values=_list_values(first=True)),
    Case("conversations.list last page (slack-ruby-client)", "live recording",
         recorded("conversations.list.paginated.json", 1), ask_list_last,
         allowed=NEWER_CHANNEL,
         headers=("content-type", "x-oauth-scopes", "x-accepted-oauth-scopes"),
         values=_list_values(first=False)),
    Case("no token: not_authed (slack-ruby-client, auth.test)", "live recording",
         recorded("auth.test.not_authed.json"), ask_not_authed, headers=("content-type",)),
    Case("ratelimited, HTTP 429 + Retry-After (beginner-corp/slack#105)", "live answer quoted",
         quoted("ratelimited"), ask_ratelimited, headers=("content-type", "retry-after")),
    Case("chat.postMessage without chat:write (apache/superset#15903)", "live answer quoted",
         quoted("missing_scope chat.postMessage"), ask_missing_chat_write,
         values=lambda rec, ans: [("needed", "chat:write", ans.body.get("needed"))]),
    Case("conversations.list types=im without im:read (getsentry/sentry#18317)",
         "live answer quoted", quoted("missing_scope conversations.list"), ask_missing_im_read,
         values=lambda rec, ans: [("needed", "im:read", ans.body.get("needed"))]),
    Case("chat.postMessage, private channel without the bot (Rapid-QC-MS#82)",
         "live answer quoted",
         quoted("channel_not_found chat.postMessage (bot not in a private channel)"),
         ask_private_not_member),
    Case("chat.postMessage by bare name, bot not a member (github-actions-slack#14)",
         "live answer quoted",
         quoted("not_in_channel chat.postMessage (channel given by bare name)"),
         ask_bare_name_not_member),
    Case("chat.postMessage to an archived channel (slack-strava#112)", "live answer quoted",
         quoted("is_archived chat.postMessage"), ask_archived),
    Case("chat.getPermalink", "docs example", docs("chat.getPermalink", 0), ask_permalink,
         values=_permalink_values(thread=False)),
    Case("chat.getPermalink of a thread reply", "docs example", docs("chat.getPermalink", 1),
         ask_reply_permalink, values=_permalink_values(thread=True)),
    Case("chat.getPermalink, unknown channel", "docs example", docs("chat.getPermalink", 2),
         ask_permalink_unknown_channel),
    Case("conversations.info", "docs example", docs("conversations.info", 0), ask_info,
         allowed={
             "-channel.is_frozen": "docs-only field (no live sample has it: java-slack-sdk)",
             "-channel.properties": "channel tabs; the fake keeps none (java-slack-sdk samples "
                                    "show it only for channels with tabs or canvases)",
             "+channel.is_member": "in every live channel object (slack-ruby-client, "
                                   "java-slack-sdk); the docs example leaves it out",
             "+channel.last_read": "live for channels the caller is in (slack-ruby-client's "
                                   "conversations.setTopic channel, java-slack-sdk)"}),
    Case("conversations.info, unknown channel", "docs example", docs("conversations.info", 3),
         ask_info_unknown),
    Case("conversations.replies", "docs example", docs("conversations.replies", 0), ask_replies,
         allowed={
             "-messages[].last_read": "a user token's read marker; a bot's answer has none",
             "-messages[].unread_count": "likewise",
             "+messages[].blocks": "live (java-slack-sdk samples, zenn-contents)",
             "+messages[].client_msg_id": "live for people's messages (java-slack-sdk)",
             "+messages[].team": "live (java-slack-sdk samples, zenn-contents)",
             "+messages[].reply_users": "live (java-slack-sdk samples)",
             "+messages[].reply_users_count": "live (java-slack-sdk samples)",
             "+messages[].latest_reply": "live (java-slack-sdk samples)",
             "+messages[].is_locked": "live (java-slack-sdk samples)",
             "+messages[].app_id": "live for a bot's message (zenn-contents, termibot)",
             "+messages[].bot_id": "likewise",
             "+messages[].bot_profile": "likewise"}),
    Case("conversations.replies, unknown thread", "docs example",
         docs("conversations.replies", 1), ask_replies_unknown),
    Case("chat.postMessage with metadata: keys Slack sends", "live envelope",
         Answer(200, {}, None), ask_post_with_metadata, envelope=envelope("chat.postMessage")),
    Case("conversations.history with metadata: keys Slack sends", "live envelope",
         Answer(200, {}, None), ask_history_with_metadata,
         envelope=envelope("conversations.history"),
         allowed={"+messages[].bot_profile.user_id": USER_ID}),
    Case("conversations.replies with metadata: keys Slack sends", "live envelope",
         Answer(200, {}, None), ask_replies_with_metadata,
         envelope=envelope("conversations.replies"),
         allowed={"+messages[].bot_profile.user_id": USER_ID,
                  "+messages[].client_msg_id": "live for people's messages in conversations."
                                               "history (java-slack-sdk)"}),
    Case("conversations.list: keys Slack sends", "live envelope", Answer(200, {}, None),
         ask_list_first, envelope=envelope("conversations.list"),
         allowed={"+channels[].parent_conversation": "null in the 2021 live recording "
                                                     "(slack-ruby-client); samples drop nulls"}),
    Case("conversations.info: keys Slack sends", "live envelope", Answer(200, {}, None),
         ask_info, envelope=envelope("conversations.info"),
         allowed={"+channel.parent_conversation": "null in live channel objects "
                                                  "(slack-ruby-client); samples drop nulls"}),
    Case("chat.getPermalink: keys Slack sends", "live envelope", Answer(200, {}, None),
         ask_permalink, envelope=envelope("chat.getPermalink")),
]


@pytest.fixture
def slack(server_tls: ssl.SSLContext) -> Iterator[FakeSlack]:
    fake = FakeSlack(server_tls)
    yield fake
    fake.stop()


@pytest.fixture
def web(slack: FakeSlack, certificate_authority: tuple[trustme.CA, Path]) -> WebClient:
    return WebClient(token=TOKEN, base_url=slack.url + "/api/",
                     ssl=ssl.create_default_context(cafile=str(certificate_authority[1])))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_fake_answers_as_recorded(case: Case, slack: FakeSlack, web: WebClient) -> None:
    try:
        answered = case.ask(slack, web)
    except Exception as error:  # a fake that cannot be asked is a difference too
        report("Slack", case.name, case.kind, [f"cannot ask the fake: {error!r}"], {})
        raise
    diffs = compare(case, answered)
    report("Slack", case.name, case.kind, diffs, {**case.allowed})
    assert sorted(diffs) == sorted(case.allowed)
    assert slack.violations == []


def test_a_json_post_without_charset_is_warned_as_recorded(
        slack: FakeSlack, certificate_authority: tuple[trustme.CA, Path]) -> None:
    """The recording's own request (JSON without a charset): Slack answered with the
    `missing_charset` warning, and so does the fake."""
    _bots(slack)
    interaction = load("chat.postMessage.channel-name.json")["interactions"][0]
    answered = raw_post(slack, certificate_authority[1], "chat.postMessage",
                        json.dumps(interaction["request"]["body"]).encode(), "application/json")
    case = Case("chat.postMessage to #name, the recorded request (termibot)", "live recording",
                recorded("chat.postMessage.channel-name.json"), ask_post_by_name,
                allowed={NEWER_BOT_PROFILE: USER_ID})
    diffs = compare(case, answered)
    report("Slack", case.name, case.kind, diffs, case.allowed)
    assert sorted(diffs) == sorted(case.allowed)
    assert answered.body["warning"] == "missing_charset"
    assert answered.body["response_metadata"] == {"warnings": ["missing_charset"]}


# -- behaviours modelled from the recordings, the quoted answers and Slack's method pages ------

def _error(call: Callable[[], SlackResponse]) -> tuple[str, dict[str, Any]]:
    answered = answer_of(call)
    assert answered.status == 200  # Slack's errors are HTTP 200 with ok: false
    return str(answered.body.get("error")), answered.body


def test_a_channel_by_name_with_or_without_hash_or_by_id_is_answered_with_its_id(
        slack: FakeSlack, web: WebClient) -> None:
    for channel in ("#identity-support", "identity-support", "C0SUPPORT"):
        assert web.chat_postMessage(channel=channel, text="hi")["channel"] == "C0SUPPORT"
    assert _error(lambda: web.chat_postMessage(channel="#nowhere", text="hi"))[0] == \
        "channel_not_found"
    # The conversation methods take ids only.
    assert _error(lambda: web.conversations_history(channel="#identity-support"))[0] == \
        "channel_not_found"


def test_archiving_removing_the_bot_and_inviting_it_again(slack: FakeSlack,
                                                          web: WebClient) -> None:
    slack.add_channel("incidents")
    web.chat_postMessage(channel="#incidents", text="first")
    slack.remove_bot("#incidents")
    assert _error(lambda: web.chat_postMessage(channel="#incidents", text="x"))[0] == \
        "not_in_channel"
    channel_id = slack.channels["#incidents"]
    assert _error(lambda: web.conversations_history(channel=channel_id))[0] == "not_in_channel"
    slack.scopes.add("chat:write.public")  # lets a bot post in public channels it is not in
    web.chat_postMessage(channel="#incidents", text="public")
    slack.scopes.discard("chat:write.public")
    slack.invite_bot("#incidents")
    web.chat_postMessage(channel="#incidents", text="back")
    slack.archive(channel_id)
    assert _error(lambda: web.chat_postMessage(channel=channel_id, text="x"))[0] == "is_archived"
    assert len(web.conversations_history(channel=channel_id)["messages"]) == 3  # still readable


def test_a_private_channel_is_invisible_until_the_bot_is_in_it(slack: FakeSlack,
                                                                web: WebClient) -> None:
    secret = slack.add_channel("secret", private=True, member=False)
    slack.scopes |= {"channels:read", "groups:read", "groups:history"}
    for call in (lambda: web.chat_postMessage(channel="#secret", text="x"),
                 lambda: web.conversations_info(channel=secret["id"]),
                 lambda: web.conversations_history(channel=secret["id"]),
                 lambda: web.chat_getPermalink(channel=secret["id"], message_ts="1.000001")):
        assert _error(call)[0] == "channel_not_found"
    listed = web.conversations_list(types="public_channel,private_channel")["channels"]
    assert secret["id"] not in [c["id"] for c in listed]
    slack.invite_bot(secret["id"])
    ts = web.chat_postMessage(channel="#secret", text="now")["ts"]
    info = web.conversations_info(channel=secret["id"])["channel"]
    assert (info["is_private"], info["is_channel"], info["is_member"], info["last_read"]) == (
        True, True, True, ts)
    listed = web.conversations_list(types="public_channel,private_channel")["channels"]
    assert secret["id"] in [c["id"] for c in listed]


def test_each_method_asks_for_its_scope(slack: FakeSlack, web: WebClient) -> None:
    secret = slack.add_channel("secret", private=True)
    slack.scopes = {"chat:write", "channels:history", "channels:read"}
    assert _error(lambda: web.conversations_history(channel=secret["id"]))[1]["needed"] == \
        "groups:history"
    assert _error(lambda: web.conversations_info(channel=secret["id"]))[1]["needed"] == \
        "groups:read"
    assert _error(lambda: web.conversations_list(types="private_channel"))[1]["needed"] == \
        "groups:read"
    web.conversations_list(types="public_channel")
    slack.scopes = {"chat:write"}
    error, body = _error(web.conversations_list)
    assert (error, body["needed"], body["provided"]) == ("missing_scope", "channels:read",
                                                         "chat:write")
    assert _error(lambda: web.conversations_info(channel="C0SUPPORT"))[1]["needed"] == \
        "channels:read"
    # chat.getPermalink needs none.
    ts = web.chat_postMessage(channel="C0SUPPORT", text="hi")["ts"]
    assert web.chat_getPermalink(channel="C0SUPPORT", message_ts=ts)["ok"] is True
    answered = answer_of(web.conversations_list)
    assert (answered.headers["X-OAuth-Scopes"], answered.headers["X-Accepted-OAuth-Scopes"]) == (
        "chat:write", "channels:read,groups:read,mpim:read,im:read")


@pytest.mark.parametrize("error", ["token_revoked", "account_inactive", "invalid_auth"])
def test_a_token_can_die_at_any_point(slack: FakeSlack, web: WebClient, error: str) -> None:
    web.chat_postMessage(channel="#identity-support", text="before")
    slack.revoke_token(error)
    for call in (lambda: web.chat_postMessage(channel="#identity-support", text="after"),
                 lambda: web.conversations_history(channel="C0SUPPORT")):
        answered = answer_of(call)
        assert answered.body == {"ok": False, "error": error}
        assert "X-OAuth-Scopes" not in answered.headers
    assert len(slack.messages) == 1
    with pytest.raises(ValueError, match="dead token"):
        slack.revoke_token("nope")


def test_conversations_list_pages_filters_and_refuses(slack: FakeSlack, web: WebClient) -> None:
    slack.scopes |= {"channels:read", "groups:read"}
    old = slack.add_channel("old-incident", archived=True)
    private = slack.add_channel("private-incident", private=True)
    listed = web.conversations_list()["channels"]
    assert [c["id"] for c in listed] == ["C0SUPPORT", "C0LEADERS", old["id"]]  # public only
    assert listed[2]["is_archived"] is True
    both = [c["id"] for c in web.conversations_list(
        types="public_channel,private_channel", exclude_archived=True)["channels"]]
    assert both == ["C0SUPPORT", "C0LEADERS", private["id"]]
    pages = [[c["name"] for c in page["channels"]] for page in web.conversations_list(limit=2)]
    assert pages == [["identity-support", "identity-leadership"], ["old-incident"]]
    assert _error(lambda: web.conversations_list(cursor="bm9wZQ=="))[0] == "invalid_cursor"
    assert _error(lambda: web.conversations_list(types="channels"))[0] == "invalid_types"
    assert _error(lambda: web.conversations_list(limit=1001))[0] == "invalid_limit"


def test_permalinks_of_unknown_messages(slack: FakeSlack, web: WebClient) -> None:
    assert _error(lambda: web.chat_getPermalink(channel="C0SUPPORT",
                                                message_ts="1.000001"))[0] == "message_not_found"
    ts = web.chat_postMessage(channel="C0SUPPORT", text="hi")["ts"]
    link = web.chat_getPermalink(channel="C0SUPPORT", message_ts=ts)["permalink"]
    assert link == f"https://identity-team.slack.com/archives/C0SUPPORT/p{ts.replace('.', '')}"


def test_conversations_info_counts_members_and_locale_only_when_asked(
        slack: FakeSlack, web: WebClient) -> None:
    slack.scopes.add("channels:read")
    plain = web.conversations_info(channel="C0SUPPORT")["channel"]
    assert "num_members" not in plain
    assert "locale" not in plain
    full = web.conversations_info(channel="C0SUPPORT", include_num_members=True,
                                  include_locale=True)["channel"]
    assert (full["num_members"], full["locale"]) == (3, "en-US")
    outside = slack.add_channel("elsewhere", member=False)
    shown = web.conversations_info(channel=outside["id"])["channel"]
    assert shown["is_member"] is False
    assert "last_read" not in shown
