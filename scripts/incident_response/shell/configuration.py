"""The configuration the shell reads from files: the policy and the issue form.

The policy is the shipped defaults with the adopter's `.github/incident-response.yml` merged
over them (mappings key by key, lists replaced whole); the form is the adopter's
`.github/ISSUE_TEMPLATE/incident.yml`, else the shipped one. Errors name the file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from incident_response.core.errors import ConfigError
from incident_response.core.rules.form import FormTemplate, template_from_data
from incident_response.resources import default_config_path, default_form_path
from incident_response.shell.settings import FORMER_NAMES, Settings

__all__ = ["DEFAULT_FORM", "form_template", "load_form_template", "load_policy"]

DEFAULT_FORM = Path(".github/ISSUE_TEMPLATE/incident.yml")


def _merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = _merge(base.get(key), value) if key in base else value
        return merged
    return override


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        msg = (f"{path}: not valid YAML ({error}). "
               "Fix the syntax, then run `incident-response validate`.")
        raise ConfigError(msg) from error
    except OSError as error:
        msg = f"{path}: cannot be read ({error.strerror}). Check the --config path."
        raise ConfigError(msg) from error
    if data is None:
        return {}
    if not isinstance(data, dict):
        msg = f"{path}: the top level must be a mapping of keys (labels:, services:, ...)."
        raise ConfigError(msg)
    return data


def _describe(error: ValidationError, path: Path, spelled: dict[str, str]) -> str:
    """Each problem named by its key as the file spells it (`spelled`: today's name of a
    top-level key -> the former name the file used)."""
    lines = [f"{path}: the configuration is not valid."]
    for problem in error.errors():
        parts = [str(part) for part in problem["loc"]]
        if parts and parts[0] in spelled:
            parts[0] = spelled[parts[0]]
        where = ".".join(parts) or "(top level)"
        text = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            text = "unknown key: remove it or check its spelling against the schema"
        elif problem["type"] == "missing":
            text = "required: add it"
        lines.append(f"  - {where}: {text}")
    lines.append("See schema/incident-response.schema.json for every key and its meaning.")
    return "\n".join(lines)


def _current_names(data: dict[str, Any], path: Path,
                   spelled: dict[str, str]) -> dict[str, Any]:
    """The adopter's file with its keys' former names read as today's (`slack:` as `chat:`);
    `spelled` learns which, so errors name the key the file has."""
    data = dict(data)
    for former, current in FORMER_NAMES.items():
        if former in data:
            if current in data:
                msg = (f"{path}: `{former}:` and `{current}:` both set the same section; keep "
                       f"`{current}:` (`{former}:` is its former name)")
                raise ConfigError(msg)
            data[current] = data.pop(former)
            spelled[current] = former
    return data


def load_policy(path: Path | None = None) -> Settings:
    """Load the policy: the shipped defaults, with the file at `path` merged over them."""
    defaults_path = default_config_path()
    data = _read_yaml(defaults_path)
    source = defaults_path
    spelled: dict[str, str] = {}
    if path is not None:
        data = _merge(data, _current_names(_read_yaml(path), path, spelled))
        source = path
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_describe(error, source, spelled)) from error


def load_form_template(path: Path) -> FormTemplate:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        msg = f"{path}: cannot read the issue form ({error})"
        raise ConfigError(msg) from error
    return template_from_data(data, str(path))


def form_template(path: Path | None = None) -> FormTemplate:
    """The form given, else the repository's own, else the one shipped with the program."""
    chosen = path or (DEFAULT_FORM if DEFAULT_FORM.exists() else default_form_path())
    return load_form_template(chosen)
