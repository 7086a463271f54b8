"""The first step's configuration reader is never looser than the model.

shell/light_config.py checks the merged configuration against the schema generated from the
model, because the first step runs without pydantic. Its one unsafe mistake would be to accept
a file the model refuses: the first step would page, and the full run would then stop on the
configuration error. So: every file the reader accepts, the model accepts, and the two read the
same values; what the model only accepts by converting (`"3"` for 3, `"yes"` for true) the
reader refuses, which leaves the page to the full run.
"""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from incident_response.core.errors import ConfigError
from incident_response.core.rules.policy_view import PolicyView
from incident_response.resources import schema_path
from incident_response.shell.configuration import load_policy
from incident_response.shell.light_config import (
    NotUnderstood,
    check_against_schema,
    light_config,
)
from incident_response.shell.settings import Settings
from tests.support import POLICY_VARIANTS, SHIPPED_CONFIG, policy_data

SCHEMA = json.loads(schema_path().read_text(encoding="utf-8"))


def _model(data: dict[str, Any]) -> Settings | None:
    try:
        return Settings.model_validate(data)
    except ValidationError:
        return None


def _light(data: dict[str, Any], schema: dict[str, Any] = SCHEMA) -> PolicyView | None:
    try:
        return PolicyView.from_data(check_against_schema(data, schema))
    except NotUnderstood:
        return None


def _same_reads(view: PolicyView, model: Settings) -> bool:
    return (view.labels.incident == model.labels.incident
            and view.labels.phase_prefix == model.labels.phase_prefix
            and [(e.name, e.tier) for e in view.environments]
            == [(e.name, e.tier) for e in model.environments]
            and {t: list(r) for t, r in view.priority_matrix.rows.items()}
            == model.priority_matrix.rows
            and list(view.priority_matrix.user_thresholds)
            == model.priority_matrix.user_thresholds
            and view.priority_matrix.boundary == model.priority_matrix.boundary
            and [(o.label, o.severity) for o in view.severity.user_impact]
            == [(o.label, o.severity) for o in model.severity.user_impact]
            and {p: r.page for p, r in view.priorities.items()}
            == {p: r.page for p, r in model.priorities.items()}
            and view.permissions.declare == model.permissions.declare
            and [(s.name, s.recovery_procedure) for s in view.services]
            == [(s.name, s.recovery_procedure) for s in model.services])


@pytest.mark.parametrize("variant", list(POLICY_VARIANTS))
def test_every_policy_variant_is_read_alike(variant: str) -> None:
    data = policy_data(variant)
    model, view = _model(data), _light(data)
    assert model is not None and view is not None
    assert _same_reads(view, model)


@pytest.mark.parametrize("change", [
    {"labels": {"incidnet": "incident"}},  # an unknown key
    {"priority_matrix": {"rows": {1: ["P1", "P2"]}}},  # a row short of a column
    {"priority_matrix": {"user_thresholds": [100, 1000, 0]}},  # not largest first
    {"environments": [{"name": "production", "tier": 9}]},  # a tier without a row
    {"priorities": {"P5": {"page": True}}},  # no such priority
    {"services": [{"name": "SSOe"}, {"name": "SSOe"}]},  # listed twice
    {"labels": {"incident": "i" * 51}},  # longer than GitHub allows
    {"report": {"availability_targets": {"Nope": 99.9}}},  # not a service
    {"report": {"availability_targets": {"SSOe": 101}}},  # not a percentage
    {"delivery": {"timeout_seconds": float("nan")}},
    {"delivery": {"attempts": 0}},
    {"permissions": {"declare": "everyone"}},
    {"version": 2},
    {"people": {123: {"slack": "U1"}}},  # a login YAML reads as a number
    {"severity": {"user_impact": []}},
    {"services": []},
    {"priorities": {"P1": {"page": "sometimes"}}},
])
def test_what_the_model_refuses_the_reader_refuses(change: dict[str, Any]) -> None:
    data = policy_data("shipped")
    data = _merged(data, change)
    assert _model(data) is None
    assert _light(data) is None


@pytest.mark.parametrize("change", [
    {"delivery": {"attempts": "3"}},
    {"priorities": {"P1": {"page": "yes"}}},
    {"priorities": {"P1": {"page": 1}}},
    {"environments": [{"name": "production", "tier": 1.0}, {"name": "staging", "tier": 2}]},
    {"priority_matrix": {"rows": {"1": ["P1", "P2", "P3"], "2": ["P2", "P3", "P4"],
                                  "3": ["P3", "P4", "P4"]}}},
    {"environments": [{"name": "production", "tier": True}]},
])
def test_what_the_model_only_accepts_by_converting_the_reader_leaves_to_it(
        change: dict[str, Any]) -> None:
    data = _merged(policy_data("shipped"), change)
    assert _model(data) is not None
    assert _light(data) is None


def _merged(data: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(data)
    for key, value in change.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict) and key != "people":
            out[key] = {**out[key], **value}
        else:
            out[key] = value
    return out


_VALUES: list[Any] = [None, True, False, 0, 1, -1, 2, 3.5, float("nan"), float("inf"), "", "3",
                      "yes", "P1", "P9", "SEV-2", "write", "admin", "exclusive", [], {}, ["P1"],
                      ["P1", "P2", "P3"], [1000, 100, 0], {"x": 1}, {1: "a"}, "x" * 60,
                      {"name": "SSOe"}, {"label": "L", "severity": "SEV-1"}]


def _paths(value: Any, where: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [where] if where else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*where, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*where, index))
    return found


def _mutate(data: dict[str, Any], draw: random.Random) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for _ in range(draw.randint(1, 3)):
        where = draw.choice(_paths(data))
        parent = data
        for step in where[:-1]:
            parent = parent[step]
        last = where[-1]
        move = draw.random()
        if move < 0.55:
            parent[last] = copy.deepcopy(draw.choice(_VALUES))
        elif move < 0.7 and isinstance(parent, dict):
            del parent[last]
        elif move < 0.8 and isinstance(parent, dict):
            parent[draw.choice(["extra", 7, "P1", "P5", 1, "name"])] = copy.deepcopy(
                draw.choice(_VALUES))
        elif move < 0.9 and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif isinstance(parent, dict) and isinstance(last, str) and last.isdigit():
            parent[int(last)] = parent.pop(last)
        elif isinstance(parent, dict) and isinstance(last, int):
            parent[str(last)] = parent.pop(last)
    return data


@pytest.mark.parametrize("seed", range(8))
def test_a_file_the_reader_accepts_the_model_accepts_and_reads_alike(seed: int) -> None:
    """Seeded random edits of the shipped file (values of every type, keys removed and added,
    number keys spelled as strings and the other way round): whenever the reader accepts, the
    model accepts and both read the same policy."""
    draw = random.Random(seed)
    accepted = refused = 0
    for _ in range(250):
        data = _mutate(SHIPPED_CONFIG, draw)
        view = _light(data)
        if view is None:
            refused += 1
            continue
        model = _model(data)
        assert model is not None, data
        assert _same_reads(view, model), data
        accepted += 1
    assert accepted and refused  # the edits reach both sides of the line


def test_a_schema_keyword_the_reader_does_not_check_leaves_the_file_to_the_model() -> None:
    schema = copy.deepcopy(SCHEMA)
    schema["$defs"]["Labels"]["properties"]["incident"]["pattern"] = "^[a-z]+$"
    assert _light(policy_data("shipped"), schema) is None
    assert _light(policy_data("shipped")) is not None


def test_the_files_are_the_full_runs(tmp_path: Path) -> None:
    """The adopter's file merged over the shipped one, its `slack:` read as `chat:`, as the
    full run reads them (shell/config_files.py is both's)."""
    config = tmp_path / "incident-response.yml"
    config.write_text("slack:\n  support_channel: '#ops'\npriorities:\n  P2: {page: true}\n",
                      encoding="utf-8")
    light, model = light_config(config), load_policy(config)
    assert light.data["chat"]["support_channel"] == model.chat.support_channel == "#ops"
    assert _same_reads(light.policy, model)
    config.write_text("slack: {}\nchat: {}\n", encoding="utf-8")
    with pytest.raises(ConfigError):
        light_config(config)
    with pytest.raises(ConfigError):
        load_policy(config)


def test_libyaml_reads_every_shipped_and_fixture_file_as_pure_pyyaml_does() -> None:
    """config_files.safe_load takes PyYAML's C parser where it has one (both the first step's
    and the full run's PyYAML do): the same data as the pure parser, on every YAML file here."""
    yaml = pytest.importorskip("yaml")
    if not getattr(yaml, "__with_libyaml__", False):
        pytest.skip("this PyYAML has no libyaml")
    root = Path(__file__).resolve().parents[2]
    files = [*(root / ".github").rglob("*.yml"), *(root / "tests" / "fixtures").rglob("*.yml"),
             *(root / "tests" / "fixtures").rglob("*.yaml")]
    assert len(files) > 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=yaml.CSafeLoader) == yaml.safe_load(text), path
