"""Task and section names for Mermaid gantt charts, safe for any user text.

A gantt task line is `NAME :DATA` and a section line is `section NAME`. What can go wrong is read
off Mermaid's own sources: packages/mermaid/src/diagrams/gantt/parser/gantt.jison of
mermaid-js/mermaid (develop at commit df032c942c32f805a7f4cd1cf30a565e610bc4f1; rule for rule the
lexer compiled into the npm package mermaid@12.3.0; line numbers below are that file's), and the
text preparation that runs before the parser (src/preprocess.ts, src/diagram-api/comments.ts,
src/mermaidAPI.ts, `encodeEntities`/`decodeEntities` in src/utils.ts; checked in mermaid@12.3.0).

The lexer is case-insensitive (line 8), and jison without the `flex` option takes the *first*
rule that matches at the current position, not the longest:

- a task is `taskTxt taskData` (line 155): `taskTxt` is `[^:\\n]+` (line 93), so a `:` ends the
  name early and a newline ends the statement;
- at the start of a statement, before `taskTxt` (line 93) is tried, come the keyword rules:
  `accTitle\\s*:` / `accDescr\\s*:` / `accDescr\\s*{` (lines 20-24), `href\\s+"` (42), `call\\s+`
  (54), `click\\s+` (67), `gantt` (71), `dateFormat\\s` (72), `inclusiveEndDates` (73), `topAxis`
  (74), `axisFormat\\s` (75), `tickInterval\\s` (76), `includes\\s` / `excludes\\s` (77, 78),
  `todayMarker\\s` (79), `weekday\\s+monday`... (80-86), `weekend\\s+friday|saturday` (87, 88), a
  date `\\d\\d\\d\\d-\\d\\d-\\d\\d` (89), `title\\s` (90), `accDescription\\s` (91) and `section\\s`
  (92). A name starting with one of them is read as that statement: a parse error (`call`,
  `click`, `gantt`, a date, ...) or a silently changed chart (`title`, `section`, `dateFormat`,
  ...). jison appends `\\b` to a rule that ends in a letter or digit (the compiled lexer of
  mermaid@12.3.0 has it after `gantt`, `topAxis`, `inclusiveEndDates`, the weekdays, the date);
- `%` starts a comment at the start of a statement (`%%...` line 28, `X%...` line 29, `%...`
  line 34), and `%%{...}%%` anywhere in the text is taken as a configuration directive by the
  preprocessor (`processDirectives`); `%%` at a line start is a comment (`cleanupComments`);
- before parsing, `encodeEntities` turns `#name;` / `#123;` into placeholders that
  `decodeEntities` turns into `&name;` / `&#123;` in the SVG, so `#35;` shows as `#`; it also
  drops the `;` of a line matching `style.*:\\S*#.*;` or `classDef.*:\\S*#.*;`; and `decodeEntities`
  replaces the placeholder characters `ﬂ°` and `¶ß` wherever they are in the SVG;
- the preprocessor (`cleanupText`) rewrites `="..."` to `='...'` inside anything shaped like an
  HTML tag `<word ...>`, and section titles split into lines on `<br>`;
- the chart itself sits in a Markdown fenced code block (GFM spec 4.5), which a line starting
  with three backticks would close;
- the renderer (src/diagrams/gantt/ganttRenderer.js lines 124-147 and 795) keeps section heights
  in a plain object and draws the section titles in `Object.keys` order: a section named like an
  array index ("0", "42") is listed first and its title drawn beside another section's rows, and
  one named `__proto__` is not stored at all, so its title vanishes (observed with
  mermaid@12.3.0 in Chromium).

The rule: fold whitespace (JavaScript's `\\s`, which the lexer skips or stops at) into single
spaces; write `: ; % < `` ` and the placeholder characters `ﬂ ¶` as Mermaid entity codes `#58;`
etc., which Mermaid itself turns back into the same character in the drawn chart (its documented
escape, "Entity codes to escape characters"); when the name starts with a keyword or a date, write
its first character as an entity code too, so the lexer sees no keyword and the reader still sees
the same text. Every other character, letters, digits and emoji of any script included, is kept.
"""

from __future__ import annotations

import re

from incident_response.core.texts.markdown_text import shorten

__all__ = ["TODAY_MARKER_OFF", "section_name", "task_name"]

#: The statement that removes the red "today" line (gantt.jison line 79, `todayMarker\s[^\n;]+`),
#: so a chart read on the day of the incident is not crossed by it.
TODAY_MARKER_OFF = "todayMarker off"

# JavaScript's \s (ECMA-262 WhiteSpace and LineTerminator): the lexer skips it (line 33), ends
# statements at "\n" (line 32) and counts it as the `\s` after a keyword ("title\u00a0x" is a
# title). Python's str.split() would miss U+FEFF.
_JS_SPACE = re.compile("[\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f"
                       "\u3000\ufeff]+")
# Control characters other than those whitespace: not drawable. Lone surrogates: not encodable,
# shown as U+FFFD.
_UNDRAWABLE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Characters written as Mermaid entity codes wherever they are (see the module docstring):
#   ":"  ends taskTxt (line 93) and starts taskData (lines 94, 95)
#   ";"  closes an entity code `#...;` (encodeEntities) and a `style...:...#...;` match
#   "%"  comments (lines 28, 29, 34) and `%%{...}%%` directives (processDirectives)
#   "<"  tag-shaped text is rewritten (cleanupText) and `<br>` splits section titles
#   "`"  a line starting with three backticks closes the Markdown fence around the chart
#   "ﬂ", "¶"  start the placeholders `ﬂ°` / `¶ß` that decodeEntities replaces
_ENCODED = re.compile("[:;%<`\ufb02\u00b6]")
# Statements recognised at the start of a line, before a task name (lines 20-92); matched like the
# lexer, ASCII case-insensitively, followed by anything that is not a word character (the rules
# need `\s`, `:`, `{`, `"` or `\b` there; being broader only encodes a character needlessly).
_KEYWORDS = ("accTitle", "accDescr", "accDescription", "href", "call", "click", "gantt",
             "dateFormat", "inclusiveEndDates", "topAxis", "axisFormat", "tickInterval", "includes",
             "excludes", "todayMarker", "weekday", "weekend", "title", "section")
_STATEMENT = re.compile("(?:" + "|".join(_KEYWORDS) + ")(?![A-Za-z0-9_])",
                        re.IGNORECASE | re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)  # line 89
# Section names an object key cannot hold in order (ganttRenderer.js lines 124-147, 795): array
# indices (JavaScript lists them first) and "__proto__" (ignored as a key).
_ARRAY_INDEX = re.compile("0|[1-9][0-9]{0,9}", re.ASCII)
_ARRAY_INDEX_MAX = 2**32 - 2


def _entity(char: str) -> str:
    """Mermaid's entity code for one character: `#58;` for ":"."""
    return f"#{ord(char)};"


def _visible(text: object, limit: int, empty: str) -> str:
    """The text as it will be read: one line, drawable characters, at most `limit` graphemes."""
    value = _UNDRAWABLE.sub("", _SURROGATES.sub("\ufffd", str(text)))
    value = _JS_SPACE.sub(" ", value).strip(" ")
    return shorten(value, limit) if value else empty


def _encode(value: str) -> str:
    return _ENCODED.sub(lambda match: _entity(match.group()), value)


def task_name(text: object, limit: int = 60, *, empty: str = "event") -> str:
    """`text` as the name of a gantt task, safe to write as `    NAME :DATA`.

    Whitespace folds to single spaces, the text is cut to `limit` user-perceived characters at a
    grapheme boundary with "…", the characters the grammar gives a meaning are written as
    Mermaid entity codes (drawn as the same characters), and a leading keyword or date gets its
    first character written as an entity code. Letters, digits and emoji are kept as they are:
    "Zürich" stays "Zürich". Empty text gives `empty`.
    """
    value = _visible(text, limit, empty)
    if _STATEMENT.match(value) or _DATE.match(value):
        return _entity(value[0]) + _encode(value[1:])
    return _encode(value)


def section_name(text: object, limit: int = 60, *, empty: str = "Events") -> str:
    """`text` as the name of a gantt section, safe to write as `    section NAME`.

    `section\\s[^\\n]+` (line 92) takes the rest of the line, so keywords and dates need no
    care; newlines, `%%`, entity codes, tag shapes and `<br>` do, as for `task_name`. A name the
    renderer cannot keep in order as an object key (a number such as "42", or "__proto__") gets
    its first character written as an entity code. Empty text gives `empty` (a bare `section`
    line is a parse error).
    """
    value = _visible(text, limit, empty)
    index = _ARRAY_INDEX.fullmatch(value) and int(value) <= _ARRAY_INDEX_MAX
    if index or value == "__proto__":
        return _entity(value[0]) + _encode(value[1:])
    return _encode(value)
