"""The page: its words, and the page of a report just opened.

One builder for every page (`page_of`): the declaration's (due_effects.py), and the page of a
report just opened (`fresh_report_page`), which the Action's first step sends on the runner's
own Python before anything is installed, and the full run sends when that step did not. This
module and what it imports are standard library only, so both paths run this same code; a test
holds `fresh_report_page` equal to what `decide` plans, field for field.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incident_response.core import names
from incident_response.core.decision.page_effect import TriggerPage
from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules.answers import FormAnswers, validate_answers
from incident_response.core.rules.classification import classify
from incident_response.core.rules.form import FormTemplate, parse_form
from incident_response.core.rules.labels import phase_of
from incident_response.core.rules.permissions import has_permission
from incident_response.core.vocabulary import Priority, Severity

if TYPE_CHECKING:  # the typed model and the first step's light view both satisfy it
    from incident_response.core.rules.policy_reads import PagePolicy

__all__ = ["fresh_report_page", "page_of", "page_summary"]


def page_summary(priority: Priority, answers: FormAnswers, issue_key: str) -> str:
    """The line on-call reads first: the pager shows it as the alert's title."""
    return (f"[{priority}] {answers.service} is experiencing degraded service "
            f"({answers.environment}, ~{answers.users_per_hour:,} users/hour) - {issue_key}")


def page_of(issue: IssueSnapshot, answers: FormAnswers, priority: Priority, severity: Severity,
            *, commander: str, policy: PagePolicy) -> TriggerPage:
    """The page of a declared incident: deduplicated by the issue's key, so a repeat updates
    the same alert."""
    service = policy.service(answers.service)
    procedure = service.recovery_procedure if service else None
    return TriggerPage(
        key=keys.PAGE, dedup_key=issue.key,
        summary=page_summary(priority, answers, issue.key),
        source=f"{answers.service} ({answers.environment})",
        priority=priority, severity=severity,
        links=(("GitHub incident " + issue.key, issue.url),)
        + ((("Recovery procedure", procedure),) if procedure else ()),
        custom_details={
            "priority": priority.value,
            "severity": severity.value,
            "users_per_hour": answers.users_per_hour, "environment": answers.environment,
            "incident_commander": commander,
        },
    )


def fresh_report_page(issue: IssueSnapshot, policy: PagePolicy,
                      template: FormTemplate) -> TriggerPage | None:
    """The page `decide` plans for a report just opened, or None when it plans none.

    A report just opened is an open issue with the incident label and no phase label (no run
    has recorded it yet; a phase label means one has, and the full run decides from its
    record). Then the page goes out when the form is valid, the reporter may declare
    (`permissions.declare`), and the priority's rule says `page`: what `decide` concludes for
    such an issue without a record, as a test checks for many forms and policies.
    """
    if not issue.open or names.spelled(policy.labels.incident, issue.labels) is None:
        return None
    if any(phase_of(policy, name) is not None for name in issue.labels):
        return None
    answers, _ = validate_answers(parse_form(issue.body, template), template, policy,
                                  reporter=issue.author)
    if answers is None or not has_permission(issue.author_permission,
                                             policy.permissions.declare):
        return None
    classification = classify(answers, policy)
    if not policy.rule(classification.priority).page:
        return None
    return page_of(issue, answers, classification.priority, classification.severity,
                   commander=answers.commander or issue.author, policy=policy)
