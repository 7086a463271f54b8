"""A whole incident written by people who paste logs, keywords and other scripts, at the limits.

Every outside write goes to a fake that enforces the vendor's documented limits and answers as
the vendor does (GitHub 422 for a long title, Slack `invalid_blocks`, PagerDuty 400), and what
people read is checked with the real renderers: cmark-gfm for the post-mortem and the status
comment, Mermaid in headless Chromium (where installed) for the chart.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import World
from tests.support import BOT, opened, status_comments

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
T0 = datetime(2026, 11, 28, 8, 11, tzinfo=UTC)
CHECKER = ROOT / ".ci" / "mermaid-check"

#: from tests/fixtures/hostile (the Big List of Naughty Strings and targeted inputs)
NAUGHTY = [s for s in json.loads((FIXTURES / "hostile" / "blns.json").read_text())
           if s.strip() and "\n" not in s][:60]
TITLE = "[Incident] " + ("Zürich 東京 SSOe ✅ <b>down</b> | @everyone #1 `x` " * 8)[:250]
SUMMARY = ("Pasted log follows:\n```\nERROR 500 at /login | user=@team #123\n"
           "<!channel> <script>alert(1)</script> [x]: http://evil.example\n"
           + "trace line with pipes | and ``` backticks\n" * 120)  # the fence never closes
TIMELINE = ["click http://evil.example", "Call back(1)", "gantt", "section Impact",
            "2026-11-30 deploy", "title Hijacked", "dateFormat YYYY", "todayMarker on",
            "excludes weekends", "accDescription x", "Zürich 🔥 failover"]


def at(minutes: float) -> str:
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def comment(world: World, body: str, minutes: float) -> dict[str, Any]:
    made = world.github.person_comments(1, "sam", body, at(minutes))
    payload = json.loads((FIXTURES / "github" / "issue_comment.created.json").read_text())
    payload["issue"] = world.github.issues[1]
    payload["comment"] = {k: v for k, v in made.items() if k != "issue_number"}
    return payload


def html(markdown: str) -> str:
    cmarkgfm = pytest.importorskip("cmarkgfm", reason="cmarkgfm (GitHub's cmark-gfm) is not "
                                   "installed: pip install cmarkgfm")
    from cmarkgfm.cmark import Options

    return str(cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=Options.CMARK_OPT_UNSAFE,
        extensions=["table", "autolink", "strikethrough", "tasklist"]))


def test_a_hostile_incident_goes_through_every_service_and_reads_right(
        world: World, tmp_path: Path) -> None:
    payload = opened(world)
    issue = world.github.issues[1]
    issue["title"] = TITLE
    issue["body"] = re.sub(r"### Summary\s+.*", "### Summary\n\n" + SUMMARY, issue["body"],
                           flags=re.S)
    payload["issue"] = issue
    world.github.permissions["sam"] = "write"
    run = world.call("handle", "--now", at(0), payload=payload)
    assert run.returncode == 0, run.stdout

    for index, text in enumerate(NAUGHTY):
        world.call("handle", "--now", at(index + 1.5),
                   payload=comment(world, f"/update {text}", index + 1), event_name="issue_comment")
    long_update = "Update: " + ("very long update with &amp; <https://x.example|a link> " * 200)
    world.call("handle", "--now", at(70),
               payload=comment(world, f"/update {long_update}", 69.5), event_name="issue_comment")
    entries = "\n".join(f"/timeline 08:{10 + i:02d} {text}" for i, text in enumerate(TIMELINE))
    world.call("handle", "--now", at(80), payload=comment(world, entries, 79.5),
               event_name="issue_comment")
    world.call("handle", "--now", at(90), payload=comment(world, "/resolve", 89.5),
               event_name="issue_comment")

    # Every vendor took every write: nothing refused for its size or its blocks.
    assert world.violations() == []
    assert len(world.slack.messages) == len(world.slack.calls("chat_postMessage"))
    assert [c.json()["event_action"] for c in world.pagerduty.calls("createV2Event")] == [
        "trigger", "resolve"]
    announcement = next(m for m in world.slack.messages
                        if (m.get("metadata") or {}).get("event_type") == "incident_announced")
    assert announcement["blocks"][1]["fields"][0]["text"].startswith("*Priority*")  # facts first
    assert "&lt;!channel&gt;" in json.dumps(announcement["blocks"])  # literal, not a ping
    longest = next(m for m in world.slack.messages if "very long update" in m["text"])
    assert len(longest["blocks"]) > 1  # split into sections, none cut inside a link
    for block in longest["blocks"]:
        text = block["text"]["text"]
        assert text.count("<") == text.count(">")

    [pull] = world.github.pulls.values()
    assert len(pull["title"]) <= 256 and pull["title"].endswith("(#1)")
    document = next(iter(world.github.branches[pull["head"]["ref"]]["files"].values()))
    rendered = html(document)
    # The unclosed fence in the summary swallowed nothing: the sections after it are headings,
    # the timeline is a table whose rows all have three cells, and no user text became HTML.
    for heading in ("Timeline (UTC)", "Roles", "Follow-ups", "Links"):
        assert f">{heading}</h2>" in rendered, heading
    rows = re.findall(r"<tr>(.*?)</tr>", rendered.split("Timeline (UTC)</h2>")[1], re.S)
    assert rows and all(row.count("<td") == 3 for row in rows[1:])
    assert "<script>" not in rendered and "<b>" not in rendered
    assert 'href="http://evil.example"' not in rendered
    assert "Zürich 🔥 failover" in document

    chart = document.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    assert "todayMarker off" in chart
    charts = tmp_path / "charts"
    charts.mkdir()
    (charts / "postmortem.mmd").write_text(chart, encoding="utf-8")
    done = subprocess.run([sys.executable, str(CHECKER), str(charts)], capture_output=True,
                          text=True, check=False, timeout=240)
    if done.returncode == 77:
        pytest.skip(done.stderr.strip())
    assert done.returncode == 0, done.stdout + done.stderr

    [status] = status_comments(world)
    assert len(status["body"]) <= 65_536
    assert "<script>" not in html(status["body"])
    bot_comments = [c["body"] for c in world.github.comments_on(1) if c["user"]["login"] == BOT]
    assert all(len(body) <= 65_536 for body in bot_comments)
