"""The page the Action's first step sent, handed to the full run (`handle --paged FILE`).

The first step writes this file only once PagerDuty has taken the page; the full run reads it
and records the page as done (`Plan.page_already_sent`) instead of sending it again. A file
that is missing, unreadable or about another issue is ignored: the full run then pages as it
always did, and PagerDuty's dedup key (the same issue, the same key) keeps that a repeat of
the same alert rather than a second page. The file holds what the page said and the reporter's
permission; no secret.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, NamedTuple

from incident_response.core import names
from incident_response.core.decision.page_effect import TriggerPage
from incident_response.core.vocabulary import Priority, Severity

__all__ = ["PageRecord", "read_page_record", "write_page_record"]

_VERSION = 1


class PageRecord(NamedTuple):
    repository: str
    number: int
    page: TriggerPage
    #: what the first step read of the reporter's permission (the full run need not read it)
    reporter_permission: str


def write_page_record(path: Path, record: PageRecord) -> None:
    """Write it whole or not at all."""
    page = record.page
    data = {
        "version": _VERSION, "repository": record.repository, "number": record.number,
        "reporter_permission": record.reporter_permission,
        "page": {"key": page.key, "dedup_key": page.dedup_key, "summary": page.summary,
                 "source": page.source, "priority": page.priority.value,
                 "severity": page.severity.value, "links": [list(link) for link in page.links],
                 "custom_details": page.custom_details},
    }
    # Beside the target, then renamed over it: a reader sees the whole file or none.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    try:
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def read_page_record(path: Path, repository: str, number: int) -> PageRecord | None:
    """The record, if it is this issue's; None for anything else. Raises OSError or ValueError
    when the file cannot be read as one."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        msg = "not a page record of this version"
        raise ValueError(msg)
    if not (names.same(str(data.get("repository")), repository)
            and data.get("number") == number):
        return None
    page: dict[str, Any] = data["page"]
    trigger = TriggerPage(
        key=str(page["key"]), dedup_key=str(page["dedup_key"]), summary=str(page["summary"]),
        source=str(page["source"]), priority=Priority(page["priority"]),
        severity=Severity(page["severity"]),
        links=tuple((str(text), str(href)) for text, href in page["links"]),
        custom_details=dict(page["custom_details"]))
    return PageRecord(str(data["repository"]), number, trigger,
                      str(data["reporter_permission"]))
