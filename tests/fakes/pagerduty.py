"""The PagerDuty Events API v2 fake."""

from __future__ import annotations

import ssl
import uuid
from typing import Any

from tests.fakes.common import FIXTURES
from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Recorded, Reply


class FakePagerDuty(FakeService):
    name = "PagerDuty"

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(ApiDescription.shared(
            FIXTURES / "pagerduty" / "events-v2-openapiv3.json", base_path="/v2"), tls)
        self.routing_key = "R0UTINGKEY0000000000000000000000"
        #: dedup_key -> the open alert, as PagerDuty keeps one alert per key
        self.alerts: dict[str, dict[str, Any]] = {}
        self.route("POST", "createV2Event", self._enqueue)

    def _enqueue(self, request: Recorded, values: dict[str, str]) -> Reply:
        event = request.json()
        if event.get("routing_key") != self.routing_key:
            return Reply(400, {"status": "invalid event", "message": "Event object is invalid",
                               "errors": ["Invalid routing key"]})
        key = event.get("dedup_key") or str(uuid.uuid4())
        # Documented limits (Events API v2: summary 1,024 characters, dedup_key 255): PagerDuty
        # refuses the event as invalid.
        summary = (event.get("payload") or {}).get("summary") or ""
        if len(summary) > 1024 or len(key) > 255:
            return Reply(400, {"status": "invalid event", "message": "Event object is invalid",
                               "errors": ["'payload.summary' is too long"
                                          if len(summary) > 1024 else "'dedup_key' is too long"]})
        if event["event_action"] == "trigger":
            self.alerts.setdefault(key, {"status": "triggered", "event": event})
        elif key in self.alerts:
            self.alerts[key]["status"] = event["event_action"] + "d"
        return Reply(202, {"status": "success", "message": "Event processed", "dedup_key": key})
