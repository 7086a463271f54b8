"""Comment commands, as plans: parsed, permitted or refused, applied once."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import (
    AddIncidentTodo,
    PostComment,
    PostToChat,
    React,
    ResolvePage,
    TriggerPage,
    UpdateIncident,
)
from incident_response.core.rules.comment_commands import parse_commands
from incident_response.core.rules.facts import followups, timeline_entries, updates
from incident_response.core.vocabulary import Phase, Priority, Severity
from incident_response.shell.settings import PersonSettings
from tests.support import BOT, FORM, ISSUE, P1_BODY, POLICY, T0, declared, with_comment


def test_commands_are_lines_starting_with_a_slash_outside_code_and_quotes() -> None:
    body = ("/update first\nsome text /resolve\n> /resolve quoted\n```\n/mitigate in code\n```\n"
            "    /ic @indented\n/SEVERITY sev-1\n/help")
    assert [(c.name, c.argument) for c in parse_commands(body)] == [
        ("update", "first"), ("severity", "sev-1"), ("help", "")]


def test_update_goes_to_the_thread_and_is_kept() -> None:
    issue = with_comment("/update Rolled back the ISAM config\n/update Error rate falling")
    plan = decide(issue, declared(), POLICY, FORM, T0 + timedelta(minutes=6))
    assert plan.state.updates == ["501-0", "501-1"]  # ids: the words stay in the comment
    assert [u.text for u in updates(issue, plan.state)] == ["Rolled back the ISAM config",
                                                            "Error rate falling"]
    posts = [e for e in plan.effects if isinstance(e, PostToChat)]
    assert [p.key for p in posts] == ["slack:update:501-0", "slack:update:501-1"]
    assert all(p.in_thread for p in posts)
    assert plan.state.last_update_at == T0 + timedelta(minutes=5)
    assert next(e for e in plan.effects if isinstance(e, React)).content == "+1"
    sync = [e for e in plan.effects if isinstance(e, UpdateIncident)]
    assert sync and "Error rate falling" in str(sync[0].facts.latest_update)


def test_a_command_is_applied_once_across_runs() -> None:
    issue = with_comment("/update once")
    first = decide(issue, declared(), POLICY, FORM, T0 + timedelta(minutes=6))
    second = decide(issue, first.state, POLICY, FORM, T0 + timedelta(minutes=7))
    assert len(second.state.updates) == 1
    assert second.state.watermark == 501
    assert not any(e.key.startswith("slack:update:") for e in second.effects if
                   e.key not in {p.key for p in second.state.outbox})


def test_ic_changes_commander_with_a_slack_mention_and_datadog() -> None:
    policy = POLICY.model_copy(update={"people": {
        "sam": PersonSettings(slack="U0SAM", datadog="00000000-0000-0000-0000-00000000005a")}})
    plan = decide(with_comment("/ic @sam"), declared(), policy, FORM, T0 + timedelta(minutes=6))
    assert plan.state.commander == "sam"
    note = next(e for e in plan.effects if isinstance(e, PostToChat)
                and e.key.startswith("slack:note:"))
    assert "<person:sam>" in note.text  # the chat adapter writes its own mention
    sync = next(e for e in plan.effects if isinstance(e, UpdateIncident))
    assert sync.facts.commander == "sam"


def test_role_is_recorded_and_announced() -> None:
    plan = decide(with_comment("/role Tech Lead @lee"), declared(), POLICY, FORM, T0)
    assert plan.state.roles["tech-lead"] == "lee"
    assert any("tech lead" in e.text for e in plan.effects if isinstance(e, PostToChat))


def test_severity_and_priority_override_the_form_and_update_labels() -> None:
    plan = decide(with_comment("/severity SEV-1\n/priority p2"), declared(), POLICY, FORM, T0)
    assert (plan.state.severity, plan.state.priority) == (Severity.SEV_1, Priority.P2)
    assert plan.labels_to_add == ["phase:active", "priority:P2", "severity:SEV-1"]


def test_raising_a_p2_to_p1_declares_and_lowering_deletes_nothing() -> None:
    issue = replace(ISSUE, body=P1_BODY.replace("2,500", "500"))
    state = decide(issue, None, POLICY, FORM, T0).state
    state.mark_done("slack:announce")
    state.chat_thread = "1.1"
    plan = decide(with_comment("/priority P1", issue=issue), state, POLICY, FORM, T0)
    kinds = [type(e).__name__ for e in plan.effects]
    assert kinds[:2] == ["TriggerPage", "DeclareIncident"]
    assert any(isinstance(e, PostToChat) and e.key == "slack:leadership" for e in plan.effects)
    assert plan.state.declared_at == T0
    lowered = decide(with_comment("/priority P3", comment_id=502, issue=issue), plan.state,
                     POLICY, FORM, T0)
    assert not any(isinstance(e, ResolvePage | TriggerPage) for e in lowered.effects)


def test_mitigate_then_resolve() -> None:
    stable = decide(with_comment("/mitigate"), declared(), POLICY, FORM, T0)
    assert stable.state.phase is Phase.STABLE and stable.state.mitigated_at
    sync = next(e for e in stable.effects if isinstance(e, UpdateIncident))
    assert sync.facts.phase is Phase.STABLE
    resolved = decide(with_comment("/resolve", comment_id=502, minutes=30), stable.state, POLICY,
                      FORM, T0)
    assert resolved.state.phase is Phase.RESOLVED
    keys = [e.key for e in resolved.effects]
    assert "page:resolve" in keys and "comment:recovery-checklist" in keys
    note = next(e for e in resolved.effects if isinstance(e, PostToChat) and "Resolved" in e.text)
    assert note.broadcast and note.in_thread
    sync = next(e for e in resolved.effects if isinstance(e, UpdateIncident))
    assert sync.facts.phase is Phase.RESOLVED
    assert sync.facts.customer_impact_end == T0 + timedelta(minutes=30)


def test_timeline_entries_are_back_dated_in_utc_and_kept_in_order() -> None:
    body = "/timeline 08:02 First alert\n/timeline 23:58 2026-11-27 Deploy\n/timeline 25:00 bad"
    issue = with_comment(body)
    plan = decide(issue, declared(), POLICY, FORM, T0)
    assert [(e.at, e.text) for e in timeline_entries(issue, plan.state)] == [
        (datetime(2026, 11, 27, 23, 58, tzinfo=UTC), "Deploy"),
        (datetime(2026, 11, 28, 8, 2, tzinfo=UTC), "First alert")]
    reply = next(e for e in plan.effects if isinstance(e, PostComment) and e.key == "reply:501")
    assert "/timeline 25:00 bad" in reply.body and "Usage" in reply.body


def test_a_time_later_than_the_comment_means_yesterday() -> None:
    issue = with_comment("/timeline 23:50 Alert fired")
    plan = decide(issue, declared(), POLICY, FORM, T0)
    assert timeline_entries(issue, plan.state)[0].at == datetime(2026, 11, 27, 23, 50,
                                                                 tzinfo=UTC)


def test_followups_keep_owners_and_become_datadog_todos() -> None:
    issue = with_comment("/followup Add an SSOe latency alert @lee\n/followup Write docs")
    plan = decide(issue, declared(), POLICY, FORM, T0)
    assert [(f.text, f.owner) for f in followups(issue, plan.state)] == [
        ("Add an SSOe latency alert", "lee"), ("Write docs", None)]
    todos = [e.content for e in plan.effects if isinstance(e, AddIncidentTodo)]
    assert todos == ["Add an SSOe latency alert (owner: @lee)", "Write docs"]


@pytest.mark.parametrize("body", ["/frobnicate", "/severity SEV-9", "/ic nobody at all",
                                  "/update", "/priority P0"])
def test_unknown_or_malformed_commands_get_the_usage(body: str) -> None:
    plan = decide(with_comment(body), declared(), POLICY, FORM, T0)
    reply = next(e for e in plan.effects if isinstance(e, PostComment))
    assert body in reply.body and "`/" in reply.body
    assert plan.state.severity is Severity.SEV_2 and plan.state.updates == []


def test_help_lists_every_command() -> None:
    plan = decide(with_comment("/help", permission="none"), declared(), POLICY, FORM, T0)
    reply = next(e for e in plan.effects if isinstance(e, PostComment))
    for name in ("declare", "update", "ic", "role", "severity", "priority", "mitigate",
                 "resolve", "timeline", "followup", "retry", "help"):
        assert f"`/{name}" in reply.body


def test_commands_without_permission_are_refused_and_change_nothing() -> None:
    before = declared()
    plan = decide(with_comment("/resolve\n/severity SEV-1", author="eve", permission="read"),
                  before, POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE and plan.state.severity is Severity.SEV_2
    reply = next(e for e in plan.effects if isinstance(e, PostComment))
    assert "needs write permission" in reply.body and "nothing was changed" in reply.body


def test_declare_confirms_an_untrusted_report() -> None:
    untrusted = replace(ISSUE, author_permission="read")
    held = decide(untrusted, None, POLICY, FORM, T0)
    assert held.state.phase is Phase.TRIAGE
    plan = decide(with_comment("/declare", issue=untrusted), held.state, POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE and plan.state.confirmed_by == "sam"
    assert isinstance(plan.effects[0], TriggerPage)
    refused = decide(with_comment("/declare", author="eve", permission="triage",
                                  issue=untrusted), held.state, POLICY, FORM, T0)
    assert refused.state.phase is Phase.TRIAGE


def test_commands_wait_for_declare_while_in_triage() -> None:
    untrusted = replace(ISSUE, author_permission="read")
    held = decide(untrusted, None, POLICY, FORM, T0)
    plan = decide(with_comment("/mitigate", issue=untrusted), held.state, POLICY, FORM, T0)
    assert plan.state.phase is Phase.TRIAGE
    assert any("/declare" in e.body for e in plan.effects if isinstance(e, PostComment)
               and e.key == "reply:501")


def test_the_bots_own_comments_are_never_commands() -> None:
    plan = decide(with_comment("/resolve", author=BOT), declared(), POLICY, FORM, T0)
    assert plan.state.phase is Phase.ACTIVE
