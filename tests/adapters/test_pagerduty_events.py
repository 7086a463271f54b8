"""The first step's trigger (the standard library) is the `pagerduty` client's, byte for byte
in meaning: the same event, accepted by the fake's OpenAPI check, with the same errors.

adapters/pagerduty/events.py sends the page before the client is installed; the full run's
PagerDutyPager sends it through `EventsApiV2Client`. Both go to one FakePagerDuty here, and
the JSON bodies it received are compared.
"""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from incident_response.adapters.pagerduty.events import (
    events_connection,
    send_event,
    trigger_event,
)
from incident_response.adapters.pagerduty.pager import PagerDutyPager
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.errors import PermanentServiceError, TransientServiceError
from incident_response.core.vocabulary import Priority, Severity
from tests.fakes.pagerduty import FakePagerDuty
from tests.fakes.server import Fault


def _send(event: dict[str, Any], url: str, *, context: ssl.SSLContext, timeout: float,
          early: bool = False) -> str:
    connection = events_connection(url, context=context, timeout=timeout)
    if early:
        connection.connect_early()
    try:
        return send_event(event, connection)
    finally:
        connection.close()


@pytest.fixture
def pagerduty(server_tls: ssl.SSLContext) -> Iterator[FakePagerDuty]:
    fake = FakePagerDuty(server_tls)
    yield fake
    fake.stop()


@pytest.fixture
def trust(certificate_authority: tuple[trustme.CA, Path]) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(certificate_authority[1]))


def _page(summary: str = "[P1] SSOe is experiencing degraded service - acme/id#7",
          links: tuple[tuple[str, str], ...] = (
              ("GitHub incident acme/id#7", "https://github.com/acme/id/issues/7"),
              ("Recovery procedure", "https://example.org/srp.md"))) -> TriggerPage:
    return TriggerPage(key="page:trigger", dedup_key="acme/id#7", summary=summary,
                       source="SSOe (production)", priority=Priority.P1,
                       severity=Severity.SEV_2, links=links,
                       custom_details={"priority": "P1", "severity": "SEV-2",
                                       "users_per_hour": 2500, "environment": "production",
                                       "incident_commander": "mona"})


@pytest.mark.parametrize("page", [
    _page(),
    _page(links=(("GitHub incident acme/id#7", "https://github.com/acme/id/issues/7"),)),
    _page(summary="é" * 2000),  # shortened to the Events API's 1,024 characters, alike
    _page(summary="[P1] <b>\"quotes\"</b> & emoji \U0001f525 - acme/id#7"),
])
def test_the_first_steps_event_is_the_clients(pagerduty: FakePagerDuty, trust: ssl.SSLContext,
                                             certificate_authority: tuple[trustme.CA, Path],
                                             page: TriggerPage) -> None:
    transport = Transport(1, 5, 0, str(certificate_authority[1]))
    pager = PagerDutyPager(pagerduty.routing_key, pagerduty.url, transport)
    try:
        pager.trigger(page)
    finally:
        pager.close()
    key = _send(trigger_event(page, pagerduty.routing_key, "critical"), pagerduty.url,
                context=trust, timeout=5, early=True)
    assert key == page.dedup_key
    by_client, by_step = (request.json() for request in pagerduty.requests)
    assert by_step == by_client
    assert pagerduty.violations == []


def test_a_refused_routing_key_is_permanent_and_not_shown(pagerduty: FakePagerDuty,
                                                          trust: ssl.SSLContext) -> None:
    secret = "0" * 31 + "X"
    with pytest.raises(PermanentServiceError) as refused:
        _send(trigger_event(_page(), secret, "critical"), pagerduty.url, context=trust,
              timeout=5)
    assert refused.value.status == 400
    assert "PAGERDUTY_ROUTING_KEY" in str(refused.value)
    assert secret not in str(refused.value)


@pytest.mark.parametrize("fault", [Fault(status=429), Fault(status=500),
                                   Fault(status=503), Fault(kind="lost")])
def test_what_a_retry_may_fix_is_transient(pagerduty: FakePagerDuty, trust: ssl.SSLContext,
                                           fault: Fault) -> None:
    """One attempt, then the full run's client (with its retries) sends the page."""
    pagerduty.inject("createV2Event", fault)
    with pytest.raises(TransientServiceError):
        _send(trigger_event(_page(), pagerduty.routing_key, "critical"), pagerduty.url,
              context=trust, timeout=5)
    assert len(pagerduty.requests) == 1


def test_no_answer_in_time_is_transient(pagerduty: FakePagerDuty,
                                        trust: ssl.SSLContext) -> None:
    pagerduty.inject("createV2Event", Fault(kind="timeout", status=1))
    with pytest.raises(TransientServiceError):
        _send(trigger_event(_page(), pagerduty.routing_key, "critical"), pagerduty.url,
              context=trust, timeout=0.5)


def test_only_https_is_spoken(trust: ssl.SSLContext) -> None:
    with pytest.raises(PermanentServiceError, match="PAGERDUTY_EVENTS_URL"):
        _send(trigger_event(_page(), "k" * 32, "critical"), "http://127.0.0.1:9",
              context=trust, timeout=1)


def test_a_connection_opened_early_that_failed_is_opened_again(pagerduty: FakePagerDuty,
                                                               trust: ssl.SSLContext) -> None:
    """The early connect may fail (the network was not ready); the send connects itself."""
    connection = events_connection(pagerduty.url, context=trust, timeout=5)
    pagerduty.stop()
    connection.connect_early()
    connection.close()  # waits for the failed attempt
    with pytest.raises(TransientServiceError):
        send_event(trigger_event(_page(), pagerduty.routing_key, "critical"), connection)
