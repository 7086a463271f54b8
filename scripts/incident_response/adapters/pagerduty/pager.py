"""PagerDuty Events API v2 through the `pagerduty` client: the `Pager` port.

Every event carries `dedup_key` = `OWNER/REPO#NUMBER`, so repeating a trigger (a retry, a
re-run) updates the same alert instead of paging twice; retrying is therefore always safe here.
The Action's first step sends the same trigger without the client (events.py), before it is
installed; the full run then records that page and does not send it again.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from pagerduty import EventsApiV2Client
from pagerduty.errors import Error as PagerDutyError
from pagerduty.errors import HttpError

from incident_response.adapters.pagerduty.config import PagerDutyConfig
from incident_response.adapters.pagerduty.events import SUMMARY_LIMIT
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    TransientServiceError,
    one_line,
)
from incident_response.core.texts.markdown_text import code_points, shorten, strip_markers

__all__ = ["PagerDutyPager"]

_SERVICE = "PagerDuty"
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


def _said(error: HttpError) -> str:
    """What PagerDuty said: the JSON body's errors (or message), else its plain text."""
    response = error.response
    if response is None:
        return ""
    try:
        body = response.json()
    except ValueError:
        return one_line(str(getattr(response, "text", "") or ""))[:200]
    if not isinstance(body, dict):
        return ""
    errors = body.get("errors")
    said = "; ".join(str(e) for e in errors[:3]) if isinstance(errors, list) and errors else ""
    return one_line(said or str(body.get("message") or ""))[:200]
T = TypeVar("T")


class PagerDutyPager:
    def __init__(self, routing_key: str, events_url: str, transport: Transport,
                 config: PagerDutyConfig | None = None) -> None:
        #: PagerDuty's severity for each priority
        self._severity = (config or PagerDutyConfig()).severity
        self._client = EventsApiV2Client(
            routing_key, base_url=events_url.rstrip("/"), verify=transport.ssl_context()
        )
        self._client.timeout = int(max(transport.timeout_seconds, 1))
        retries = max(transport.attempts - 1, 1)
        # The client retries 429 forever by default; bound it like everything else.
        self._client.retry = {429: retries, 500: retries, 502: retries, 503: retries,
                              504: retries}
        self._client.max_http_attempts = retries
        self._client.max_network_attempts = retries
        # The client doubles this before its first pause.
        self._client.sleep_timer = transport.backoff_seconds / 2

    def close(self) -> None:
        self._client.close()

    def resolve(self, dedup_key: str) -> None:
        self._send("resolving the page", lambda: self._client.resolve(dedup_key))

    def trigger(self, effect: TriggerPage) -> str:
        return self._send("triggering the page", lambda: self._client.trigger(
                shorten(strip_markers(effect.summary), SUMMARY_LIMIT, measure=code_points),
                effect.source,
                dedup_key=effect.dedup_key,
                severity=self._severity[effect.priority],
                custom_details=dict(effect.custom_details),
                links=[{"href": href, "text": text} for text, href in effect.links],
            ))

    @staticmethod
    def _send(action: str, send: Callable[[], T]) -> T:
        try:
            return send()
        except HttpError as error:
            status = error.response.status_code if error.response is not None else None
            text = f"{action} failed with HTTP {status}"
            if status is None or status == 429 or status >= 500:
                raise TransientServiceError(_SERVICE, text, status=status) from error
            said = _said(error)
            if status == 400 and _ROUTING_KEY in said.lower().replace(" ", "_"):
                raise PermanentServiceError(
                    _SERVICE, f"{text}: {said}", status=status, reason=Refusal.CREDENTIALS,
                    fix=_ROUTING_KEY_FIX, credential=_CREDENTIAL) from error
            raise PermanentServiceError(_SERVICE, f"{text}: {said}" if said else text,
                                        status=status) from error
        except PagerDutyError as error:
            msg = f"{action} failed: {type(error).__name__} (no answer from PagerDuty)"
            raise TransientServiceError(_SERVICE, msg) from error
