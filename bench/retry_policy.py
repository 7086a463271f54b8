"""How often a run tries a failed effect again over a day, before and after errors were sorted.

A declared P1's Datadog declaration fails for good, one kind of refusal at a time, and a run
comes every 10 minutes (the sweep's schedule) for 24 hours. Each run's plan is made by the
pure core (`decide`), and a planned attempt fails again with the same refusal. BEFORE, a
refusal was recorded like any failure (no `refusal`: retried by every run until ten attempts,
then silently given up, whatever the cause); AFTER, it carries its reason
(core/decision/retry.py). Printed per kind: attempts in the day (each a request to the service
and a failed workflow run, exit 1), and whether, the cause fixed after the day, a run within
the next hour tries again by itself (without a `/retry`).

Run: python bench/retry_policy.py
"""

from __future__ import annotations

from datetime import timedelta

from loopback import ROOT  # noqa: F401 (puts the project on the path)
from tests.support import FORM, ISSUE, POLICY, T0, declared

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import DeclareIncident
from incident_response.core.decision.retry import fingerprint
from incident_response.core.errors import Refusal

RUNS = 24 * 6  # a sweep every 10 minutes for a day
KINDS = [("transient (HTTP 503)", None), ("refused credential", Refusal.CREDENTIALS),
         ("missing permission", Refusal.PERMISSION), ("gone (HTTP 404)", Refusal.GONE),
         ("invalid (HTTP 422)", Refusal.INVALID)]


def day(refusal: Refusal | None, *, sorted_errors: bool) -> tuple[int, bool]:
    state = declared()
    state.done.remove("datadog:declare")
    state.mirror_id = None
    attempts = 0
    for run in range(RUNS):
        now = T0 + timedelta(minutes=10 * (run + 1))
        plan = decide(ISSUE, state, POLICY, FORM, now, sweep=True)
        state = plan.state
        for effect in plan.effects:
            if isinstance(effect, DeclareIncident):
                attempts += 1
                state.mark_failed(effect.key, "Datadog: refused", now,
                                  refusal=refusal if sorted_errors else None,
                                  fix="fix it" if sorted_errors and refusal else "",
                                  sent=fingerprint(effect))
            else:
                state.mark_done(effect.key, now)
    # The cause is fixed now: does a run within the next hour try again by itself?
    retried = False
    for minutes in range(10, 61, 10):
        after = decide(ISSUE, state, POLICY, FORM, T0 + timedelta(minutes=10 * RUNS + minutes))
        retried = retried or any(isinstance(e, DeclareIncident) for e in after.effects)
    return attempts, retried


def main() -> None:
    print(f"A day of runs every 10 minutes ({RUNS} runs), the declaration refused each time")
    print(f"{'':22} {'BEFORE':>27} {'AFTER':>27}")
    print(f"{'kind':22} {'attempts':>9} {'tried after fix':>17} {'attempts':>9} "
          f"{'tried after fix':>17}")
    for name, refusal in KINDS:
        cells = [f"{a:>9} {'yes' if r else 'no':>17}"
                 for a, r in (day(refusal, sorted_errors=False),
                              day(refusal, sorted_errors=True))]
        print(f"{name:22} {cells[0]} {cells[1]}")
    print("\n(gone and invalid: fixing what was sent, e.g. the config, is enough; otherwise "
          "`/retry`, which the status comment names. A deleted Datadog incident is no failure "
          "of its own: it is declared again once, see tests/e2e/test_refusals.py.)")


if __name__ == "__main__":
    main()
