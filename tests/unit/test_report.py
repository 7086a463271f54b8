from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from incident_response.core.rules.answers import (
    parse_started_at,
    parse_users_per_hour,
    validate_answers,
)
from incident_response.core.rules.form import parse_form
from incident_response.shell.configuration import load_form_template, load_policy

ROOT = Path(__file__).resolve().parents[2]
FORM = load_form_template(ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml")
POLICY = load_policy()
P1_BODY = (ROOT / "examples" / "form-bodies" / "p1-production-ssoe.md").read_text()


@pytest.mark.parametrize(("text", "users"), [
    ("1500", 1500), ("1,500", 1500), ("~2000", 2000), ("about 2k", 2000), ("1000+", 1000),
    ("2,500 users/hour", 2500), (" 12 ", 12), ("1.5k", 1500), ("≈ 300", 300),
])
def test_users_per_hour_accepts_what_people_type(text: str, users: int) -> None:
    assert parse_users_per_hour(text) == users


@pytest.mark.parametrize("text", ["lots", "", "-5", "1500-2000", "a few hundred"])
def test_users_per_hour_refuses_what_is_not_a_number(text: str) -> None:
    assert parse_users_per_hour(text) is None


@pytest.mark.parametrize("text", [
    "2026-11-28T08:05Z", "2026-11-28 08:05", "2026-11-28T08:05:00+00:00",
    "2026-11-28T03:05-05:00", "2026-11-28 08:05 UTC",
])
def test_started_at_in_iso_8601_and_utc_when_zoneless(text: str) -> None:
    assert parse_started_at(text) == datetime(2026, 11, 28, 8, 5, tzinfo=UTC)


def test_the_example_p1_report_validates() -> None:
    report, problems = validate_answers(parse_form(P1_BODY, FORM), FORM, POLICY, reporter="x")
    assert problems == []
    assert report is not None
    assert (report.service, report.environment, report.users_per_hour) == ("SSOe", "production",
                                                                           2500)
    assert report.providers == ("Login.gov",)
    assert report.commander == "Codertocat"
    assert report.started_at == datetime(2026, 11, 28, 8, 5, tzinfo=UTC)


def test_crlf_edited_and_reordered_bodies_parse_alike() -> None:
    sections = P1_BODY.strip().split("\n\n### ")
    reordered = "\n\n### ".join([sections[0], *reversed(sections[1:])])
    for body in (P1_BODY.replace("\n", "\r\n"), reordered, "Preamble typed later\n\n" + P1_BODY):
        report, problems = validate_answers(parse_form(body, FORM), FORM, POLICY, reporter="x")
        assert problems == []
        assert report is not None
        assert report.users_per_hour == 2500


def test_heading_inside_the_summary_stays_in_the_summary() -> None:
    body = P1_BODY + "\n### Timeline so far\n\n08:05 alert fired\n"
    report, _ = validate_answers(parse_form(body, FORM), FORM, POLICY, reporter="x")
    assert report is not None
    assert report.summary.endswith("### Timeline so far\n\n08:05 alert fired")


def test_no_response_and_none_mean_unanswered() -> None:
    body = (P1_BODY.replace("Login.gov\n\n### Impact", "None\n\n### Impact")
            .replace("@Codertocat", "_No response_"))
    report, problems = validate_answers(parse_form(body, FORM), FORM, POLICY, reporter="rep")
    assert problems == []
    assert report is not None
    assert report.providers == ()
    assert report.commander == "rep"


def test_every_bad_field_is_named_with_its_fix() -> None:
    body = (P1_BODY.replace("2,500", "many").replace("\nSSOe\n", "\nThe website\n")
            .replace("2026-11-28 08:05", "this morning").replace("@Codertocat", "Mona Lisa")
            .replace("\nLogin.gov\n", "\nFacebook\n"))
    report, problems = validate_answers(parse_form(body, FORM), FORM, POLICY, reporter="x")
    assert report is None
    named = {p.field_id: p.message for p in problems}
    assert set(named) == {"service", "users_affected_per_hour", "started_at",
                          "incident_commander", "csps_affected"}
    assert "pick one of `SSOe`" in named["service"]
    assert "1,500" in named["users_affected_per_hour"]
    assert "2026-11-28 08:05" in named["started_at"]
    assert "@octocat" in named["incident_commander"]
    assert [p.label for p in problems if p.field_id == "service"] == ["Affected service"]


def test_a_body_that_is_not_the_form_says_so() -> None:
    report, problems = validate_answers(parse_form("It's broken!", FORM), FORM, POLICY,
                                       reporter="x")
    assert report is None
    assert [p.field_id for p in problems] == ["body"]


def test_a_missing_required_section_is_reported() -> None:
    body = P1_BODY.split("### Summary")[0]
    _, problems = validate_answers(parse_form(body, FORM), FORM, POLICY, reporter="x")
    assert [(p.field_id, p.message) for p in problems] == [
        ("summary", "is empty: answer it and save the issue.")]
