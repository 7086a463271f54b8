"""A second chat vendor passes the same lifecycle, with nothing in core/ changed.

The drill's P1 scenario (report, commander, updates, a reminder, mitigate, resolve, merge) runs
through the real core and shell twice: with the Slack stand-in, and with a Teams adapter written
only for this test (tests/shell/teams.py). The same messages go out, in the same order, to the
same channels and threads; each chat lays them out and mentions people its own way; a post
whose answer was lost is found again, not sent twice.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incident_response.commands.drill.runner import Drill
from incident_response.commands.drill.scenarios import COMMANDER, P1, for_policy
from incident_response.commands.drill.standins import StandInSlack
from incident_response.core.record import keys
from incident_response.core.record.keys import Vendors
from incident_response.shell.wiring import VENDORS, Lazy
from tests.shell.teams import TeamsChat
from tests.support import FORM, POLICY

START = datetime(2026, 11, 28, 8, 10, tzinfo=UTC)
TEAMS_ID = "29:1f2A-commander"


class SlackRecorder(StandInSlack):
    """The drill's Slack stand-in, keeping each post's effect for the comparison."""

    def __init__(self, drill: Drill) -> None:
        super().__init__(drill.transcript)
        self.keys: list[tuple[str, str, bool]] = []

    def post(self, effect, thread):  # type: ignore[no-untyped-def]
        self.keys.append((effect.key, effect.channel, thread is not None))
        return super().post(effect, thread)


def _run(chat: str) -> tuple[Drill, SlackRecorder | TeamsChat]:
    scenario = for_policy(P1, POLICY, FORM)
    drill = Drill(scenario, POLICY, FORM, START)
    adapter: SlackRecorder | TeamsChat
    if chat == "teams":
        adapter = TeamsChat({COMMANDER: (TEAMS_ID, "Drill Commander")})
        drill.adapters.chat = Lazy.ready(adapter)
        drill.adapters.vendors = replace(VENDORS, chat="Teams")
    else:
        adapter = SlackRecorder(drill)
        drill.adapters.chat = Lazy.ready(adapter)
    for step in scenario.steps:
        drill.clock.now = START + timedelta(minutes=step.minutes)
        drill.step(step)
    assert not drill.failed
    return drill, adapter


def _teams_posts(teams: TeamsChat) -> list[tuple[str, str, bool]]:
    return [(p.tags["effect"], p.channel, p.thread is not None) for p in teams.posted]


@pytest.fixture(scope="module")
def both() -> tuple[tuple[Drill, SlackRecorder], tuple[Drill, TeamsChat]]:
    slack, teams = _run("slack"), _run("teams")
    assert isinstance(slack[1], SlackRecorder) and isinstance(teams[1], TeamsChat)
    return (slack[0], slack[1]), (teams[0], teams[1])


def test_the_same_messages_go_to_the_same_places_in_the_same_order(
        both: tuple[tuple[Drill, SlackRecorder], tuple[Drill, TeamsChat]]) -> None:
    (_, slack), (_, teams) = both
    assert slack.keys == _teams_posts(teams)
    sent = [key for key, _, _ in slack.keys]
    assert sent[:2] == [keys.ANNOUNCE, keys.LEADERSHIP]
    assert any(key.startswith(keys.chat_update("")) for key in sent)
    assert sent[-1].startswith(keys.chat_note("completed"))  # leadership told at completion


def test_replies_go_into_the_announcements_thread(
        both: tuple[tuple[Drill, SlackRecorder], tuple[Drill, TeamsChat]]) -> None:
    (_, teams) = both[1]
    announcement = next(p for p in teams.posted if p.tags["effect"] == keys.ANNOUNCE)
    replies = [p for p in teams.posted if p.thread is not None]
    assert replies and {p.thread for p in replies} == {announcement.id}


def test_teams_lays_the_message_out_as_a_card_and_mentions_its_own_way(
        both: tuple[tuple[Drill, SlackRecorder], tuple[Drill, TeamsChat]]) -> None:
    (_, teams) = both[1]
    announcement = next(p for p in teams.posted if p.tags["effect"] == keys.ANNOUNCE)
    kinds = [block["type"] for block in announcement.card["body"]]
    assert kinds[:2] == ["TextBlock", "FactSet"]
    mentioned = [p for p in teams.posted if p.mentions]
    assert mentioned, "the commander is mentioned somewhere (the /ic note, the escalation)"
    assert all(m["mentioned"]["id"] == TEAMS_ID for p in mentioned for m in p.mentions)
    text = str([p.card for p in teams.posted])
    assert "<person:" not in text and "<@" not in text  # no core token, no Slack markup


def test_the_record_names_the_chat_people_read_and_holds_its_thread(
        both: tuple[tuple[Drill, SlackRecorder], tuple[Drill, TeamsChat]]) -> None:
    drill, teams = both[1]
    status = next(c.body for c in drill.github.comments.values()
                  if c.body.startswith("<!-- incident-response:status -->"))
    assert "Teams: announced in" in status and "Slack" not in status.split("<!--")[1]
    announcement = next(p for p in teams.posted if p.tags["effect"] == keys.ANNOUNCE)
    assert announcement.id in status


def test_a_post_whose_answer_was_lost_is_found_not_sent_again() -> None:
    teams = TeamsChat({})
    scenario = for_policy(P1, POLICY, FORM)
    drill = Drill(scenario, POLICY, FORM, START)
    drill.adapters.chat = Lazy.ready(teams)
    drill.adapters.vendors = Vendors(chat="Teams")
    drill.clock.now = START
    drill.step(scenario.steps[0])
    posted = len(teams.posted)
    # The record forgets the announcement was confirmed, as a run whose answer was lost would
    # leave it: claimed long ago, never confirmed.
    status_id, status = next((i, c) for i, c in drill.github.comments.items()
                             if c.body.startswith("<!-- incident-response:status -->"))
    forgotten = status.body.replace(f'"{keys.ANNOUNCE}",', "").replace(
        '"claimed":{', f'"claimed":{{"{keys.ANNOUNCE}":"2026-11-28T07:00:00Z",', 1)
    if '"claimed"' not in forgotten:
        forgotten = forgotten.replace(
            '"commander"', f'"claimed":{{"{keys.ANNOUNCE}":"2026-11-28T07:00:00Z"}},'
                           '"commander"', 1)
    drill.github.comments[status_id] = replace(status, body=forgotten)
    drill.clock.now = START + timedelta(minutes=30)
    drill.step(replace(scenario.steps[0], kind="sweep"))
    assert len([p for p in teams.posted if p.tags["effect"] == keys.ANNOUNCE]) == 1
    assert len(teams.posted) >= posted
