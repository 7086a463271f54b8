"""The functional core: from the incident as GitHub has it to a plan. No I/O, no clock, no env.

`decide_report` handles a report (opened or edited issue) and, being level-triggered, also
re-plans anything a previous run left undone: an effect is planned whenever the policy wants
it and the state block does not record it as done.
"""

from __future__ import annotations

from datetime import datetime

from incident_response.classification import Classification, classify
from incident_response.effects import (
    DeclareInDatadog,
    Effect,
    PostComment,
    PostToSlack,
    TriggerPage,
)
from incident_response.form import FormTemplate, parse_form
from incident_response.labels import (
    label_specs,
    managed,
    phase_label,
    priority_label,
    severity_label,
)
from incident_response.plan import Plan
from incident_response.policy import Policy
from incident_response.rendering import render
from incident_response.report import IncidentReport, validate_report
from incident_response.snapshot import IssueSnapshot
from incident_response.state import IncidentState
from incident_response.vocabulary import Phase

__all__ = [
    "GIVE_UP_AFTER",
    "PERMISSION_RANK",
    "decide_report",
    "has_permission",
    "outside_effects",
]

PERMISSION_RANK = {"none": 0, "read": 1, "triage": 2, "write": 3, "maintain": 4, "admin": 5}
#: failed attempts (over all runs) after which an effect is reported as abandoned, not retried
GIVE_UP_AFTER = 10

PAGE = "page:trigger"
DATADOG = "datadog:declare"
ANNOUNCE = "slack:announce"
LEADERSHIP = "slack:leadership"
OOB_CHECKLIST = "comment:out-of-band-deploy"
TRIAGE_REQUEST = "comment:triage-request"


def has_permission(permission: str, required: str) -> bool:
    return PERMISSION_RANK.get(permission, 0) >= PERMISSION_RANK[required]


def _context(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
             classification: Classification, policy: Policy) -> dict[str, object]:
    service = policy.service(report.service)
    commander = state.roles.get("commander") or report.commander
    person = policy.person(commander)
    priority = state.priority
    assert priority is not None
    return {
        "issue": issue,
        "report": report,
        "state": state,
        "classification": classification,
        "service": service,
        "commander": commander,
        "commander_slack": person.slack if person else None,
        "policy": policy,
        "rule": policy.rule(priority),
    }


def _datadog_fields(report: IncidentReport, state: IncidentState,
                    policy: Policy) -> dict[str, tuple[str, str | list[str]]]:
    names = policy.datadog.fields
    service = policy.service(report.service)
    assert state.severity is not None and state.priority is not None  # noqa: PT018
    fields: dict[str, tuple[str, str | list[str]]] = {
        names.severity: ("dropdown", state.severity.value),
        names.state: ("dropdown", "active"),
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
    return fields


def _slack_blocks(text: str, header: str, context_line: str) -> tuple[dict[str, object], ...]:
    return (
        {"type": "header", "text": {"type": "plain_text", "text": header[:150]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context_line[:3000]}]},
    )


def outside_effects(issue: IssueSnapshot, report: IncidentReport, state: IncidentState,
                    classification: Classification, policy: Policy) -> list[Effect]:
    """Every effect the policy wants for this incident now, done or not, in the order to try."""
    if state.phase not in (Phase.ACTIVE, Phase.STABLE) or state.priority is None:
        return []
    rule = policy.rule(state.priority)
    context = _context(issue, report, state, classification, policy)
    metadata = {"event_type": "incident_announced",
                "event_payload": {"incident": issue.key, "priority": state.priority.value}}
    wanted: list[Effect] = []
    if rule.page:
        wanted.append(TriggerPage(
            key=PAGE,
            dedup_key=issue.key,
            summary=render("page_summary.txt.j2", **context).strip()[:1024],
            source=f"{report.service} ({report.environment})",
            severity=policy.paging.severity[state.priority],
            links=(("GitHub incident " + issue.key, issue.url),)
            + ((("Recovery procedure", s.recovery_procedure),)
               if (s := policy.service(report.service)) and s.recovery_procedure else ()),
            custom_details={
                "priority": state.priority.value,
                "severity": state.severity.value if state.severity else None,
                "users_per_hour": report.users_per_hour,
                "environment": report.environment,
                "incident_commander": context["commander"],
            },
        ))
    if rule.declare:
        person = policy.person(str(context["commander"]))
        wanted.append(DeclareInDatadog(
            key=DATADOG,
            issue_url=issue.url,
            title=f"{report.service} is experiencing degraded service",
            severity=state.severity.value if state.severity else "UNKNOWN",
            state="active",
            customer_impacted=True,
            customer_impact_scope=render("datadog_impact_scope.txt.j2", **context).strip(),
            fields=_datadog_fields(report, state, policy),
            commander_user_id=person.datadog if person else None,
            notification_handles=tuple(
                (h.handle, h.display_name) for h in policy.datadog.notification_handles
            ),
            timeline_note=render("datadog_declared_note.md.j2", **context).strip(),
        ))
    if rule.announce:
        text = render("slack_announcement.mrkdwn.j2", **context).strip()
        header = (f"{state.priority.value} incident: "
                  f"{report.service} is experiencing degraded service")
        wanted.append(PostToSlack(
            key=ANNOUNCE,
            channel=policy.slack.support_channel,
            text=f"{header} ({issue.key})",
            blocks=_slack_blocks(text, header,
                                 render("slack_context.mrkdwn.j2", **context).strip()),
            metadata=metadata,
            is_announcement=True,
        ))
    if rule.notify_leadership and policy.slack.leadership_channel:
        text = render("slack_leadership.mrkdwn.j2", **context).strip()
        header = (f"Declared {state.priority.value}: "
                  f"{report.service} is experiencing degraded service")
        wanted.append(PostToSlack(
            key=LEADERSHIP,
            channel=policy.slack.leadership_channel,
            text=f"{header} ({issue.key})",
            blocks=_slack_blocks(text, header, issue.url),
            metadata={**metadata, "event_type": "incident_leadership_notice"},
        ))
    if rule.declare and report.code_change_required == "Yes":
        wanted.append(PostComment(key=OOB_CHECKLIST,
                                  body=render("out_of_band_deploy.md.j2", **context)))
    return wanted


def _labels(plan: Plan, issue: IssueSnapshot, policy: Policy) -> None:
    state = plan.state
    wanted = {policy.labels.incident, phase_label(policy, state.phase)}
    if state.priority:
        wanted.add(priority_label(policy, state.priority))
    if state.severity:
        wanted.add(severity_label(policy, state.severity))
    present = set(issue.labels)
    specs = label_specs(policy)
    plan.labels_to_add = sorted(wanted - present)
    plan.labels_to_remove = sorted(n for n in present - wanted if managed(policy, n))
    plan.labels_to_create = [specs[n] for n in plan.labels_to_add if n in specs]


def decide_report(issue: IssueSnapshot, previous: IncidentState | None, policy: Policy,
                  template: FormTemplate, now: datetime) -> Plan:
    """Plan for an incident report: classify, record, and declare what is due."""
    state = previous.model_copy(deep=True) if previous else IncidentState(
        reporter=issue.author, opened_at=issue.created_at
    )
    plan = Plan(state=state)
    report, problems = validate_report(
        parse_form(issue.body, template), template, policy, reporter=issue.author
    )
    plan.report, plan.problems = report, problems
    if report is None:
        if previous is None:
            state.phase = Phase.TRIAGE
        plan.notices.append(
            "The form has problems (listed above); nothing was sent outside GitHub. "
            "Edit the issue to fix them and it is handled again."
            if state.phase is Phase.TRIAGE else
            "The edited form has problems (listed above); the incident keeps its last "
            "classification until they are fixed."
        )
        _labels(plan, issue, policy)
        return plan

    classification = classify(report, policy)
    plan.classification = classification
    state.priority = state.priority_override or classification.priority
    state.severity = state.severity_override or classification.severity
    state.commander = state.roles.get("commander") or report.commander
    trusted = has_permission(issue.author_permission, policy.permissions.declare) or bool(
        state.confirmed_by
    )
    if state.phase is Phase.TRIAGE and trusted:
        state.phase = Phase.ACTIVE
    if state.phase is Phase.TRIAGE and not trusted:
        plan.notices.append(
            f"@{issue.author} cannot declare incidents here (needs {policy.permissions.declare} "
            "permission), so nothing was sent outside GitHub. A responder confirms with /declare."
        )
        if not state.is_done(TRIAGE_REQUEST):
            plan.effects.append(PostComment(
                key=TRIAGE_REQUEST,
                body=render("triage_request.md.j2", issue=issue, policy=policy, report=report),
            ))

    rule = policy.rule(state.priority)
    if rule.declare and state.phase in (Phase.ACTIVE, Phase.STABLE) and state.declared_at is None:
        state.declared_at = now
    for effect in outside_effects(issue, report, state, classification, policy):
        failure = state.failures.get(effect.key)
        if state.is_done(effect.key):
            continue
        if failure and failure.attempts >= GIVE_UP_AFTER:
            plan.abandoned.append(effect.key)
            continue
        plan.effects.append(effect)
    # The page goes first: it is the most time-critical effect.
    plan.effects.sort(key=lambda e: 0 if isinstance(e, TriggerPage) else 1)
    _labels(plan, issue, policy)
    return plan
