"""`incident-response handle`: one GitHub Actions event, reconciled into the incident record.

load -> decide (pure) -> record labels and the status comment -> execute outside effects
(page first) -> record the results. The status comment is written before anything goes out,
so the state that prevents duplicates exists before a duplicate could be made.
"""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime
from pathlib import Path

from incident_response import actions
from incident_response.errors import ServiceError
from incident_response.events import Event, incident_number, read_event
from incident_response.execute import Outcome, Services, execute
from incident_response.form import FormTemplate, load_form_template
from incident_response.plan import Plan
from incident_response.policy import Policy, load_policy
from incident_response.resources import default_form_path
from incident_response.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.state import STATUS_MARKER, parse_state
from incident_response.status import effect_name, status_comment

__all__ = ["find_status_comment", "form_template", "handle"]

DEFAULT_FORM = Path(".github/ISSUE_TEMPLATE/incident.yml")
_TRUSTED_ASSOCIATIONS = {"OWNER": "admin", "MEMBER": "write", "COLLABORATOR": "write"}


def form_template(path: Path | None = None) -> FormTemplate:
    chosen = path or (DEFAULT_FORM if DEFAULT_FORM.exists() else default_form_path())
    return load_form_template(chosen)


def find_status_comment(issue: IssueSnapshot, bot_login: str) -> CommentSnapshot | None:
    """The bot's status comment: its marker on the first line, written by the bot's login."""
    for comment in issue.comments:
        if comment.author == bot_login and comment.body.lstrip().startswith(STATUS_MARKER):
            return comment
    return None


def _snapshot_from_payload(event: Event) -> IssueSnapshot:
    """The issue as the event saw it, for a dry run without a token (no comments, no API)."""
    issue = event.payload["issue"]
    created = str(issue.get("created_at") or "").replace("Z", "+00:00")
    return IssueSnapshot(
        repository=event.repository,
        number=int(issue["number"]),
        title=str(issue.get("title") or ""),
        body=str(issue.get("body") or ""),
        author=str((issue.get("user") or {}).get("login") or ""),
        labels=tuple(str(label["name"]) for label in issue.get("labels") or []),
        open=issue.get("state") == "open",
        url=str(issue.get("html_url") or ""),
        created_at=datetime.fromisoformat(created) if created else datetime.now(UTC),
        # Offline, the payload's association stands in for the permission endpoint.
        author_permission=_TRUSTED_ASSOCIATIONS.get(str(issue.get("author_association")), "read"),
    )


def _run_url() -> str | None:
    server, repo, run = (os.environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


def print_plan(plan: Plan, policy: Policy, number: int) -> None:
    state = plan.state
    print(f"Plan for incident #{number} (dry run: nothing is sent)")
    if plan.classification:
        print(f"  priority {state.priority}: {plan.classification.priority_reason}")
        print(f"  severity {state.severity}: {plan.classification.severity_reason}")
    for problem in plan.problems:
        print(f"  form problem, {problem.label} ({problem.field_id}): {problem.message}")
    print(f"  phase: {state.phase}")
    if plan.labels_to_add or plan.labels_to_remove:
        print(f"  labels: add {plan.labels_to_add or 'none'}, "
              f"remove {plan.labels_to_remove or 'none'}")
    print("  status comment: create or update")
    for number_in_order, effect in enumerate(plan.effects, start=1):
        print(f"  {number_in_order}. {effect.service}: {effect.describe()}")
    if not plan.effects:
        print("  no outside effects")
    for notice in plan.notices:
        print(f"  note: {notice}")
    print()
    print(status_comment(plan, None, policy))


def _summary(plan: Plan, outcome: Outcome, number: int, errors: list[str]) -> str:
    state = plan.state
    lines = [f"### Incident #{number}: {state.priority or 'unclassified'} "
             f"{state.severity or ''} · {state.phase}", ""]
    for result in outcome.results:
        mark = {"done": "done", "failed": "**FAILED**", "skipped": "skipped"}[result.status]
        lines.append(f"- {effect_name(result.effect.key)}: {mark} {result.detail}")
    for error in errors:
        lines.append(f"- GitHub record: **FAILED** {error}")
    if not outcome.results and not errors:
        lines.append("- nothing to send outside GitHub")
    if outcome.failed or errors:
        lines += ["", "Failed effects are retried by the next run (a new event, or the sweep). "
                  "The cause is in each line; fix credentials or channels in the repository "
                  "secrets and the config."]
    return "\n".join(lines)


def _is_report_event(event: Event, number: int | None) -> bool:
    return number is not None and event.name == "issues" and event.action in (
        "opened", "edited", "reopened", "labeled",
    )


def _write_record_first(plan: Plan, services: Services, policy: Policy, number: int, *,
                        existing: CommentSnapshot | None, errors: list[str]) -> int | None:
    """Labels and the status comment, before anything leaves GitHub. Returns the comment id."""
    github = services.github
    assert github is not None
    try:
        github.ensure_labels(plan.labels_to_create)
        github.change_labels(number, plan.labels_to_add, plan.labels_to_remove)
    except ServiceError as error:
        errors.append(str(error))
    if existing is not None:
        return existing.id
    try:
        return github.create_comment(number, status_comment(plan, None, policy, _run_url()))
    except ServiceError as error:
        errors.append(str(error))
        # Without the state block a later run cannot know what went out, so only the page
        # (idempotent through its dedup key) is sent; everything else waits for the record.
        plan.effects = [e for e in plan.effects if e.key == "page:trigger"]
        return None


def _report(plan: Plan, outcome: Outcome, number: int, errors: list[str]) -> int:
    for result in outcome.skipped:
        actions.annotate("notice", f"{result.effect.service} skipped", result.detail)
    for result in outcome.failed:
        actions.annotate("error", f"{effect_name(result.effect.key)} failed", result.detail)
    for error in errors:
        actions.annotate("error", "GitHub record failed", error)
    summary = _summary(plan, outcome, number, errors)
    print(summary)
    actions.write_summary(summary)
    actions.write_outputs({
        "incident-number": str(number),
        "priority": str(plan.state.priority or ""),
        "severity": str(plan.state.severity or ""),
        "phase": str(plan.state.phase),
    })
    return 1 if outcome.failed or errors else 0


def handle(arguments: argparse.Namespace, config: Path | None, now: datetime) -> int:
    event = read_event(arguments.event, arguments.event_name, arguments.repo)
    policy = load_policy(config)
    number = incident_number(event, policy.labels.incident)
    if not _is_report_event(event, number):
        print(f"incident-response: {event.name}.{event.action or '-'} is not about an "
              "incident report; nothing to do.")
        return 0
    assert number is not None
    template = form_template()

    existing: CommentSnapshot | None = None
    if arguments.dry_run and not os.environ.get("GITHUB_TOKEN"):
        issue = _snapshot_from_payload(event)
    else:
        from incident_response.wiring import github_tracker

        try:
            issue = github_tracker(event.repository, policy).load_issue(number)
        except ServiceError as error:
            actions.annotate("error", "Incident not loaded", str(error))
            print(f"incident-response: {error}")
            return 1
        existing = find_status_comment(issue, policy.github.bot_login)

    from incident_response.decide import decide_report

    previous = parse_state(existing.body) if existing else None
    plan = decide_report(issue, previous, policy, template, now)
    if arguments.dry_run:
        print_plan(plan, policy, number)
        return 0

    from incident_response.wiring import build_services

    services = build_services(event.repository, policy)
    errors: list[str] = []
    comment_id = _write_record_first(plan, services, policy, number, existing=existing,
                                     errors=errors)
    outcome = execute(plan, services, number, now)
    if comment_id is not None and services.github is not None:
        try:
            services.github.update_comment(
                comment_id, status_comment(plan, outcome, policy, _run_url()))
        except ServiceError as error:
            errors.append(str(error))
    return _report(plan, outcome, number, errors)
