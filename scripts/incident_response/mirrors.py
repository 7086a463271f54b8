"""Every outside effect the state calls for, done or not: the record's mirrors.

The state holds facts (declared, updates, notes, follow-ups, phase, reminders); each fact has
a mirror somewhere (a page, a Datadog field, a Slack message, a comment) under a stable key.
`decide` keeps the ones not yet done, which is how a failed or dropped mirror is repaired.
"""

from __future__ import annotations

import json
import re

from incident_response.classification import Classification
from incident_response.effects import (
    AddDatadogTodo,
    AttachPostmortem,
    DeclareInDatadog,
    Effect,
    OpenFollowUpIssue,
    PostComment,
    PostToSlack,
    React,
    ResolvePage,
    SetIssueState,
    SyncDatadog,
    TriggerPage,
    WritePostmortem,
)
from incident_response.policy import Policy
from incident_response.postmortem import (
    branch_name,
    content_hash,
    postmortem_path,
    render_postmortem,
)
from incident_response.rendering import escape_slack, render
from incident_response.report import IncidentReport
from incident_response.snapshot import IssueSnapshot
from incident_response.state import IncidentState
from incident_response.vocabulary import Phase

__all__ = [
    "ANNOUNCE",
    "DATADOG",
    "LEADERSHIP",
    "OOB_CHECKLIST",
    "PAGE",
    "RECOVERY_CHECKLIST",
    "TRIAGE_REQUEST",
    "datadog_fields",
    "mirrors",
]

PAGE = "page:trigger"
PAGE_RESOLVE = "page:resolve"
DATADOG = "datadog:declare"
DATADOG_SYNC = "datadog:sync"
ANNOUNCE = "slack:announce"
LEADERSHIP = "slack:leadership"
OOB_CHECKLIST = "comment:out-of-band-deploy"
TRIAGE_REQUEST = "comment:triage-request"
RECOVERY_CHECKLIST = "comment:recovery-checklist"
_LIVE = (Phase.ACTIVE, Phase.STABLE, Phase.RESOLVED, Phase.COMPLETED)


def _context(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
             classification: Classification | None, policy: Policy) -> dict[str, object]:
    commander = state.commander or report.commander
    person = policy.person(commander)
    assert state.priority is not None
    return {
        "issue": issue, "report": report, "state": state, "classification": classification,
        "service": policy.service(report.service), "commander": commander,
        "commander_slack": person.slack if person else None, "policy": policy,
        "rule": policy.rule(state.priority),
    }


def datadog_fields(report: IncidentReport, state: IncidentState,
                   policy: Policy) -> dict[str, tuple[str, str | list[str]]]:
    names = policy.datadog.fields
    service = policy.service(report.service)
    assert state.severity is not None and state.priority is not None  # noqa: PT018
    phase = state.phase.value if state.phase in _LIVE else "active"
    fields: dict[str, tuple[str, str | list[str]]] = {
        names.severity: ("dropdown", state.severity.value),
        names.state: ("dropdown", phase),
        names.teams: ("autocomplete", list(policy.datadog.teams)),
        names.services: ("autocomplete", list(policy.datadog.services)),
    }
    if names.priority:
        fields[names.priority] = ("dropdown", state.priority.value)
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
    if state.updates:
        latest = state.updates[-1]
        fields["summary"] = ("textbox", f"{latest.at:%Y-%m-%d %H:%M} UTC, @{latest.author}: "
                                        f"{latest.text}"[:1000])
    return fields


def _fingerprint(fields: dict[str, tuple[str, str | list[str]]], commander: str | None,
                 state: IncidentState) -> str:
    return content_hash(json.dumps([fields, commander, state.resolved_at.isoformat()
                                    if state.resolved_at else None], sort_keys=True))


def _slack_blocks(text: str, header: str, context_line: str) -> tuple[dict[str, object], ...]:
    return (
        {"type": "header", "text": {"type": "plain_text", "text": header[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context_line[:3000]}]},
    )


def _thread_post(key: str, channel: str, text: str, *, broadcast: bool = False,
                 in_thread: bool = True) -> PostToSlack:
    return PostToSlack(key=key, channel=channel, text=text[:3000],
                       blocks=({"type": "section", "text": {"type": "mrkdwn",
                                                            "text": text[:3000]}},),
                       in_thread=in_thread, broadcast=broadcast)


def _declaration(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
                 context: dict[str, object], policy: Policy) -> list[Effect]:
    assert state.priority is not None
    rule = policy.rule(state.priority)
    wanted: list[Effect] = []
    service = policy.service(report.service)
    if rule.page:
        wanted.append(TriggerPage(
            key=PAGE, dedup_key=issue.key,
            summary=render("page_summary.txt.j2", **context).strip()[:1024],
            source=f"{report.service} ({report.environment})",
            severity=policy.paging.severity[state.priority],
            links=(("GitHub incident " + issue.key, issue.url),)
            + ((("Recovery procedure", service.recovery_procedure),)
               if service and service.recovery_procedure else ()),
            custom_details={
                "priority": state.priority.value,
                "severity": state.severity.value if state.severity else None,
                "users_per_hour": report.users_per_hour, "environment": report.environment,
                "incident_commander": context["commander"],
            },
        ))
    if rule.declare:
        person = policy.person(str(context["commander"]))
        fields = datadog_fields(report, state, policy)
        commander_id = person.datadog if person else None
        wanted.append(DeclareInDatadog(
            key=DATADOG, issue_url=issue.url,
            title=f"{report.service} is experiencing degraded service",
            severity=state.severity.value if state.severity else "UNKNOWN", state="active",
            customer_impacted=True,
            customer_impact_scope=render("datadog_impact_scope.txt.j2", **context).strip(),
            fields=fields, commander_user_id=commander_id,
            notification_handles=tuple((h.handle, h.display_name)
                                       for h in policy.datadog.notification_handles),
            timeline_note=render("datadog_declared_note.md.j2", **context).strip(),
            fingerprint=_fingerprint(fields, commander_id, state),
        ))
    metadata = {"event_type": "incident_announced",
                "event_payload": {"incident": issue.key, "priority": state.priority.value}}
    if rule.announce:
        header = (f"{state.priority.value} incident: "
                  f"{report.service} is experiencing degraded service")
        wanted.append(PostToSlack(
            key=ANNOUNCE, channel=policy.slack.support_channel, text=f"{header} ({issue.key})",
            blocks=_slack_blocks(render("slack_announcement.mrkdwn.j2", **context).strip(),
                                 header, render("slack_context.mrkdwn.j2", **context).strip()),
            metadata=metadata, is_announcement=True,
        ))
    if rule.notify_leadership and policy.slack.leadership_channel:
        header = (f"Declared {state.priority.value}: "
                  f"{report.service} is experiencing degraded service")
        wanted.append(PostToSlack(
            key=LEADERSHIP, channel=policy.slack.leadership_channel,
            text=f"{header} ({issue.key})",
            blocks=_slack_blocks(render("slack_leadership.mrkdwn.j2", **context).strip(),
                                 header, issue.url),
            metadata={**metadata, "event_type": "incident_leadership_notice"},
        ))
    if rule.declare and report.code_change_required == "Yes":
        wanted.append(PostComment(key=OOB_CHECKLIST,
                                  body=render("out_of_band_deploy.md.j2", **context)))
    return wanted


def _datadog_mirrors(report: IncidentReport, state: IncidentState,
                     context: dict[str, object], policy: Policy) -> list[Effect]:
    person = policy.person(str(context["commander"]))
    commander_id = person.datadog if person else None
    fields = datadog_fields(report, state, policy)
    fingerprint = _fingerprint(fields, commander_id, state)
    wanted: list[Effect] = []
    # A declaration planned in this run already carries the same content.
    if state.is_done(DATADOG) and fingerprint != state.datadog_synced:
        wanted.append(SyncDatadog(key=DATADOG_SYNC, fingerprint=fingerprint, fields=fields,
                                  commander_user_id=commander_id,
                                  customer_impact_end=state.resolved_at))
    wanted.extend(AddDatadogTodo(key=f"datadog:todo:{f.id}",
                                 content=f.text + (f" (owner: @{f.owner})" if f.owner else ""))
                  for f in state.followups)
    return wanted


def _slack_mirrors(issue: IssueSnapshot, state: IncidentState, context: dict[str, object],
                   policy: Policy) -> list[Effect]:
    assert state.priority is not None
    announced = state.is_done(ANNOUNCE) or policy.rule(state.priority).announce
    support = policy.slack.support_channel
    wanted: list[Effect] = []
    if announced:
        wanted.extend(_thread_post(
            f"slack:update:{update.id}", support,
            render("slack_update.mrkdwn.j2", update=update, issue=issue,
                   mention=context["commander_slack"]).strip(),
            broadcast=policy.slack.updates_to_channel)
            for update in state.updates)
    for note in state.notes:
        if note.channel:
            wanted.append(_thread_post(f"slack:note:{note.id}", note.channel,
                                       f"{note.text}\n<{issue.url}|{escape_slack(issue.key)}>",
                                       in_thread=False))
        elif announced:
            wanted.append(_thread_post(f"slack:note:{note.id}", support, note.text,
                                       broadcast=note.broadcast))
    return wanted


def _lifecycle(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
               context: dict[str, object], policy: Policy, *, declared: bool) -> list[Effect]:
    assert state.priority is not None
    wanted = _datadog_mirrors(report, state, context, policy) if declared else []
    wanted += _slack_mirrors(issue, state, context, policy)
    if state.phase in (Phase.RESOLVED, Phase.COMPLETED):
        if state.is_done(PAGE):
            wanted.append(ResolvePage(key=PAGE_RESOLVE, dedup_key=issue.key))
        wanted.append(PostComment(key=RECOVERY_CHECKLIST,
                                  body=render("recovery_checklist.md.j2", **context)))
    if state.phase is Phase.RESOLVED and issue.history is not None:
        wanted.append(_postmortem(issue, report, state, context, policy))
    if state.phase is Phase.COMPLETED:
        wanted.extend(_completion(issue, state, policy, declared=declared))
    if not issue.open and state.phase is not Phase.COMPLETED:
        # GitHub closed the issue on a refused merge ("Closes #N"): it stays open.
        wanted.extend(SetIssueState(key=f"github:reopen:{number}", open=True,
                                    reason="reopened") for number in state.postmortem_refused)
    commander = state.commander or report.commander
    wanted.extend(PostComment(
        key=f"comment:reminder:{number}",
        body=render("reminder.md.j2", state=state, commander=commander, policy=policy,
                    rule=policy.rule(state.priority)))
        for number, _ in enumerate(state.reminders_sent, start=1))
    return wanted


def _postmortem(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
                context: dict[str, object], policy: Policy) -> WritePostmortem:
    content = render_postmortem(issue, report, state, policy)
    day = report.started_at or issue.created_at
    title = re.sub(r"^\s*\[[^\]]*\]\s*", "", issue.title) or issue.title
    return WritePostmortem(
        key="postmortem:write", branch=branch_name(issue.number),
        base=state.default_branch or "main",
        path=state.postmortem_path or postmortem_path(issue.number, issue.title, day),
        content=content, content_hash=content_hash(content),
        title=f"Post-mortem: {title} (#{issue.number})",
        body=render("postmortem_pr_body.md.j2", **context),
        commit_message=f"Post-mortem of incident #{issue.number}",
    )


def _completion(issue: IssueSnapshot, state: IncidentState, policy: Policy, *,
                declared: bool) -> list[Effect]:
    wanted: list[Effect] = []
    if declared and state.postmortem_url:
        wanted.append(AttachPostmortem(key="datadog:postmortem", url=state.postmortem_url,
                                       title=f"Post-mortem of {issue.key}"))
    if issue.open:
        wanted.append(SetIssueState(key="github:close", open=False))
    wanted.extend(OpenFollowUpIssue(
        key=f"github:followup:{item.id}", followup_id=item.id,
        title=f"Follow-up of incident #{issue.number}: {item.text}"[:200],
        body=render("followup_issue.md.j2", issue=issue, item=item, state=state),
    ) for item in state.followups)
    return wanted


def replies(state: IncidentState) -> list[Effect]:
    wanted: list[Effect] = []
    for reply in state.replies:
        if reply.reaction and reply.comment_id:
            wanted.append(React(key=f"reply:{reply.id}", comment_id=reply.comment_id,
                                content=reply.reaction))
        elif reply.body:
            wanted.append(PostComment(key=f"reply:{reply.id}", body=reply.body))
    return wanted


def mirrors(issue: IssueSnapshot, report: IncidentReport | None, state: IncidentState,
            classification: Classification | None, policy: Policy) -> list[Effect]:
    """All effects the state calls for, in the order to try them (the page first)."""
    wanted: list[Effect] = []
    if report is not None and state.priority is not None and state.phase in _LIVE:
        context = _context(issue, report, state, classification, policy)
        declaration = _declaration(issue, report, state, context, policy)
        if state.phase in (Phase.ACTIVE, Phase.STABLE):
            wanted.extend(declaration)
        declared = state.is_done(DATADOG) or any(isinstance(e, DeclareInDatadog)
                                                 for e in wanted)
        wanted.extend(_lifecycle(issue, report, state, context, policy, declared=declared))
    wanted.extend(replies(state))
    order = {TriggerPage: 0, ResolvePage: 1, DeclareInDatadog: 2, SyncDatadog: 3,
             WritePostmortem: 5, SetIssueState: 6}
    return sorted(wanted, key=lambda e: order.get(type(e), 4))
