"""Run a drill scenario through the real core and shell, against the stand-ins."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

from incident_response.commands.drill.scenarios import Scenario, Step, form_body
from incident_response.commands.drill.standins import (
    Call,
    Clock,
    StandInDatadog,
    StandInGitHub,
    StandInPagerDuty,
    StandInSlack,
    Transcript,
)
from incident_response.core import names
from incident_response.core.record.block import carries_status_marker
from incident_response.core.record.snapshot import PostmortemClosed
from incident_response.core.rules.form import FormTemplate
from incident_response.shell.incident_run import IncidentRun, run_incident
from incident_response.shell.loading import complete_snapshot
from incident_response.shell.settings import Settings
from incident_response.shell.wiring import Adapters, Lazy

__all__ = ["run_drill"]

_READS = ("read ", "list ", "search ")


def _describe(call: Call) -> str:
    d = call.details
    text = {
        ("PagerDuty", "trigger"): lambda: f"on-call paged ({d['severity']}), dedup key "
                                          f"{d['dedup_key']}",
        ("PagerDuty", "resolve"): lambda: f"page resolved ({d['dedup_key']})",
        ("Datadog", "declare incident"): lambda: f"incident declared: {d['title']} "
                                                 f"({d['severity']}, {d['state']}), notifying "
                                                 f"{', '.join(d['notify'])}",
        ("Datadog", "update incident"): lambda: f"incident updated: state {d['state']}, "
                                                f"severity {d['severity']}",
        ("Slack", "post message"): lambda: f"{d['channel']} ({d['where']}): {d['text']}",
        ("GitHub", "comment"): lambda: f"comment: {d['first_line']}",
        ("GitHub", "change labels"): lambda: "labels " + ", ".join(
            [f"+{n}" for n in d["add"]] + [f"-{n}" for n in d["remove"]]),
    }.get((call.service, call.operation))
    if text is not None:
        return text()
    details = ", ".join(f"{k} {v}" for k, v in d.items())
    return f"{call.operation}" + (f": {details}" if details else "")


class Drill:
    def __init__(self, scenario: Scenario, policy: Settings, template: FormTemplate,
                 start: datetime) -> None:
        self.scenario, self.policy, self.template, self.start = scenario, policy, template, start
        self.clock = Clock(start)
        self.transcript = Transcript(self.clock)
        self.github = StandInGitHub("drill/identity", self.transcript, policy.github.bot_login)
        self.github.permissions.update(scenario.people)
        self.pagerduty = StandInPagerDuty(self.transcript, policy.paging)
        self.adapters = Adapters(github=self.github, pager=Lazy.ready(self.pagerduty),
                                 mirror=Lazy.ready(StandInDatadog(self.transcript, policy.datadog)),
                                 chat=Lazy.ready(StandInSlack(self.transcript)))
        self.number = 0
        self.failed = False

    def _run(self, *, sweep: bool = False, closed: PostmortemClosed | None = None) -> IncidentRun:
        issue = self.github.load_issue(self.number)
        if closed is not None:
            issue = replace(issue, postmortem_closed=closed)
        loaded = complete_snapshot(issue, self.github, self.policy, sweep=sweep,
                                   acknowledgements=self.pagerduty)
        run = run_incident(loaded, self.adapters, self.policy, self.template, self.clock.now,
                           sweep=sweep)
        self.failed = self.failed or run.failed
        return run

    def step(self, step: Step) -> list[str]:
        lines: list[str] = []
        if step.kind == "report":
            body = form_body(self.template, self.scenario.answers)
            self.number = self.github.open_issue(self.scenario.title, body, step.author,
                                                 self.policy.labels.incident)
            run = self._run()
            state, classification = run.plan.state, run.plan.classification
            if classification is not None:
                lines.append(f"classified {state.priority} / {state.severity}")
                lines.append(f"  why: {classification.priority_reason}")
                lines.append(f"  why: {classification.severity_reason}")
        elif step.kind == "comment":
            self.github.comment(self.number, step.author, step.text)
            self._run()
        elif step.kind == "sweep":
            self._run(sweep=True)
        elif step.kind == "merge":
            pull = next((p for p in self.github.pulls.values() if not p["merged"]), None)
            if pull is None:
                self.failed = True
                lines.append("no post-mortem pull request was opened, so there is nothing to "
                             "merge: the status comment in the output folder says why")
                return lines
            self.github.merge(pull["number"])
            self._run(closed=PostmortemClosed(pull["number"], True, self.clock.now, step.author,
                                              f"https://github.com/drill/identity/pull/"
                                              f"{pull['number']}"))
        return lines


def run_drill(scenario: Scenario, policy: Settings, template: FormTemplate, start: datetime,
              output: Path) -> int:
    drill = Drill(scenario, policy, template, start)
    print(f"Drill \u201c{scenario.name}\u201d: {scenario.description}")
    print("Everything below runs the real program against stand-ins: nothing leaves "
          "this machine.\n")
    for step in scenario.steps:
        drill.clock.now = start + timedelta(minutes=step.minutes)
        mark = len(drill.transcript.calls)
        stamp = "%Y-%m-%d %H:%M" if step.minutes >= 24 * 60 else "%H:%M"
        print(f"[{drill.clock.now.strftime(stamp)} UTC] {step.narration}")
        for line in step.text.splitlines():
            print(f"    @{step.author} comments: {line}")
        for line in drill.step(step):
            print(f"    {line}")
        for call in drill.transcript.calls[mark:]:
            if not call.operation.startswith(_READS):
                text = " / ".join(part for part in _describe(call).splitlines() if part)
                print(f"    \u2192 {call.service}: {text}")
        print()
    output.mkdir(parents=True, exist_ok=True)
    documents = [(path, text) for path, text in drill.github.branches["main"].items()
                 if path.startswith("postmortems/")]
    for path, text in documents:
        (output / Path(path).name).write_text(text, encoding="utf-8")
    with (output / "transcript.jsonl").open("w", encoding="utf-8") as transcript:
        for call in drill.transcript.calls:
            transcript.write(json.dumps({"at": call.at.isoformat(), "service": call.service,
                                         "operation": call.operation,
                                         "details": call.details}, default=str) + "\n")
    if scenario.report:
        month = _monthly_report(drill, policy, start)
        (output / f"incident-report-{start:%Y-%m}.md").write_text(month, encoding="utf-8")
        documents_note = f" and the incident report of {start:%Y-%m}"
    else:
        documents_note = ""
    status = next((c.body for c in drill.github.comments.values()
                   if c.is_by(policy.github.bot_login) and carries_status_marker(c)), "")
    (output / "status-comment.md").write_text(status, encoding="utf-8")
    counts: dict[str, int] = {}
    for call in drill.transcript.calls:
        counts[call.service] = counts.get(call.service, 0) + 1
    per_service = ", ".join(f"{k} {v}" for k, v in counts.items())
    print(f"Wrote {len(documents)} post-mortem(s){documents_note}, the final status comment "
          f"and a transcript of {len(drill.transcript.calls)} calls ({per_service}) to "
          f"{output}/")
    return 1 if drill.failed else 0


def _monthly_report(drill: Drill, policy: Settings, start: datetime) -> str:
    """The incident report of the drill's month, from the stand-in's issues and records, as
    `incident-response report --month` computes it from GitHub."""
    from incident_response.core.figures.document import report_markdown
    from incident_response.core.figures.figures import (
        IncidentRecord,
        Window,
        compute,
        rows,
        targets_for,
    )
    from incident_response.core.record.block import parse_state

    since = start.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    until = (since + timedelta(days=32)).replace(day=1)
    window = Window(since, until, f"{since:%Y-%m}")
    records = []
    for number, issue in drill.github.issues.items():
        if names.spelled(policy.labels.incident, issue["labels"]) is None:
            continue
        status = next((c.body for i, c in drill.github.comments.items()
                       if drill.github.comment_issue[i] == number
                       and c.is_by(policy.github.bot_login) and carries_status_marker(c)), "")
        records.append(IncidentRecord(
            number, f"https://github.com/drill/identity/issues/{number}", issue["title"],
            issue["created_at"], parse_state(status)))
    targets = targets_for(policy)
    figures = compute(records, window, drill.clock.now, targets)
    table = rows(records, window, drill.clock.now, targets)
    return report_markdown(figures, table, history={window.label: figures["mttr_minutes"]
                                                    ["mean"]},
                           missing=[], repository="drill/identity",
                           notes=["Computed from the drill's stand-in GitHub."])
