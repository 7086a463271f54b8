"""Repository permissions: who may declare and command (GitHub's levels, in order)."""

from __future__ import annotations

__all__ = ["PERMISSION_RANK", "has_permission"]

PERMISSION_RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}


def has_permission(permission: str, required: str) -> bool:
    return PERMISSION_RANK.get(permission, 0) >= PERMISSION_RANK[required]
