"""Every text the bot posts comes from `incident_templates/`, rendered here.

User text is escaped for where it goes: the chat's light markup through `chat` (`&`, `<`,
`>` only, so `<!channel>` stays literal) and GitHub Markdown through `markdown_text`, the one
escaping module (tested against cmark-gfm): no block opened that swallows what follows, no raw
HTML, no mention or cross-reference that notifies, code spans that keep their text.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from incident_response.core.texts import markdown_text
from incident_response.core.texts.chat import escape_chat
from incident_response.resources import templates_dir

__all__ = ["render"]


def _utc(moment: Any) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else "unknown"


@cache
def _environment() -> Environment:
    environment = Environment(  # noqa: S701 - not HTML: each output escapes with its own filter
        loader=FileSystemLoader(str(templates_dir())),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["md"] = markdown_text.block
    environment.filters["md_inline"] = markdown_text.inline
    environment.filters["md_code"] = markdown_text.code_span
    environment.filters["md_quote"] = markdown_text.quote
    environment.filters["chat"] = escape_chat
    environment.filters["utc"] = _utc
    return environment


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
