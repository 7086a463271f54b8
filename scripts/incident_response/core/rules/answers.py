"""The form's answers, validated into typed fields.

Every problem is collected (not only the first), each naming the field as the reporter saw it
and saying how to fix it, so one comment can list them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from incident_response.core.rules.form import FormTemplate, ParsedForm
from incident_response.core.texts.markdown_text import code_span

# The policy is read through a protocol: the typed model satisfies it, and so does the light
# view of the Action's first step, which runs without pydantic (core/rules/policy_reads.py).
if TYPE_CHECKING:
    from incident_response.core.rules.policy_reads import FormPolicy

__all__ = [
    "FieldProblem",
    "FormAnswers",
    "parse_started_at",
    "parse_users_per_hour",
    "validate_answers",
]

_LOGIN = re.compile(r"^@?(?P<login>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$")
_NUMBER = re.compile(
    r"^(?:~|≈|about|approx(?:imately)?\.?|around|roughly|est(?:imated)?\.?|>|more than|over)?\s*"
    r"(?P<digits>\d[\d,_ ]*(?:\.\d+)?)\s*(?P<suffix>k|K|thousand)?\s*\+?"
    r"\s*(?:users?)?\s*(?:/\s*h(?:ou)?r|per hour|an hour)?$",
    re.IGNORECASE,
)
CODE_CHANGE_ANSWERS = ("Yes", "No", "Not sure")


@dataclass(frozen=True)
class FieldProblem:
    field_id: str
    label: str
    message: str


@dataclass(frozen=True)
class FormAnswers:
    service: str
    environment: str
    users_per_hour: int
    user_impact: str
    providers: tuple[str, ...]
    summary: str
    started_at: datetime | None = None
    monitor: str | None = None
    commander: str | None = None
    code_change_required: str = "Not sure"


def parse_users_per_hour(text: str) -> int | None:
    """`1,500`, `~2000`, `about 2k`, `1000+` -> a whole number; None when it is not one."""
    match = _NUMBER.match(text.strip())
    if not match:
        return None
    digits = re.sub(r"[,_ ]", "", match["digits"])
    try:
        value = float(digits)
    except ValueError:
        return None
    if match["suffix"]:
        value *= 1000
    return int(value)


def parse_started_at(text: str) -> datetime | None:
    """ISO 8601 (`2026-11-28T08:05Z`, `2026-11-28 08:05`); a time without a zone is UTC."""
    candidate = text.strip().replace(" UTC", "").replace(" utc", "")
    if candidate.endswith(("Z", "z")):
        candidate = candidate[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass
class _Checker:
    parsed: ParsedForm
    template: FormTemplate
    problems: list[FieldProblem] = field(default_factory=list)

    def label(self, field_id: str) -> str:
        form_field = self.template.get(field_id)
        return form_field.label if form_field else field_id

    def problem(self, field_id: str, message: str) -> None:
        self.problems.append(FieldProblem(field_id, self.label(field_id), message))

    def text(self, field_id: str, *, required: bool) -> str | None:
        value = self.parsed.choices(field_id)
        text = value[0].strip() if value else None
        if not text and required:
            self.problem(field_id, "is empty: answer it and save the issue.")
        return text or None

    def choice(self, field_id: str, options: list[str], *, required: bool) -> str | None:
        text = self.text(field_id, required=required)
        if text is None:
            return None
        folded = {o.casefold(): o for o in options}
        if text.casefold() in folded:
            return folded[text.casefold()]
        listed = ", ".join(code_span(o) for o in options)
        self.problem(field_id,
                     f"{code_span(text)} is not one of the choices; pick one of {listed}.")
        return None


def validate_answers(
    parsed: ParsedForm, template: FormTemplate, policy: FormPolicy, *, reporter: str
) -> tuple[FormAnswers | None, list[FieldProblem]]:
    """The typed answers, or None with every problem found."""
    check = _Checker(parsed, template)
    if not parsed.values and len(parsed.missing) == len(template.fields):
        check.problems.append(
            FieldProblem(
                "body",
                "Issue body",
                "does not contain the incident form's sections. Open the incident with the "
                "Incident form, or copy its headings (### Affected service, ...) into the body.",
            )
        )
        return None, check.problems

    service = check.choice("service", [s.name for s in policy.services], required=True)
    environment = check.choice(
        "environment", [e.name for e in policy.environments], required=True
    )
    users_text = check.text("users_affected_per_hour", required=True)
    users = None
    if users_text is not None:
        users = parse_users_per_hour(users_text)
        if users is None:
            check.problem(
                "users_affected_per_hour",
                f"{code_span(users_text)} is not a number of users; write a number such as 1500, "
                "1,500 or ~2000.",
            )
    impact = check.choice(
        "user_impact", [o.label for o in policy.severity.user_impact], required=True
    )
    providers: list[str] = []
    known = {p.casefold(): p for p in policy.severity.sign_in_providers}
    for name in parsed.choices("csps_affected"):
        if name.casefold() in known:
            providers.append(known[name.casefold()])
        elif name.strip() and name != "None":
            listed = ", ".join(code_span(p) for p in policy.severity.sign_in_providers)
            check.problem("csps_affected",
                          f"{code_span(name)} is not a sign-in provider; use {listed}.")
    started = None
    if (started_text := check.text("started_at", required=False)) is not None:
        started = parse_started_at(started_text)
        if started is None:
            check.problem(
                "started_at",
                f"{code_span(started_text)} is not a date and time; write it as 2026-11-28 08:05 "
                "(UTC) or 2026-11-28T08:05Z.",
            )
    commander = reporter
    if (commander_text := check.text("incident_commander", required=False)) is not None:
        login = _LOGIN.match(commander_text)
        if login is None:
            check.problem(
                "incident_commander",
                f"{code_span(commander_text)} is not a GitHub handle; write it as @octocat.",
            )
        else:
            commander = login["login"]
    code_change = check.choice(
        "code_change_required", list(CODE_CHANGE_ANSWERS), required=False
    )
    summary = check.text("summary", required=True)

    if check.problems or not (service and environment and users is not None and impact
                              and summary):
        return None, check.problems
    return (
        FormAnswers(
            service=service,
            environment=environment,
            users_per_hour=users,
            user_impact=impact,
            providers=tuple(providers),
            summary=summary,
            started_at=started,
            monitor=check.text("monitor", required=False),
            commander=commander,
            code_change_required=code_change or "Not sure",
        ),
        [],
    )
