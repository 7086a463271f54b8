"""PagerDuty REST API v2 through the `pagerduty` client: the `Acknowledgements` port.

A page is sent with `dedup_key` = `OWNER/REPO#NUMBER`; PagerDuty files the alert under an
incident whose `incident_key` is that key. Two reads find its first acknowledgement:

1. `GET /incidents?incident_key=KEY&date_range=all&sort_by=created_at:asc` — `date_range=all`
   because the default window is the last month (and `since`/`until` may span at most six),
   which would hide the page of an incident reported on last month; the earliest incident
   created since the page (less a few minutes of clock skew) is the page's.
2. `GET /incidents/{id}/log_entries?is_overview=true&limit=100` — the earliest
   `acknowledge_log_entry`: who is its `agent.summary` (a user's name), when its `created_at`.

So at most two requests per incident, each retried (up to `Transport.attempts`) only when
transient: 5xx, 429 (after `Retry-After`, or PagerDuty's `ratelimit-reset`, if that is at most
`MAX_WAIT_SECONDS`; a longer wait is left to the next run) and lost answers. A read-only REST
API key suffices.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from pagerduty import RestApiV2Client
from pagerduty.errors import Error as PagerDutyError
from pagerduty.errors import HttpError

from incident_response.adapters.ports import Acknowledgement
from incident_response.adapters.transport import Transport
from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    ServiceError,
    TransientServiceError,
)

__all__ = ["MAX_WAIT_SECONDS", "PagerDutyAcknowledgements"]

_SERVICE = "PagerDuty"
#: the longest rate-limit pause this adapter waits out; beyond it the next run tries again
MAX_WAIT_SECONDS = 30.0
#: how much earlier than the page (by our clock) PagerDuty may have stamped its incident
CLOCK_SKEW = timedelta(minutes=5)
_HINT = ("check the secret: a read-only REST API key (Integrations, API Access Keys) "
         "suffices")
_CREDENTIAL = "PAGERDUTY_API_TOKEN"
#: the description marks Content-Type as required on every operation, GET included
_HEADERS = {"Content-Type": "application/json"}


class PagerDutyAcknowledgements:
    def __init__(self, token: str, api_url: str, transport: Transport, *,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._client = RestApiV2Client(token, base_url=api_url.rstrip("/"),
                                       verify=transport.ssl_context())
        self._client.timeout = int(max(transport.timeout_seconds, 1))
        # The client's own loop retries 429 without limit, ignoring Retry-After, and other
        # failures after its own pauses. Here it makes one attempt and hands every answer (and
        # every lost one, as an Error) back; `_get` retries, honouring Retry-After.
        self._client.max_network_attempts = 0
        self._client.retry = {429: 1}
        self._client.max_http_attempts = -1
        self._attempts = max(transport.attempts, 1)
        #: the refusal of PAGERDUTY_API_TOKEN met in this run, if any (the run then exits 1)
        self.refused: PermanentServiceError | None = None
        self._backoff = transport.backoff_seconds
        self._sleep = sleep

    def close(self) -> None:
        self._client.close()

    def acknowledgement(self, dedup_key: str, since: datetime) -> Acknowledgement | None:
        """The first acknowledgement of the page with this dedup key, sent at `since`; None
        when PagerDuty has no incident for it (yet) or nobody has acknowledged it. A refused
        key is raised, and kept in `refused` for the run's exit status."""
        try:
            return self._acknowledgement(dedup_key, since)
        except PermanentServiceError as error:
            if error.reason in (Refusal.CREDENTIALS, Refusal.PERMISSION):
                self.refused = error
            raise

    def _acknowledgement(self, dedup_key: str, since: datetime) -> Acknowledgement | None:
        found = self._get("finding the incident of the page", "/incidents", {
            "incident_key": dedup_key,
            "date_range": "all",
            "sort_by": "created_at:asc",
            "limit": 25,
        })
        cutoff = since - CLOCK_SKEW
        pages = sorted(((at, incident) for incident in _list(found, "incidents")
                        if (at := _time(incident.get("created_at"))) is not None
                        and at >= cutoff and isinstance(incident.get("id"), str)),
                       key=lambda pair: pair[0])
        if not pages:
            return None
        page = pages[0][1]
        entries = self._get("reading the incident's log entries",
                            f"/incidents/{page['id']}/log_entries",
                            {"is_overview": "true", "limit": 100})
        acknowledged = sorted(
            ((at, entry) for entry in _list(entries, "log_entries")
             if entry.get("type") == "acknowledge_log_entry"
             and (at := _time(entry.get("created_at"))) is not None),
            key=lambda pair: pair[0])
        if not acknowledged:
            return None
        at, entry = acknowledged[0]
        agent = entry.get("agent")
        if not isinstance(agent, dict):
            agent = {}
        who = str(agent.get("summary") or agent.get("email") or agent.get("id") or "someone")
        url = page.get("html_url") or page.get("self") or ""
        return Acknowledgement(who=who, at=at, incident_url=str(url))

    def _get(self, action: str, path: str, params: Mapping[str, Any]) -> dict[str, Any]:
        failure: ServiceError = TransientServiceError(_SERVICE, f"{action} failed")
        for attempt in range(1, self._attempts + 1):
            wait = self._backoff * 2 ** (attempt - 1)
            try:
                response = self._client.get(path, params=dict(params), headers=_HEADERS)
            except HttpError as error:  # the client raises this itself for a 401
                status = error.response.status_code if error.response is not None else None
                raise _refused(action, status) from error
            except PagerDutyError as error:
                failure = TransientServiceError(
                    _SERVICE, f"{action} failed: {type(error).__name__} (no answer from "
                    "PagerDuty)")
            else:
                status = response.status_code
                if 200 <= status < 300:
                    try:
                        body = response.json()
                    except ValueError:
                        body = None
                    if isinstance(body, dict):
                        return body
                    msg = f"{action} failed: HTTP {status} with an answer that is not JSON"
                    raise TransientServiceError(_SERVICE, msg, status=status)
                if status in (401, 403):
                    raise _refused(action, status)
                if status != 429 and status < 500:
                    detail = _detail(response)
                    text = f"{action} failed with HTTP {status}" + (f": {detail}" if detail
                                                                     else "")
                    raise PermanentServiceError(_SERVICE, text, status=status)
                failure = TransientServiceError(
                    _SERVICE, f"{action} failed with HTTP {status}"
                    + (" (rate limited)" if status == 429 else ""), status=status)
                asked = _retry_after(response.headers)
                if asked is not None:
                    if asked > MAX_WAIT_SECONDS:
                        msg = (f"{action} failed with HTTP {status}: PagerDuty asks to wait "
                               f"{asked:g} s, longer than {MAX_WAIT_SECONDS:g} s; the next "
                               "run tries again")
                        raise TransientServiceError(_SERVICE, msg, status=status)
                    wait = asked
            if attempt < self._attempts:
                self._sleep(wait)
        raise failure


def _refused(action: str, status: int | None) -> PermanentServiceError:
    """A 401 (an unknown key: recorded/rest.401.json, PagerDuty/go-pagerduty#469 and #553) or
    a 403 (a key that may not read incidents: the docs' error 2010 "Access Denied")."""
    if status == 403:
        return PermanentServiceError(
            _SERVICE, f"{action} failed with HTTP 403: Access Denied", status=status,
            reason=Refusal.PERMISSION, fix=f"PagerDuty: the PAGERDUTY_API_TOKEN key may not "
            f"read this service's incidents; {_HINT}", credential=_CREDENTIAL)
    return PermanentServiceError(
        _SERVICE, f"{action} failed with HTTP {status}", status=status,
        reason=Refusal.CREDENTIALS, fix=f"PagerDuty refused PAGERDUTY_API_TOKEN: {_HINT}",
        credential=_CREDENTIAL)


def _detail(response: Any) -> str:
    try:
        body = response.json()
    except ValueError:
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return ""
    parts = [str(error.get("message") or "")]
    errors = error.get("errors")
    if isinstance(errors, list) and errors:
        parts.append("; ".join(str(e) for e in errors[:3]))
    return " - ".join(p for p in parts if p)[:300]


def _retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait: `Retry-After` (seconds), else PagerDuty's `ratelimit-reset`."""
    for name in ("retry-after", "ratelimit-reset"):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:  # an HTTP date: not worth a clock here; back off as usual
            continue
        if seconds >= 0:
            return seconds
    return None


def _list(body: dict[str, Any], key: str) -> list[dict[str, Any]]:
    items = body.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None
