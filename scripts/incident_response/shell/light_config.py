"""The configuration read without pydantic, for the Action's first step.

That step runs on the runner's own Python before anything is installed, so it cannot validate
the configuration with the typed model (shell/settings.py). It checks the merged data against
the JSON Schema generated from that model instead (`schema/incident-response.schema.json`,
which a test keeps equal to the model's), fills in the schema's defaults, applies the model's
rules that span several keys (core/rules/policy_checks.py, which the model itself calls), and
reads the result through `PolicyView`.

It is stricter than the model, never looser: it refuses what it does not understand (a schema
keyword it does not implement, a value the model would only accept by converting it, such as
"3" for 3 or "yes" for true, a mapping key that is not a string), and a refusal only means
that the page is left to the full run, which validates the file with the model and pages as
before. Accepting a file the model refuses would be the one unsafe mistake: this step would
page for a configuration the full run then rejects.
"""

from __future__ import annotations

import copy
import json
import math
import operator
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from incident_response.core.errors import ConfigError
from incident_response.core.rules.policy_checks import (
    consistency_problem,
    label_problem,
    matrix_problem,
    targets_problem,
)
from incident_response.core.rules.policy_view import PolicyView
from incident_response.core.vocabulary import Priority
from incident_response.resources import schema_path
from incident_response.shell.config_files import merged_config

__all__ = ["LightConfig", "NotUnderstood", "check_against_schema", "light_config"]

#: what the schema's keywords may be, and be ignored: they describe, they do not constrain
_ANNOTATIONS = frozenset({"title", "description", "default", "examples", "$defs"})
_CONSTRAINTS = frozenset({"type", "properties", "additionalProperties", "required", "items",
                          "enum", "const", "anyOf", "$ref", "minimum", "maximum",
                          "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems",
                          "minLength", "maxLength", "propertyNames"})
#: the one mapping the model keys by number (`priority_matrix.rows: {1: [...]}`): YAML reads
#: `1:` as a number, and the schema (JSON) cannot say so
_NUMBER_KEYED = (("priority_matrix", "rows"),)


class NotUnderstood(ValueError):
    """The configuration is one this reader does not accept: the full run decides."""


def _type_ok(value: Any, kind: str) -> bool:
    # bool is an int to Python, never to the schema (nor, strictly, to the model)
    checks = {"object": lambda v: isinstance(v, dict), "array": lambda v: isinstance(v, list),
              "string": lambda v: isinstance(v, str), "boolean": lambda v: isinstance(v, bool),
              "null": lambda v: v is None,
              "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
              "number": lambda v: (isinstance(v, int | float) and not isinstance(v, bool)
                                   and math.isfinite(v))}
    if kind not in checks:
        raise NotUnderstood(f"the schema's type {kind!r} is not one this reader knows")
    return bool(checks[kind](value))


class _Checker:
    def __init__(self, schema: Mapping[str, Any]) -> None:
        self._root = schema

    def _resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        reference = schema.get("$ref")
        if reference is None:
            return schema
        prefix = "#/$defs/"
        if not isinstance(reference, str) or not reference.startswith(prefix):
            raise NotUnderstood(f"the schema's reference {reference!r} is not one this reader "
                                "follows")
        target = self._root["$defs"][reference.removeprefix(prefix)]
        merged = {k: v for k, v in schema.items() if k != "$ref"}
        return {**self._resolve(target), **merged}

    def check(self, value: Any, schema: Mapping[str, Any], where: tuple[str, ...]) -> Any:
        """`value` checked against `schema`, with the schema's defaults filled in."""
        schema = self._resolve(schema)
        unknown = set(schema) - _ANNOTATIONS - _CONSTRAINTS
        if unknown:
            raise NotUnderstood(f"{_path(where)}: the schema's {sorted(unknown)} is not "
                                "something this reader checks")
        if "anyOf" in schema:
            return self._any_of(value, schema, where)
        kinds = schema.get("type")
        if kinds is not None:
            kinds = [kinds] if isinstance(kinds, str) else list(kinds)
            if not any(_type_ok(value, kind) for kind in kinds):
                raise NotUnderstood(f"{_path(where)}: {value!r} is not of type "
                                    f"{' or '.join(kinds)}")
        if "const" in schema and not _same(value, schema["const"]):
            raise NotUnderstood(f"{_path(where)}: must be {schema['const']!r}")
        if "enum" in schema and not any(_same(value, option) for option in schema["enum"]):
            raise NotUnderstood(f"{_path(where)}: {value!r} is not one of {schema['enum']}")
        _bounds(value, schema, where)
        if isinstance(value, dict):
            return self._object(value, schema, where)
        if isinstance(value, list):
            items = schema.get("items")
            return [self.check(item, items, (*where, str(index))) if items is not None
                    else item for index, item in enumerate(value)]
        return value

    def _any_of(self, value: Any, schema: Mapping[str, Any], where: tuple[str, ...]) -> Any:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        for option in schema["anyOf"]:
            try:
                return self.check(value, {**rest, **self._resolve(option)}, where)
            except NotUnderstood:
                continue
        raise NotUnderstood(f"{_path(where)}: {value!r} matches none of the allowed forms")

    def _object(self, value: dict[Any, Any], schema: Mapping[str, Any],
                where: tuple[str, ...]) -> dict[Any, Any]:
        properties: Mapping[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties", True)
        names = schema.get("propertyNames")
        missing = [key for key in schema.get("required", ()) if key not in value]
        if missing:
            raise NotUnderstood(f"{_path(where)}: {missing[0]} is required")
        checked: dict[Any, Any] = {}
        for key, item in value.items():
            numbered = (where in _NUMBER_KEYED and isinstance(key, int)
                        and not isinstance(key, bool))
            if not isinstance(key, str) and not numbered:
                raise NotUnderstood(f"{_path(where)}: the key {key!r} is not a string")
            if names is not None:
                self.check(key, names, (*where, str(key)))
            if key in properties:
                checked[key] = self.check(item, properties[key], (*where, key))
            elif extra is False:
                raise NotUnderstood(f"{_path((*where, str(key)))}: unknown key")
            elif isinstance(extra, dict):
                checked[key] = self.check(item, extra, (*where, str(key)))
            else:
                checked[key] = item
        for key, spec in properties.items():
            if key not in checked and "default" in self._resolve(spec):
                checked[key] = _numbered(copy.deepcopy(self._resolve(spec)["default"]),
                                         (*where, key))
        return checked


def _numbered(value: Any, where: tuple[str, ...]) -> Any:
    """A default as the model has it: the schema (JSON) spells number keys as strings."""
    if not isinstance(value, dict):
        return value
    if where in _NUMBER_KEYED:
        return {int(key): item for key, item in value.items()}
    return {key: _numbered(item, (*where, key)) for key, item in value.items()}


def _same(value: Any, option: Any) -> bool:
    """JSON equality: `true` is not `1`."""
    return type(value) is type(option) and bool(value == option)


def _bounds(value: Any, schema: Mapping[str, Any], where: tuple[str, ...]) -> None:
    # Each is what must hold, so that NaN (which compares false with anything) fails them all.
    size = len(value) if isinstance(value, list | str) else None
    number = value if isinstance(value, int | float) and not isinstance(value, bool) else None
    rules = (("minimum", operator.ge, number), ("maximum", operator.le, number),
             ("exclusiveMinimum", operator.gt, number), ("exclusiveMaximum", operator.lt, number),
             ("minItems", operator.ge, size), ("maxItems", operator.le, size),
             ("minLength", operator.ge, size), ("maxLength", operator.le, size))
    for keyword, holds, measured in rules:
        if keyword in schema and measured is not None and not holds(measured, schema[keyword]):
            raise NotUnderstood(f"{_path(where)}: {keyword} {schema[keyword]}")


def _path(where: tuple[str, ...]) -> str:
    return ".".join(where) or "(top level)"


def check_against_schema(data: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """The data checked against the schema, with its defaults: raises NotUnderstood."""
    checked = _Checker(schema).check(dict(data), schema, ())
    problem = _rules_problem(checked)
    if problem is not None:
        raise NotUnderstood(problem)
    return dict(checked)


def _rules_problem(data: Mapping[str, Any]) -> str | None:
    """The model's rules across keys, on the checked data (core/rules/policy_checks.py)."""
    labels, matrix = data["labels"], data["priority_matrix"]
    targets = data["report"].get("availability_targets", {})
    return (label_problem(incident=labels["incident"], followup=labels["followup"],
                          report=labels["report"], priority_prefix=labels["priority_prefix"],
                          severity_prefix=labels["severity_prefix"],
                          phase_prefix=labels["phase_prefix"])
            or matrix_problem(matrix["user_thresholds"], matrix["rows"])
            or targets_problem(targets)
            or consistency_problem(
                tiers=[e["tier"] for e in data["environments"]], rows=matrix["rows"].keys(),
                priorities=data["priorities"].keys(), all_priorities=[p.value for p in Priority],
                services=[s["name"] for s in data["services"]], targets=targets.keys()))


class LightConfig(NamedTuple):
    policy: PolicyView
    #: the checked data itself, for the adapters' own sections (the pager's severities)
    data: dict[str, Any]


def light_config(path: Path | None) -> LightConfig:
    """The merged configuration, checked as described above; NotUnderstood or ConfigError
    when this reader leaves it to the full run."""
    merged = merged_config(path)
    try:
        schema = json.loads(schema_path().read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        msg = f"the configuration's schema cannot be read ({type(error).__name__})"
        raise ConfigError(msg) from error
    data = check_against_schema(merged.data, schema)
    try:
        return LightConfig(PolicyView.from_data(data), data)
    except (KeyError, TypeError, ValueError) as error:
        msg = f"{merged.source}: {error}"
        raise NotUnderstood(msg) from error
