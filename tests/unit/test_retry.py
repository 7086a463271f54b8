"""When a failed effect is tried again, and that what the record says about it stays true.

The plan (decide) and the texts (status comment, job summary) read one rule
(core/decision/retry.py): every case is checked on both sides here.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import DeclareIncident, UpdateIncident
from incident_response.core.decision.retry import GIVE_UP_AFTER, fingerprint, is_due, promise
from incident_response.core.decision.status import failure_lines, outside_lines
from incident_response.core.errors import Refusal
from incident_response.core.record.block import parse_state, render_state
from incident_response.core.record.keys import Vendors
from incident_response.core.record.merge import merge_states
from incident_response.core.record.state import EffectFailure, IncidentState
from tests.support import FORM, ISSUE, POLICY, T0, declared, with_comment

NAMES = Vendors(pager="PagerDuty", mirror="Datadog", chat="Slack",
                mirror_reference="IR-{number}")
LATER = T0 + timedelta(minutes=10)


def failed_declaration(refusal: Refusal | None, *, attempts: int = 1,
                       sent: str | None = None) -> IncidentState:
    """A P1 whose Datadog declaration failed `attempts` times (the rest went out)."""
    state = declared()
    state.done.remove("datadog:declare")
    state.mirror_id = None
    plan = decide(ISSUE, state, POLICY, FORM, T0)
    [wanted] = [e for e in plan.effects if isinstance(e, DeclareIncident)]
    for _ in range(attempts):
        state.mark_failed("datadog:declare", "Datadog: Declaring failed with HTTP 4xx", T0,
                          refusal=refusal, fix="check the thing" if refusal else "",
                          sent=fingerprint(wanted) if sent is None else sent)
    return state


def declares(state: IncidentState, minutes: float = 10, issue=ISSUE) -> bool:
    plan = decide(issue, state, POLICY, FORM, T0 + timedelta(minutes=minutes))
    return any(isinstance(e, DeclareIncident) for e in plan.effects)


# -- the rule, case by case ---------------------------------------------------------------------

def test_a_transient_failure_is_retried_by_every_run_until_it_is_given_up() -> None:
    assert declares(failed_declaration(None, attempts=GIVE_UP_AFTER - 1))
    given_up = failed_declaration(None, attempts=GIVE_UP_AFTER)
    assert not declares(given_up)
    plan = decide(ISSUE, given_up, POLICY, FORM, LATER)
    assert plan.abandoned == ["datadog:declare"]
    [line] = failure_lines(plan.state, NAMES)
    assert line == ("**Datadog incident: given up** after 10 attempt(s): Datadog: Declaring "
                    "failed with HTTP 4xx. Given up after 10 attempts: type `/retry` to try it "
                    "again.")


def test_a_refused_credential_is_tried_by_every_run() -> None:
    state = failed_declaration(Refusal.CREDENTIALS, attempts=40)
    assert declares(state, minutes=1)
    assert "Every run tries it again, so fixing the secret is enough." in promise(
        state.failures["datadog:declare"])


def test_a_missing_permission_is_tried_hourly_not_every_run() -> None:
    state = failed_declaration(Refusal.PERMISSION)
    assert not declares(state, minutes=10)
    assert not declares(state, minutes=59)
    assert declares(state, minutes=60)
    assert promise(state.failures["datadog:declare"]) == (
        "check the thing. Tried again hourly (next after 2026-11-28 09:11 UTC), or at once "
        "after you type `/retry`.")


@pytest.mark.parametrize("refusal", [Refusal.GONE, Refusal.INVALID])
def test_gone_or_invalid_is_never_tried_blindly(refusal: Refusal) -> None:
    state = failed_declaration(refusal)
    assert not declares(state, minutes=60 * 24 * 30)
    assert "Not tried again by itself: once it is fixed, type `/retry`" in promise(
        state.failures["datadog:declare"])


def test_a_refused_request_that_has_changed_is_a_new_request() -> None:
    """A refusal of what was sent then, not of what would be sent now (a title measured anew
    by an upgrade, a channel fixed in the config)."""
    assert declares(failed_declaration(Refusal.INVALID, sent="an older request"))


def test_retry_tries_everything_held_once() -> None:
    state = failed_declaration(Refusal.GONE)
    issue = with_comment("/retry")
    plan = decide(issue, state, POLICY, FORM, LATER)
    assert any(isinstance(e, DeclareIncident) for e in plan.effects)
    assert plan.state.retry_requested is False  # consumed by this plan, never stored
    assert '"retry_requested"' not in render_state(plan.state)
    # The next run without a new /retry holds it again.
    assert not declares(plan.state, minutes=11, issue=issue)


def test_retry_with_nothing_to_try_says_so() -> None:
    plan = decide(with_comment("/retry"), declared(), POLICY, FORM, LATER)
    [reply] = [e for e in plan.effects if e.key == "reply:501"]
    assert "Nothing is waiting to be tried again" in getattr(reply, "body", "")


def test_help_and_usage_name_retry() -> None:
    plan = decide(with_comment("/help"), declared(), POLICY, FORM, LATER)
    [reply] = [e for e in plan.effects if e.key == "reply:501"]
    assert "`/retry`: try again, once" in getattr(reply, "body", "")


# -- the record -----------------------------------------------------------------------------

def test_a_refusal_round_trips_and_an_old_record_reads_as_transient() -> None:
    state = failed_declaration(Refusal.PERMISSION)
    again = parse_state(render_state(state))
    assert again is not None
    assert again.failures["datadog:declare"].refusal is Refusal.PERMISSION
    assert again.failures["datadog:declare"].fix == "check the thing"
    old = EffectFailure.model_validate({"attempts": 2, "error": "HTTP 503"})
    assert old.refusal is None and is_due(old, "x", LATER)


def test_the_mirror_lost_then_replaced_then_lost_again_stops_until_retry() -> None:
    state = declared()
    state.mirror_number = 338014
    assert state.lose_mirror(T0) is not None
    assert not state.mirror_stopped()
    assert declares(state)  # declared again, once
    [line] = outside_lines(decide(ISSUE, state, POLICY, FORM, LATER), None, POLICY, NAMES)[1:2]
    assert line == ("**Datadog: incident IR-338014 was deleted** in Datadog; it is declared "
                    "again, once, by the next run.")
    state.mirror_id, state.mirror_number = "dd-2", 338015
    state.done.append("datadog:declare")
    state.lose_mirror(LATER)
    assert state.mirror_stopped()
    plan = decide(ISSUE, state, POLICY, FORM, LATER + timedelta(minutes=1))
    assert not any(e.capability == "mirror" for e in plan.effects)
    resumed = decide(with_comment("/retry", minutes=20), state, POLICY, FORM,
                     T0 + timedelta(minutes=21))
    assert any(isinstance(e, DeclareIncident) for e in resumed.effects)
    assert not resumed.state.mirror_stopped()
    assert resumed.state.mirror_resumed_at == T0 + timedelta(minutes=21)


def test_two_runs_losing_and_repairing_the_mirror_merge() -> None:
    base = declared()
    mine, theirs = base.model_copy(deep=True), base.model_copy(deep=True)
    mine.lose_mirror(T0)
    theirs.mark_failed("slack:note:x", "Slack: refused", T0, refusal=Refusal.GONE)
    merged = merge_states(base, mine, theirs)
    assert [g.id for g in merged.mirror_gone] == ["dd-1"]
    assert merged.mirror_id is None
    assert merged.failures["slack:note:x"].refusal is Refusal.GONE


def test_an_update_never_waits_on_a_refusal_of_another_effect() -> None:
    state = declared()
    state.mark_failed("slack:leadership", "Slack: refused", T0, refusal=Refusal.GONE)
    plan = decide(with_comment("/severity SEV-1"), state, POLICY, FORM, LATER)
    assert any(isinstance(e, UpdateIncident) for e in plan.effects)


def test_a_failure_of_a_post_that_will_never_be_sent_is_not_promised_a_retry() -> None:
    """An update whose comment was deleted is dropped from the outbox: its failure goes with
    it, or the status comment would say "retried on the next run" for ever."""
    issue = with_comment("/update Rolled back")
    plan = decide(issue, declared(), POLICY, FORM, LATER)
    plan.state.mark_failed("slack:update:501-0", "Slack: HTTP 503", LATER)
    deleted = decide(ISSUE, plan.state, POLICY, FORM, LATER + timedelta(minutes=1))
    assert "slack:update:501-0" not in deleted.state.failures
    assert failure_lines(deleted.state, NAMES) == []
