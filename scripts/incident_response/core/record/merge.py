"""Two runs' records made one, when another run wrote the record after this run read it.

The state is a set of facts, so the merge is their union, three-way against what this run last
wrote: what either run added stays, what either run finished (an outbox entry sent, a claim
confirmed) goes. How a field merges is declared on the field (`Merge` in record/state.py); a
counter or a watermark takes the higher value, a single value the run that changed it.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from incident_response.core.record.state import IncidentState, Merge

__all__ = ["merge_states"]


def _identity(item: Any) -> Any:
    if isinstance(item, BaseModel):
        for name in ("key", "id"):
            if name in type(item).model_fields:
                return getattr(item, name)
        return json.dumps(item.model_dump(mode="json"), sort_keys=True)
    return item


def _merge_list(base: list[Any], mine: list[Any], theirs: list[Any]) -> list[Any]:
    """Three-way merge of a set kept as a list: what either run added stays, what either run
    removed goes; the order is mine, then what only theirs has."""
    base_ids = {_identity(i) for i in base}
    mine_ids = {_identity(i) for i in mine}
    theirs_ids = {_identity(i) for i in theirs}
    removed = (base_ids - mine_ids) | (base_ids - theirs_ids)
    merged = [i for i in mine if _identity(i) not in removed]
    seen = {_identity(i) for i in merged}
    merged += [i for i in theirs if _identity(i) not in removed and _identity(i) not in seen]
    return merged


def _merge_dict(base: dict[str, Any], mine: dict[str, Any],
                theirs: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for key in {*mine, *theirs}:
        in_mine, in_theirs, in_base = key in mine, key in theirs, key in base
        if in_base and (not in_mine or not in_theirs):
            continue  # removed by one of the runs (done, or no longer failing)
        if in_mine and (not in_theirs or mine[key] != base.get(key)):
            merged[key] = mine[key]
        else:
            merged[key] = theirs[key]
    return merged


def merge_states(base: IncidentState, mine: IncidentState,
                 theirs: IncidentState) -> IncidentState:
    """Both runs' facts, when another run wrote the record after this run read it.

    The state is a set of facts, so the merge is their union: what either run added is kept,
    what either run finished (an outbox entry sent, a claim confirmed) is gone, a watermark is
    the higher one, and a single value takes the run that changed it (this one, if both did).
    """
    merged: dict[str, Any] = {}
    for name in IncidentState.model_fields:
        b, m, t = getattr(base, name), getattr(mine, name), getattr(theirs, name)
        if Merge.HIGHER in IncidentState.model_fields[name].metadata:
            merged[name] = max(m, t)
        elif isinstance(m, list):
            merged[name] = _merge_list(b, m, t)
        elif isinstance(m, dict):
            merged[name] = _merge_dict(b, m, t)
        else:
            merged[name] = m if m != b else t
    result = IncidentState.model_validate(merged)  # by field name (populate_by_name)
    result.phase_changes.sort(key=lambda change: change.at)
    for key in result.done:
        result.claimed.pop(key, None)
        result.failures.pop(key, None)
    return result
