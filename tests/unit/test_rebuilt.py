"""A lost record rebuilt: what may already be in the chat is claimed for a look, not assumed
sent and not sent blindly; and the record keeps what the chat told it (channel ids)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import PostToChat, Thread
from incident_response.core.decision.plan import Plan
from incident_response.core.decision.rebuilt import chat_lookup, rebuild
from incident_response.core.record import keys
from incident_response.core.record.block import parse_state, render_state
from incident_response.core.record.merge import merge_states
from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.core.record.state import IncidentState
from tests.support import FORM, ISSUE, POLICY, T0

LIVE_P1 = ("incident", "phase:active", "priority:P1", "severity:SEV-2")


def lost(labels: tuple[str, ...] = LIVE_P1, *comments: CommentSnapshot) -> IssueSnapshot:
    """The P1 of tests/support.py whose status comment is gone, with these labels and comments."""
    permissions = {c.author: "write" for c in comments}
    return replace(ISSUE, labels=labels, comments=comments, permissions=permissions)


ANSWERED = CommentSnapshot(501, "sam", "/update Rolled back", T0 + timedelta(minutes=5),
                           plus_one=1)
UNANSWERED = CommentSnapshot(502, "sam", "/update Second look\n/ic @sam",
                             T0 + timedelta(minutes=10))


def chat_posts(issue: IssueSnapshot,
               now_minutes: float = 11) -> tuple[Plan, dict[str, PostToChat]]:
    plan = decide(issue, None, POLICY, FORM, T0 + timedelta(minutes=now_minutes))
    return plan, {e.key: e for e in plan.effects if isinstance(e, PostToChat)}


def test_a_live_incident_claims_its_announcement_and_notice_for_a_look() -> None:
    state = rebuild(lost(), POLICY)
    assert not state.is_done(keys.ANNOUNCE) and not state.is_done(keys.LEADERSHIP)
    assert set(state.claimed) == {keys.ANNOUNCE, keys.LEADERSHIP}
    # Claimed before the issue was opened: no run can still be sending them.
    assert all(at < ISSUE.created_at - timedelta(minutes=15) for at in state.claimed.values())
    assert {keys.PAGE, keys.DECLARE} <= set(state.done)  # idempotent, or looked up by URL


def test_the_plan_looks_for_them_at_once_instead_of_posting_or_waiting() -> None:
    plan, posts = chat_posts(lost(), now_minutes=1)  # even within a run's time limit
    assert posts[keys.ANNOUNCE].look_first and posts[keys.LEADERSHIP].look_first
    assert plan.in_flight == []


def test_updates_past_the_last_answered_command_are_looked_for_first() -> None:
    plan, posts = chat_posts(lost(LIVE_P1, ANSWERED, UNANSWERED))
    assert plan.state.updates == ["501-0", "502-0"]
    assert keys.chat_update("501-0") not in posts  # answered: kept, not re-posted
    update = posts[keys.chat_update("502-0")]
    assert update.look_first
    assert update.thread is Thread.REPLY  # into the thread the announcement's look finds
    effects = [e.key for e in plan.effects if isinstance(e, PostToChat)]
    assert effects.index(keys.ANNOUNCE) < effects.index(update.key)
    note = posts[keys.chat_note("502-1")]  # a note of the same comment is not claimed
    assert not note.look_first


def test_an_ended_incident_is_not_announced_and_its_thread_is_found_for_a_post() -> None:
    labels = ("incident", "phase:resolved", "priority:P1", "severity:SEV-2")
    state = rebuild(lost(labels), POLICY)
    assert state.is_done(keys.ANNOUNCE) and state.is_done(keys.LEADERSHIP)
    assert keys.ANNOUNCE not in state.claimed
    _, posts = chat_posts(lost(labels, UNANSWERED))
    update = posts[keys.chat_update("502-0")]
    assert update.thread is Thread.FIND_THEN_REPLY and update.look_first


def test_only_what_the_priority_sends_is_claimed() -> None:
    p3 = ("incident", "phase:active", "priority:P3", "severity:SEV-4")
    assert set(rebuild(lost(p3), POLICY).claimed) == {keys.ANNOUNCE}  # no leadership notice
    unlabelled = ("incident", "phase:active")
    assert set(rebuild(lost(unlabelled), POLICY).claimed) == {keys.ANNOUNCE, keys.LEADERSHIP}


def test_the_record_says_what_each_look_found() -> None:
    state = rebuild(lost(), POLICY)
    chat_lookup(state, keys.ANNOUNCE, "Chat announcement", "#support", found=True)
    chat_lookup(state, keys.ANNOUNCE, "Chat announcement", "#support", found=True)
    chat_lookup(state, keys.LEADERSHIP, "Chat leadership notice", "#lead", found=False)
    chat_lookup(state, keys.chat_update("502-0"), "Chat update", "#support", found=True)
    told = state.rebuilt[2:]
    assert told == [
        "The Chat announcement was found in #support by its tags; it was not posted again.",
        "The Chat leadership notice was not found in #lead; it was posted now."]
    chat_lookup(state, keys.ANNOUNCE, "Chat announcement", "#support", found=None)
    assert "may show twice" in state.rebuilt[-1]
    kept = IncidentState()
    chat_lookup(kept, keys.ANNOUNCE, "Chat announcement", "#support", found=True)
    assert kept.rebuilt == []  # a record that was never lost says nothing of it


def test_channel_ids_merge_as_a_set_and_older_records_read_without_them() -> None:
    base = IncidentState(chat_channels={"#support": "C1"})
    mine = base.model_copy(deep=True)
    mine.chat_channels["#lead"] = "C2"
    theirs = base.model_copy(deep=True)
    theirs.chat_channels["#ops"] = "C3"
    merged = merge_states(base, mine, theirs)
    assert merged.chat_channels == {"#support": "C1", "#lead": "C2", "#ops": "C3"}
    older = render_state(IncidentState(chat_thread="1.2"))
    assert "chat_channels" not in older  # nothing written while there is nothing to keep
    read = parse_state(older)
    assert read is not None and read.chat_channels == {}
    assert read.chat_lookup_problem is None
    again = parse_state(render_state(mine))
    assert again is not None and again.chat_channels == {"#support": "C1", "#lead": "C2"}
