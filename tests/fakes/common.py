"""What the fakes share: where the vendors' descriptions and examples are, and the clock."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def now_text() -> str:
    """The time now as the vendors write it (ISO 8601, seconds, Z)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
