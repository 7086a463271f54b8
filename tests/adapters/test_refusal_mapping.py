"""Each adapter sorts its vendor's answers into transient and permanent, and measures its
vendor's limits as the vendor counts them."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from incident_response.adapters.datadog.config import DatadogConfig
from incident_response.adapters.datadog.fields import TEXTBOX, incident_fields
from incident_response.adapters.github.reads import GitHubReads
from incident_response.adapters.github.refusals import REFUSED_FIX, github_error
from incident_response.adapters.pagerduty.events import SUMMARY_LIMIT
from incident_response.adapters.pagerduty.pager import PagerDutyPager
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import IncidentFacts, TriggerPage
from incident_response.core.errors import PermanentServiceError, Refusal, TransientServiceError
from incident_response.core.texts.markdown_text import graphemes
from incident_response.core.vocabulary import Phase, Priority, Severity
from tests.fakes.github import FakeGitHub
from tests.fakes.pagerduty import FakePagerDuty

FAMILY = "👩\u200d👩\u200d👧\u200d👦"  # one grapheme cluster of seven code points


@pytest.mark.parametrize(("status", "message", "headers", "reason"), [
    (401, "Bad credentials", {}, Refusal.CREDENTIALS),
    (403, "Resource not accessible by integration", {}, Refusal.PERMISSION),
    (403, "Must have admin rights to Repository.", {}, Refusal.PERMISSION),
    (404, "Not Found", {}, Refusal.GONE),
    (410, "Issue is deleted", {}, Refusal.GONE),
    (422, "Validation Failed", {}, Refusal.INVALID),
])
def test_github_refusals_have_a_reason(status: int, message: str, headers: dict[str, str],
                                       reason: Refusal) -> None:
    error = github_error("Reading the issue", status, message, headers=headers)
    assert isinstance(error, PermanentServiceError)
    assert error.reason is reason
    assert (error.credential == "GITHUB_TOKEN") is (reason is Refusal.CREDENTIALS)
    assert str(error).startswith(f"GitHub: Reading the issue failed with HTTP {status}: "
                                 f"{message}")


@pytest.mark.parametrize(("status", "message", "headers"), [
    (403, "API rate limit exceeded for installation ID 1.", {}),
    (403, "You have exceeded a secondary rate limit. Please wait a few minutes.", {}),
    (403, "Forbidden", {"X-RateLimit-Remaining": "0"}),
    (429, "Too Many Requests", {}),
    (502, "Bad Gateway", {}),
])
def test_github_rate_limits_and_outages_are_transient(status: int, message: str,
                                                      headers: dict[str, str]) -> None:
    """GitHub's docs: a primary rate limit is 403 or 429 with x-ratelimit-remaining 0, a
    secondary one 403 or 429 with a message saying so (adapters/github/refusals.py)."""
    error = github_error("Listing open incidents", status, message, headers=headers)
    assert isinstance(error, TransientServiceError)


def test_the_early_reads_name_the_refused_token(
        server_tls: ssl.SSLContext, certificate_authority: tuple[trustme.CA, Path]) -> None:
    """The standard-library reads of the early page say a refused token as the client does."""
    fake = FakeGitHub(server_tls)
    try:
        transport = Transport(attempts=2, timeout_seconds=2, backoff_seconds=0.01,
                              ca_file=str(certificate_authority[1]))
        reads = GitHubReads("ghs_revoked", fake.repository, fake.url, transport)
        with pytest.raises(PermanentServiceError) as caught:
            reads.issue(1)
        assert caught.value.reason is Refusal.CREDENTIALS
        assert str(caught.value) == ("GitHub: Reading the issue failed with HTTP 401: Bad "
                                     f"credentials. {REFUSED_FIX}")
    finally:
        fake.stop()


def test_the_pager_summary_is_measured_in_code_points(
        server_tls: ssl.SSLContext, certificate_authority: tuple[trustme.CA, Path]) -> None:
    """A summary of 1,024 grapheme clusters is 7,168 code points: cut to 1,024 code points
    (what the Events API counts, and its fake refuses beyond), between two clusters."""
    fake = FakePagerDuty(server_tls)
    transport = Transport(attempts=2, timeout_seconds=2, backoff_seconds=0.01,
                          ca_file=str(certificate_authority[1]))
    pager = PagerDutyPager(fake.routing_key, fake.url, transport)
    try:
        pager.trigger(TriggerPage(key="page:trigger", dedup_key="o/r#1", summary=FAMILY * 1024,
                                  source="test", priority=Priority.P1,
                                  severity=Severity.SEV_1))
        [sent] = fake.requests
        summary = sent.json()["payload"]["summary"]
        assert len(summary) <= SUMMARY_LIMIT and summary.endswith("…")
        assert set(graphemes(summary.removesuffix("…"))) == {FAMILY}
        assert fake.violations == []
    finally:
        pager.close()
        fake.stop()


def test_datadog_textboxes_are_measured_in_code_points() -> None:
    facts = IncidentFacts(title="t", priority=Priority.P1, severity=Severity.SEV_1,
                          phase=Phase.ACTIVE, service="SSOe", environment="production",
                          monitor=FAMILY * 1000, latest_update=FAMILY * 1000)
    fields = incident_fields(facts, DatadogConfig())
    for name in ("monitor", "summary"):
        _, value = fields[name]
        assert isinstance(value, str)
        assert len(value) <= TEXTBOX and set(graphemes(value.removesuffix("…"))) == {FAMILY}
