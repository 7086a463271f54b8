"""Size of the status comment and its hidden state after a long incident (300 updates).

A declared P1 receives N `/update` comments (every fifth in Japanese, every seventh with
German umlauts and an emoji), handled in runs of ten comments, each run's effects taken as
done, as the real shell would record them. The pure core is used (no fakes, no network), so
the numbers are the record's own size, not a transport's.

Run: python bench/state_size.py [N ...]      (default: 50 100 300)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from loopback import ROOT

from incident_response.core.decision.decide import decide
from incident_response.core.decision.status import status_comment
from incident_response.core.record.block import render_state
from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.shell.configuration import load_form_template, load_policy

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
BOT = "github-actions[bot]"


def update_text(index: int) -> str:
    if index % 5 == 0:
        return f"第{index}報: 認証サービスのエラー率は低下しています。引き続き監視中です。"
    if index % 7 == 0:
        return f"Update {index}: Zürich and Düsseldorf users still see errors 🔥, rolling back."
    return (f"Update {index}: error rate at {index % 13}% on the ISAM login path; the rollback "
            "of the session cache is in progress and we are watching the dashboards.")


def measure(count: int) -> tuple[int, int]:
    snapshot: IssueSnapshot
    policy = load_policy(None)
    template = load_form_template(ROOT / ".github/ISSUE_TEMPLATE/incident.yml")
    body = (ROOT / "examples/form-bodies/p1-production-ssoe.md").read_text(encoding="utf-8")
    comments: list[CommentSnapshot] = []
    issue = IssueSnapshot("Codertocat/Hello-World", 1, "[Incident] SSOe down", body, "mona",
                          ("incident",), True, "https://github.com/Codertocat/Hello-World/issues/1",
                          T0, author_permission="admin", permissions={"mona": "admin"})
    plan = decide(issue, None, policy, template, T0)
    previous = plan.state
    for effect in plan.effects:
        previous.mark_done(effect.key)
    for index in range(1, count + 1):
        at = T0 + timedelta(minutes=index)
        comments.append(CommentSnapshot(10_000 + index, "mona", f"/update {update_text(index)}",
                                        at))
        if index % 10 == 0 or index == count:
            snapshot = IssueSnapshot(**{**issue.__dict__, "comments": tuple(comments)})
            plan = decide(snapshot, previous, policy, template, at)
            for effect in plan.effects:
                plan.state.mark_done(effect.key)
            previous = plan.state
    snapshot = IssueSnapshot(**{**issue.__dict__, "comments": tuple(comments)})
    return len(render_state(previous)), len(status_comment(plan, None, policy, issue=snapshot))


def main() -> None:
    counts = [int(a) for a in sys.argv[1:]] or [50, 100, 300]
    print(f"{'updates':>8} {'state block (chars)':>20} {'status comment (chars)':>24}")
    for count in counts:
        state, comment = measure(count)
        flag = "  over GitHub's 65,536 limit" if comment > 65_536 else ""
        print(f"{count:>8} {state:>20,} {comment:>24,}{flag}")


if __name__ == "__main__":
    main()
