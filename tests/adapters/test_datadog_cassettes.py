"""The Datadog adapter reads real recorded Datadog answers (vcrpy cassettes, replay only)."""

from __future__ import annotations

from pathlib import Path

import vcr

from incident_response.adapters.datadog.mirror import DatadogMirror
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import DeclareIncident, IncidentFacts
from incident_response.core.vocabulary import Phase, Priority, Severity

CASSETTES = Path(__file__).resolve().parents[1] / "fixtures" / "datadog" / "cassettes"
replay = vcr.VCR(record_mode="none", match_on=["method", "scheme", "host", "path"],
                 filter_headers=["DD-API-KEY", "DD-APPLICATION-KEY"])


def effect() -> DeclareIncident:
    facts = IncidentFacts(title="SSOe is experiencing degraded service",
                          priority=Priority.P1, severity=Severity.SEV_2, phase=Phase.ACTIVE,
                          service="SSOe", environment="production", commander="mona")
    return DeclareIncident(key="datadog:declare",
                           issue_url="https://github.com/acme/identity/issues/7", facts=facts,
                           impact_scope="scope", timeline_note="Declared from GitHub")


def mirror_() -> DatadogMirror:
    return DatadogMirror("key", "app", "https://api.datadoghq.com", Transport(attempts=1),
                         people={"mona": "654d8602-a17a-45dc-b651-ed566eb8a26b"})


def test_declare_reads_the_recorded_create_answer() -> None:
    mirror = mirror_()
    with replay.use_cassette(
        str(CASSETTES / "test_create_an_incident_returns_created_response.yaml")
    ) as cassette:
        ref = mirror.declare(effect())
    assert ref.id == "d466fcca-9324-5212-97d5-2f7e6d216322"
    assert ref.number == 338014
    assert ref.url == "https://app.datadoghq.com/incidents/338014"
    assert cassette.play_count == 1


def test_cassettes_hold_no_credentials() -> None:
    for cassette in CASSETTES.glob("*.yaml"):
        text = cassette.read_text(encoding="utf-8").lower()
        assert "dd-api-key" not in text
        assert "dd-application-key" not in text


def test_attach_postmortem_reads_the_recorded_attachment_answer() -> None:
    mirror = mirror_()
    with replay.use_cassette(
        str(CASSETTES / "test_create_incident_attachment_returns_created_response.yaml")
    ) as cassette:
        mirror.attach_postmortem("c4e18909-57e4-5f57-8d64-74c2c1b13290",
                                 "https://github.com/acme/identity/blob/main/postmortems/x.md",
                                 "Post-mortem of acme/identity#7")
    assert cassette.play_count == 1
