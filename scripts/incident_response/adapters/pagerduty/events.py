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
from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    ServiceError,
    TransientServiceError,
    one_line,
)

if TYPE_CHECKING:
    from incident_response.core.decision.page_effect import TriggerPage

__all__ = ["SUMMARY_LIMIT", "events_connection", "events_error", "send_event",
           "summary_of", "trigger_event"]

_SERVICE = "PagerDuty"
#: the Events API's limit on an event's summary, in characters: code points, as JSON Schema
#: counts a string's `maxLength` (PagerDuty's own schemas say 1024, e.g. an incident's title in
#: tests/fixtures; the fake refuses a longer summary by `len`), never cut inside a grapheme
SUMMARY_LIMIT = 1024


#: The Events API answers a routing key it does not know with 400 and the plain text
#: "Invalid routing key" (tests/fixtures/pagerduty/recorded/enqueue.400.invalid-routing-key.json:
#: robusta-dev/robusta#571, dikhan/pagerduty-client#32), and one of the wrong length with 400
#: `{"status": "invalid event", "errors": ["Length of 'routing_key' is incorrect (should be 32
#: characters)"]}` (enqueue.400.routing-key-length.json: envato/pagerduty#70). Both are the
#: secret, not the event; any other 400 is the event itself (the fields' limits).
_ROUTING_KEY = "routing_key"
_CREDENTIAL = "PAGERDUTY_ROUTING_KEY"
_ROUTING_KEY_FIX = ("PagerDuty refused PAGERDUTY_ROUTING_KEY: it must be the 32-character "
                    "Integration Key of an Events API v2 integration of the service "
                    "(PagerDuty: Service, Integrations), not a REST API key")


def _said(body: str) -> str:
    """What PagerDuty said: the JSON body's errors (or message), else its plain text."""
    try:
        data = json.loads(body)
    except ValueError:
        return one_line(body)[:200]
    if not isinstance(data, dict):
        return ""
    errors = data.get("errors")
    said = "; ".join(str(e) for e in errors[:3]) if isinstance(errors, list) and errors else ""
    return one_line(said or str(data.get("message") or ""))[:200]


def events_error(action: str, status: int | None, body: str) -> ServiceError:
    """The program's error for the Events API's answer `status` (None: no answer) to
    `action`, whoever sent it (the client in pager.py, or this module): transient, a refused
    routing key, or the event refused. Never carries the routing key (it is in the request's
    body, never in an answer)."""
    text = f"{action} failed with HTTP {status}"
    if status is None or status == 429 or status >= 500:
        return TransientServiceError(_SERVICE, text, status=status)
    said = _said(body)
    if status == 400 and _ROUTING_KEY in said.lower().replace(" ", "_"):
        return PermanentServiceError(_SERVICE, f"{text}: {said}", status=status,
                                     reason=Refusal.CREDENTIALS, fix=_ROUTING_KEY_FIX,
                                     credential=_CREDENTIAL)
    return PermanentServiceError(_SERVICE, f"{text}: {said}" if said else text, status=status)


def summary_of(page: TriggerPage) -> str:
    """The event's summary: no marker sequence, cut to the limit at a grapheme boundary."""
    # Imported here: the connection is opened before the page is decided, and this module
    # with it (shell/page_step.py).
    from incident_response.core.texts.markdown_text import code_points, shorten
    from incident_response.core.texts.markers import strip_markers

    return shorten(strip_markers(page.summary), SUMMARY_LIMIT, measure=code_points)


def trigger_event(page: TriggerPage, routing_key: str, severity: str) -> dict[str, Any]:
    """The event the `pagerduty` client builds for this page (pager.py sends it that way)."""
    event: dict[str, Any] = {
        "event_action": "trigger",
        "payload": {"summary": summary_of(page), "source": page.source,
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
        raise events_error("triggering the page", answer.status,
                           answer.body.decode("utf-8", "replace"))
    try:
        dedup_key = json.loads(answer.body)["dedup_key"]
    except (ValueError, KeyError, TypeError) as error:
        msg = "triggering the page: PagerDuty's answer has no dedup_key"
        raise TransientServiceError(_SERVICE, msg) from error
    return str(dedup_key)
