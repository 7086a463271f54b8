"""Files that ship with the program: templates, default configuration, default issue form.

Installed, they live inside the package (see pyproject's force-include); run from a checkout,
they live at the repository root. Both are looked up so the program works from any directory.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["default_config_path", "default_form_path", "schema_path", "templates_dir",
           "workflow_path"]

_PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = _PACKAGE.parent.parent


def _first_existing(*candidates: Path) -> Path:
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[-1]


def templates_dir() -> Path:
    return _first_existing(_PACKAGE / "incident_templates", _CHECKOUT / "incident_templates")


def default_config_path() -> Path:
    return _first_existing(
        _PACKAGE / "default-config.yml", _CHECKOUT / ".github" / "incident-response.yml"
    )


def default_form_path() -> Path:
    return _first_existing(
        _PACKAGE / "default-form.yml", _CHECKOUT / ".github" / "ISSUE_TEMPLATE" / "incident.yml"
    )


def schema_path() -> Path:
    """The configuration's JSON Schema, generated from the model."""
    return _first_existing(_PACKAGE / "incident-response.schema.json",
                           _CHECKOUT / "schema" / "incident-response.schema.json")


def workflow_path(name: str) -> Path | None:
    """A workflow as shipped (`workflows/` in the package, `.github/workflows/` in a
    checkout), None when this installation lacks it."""
    found = _first_existing(_PACKAGE / "workflows" / name,
                            _CHECKOUT / ".github" / "workflows" / name)
    return found if found.exists() else None
