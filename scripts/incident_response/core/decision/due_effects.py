"""Every outside effect the state calls for, done or not.

The state holds facts (declared, updates, notes, follow-ups, phase, reminders); each fact shows
somewhere outside (a page, the declared incident, a chat message, a comment) under a stable
key. `decide` keeps the effects not yet done, which is how a failed or dropped one is repaired.
The effects say what, never through which vendor: an adapter maps them to its own API.
"""

from __future__ import annotations

import json
import re
from typing import Any

from incident_response.core.decision.effects import (
    AddIncidentTodo,
    AttachPostmortem,
    DeclareIncident,
    Effect,
    FindIncident,
    IncidentFacts,
    Message,
    OpenFollowUpIssue,
    PostComment,
    PostToChat,
    ResolvePage,
    SetIssueState,
    Thread,
    TriggerPage,
    UpdateIncident,
    WritePostmortem,
)
from incident_response.core.decision.page import page_of
from incident_response.core.decision.replies import GITHUB_BODY, GITHUB_TITLE, pending, replies
from incident_response.core.record import keys
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules import lifecycle
from incident_response.core.rules.answers import FormAnswers
from incident_response.core.rules.classification import Classification
from incident_response.core.rules.facts import FactText, followups, update_text
from incident_response.core.rules.lateness import LateRun
from incident_response.core.rules.policy import Policy
from incident_response.core.rules.postmortem import (
    branch_name,
    content_hash,
    postmortem_path,
    render_postmortem,
)
from incident_response.core.texts.chat import escape_chat, mention
from incident_response.core.texts.markdown_text import code_points, shorten
from incident_response.core.texts.markers import strip_markers
from incident_response.core.texts.templates import render
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = ["due_effects", "incident_facts", "latest_update"]


def _classified(state: IncidentState) -> tuple[Priority, Severity]:
    """The priority and severity every effect of a declaration needs; none is planned
    without them."""
    if state.priority is None or state.severity is None:
        msg = "an incident without a priority and a severity has nothing to declare"
        raise ValueError(msg)
    return state.priority, state.severity


def _context(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
             classification: Classification | None, policy: Policy, *,
             vendors: Vendors) -> dict[str, Any]:
    commander = state.commander or answers.commander or issue.author
    priority, _ = _classified(state)
    return {
        "issue": issue, "answers": answers, "state": state, "classification": classification,
        "service": policy.service(answers.service), "commander": commander,
        "commander_mention": mention(commander), "policy": policy,
        "rule": policy.rule(priority), "vendors": vendors,
    }


def latest_update(issue: IssueSnapshot, state: IncidentState) -> FactText | None:
    for fact_id in reversed(state.updates):
        found = update_text(issue, fact_id)
        if found is not None:
            return found
    return None


def incident_facts(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
                   policy: Policy) -> IncidentFacts:
    """What the incident tool is told, and re-told whenever any of it changes."""
    priority, severity = _classified(state)
    service = policy.service(answers.service)
    latest = latest_update(issue, state)
    return IncidentFacts(
        title=f"{answers.service} is experiencing degraded service",
        priority=priority, severity=severity, phase=state.phase,
        service=answers.service, environment=answers.environment,
        controller=service.controller if service else None, monitor=answers.monitor,
        commander=state.commander or answers.commander or issue.author,
        latest_update=(f"{latest.at:%Y-%m-%d %H:%M} UTC, @{latest.author}: {latest.text}"
                       if latest else None),
        customer_impact_end=state.resolved_at)


def _fingerprint(facts: IncidentFacts) -> str:
    values = {name: getattr(facts, name) for name in facts.__dataclass_fields__}
    return content_hash(json.dumps(values, sort_keys=True, default=str))


def _chat_post(key: str, channel: str, text: str, *, incident: str, thread: Thread,
               broadcast: bool = False, more_at: str | None = None) -> PostToChat:
    return PostToChat(key=key, channel=channel, text=text, message=Message(text, more_at=more_at),
                      thread=thread, broadcast=broadcast, incident=incident)


def _thread(state: IncidentState) -> Thread:
    """How a reply reaches the incident's thread: straight to it when the record knows it; by
    finding the announcement first when the record was rebuilt without it (and, when it cannot
    be found, as a message of its own in the channel)."""
    if state.chat_thread is None and state.is_done(keys.ANNOUNCE):
        return Thread.FIND_THEN_REPLY
    return Thread.REPLY


def _facts_shown(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
                 context: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """What a responder needs at a glance, first in the announcement whatever follows."""
    service = context["service"]
    facts = [("Priority", f"{state.priority}"), ("Severity", f"{state.severity}"),
             ("Service", f"{escape_chat(answers.service)} ({escape_chat(answers.environment)})"),
             ("Users/hour", f"~{answers.users_per_hour:,}"),
             ("Incident commander", str(context["commander_mention"])),
             ("Incident", f"<{issue.url}|GitHub {escape_chat(issue.key)}>")]
    if answers.started_at:
        facts.append(("Impact started", f"{answers.started_at:%Y-%m-%d %H:%M UTC}"))
    procedure = service.recovery_procedure if service else None
    if procedure:
        facts.append(("Recovery procedure", f"<{procedure}|{escape_chat(answers.service)}>"))
    return tuple(facts)


def _announcement(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
                  context: dict[str, Any], policy: Policy, *,
                  late: LateRun | None) -> PostToChat:
    """The incident's announcement; made by a run that started late, it says by how much, so
    the channel does not take a late message for a late report."""
    priority, _ = _classified(state)
    header = f"{priority.value} incident: {answers.service} is experiencing degraded service"
    facts = _facts_shown(issue, answers, state, context)
    return PostToChat(
        key=keys.ANNOUNCE, channel=policy.chat.support_channel,
        text=f"{header} ({issue.key}{late.suffix() if late else ''})",
        message=Message(render("chat_announcement.j2", **context).strip(), header,
                        render("chat_context.j2", **context).strip(),
                        facts=(*facts, late.fact()) if late else facts,
                        more_at=issue.url),
        incident=issue.key, kind="incident_announced", is_announcement=True,
    )


def _declaration(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
                 context: dict[str, Any], policy: Policy, *,
                 late: LateRun | None = None) -> list[Effect]:
    priority, severity = _classified(state)
    rule = policy.rule(priority)
    wanted: list[Effect] = []
    if rule.page:
        wanted.append(page_of(issue, answers, priority, severity,
                              commander=context["commander"], policy=policy))
    if rule.declare:
        facts = incident_facts(issue, answers, state, policy)
        wanted.append(DeclareIncident(
            key=keys.DECLARE, issue_url=issue.url, facts=facts,
            impact_scope=render("impact_scope.txt.j2", **context).strip(),
            timeline_note=render("declared_note.md.j2", **context).strip(),
            fingerprint=_fingerprint(facts),
        ))
    if rule.announce:
        wanted.append(_announcement(issue, answers, state, context, policy, late=late))
    if rule.notify_leadership and policy.chat.leadership_channel:
        header = (f"Declared {priority.value}: "
                  f"{answers.service} is experiencing degraded service")
        wanted.append(PostToChat(
            key=keys.LEADERSHIP, channel=policy.chat.leadership_channel,
            text=f"{header} ({issue.key})",
            message=Message(render("chat_leadership.j2", **context).strip(), header,
                            issue.url),
            incident=issue.key, kind="incident_leadership_notice",
        ))
    if rule.declare and answers.code_change_required == "Yes":
        wanted.append(PostComment(key=keys.OOB_CHECKLIST,
                                  body=render("out_of_band_deploy.md.j2", **context)))
    return wanted


def _declared_incident(issue: IssueSnapshot, answers: FormAnswers,
                       state: IncidentState, policy: Policy) -> list[Effect]:
    """The declared incident kept in line: found again after a lost record, updated when its
    facts change, its todos added."""
    facts = incident_facts(issue, answers, state, policy)
    fingerprint = _fingerprint(facts)
    wanted: list[Effect] = []
    if (state.rebuilt and state.mirror_id is None and state.priority is not None
            and policy.rule(state.priority).declare):
        wanted.append(FindIncident(key=keys.FIND_DECLARED, issue_url=issue.url))
    # A declaration planned in this run already carries the same content.
    if state.is_done(keys.DECLARE) and fingerprint != state.mirror_synced:
        wanted.append(UpdateIncident(key=keys.MIRROR_SYNC, fingerprint=fingerprint,
                                     facts=facts))
    texts = {item.id: item for item in followups(issue, state)}
    for todo in pending(state, "todo"):
        item = texts.get(todo.fact or "")
        if item is not None:
            wanted.append(AddIncidentTodo(
                key=todo.key,
                content=item.text + (f" (owner: @{item.owner})" if item.owner else "")))
    return wanted


def _chat(issue: IssueSnapshot, state: IncidentState, context: dict[str, Any],
          policy: Policy) -> list[Effect]:
    support = state.chat_channel or policy.chat.support_channel
    thread = _thread(state)
    wanted: list[Effect] = []
    for update in pending(state, "update"):
        text = update_text(issue, update.fact or "")
        if text is not None:
            wanted.append(_chat_post(
                update.key, support,
                render("chat_update.j2", update=text, issue=issue,
                       mention=context["commander_mention"]).strip(),
                thread=thread, broadcast=policy.chat.updates_to_channel, incident=issue.key,
                more_at=issue.url))
    for note in pending(state, "note"):
        if note.channel:
            wanted.append(_chat_post(note.key, note.channel,
                                     f"{note.text}\n<{issue.url}|{escape_chat(issue.key)}>",
                                     thread=Thread.CHANNEL, incident=issue.key))
        else:
            wanted.append(_chat_post(note.key, support, note.text or "", thread=thread,
                                     broadcast=note.broadcast, incident=issue.key))
    return wanted


def _lifecycle(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
               context: dict[str, Any], policy: Policy, *, declared: bool) -> list[Effect]:
    wanted = _declared_incident(issue, answers, state, policy) if declared else []
    wanted += _chat(issue, state, context, policy)
    if lifecycle.traits(state.phase).ended:
        if state.is_done(keys.PAGE):
            wanted.append(ResolvePage(key=keys.PAGE_RESOLVE, dedup_key=issue.key))
        wanted.append(PostComment(key=keys.RECOVERY_CHECKLIST,
                                  body=render("recovery_checklist.md.j2", **context)))
    if state.phase is Phase.RESOLVED and issue.history is not None:
        wanted.append(_postmortem(issue, answers, state, context, policy))
    if state.phase is Phase.COMPLETED:
        wanted.extend(_completion(issue, state, policy, declared=declared))
    if not issue.open and state.phase is not Phase.COMPLETED:
        # GitHub closed the issue on a refused merge ("Closes #N"): it stays open.
        wanted.extend(SetIssueState(key=keys.reopen(number), open=True,
                                    reason="reopened") for number in state.postmortem_refused)
    if not issue.open and lifecycle.traits(state.phase).live and state.closed_by_hand:
        wanted.append(SetIssueState(key=keys.reopen(f"closed-{state.closed_by_hand}"),
                                    open=True, reason="reopened"))
    return wanted


def _reminders(issue: IssueSnapshot, state: IncidentState, policy: Policy,
               vendors: Vendors) -> list[Effect]:
    if state.priority is None:
        return []
    commander = state.commander or (state.answers.commander if state.answers else None) or (
        issue.author)
    return [PostComment(key=item.key,
                        body=render("reminder.md.j2", state=state, commander=commander,
                                    policy=policy, rule=policy.rule(state.priority),
                                    vendors=vendors))
            for item in pending(state, "reminder")]


def _postmortem(issue: IssueSnapshot, answers: FormAnswers, state: IncidentState,
                context: dict[str, Any], policy: Policy) -> WritePostmortem:
    content = render_postmortem(issue, answers, state, policy, context["vendors"])
    day = answers.started_at or issue.created_at
    if state.cycle > 1:  # a recurrence: its own file, dated by the reopen
        day = max((c.at for c in state.phase_changes if c.by == "reopened"), default=day)
    title = strip_markers(re.sub(r"^\s*\[[^\]]*\]\s*", "", issue.title) or issue.title)
    recurrence = f" (recurrence {state.cycle})" if state.cycle > 1 else ""
    # GitHub refuses a title over 256 characters, counted in code points: the incident's own
    # title gives way (never inside a grapheme cluster), and what identifies the incident,
    # `(#N)`, stays.
    prefix, suffix = f"Post-mortem{recurrence}: ", f" (#{issue.number})"
    title = shorten(title, GITHUB_TITLE - len(prefix) - len(suffix), measure=code_points)
    return WritePostmortem(
        key=keys.POSTMORTEM_WRITE, branch=branch_name(issue.number),
        base=state.default_branch or "",
        path=state.postmortem_path or postmortem_path(issue.number, issue.title, day,
                                                      state.cycle),
        content=content, content_hash=content_hash(content),
        title=f"{prefix}{title}{suffix}",
        body=render("postmortem_pr_body.md.j2", **context),
        commit_message=f"Post-mortem of incident #{issue.number}",
    )


def _completion(issue: IssueSnapshot, state: IncidentState, policy: Policy, *,
                declared: bool) -> list[Effect]:
    wanted: list[Effect] = []
    if declared and state.postmortem_url:
        wanted.append(AttachPostmortem(key=keys.POSTMORTEM_ATTACH, url=state.postmortem_url,
                                       title=f"Post-mortem of {issue.key}"))
    if issue.open:
        wanted.append(SetIssueState(key=keys.CLOSE_ISSUE, open=False))
    wanted.extend(OpenFollowUpIssue(
        key=keys.followup_issue(item.id), followup_id=item.id,
        title=shorten(f"Follow-up of incident #{issue.number}: {strip_markers(item.text)}",
                      GITHUB_TITLE, measure=code_points),
        body=shorten(render("followup_issue.md.j2", issue=issue, item=item, state=state),
                     GITHUB_BODY, measure=code_points),
        labels=(policy.labels.followup,),
    ) for item in followups(issue, state) if item.issue_number is None)
    return wanted


#: the order effects are tried in: the page first, then the declaration; the post-mortem and
#: the issue's state last
_ORDER: dict[type, int] = {TriggerPage: 0, ResolvePage: 1, DeclareIncident: 2, FindIncident: 2,
                           UpdateIncident: 3, WritePostmortem: 5, SetIssueState: 6}


def due_effects(issue: IssueSnapshot, answers: FormAnswers | None, state: IncidentState,
                classification: Classification | None, policy: Policy, *,
                vendors: Vendors, late: LateRun | None = None) -> list[Effect]:
    """All effects the state calls for, in the order to try them (the page first). `late`:
    this run started late after its event (what it announces says so)."""
    wanted: list[Effect] = []
    if (answers is not None and state.priority is not None and state.severity is not None
            and lifecycle.traits(state.phase).declared):
        context = _context(issue, answers, state, classification, policy, vendors=vendors)
        declaration = _declaration(issue, answers, state, context, policy, late=late)
        if lifecycle.traits(state.phase).live:
            wanted.extend(declaration)
        elif state.mirror_gone and not state.is_done(keys.DECLARE):
            # The declared incident was deleted after the resolution: declared again (once;
            # decide holds it back when the replacement was deleted too).
            wanted.extend(e for e in declaration if isinstance(e, DeclareIncident))
        declared = state.is_done(keys.DECLARE) or any(isinstance(e, DeclareIncident)
                                                      for e in wanted)
        wanted.extend(_lifecycle(issue, answers, state, context, policy, declared=declared))
    wanted.extend(_reminders(issue, state, policy, vendors))
    wanted.extend(replies(state))
    return sorted(wanted, key=lambda e: _ORDER.get(type(e), 4))
