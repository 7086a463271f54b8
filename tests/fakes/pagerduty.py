"""The PagerDuty Events API v2 fake.

Answers as PagerDuty answered in the recordings under tests/fixtures/pagerduty/recorded/
(checked by tests/adapters/test_pagerduty_recordings.py): 202 with the dedup key, 400 for a
routing key of the wrong length (JSON) or one PagerDuty does not know (plain text), 429 when
rate limited.
"""

from __future__ import annotations

import ssl
import uuid
from typing import Any

from tests.fakes.common import FIXTURES
from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Fault, Recorded, Reply

INVALID = {"status": "invalid event", "message": "Event object is invalid"}


class FakePagerDuty(FakeService):
    name = "PagerDuty"

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(ApiDescription.shared(
            FIXTURES / "pagerduty" / "events-v2-openapiv3.json", base_path="/v2"), tls)
        self.routing_key = "R0UTINGKEY0000000000000000000000"
        #: dedup_key -> the open alert, as PagerDuty keeps one alert per key
        self.alerts: dict[str, dict[str, Any]] = {}
        self.route("POST", "createV2Event", self._enqueue)

    def rate_limit(self, times: int = 1) -> None:
        """The next `times` events are refused as over the rate limit: HTTP 429 and nothing
        else (developer-docs docs/events-API-v2/05-Rate-Limits.md: "429 - Request Limit
        Exceeded"; the legacy page's 429 sample has an empty body; no Retry-After is
        documented, and no recorded 429 was found)."""
        self.inject("createV2Event", *[Fault(status=429) for _ in range(times)])

    def _enqueue(self, request: Recorded, values: dict[str, str]) -> Reply:
        event = request.json()
        key = event.get("routing_key")
        if not isinstance(key, str) or len(key) != 32:
            # Recorded: envato/pagerduty#70 (a 20-character REST key sent as routing_key);
            # the same body is in alertmanager's and other clients' tests.
            return Reply(400, {**INVALID, "errors": [
                "Length of 'routing_key' is incorrect (should be 32 characters)"]})
        if key != self.routing_key:
            # A well-formed key of no Events API v2 integration: 400 and a plain-text body,
            # not JSON (robusta-dev/robusta#571 logged "400, Bad Request, Invalid routing key";
            # dikhan/pagerduty-client#32: "PagerDuty sends [a] string", mocked as
            # "Invalid routing key"). Its Content-Type was not recorded; text/plain is assumed.
            return Reply(400, b"Invalid routing key",
                         {"Content-Type": "text/plain; charset=utf-8"})
        dedup = event.get("dedup_key") or str(uuid.uuid4())
        # Documented limits (Events API v2: summary 1,024 characters, dedup_key 255): PagerDuty
        # refuses the event as invalid. The wording of these two messages is the fake's own:
        # no recorded answer to an over-long field was found.
        summary = (event.get("payload") or {}).get("summary") or ""
        if len(summary) > 1024 or len(dedup) > 255:
            return Reply(400, {**INVALID, "errors": ["'payload.summary' is too long"
                                                     if len(summary) > 1024
                                                     else "'dedup_key' is too long"]})
        if event["event_action"] == "trigger":
            self.alerts.setdefault(dedup, {"status": "triggered", "event": event})
        elif dedup in self.alerts:
            self.alerts[dedup]["status"] = event["event_action"] + "d"
        # pdpyras#94 (a live 202: "Event processed", "success") and the docs' example.
        return Reply(202, {"status": "success", "message": "Event processed", "dedup_key": dedup})
