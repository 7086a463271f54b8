"""The drill's scenarios: who does what, when, in a tabletop incident."""

from __future__ import annotations

from dataclasses import dataclass, field

from incident_response.core.form import FormTemplate

__all__ = ["SCENARIOS", "Scenario", "Step", "form_body"]

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

SCENARIOS = {s.name: s for s in (P1, P3_STAGING, ESCALATION)}
