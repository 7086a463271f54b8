"""Requests each lifecycle step makes to each service, against the fewest the step needs.

A P1 is taken from report to completion with the real program (subprocesses) against the
loopback fakes; the fakes count requests. "Fewest" is what the step cannot do without, for
GitHub the reads a stateless run must make (issue, comments) plus its writes.

Run: python bench/requests_per_step.py
"""

from __future__ import annotations

import copy
from collections import Counter

from loopback import Loopback
from tests.support import at, comment_event, opened

#: step -> (GitHub, Datadog, Slack, PagerDuty) the step cannot do without
FEWEST = {
    # Slack: the announcement, its link for people (chat.getPermalink), the leadership notice
    "report (P1 opened)": ("read issue, comments, reporter permission; add labels; create "
                           "the status comment, then record results in it", 6, 1, 3, 1),
    "report, labels exist": ("the same, in a repository that has the labels", 6, 1, 3, 1),
    "/ic @sam": ("read issue, comments, permission; react; update status", 5, 1, 1, 0),
    "/update": ("read issue, comments, permission; react; update status", 5, 1, 1, 0),
    "/mitigate": ("read issue, comments, permission; labels +1 -1; react; update status",
                  7, 1, 1, 0),
    "/resolve": ("... + timeline, branch ref x2, file, pull request; recovery comment",
                 14, 1, 1, 1),
    "merge": ("read issue, comments; labels; close; follow-up issue; update status",
              7, 2, 1, 0),
    "sweep, nothing due": ("list open incidents; comments of each", 2, 0, 0, 0),
}


def main() -> None:
    loopback = Loopback()
    world = loopback.world()
    fakes = (world.github, world.datadog, world.slack, world.pagerduty)
    world.github.permissions["sam"] = "write"

    def counts() -> tuple[int, ...]:
        return tuple(len(f.requests) for f in fakes)

    rows = []

    def step(name: str, action) -> None:  # type: ignore[no-untyped-def]
        before = counts()
        github_before = len(world.github.requests)
        result = action()
        assert result.returncode == 0, result.stdout + result.stderr
        rows.append((name, [a - b for a, b in zip(counts(), before, strict=True)],
                     Counter(r.operation for r in world.github.requests[github_before:])))

    payload = opened(world)
    step("report (P1 opened)", lambda: world.handle(payload, "issues", "--now", at(0)))
    for name, body, minutes in (("/ic @sam", "/ic @sam", 2),
                                ("/update", "/update Rolled back", 10),
                                ("/mitigate", "/mitigate", 20),
                                ("/resolve", "/resolve", 30)):
        event = comment_event(world, "sam", body, minutes)
        step(name, lambda event=event, minutes=minutes: world.handle(
            event, "issue_comment", "--now", at(minutes + 0.5)))
    step("sweep, nothing due", lambda: world.sweep("--now", at(31)))
    merged = world.github.merge(next(iter(world.github.pulls)), "sam")
    step("merge", lambda: world.handle(merged, "pull_request", "--now", at(60)))
    second = copy.deepcopy(payload)
    second["issue"]["number"] = 2
    second["issue"]["labels"] = [dict(second["issue"]["labels"][0])]
    world.github.add_issue(second["issue"])
    step("report, labels exist", lambda: world.handle(second, "issues", "--now", at(70)))

    print("step                 | GitHub | Datadog | Slack | PagerDuty | fewest (GH/DD/Sl/PD)")
    for name, (github, datadog, slack, pagerduty), operations in rows:
        fewest = FEWEST.get(name)
        least = "/".join(str(n) for n in fewest[1:]) if fewest else "-"
        print(f"{name:20s} | {github:6d} | {datadog:7d} | {slack:5d} | {pagerduty:9d} | {least}")
        print(f"{'':20s}   GitHub: {dict(operations)}")
    loopback.stop(world)


if __name__ == "__main__":
    main()
