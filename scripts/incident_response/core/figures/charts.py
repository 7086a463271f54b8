"""The report's charts, as Mermaid text that GitHub renders.

Only fixed words, priorities (P1..P4, "unclassified"), months (YYYY-MM) and numbers reach a
chart: no user text, so no escaping is needed (core/texts/gantt.py's rules would apply
otherwise).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["mttr_chart", "priority_pie"]


def priority_pie(figures: Mapping[str, Any]) -> str | None:
    counts = {k: v for k, v in figures["by_priority"].items() if v}
    if not counts:
        return None
    slices = "\n".join(f'    "{name}" : {count}' for name, count in counts.items())
    return f"pie showData\n    title Incidents per priority\n{slices}"


def mttr_chart(history: Mapping[str, float | None]) -> str | None:
    """MTTR (mean, minutes) per month, oldest first; months without a figure are left out."""
    points = [(month, value) for month, value in sorted(history.items()) if value is not None]
    if not points:
        return None
    months = ", ".join(f'"{month}"' for month, _ in points)
    values = ", ".join(f"{value:.1f}" for _, value in points)
    return ("xychart-beta\n    title \"MTTR per month (mean, minutes)\"\n"
            f"    x-axis [{months}]\n    y-axis \"Minutes\"\n    bar [{values}]")
