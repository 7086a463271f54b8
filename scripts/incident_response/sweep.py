"""`incident-response sweep`: reminders, escalations and repairs for every open incident.

Run on a schedule (best effort: late or skipped runs are expected) and by hand. It reads one
list of open incidents and then each one's comments, so its cost grows with the number of open
incidents only; it writes nothing for an incident where nothing is due.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path

from incident_response import actions
from incident_response.errors import ServiceError, UsageError
from incident_response.handle import form_template, print_plan
from incident_response.policy import load_policy
from incident_response.status import effect_name

__all__ = ["sweep"]


def sweep(arguments: argparse.Namespace, config: Path | None, now: datetime) -> int:
    repository = arguments.repo or os.environ.get("GITHUB_REPOSITORY")
    if not repository or "/" not in repository:
        msg = "no repository: set GITHUB_REPOSITORY or pass --repo OWNER/REPO"
        raise UsageError(msg)
    policy = load_policy(config)
    template = form_template()

    from incident_response.decide import decide
    from incident_response.incident_run import run_incident
    from incident_response.loading import complete_snapshot
    from incident_response.wiring import build_services, github_tracker

    tracker = github_tracker(repository, policy)
    try:
        incidents = tracker.open_incidents(policy.labels.incident)
    except ServiceError as error:
        actions.annotate("error", "Open incidents not listed", str(error))
        print(f"incident-response: {error}")
        return 1
    services = None if arguments.dry_run else build_services(repository, policy, github=tracker)
    lines = [f"### Sweep at {now:%Y-%m-%d %H:%M} UTC: {len(incidents)} open incident(s)", ""]
    failed = False
    for issue in incidents:
        try:
            loaded = complete_snapshot(issue, tracker, policy)
        except ServiceError as error:
            failed = True
            lines.append(f"- #{issue.number}: **not loaded**: {error}")
            continue
        if services is None:
            print_plan(decide(loaded.issue, loaded.previous, policy, template, now, sweep=True),
                       policy, issue.number)
            continue
        run = run_incident(loaded, services, policy, template, now, sweep=True)
        failed = failed or run.failed
        done = [effect_name(r.effect.key) for r in run.outcome.results if r.status == "done"]
        problems = [f"{effect_name(r.effect.key)} failed ({r.detail})"
                    for r in run.outcome.failed] + run.errors
        for problem in problems:
            actions.annotate("error", f"Incident #{issue.number}", problem)
        if done or problems:
            lines.append(f"- #{issue.number} ({run.plan.state.priority}, "
                         f"{run.plan.state.phase}): " + "; ".join(done + problems))
    if len(lines) == 2:
        lines.append("- nothing due")
    summary = "\n".join(lines)
    print(summary)
    actions.write_summary(summary)
    return 1 if failed else 0
