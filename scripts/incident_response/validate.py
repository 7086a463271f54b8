"""`incident-response validate`: the config and the issue form must agree."""

from __future__ import annotations

from pathlib import Path

from incident_response.core.form import FormTemplate
from incident_response.core.policy import Policy
from incident_response.core.report import CODE_CHANGE_ANSWERS
from incident_response.shell.configuration import form_template, load_policy

__all__ = ["REQUIRED_FIELDS", "check_form", "validate"]

#: CONTRACT §5: ids the program reads, and the type each must have
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


def validate(config: Path | None, form: Path | None) -> int:
    policy = load_policy(config)
    template = form_template(form)
    problems = check_form(policy, template)
    if problems:
        print("incident-response validate: the config and the form disagree:")
        for problem in problems:
            print(f"  - {problem}")
        return 2
    print(f"incident-response validate: config and form agree "
          f"({len(policy.services)} services, {len(template.fields)} form fields).")
    return 0
