"""gantt: task and section names for Mermaid, checked against its grammar and its real renderer.

Two levels:
- a Python model of what Mermaid does to a chart line (the preprocessing, then the first-match
  lexer of gantt.jison at the start of a statement): every hostile name must lex as one task name
  (or one section), and show, once Mermaid decodes its entity codes, the text the reader typed;
- the real thing: `.ci/mermaid-check` renders charts built from every hostile name and every
  grammar keyword with the npm package `mermaid` in headless Chromium. Skipped with the reason
  when Chromium or mermaid is not installed (set MERMAID_CHECK_REQUIRED=1 to fail instead).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from incident_response.core.texts.gantt import TODAY_MARKER_OFF, section_name, task_name
from incident_response.core.texts.markdown_text import shorten

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"
CHECKER = ROOT / ".ci" / "mermaid-check"


def corpus() -> list[str]:
    """The Big List of Naughty Strings and this project's targeted and maximal inputs."""
    strings: list[str] = json.loads((HOSTILE / "blns.json").read_text(encoding="utf-8"))
    for entry in json.loads((HOSTILE / "targeted.json").read_text(encoding="utf-8"))["entries"]:
        strings.append(entry["text"] if "text" in entry else entry["repeat"] * entry["times"])
    return strings


# The statements of gantt.jison lines 20-92, written out here independently of the module.
KEYWORDS = ["accTitle", "accDescr", "accDescription", "href", "call", "click", "gantt",
            "dateFormat", "inclusiveEndDates", "topAxis", "axisFormat", "tickInterval", "includes",
            "excludes", "todayMarker", "weekday", "weekend", "title", "section"]
KEYWORD_NAMES = [variant for keyword in KEYWORDS for variant in (
    keyword, keyword.upper(), f"{keyword} x", f"{keyword}: x", f"{keyword} {{ x }}",
    f'{keyword} "x"', f"{keyword}\tx", f"{keyword}\u00a0x", f"{keyword}-x", f"{keyword} monday",
    f"{keyword} friday", f"{keyword} fn(x)",
)] + ["2026-11-30 deploy", "2026-11-30", "2026-11-30T10:00 x", "Call the vendor",
      "gantt chart", "%% comment", "a% done", "%%{init: {'theme': 'dark'}}%%", "todayMarker off"]
NAMES = corpus() + KEYWORD_NAMES

# --- a model of Mermaid's text handling (mermaid@12.3.0) ------------------------------------------

JS_SPACE = "[\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]"
_I = re.IGNORECASE | re.ASCII
# The INITIAL-state rules of the compiled lexer, in order; jison takes the first that matches.
LEXER = [(name, re.compile(pattern.replace(r"\s", JS_SPACE), _I)) for name, pattern in [
    ("open_directive", r"%%\{"),
    ("acc_title", r"accTitle\s*:\s*"),
    ("acc_descr", r"accDescr\s*:\s*"),
    ("acc_descr_multiline", r"accDescr\s*\{\s*"),
    ("comment", r"%%[^\n]*"),
    ("comment", r"[^}]%+[^\n]*"),
    ("comment", r"%+[^\n]*\n*"),
    ("NL", r"\n+"),
    ("SPACE", r"\s+"),
    ("comment", r"%[^\n]*"),
    ("href", r'href\s+"'),
    ("call", r"call\s+"),
    ("click", r"click\s+"),
    ("gantt", r"gantt\b"),
    ("dateFormat", r"dateFormat\s[^#\n;]+"),
    ("inclusiveEndDates", r"inclusiveEndDates\b"),
    ("topAxis", r"topAxis\b"),
    ("axisFormat", r"axisFormat\s[^#\n;]+"),
    ("tickInterval", r"tickInterval\s[^#\n;]+"),
    ("includes", r"includes\s[^#\n;]+"),
    ("excludes", r"excludes\s[^#\n;]+"),
    ("todayMarker", r"todayMarker\s[^\n;]+"),
    *[(f"weekday_{day}", rf"weekday\s+{day}\b") for day in
      ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")],
    ("weekend_friday", r"weekend\s+friday\b"),
    ("weekend_saturday", r"weekend\s+saturday\b"),
    ("date", r"[0-9]{4}-[0-9]{2}-[0-9]{2}\b"),
    ("title", r"title\s[^\n]+"),
    ("accDescription", r"accDescription\s[^#\n;]+"),
    ("section", r"section\s[^\n]+"),
    ("taskTxt", r"[^:\n]+"),
    ("taskData", r":[^#\n;]+"),
    (":", r":"),
]]
DIRECTIVE = re.compile(  # utils.ts directiveRegex
    r"%{2}{\s*(?:(\w+)\s*:|(\w+))\s*(?:(\w+)|((?:(?!}%{2}).|\r?\n)*))?\s*(?:}%{2})?", re.IGNORECASE)
COMMENT_LINE = re.compile(r"^\s*%%(?!{)[^\n]+\n?", re.MULTILINE)


def encode_entities(text: str) -> str:
    """utils.ts encodeEntities (JavaScript's \\w is ASCII)."""
    text = re.sub(r"style.*:\S*#.*;", lambda m: m.group()[:-1], text)
    text = re.sub(r"classDef.*:\S*#.*;", lambda m: m.group()[:-1], text)

    def placeholder(match: re.Match[str]) -> str:
        inner = match.group()[1:-1]
        return ("\ufb02\u00b0\u00b0" if re.fullmatch(r"\+?[0-9]+", inner) else "\ufb02\u00b0") + \
            inner + "\u00b6\u00df"
    return re.sub(r"#[A-Za-z0-9_]+;", placeholder, text)


def drawn(text: str) -> str:
    """What the reader sees of a text the lexer passed on: d3 puts it in the SVG as a text node
    (serialised with `&`, `<`, `>` escaped), utils.ts decodeEntities turns the placeholders in the
    SVG markup into `&#...;` / `&...;`, and the browser reads that markup."""
    markup = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    markup = markup.replace("\ufb02\u00b0\u00b0", "&#").replace("\ufb02\u00b0", "&")
    return html.unescape(markup.replace("\u00b6\u00df", ";"))


def tokens(line: str) -> list[tuple[str, str]]:
    """The lexer's tokens for one preprocessed chart line (whitespace and comments dropped)."""
    found, position = [], 0
    while position < len(line):
        for name, pattern in LEXER:
            match = pattern.match(line, position)
            if match and match.end() > position:
                if name not in ("SPACE", "comment"):
                    found.append((name, match.group()))
                position = match.end()
                break
        else:
            found.append(("INVALID", line[position]))
            position += 1
    return found


def shown(text: str, limit: int = 60) -> str:
    """What a reader should see: whitespace folded, controls dropped, at most `limit` graphemes."""
    text = re.sub("[\x00-\x08\x0e-\x1f\x7f-\x9f]", "", re.sub("[\ud800-\udfff]", "\ufffd", text))
    text = re.sub(JS_SPACE + "+", " ", text).strip(" ")
    return shorten(text, limit) if text else ""


DATA = ":milestone, 2026-01-01T10:00, 0m"


@pytest.mark.parametrize("text", NAMES, ids=range(len(NAMES)))
def test_a_task_line_lexes_as_one_task_showing_the_text(text: str) -> None:
    name = task_name(text)
    assert "\n" not in name
    line = f"    {name} {DATA}\n"
    assert not DIRECTIVE.search(line), "a %%{...}%% directive survived"
    assert not COMMENT_LINE.search(line)
    encoded = encode_entities(line)
    assert tokens(encoded) == [("taskTxt", encode_entities(name) + " "), ("taskData", DATA),
                               ("NL", "\n")]
    assert drawn(encode_entities(name)) == (shown(text) or "event")


@pytest.mark.parametrize("text", NAMES, ids=range(len(NAMES)))
def test_a_section_line_lexes_as_one_section_showing_the_text(text: str) -> None:
    name = section_name(text)
    line = f"    section {name}\n"
    assert not DIRECTIVE.search(line)
    assert not COMMENT_LINE.search(line)
    assert "<" not in name, "section titles split on <br>"
    encoded = encode_entities(line)
    assert tokens(encoded) == [("section", encoded.strip(" \n")), ("NL", "\n")]
    assert drawn(encode_entities(name)) == (shown(text) or "Events")


def test_examples() -> None:
    assert task_name("Zürich 🚀 👨\u200d👩\u200d👧") == "Zürich 🚀 👨\u200d👩\u200d👧"
    assert task_name("Call the vendor") == "#67;all the vendor"
    assert task_name("2026-11-30 deploy") == "#50;026-11-30 deploy"
    assert task_name("title: 50% down; see #12") == "#116;itle#58; 50#37; down#59; see #12"
    assert task_name("callback queue") == "callback queue"
    assert task_name("a\n\nb\tc") == "a b c"
    assert task_name("   ") == "event"
    assert task_name("```") == "#96;#96;#96;"
    assert task_name("x" * 100) == "x" * 59 + "…"
    assert task_name("é" * 100, limit=10) == "é" * 9 + "…"
    assert task_name("e\u0301" * 100, limit=3) == "e\u0301e\u0301…"
    assert section_name("Section: title") == "Section#58; title"
    assert section_name("") == "Events"
    assert section_name("42") == "#52;2"
    assert section_name("4294967295") == "4294967295"
    assert section_name("__proto__") == "#95;_proto__"
    assert task_name("42") == "42"
    assert TODAY_MARKER_OFF == "todayMarker off"


# --- the real renderer ----------------------------------------------------------------------------

def chart(rows: list[tuple[str, str]]) -> str:
    """A chart like the post-mortem's: the impact bar, then one section with one milestone per
    (section, task) row."""
    lines = [
        "gantt",
        "    title Incident timeline (UTC)",
        "    dateFormat YYYY-MM-DDTHH:mm",
        "    axisFormat %H:%M",
        f"    {TODAY_MARKER_OFF}",
        "    section Impact",
        "    Customer impact :crit, 2026-01-01T09:00, 2026-01-01T11:00",
    ]
    for minute, (section, task) in enumerate(rows):
        lines += [f"    section {section}",
                  f"    {task} :milestone, 2026-01-01T10:{minute:02d}, 0m"]
    return "\n".join(lines) + "\n"


def batches(texts: list[str], size: int) -> list[list[str]]:
    """Texts in groups of at most `size` whose section names differ (equal names would merge)."""
    groups: list[tuple[list[str], set[str]]] = []
    for text in texts:
        name = section_name(text)
        group = next((g for g in groups if len(g[0]) < size and name not in g[1]), None)
        if group is None:
            group = ([], set())
            groups.append(group)
        group[0].append(text)
        group[1].add(name)
    return [members for members, _ in groups]


#: names written raw: each breaks the chart or is drawn as something else (issue #9), which the
#: check must see (so it is not vacuous)
UNSAFE = ["Call the vendor", "click here", "gantt", "2026-11-30 deploy", "topAxis",
          "accDescription x", "title Foo", "section Foo", "a: b", "%% done", "x #35; y"]


def test_every_chart_renders_with_the_real_mermaid(tmp_path: Path) -> None:
    charts = tmp_path / "charts"
    charts.mkdir()
    groups = batches(NAMES, 20)
    for number, group in enumerate(groups):
        rows = [(section_name(text), task_name(text)) for text in group]
        (charts / f"{number:03d}.mmd").write_text(chart(rows), encoding="utf-8")
    for index, text in enumerate(UNSAFE):
        (charts / f"unsafe-{index}.mmd").write_text(chart([("Response", text)]), encoding="utf-8")
    # A chart inside Markdown, as the post-mortem holds it.
    (charts / "postmortem.md").write_text(
        "# Post-mortem\n\n```mermaid\n" + chart([("Response", task_name("```\nCall :)"))])
        + "```\n\n## After\n", encoding="utf-8")

    report = tmp_path / "report.json"
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(CHECKER), "--json", str(report), str(charts)],
                          capture_output=True, text=True, timeout=300, check=False)
    elapsed = time.monotonic() - started
    if done.returncode == 77:
        if os.environ.get("MERMAID_CHECK_REQUIRED"):
            pytest.fail(done.stderr)
        pytest.skip(done.stderr.strip())
    results = {Path(r["name"]).name: r for r in json.loads(report.read_text())["results"]}
    print(done.stdout.splitlines()[-1], f"(pytest saw {elapsed:.1f} s)")

    for index, text in enumerate(UNSAFE):
        result = results[f"unsafe-{index}.mmd"]
        intact = result["ok"] and [t.strip(" ") for t in result["tasks"]][-1:] == [text]
        assert not intact, f"{text!r} written raw should break or change the chart"
    failed = {name: r["error"] for name, r in results.items()
              if not r["ok"] and not name.startswith("unsafe-")}
    assert not failed, failed
    for number, group in enumerate(groups):
        result = results[f"{number:03d}.mmd"]
        assert result["title"] == "Incident timeline (UTC)"
        assert result["sections"] == ["Impact"] + [shown(text) or "Events" for text in group]
        assert [task.strip(" ") for task in result["tasks"]] == \
            ["Customer impact"] + [shown(text) or "event" for text in group]
    assert results["postmortem.md#1"]["ok"]
    assert elapsed < 60, f"the Mermaid check took {elapsed:.0f} s"
