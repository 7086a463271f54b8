from __future__ import annotations

import json
from pathlib import Path

import pytest

from incident_response.core.errors import ConfigError
from incident_response.shell.configuration import load_policy
from incident_response.shell.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "incident-response.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_encode_the_domain() -> None:
    policy = load_policy()
    assert [s.name for s in policy.services] == [
        "SSOe", "SiS", "STS", "USiP", "Terms of Use", "Login.gov", "ID.me", "DS Logon",
        "My HealtheVet", "MPI"]
    assert all(s.recovery_procedure and s.verification for s in policy.services)
    assert policy.rule("P1").update_every_minutes == 30  # type: ignore[arg-type]
    assert policy.chat.support_channel == "#identity-support"
    assert policy.datadog.teams == ["Platform Identity"]
    ssoe = policy.service("ssoe")
    assert ssoe is not None
    assert ssoe.controller == "v1/sessions"


def test_a_partial_file_merges_over_the_defaults(tmp_path: Path) -> None:
    policy = load_policy(write(tmp_path, "chat:\n  support_channel: '#ops'\n"))
    assert policy.chat.support_channel == "#ops"
    assert policy.chat.leadership_channel == "#identity-leadership"
    assert len(policy.services) == 10


def test_the_former_name_of_a_section_is_still_read(tmp_path: Path) -> None:
    """`slack:` held the channels before `chat:`: an adopter's file that says so still works,
    and both at once is refused in one sentence."""
    policy = load_policy(write(tmp_path, "slack:\n  support_channel: '#ops'\n"))
    assert policy.chat.support_channel == "#ops"
    with pytest.raises(ConfigError, match="keep `chat:`"):
        load_policy(write(tmp_path, "slack: {support_channel: '#a'}\nchat: {}\n"))


@pytest.mark.parametrize(("text", "names"), [
    ("slack:\n  suport_channel: '#x'\n", "slack.suport_channel: unknown key"),
    ("priorities:\n  P1: {update_every_minutes: -3}\n", "priorities.P1.update_every_minutes"),
    ("priority_matrix:\n  rows: {1: [P1, P2]}\n", "give 3 priorities"),
    ("permissions:\n  declare: everyone\n", "permissions.declare"),
    ("services: []\n", "services"),
    ("labels: [a]\n", "labels"),
    ("slack: {support_channel: '#a'\n", "not valid YAML"),
])
def test_a_bad_file_names_the_key_and_the_fix(tmp_path: Path, text: str, names: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_policy(write(tmp_path, text))
    assert names in str(raised.value)


def test_the_shipped_schema_is_generated_from_the_model() -> None:
    shipped = json.loads((ROOT / "schema" / "incident-response.schema.json").read_text())
    assert shipped == Settings.model_json_schema(), (
        "regenerate it: PYTHONPATH=scripts python -m incident_response.shell.schema")


def test_a_label_github_would_refuse_is_a_configuration_error(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text("labels:\n  phase_prefix: '" + "x" * 45 + "'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="GitHub allows 50: shorten it"):
        load_policy(config)
