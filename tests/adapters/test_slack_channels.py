"""The Slack adapter against FakeSlack: channel names made ids, a lost post found again by its
metadata in the channel's id, Slack's refusals sorted into what someone must fix, and links.

The adapter is the product's own (slack_sdk's WebClient over HTTPS to the loopback fake, which
checks each request against Slack's OpenAPI description and answers as the recordings show).
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
import trustme

from incident_response.adapters.ports import ChatMessageRef
from incident_response.adapters.slack.notifier import SlackNotifier, safe_link
from incident_response.adapters.slack.scopes import is_channel_id, name_of, scope_lines
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import Message, PostToChat, Thread
from incident_response.core.errors import PermanentServiceError, Refusal, TransientServiceError
from tests.fakes.server import Fault
from tests.fakes.slack import TOKEN, FakeSlack
from tests.support import PRIVATE_SLACK_SCOPES, SLACK_SCOPES

INCIDENT = "acme/identity#7"


@pytest.fixture
def slack(server_tls: ssl.SSLContext) -> Iterator[FakeSlack]:
    fake = FakeSlack(server_tls)
    fake.scopes = set(SLACK_SCOPES)
    yield fake
    fake.stop()


def slack_notifier(slack: FakeSlack, bundle: Path) -> SlackNotifier:
    """The product's adapter, as one run builds it."""
    transport = Transport(attempts=2, timeout_seconds=2, backoff_seconds=0.01,
                          ca_file=str(bundle))
    return SlackNotifier(TOKEN, slack.url + "/api/", transport)


@pytest.fixture
def notifier(slack: FakeSlack,
             certificate_authority: tuple[trustme.CA, Path]) -> SlackNotifier:
    return slack_notifier(slack, certificate_authority[1])


def announcement(channel: str = "#identity-support", key: str = "slack:announce") -> PostToChat:
    return PostToChat(key=key, channel=channel, text="P1 incident: SSOe",
                      message=Message("SSOe is down", header="P1 incident"),
                      incident=INCIDENT, kind="incident_announced", is_announcement=True)


def lists(slack: FakeSlack) -> int:
    return len(slack.calls("conversations_list"))


# -- names made ids --------------------------------------------------------------------------

@pytest.mark.parametrize("written", ["#identity-support", "identity-support",
                                     "#Identity-Support", " #identity-support "])
def test_a_name_is_found_as_slack_compares_names(written: str, slack: FakeSlack,
                                                 notifier: SlackNotifier) -> None:
    posted = notifier.post(announcement(), None)
    found = notifier.find(announcement(written), None)
    assert found == posted == ChatMessageRef("C0SUPPORT", posted.id)
    assert slack.violations == []


def test_an_id_is_used_as_it_is_and_one_listing_serves_both_channels(
        slack: FakeSlack, notifier: SlackNotifier) -> None:
    notifier.post(announcement(), None)
    assert notifier.find(announcement("C0SUPPORT"), None) is not None
    assert lists(slack) == 0  # an id needs no listing
    assert notifier.find(announcement("#identity-support"), None) is not None
    assert notifier.find(announcement("#identity-leadership", "slack:leadership"), None) is None
    assert lists(slack) == 1  # the leadership channel was on the same page


def test_names_are_found_past_the_first_page(slack: FakeSlack,
                                             notifier: SlackNotifier) -> None:
    for number in range(1200):
        slack.add_channel(f"team-{number:04d}")
    late = slack.add_channel("#late-support")
    notifier.post(announcement("#late-support"), None)
    assert notifier.find(announcement("#late-support"), None) == ChatMessageRef(
        late["id"], slack.messages[-1]["ts"])
    pages = slack.calls("conversations_list")
    assert len(pages) == 2  # 999 channels a page, then the cursor Slack gave
    assert "cursor=" in pages[1].query + pages[1].body.decode()
    assert slack.violations == []


def test_a_private_channel_is_listed_second_and_needs_groups_read(
        slack: FakeSlack, notifier: SlackNotifier,
        certificate_authority: tuple[trustme.CA, Path]) -> None:
    private = slack.add_channel("#incident-war-room", private=True)
    notifier.post(announcement("#incident-war-room"), None)
    with pytest.raises(PermanentServiceError) as refused:
        notifier.find(announcement("#incident-war-room"), None)
    assert refused.value.reason is Refusal.PERMISSION
    assert "groups:read" in refused.value.fix and "groups:read" in str(refused.value)

    slack.scopes = set(PRIVATE_SLACK_SCOPES)
    next_run = slack_notifier(slack, certificate_authority[1])
    assert next_run.find(announcement("#incident-war-room"), None) == ChatMessageRef(
        private["id"], slack.messages[-1]["ts"])


def test_without_channels_read_the_look_names_the_scope_once(slack: FakeSlack,
                                                             notifier: SlackNotifier) -> None:
    slack.scopes = {"chat:write", "channels:history"}
    notifier.post(announcement(), None)  # posting by name needs no more than chat:write
    for _ in range(3):
        with pytest.raises(PermanentServiceError) as refused:
            notifier.find(announcement(), None)
        assert refused.value.reason is Refusal.PERMISSION
        assert "channels:read" in refused.value.fix
    assert lists(slack) == 1  # asked once; the refusal is remembered for the run


def test_an_unknown_name_is_gone_with_its_fix(slack: FakeSlack,
                                              notifier: SlackNotifier) -> None:
    slack.scopes = set(PRIVATE_SLACK_SCOPES)  # without groups:read it might be private
    with pytest.raises(PermanentServiceError) as unknown:
        notifier.find(announcement("#no-such-channel"), None)
    assert unknown.value.reason is Refusal.GONE
    assert "#no-such-channel" in str(unknown.value)
    assert "C0123456789" in unknown.value.fix  # how to write it by id instead


def test_ids_and_names_are_told_apart() -> None:
    assert is_channel_id("C0SUPPORT") and is_channel_id("G0123ABCD") and is_channel_id(
        "C0123456789")
    assert not is_channel_id("#identity-support") and not is_channel_id("identity-support")
    assert not is_channel_id("#C0SUPPORT")  # written with `#`, it is a name
    assert name_of("#Identity-Support") == "identity-support"


# -- an earlier copy found by its metadata ---------------------------------------------------

def test_a_lost_post_is_found_by_its_metadata_in_the_channel_and_the_thread(
        slack: FakeSlack, notifier: SlackNotifier) -> None:
    slack.inject("chat_postMessage", Fault(kind="lost"))
    with pytest.raises(TransientServiceError):
        notifier.post(announcement(), None)
    assert len(slack.messages) == 1  # Slack posted it; the answer was lost
    found = notifier.find(announcement(), None)
    assert found is not None and found.id == slack.messages[0]["ts"]

    update = PostToChat(key="slack:update:12-0", channel="C0SUPPORT", text="Rolled back",
                        message=Message("Rolled back"), thread=Thread.REPLY, incident=INCIDENT)
    assert notifier.find(update, found) is None  # not yet posted
    posted = notifier.post(update, found)
    assert notifier.find(update, found) == posted
    other = PostToChat(key="slack:update:12-0", channel="C0SUPPORT", text="Rolled back",
                       message=Message("Rolled back"), thread=Thread.REPLY,
                       incident="acme/identity#8")
    assert notifier.find(other, found) is None  # another incident's tags
    assert slack.violations == []


@pytest.mark.parametrize(("private", "scope"), [(False, "channels:history"),
                                                (True, "groups:history")])
def test_without_the_history_scope_the_look_names_it(private: bool, scope: str,
                                                     slack: FakeSlack,
                                                     notifier: SlackNotifier) -> None:
    slack.add_channel("#war-room", private=private)
    slack.scopes = set(PRIVATE_SLACK_SCOPES) - {scope}
    with pytest.raises(PermanentServiceError) as refused:
        notifier.find(announcement("#war-room"), None)
    assert refused.value.reason is Refusal.PERMISSION
    assert scope in refused.value.fix


# -- refusals, sorted --------------------------------------------------------------------------

@pytest.mark.parametrize("error", ["token_revoked", "account_inactive", "invalid_auth"])
def test_a_refused_token_names_slack_bot_token(error: str, slack: FakeSlack,
                                               notifier: SlackNotifier) -> None:
    slack.revoke_token(error)
    for attempt in (lambda: notifier.post(announcement(), None),
                    lambda: notifier.find(announcement(), None),
                    lambda: notifier.permalink(ChatMessageRef("C0SUPPORT", "1.2"))):
        with pytest.raises(PermanentServiceError) as refused:
            attempt()
        assert refused.value.reason is Refusal.CREDENTIALS
        assert "SLACK_BOT_TOKEN" in refused.value.fix
        assert TOKEN not in str(refused.value)


def test_channel_refusals_say_what_to_fix(slack: FakeSlack, notifier: SlackNotifier) -> None:
    slack.add_channel("#old-support", archived=True)
    slack.add_channel("#quiet", member=False)
    cases = {"#old-support": (Refusal.GONE, "archived"),
             "#quiet": (Refusal.PERMISSION, "/invite"),
             "#nowhere": (Refusal.GONE, "config")}
    for channel, (reason, fix) in cases.items():
        with pytest.raises(PermanentServiceError) as refused:
            notifier.post(announcement(channel), None)
        assert refused.value.reason is reason, channel
        assert fix in refused.value.fix, channel
    slack.scopes = {"channels:read"}
    with pytest.raises(PermanentServiceError) as unscoped:
        notifier.post(announcement(), None)
    assert unscoped.value.reason is Refusal.PERMISSION
    assert "chat:write" in unscoped.value.fix


def test_slacks_own_trouble_is_transient(slack: FakeSlack, notifier: SlackNotifier) -> None:
    slack.inject("conversations_list", *[Fault(503) for _ in range(3)])
    with pytest.raises(TransientServiceError):
        notifier.find(announcement(), None)
    assert notifier.find(announcement(), None) is None  # not remembered: tried again


# -- links people can open -------------------------------------------------------------------

def test_the_announcement_has_a_link_people_can_open(slack: FakeSlack,
                                                     notifier: SlackNotifier) -> None:
    posted = notifier.post(announcement(), None)
    link = notifier.permalink(posted)
    assert link == (f"https://identity-team.slack.com/archives/C0SUPPORT/"
                    f"p{posted.id.replace('.', '')}")
    with pytest.raises(PermanentServiceError) as gone:
        notifier.permalink(ChatMessageRef("C0SUPPORT", "1700000099.000001"))
    assert gone.value.reason is Refusal.GONE
    slack.scopes = set()
    assert notifier.permalink(posted) == link  # chat.getPermalink needs no scope


def test_a_link_cannot_break_out_of_markdown() -> None:
    assert safe_link("https://x.slack.com/archives/C1/p1?thread_ts=1.2&cid=C1") == (
        "https://x.slack.com/archives/C1/p1?thread_ts=1.2&cid=C1")
    assert safe_link("https://x.slack.com/a) [b](c <d>") == (
        "https://x.slack.com/a%29%20%5Bb%5D%28c%20%3Cd%3E")
    assert safe_link("javascript:alert(1)") is None


# -- the scopes a config needs, said offline ---------------------------------------------------

def test_the_scopes_a_config_needs_follow_from_how_its_channels_are_written() -> None:
    named = scope_lines(["#identity-support", "#identity-leadership"])
    assert [line.split(" ", 1)[0].rstrip(":") for line in named[:4]] == [
        "chat:write", "channels:read", "channels:history", "chat:write.public"]
    assert "`#identity-support` and `#identity-leadership` are written as names" in named[1]
    assert "may show twice" in named[-1]
    by_id = scope_lines(["C0SUPPORT", None])
    assert by_id[1].startswith("channels:read, groups:read: not needed")
    mixed = scope_lines(["C0SUPPORT", "#identity-leadership"])
    assert "`#identity-leadership` is written as a name" in mixed[1]
