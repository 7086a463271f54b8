"""The PagerDuty fakes answer as PagerDuty answered in real recorded interactions.

Events API v2 (FakePagerDuty) through the `pagerduty` package's EventsApiV2Client, REST API v2
(FakePagerDutyRest) through its RestApiV2Client, both configured as the product's adapters
configure them (scripts/incident_response/adapters/pagerduty_pager.py, pagerduty_rest.py), over
HTTPS. Each answer is compared with the recording under tests/fixtures/pagerduty/recorded/
(origins in ORIGIN.md there) by status, body keys and JSON types (recursively) and the headers
clients rely on, as tests/adapters/test_slack_recordings.py does for Slack; `pytest -s` prints a
MATCH/DIFF line per recording.
"""

from __future__ import annotations

import json
import ssl
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from pagerduty import EventsApiV2Client, RestApiV2Client
from pagerduty.errors import HttpError

from incident_response.adapters.pagerduty.pager import PagerDutyPager
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.errors import PermanentServiceError, Refusal, TransientServiceError
from incident_response.core.vocabulary import Priority, Severity
from tests.fakes.pagerduty import FakePagerDuty
from tests.fakes.pagerduty_rest import ACCEPT, FakePagerDutyRest
from tests.support import report, shape_diff

RECORDED = Path(__file__).resolve().parents[1] / "fixtures" / "pagerduty" / "recorded"
KEY = "Codertocat/Hello-World#7"


def load(name: str) -> Any:
    return json.loads((RECORDED / name).read_text(encoding="utf-8"))


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str

    @property
    def is_json(self) -> bool:
        return self.headers.get("content-type", "").startswith("application/json")

    def json(self) -> Any:
        return json.loads(self.text) if self.text else None


@dataclass
class Fakes:
    events: FakePagerDuty
    rest: FakePagerDutyRest
    ca_file: Path
    #: every client a test makes, closed after it
    made: list[Any] = field(default_factory=list)

    def keep(self, client: Any) -> Any:
        self.made.append(client)
        return client

    def events_client(self, routing_key: str | None = None) -> EventsApiV2Client:
        """As PagerDutyPager builds it (the fake's URL, the test CA), without retries."""
        client = EventsApiV2Client(routing_key or self.events.routing_key,
                                   base_url=self.events.url,
                                   verify=ssl.create_default_context(cafile=str(self.ca_file)))
        # Every answer handed back at once (as PagerDutyAcknowledgements configures its
        # client), so that the first answer is the one compared.
        client.retry = {429: 1}
        client.max_http_attempts = -1
        client.max_network_attempts = 0
        return self.keep(client)

    def rest_client(self, token: str | None = None) -> RestApiV2Client:
        """As PagerDutyAcknowledgements builds it: one attempt, every answer handed back."""
        client = RestApiV2Client(token or self.rest.token, base_url=self.rest.url,
                                 verify=ssl.create_default_context(cafile=str(self.ca_file)))
        client.max_network_attempts = 0
        client.retry = {429: 1}
        client.max_http_attempts = -1
        return self.keep(client)


def answer(response: Any) -> Answer:
    return Answer(response.status_code, {k.lower(): v for k, v in response.headers.items()},
                  response.text)


def event(summary: str = "SSOe is down") -> dict[str, Any]:
    return {"event_action": "trigger", "dedup_key": KEY,
            "payload": {"summary": summary, "source": "incident-response", "severity": "critical"}}


def enqueue(fakes: Fakes, routing_key: str | None = None) -> Answer:
    """The raw answer to the request EventsApiV2Client.trigger sends (its own post())."""
    key = routing_key or fakes.events.routing_key
    return answer(fakes.events_client(key).post("/v2/enqueue",
                                                json={**event(), "routing_key": key}))


@dataclass
class Case:
    name: str
    kind: str
    recorded: dict[str, Any]
    ask: Callable[[Fakes], Answer]
    allowed: dict[str, str] = field(default_factory=dict)
    skip: dict[str, str] = field(default_factory=dict)
    #: the part of the recording and of the answer compared (default: the whole body)
    pick: Callable[[Any], Any] = lambda body: body
    recorded_pick: Callable[[dict[str, Any]], Any] | None = None
    values: Callable[[Answer], list[tuple[str, Any, Any]]] | None = None


def compare(case: Case, answered: Answer) -> list[str]:
    recorded = case.recorded
    response = recorded.get("response", {})
    diffs: list[str] = []
    if "status" in response and response["status"] != answered.status:
        diffs.append(f"status {response['status']} -> {answered.status}")
    if "content_type_is_json" in response and response["content_type_is_json"] != \
            answered.is_json:
        diffs.append(f"JSON content type {response['content_type_is_json']} -> "
                     f"{answered.is_json}")
    if "text" in response:
        if response["text"] and answered.is_json:  # an empty body's type was not recorded
            diffs.append("a JSON answer where PagerDuty answered plain text")
        if answered.text != response["text"]:
            diffs.append(f"body {response['text']!r} -> {answered.text[:80]!r}")
    want = case.recorded_pick(recorded) if case.recorded_pick else response.get("body")
    if want is not None:
        got = case.pick(answered.json()) if answered.is_json else None
        diffs += shape_diff(want, got, frozenset(case.skip))
    for name, value in response.get("headers", {}).items():
        if name not in answered.headers:
            diffs.append(f"-header {name}")
        elif name == "ratelimit-reset" and answered.headers[name] != value:
            diffs.append(f"header {name} {value} -> {answered.headers[name]}")
    if case.values is not None:
        diffs += [f"value {what}: {want!r} -> {got!r}" for what, want, got in
                  case.values(answered) if want != got]
    return diffs


# -- the Events API v2 ------------------------------------------------------------------------

def ask_accepted(fakes: Fakes) -> Answer:
    assert fakes.events_client().trigger("SSOe is down", "incident-response",
                                         dedup_key=KEY) == KEY
    return enqueue(fakes)


def ask_short_key(fakes: Fakes) -> Answer:
    with pytest.raises(HttpError) as refused:  # as the adapter sees it
        fakes.events_client("0123456789abcdefghij").trigger("x", "y", dedup_key=KEY)
    assert refused.value.response is not None
    assert refused.value.response.status_code == 400
    return enqueue(fakes, "0123456789abcdefghij")


def ask_unknown_key(fakes: Fakes) -> Answer:
    unknown = "0123456789abcdef0123456789abcdef"
    with pytest.raises(HttpError) as refused:
        fakes.events_client(unknown).trigger("x", "y", dedup_key=KEY)
    assert refused.value.response is not None
    assert refused.value.response.status_code == 400
    return enqueue(fakes, unknown)


def ask_events_rate_limited(fakes: Fakes) -> Answer:
    fakes.events.rate_limit()
    return enqueue(fakes)


# -- the REST API v2 --------------------------------------------------------------------------

def ask_bad_token(fakes: Fakes) -> Answer:
    fakes.rest.trigger(KEY)
    with pytest.raises(HttpError) as refused:  # the client raises on 401 by itself
        fakes.rest_client("not-a-key").get("/incidents", params={"incident_key": KEY},
                                           headers={"Content-Type": "application/json"})
    assert refused.value.response is not None
    return answer(refused.value.response)


def ask_not_found(fakes: Fakes) -> Answer:
    return answer(fakes.rest_client().get("/incidents/PNOWHERE",
                                          headers={"Content-Type": "application/json"}))


def ask_rest_rate_limited(fakes: Fakes) -> Answer:
    fakes.rest.rate_limit("listIncidents", reset=20)
    return answer(fakes.rest_client().get("/incidents", params={"incident_key": KEY},
                                          headers={"Content-Type": "application/json"}))


def _acknowledged(fakes: Fakes) -> str:
    incident = fakes.rest.trigger(KEY, at="2017-09-26T15:14:36Z", title="My new incident")
    fakes.rest.acknowledge(KEY, "Laura Haley", at="2017-09-26T15:15:17Z")
    return str(incident["id"])


def ask_incident(fakes: Fakes) -> Answer:
    return answer(fakes.rest_client().get(f"/incidents/{_acknowledged(fakes)}",
                                          headers={"Content-Type": "application/json"}))


def ask_log_entries(fakes: Fakes) -> Answer:
    incident = _acknowledged(fakes)
    fakes.rest.resolve(KEY, at="2017-09-26T15:18:09Z", name="Laura Haley")
    return answer(fakes.rest_client().get(f"/incidents/{incident}/log_entries",
                                          params={"is_overview": "true", "limit": 100},
                                          headers={"Content-Type": "application/json"}))


def _entry(kind: str) -> Callable[[Any], Any]:
    def pick(body: Any) -> Any:
        entries = (body or {}).get("log_entries") or []
        return next((e for e in entries if e.get("type") == kind), None)
    return pick


WEBHOOK = "webhook-v2.incident-and-log-entries.json"
#: PagerDuty's V2 webhook embeds the full service object; the REST API answers a
#: service_reference in an incident (api-schema's Incident example, the fake's description).
SERVICE = {"service": "a V2 webhook embeds the whole service; REST answers a service_reference"}

CASES = [
    Case("enqueue accepted, 202 (pdpyras#94 + docs)", "live answer quoted + docs example",
         load("enqueue.202.json"), ask_accepted,
         values=lambda ans: [("dedup_key", KEY, (ans.json() or {}).get("dedup_key"))]),
    Case("enqueue, 20-character routing key (envato/pagerduty#70)", "live answer quoted",
         load("enqueue.400.routing-key-length.json"), ask_short_key,
         values=lambda ans: [("errors", load("enqueue.400.routing-key-length.json")["response"]
                              ["body"]["errors"], (ans.json() or {}).get("errors")
                              if ans.is_json else None)]),
    Case("enqueue, unknown 32-character routing key (robusta#571, pagerduty-client#32)",
         "live answers quoted", load("enqueue.400.invalid-routing-key.json"), ask_unknown_key),
    Case("enqueue rate limited, 429 (developer-docs)", "docs only", load("enqueue.429.json"),
         ask_events_rate_limited),
    Case("REST 401 for a bad token (go-pagerduty#469, #553)", "live answers described",
         load("rest.401.json"), ask_bad_token),
    Case("REST 404 (go-pagerduty#553)", "live answer reported", load("rest.404.json"),
         ask_not_found),
    Case("REST 429 with ratelimit-* headers (developer-docs)", "docs example",
         load("rest.429.json"), ask_rest_rate_limited),
    Case("REST incident (V2 webhook, webdemo)", "live recording", load(WEBHOOK), ask_incident,
         recorded_pick=lambda rec: rec["incident"], pick=lambda body: (body or {}).get(
             "incident"), skip=SERVICE,
         allowed={
             "-alerts": "a V2 webhook's own addition (alert keys); no REST incident has it",
             "+updated_at": "added after 2017 (api-schema's Incident.updated_at)",
             "~incident_key: null -> string": "the recorded incident was opened in the web UI; "
                                              "one opened by an Events API event carries its "
                                              "dedup_key (api-schema Incident.incident_key)"}),
    Case("REST acknowledge_log_entry (V2 webhook, webdemo)", "live recording", load(WEBHOOK),
         ask_log_entries, recorded_pick=lambda rec: rec["acknowledge_log_entry"],
         pick=_entry("acknowledge_log_entry")),
    Case("REST resolve_log_entry (V2 webhook, webdemo)", "live recording", load(WEBHOOK),
         ask_log_entries, recorded_pick=lambda rec: rec["resolve_log_entry"],
         pick=_entry("resolve_log_entry")),
]


@pytest.fixture
def fakes(server_tls: ssl.SSLContext,
          certificate_authority: tuple[trustme.CA, Path]) -> Iterator[Fakes]:
    both = Fakes(FakePagerDuty(server_tls), FakePagerDutyRest(server_tls),
                 certificate_authority[1])
    yield both
    for client in both.made:
        client.close()
    both.events.stop()
    both.rest.stop()


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_the_fakes_answer_as_recorded(case: Case, fakes: Fakes) -> None:
    try:
        answered = case.ask(fakes)
    except Exception as error:  # a fake that cannot be asked is a difference too
        report("PagerDuty", case.name, case.kind, [f"cannot ask the fake: {error!r}"], {})
        raise
    diffs = compare(case, answered)
    report("PagerDuty", case.name, case.kind, diffs, case.allowed)
    assert sorted(diffs) == sorted(case.allowed)
    assert fakes.events.violations == []
    assert fakes.rest.violations == []


def test_the_rest_client_sends_what_the_description_asks(fakes: Fakes) -> None:
    """The replay goes through the same headers the adapter sends (Accept, token)."""
    ask_incident(fakes)
    sent = fakes.rest.calls("getIncident")[0]
    assert sent.headers["accept"] == ACCEPT
    assert sent.headers["authorization"] == f"Token token={fakes.rest.token}"


# -- the product's pager against the recorded refusals --------------------------------------

def _pager(fakes: Fakes, routing_key: str) -> PagerDutyPager:
    return fakes.keep(PagerDutyPager(routing_key, fakes.events.url,
                                     Transport(attempts=2, timeout_seconds=2,
                                               backoff_seconds=0.01,
                                               ca_file=str(fakes.ca_file))))


def _page() -> TriggerPage:
    return TriggerPage(key="page:trigger", dedup_key=KEY, summary="SSOe is down",
                       source="incident-response", priority=Priority.P1,
                       severity=Severity.SEV_1)


@pytest.mark.parametrize("routing_key", ["0123456789abcdefghij",
                                         "0123456789abcdef0123456789abcdef"])
def test_a_refused_routing_key_is_a_permanent_failure_that_says_what_to_fix(
        fakes: Fakes, routing_key: str) -> None:
    """Both recorded refusals, JSON or plain text, reach the responder as the same advice:
    a refused credential, named, that every run tries again (fixing the secret is enough)."""
    with pytest.raises(PermanentServiceError, match="PagerDuty refused PAGERDUTY_ROUTING_KEY: "
                       "it must be the 32-character Integration Key") as caught:
        _pager(fakes, routing_key).trigger(_page())
    assert caught.value.reason is Refusal.CREDENTIALS
    assert caught.value.credential == "PAGERDUTY_ROUTING_KEY"
    assert routing_key not in str(caught.value)  # the secret itself is never told
    assert len(fakes.events.requests) == 1  # not retried


def test_an_event_pagerduty_refuses_is_invalid_not_the_routing_key(fakes: Fakes) -> None:
    """A 400 about the event itself (the fake's over-long dedup key, Events API v2's limit
    of 255) is no credential: it is not blamed on PAGERDUTY_ROUTING_KEY."""
    page = _page()
    long_key = TriggerPage(key=page.key, dedup_key="k" * 256, summary=page.summary,
                           source=page.source, priority=page.priority, severity=page.severity)
    with pytest.raises(PermanentServiceError) as caught:
        _pager(fakes, fakes.events.routing_key).trigger(long_key)
    assert caught.value.reason is Refusal.INVALID
    assert "'dedup_key' is too long" in str(caught.value)
    assert "PAGERDUTY_ROUTING_KEY" not in str(caught.value)


def test_a_rate_limited_page_is_retried(fakes: Fakes) -> None:
    fakes.events.rate_limit()
    assert _pager(fakes, fakes.events.routing_key).trigger(_page()) == KEY
    assert len(fakes.events.requests) == 2
    fakes.events.rate_limit(times=5)
    with pytest.raises(TransientServiceError, match="HTTP 429"):
        _pager(fakes, fakes.events.routing_key).trigger(_page())
