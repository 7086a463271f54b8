"""The configuration file as a whole: the core's policy, and each integration's own section.

`.github/incident-response.yml` is one document, checked as one (an unknown key anywhere is
named). The core knows only its own part (`Policy`: labels, the priority matrix, the chat's
channels, the people by GitHub handle, ...). Each adapter owns the model of its vendor's part
(adapters/<vendor>/config.py): Datadog's fields and teams, PagerDuty's severities, each
person's Slack and Datadog ids. This module composes them, which is the one place that names
every vendor's configuration: adding one is a section here and its builder in wiring.py.

`python -m incident_response.shell.settings` writes the JSON Schema of the whole file, for
editors and for `check-jsonschema`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path

from pydantic import Field

from incident_response.adapters.datadog.config import DatadogConfig, DatadogPerson
from incident_response.adapters.pagerduty.config import PagerDutyConfig
from incident_response.adapters.slack.config import SlackPerson
from incident_response.core.rules.policy import Person, Policy
from incident_response.shell.config_files import FORMER_NAMES

__all__ = ["FORMER_NAMES", "PersonSettings", "Settings", "schema_text"]



class PersonSettings(Person, SlackPerson, DatadogPerson):
    """A person: a name, and each integration's id of them."""


class Settings(Policy):
    """The whole configuration file: the core's policy and the integrations' sections."""

    people: Mapping[str, PersonSettings] = Field(
        default_factory=dict,
        description="GitHub handle -> the person's name and their ids in the integrations.")
    paging: PagerDutyConfig = PagerDutyConfig()
    datadog: DatadogConfig = DatadogConfig()

    def settings_of(self, login: str | None) -> PersonSettings | None:
        """The person's entry, the handle matched as GitHub matches it (without case)."""
        person = self.person(login)
        return person if isinstance(person, PersonSettings) else None


def schema_text() -> str:
    return json.dumps(Settings.model_json_schema(), indent=2) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "schema/incident-response.schema.json")
    target.write_text(schema_text(), encoding="utf-8")
    print(f"wrote {target}")
