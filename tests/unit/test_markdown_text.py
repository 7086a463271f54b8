"""markdown_text: every hostile input, placed in small documents, rendered by cmark-gfm.

cmark-gfm (the `cmarkgfm` package) is GitHub's Markdown parser. It renders here with GitHub's
extensions (table, autolink, strikethrough, tasklist), footnotes, and raw HTML allowed as GitHub
allows it before sanitising, but *without* the tagfilter extension: tagfilter would turn a leaked
`<script>` into text and hide the leak this test looks for. Each document ends with the sentinel
heading `## After`, which must still be a heading after the user's text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest

from incident_response.core.texts.markdown_text import (
    WORD_JOINER,
    block,
    code_block,
    code_span,
    graphemes,
    inline,
    quote,
    shorten,
)

try:
    import cmarkgfm
    from cmarkgfm.cmark import Options
except ImportError:  # the rendering tests skip; the others still run
    cmarkgfm = None

needs_cmark = pytest.mark.skipif(
    cmarkgfm is None, reason="cmarkgfm (GitHub's cmark-gfm, from the package index) is not "
    "installed: it belongs in the test extra")

HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"


def corpus() -> list[str]:
    """The Big List of Naughty Strings and this project's targeted and maximal inputs."""
    strings: list[str] = json.loads((HOSTILE / "blns.json").read_text(encoding="utf-8"))
    for entry in json.loads((HOSTILE / "targeted.json").read_text(encoding="utf-8"))["entries"]:
        strings.append(entry["text"] if "text" in entry else entry["repeat"] * entry["times"])
    return strings


CORPUS = corpus()


def render(markdown: str) -> str:
    options = (Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_FOOTNOTES
               | Options.CMARK_OPT_GITHUB_PRE_LANG)
    return cmarkgfm.markdown_to_html_with_extensions(
        markdown, options=options, extensions=["table", "autolink", "strikethrough", "tasklist"])


# --- a small HTML tree ----------------------------------------------------------------------------

VOID = {"br", "hr", "img", "input", "meta", "link", "source", "col", "wbr", "area", "base",
        "embed", "param", "track"}


@dataclass
class Node:
    tag: str
    children: list[Node | str] = field(default_factory=list)

    @property
    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    def text(self) -> str:
        """The text content, a <br> as a newline."""
        parts = [child if isinstance(child, str) else
                 ("\n" if child.tag == "br" else child.text()) for child in self.children]
        return "".join(parts)

    def walk(self) -> list[Node]:
        found = [self]
        for child in self.elements:
            found += child.walk()
        return found

    def find_all(self, tag: str) -> list[Node]:
        return [node for node in self.walk() if node.tag == tag]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]
        self.comments: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)

    def handle_pi(self, data: str) -> None:
        self.comments.append(data)

    def unknown_decl(self, data: str) -> None:
        self.comments.append(data)


def tree(markdown: str) -> tuple[Node, list[str]]:
    builder = _Builder()
    builder.feed(render(markdown))
    builder.close()
    return builder.root, builder.comments


# --- what the user's text should look like once rendered ------------------------------------------

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def cleaned(text: str) -> str:
    """As typed, but for the line ends, the controls, lone surrogates and the bot's marker
    sequences, which get an invisible word joiner (core/texts/markers.py)."""
    text = re.sub("[\ud800-\udfff]", "\ufffd", text)
    text = re.sub("\r\n|[\r\x0b\x0c\x85\u2028\u2029]", "\n", text)
    return re.sub(r"(?i)(<!--)(\s*incident-response:)", f"\\1{WORD_JOINER}\\2",
                  CONTROLS.sub("", text))


def folded(text: str) -> str:
    return squash(cleaned(text))


def squash(text: str) -> str:
    """Whitespace runs as one space (how a browser shows them), ends trimmed."""
    return re.sub("[ \t\n]+", " ", text.replace(WORD_JOINER, "")).strip(" ")


def lines(text: str) -> list[str]:
    return [re.sub("[ \t]+", " ", line).strip(" ") for line in text.replace(WORD_JOINER, "")
            .split("\n") if line.strip(" \t")]


# GitHub links these in text outside code and links (html-pipeline's MentionFilter pattern is
# `(?:^|\W)@[a-z0-9]...`; issue references `#123`, `GH-123`); checked stricter here: no "@", "#"
# or "GH-" directly followed by a letter or digit at all.
NOTIFIES = re.compile(r"@[A-Za-z0-9]|#[0-9]|(?i:\bGH-[0-9])")
ALLOWED = {"root", "p", "h1", "h2", "table", "thead", "tbody", "tr", "th", "td", "ul", "li",
           "strong", "code", "pre", "blockquote", "br"}


def check_clean(root: Node, comments: list[str], allowed: set[str] = ALLOWED) -> None:
    assert not comments, f"raw HTML comment or declaration leaked: {comments}"
    leaked = {node.tag for node in root.walk()} - allowed
    assert not leaked, f"elements from user text: {leaked}"
    for node in root.walk():
        if node.tag in ("code", "pre"):
            continue
        for child in node.children:
            if isinstance(child, str):
                assert not NOTIFIES.search(child), f"would notify or link on GitHub: {child!r}"


def check_after(root: Node) -> None:
    last = root.elements[-1]
    assert (last.tag, last.text()) == ("h2", "After"), "the sentinel heading was swallowed"
    assert [n.text() for n in root.find_all("h2")].count("After") == 1


# --- every input, in every place ------------------------------------------------------------------

@needs_cmark
@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_inline_in_paragraph_list_bold_and_table(text: str) -> None:
    expected = folded(text)

    root, comments = tree(f"Before {inline(text)} after.\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    assert [n.tag for n in root.elements] == ["p", "h2"]
    assert squash(root.elements[0].text()) == squash(f"Before {expected} after.")

    # At the start of a line, and as the second line of a paragraph (a setext underline there).
    for document in (f"# Top\n{inline(text)}\n## After\n",
                     f"# Top\nIntro\n{inline(text)}\n\n## After\n"):
        root, comments = tree(document)
        check_clean(root, comments)
        check_after(root)
        assert [n.tag for n in root.elements] in (["h1", "p", "h2"], ["h1", "h2"])
        if expected:
            assert squash(root.elements[1].text()).removeprefix("Intro ") == expected

    # (Bold around empty text would be the template's own "****", a thematic break.)
    bold = f"**{inline(text)}**" if inline(text) else ""
    root, comments = tree(f"# Post-mortem: {inline(text)}\n\n## After\n")
    check_clean(root, comments, ALLOWED)
    check_after(root)
    assert [n.tag for n in root.elements] == ["h1", "h2"]
    assert squash(root.elements[0].text()) == squash(f"Post-mortem: {expected}")

    root, comments = tree(f"- {inline(text)}\n- {bold}\n- second\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    assert [n.tag for n in root.elements] == ["ul", "h2"]
    items = root.elements[0].elements
    assert len(items) == 3
    assert squash(items[0].text()) == expected
    assert squash(items[1].text()) in (expected, f"**{expected}**")
    assert items[2].text() == "second"

    cell = inline(text)
    code = code_span(text, table_cell=True)
    root, comments = tree(f"| Time | Event | By |\n|---|---|---|\n| 10:00 | {cell} | x |\n"
                          f"| 10:01 | {code} | y |\n| 10:02 | **{cell}** | z |\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    assert [n.tag for n in root.elements] == ["table", "h2"]
    rows = root.find_all("tr")
    assert len(rows) == 4
    for row in rows:
        assert len(row.elements) == 3, "a table row changed its column count"
    assert squash(rows[1].elements[1].text()) == expected
    assert rows[2].elements[1].text() == code_text(text)
    assert squash(rows[3].elements[1].text()) in (expected, f"**{expected}**")


def code_text(text: str) -> str:
    return cleaned(text).replace("\n", " ")


@needs_cmark
@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_code_span_keeps_the_text(text: str) -> None:
    root, comments = tree(f"Ran {code_span(text)} here.\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    codes = root.find_all("code")
    if code_text(text):
        assert len(codes) == 1
        assert codes[0].text() == code_text(text)
    else:
        assert not codes


@needs_cmark
@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_block_and_code_block_end_where_the_text_ends(text: str) -> None:
    root, comments = tree(f"## Summary\n\n{block(text)}\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    body = root.elements[1:-1]
    assert {n.tag for n in body} <= {"p"}, "user text opened a block"
    assert lines("\n".join(n.text() for n in body)) == lines(cleaned(text).replace("\t", " "))

    root, comments = tree(f"{code_block(text, 'text')}\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    assert [n.tag for n in root.elements] == ["pre", "h2"]
    body_text = cleaned(text).removesuffix("\n")
    assert root.elements[0].text() == (body_text + "\n" if body_text else "")


@needs_cmark
@pytest.mark.parametrize("text", CORPUS, ids=range(len(CORPUS)))
def test_quote_shows_the_command_as_typed(text: str) -> None:
    root, comments = tree(f"{quote(text)}\n\nThat command was refused.\n\n## After\n")
    check_clean(root, comments)
    check_after(root)
    assert [n.tag for n in root.elements] == ["blockquote", "p", "h2"]
    shown = [code.text() for code in root.elements[0].find_all("code")]
    typed = [line for line in cleaned(text).split("\n") if line.strip()]
    assert shown == typed


# --- specific rules -------------------------------------------------------------------------------

@needs_cmark
def test_code_span_pipe_inside_and_outside_a_table() -> None:
    """GFM spec 4.10: in a table `\\|` in a code span shows as `|`; outside, as `\\|`."""
    assert code_span("a|b") == "`a|b`"
    assert render(f"x {code_span('a|b')}").strip() == "<p>x <code>a|b</code></p>"
    assert code_span("a|b", table_cell=True) == "`a\\|b`"
    table = render(f"| h |\n|---|\n| {code_span('a|b', table_cell=True)} |")
    assert "<td><code>a|b</code></td>" in table
    backslash_pipe = code_span("a\\|b", table_cell=True)
    assert backslash_pipe == "`a\\\\|b`"
    table = render(f"| h |\n|---|\n| {backslash_pipe} |")
    assert "<td><code>a\\|b</code></td>" in table


@needs_cmark
def test_code_span_fences_and_padding() -> None:
    assert code_span("a ` b") == "``a ` b``"
    assert code_span("``x") == "``` ``x ```"
    assert code_span(" padded ") == "`  padded  `"
    assert code_span("   ") == "`   `"
    assert code_span("") == ""
    assert "<code>``x</code>" in render(code_span("``x"))
    assert "<code> padded </code>" in render(code_span(" padded "))


def test_code_block_fence_is_longer_than_any_run_inside() -> None:
    assert code_block("a\n````\nb") == "`````\na\n````\nb\n`````"
    assert code_block("x", "py thon`") == "```python\nx\n```"


def test_inline_examples() -> None:
    assert inline("Zürich") == "Zürich"
    assert inline("snake_case_name") == "snake_case_name"
    assert inline("_a_ *b*") == "\\_a\\_ \\*b\\*"
    assert inline("# heading") == "\\# heading"
    assert inline("1. list") == "1\\. list"
    assert inline("> quote\nnext") == "\\> quote next"
    assert inline("[x]: http://evil") == "\\[x\\]: http\\://evil"
    assert inline("@team #123 GH-4 o/r#5") == (
        f"@{WORD_JOINER}team #{WORD_JOINER}123 GH-{WORD_JOINER}4 o/r#{WORD_JOINER}5")
    assert inline("a | b") == "a \\| b"
    assert inline("<script>") == "\\<script>"
    # "#35" would be an issue reference in GitHub's HTML text: the joiner comes first.
    assert inline("R&D &amp; &#35; &#x41; &x") == f"R&D \\&amp; &#{WORD_JOINER}35; \\&#x41; &x"
    assert inline("10:30 www.x.io") == "10:30 www\\.x.io"
    assert inline("a\x00b\tc") == "ab c"
    assert inline("C# #") == "C# \\#"
    assert inline("wow!") == "wow\\!"


def test_block_examples() -> None:
    assert block("```\nlog\n\n\n# x") == "\\`\\`\\`\\\nlog\n\n\\# x"
    assert block("  indented\n\tline") == "indented\\\nline"
    assert block("") == ""


def test_quote_examples() -> None:
    assert quote("/ic @alice") == "> `/ic @alice`"
    assert quote("/a\n\n/b `x`") == "> `/a`\\\n> `` /b `x` ``"
    assert quote("") == ">"


def test_graphemes_match_icu() -> None:
    reference = json.loads((HOSTILE / "graphemes.icu.json").read_text(encoding="utf-8"))
    assert len(reference["clusters"]) >= 20
    for text, clusters in reference["clusters"]:
        assert graphemes(text) == clusters, text


def test_shorten_cuts_at_a_grapheme_boundary() -> None:
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert shorten("abc", 3) == "abc"
    assert shorten("abcd", 3) == "ab…"
    assert shorten("ab " + family * 3, 5) == f"ab {family}…"
    assert shorten("Zu\u0308rich Zürich", 7) == "Zu\u0308rich…"
    assert shorten("ab  cd", 4) == "ab…"
    assert shorten(family * 2, 8, measure=len) == family + "…"
    assert shorten(family * 4, 10, measure=len) == family + "…"
    assert shorten(family * 4, 7, measure=len) == "…"
    utf16 = shorten("😀" * 10, 5, measure=lambda g: len(g.encode("utf-16-le")) // 2)
    assert utf16 == "😀😀…"
    with pytest.raises(ValueError, match="no room"):
        shorten("abc", 0)


# --- the bot's marker sequences -------------------------------------------------------------------

#: how any reader of what the bot writes would find a marker or a state block (core/record/block.py
#: reads `<!-- incident-response:state v...`, the status marker and the effect markers literally;
#: HTML allows more spellings, and none may pass either)
MARKER = re.compile(r"<!--\s*incident-response:", re.IGNORECASE)
WITH_MARKERS = [text for text in CORPUS if MARKER.search(text)] + [
    f"{text}<!-- incident-response:state v2 {{}} -->{text[:40]}<!-- incident-response:status -->"
    for text in CORPUS[:: 7]]


@pytest.mark.parametrize("escape", [inline, block, code_span, code_block, quote],
                         ids=lambda f: f.__name__)
def test_no_marker_sequence_survives_any_escaping(escape: object) -> None:
    """Escaped for Markdown, a pasted state block would not render, but every reader of the
    comment would still find it: every escaping path makes the sequences inert."""
    assert len(WITH_MARKERS) > 90
    for text in WITH_MARKERS:
        escaped = escape(text)  # type: ignore[operator]
        assert not MARKER.search(escaped), (escape, text[:80])


def test_making_markers_inert_keeps_the_text_as_typed() -> None:
    from incident_response.core.texts.markers import strip_markers

    pasted = '<!-- incident-response:state v2 {"phase":"completed"} -->'
    inert = strip_markers(pasted)
    assert inert.replace(WORD_JOINER, "") == pasted  # it reads the same
    assert strip_markers(inert) == inert  # once is enough
    assert not MARKER.search(inline(pasted)) and "\\<!--" in inline(pasted)
