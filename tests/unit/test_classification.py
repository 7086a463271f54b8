from __future__ import annotations

import pytest

from incident_response.core.rules.answers import FormAnswers
from incident_response.core.rules.classification import classify
from incident_response.core.rules.policy import Policy
from incident_response.shell.configuration import load_policy

IMPACTS = [
    "Nobody can sign in (total outage)",
    "A significant share of users cannot sign in (for example one sign-in provider is down)",
    "Some users cannot sign in (a downstream system they depend on is down)",
    "Sign-in works after retries or slowly (intermittent but significant)",
    "Intermittent, low impact, or expected (for example planned maintenance)",
]


@pytest.fixture(scope="module")
def policy() -> Policy:
    return load_policy()


def report(environment: str = "production", users: int = 2500, impact: int = 1,
           providers: tuple[str, ...] = ()) -> FormAnswers:
    return FormAnswers(service="SSOe", environment=environment, users_per_hour=users,
                          user_impact=IMPACTS[impact], providers=providers, summary="x")


@pytest.mark.parametrize(("environment", "users", "priority"), [
    ("production", 2500, "P1"), ("production", 1001, "P1"), ("production", 1000, "P2"),
    ("production", 101, "P2"), ("production", 100, "P3"), ("production", 1, "P3"),
    ("staging", 5000, "P2"), ("staging", 150, "P3"), ("staging", 50, "P4"),
    ("other", 5000, "P3"), ("other", 500, "P4"), ("other", 5, "P4"),
    ("production", 0, "P4"),
])
def test_priority_matrix_of_domain(policy: Policy, environment: str, users: int,
                                   priority: str) -> None:
    assert classify(report(environment, users), policy).priority == priority


def test_boundary_is_configurable(policy: Policy) -> None:
    inclusive = policy.model_copy(update={"priority_matrix": policy.priority_matrix.model_copy(
        update={"boundary": "inclusive"})})
    assert classify(report(users=1000), inclusive).priority == "P1"
    assert "at least 1,000" in classify(report(users=1000), inclusive).priority_reason


@pytest.mark.parametrize(("impact", "severity"), [(0, "SEV-1"), (1, "SEV-2"), (2, "SEV-3"),
                                                  (3, "SEV-4"), (4, "SEV-5")])
def test_severity_from_user_impact(policy: Policy, impact: int, severity: str) -> None:
    assert classify(report(impact=impact), policy).severity == severity


def test_more_than_one_provider_is_sev1_and_says_why(policy: Policy) -> None:
    result = classify(report(impact=3, providers=("Login.gov", "ID.me")), policy)
    assert result.severity == "SEV-1"
    assert "2 sign-in providers affected (Login.gov, ID.me)" in result.severity_reason
    assert classify(report(impact=3, providers=("Login.gov",)), policy).severity == "SEV-4"


def test_explanation_names_tier_users_and_cell(policy: Policy) -> None:
    reason = classify(report("staging", 150), policy).priority_reason
    assert reason == ("staging is tier 2; 150 users per hour is more than 100; "
                      "matrix cell (tier 2, more than 100 users/hour) = P3")
