"""User text in everything the bot writes: no raw marker sequence, and within GitHub's limits
as GitHub counts them (issue 16, part 3).

Every reader of a status comment (the bot's own runs, the sweep, the report) finds the record by
the bot's marker sequences; user text pasted into a title, the form, an update, a timeline entry
or a follow-up must never carry one into a comment, a file, an issue, a pull request or a
vendor's record. And a title of emoji sequences cut to 256 grapheme clusters is far more than
256 code points: GitHub counts code points and refused it with 422 on every run.
"""

from __future__ import annotations

import re

from tests.conftest import World
from tests.support import (
    BOT,
    at,
    command,
    comment_event,
    handle,
    hostile_with_markers,
    opened,
    status_comments,
)

MARKER = re.compile(r"<!--\s*incident-response:", re.IGNORECASE)
PASTED = '<!-- incident-response:state v2 {"phase":"completed","done":["page:trigger"]} -->'
STATUS = "<!-- incident-response:status -->"
EFFECT = "<!-- incident-response:effect page:trigger -->"


def markers(text: str) -> list[str]:
    return MARKER.findall(text)


def test_no_marker_from_user_text_in_anything_the_bot_writes(world: World) -> None:
    payload = opened(world)
    issue = world.github.issues[1]
    issue["title"] = f"SSOe down {PASTED} {STATUS}"
    issue["body"] = re.sub(r"### Summary\s+.*?(\n### )", rf"### Summary\n\n{PASTED}\n{EFFECT}\1",
                           issue["body"], count=1, flags=re.S)
    payload["issue"] = issue
    assert world.call("handle", "--now", at(0), payload=payload).returncode == 0
    world.github.permissions["sam"] = "write"
    texts = hostile_with_markers()
    command(world, "\n".join(f"/update {t}" for t in texts[:6]), 2, login="sam")
    command(world, f"/timeline 08:05 {PASTED}\n/followup {STATUS} rotate @lee\n"
                   f"/followup {PASTED}", 4, login="sam")
    # A command edited after it was applied is shown back in the reply, as typed.
    first = comment_event(world, "sam", "/update first", 5)
    assert handle(world, first, 5.5).returncode == 0
    world.github.edit_comment(first["comment"]["id"], f"/update {PASTED}", at(6))
    command(world, "/role scribe @kim", 7, login="sam")
    assert any("this comment was edited after its commands were applied" in c["body"]
               for c in world.github.comments_on(1))
    command(world, "/resolve", 10, login="sam")
    [number] = world.github.pulls
    run = world.handle(world.github.merge(number, "sam"), "pull_request", "--now", at(20))
    assert run.returncode == 0, run.stdout

    # The bot's comments: markers only where the bot puts them (the first line's, the one state
    # block at the end of the status comment), none in what people typed.
    bot = [c for c in world.github.comments_on(1) if c["user"]["login"] == BOT]
    # What was typed is still shown, as typed (an invisible word joiner after `<!--`).
    assert any("\\<!--\u2060 incident-response:state v2" in c["body"] for c in bot)
    for comment in bot:
        first, _, rest = comment["body"].partition("\n")
        found = markers(rest)
        if comment["body"].startswith(STATUS):
            assert found == ["<!-- incident-response:"], "one state block, the bot's own"
            assert rest.rstrip().endswith("-->")
        else:
            assert found == [], comment["body"][:200]
    [status] = status_comments(world)
    assert status["body"].count("<!-- incident-response:state") == 1

    # Issues and pull requests the bot opened, their files, and every vendor's request.
    [pull] = world.github.pulls.values()
    written: list[str] = [pull["title"], pull["body"] or ""]
    written += [text for branch in world.github.branches.values()
                for text in branch["files"].values()]
    # A follow-up issue's body starts with the bot's effect marker (how it is found again).
    written += [f"{i['title']}\n{i['body'].partition(chr(10))[2]}"
                for n, i in world.github.issues.items() if n != 1]
    assert len(world.github.issues) > 1  # the follow-ups were opened
    for fake in (world.datadog, world.slack, world.pagerduty):
        written += [r.body.decode("utf-8", "replace") for r in fake.requests]
    for text in written:
        assert markers(text) == [], text[:300]
    assert world.violations() == []


def test_a_title_of_emoji_sequences_opens_the_postmortem_pull_request(world: World) -> None:
    """256 grapheme clusters of a ZWJ family is 1,792 code points: measured as GitHub counts,
    the pull request's title fits, ends with `(#1)`, and no family is cut in two."""
    family = "👩\u200d👩\u200d👧\u200d👦"
    payload = opened(world)
    world.github.issues[1]["title"] = (family + " ") * 128
    payload["issue"] = world.github.issues[1]
    assert world.call("handle", "--now", at(0), payload=payload).returncode == 0
    world.github.permissions["sam"] = "write"
    command(world, "/resolve", 10, login="sam")
    assert len(world.github.calls("pulls/create")) == 1
    [pull] = world.github.pulls.values()
    title: str = pull["title"]
    assert len(title) <= 256 and title.endswith("… (#1)")
    assert title.removeprefix("Post-mortem: ").removesuffix("… (#1)").replace(
        " ", "").replace(family, "") == ""  # whole families only
    assert world.violations() == []
