"""The configuration's files as data: which files, read how, merged how.

The policy is the shipped defaults with the adopter's `.github/incident-response.yml` merged
over them (mappings key by key, lists replaced whole, top-level keys read under their former
names too); the form is the adopter's `.github/ISSUE_TEMPLATE/incident.yml`, else the shipped
one. Two readers share this: the full run, which then validates the data with the typed model
(configuration.py), and the Action's first step, which checks it against the schema generated
from that model (light_config.py) because it runs before pydantic is installed. Standard
library only, but for PyYAML, imported when a file is read (the runner's own Python has it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from incident_response.core.errors import ConfigError
from incident_response.core.rules.form import FormTemplate, template_from_data
from incident_response.resources import default_config_path, default_form_path

__all__ = ["DEFAULT_FORM", "FORMER_NAMES", "MergedConfig", "form_path", "load_form_template",
           "merge", "merged_config", "read_yaml", "safe_load"]

DEFAULT_FORM = Path(".github/ISSUE_TEMPLATE/incident.yml")

#: top-level keys read under their former name: `slack:` held the chat's channels before any
#: other chat could stand behind them
FORMER_NAMES = {"slack": "chat"}


def merge(base: Any, override: Any) -> Any:
    """Mappings merge key by key; anything else (lists included) is replaced."""
    if isinstance(base, dict) and isinstance(override, dict):
        merged = dict(base)
        for key, value in override.items():
            merged[key] = merge(base.get(key), value) if key in base else value
        return merged
    return override


def safe_load(text: str) -> Any:
    """YAML as `yaml.safe_load` reads it (YAML 1.1, plain data only), with libyaml's parser
    where PyYAML has it (the locked wheels and Ubuntu's python3-yaml both do): the same safe
    constructor and resolver over a parser written in C, several times faster than the pure
    Python one on the configuration, which the Action's first step reads on the way to the
    page. Both the first step and the full run read through here."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(text, Loader=loader)  # noqa: S506 -- a safe loader, as above


def read_yaml(path: Path) -> dict[str, Any]:
    """A configuration file's top-level mapping (an empty file is an empty mapping)."""
    import yaml

    try:
        data = safe_load(path.read_text(encoding="utf-8"))
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


class MergedConfig(NamedTuple):
    data: dict[str, Any]
    #: the file errors are about: the adopter's, else the defaults
    source: Path
    #: today's name of a top-level key -> the former name the adopter's file used
    spelled: dict[str, str]


def merged_config(path: Path | None) -> MergedConfig:
    """The shipped defaults, with the file at `path` merged over them: not yet validated."""
    defaults_path = default_config_path()
    data = read_yaml(defaults_path)
    if path is None:
        return MergedConfig(data, defaults_path, {})
    spelled: dict[str, str] = {}
    data = merge(data, _current_names(read_yaml(path), path, spelled))
    return MergedConfig(data, path, spelled)


def load_form_template(path: Path) -> FormTemplate:
    import yaml

    try:
        data = safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        msg = f"{path}: cannot read the issue form ({error})"
        raise ConfigError(msg) from error
    return template_from_data(data, str(path))


def form_path(path: Path | None = None) -> Path:
    """The form given, else the repository's own, else the one shipped with the program."""
    return path or (DEFAULT_FORM if DEFAULT_FORM.exists() else default_form_path())
