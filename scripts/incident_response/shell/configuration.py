"""The configuration the shell reads from files: the policy and the issue form.

The policy is the shipped defaults with the adopter's `.github/incident-response.yml` merged
over them (mappings key by key, lists replaced whole: config_files.py), validated by the typed
model; the form is the adopter's `.github/ISSUE_TEMPLATE/incident.yml`, else the shipped one.
Errors name the file and the key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from incident_response.core.errors import ConfigError
from incident_response.core.rules.form import FormTemplate
from incident_response.shell.config_files import (
    DEFAULT_FORM,
    form_path,
    load_form_template,
    merged_config,
)
from incident_response.shell.settings import Settings

__all__ = ["DEFAULT_FORM", "form_template", "load_form_template", "load_policy"]


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


def load_policy(path: Path | None = None) -> Settings:
    """Load the policy: the shipped defaults, with the file at `path` merged over them."""
    merged = merged_config(path)
    try:
        return Settings.model_validate(merged.data)
    except ValidationError as error:
        raise ConfigError(_describe(error, merged.source, merged.spelled)) from error


def form_template(path: Path | None = None) -> FormTemplate:
    """The form given, else the repository's own, else the one shipped with the program."""
    return load_form_template(form_path(path))
