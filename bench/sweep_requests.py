"""GitHub requests the sweep makes with nothing due, for 0, 1, 10, 50 and 150 live incidents,
BEFORE (the program as of BEFORE_REF) and AFTER (this checkout).

Each incident is a declared P1 whose mirrors are all done and whose last sign of life is
five minutes old (nothing due). The sweep runs as a subprocess against the loopback fakes;
requests are counted by the fake GitHub. Twenty completed (closed) incidents are added too, to
show the cost does not grow with them.

BEFORE: the open incidents, each live phase label (an issue closed by hand or stripped of its
label is still found) and the follow-ups: five lists, then one comments request per incident.
AFTER, `--schedule frequent` (sweep.yml): the open incidents, the closed ones still resolved,
and the repository's comments since the oldest of them was opened, in one paged list; the
follow-ups are the daily sweep's. AFTER, `--schedule daily` and by hand: the phase lists and
the follow-ups as well. The bound to meet with nothing due: 3 + ceil(N/100) requests.

Run: python bench/sweep_requests.py
"""

from __future__ import annotations

import copy
import json
import math
import subprocess
import sys
import tarfile
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from loopback import ROOT, Loopback

from incident_response.core.decision.decide import decide
from incident_response.core.decision.status import status_comment
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.shell.configuration import load_form_template, load_policy

DECLARED = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
#: the last commit whose sweep read each incident's comments on its own
BEFORE_REF = "5006221"


def before_scripts() -> Path:
    """The program's sources as of BEFORE_REF, unpacked from git into a temporary folder."""
    folder = Path(tempfile.mkdtemp())
    archive = subprocess.run(["git", "archive", BEFORE_REF, "scripts", ".github",
                              "incident_templates"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    return folder / "scripts"


def seeded_issue(number: int, template: dict, config: Path,
                 state_open: bool = True) -> tuple[dict, str]:
    issue = copy.deepcopy(template)
    issue["number"] = number
    issue["html_url"] = f"https://github.com/Codertocat/Hello-World/issues/{number}"
    issue["state"] = "open" if state_open else "closed"
    policy = load_policy(config)
    form = load_form_template(ROOT / ".github/ISSUE_TEMPLATE/incident.yml")
    snapshot = IssueSnapshot("Codertocat/Hello-World", number, issue["title"], issue["body"],
                             "Codertocat", ("incident",), True, issue["html_url"], DECLARED,
                             author_permission="admin")
    plan = decide(snapshot, None, policy, form, DECLARED)
    for effect in plan.effects:
        plan.state.mark_done(effect.key)
    plan.state.mirror_id, plan.state.chat_thread = f"dd-{number}", f"1700000000.{number:06d}"
    plan.state.mirror_synced = "unused"
    again = decide(snapshot, plan.state, policy, form, DECLARED)
    for effect in again.effects:
        again.state.mark_done(effect.key)
        if effect.key == "datadog:sync":
            again.state.mirror_synced = effect.fingerprint  # type: ignore[attr-defined]
    issue["labels"] = [{"name": n, "id": i, "node_id": "x", "url": "", "color": "ededed",
                        "default": False, "description": None}
                       for i, n in enumerate(["incident", *again.labels_to_add])]
    return issue, status_comment(again, None, policy)


def resolved_waiting(issue: dict, body: str, number: int) -> tuple[dict, str]:
    """The same incident, resolved 10 minutes after its declaration, its post-mortem pull
    request open and not yet due (P1: 5 business days)."""
    from incident_response.core.record.block import parse_state, render_state
    from incident_response.core.vocabulary import Phase

    state = parse_state(body)
    assert state is not None
    state.phase, state.resolved_at = Phase.RESOLVED, DECLARED + timedelta(minutes=10)
    state.postmortem_pr = 5000 + number
    state.done += ["page:resolve", "comment:recovery-checklist", "postmortem:write"]
    # Not declared in Datadog here: the bench counts GitHub reads, not a Datadog update.
    state.done.remove("datadog:declare")
    state.mirror_id = None
    for label in issue["labels"]:
        if label["name"] == "phase:active":
            label["name"] = "phase:resolved"
    start = body.index("<!-- incident-response:state")
    return issue, body[:start] + render_state(state)


def sweep(world: object, workdir: Path, now: str, *args: str,
          scripts: Path | None = None) -> None:
    env = world.environment()  # type: ignore[attr-defined]
    if scripts is not None:
        env["PYTHONPATH"] = str(scripts)
    completed = subprocess.run(
        [sys.executable, "-m", "incident_response", "sweep", "--now", now, *args],
        cwd=workdir, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def main() -> None:
    loopback = Loopback()
    workdir, config = loopback.workdir, loopback.config
    template = json.loads((ROOT / "examples/events/issues.opened.p1-production-ssoe.json")
                          .read_text())["issue"]
    old = before_scripts()
    modes: list[tuple[str, Path | None, tuple[str, ...]]] = [
        ("BEFORE", old, ()), ("AFTER frequent", None, ("--schedule", "frequent")),
        ("AFTER daily", None, ("--schedule", "daily"))]
    print("open incidents | bound 3+ceil(N/100) | sweep | GitHub requests (by operation) | "
          "writes | outside requests")
    for count in (0, 1, 10, 50, 150):
        for name, scripts, args in modes:
            world = loopback.world()
            for number in range(1, count + 1):
                issue, body = seeded_issue(number, template, config)
                world.github.add_issue(issue)
                comment = world.github.person_comments(number, "github-actions[bot]", body)
                comment["user"]["type"] = "Bot"
            for number in range(1000, 1020):  # completed incidents must not cost anything
                issue, _ = seeded_issue(number, template, config, state_open=False)
                for label in issue["labels"]:
                    if label["name"] == "phase:active":
                        label["name"] = "phase:completed"
                world.github.add_issue(issue)
            now = (DECLARED + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ")
            sweep(world, workdir, now, "--list-due", *args, scripts=scripts)
            operations = Counter(r.operation for r in world.github.requests)
            writes = sum(1 for r in world.github.requests if r.method != "GET")
            print(f"{count:14d} | {3 + math.ceil(count / 100):19d} | {name:14} | "
                  f"{len(world.github.requests):3d} {dict(operations)} | {writes} | "
                  f"{world.outside_requests()}")
            loopback.stop(world)

    print("\nresolved incidents waiting for their post-mortem (nothing due yet) | sweep | "
          "GitHub requests | writes")
    for count in (1, 10, 50):
        for name, scripts, args in modes:
            world = loopback.world()
            for number in range(1, count + 1):
                issue, body = resolved_waiting(*seeded_issue(number, template, config), number)
                world.github.add_issue(issue)
                comment = world.github.person_comments(number, "github-actions[bot]", body)
                comment["user"]["type"] = "Bot"
            now = (DECLARED + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            sweep(world, workdir, now, *args, scripts=scripts)  # renders the seeded records
            world.github.requests.clear()
            sweep(world, workdir, now, "--list-due", *args, scripts=scripts)
            operations = Counter(r.operation for r in world.github.requests)
            writes = sum(1 for r in world.github.requests if r.method != "GET")
            print(f"{count:14d} | {name:14} | {len(world.github.requests):3d} "
                  f"{dict(operations)} | {writes}")
            loopback.stop(world)


if __name__ == "__main__":
    main()
