"""The report's table: one row per incident, as CSV (spreadsheets included)."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CSV_COLUMNS", "to_csv"]

CSV_COLUMNS = ("number", "title", "url", "created_at", "priority", "severity", "service",
               "environment", "phase", "opened_at", "declared_at", "acknowledged_at",
               "mitigated_at", "resolved_at", "mtta_minutes", "time_to_declare_minutes",
               "time_to_mitigate_minutes", "mttr_minutes", "impact_minutes", "sla",
               "postmortem_due", "postmortem_merged_at", "followups", "reminders")


def _csv_cell(value: Any) -> Any:
    """A spreadsheet opens a cell starting with = + - @ (or a tab or CR) as a formula: a title
    is user text, so such a cell starts with a quote instead (OWASP "CSV injection")."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return "" if value is None else value


def to_csv(table: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: _csv_cell(row.get(k)) for k in CSV_COLUMNS})
    return out.getvalue()
