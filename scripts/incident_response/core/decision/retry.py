"""When a failed effect is tried again, and what the record promises about it.

One rule, read by the plan (`decide`: is it tried by this run?) and by the texts (the status
comment and the job summary: when will it be?), so that what people read is what runs do:

- **transient** (5xx, 429, timeouts, lost answers): every run tries again, until
  `GIVE_UP_AFTER` attempts; then only a `/retry`.
- **a refused credential** (a 401, `invalid_auth`, a routing key the pager does not know):
  every run tries again, so fixing the secret is all it takes. One request per run and per
  service (the rest of the run does not use a service whose credential was refused).
- **a missing permission** (a 403, a missing scope, a repository setting): tried again
  hourly, not every run (which could be every few minutes), or at once after `/retry`.
- **gone** (a 404 about something deleted) and **invalid** (a request the service refuses
  as such): never blindly. Tried again when what would be sent has changed (a channel fixed
  in the config, a title measured anew by an upgrade), or after `/retry`. The declared
  incident deleted in the incident tool is not a failure of its own: it is declared again,
  once (IncidentState.lose_mirror).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from datetime import datetime, timedelta

from incident_response.core.decision.effects import Effect
from incident_response.core.errors import Refusal
from incident_response.core.record.state import EffectFailure

__all__ = ["GIVE_UP_AFTER", "PERMISSION_RETRY", "fingerprint", "is_due", "promise"]

#: failed transient attempts (over all runs) after which an effect waits for a `/retry`
GIVE_UP_AFTER = 10
#: how long a refusal for want of a permission waits before a run tries it again by itself
PERMISSION_RETRY = timedelta(hours=1)


def fingerprint(effect: Effect) -> str:
    """What the effect would send, as a short digest: a refused request that has changed
    since is a new request. Whether an earlier attempt is looked up first is not part of it."""
    text = repr(replace(effect, look_first=False))
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def is_due(failure: EffectFailure, sent: str, now: datetime) -> bool:
    """Whether a run at `now` tries the failed effect again, `sent` being what it would send
    now (`fingerprint`). A `/retry` tries everything once, whatever this says."""
    refusal = failure.refusal
    if refusal is None:
        return failure.attempts < GIVE_UP_AFTER
    if refusal is Refusal.CREDENTIALS:
        return True
    if failure.sent is not None and sent != failure.sent:
        return True
    if refusal is Refusal.PERMISSION:
        return failure.at is None or now - failure.at >= PERMISSION_RETRY
    return False


def promise(failure: EffectFailure) -> str:
    """What the record says about the next attempt: true whatever run comes next."""
    fix = f"{failure.fix.rstrip('. ')}. " if failure.fix else ""
    refusal = failure.refusal
    if refusal is None:
        if failure.attempts < GIVE_UP_AFTER:
            return "It is retried on the next run."
        return (f"Given up after {failure.attempts} attempts: type `/retry` to try it "
                "again.")
    if refusal is Refusal.CREDENTIALS:
        return f"{fix}Every run tries it again, so fixing the secret is enough."
    if refusal is Refusal.PERMISSION:
        after = (f" (next after {failure.at + PERMISSION_RETRY:%Y-%m-%d %H:%M} UTC)"
                 if failure.at is not None else "")
        return (f"{fix}Tried again hourly{after}, or at once after you type `/retry`.")
    return (f"{fix}Not tried again by itself: once it is fixed, type `/retry` (a change to "
            "what is sent, such as a channel in the config, is tried on the next run).")
