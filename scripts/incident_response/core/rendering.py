"""Every text the bot posts comes from `incident_templates/`, rendered here.

User text is escaped for where it goes: Slack mrkdwn (`&`, `<`, `>` only, as Slack asks, so
`<!channel>` stays literal) and GitHub Markdown (no raw HTML, so nothing can fake or hide the
bot's hidden markers).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from incident_response.resources import templates_dir

__all__ = ["escape_markdown", "escape_slack", "render"]


def escape_slack(text: object) -> str:
    """Slack's own escaping: the three characters that start control sequences."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_markdown(text: object) -> str:
    """Text for a GitHub comment: no HTML tags or comments, no table breaks."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "\\|")
    )


def _inline(text: object) -> str:
    """One line of user text as Markdown: newlines folded, escaped."""
    return escape_markdown(" ".join(str(text).split()))


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
    environment.filters["md"] = escape_markdown
    environment.filters["md_inline"] = _inline
    environment.filters["slack"] = escape_slack
    environment.filters["utc"] = _utc
    return environment


def render(template: str, **context: Any) -> str:
    return _environment().get_template(template).render(**context)
