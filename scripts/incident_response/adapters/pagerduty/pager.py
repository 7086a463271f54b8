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
from incident_response.adapters.pagerduty.events import events_error, summary_of
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import TriggerPage
from incident_response.core.errors import TransientServiceError

__all__ = ["PagerDutyPager"]

_SERVICE = "PagerDuty"

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
                summary_of(effect),
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
            response = error.response
            raise events_error(action, response.status_code if response is not None else None,
                               str(getattr(response, "text", "") or "")) from error
        except PagerDutyError as error:
            msg = f"{action} failed: {type(error).__name__} (no answer from PagerDuty)"
            raise TransientServiceError(_SERVICE, msg) from error
