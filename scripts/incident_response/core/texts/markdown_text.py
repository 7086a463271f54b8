"""User text placed in GitHub Markdown: one escaping module, checked against cmark-gfm.

GitHub renders Markdown with cmark-gfm (the CommonMark reference parser with GitHub's extensions:
tables, autolinks, strikethrough, task lists, footnotes), then links `@mentions` and issue
references in the resulting HTML. Every function here returns Markdown whose *rendered* text is the
user's text, whatever it holds, and which cannot change the document around it.

Spec references are to the GitHub Flavored Markdown spec (https://github.github.com/gfm/, 0.29-gfm)
by section; "observed" marks behaviour checked with cmark-gfm itself (the `cmarkgfm` package) in
tests/test_markdown_text.py.

- `inline(text)`: for a paragraph, a list item, a table cell, a heading, link text or bold text.
- `block(text)`: multi-line prose (a summary) as escaped paragraphs, line breaks kept.
- `code_block(text)`: multi-line text kept byte for byte (a pasted log) in a fenced code block.
- `code_span(text, table_cell=False)`: inline code that shows exactly the text.
- `quote(text)`: a blockquote showing a command exactly as typed (a refused command).
- `graphemes(text)` / `shorten(text, limit)`: cut text at a user-perceived character boundary.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from incident_response.core.texts.markers import strip_markers

__all__ = [
    "WORD_JOINER",
    "block",
    "code_block",
    "code_points",
    "code_span",
    "graphemes",
    "inline",
    "quote",
    "shorten",
    "strip_markers",
]

#: U+2060 WORD JOINER: invisible, not whitespace (so it neither folds nor wraps), not
#: punctuation, and not a word character for GitHub's mention and reference patterns.
WORD_JOINER = "\u2060"

# --- cleaning -------------------------------------------------------------------------------------

# Line endings as cmark sees them (spec 2.1: LF, CR, CRLF), plus those Python and browsers also
# break on (VT, FF, NEL, LINE/PARAGRAPH SEPARATOR): all become "\n".
_LINE_BREAKS = re.compile("\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# C0/C1 controls other than TAB and LF: invisible, and NUL is replaced by U+FFFD (spec 2.3).
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
# Lone surrogates cannot be encoded as UTF-8 at all.
_SURROGATES = re.compile("[\ud800-\udfff]")
# Whitespace that ends or folds a line in inline text (NBSP and other Unicode spaces are kept: they
# are not Markdown indentation, spec 2.1 "space"/"tab" only).
_FOLD = re.compile("[ \t\n]+")


def _clean(text: object) -> str:
    """`text` as a string with "\\n" line ends, no control characters, no lone surrogates,
    and none of the bot's marker sequences (core/texts/markers.py): escaped for Markdown, a
    pasted `<!-- incident-response:state ...` would not render, but every reader of the
    comment would still find it."""
    value = _SURROGATES.sub("\ufffd", str(text))
    return strip_markers(_CONTROLS.sub("", _LINE_BREAKS.sub("\n", value)))


# --- inline text ----------------------------------------------------------------------------------

# Characters with inline meaning anywhere on a line, escaped with a backslash (spec 6.1: any ASCII
# punctuation may be backslash-escaped and is then literal):
#   \    escapes the next character (6.1)
#   `    code spans (6.3), code fences (4.5)
#   *    emphasis (6.4), list items (5.2), thematic breaks (4.1)
#   ~    strikethrough (6.5, extension), code fences (4.5)
#   [ ]  links (6.6), images (6.7), footnotes, link reference definitions (4.7)
#   <    raw HTML (6.10), HTML blocks (4.6), autolinks (6.8)
#   |    table cells (4.10, extension): an escaped pipe stays in its cell, also in a code span
_ALWAYS = frozenset("\\`*~[]<|")
# `&` starts an entity or numeric character reference (6.2) only when the reference is complete.
_ENTITY_START = re.compile(
    "&(?=#[0-9]{1,7};|#[Xx][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]{1,31};)")
# Extended autolinks (6.9 extension): cmark-gfm links "www." and "scheme://" when it meets the raw
# "w" or ":"; an escaped "." or ":" is no trigger (observed). Emails are handled by the "@" rule.
_WWW = re.compile(r"(?i)(www)\.")
_SCHEME = re.compile(r":(?=//)")
# GitHub links these in the rendered HTML (after cmark-gfm), so escaping does not help: a word
# joiner after "@" / "#" / "GH-" breaks the pattern. GitHub's mention pattern needs "@" directly
# followed by [a-z0-9] (html-pipeline's MentionFilter), issue references "#" or "GH-" directly
# followed by a digit ("Autolinked references and URLs" in GitHub's docs): this covers @user,
# @org/team, #123, owner/repo#123, GH-123 and owner/repo@sha; and user@example.com, which
# cmark-gfm's autolink extension links when "@" is followed by a domain character [A-Za-z0-9._-].
_MENTION = re.compile("@(?=[A-Za-z0-9._-])")
_ISSUE = re.compile("#(?=[0-9])")
_GH_ISSUE = re.compile("(?i)(?<![A-Za-z0-9])(GH-)(?=[0-9])")
# Block starts, escaped when they open the text (which may open a line, or a list item's content):
# ATX headings "#" (4.2), block quotes ">" (5.1), bullet list items "-" "+" (5.2) and thematic
# breaks "-" (4.1), setext underlines "=" "-" (4.3), table delimiter rows ":" (4.10). "*", "_",
# "`", "~", "<", "[" and "|" are escaped everywhere already.
_BLOCK_START = frozenset("#>-+=:")
# Ordered list items (5.2): up to nine digits then "." or ")".
_ORDERED = re.compile(r"^([0-9]{1,9})([.)])")


def _escape_underscore(line: str, index: int) -> bool:
    """Whether the `_` at `index` could start or end emphasis.

    Spec 6.4: a `_` run that is both left- and right-flanking can open emphasis only when
    preceded by punctuation and close it only when followed by punctuation; between two letters
    or digits it does neither ("snake_case" is never emphasis). Any other `_` is escaped.
    """
    before = line[index - 1] if index > 0 else " "
    after = line[index + 1] if index + 1 < len(line) else " "
    return not (before.isalnum() and after.isalnum())


def _escape_line(line: str) -> str:
    """One line of user text (no "\\n") as literal Markdown text; see `inline`."""
    line = line.strip(" \t")
    line = _MENTION.sub("@" + WORD_JOINER, line)
    line = _ISSUE.sub("#" + WORD_JOINER, line)
    line = _GH_ISSUE.sub(r"\1" + WORD_JOINER, line)
    out = []
    for index, char in enumerate(line):
        if char in _ALWAYS or (char == "_" and _escape_underscore(line, index)):
            out.append("\\" + char)
        else:
            out.append(char)
    text = "".join(out)
    text = _ENTITY_START.sub(r"\\&", text)
    text = _WWW.sub(r"\1\\.", text)
    text = _SCHEME.sub(r"\\:", text)
    if text[:1] in _BLOCK_START:
        text = "\\" + text
    text = _ORDERED.sub(r"\1\\\2", text)
    # A final "!" followed by a template's "[" would start an image (6.7); final "#"s would be
    # the optional closing sequence of an ATX heading (4.2), dropped from the heading.
    if text.endswith(("!", "#")):
        text = text[:-1] + "\\" + text[-1]
    return text


def inline(text: object) -> str:
    """User text for inside a paragraph, list item, heading or table cell: one line, literal.

    Line breaks and runs of spaces/tabs fold into one space. The result cannot open a block
    (fence, HTML block, heading, list, block quote, table, link reference definition, thematic
    break), makes no emphasis, link, image, autolink or raw HTML, keeps a table cell one cell
    (pipes escaped), and does not notify or cross-reference on GitHub (`@team`, `#123`,
    `GH-123`, `owner/repo#1` get an invisible U+2060 WORD JOINER after `@`, `#` or `GH-`).
    Rendered, it shows the text exactly, apart from the folded whitespace and that invisible
    joiner; control characters (NUL...) are dropped.
    """
    return _escape_line(_FOLD.sub(" ", _clean(text)))


def block(text: object) -> str:
    """Multi-line user prose (a summary) as Markdown paragraphs that end where the text ends.

    Each line is escaped as by `inline`, so no line can open a block: an unclosed code fence,
    `<details>`, a table or a link reference definition shows as the text typed and cannot swallow
    what follows. Line breaks are kept as hard line breaks (a backslash at the end of the line,
    spec 6.12), blank lines separate paragraphs. Leading indentation is dropped (4 spaces would
    start an indented code block, spec 4.4). Put the result between blank lines, at the start of
    a line. For text whose layout matters (a log), use `code_block`.

    Escaped paragraphs rather than a code block: a summary is prose, read in the post-mortem as
    prose (wrapped, proportional), and escaping keeps every character visible. The one thing it
    loses is the user's own Markdown formatting, which shows as typed.
    """
    paragraphs: list[list[str]] = [[]]
    for raw in _clean(text).split("\n"):
        line = _escape_line(raw.replace("\t", " "))
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\\\n".join(lines) for lines in paragraphs if lines)


def _longest_run(text: str, char: str) -> int:
    runs = re.findall(re.escape(char) + "+", text)
    return max((len(run) for run in runs), default=0)


def code_block(text: object, info: str = "") -> str:
    """Multi-line text kept exactly (a pasted log) as a fenced code block.

    The fence is a backtick run longer than any in the text (at least three), so no line of the
    text can close it (spec 4.5: the closing fence must be at least as long as the opening one);
    inside, nothing is Markdown, HTML or a mention. `info` (a language such as "text") keeps only
    `[A-Za-z0-9_+.-]` (spec 4.5: a backtick fence's info string may not contain a backtick).
    Tabs and indentation are kept; control characters are dropped. Put the result at the start of
    a line (not indented by four spaces or more).
    """
    body = _clean(text).removesuffix("\n")
    fence = "`" * max(3, _longest_run(body, "`") + 1)
    language = re.sub(r"[^A-Za-z0-9_+.-]", "", info)
    return f"{fence}{language}\n{body}\n{fence}" if body else f"{fence}{language}\n{fence}"


def code_span(text: object, *, table_cell: bool = False) -> str:
    """Inline code showing `text` exactly (line breaks become spaces, as in any code span).

    Spec 6.3: the backtick fence is one longer than the longest backtick run inside, so nothing
    inside closes it; a space is added on both sides when the text starts or ends with a backtick
    or starts *and* ends with a space, since cmark strips exactly one space from each side then.
    Code spans show backslashes literally, so `a|b` is written as is in a paragraph; inside a
    table row (`table_cell=True`) every pipe is written `\\|`: the table extension (spec 4.10,
    observed) splits cells on unescaped pipes even inside code spans and removes the backslash
    of `\\|` before the code span is read, so the cell shows `a|b`. Empty text gives "".
    """
    value = _clean(text).replace("\n", " ")
    if not value:
        return ""
    if table_cell:
        value = value.replace("|", "\\|")
    fence = "`" * (_longest_run(value, "`") + 1)
    padded = value.startswith("`") or value.endswith("`") or (
        value.startswith(" ") and value.endswith(" ") and value.strip(" ") != "")
    pad = " " if padded else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def quote(text: object) -> str:
    """A command quoted back (a refused `/command ...`): a block quote showing it exactly.

    Each line becomes a code span (`code_span`) on its own line of a block quote (spec 5.1),
    joined by hard line breaks: the text shows as typed, copyable, and nothing in it is Markdown,
    HTML, a link or a mention (GitHub does not look for mentions inside code). Follow the result
    with a blank line.
    """
    lines = [line for line in _clean(text).split("\n") if line.strip()]
    if not lines:
        return ">"
    return "\\\n".join(f"> {code_span(line)}" for line in lines)


# --- grapheme clusters ----------------------------------------------------------------------------
#: the pattern of an extended grapheme cluster (UAX #29), as the `regex` module matches it: it
#: follows Unicode's Grapheme_Cluster_Break and Extended_Pictographic properties version by
#: version. Compiled on first use: the Action's first step runs on the runner's own Python,
#: which has no `regex`, and only a text longer than its limit needs cutting.
_GRAPHEME_PATTERN = r"\X"


def code_points(cluster: str) -> int:
    """A grapheme cluster's size in code points: `shorten`'s measure for GitHub's limits
    (titles, bodies, comments, label names), which count code points."""
    return len(cluster)


def graphemes(text: str) -> list[str]:
    """`text` split into user-perceived characters (extended grapheme clusters, UAX #29)."""
    import regex

    return list(regex.findall(_GRAPHEME_PATTERN, text))


def shorten(text: str, limit: int, *, ellipsis: str = "…",
            measure: Callable[[str], int] | None = None) -> str:
    """`text` if it fits in `limit`, else its start cut at a grapheme boundary plus `ellipsis`.

    `measure` gives the size of one grapheme cluster: by default 1 (a limit in user-perceived
    characters); pass `len` (or `code_points`) for a limit in code points, or
    `lambda g: len(g.encode("utf-16-le")) // 2` for one in UTF-16 code units. The result,
    ellipsis included, never measures more than `limit`; trailing whitespace before the ellipsis
    is dropped.

    A limit must be measured as the service that enforces it counts. GitHub counts characters
    as code points (Ruby's String#length behind "title is too long (maximum is 256
    characters)"): a title cut to 256 grapheme clusters of emoji sequences is several hundred
    code points and refused with 422 on every run. Each vendor's limit says its measure where
    it is defined.
    """
    # A text no longer than the limit in code points fits whether the limit counts clusters
    # or code points (a cluster is at least one code point); it needs no segmenting.
    if len(text) <= limit and measure in (None, len, code_points):
        return text
    size = measure or (lambda _cluster: 1)
    clusters = graphemes(text)
    if sum(size(cluster) for cluster in clusters) <= limit:
        return text
    room = limit - sum(size(cluster) for cluster in graphemes(ellipsis))
    if room < 0:
        raise ValueError(f"a limit of {limit} leaves no room for the ellipsis {ellipsis!r}")
    kept: list[str] = []
    for cluster in clusters:
        room -= size(cluster)
        if room < 0:
            break
        kept.append(cluster)
    return "".join(kept).rstrip() + ellipsis
