"""One incident, one run: decide, write the record, carry out the effects, write the record.

Shared by `handle` (one event) and `sweep` (every open incident). The status comment is written
before anything leaves GitHub, so the state that prevents duplicates exists before a duplicate
could be made; it is written again at the end with the results, and only when it changed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime

from incident_response.decide import decide, needs_history
from incident_response.errors import ServiceError
from incident_response.execute import Outcome, Services, execute
from incident_response.form import FormTemplate
from incident_response.loading import LoadedIncident
from incident_response.mirrors import PAGE
from incident_response.plan import Plan
from incident_response.policy import Policy
from incident_response.status import status_comment

__all__ = ["IncidentRun", "run_incident", "run_url"]


def run_url() -> str | None:
    server, repo, run = (os.environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None


@dataclass
class IncidentRun:
    number: int
    plan: Plan
    outcome: Outcome = field(default_factory=Outcome)
    errors: list[str] = field(default_factory=list)
    wrote: bool = False

    @property
    def failed(self) -> bool:
        return bool(self.outcome.failed or self.errors)


def _write_record_first(run: IncidentRun, loaded: LoadedIncident, services: Services,
                        policy: Policy) -> int | None:
    plan, github = run.plan, services.github
    assert github is not None
    if plan.labels_to_add or plan.labels_to_remove:
        try:
            github.change_labels(run.number, plan.labels_to_add, plan.labels_to_remove,
                                 {spec.name: spec for spec in plan.labels_to_create})
            run.wrote = True
        except ServiceError as error:
            run.errors.append(str(error))
    if loaded.status is not None:
        return loaded.status.id
    try:
        run.wrote = True
        return github.create_comment(run.number, status_comment(plan, None, policy, run_url()))
    except ServiceError as error:
        run.errors.append(str(error))
        # Without the state block a later run cannot know what went out, so only the page
        # (idempotent through its dedup key) is sent; everything else waits for the record.
        plan.effects = [e for e in plan.effects if e.key == PAGE]
        return None


def run_incident(loaded: LoadedIncident, services: Services, policy: Policy,
                 template: FormTemplate, now: datetime, *, sweep: bool = False) -> IncidentRun:
    plan = decide(loaded.issue, loaded.previous, policy, template, now, sweep=sweep)
    errors: list[str] = []
    if (loaded.issue.history is None and services.github is not None
            and needs_history(plan.state, sweep=sweep)):
        # The post-mortem is due: read the issue's timeline and decide again with it.
        try:
            history = tuple(services.github.history(loaded.issue.number))
        except ServiceError as error:
            errors.append(str(error))
        else:
            loaded.issue = replace(loaded.issue, history=history)
            plan = decide(loaded.issue, loaded.previous, policy, template, now, sweep=sweep)
    run = IncidentRun(loaded.issue.number, plan, errors=errors)
    comment_id = _write_record_first(run, loaded, services, policy)
    run.outcome = execute(plan, services, run.number, now)
    if comment_id is None or services.github is None:
        return run
    body = status_comment(plan, run.outcome, policy, run_url())
    unchanged = loaded.status is not None and _same(loaded.status.body, body)
    if not unchanged:
        try:
            services.github.update_comment(comment_id, body)
            run.wrote = True
        except ServiceError as error:
            run.errors.append(str(error))
    return run


def _same(old: str, new: str) -> bool:
    """Equal but for the run link, which changes every run and is not worth a write."""
    def strip(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if not line.startswith("<sub>"))
    return strip(old) == strip(new)
