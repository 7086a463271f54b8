"""The incident's facts as Datadog Incident Management holds them: its fields, its state, its
commander. The team names its fields in the config (`datadog.fields`); a field set to null
there is left alone."""

from __future__ import annotations

from collections.abc import Mapping

from incident_response.adapters.datadog.config import DatadogConfig
from incident_response.core import names
from incident_response.core.decision.effects import IncidentFacts
from incident_response.core.texts.markdown_text import code_points, shorten, strip_markers
from incident_response.core.vocabulary import Phase

__all__ = ["STATE", "TEXTBOX", "commander_id", "incident_fields"]

#: Datadog's incident states for the lifecycle's phases (a triaged report is not declared)
STATE = {Phase.TRIAGE: "active", Phase.ACTIVE: "active", Phase.STABLE: "stable",
         Phase.RESOLVED: "resolved", Phase.COMPLETED: "completed"}
#: the longest value Datadog keeps in a textbox field, in characters. Datadog documents no
#: unit; it is measured in code points (what JSON Schema's `maxLength` counts, as in the
#: Incidents API's own `maxLength: 1024` on a title, incidents-openapi.yaml), never cut inside
#: a grapheme cluster
TEXTBOX = 1000

Field = tuple[str, str | list[str]]


def _textbox(text: str) -> str:
    """User text for a textbox: within the limit, and without the bot's marker sequences
    (nothing the bot writes anywhere carries one from user text)."""
    return shorten(strip_markers(text), TEXTBOX, measure=code_points)


def incident_fields(facts: IncidentFacts, config: DatadogConfig) -> dict[str, Field]:
    """Field name -> (field type, one value or several): ("dropdown", "SEV-2"),
    ("autocomplete", ["Platform Identity"])."""
    named = config.fields
    fields: dict[str, Field] = {
        named.severity: ("dropdown", facts.severity.value),
        named.state: ("dropdown", STATE[facts.phase]),
        named.teams: ("autocomplete", list(config.teams)),
        named.services: ("autocomplete", list(config.services)),
    }
    if named.priority:
        fields[named.priority] = ("dropdown", facts.priority.value)
    if named.monitor and facts.monitor:
        fields[named.monitor] = ("textbox", _textbox(facts.monitor))
    if named.controller and facts.controller:
        fields[named.controller] = ("dropdown", facts.controller)
    if named.sub_service:
        fields[named.sub_service] = ("textbox", _textbox(facts.service))
    if named.acknowledged_by_team:
        fields[named.acknowledged_by_team] = ("dropdown", config.acknowledged_by_team)
    if named.detection_method:
        fields[named.detection_method] = ("dropdown",
                                          "monitor" if facts.monitor else "customer")
    if facts.latest_update is not None:
        fields["summary"] = ("textbox", _textbox(facts.latest_update))
    return fields


def commander_id(facts: IncidentFacts, people: Mapping[str, str]) -> str | None:
    """The commander's Datadog user id from the people map (GitHub handles match without
    case), None for someone it does not name."""
    if not facts.commander:
        return None
    return next((user for login, user in people.items()
                 if names.same(login, facts.commander)), None)
