"""The page's trigger over the standard library: PagerDuty's Events API v2, one event.

The Action's first step pages before the `pagerduty` client is even installed. It sends the
very event that client sends for `EventsApiV2Client.trigger(summary, source, dedup_key=...,
severity=..., custom_details=..., links=...)` (pagerduty 7.2, events_api_v2_client.py:
`{"event_action": "trigger", "payload": {"summary", "source", "severity", "custom_details"},
"links": [...], "dedup_key": ..., "routing_key": ...}`, the links only when there are some,
POSTed as JSON to `{base}/v2/enqueue`), which a test checks by sending both to the PagerDuty
fake. PagerDuty answers 202 with the dedup key (developer docs, "Send an Alert Event"; the
recordings under tests/fixtures/pagerduty/recorded/).

One attempt only: a page this step fails to send is sent by the full run moments later, with
its client's retries. A lost answer is safe for the same reason the retries are: PagerDuty
keeps one alert per `dedup_key`.
"""

from __future__ import annotations

import json
import ssl
from typing import TYPE_CHECKING, Any

from incident_response.adapters.https import Connection
from incident_response.core.errors import PermanentServiceError, TransientServiceError

if TYPE_CHECKING:
    from incident_response.core.decision.page_effect import TriggerPage

__all__ = ["SUMMARY_LIMIT", "events_connection", "send_event", "trigger_event"]

_SERVICE = "PagerDuty"
#: the Events API's limit on an event's summary, in characters: code points, as JSON Schema
#: counts a string's `maxLength` (PagerDuty's own schemas say 1024, e.g. an incident's title in
#: tests/fixtures; the fake refuses a longer summary by `len`), never cut inside a grapheme
SUMMARY_LIMIT = 1024


def trigger_event(page: TriggerPage, routing_key: str, severity: str) -> dict[str, Any]:
    """The event the `pagerduty` client builds for this page (pager.py sends it that way)."""
    # Imported here: the connection is opened before the page is decided, and this module
    # with it (shell/page_step.py).
    from incident_response.core.texts.markdown_text import code_points, shorten
    from incident_response.core.texts.markers import strip_markers

    summary = shorten(strip_markers(page.summary), SUMMARY_LIMIT, measure=code_points)
    event: dict[str, Any] = {
        "event_action": "trigger",
        "payload": {"summary": summary, "source": page.source,
                    "severity": severity, "custom_details": dict(page.custom_details)},
    }
    links = [{"href": href, "text": text} for text, href in page.links]
    if links:
        event["links"] = links
    event["dedup_key"] = page.dedup_key
    event["routing_key"] = routing_key
    return event


def events_connection(events_url: str, *, context: ssl.SSLContext,
                      timeout: float) -> Connection:
    """A connection for one event, which may be opened before the event is known."""
    try:
        return Connection(events_url.rstrip("/") + "/v2/enqueue", context=context,
                          timeout=timeout)
    except OSError as error:  # the client refuses such a URL too (pagerduty.UrlError)
        msg = "PAGERDUTY_EVENTS_URL is not an https URL"
        raise PermanentServiceError(_SERVICE, msg) from error


def send_event(event: dict[str, Any], connection: Connection) -> str:
    """Send one event on its connection; its dedup key once PagerDuty has taken it. Errors
    never carry the routing key (it is in the body, never in a message)."""
    try:
        answer = connection.send("POST", headers={"Content-Type": "application/json",
                                                  "User-Agent": "incident-response"},
                                 body=json.dumps(event).encode())
    except OSError as error:
        msg = f"triggering the page failed: {type(error).__name__} (no answer from PagerDuty)"
        raise TransientServiceError(_SERVICE, msg) from error
    if not 200 <= answer.status < 300:
        text = f"triggering the page failed with HTTP {answer.status}"
        if answer.status == 429 or answer.status >= 500:
            raise TransientServiceError(_SERVICE, text, status=answer.status)
        if answer.status == 400:
            text += " (the event was rejected: check PAGERDUTY_ROUTING_KEY)"
        raise PermanentServiceError(_SERVICE, text, status=answer.status)
    try:
        dedup_key = json.loads(answer.body)["dedup_key"]
    except (ValueError, KeyError, TypeError) as error:
        msg = "triggering the page: PagerDuty's answer has no dedup_key"
        raise TransientServiceError(_SERVICE, msg) from error
    return str(dedup_key)
