"""The drill's scenarios: who does what, when, in a tabletop incident."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from incident_response.core.errors import UsageError
from incident_response.core.rules.answers import validate_answers
from incident_response.core.rules.form import FormTemplate, parse_form
from incident_response.core.rules.policy import Policy

__all__ = ["SCENARIOS", "Scenario", "Step", "for_policy", "form_body"]

REPORTER, COMMANDER, RESPONDER = "drill-reporter", "drill-commander", "drill-responder"


@dataclass(frozen=True)
class Step:
    minutes: int
    kind: str  # report, comment, sweep, merge
    author: str = ""
    text: str = ""
    #: what a responder should read next to the step's header
    narration: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    answers: dict[str, str]
    steps: tuple[Step, ...]
    description: str = ""
    people: dict[str, str] = field(default_factory=lambda: {
        REPORTER: "write", COMMANDER: "write", RESPONDER: "write"})
    #: end with the incident report of the drill's month, written to the output folder
    report: bool = False


def form_body(template: FormTemplate, answers: dict[str, str]) -> str:
    """The issue body exactly as GitHub renders a submitted issue form."""
    sections = []
    for form_field in template.fields:
        answer = answers.get(form_field.id, "")
        if not answer:
            answer = "None" if form_field.type == "dropdown" else "_No response_"
        sections.append(f"### {form_field.label}\n\n{answer}")
    return "\n\n".join(sections)


_SSOE = {
    "service": "SSOe", "environment": "production", "users_affected_per_hour": "2,500",
    "user_impact": "A significant share of users cannot sign in (for example one sign-in "
                   "provider is down)",
    "csps_affected": "Login.gov", "started_at": "", "monitor":
        "Production Outbound SSOe Percent Error Threshold crossed [89113]",
    "incident_commander": f"@{REPORTER}", "code_change_required": "No",
    "summary": "Tabletop: SSOe sign-ins through Login.gov fail with a SAML error. The outbound "
               "SSOe error monitor has been alerting for 15 minutes.",
}

P1 = Scenario(
    name="p1",
    title="[Incident] Drill: SSOe sign-in failing for Login.gov users",
    description="A P1 from report to completion: declare, updates, a reminder, mitigate, "
                "resolve, post-mortem, complete.",
    answers=_SSOE,
    steps=(
        Step(0, "report", REPORTER, narration="The on-call engineer opens the incident form."),
        Step(2, "comment", REPORTER, f"/ic @{COMMANDER}",
             "The incident commander takes over."),
        Step(4, "comment", COMMANDER, "/timeline 07:55 ISAM configuration change deployed",
             "A back-dated timeline entry for what happened before the report."),
        Step(10, "comment", COMMANDER, "/update Rolling back the ISAM configuration change",
             "First update."),
        Step(25, "comment", RESPONDER,
             "/update Rollback done; SSOe error rate falling\n"
             "/followup Alert on the SSOe error rate within 5 minutes @drill-responder",
             "Second update, and a follow-up for the post-mortem."),
        Step(56, "sweep", narration="The scheduled sweep: 31 minutes without an update."),
        Step(58, "comment", COMMANDER, "/mitigate", "Impact is contained."),
        Step(75, "comment", COMMANDER, "/resolve",
             "Resolved: recovery checks and the post-mortem pull request."),
        Step(120, "merge", COMMANDER, narration="The reviewed post-mortem is merged."),
    ),
)

P3_STAGING = Scenario(
    name="p3-staging",
    title="[Incident] Drill: staging SiS token requests slow",
    description="A P3 in staging: recorded and announced, never declared or paged.",
    answers={**_SSOE, "service": "SiS", "environment": "staging",
             "users_affected_per_hour": "150",
             "user_impact": "Sign-in works after retries or slowly (intermittent but "
                            "significant)",
             "csps_affected": "", "monitor": "SiS Success Rate Monitor (Staging) [255910]",
             "summary": "Tabletop: staging SiS token requests take 8 seconds; retries succeed."},
    steps=(
        Step(0, "report", REPORTER, narration="A developer reports slow staging sign-ins."),
        Step(30, "comment", REPORTER, "/update Cache node restarted; latency normal",
             "An update."),
        Step(40, "comment", REPORTER, "/resolve", "Resolved."),
        Step(90, "merge", REPORTER, narration="The post-mortem is merged."),
    ),
)

ESCALATION = Scenario(
    name="escalation",
    title="[Incident] Drill: ID.me sign-ins failing intermittently",
    description="A P2 that grows: raised to P1 by command, which declares and pages then.",
    answers={**_SSOE, "service": "ID.me", "users_affected_per_hour": "500",
             "user_impact": "Sign-in works after retries or slowly (intermittent but "
                            "significant)",
             "csps_affected": "ID.me",
             "summary": "Tabletop: about one ID.me sign-in in five fails, then works on retry."},
    steps=(
        Step(0, "report", REPORTER, narration="Support reports intermittent ID.me failures."),
        Step(15, "comment", REPORTER, "/update Failures rising; now about half of ID.me sign-ins",
             "Things get worse."),
        Step(16, "comment", REPORTER, "/priority P1\n/severity SEV-2",
             "Raised to P1: declared and paged now."),
        Step(50, "comment", REPORTER, "/resolve", "ID.me fixed its side; resolved."),
        Step(110, "merge", REPORTER, narration="The post-mortem is merged."),
    ),
)

_DAY = 1440

OVERDUE_POSTMORTEM = Scenario(
    name="overdue-postmortem",
    title="[Incident] Drill: SSOe outage fixed by an out-of-band deploy",
    description="A P1 fixed by an out-of-band deploy, whose post-mortem is due 2 business days "
                "after resolution and runs late: a reminder on its pull request, then a daily "
                "comment and one message to leadership; it ends with the month's report.",
    answers={**_SSOE, "code_change_required": "Yes"},
    steps=(
        Step(0, "report", REPORTER, narration="The on-call engineer opens the incident form."),
        Step(20, "comment", REPORTER, "/update Hotfix for the SAML signing change in review",
             "An update."),
        Step(45, "comment", REPORTER, "/resolve",
             "Resolved by the out-of-band deploy: the post-mortem is due in 2 business days."),
        *(Step(day * _DAY + 60, "sweep",
               narration=f"Day {day}: the scheduled sweep chases the post-mortem.")
          for day in (1, 2, 3, 4, 5, 6, 7)),
        Step(8 * _DAY + 60, "merge", COMMANDER,
             narration="Day 8: the post-mortem is finally merged, late."),
    ),
    report=True,
)

SCENARIOS = {s.name: s for s in (P1, P3_STAGING, ESCALATION, OVERDUE_POSTMORTEM)}


#: the tier each scenario's environment has in the built-in policy
_SCENARIO_TIERS = {"production": 1, "staging": 2, "other": 3}


def _offered(template: FormTemplate, field_id: str, known: list[str]) -> list[str]:
    """What the config knows, in its order, that the form also offers (a field without
    options, such as a free-text one, offers anything)."""
    form_field = template.get(field_id)
    options = {o.casefold() for o in form_field.options} if form_field else set()
    return [k for k in known if not options or k.casefold() in options]


def _refuse(reason: str) -> UsageError:
    return UsageError(f"the drill cannot run with this config and form: {reason} "
                      "(`incident-response validate` names every disagreement)")


def for_policy(scenario: Scenario, policy: Policy, template: FormTemplate) -> Scenario:
    """The scenario told in the adopter's words: their first service (one the form offers), an
    environment of the scenario's tier, the impact of the scenario's severity, their sign-in
    providers. Raises UsageError, one sentence, when the config and the form leave no way."""
    answers = dict(scenario.answers)
    services = _offered(template, "service", [s.name for s in policy.services])
    if not services:
        raise _refuse("no service of the config's `services:` is an option of the form's "
                      "`service` dropdown")
    old_service = answers["service"]
    if old_service not in services:
        service = next(s for s in policy.services if s.name == services[0])
        answers["service"] = service.name
        answers["monitor"] = service.monitors[0] if service.monitors else (
            f"{service.name} error rate monitor")
        answers["summary"] = answers["summary"].replace(old_service, service.name)

    environments = [e for e in policy.environments
                    if e.name in _offered(template, "environment",
                                          [e.name for e in policy.environments])]
    if not environments:
        raise _refuse("no environment of the config's `environments:` is an option of the "
                      "form's `environment` dropdown")
    if answers["environment"] not in {e.name for e in environments}:
        tier = _SCENARIO_TIERS.get(answers["environment"], 1)
        answers["environment"] = min(environments, key=lambda e: (abs(e.tier - tier),
                                                                  e.tier)).name

    built_in = {"Nobody can sign in": "SEV-1", "A significant share": "SEV-2",
                "Some users cannot": "SEV-3", "Sign-in works after": "SEV-4",
                "Intermittent, low impact": "SEV-5"}
    impacts = _offered(template, "user_impact", [o.label for o in policy.severity.user_impact])
    if not impacts:
        raise _refuse("no label of the config's severity.user_impact is an option of the "
                      "form's `user_impact` dropdown")
    if answers["user_impact"] not in impacts:
        wanted = next((sev for start, sev in built_in.items()
                       if answers["user_impact"].startswith(start)), "SEV-2")
        same = [o.label for o in policy.severity.user_impact
                if o.label in impacts and o.severity.value == wanted]
        answers["user_impact"] = (same or impacts)[0]

    providers = _offered(template, "csps_affected", list(policy.severity.sign_in_providers))
    answers["csps_affected"] = "\n".join(
        p for p in answers["csps_affected"].splitlines() if p in providers)

    new_service = answers["service"]
    adapted = replace(scenario, answers=answers,
                      title=scenario.title.replace(old_service, new_service),
                      steps=tuple(replace(step, text=step.text.replace(old_service, new_service))
                                  for step in scenario.steps))
    _, problems = validate_answers(parse_form(form_body(template, answers), template), template,
                                  policy, reporter=REPORTER)
    if problems:
        found = "; ".join(f"{p.label}: {p.message}" for p in problems)
        raise _refuse(f"the drill's report would not be accepted ({found})")
    return adapted
