"""Acknowledgement times from PagerDuty's REST API: the real `pagerduty` client over HTTPS to a
loopback fake that checks every request against PagerDuty's REST description."""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

from incident_response.adapters.pagerduty.acknowledgements import PagerDutyAcknowledgements
from incident_response.adapters.ports import Acknowledgement, Acknowledgements
from incident_response.adapters.transport import Transport
from incident_response.core.errors import PermanentServiceError, Refusal, TransientServiceError
from tests.conftest import World
from tests.fakes.pagerduty_rest import ACCEPT, FakePagerDutyRest
from tests.fakes.server import Fault
from tests.support import opened, status_comments

KEY = "Codertocat/Hello-World#7"
PAGED = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)


@pytest.fixture
def pagerduty(server_tls: ssl.SSLContext) -> Iterator[FakePagerDutyRest]:
    fake = FakePagerDutyRest(server_tls)
    yield fake
    assert fake.violations == []
    fake.stop()


_MADE: list[PagerDutyAcknowledgements] = []


@pytest.fixture(autouse=True)
def _closed() -> Iterator[None]:
    """Every adapter a test makes is closed after it (its connections, as a run's are)."""
    yield
    while _MADE:
        _MADE.pop().close()


def _adapter(fake: FakePagerDutyRest, ca: tuple[trustme.CA, Path], *,
             token: str | None = None, attempts: int = 3) -> PagerDutyAcknowledgements:
    transport = Transport(attempts=attempts, timeout_seconds=2, backoff_seconds=0.05,
                          ca_file=str(ca[1]))
    _MADE.append(PagerDutyAcknowledgements(token or fake.token, fake.url, transport))
    return _MADE[-1]


def test_acknowledged_by_name_at_time(pagerduty: FakePagerDutyRest,
                                      certificate_authority: tuple[trustme.CA, Path]) -> None:
    incident = pagerduty.trigger(KEY, at=PAGED + timedelta(seconds=2))
    pagerduty.acknowledge(KEY, "Earline Greenholt", at=PAGED + timedelta(minutes=4))
    pagerduty.acknowledge(KEY, "Later Person", at=PAGED + timedelta(minutes=40))
    pagerduty.resolve(KEY, at=PAGED + timedelta(hours=1), name="Earline Greenholt")
    adapter: Acknowledgements = _adapter(pagerduty, certificate_authority)

    found = adapter.acknowledgement(KEY, PAGED)

    assert found == Acknowledgement(who="Earline Greenholt", at=PAGED + timedelta(minutes=4),
                                    incident_url=incident["html_url"])
    listed, logged = pagerduty.calls("listIncidents"), pagerduty.calls("listIncidentLogEntries")
    assert len(listed) == 1
    assert len(logged) == 1
    assert "incident_key=Codertocat%2FHello-World%237" in listed[0].query
    assert listed[0].headers["authorization"] == f"Token token={pagerduty.token}"
    assert listed[0].headers["accept"] == ACCEPT


def test_never_acknowledged_is_none(pagerduty: FakePagerDutyRest,
                                    certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger(KEY, at=PAGED)
    pagerduty.resolve(KEY, at=PAGED + timedelta(hours=1))
    assert _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED) is None


def test_no_incident_for_the_key_is_none(pagerduty: FakePagerDutyRest,
                                         certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger("Codertocat/Hello-World#8", at=PAGED)
    pagerduty.acknowledge("Codertocat/Hello-World#8", "Someone Else", at=PAGED)
    adapter = _adapter(pagerduty, certificate_authority)
    assert adapter.acknowledgement(KEY, PAGED) is None
    assert len(pagerduty.requests) == 1  # no incident: no log entries asked for


def test_an_older_incident_with_the_same_key_is_not_this_page(
        pagerduty: FakePagerDutyRest, certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger(KEY, at=PAGED - timedelta(days=40))
    pagerduty.acknowledge(KEY, "Old Ack", at=PAGED - timedelta(days=40))
    pagerduty.resolve(KEY, at=PAGED - timedelta(days=39))
    pagerduty.trigger(KEY, at=PAGED)
    pagerduty.acknowledge(KEY, "New Ack", at=PAGED + timedelta(minutes=1))
    found = _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED)
    assert found is not None
    assert found.who == "New Ack"


def test_refused_token_says_what_to_fix(pagerduty: FakePagerDutyRest,
                                        certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger(KEY, at=PAGED)
    adapter = _adapter(pagerduty, certificate_authority, token="not-a-key")
    with pytest.raises(PermanentServiceError) as caught:
        adapter.acknowledgement(KEY, PAGED)
    assert str(caught.value) == (
        "PagerDuty: finding the incident of the page failed with HTTP 401. PagerDuty refused "
        "PAGERDUTY_API_TOKEN: check the secret: a read-only REST API key (Integrations, API "
        "Access Keys) suffices")
    assert caught.value.status == 401
    assert caught.value.reason is Refusal.CREDENTIALS
    assert adapter.refused is caught.value  # the run exits 1 for it (commands/handle.py)
    assert len(pagerduty.requests) == 1  # never retried
    assert "not-a-key" not in str(caught.value)


def test_token_without_permission_says_what_to_fix(
        pagerduty: FakePagerDutyRest, certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.forbidden_tokens.add("limited-key")
    adapter = _adapter(pagerduty, certificate_authority, token="limited-key")
    with pytest.raises(PermanentServiceError) as caught:
        adapter.acknowledgement(KEY, PAGED)
    assert str(caught.value) == (
        "PagerDuty: finding the incident of the page failed with HTTP 403: Access Denied. "
        "PagerDuty: the PAGERDUTY_API_TOKEN key may not read this service's incidents; check "
        "the secret: a read-only REST API key (Integrations, API Access Keys) suffices")
    assert caught.value.status == 403
    assert caught.value.reason is Refusal.PERMISSION
    assert len(pagerduty.requests) == 1


def test_a_502_is_retried(pagerduty: FakePagerDutyRest,
                          certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger(KEY, at=PAGED)
    pagerduty.acknowledge(KEY, "Earline Greenholt", at=PAGED + timedelta(minutes=3))
    pagerduty.inject("listIncidentLogEntries",
                     Fault(status=502, body={"error": {"message": "Bad Gateway"}}))
    found = _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED)
    assert found is not None
    assert found.who == "Earline Greenholt"
    assert len(pagerduty.calls("listIncidentLogEntries")) == 2


def test_a_lost_answer_is_retried(pagerduty: FakePagerDutyRest,
                                  certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger(KEY, at=PAGED)
    pagerduty.acknowledge(KEY, "Earline Greenholt", at=PAGED + timedelta(minutes=3))
    pagerduty.inject("listIncidents", Fault(kind="lost"))
    found = _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED)
    assert found is not None
    assert len(pagerduty.calls("listIncidents")) == 2


def test_5xx_every_time_is_transient_after_the_budget(
        pagerduty: FakePagerDutyRest, certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.inject("listIncidents", *[Fault(status=503) for _ in range(3)])
    with pytest.raises(TransientServiceError) as caught:
        _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED)
    assert str(caught.value) == (
        "PagerDuty: finding the incident of the page failed with HTTP 503")
    assert len(pagerduty.requests) == 3


def test_429_waits_for_retry_after(pagerduty: FakePagerDutyRest,
                                   certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.trigger(KEY, at=PAGED)
    pagerduty.acknowledge(KEY, "Earline Greenholt", at=PAGED + timedelta(minutes=3))
    pagerduty.inject("listIncidents", Fault(
        status=429, headers={"Retry-After": "1"},
        body={"error": {"message": "Rate Limit Exceeded", "code": 2020}}))
    started = time.monotonic()
    found = _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED)
    assert found is not None
    calls = pagerduty.calls("listIncidents")
    assert len(calls) == 2
    assert calls[1].at - calls[0].at >= 0.95  # Retry-After honoured (backoff alone: 0.05 s)
    assert time.monotonic() - started < 5


def test_429_asking_too_long_a_wait_is_left_to_the_next_run(
        pagerduty: FakePagerDutyRest, certificate_authority: tuple[trustme.CA, Path]) -> None:
    pagerduty.inject("listIncidents", Fault(status=429, headers={"Retry-After": "3600"}))
    started = time.monotonic()
    with pytest.raises(TransientServiceError) as caught:
        _adapter(pagerduty, certificate_authority).acknowledgement(KEY, PAGED)
    assert time.monotonic() - started < 2
    assert str(caught.value) == (
        "PagerDuty: finding the incident of the page failed with HTTP 429: PagerDuty asks to "
        "wait 3600 s, longer than 30 s; the next run tries again")
    assert len(pagerduty.requests) == 1


def test_requests_are_bounded(pagerduty: FakePagerDutyRest,
                              certificate_authority: tuple[trustme.CA, Path]) -> None:
    """At most two requests per incident, however long its log."""
    adapter = _adapter(pagerduty, certificate_authority)
    keys = [f"Codertocat/Hello-World#{n}" for n in range(20, 25)]
    for index, key in enumerate(keys):
        pagerduty.trigger(key, at=PAGED)
        for minute in range(index * 10):
            pagerduty.resolve(key, at=PAGED + timedelta(minutes=minute))  # a long log
        if index % 2:
            pagerduty.acknowledge(key, f"Person {index}", at=PAGED + timedelta(hours=2))
    found = {key: adapter.acknowledgement(key, PAGED) for key in keys}
    assert [key for key, ack in found.items() if ack is not None] == keys[1::2]
    assert len(pagerduty.requests) <= 2 * len(keys)
    assert len(pagerduty.requests) == 2 * len(keys)


def test_the_fakes_answers_fit_the_description(
        pagerduty: FakePagerDutyRest) -> None:
    """Except where PagerDuty's live answers do not fit it either (the fake follows those,
    tests/adapters/test_pagerduty_recordings.py): `alert_grouping` is null in a recorded
    incident but not nullable in the description, and no `channel` object can pass the
    description's LogEntry channel `oneOf`, whose alternatives overlap (a recorded
    `{"type": "website"}` fits several)."""
    incident = pagerduty.trigger(KEY, at=PAGED)
    pagerduty.acknowledge(KEY, "Earline Greenholt", at=PAGED, email="earline@example.com")
    pagerduty.resolve(KEY, at=PAGED + timedelta(hours=1))
    pagerduty.description.check_value(
        "#/components/schemas/Incident",
        {k: v for k, v in incident.items() if k != "alert_grouping"})
    for entry in pagerduty.log_entries[incident["id"]]:
        pagerduty.description.check_value(
            "#/components/schemas/LogEntry", {k: v for k, v in entry.items() if k != "channel"})


def test_the_fake_refuses_requests_the_description_does_not_allow(
        server_tls: ssl.SSLContext, certificate_authority: tuple[trustme.CA, Path]) -> None:
    import httpx2

    fake = FakePagerDutyRest(server_tls)
    try:
        with httpx2.Client(verify=ssl.create_default_context(
                cafile=str(certificate_authority[1]))) as client:
            good = {"Accept": ACCEPT, "Content-Type": "application/json",
                    "Authorization": f"Token token={fake.token}"}
            assert client.get(f"{fake.url}/incidents", headers=good).status_code == 200
            no_accept = {k: v for k, v in good.items() if k != "Accept"}
            assert client.get(f"{fake.url}/incidents", headers=no_accept).status_code == 400
            assert client.get(f"{fake.url}/incidents?incident_keys=x",
                              headers=good).status_code == 400
            assert client.get(f"{fake.url}/incidents?date_range=some",
                              headers=good).status_code == 400
        assert len(fake.violations) == 3
        assert "header Accept must be" in fake.violations[0]  # httpx2 sends */*
    finally:
        fake.stop()


# -- end to end: the program records the acknowledgement and shows it --------------------------

def test_the_sweep_records_who_acknowledged_the_page_and_shows_it(
        world: World, pagerduty: FakePagerDutyRest) -> None:
    from incident_response.core.record.block import parse_state

    assert world.call("handle", "--now", "2026-11-28T08:11:00Z",
                      payload=opened(world)).returncode == 0
    pagerduty.trigger("Codertocat/Hello-World#1", at="2026-11-28T08:11:30Z")
    pagerduty.acknowledge("Codertocat/Hello-World#1", "Nora On-call", at="2026-11-28T08:15:00Z")
    env = {"PAGERDUTY_API_TOKEN": pagerduty.token, "PAGERDUTY_API_URL": pagerduty.url}
    run = world.call("sweep", "--now", "2026-11-28T08:20:00Z", **env)
    assert run.returncode == 0, run.stdout
    [status] = status_comments(world)
    state = parse_state(status["body"])
    assert state is not None and state.acknowledged_by == "Nora On-call"
    assert "| **Acknowledged** | by Nora On-call at 2026-11-28 08:15 UTC (4 min after the page) |" \
        in status["body"]
    asked = len(pagerduty.requests)
    world.call("sweep", "--now", "2026-11-28T08:40:00Z", **env)
    assert len(pagerduty.requests) == asked  # acknowledged: never asked again


def test_without_a_token_the_acknowledgement_is_skipped_with_a_notice(world: World) -> None:

    world.call("handle", "--now", "2026-11-28T08:11:00Z", payload=opened(world))
    world.call("sweep", "--now", "2026-11-28T08:45:00Z")
    [status] = status_comments(world)
    assert "PAGERDUTY_API_TOKEN is not set" in status["body"]
