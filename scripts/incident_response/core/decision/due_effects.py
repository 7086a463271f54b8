"""Every outside effect the state calls for, done or not: the record's mirrors.

The state holds facts (declared, updates, notes, follow-ups, phase, reminders); each fact has
a mirror somewhere (a page, a Datadog field, a Slack message, a comment) under a stable key.
`decide` keeps the ones not yet done, which is how a failed or dropped mirror is repaired.
"""

from __future__ import annotations

import json
import re

from incident_response.core.decision.effects import (
    AddIncidentTodo,
    AttachPostmortem,
    DeclareIncident,
    Effect,
    FindIncident,
    Message,
    OpenFollowUpIssue,
    PostComment,
    PostToChat,
    React,
    ResolvePage,
    SetIssueState,
    TriggerPage,
    UpdateIncident,
    WritePostmortem,
)
from incident_response.core.record import keys
from incident_response.core.record.facts import FactText, followups, update_text
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState, Pending
from incident_response.core.rules import lifecycle
from incident_response.core.rules.answers import IncidentReport
from incident_response.core.rules.classification import Classification
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.markdown_text import shorten
from incident_response.core.texts.people import mention
from incident_response.core.texts.postmortem import (
    branch_name,
    content_hash,
    postmortem_path,
    render_postmortem,
)
from incident_response.core.texts.rendering import escape_slack, render
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = ["datadog_fields", "mirrors"]



#: the vendors' documented limits, in characters: GitHub's issue and pull-request titles and
#: comment bodies (with room for the marker), PagerDuty's event summary, a Datadog textbox field
GITHUB_TITLE = 256
GITHUB_BODY = 65_536 - 200
PAGE_SUMMARY = 1024
DATADOG_TEXTBOX = 1000


def _classified(state: IncidentState) -> tuple[Priority, Severity]:
    """The priority and severity every mirror needs; `mirrors` plans none without them."""
    if state.priority is None or state.severity is None:
        msg = "an incident without a priority and a severity has no mirrors"
        raise ValueError(msg)
    return state.priority, state.severity


def _context(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
             classification: Classification | None, policy: Policy) -> dict[str, object]:
    commander = state.commander or report.commander or issue.author
    priority, _ = _classified(state)
    return {
        "issue": issue, "report": report, "state": state, "classification": classification,
        "service": policy.service(report.service), "commander": commander,
        "commander_mention": mention(policy, commander), "policy": policy,
        "rule": policy.rule(priority),
    }


def latest_update(issue: IssueSnapshot, state: IncidentState) -> FactText | None:
    for fact_id in reversed(state.updates):
        found = update_text(issue, fact_id)
        if found is not None:
            return found
    return None


def datadog_fields(report: IncidentReport, state: IncidentState, policy: Policy,
                   latest: FactText | None = None) -> dict[str, tuple[str, str | list[str]]]:
    names = policy.datadog.fields
    service = policy.service(report.service)
    priority, severity = _classified(state)
    phase = lifecycle.traits(state.phase).datadog_state
    fields: dict[str, tuple[str, str | list[str]]] = {
        names.severity: ("dropdown", severity.value),
        names.state: ("dropdown", phase),
        names.teams: ("autocomplete", list(policy.datadog.teams)),
        names.services: ("autocomplete", list(policy.datadog.services)),
    }
    if names.priority:
        fields[names.priority] = ("dropdown", priority.value)
    if names.monitor and report.monitor:
        fields[names.monitor] = ("textbox", report.monitor)
    if names.controller and service and service.controller:
        fields[names.controller] = ("dropdown", service.controller)
    if names.sub_service:
        fields[names.sub_service] = ("textbox", report.service)
    if names.acknowledged_by_team:
        fields[names.acknowledged_by_team] = ("dropdown", policy.datadog.acknowledged_by_team)
    if names.detection_method:
        fields[names.detection_method] = ("dropdown", "monitor" if report.monitor else "customer")
    if latest is not None:
        fields["summary"] = ("textbox", shorten(f"{latest.at:%Y-%m-%d %H:%M} UTC, "
                                                f"@{latest.author}: {latest.text}",
                                                DATADOG_TEXTBOX))
    return fields


def _fingerprint(fields: dict[str, tuple[str, str | list[str]]], commander: str | None,
                 state: IncidentState) -> str:
    return content_hash(json.dumps([fields, commander, state.resolved_at.isoformat()
                                    if state.resolved_at else None], sort_keys=True))


def _thread_post(key: str, channel: str, text: str, *, incident: str, broadcast: bool = False,
                 in_thread: bool = True, more_at: str | None = None) -> PostToChat:
    return PostToChat(key=key, channel=channel, text=text,
                      message=Message(text, more_at=more_at),
                      in_thread=in_thread, broadcast=broadcast, incident=incident)


def _facts(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
           context: dict[str, object]) -> tuple[tuple[str, str], ...]:
    """What a responder needs at a glance, first in the announcement whatever follows."""
    service = context["service"]
    facts = [("Priority", f"{state.priority}"), ("Severity", f"{state.severity}"),
             ("Service", f"{escape_slack(report.service)} ({escape_slack(report.environment)})"),
             ("Users/hour", f"~{report.users_per_hour:,}"),
             ("Incident commander", str(context["commander_mention"])),
             ("Incident", f"<{issue.url}|GitHub {escape_slack(issue.key)}>")]
    if report.started_at:
        facts.append(("Impact started", f"{report.started_at:%Y-%m-%d %H:%M UTC}"))
    procedure = getattr(service, "recovery_procedure", None)
    if procedure:
        facts.append(("Recovery procedure", f"<{procedure}|{escape_slack(report.service)}>"))
    return tuple(facts)


def _declaration(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
                 context: dict[str, object], policy: Policy) -> list[Effect]:
    priority, severity = _classified(state)
    rule = policy.rule(priority)
    wanted: list[Effect] = []
    service = policy.service(report.service)
    if rule.page:
        wanted.append(TriggerPage(
            key=keys.PAGE, dedup_key=issue.key,
            summary=shorten(render("page_summary.txt.j2", **context).strip(), PAGE_SUMMARY),
            source=f"{report.service} ({report.environment})",
            severity=policy.paging.severity[priority],
            links=(("GitHub incident " + issue.key, issue.url),)
            + ((("Recovery procedure", service.recovery_procedure),)
               if service and service.recovery_procedure else ()),
            custom_details={
                "priority": priority.value,
                "severity": severity.value,
                "users_per_hour": report.users_per_hour, "environment": report.environment,
                "incident_commander": context["commander"],
            },
        ))
    if rule.declare:
        person = policy.person(str(context["commander"]))
        fields = datadog_fields(report, state, policy, latest_update(issue, state))
        commander_id = person.datadog if person else None
        wanted.append(DeclareIncident(
            key=keys.DATADOG_DECLARE, issue_url=issue.url,
            title=f"{report.service} is experiencing degraded service",
            severity=severity.value, state="active",
            customer_impacted=True,
            customer_impact_scope=render("datadog_impact_scope.txt.j2", **context).strip(),
            fields=fields, commander_user_id=commander_id,
            notification_handles=tuple((h.handle, h.display_name)
                                       for h in policy.datadog.notification_handles),
            timeline_note=render("datadog_declared_note.md.j2", **context).strip(),
            fingerprint=_fingerprint(fields, commander_id, state),
        ))
    if rule.announce:
        header = (f"{priority.value} incident: "
                  f"{report.service} is experiencing degraded service")
        wanted.append(PostToChat(
            key=keys.ANNOUNCE, channel=policy.slack.support_channel, text=f"{header} ({issue.key})",
            message=Message(render("slack_announcement.mrkdwn.j2", **context).strip(), header,
                            render("slack_context.mrkdwn.j2", **context).strip(),
                            facts=_facts(issue, report, state, context), more_at=issue.url),
            incident=issue.key, kind="incident_announced", is_announcement=True,
        ))
    if rule.notify_leadership and policy.slack.leadership_channel:
        header = (f"Declared {priority.value}: "
                  f"{report.service} is experiencing degraded service")
        wanted.append(PostToChat(
            key=keys.LEADERSHIP, channel=policy.slack.leadership_channel,
            text=f"{header} ({issue.key})",
            message=Message(render("slack_leadership.mrkdwn.j2", **context).strip(), header,
                            issue.url),
            incident=issue.key, kind="incident_leadership_notice",
        ))
    if rule.declare and report.code_change_required == "Yes":
        wanted.append(PostComment(key=keys.OOB_CHECKLIST,
                                  body=render("out_of_band_deploy.md.j2", **context)))
    return wanted


def _datadog_mirrors(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
                     context: dict[str, object], policy: Policy) -> list[Effect]:
    person = policy.person(str(context["commander"]))
    commander_id = person.datadog if person else None
    fields = datadog_fields(report, state, policy, latest_update(issue, state))
    fingerprint = _fingerprint(fields, commander_id, state)
    wanted: list[Effect] = []
    if (state.rebuilt and state.datadog_id is None and state.priority is not None
            and policy.rule(state.priority).declare):
        wanted.append(FindIncident(key=keys.DATADOG_FIND, issue_url=issue.url))
    # A declaration planned in this run already carries the same content.
    if state.is_done(keys.DATADOG_DECLARE) and fingerprint != state.datadog_synced:
        wanted.append(UpdateIncident(key=keys.DATADOG_SYNC, fingerprint=fingerprint, fields=fields,
                                  commander_user_id=commander_id,
                                  customer_impact_end=state.resolved_at))
    texts = {item.id: item for item in followups(issue, state)}
    for pending in _pending(state, "todo"):
        item = texts.get(pending.fact or "")
        if item is not None:
            wanted.append(AddIncidentTodo(
                key=pending.key,
                content=item.text + (f" (owner: @{item.owner})" if item.owner else "")))
    return wanted


def _pending(state: IncidentState, kind: str) -> list[Pending]:
    return [item for item in state.outbox if item.kind == kind]


def _slack_mirrors(issue: IssueSnapshot, state: IncidentState, context: dict[str, object],
                   policy: Policy) -> list[Effect]:
    support = policy.slack.support_channel
    wanted: list[Effect] = []
    for pending in _pending(state, "update"):
        update = update_text(issue, pending.fact or "")
        if update is not None:
            wanted.append(_thread_post(
                pending.key, support,
                render("slack_update.mrkdwn.j2", update=update, issue=issue,
                       mention=context["commander_mention"]).strip(),
                broadcast=policy.slack.updates_to_channel, incident=issue.key,
                more_at=issue.url))
    for note in _pending(state, "note"):
        if note.channel:
            wanted.append(_thread_post(note.key, note.channel,
                                       f"{note.text}\n<{issue.url}|{escape_slack(issue.key)}>",
                                       in_thread=False, incident=issue.key))
        else:
            wanted.append(_thread_post(note.key, support, note.text or "",
                                       broadcast=note.broadcast, incident=issue.key))
    return wanted


def _lifecycle(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
               context: dict[str, object], policy: Policy, *, declared: bool) -> list[Effect]:
    wanted = _datadog_mirrors(issue, report, state, context, policy) if declared else []
    wanted += _slack_mirrors(issue, state, context, policy)
    if lifecycle.traits(state.phase).ended:
        if state.is_done(keys.PAGE):
            wanted.append(ResolvePage(key=keys.PAGE_RESOLVE, dedup_key=issue.key))
        wanted.append(PostComment(key=keys.RECOVERY_CHECKLIST,
                                  body=render("recovery_checklist.md.j2", **context)))
    if state.phase is Phase.RESOLVED and issue.history is not None:
        wanted.append(_postmortem(issue, report, state, context, policy))
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


def _reminders(issue: IssueSnapshot, state: IncidentState, policy: Policy) -> list[Effect]:
    if state.priority is None:
        return []
    commander = state.commander or (state.report.commander if state.report else None) or (
        issue.author)
    return [PostComment(key=item.key,
                        body=render("reminder.md.j2", state=state, commander=commander,
                                    policy=policy, rule=policy.rule(state.priority)))
            for item in _pending(state, "reminder")]


def _postmortem(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
                context: dict[str, object], policy: Policy) -> WritePostmortem:
    content = render_postmortem(issue, report, state, policy)
    day = report.started_at or issue.created_at
    if state.cycle > 1:  # a recurrence: its own file, dated by the reopen
        day = max((c.at for c in state.phase_changes if c.by == "reopened"), default=day)
    title = re.sub(r"^\s*\[[^\]]*\]\s*", "", issue.title) or issue.title
    recurrence = f" (recurrence {state.cycle})" if state.cycle > 1 else ""
    # GitHub refuses a title over 256 characters: the incident's own title gives way, and
    # what identifies the incident, `(#N)`, stays.
    prefix, suffix = f"Post-mortem{recurrence}: ", f" (#{issue.number})"
    title = shorten(title, GITHUB_TITLE - len(prefix) - len(suffix))
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
        wanted.append(AttachPostmortem(key=keys.DATADOG_POSTMORTEM, url=state.postmortem_url,
                                       title=f"Post-mortem of {issue.key}"))
    if issue.open:
        wanted.append(SetIssueState(key=keys.GITHUB_CLOSE, open=False))
    wanted.extend(OpenFollowUpIssue(
        key=keys.followup_issue(item.id), followup_id=item.id,
        title=shorten(f"Follow-up of incident #{issue.number}: {item.text}", GITHUB_TITLE),
        body=shorten(render("followup_issue.md.j2", issue=issue, item=item, state=state),
                     GITHUB_BODY),
        labels=(policy.labels.followup,),
    ) for item in followups(issue, state) if item.issue_number is None)
    return wanted


def replies(state: IncidentState) -> list[Effect]:
    wanted: list[Effect] = []
    for reply in _pending(state, "reply"):
        if reply.reaction and reply.comment_id:
            wanted.append(React(key=reply.key, comment_id=reply.comment_id,
                                content=reply.reaction))
        elif reply.text:
            wanted.append(PostComment(key=reply.key, body=shorten(reply.text, GITHUB_BODY)))
    wanted.extend(PostComment(key=item.key, body=item.text or "", on=item.comment_id)
                  for item in _pending(state, "pr-comment"))
    return wanted


def mirrors(issue: IssueSnapshot, report: IncidentReport | None, state: IncidentState,
            classification: Classification | None, policy: Policy) -> list[Effect]:
    """All effects the state calls for, in the order to try them (the page first)."""
    wanted: list[Effect] = []
    if (report is not None and state.priority is not None and state.severity is not None
            and lifecycle.traits(state.phase).declared):
        context = _context(issue, report, state, classification, policy)
        declaration = _declaration(issue, report, state, context, policy)
        if lifecycle.traits(state.phase).live:
            wanted.extend(declaration)
        declared = state.is_done(keys.DATADOG_DECLARE) or any(isinstance(e, DeclareIncident)
                                                 for e in wanted)
        wanted.extend(_lifecycle(issue, report, state, context, policy, declared=declared))
    wanted.extend(_reminders(issue, state, policy))
    wanted.extend(replies(state))
    order = {TriggerPage: 0, ResolvePage: 1, DeclareIncident: 2, FindIncident: 2,
             UpdateIncident: 3,
             WritePostmortem: 5, SetIssueState: 6}
    return sorted(wanted, key=lambda e: order.get(type(e), 4))
