"""The report as people read it: the Markdown document (from incident_templates/), with the
hidden marker that carries the month's MTTR for the next months' chart."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from incident_response.core.figures.charts import mttr_chart, priority_pie
from incident_response.core.texts.templates import render

__all__ = ["report_markdown"]


def report_markdown(figures: Mapping[str, Any], table: Sequence[Mapping[str, Any]], *,
              history: Mapping[str, float | None], missing: Sequence[str], repository: str,
              notes: Sequence[str], limit: int | None = None) -> str:
    marker = "<!-- incident-response:report " + json.dumps(
        {"month": figures["month"], "mttr": figures["mttr_minutes"]["mean"],
         "incidents": figures["incidents"]}, separators=(",", ":")) + " -->"
    shown = list(table if limit is None else table[:limit])
    return render("monthly_report.md.j2", f=figures, marker=marker, pie=priority_pie(figures),
                  mttr=mttr_chart(history), missing_months=list(missing), incidents=shown,
                  more=len(table) - len(shown), repository=repository, notes=list(notes))
