"""`--dry-run`: the whole plan printed, nothing sent."""

from __future__ import annotations

from incident_response.core.decision.effects import Capability
from incident_response.core.decision.plan import Plan
from incident_response.core.decision.status import status_comment
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.rules.policy import Policy
from incident_response.shell.wiring import VENDORS

__all__ = ["print_plan"]


def _vendor(capability: Capability, vendors: Vendors) -> str:
    return {Capability.PAGER: vendors.pager, Capability.MIRROR: vendors.mirror,
            Capability.CHAT: vendors.chat, Capability.GITHUB: "GitHub"}[capability]


def print_plan(plan: Plan, policy: Policy, number: int,
               issue: IssueSnapshot | None = None, vendors: Vendors = VENDORS) -> None:
    state = plan.state
    print(f"Plan for incident #{number} (dry run: nothing is sent)")
    if plan.classification:
        print(f"  priority {state.priority}: {plan.classification.priority_reason}")
        print(f"  severity {state.severity}: {plan.classification.severity_reason}")
    for problem in plan.problems:
        print(f"  form problem, {problem.label} ({problem.field_id}): {problem.message}")
    print(f"  phase: {state.phase}")
    if plan.labels_to_add or plan.labels_to_remove:
        print(f"  labels: add {plan.labels_to_add or 'none'}, "
              f"remove {plan.labels_to_remove or 'none'}")
    print("  status comment: create or update")
    for number_in_order, effect in enumerate(plan.effects, start=1):
        print(f"  {number_in_order}. {_vendor(effect.capability, vendors)}: "
              f"{effect.describe()}")
    if not plan.effects:
        print("  no outside effects")
    for notice in plan.notices:
        print(f"  note: {notice}")
    print()
    print(status_comment(plan, None, policy, issue=issue, vendors=vendors))
