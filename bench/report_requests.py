"""`incident-response report` for a month with 10, 100 and 500 incidents: wall time and GitHub
requests, against the loopback fake.

Each incident is an issue opened in November 2026 with a status comment from the bot holding a
resolved P1 or P2 record (times spread over the month, a quarter acknowledged, one follow-up
issue each for every fifth). Ten incidents of October (resolved in October) are added too:
they are listed (updated since the window began) but their comments are not read. The report
runs as a subprocess, as GitHub Actions runs it, with `--publish`, so the figures include the
list of published reports and the one create.

Run: python bench/report_requests.py
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

from loopback import ROOT, Loopback

from incident_response.core.record.block import STATUS_MARKER, render_state
from incident_response.core.record.state import FollowUpRef, IncidentState, SavedAnswers
from incident_response.core.vocabulary import Phase, Priority, Severity

START = datetime(2026, 11, 1, tzinfo=UTC)
BOT = "github-actions[bot]"


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(number: int, opened: datetime) -> IncidentState:
    state = IncidentState(
        phase=Phase.RESOLVED, priority=Priority.P1 if number % 3 else Priority.P2,
        severity=Severity.SEV_2 if number % 4 else Severity.SEV_1,
        opened_at=opened, declared_at=opened + timedelta(minutes=number % 7 + 1),
        mitigated_at=opened + timedelta(minutes=20 + number % 30),
        resolved_at=opened + timedelta(minutes=45 + number % 90),
        page_dedup_key=f"Codertocat/Hello-World#{number}", reminder_count=number % 3,
        report=SavedAnswers(service=("SSOe", "SiS", "Login.gov")[number % 3],
                           environment="production", users_per_hour=2500,
                           user_impact="x", started_at=opened - timedelta(minutes=5)))
    if number % 5 == 0:
        state.followups = [FollowUpRef(id=f"{number}-0", issue_number=10_000 + number)]
    return state


def seed(world: object, template: dict, count: int) -> None:
    github = world.github  # type: ignore[attr-defined]
    spacing = timedelta(minutes=(30 * 24 * 60) // (count + 1))
    numbers = [(n, START + spacing * n) for n in range(1, count + 1)]
    numbers += [(n, START - timedelta(days=20) + timedelta(hours=n)) for n in range(5000, 5010)]
    for number, opened in numbers:
        issue = copy.deepcopy(template)
        issue.update(number=number, state="closed", created_at=stamp(opened),
                     closed_at=stamp(opened + timedelta(hours=3)),
                     updated_at=stamp(START + timedelta(days=1)),
                     html_url=f"https://github.com/Codertocat/Hello-World/issues/{number}")
        issue["labels"] = [{"name": "incident", "id": 1, "node_id": "x", "url": "",
                            "color": "ededed", "default": False, "description": None}]
        github.add_issue(issue)
        state = record(number, opened)
        body = f"{STATUS_MARKER}\n## Status\n\n{render_state(state)}"
        comment = github.person_comments(number, BOT, body, stamp(opened))
        comment["user"]["type"] = "Bot"
        for followup in state.followups:
            extra = copy.deepcopy(template)
            extra.update(number=followup.issue_number, state="open", labels=[])
            github.add_issue(extra)


def main() -> None:
    loopback = Loopback()
    template = json.loads((ROOT / "examples/events/issues.opened.p1-production-ssoe.json")
                          .read_text())["issue"]
    print("incidents | wall time (s) | GitHub requests (by operation) | reported reads")
    for count in (10, 100, 500):
        world = loopback.world()
        seed(world, template, count)
        began = time.perf_counter()
        completed = subprocess.run(
            [sys.executable, "-m", "incident_response", "report", "--month", "2026-11",
             "--format", "json", "--publish", "--now", "2026-12-01T09:00:00Z"],
            cwd=loopback.workdir, env=world.environment(), capture_output=True, text=True,
            check=False)
        elapsed = time.perf_counter() - began
        assert completed.returncode == 0, completed.stdout + completed.stderr
        result = json.loads(completed.stdout)
        assert result["incidents"] == count, result["incidents"]
        operations = Counter(r.operation for r in world.github.requests)
        print(f"{count:9d} | {elapsed:13.2f} | {len(world.github.requests):4d} "
              f"{dict(operations)} | mttr mean {result['mttr_minutes']['mean']}")
        assert world.violations() == [], world.violations()
        loopback.stop(world)


if __name__ == "__main__":
    main()
