"""`incident-response validate`: the config and the issue form must agree, and the workflows
with them and with each other (the incident label; the sweep's schedule)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from incident_response.adapters.slack.scopes import scope_lines
from incident_response.core import names
from incident_response.core.rules.answers import CODE_CHANGE_ANSWERS
from incident_response.core.rules.form import FormTemplate
from incident_response.core.rules.policy import Policy
from incident_response.resources import default_form_path
from incident_response.shell.configuration import DEFAULT_FORM, form_template, load_policy

__all__ = ["DAILY_WORKFLOW", "EVENTS_WORKFLOW", "REQUIRED_FIELDS", "SWEEP_WORKFLOW",
           "check_form", "check_incident_label", "check_schedule", "print_chat_scopes",
           "validate"]

#: the events workflow, relative to the repository root (the working directory)
EVENTS_WORKFLOW = Path(".github/workflows/incident.yml")
#: the frequent sweep, which rests while nothing is live, and the daily sweep that wakes it
SWEEP_WORKFLOW = Path(".github/workflows/sweep.yml")
DAILY_WORKFLOW = Path(".github/workflows/sweep-daily.yml")
#: the label names the events workflow's `if:` tests for: an issue's labels, a removed label
_WORKFLOW_LABEL = re.compile(
    r"contains\(\s*github\.event\.issue\.labels\.\*\.name\s*,\s*'(?P<a>(?:[^']|'')*)'\s*\)"
    r"|github\.event\.label\.name\s*==\s*'(?P<b>(?:[^']|'')*)'")

#: the form's field ids the program reads (README: the issue form), and the type each must have
REQUIRED_FIELDS = {
    "service": "dropdown",
    "environment": "dropdown",
    "users_affected_per_hour": "input",
    "user_impact": "dropdown",
    "csps_affected": "dropdown",
    "started_at": "input",
    "monitor": "input",
    "incident_commander": "input",
    "code_change_required": "dropdown",
    "summary": "textarea",
}


def _options(template: FormTemplate, field_id: str) -> list[str]:
    form_field = template.get(field_id)
    return list(form_field.options) if form_field else []


def check_form(policy: Policy, template: FormTemplate) -> list[str]:
    problems = []
    for field_id, kind in REQUIRED_FIELDS.items():
        form_field = template.get(field_id)
        if form_field is None:
            problems.append(f"the form has no field with id `{field_id}` ({kind}); add it")
        elif form_field.type != kind:
            problems.append(f"form field `{field_id}` is a {form_field.type}; make it a {kind}")
    # field id -> (what the config knows, where to add a missing option)
    option_sources = {
        "service": ({s.name for s in policy.services},
                    "is not in the config's services; add it under services: or drop it"),
        "environment": ({e.name for e in policy.environments},
                        "has no tier in the config; add it under environments:"),
        "user_impact": ({o.label for o in policy.severity.user_impact},
                        "has no severity in the config; add it under severity.user_impact"),
        "csps_affected": (set(policy.severity.sign_in_providers),
                          "is not in severity.sign_in_providers"),
        "code_change_required": (set(CODE_CHANGE_ANSWERS),
                                 f"must be one of {', '.join(CODE_CHANGE_ANSWERS)}"),
    }
    for field_id, (known, fix) in option_sources.items():
        problems.extend(
            f"form {field_id} option `{option}` {fix}"
            for option in _options(template, field_id) if option not in known
        )
    form_field = template.get("csps_affected")
    if form_field is not None and not form_field.multiple:
        problems.append("form field `csps_affected` must allow several answers (multiple: true)")
    return problems


def _form_labels(data: Any) -> list[str]:
    """The form's top-level `labels:` (a list, or GitHub's comma-separated string)."""
    labels = data.get("labels") if isinstance(data, dict) else None
    if isinstance(labels, str):
        return [name.strip() for name in labels.split(",") if name.strip()]
    if isinstance(labels, list):
        return [str(name).strip() for name in labels]
    return []


def _workflow_labels(text: str) -> list[str]:
    """The incident label names in the events workflow's `if:` (quotes unescaped)."""
    return [(match.group("a") if match.group("a") is not None else match.group("b"))
            .replace("''", "'") for match in _WORKFLOW_LABEL.finditer(text)]


def check_incident_label(policy: Policy, *, config_path: Path | None, form_data: Any,
                         form_path: Path, workflow_text: str | None,
                         workflow_path: Path) -> list[str]:
    """The config's `labels.incident`, the label the form applies and the label the events
    workflow runs for must be one name, or a report is never handled (and nothing says so)."""
    name = policy.labels.incident
    where = config_path or "the built-in defaults"
    config = f"the config's labels.incident ({where}) is `{name}`"
    problems = []
    form_labels = _form_labels(form_data)
    # GitHub compares label names without case (the form's `Incident` applies the
    # repository's `incident`), and so do the workflow expressions' contains() and ==.
    if names.spelled(name, form_labels) is None:
        shown = ", ".join(f"`{label}`" for label in form_labels) or "none"
        problems.append(
            f"{config}, but the form ({form_path}) applies the labels {shown} (its top-level "
            f"`labels:`), so a report never gets `{name}` and is never handled; add `{name}` "
            f"to the form's `labels:`, or set labels.incident in the config to the form's label")
    if workflow_text is not None:
        found = _workflow_labels(workflow_text)
        wrong = sorted({label for label in found if not names.same(label, name)})
        if not found:
            problems.append(
                f"{workflow_path}: its `if:` does not test for the incident label "
                f"(contains(github.event.issue.labels.*.name, '{name}')), so the job runs for "
                f"no report; restore the shipped `if:` (`incident-response init` writes it)")
        elif wrong:
            shown = ", ".join(f"'{label}'" for label in wrong)
            problems.append(
                f"{config}, but {workflow_path}'s `if:` runs the job only for the label "
                f"{shown}; replace {shown} with '{name}' in its "
                f"contains(github.event.issue.labels.*.name, ...) and "
                f"github.event.label.name == ... tests, or set labels.incident in the config "
                f"to match")
    return problems


def _jobs(data: Any) -> dict[str, dict[str, Any]]:
    jobs = data.get("jobs") if isinstance(data, dict) else None
    return {str(k): v for k, v in jobs.items() if isinstance(v, dict)} if isinstance(
        jobs, dict) else {}


def _writes_actions(data: Any, job: dict[str, Any]) -> bool:
    granted = job.get("permissions", data.get("permissions") if isinstance(data, dict) else None)
    return granted == "write-all" or (isinstance(granted, dict)
                                      and granted.get("actions") == "write")


def _schedule_keepers(data: Any) -> dict[str, dict[str, Any]]:
    """The jobs that turn the frequent sweep on or off (`keep-schedule: "true"`)."""
    return {name: job for name, job in _jobs(data).items()
            if any(str((step.get("with") or {}).get("keep-schedule")).lower() == "true"
                   for step in job.get("steps") or [] if isinstance(step, dict))}


def check_schedule(events: Any, sweep: Any, daily: Any) -> list[str]:
    """The frequent sweep may rest only if something wakes it: the events job (a declaration,
    a reopen) and the daily sweep's `wake` job, each with `actions: write`, as the shipped
    workflows have it. Each argument is a workflow as parsed, None when the file is absent."""
    rests = _schedule_keepers(sweep)
    if not rests:
        return []  # the frequent sweep never rests: nothing to wake it
    problems = [f"{SWEEP_WORKFLOW}: job `{name}` turns the sweep off and on but its "
                "`permissions:` lack `actions: write`; add it (the shipped file has it)"
                for name, job in rests.items() if not _writes_actions(sweep, job)]
    fix = (f"or remove job `{next(iter(rests))}` from {SWEEP_WORKFLOW} to keep the frequent "
           "sweep always on (`incident-response init` writes the shipped files)")
    if daily is None:
        problems.append(f"{SWEEP_WORKFLOW} rests while no incident is live, but there is no "
                        f"{DAILY_WORKFLOW} to wake it: add it, {fix}")
    elif not any(_writes_actions(daily, job) for job in _schedule_keepers(daily).values()):
        problems.append(f"{DAILY_WORKFLOW} has no job with `keep-schedule: \"true\"` and "
                        f"`actions: write`, so it never wakes {SWEEP_WORKFLOW}: restore its "
                        f"`wake` job, {fix}")
    handlers = _jobs(events)
    if events is not None and handlers and not any(_writes_actions(events, job)
                                                   for job in handlers.values()):
        problems.append(f"{EVENTS_WORKFLOW}: its job lacks `actions: write`, so a declaration "
                        f"cannot wake the resting {SWEEP_WORKFLOW} (reminders would wait for "
                        f"{DAILY_WORKFLOW}); add it to the job's `permissions:`, {fix}")
    return problems


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return None  # form_template has already said what is wrong with it


def validate(config: Path | None, form: Path | None) -> int:
    policy = load_policy(config)
    template = form_template(form)
    form_path = form or (DEFAULT_FORM if DEFAULT_FORM.exists() else default_form_path())
    workflow = EVENTS_WORKFLOW.read_text(encoding="utf-8") if EVENTS_WORKFLOW.exists() else None
    problems = check_form(policy, template)
    problems += check_incident_label(policy, config_path=config,
                                     form_data=_read_yaml(form_path), form_path=form_path,
                                     workflow_text=workflow, workflow_path=EVENTS_WORKFLOW)
    problems += check_schedule(*(_read_yaml(path) if path.exists() else None
                                 for path in (EVENTS_WORKFLOW, SWEEP_WORKFLOW, DAILY_WORKFLOW)))
    if problems:
        print("incident-response validate: the config, the form and the workflow disagree:")
        for problem in problems:
            print(f"  - {problem}")
        return 2
    print(f"incident-response validate: config and form agree "
          f"({len(policy.services)} services, {len(template.fields)} form fields; "
          f"incident label `{policy.labels.incident}`"
          + (f", as in {EVENTS_WORKFLOW}" if workflow is not None else "") + ").")
    print_chat_scopes(policy)
    return 0


def print_chat_scopes(policy: Policy) -> None:
    """What the chat's bot token needs for the config's channels. Offline, so it cannot check
    the token itself: it says what the channels, as written, call for."""
    print("Slack: the bot token (SLACK_BOT_TOKEN) needs these scopes for the config's channels "
          "(OAuth & Permissions -> Bot Token Scopes, then reinstall the app):")
    for line in scope_lines([policy.chat.support_channel, policy.chat.leadership_channel]):
        print(f"  - {line}")
