"""Priority and severity from the answers and the policy: pure, and explained.

The explanation is shown to responders in the status comment, so anyone can check the
matrix cell and the severity rule that were applied.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from incident_response.core.rules.answers import FormAnswers
from incident_response.core.vocabulary import Priority, Severity

# Read through a protocol, satisfied by the typed model and by the light view of the Action's
# first step, which runs without pydantic (core/rules/policy_reads.py).
if TYPE_CHECKING:
    from incident_response.core.rules.policy_reads import ClassifyingPolicy

__all__ = ["Classification", "classify"]


@dataclass(frozen=True)
class Classification:
    priority: Priority
    severity: Severity
    priority_reason: str
    severity_reason: str


def _column(users: int, policy: ClassifyingPolicy) -> int | None:
    matrix = policy.priority_matrix
    for index, threshold in enumerate(matrix.user_thresholds):
        inclusive = matrix.boundary == "inclusive" and threshold > 0
        if users > threshold or (inclusive and users == threshold):
            return index
    return None


def _comparison(policy: ClassifyingPolicy, index: int) -> str:
    threshold = policy.priority_matrix.user_thresholds[index]
    inclusive = policy.priority_matrix.boundary == "inclusive" and threshold > 0
    return f"{'at least' if inclusive else 'more than'} {threshold:,}"


def classify(answers: FormAnswers, policy: ClassifyingPolicy) -> Classification:
    environment = policy.environment(answers.environment)
    tier = environment.tier if environment else max(policy.priority_matrix.rows)
    column = _column(answers.users_per_hour, policy)
    if column is None:
        priority = policy.priority_matrix.no_users_priority
        priority_reason = (
            f"{answers.environment} is tier {tier}; {answers.users_per_hour:,} users per hour is "
            f"in no column of the matrix, so the no-users priority {priority} applies"
        )
    else:
        priority = policy.priority_matrix.rows[tier][column]
        priority_reason = (
            f"{answers.environment} is tier {tier}; {answers.users_per_hour:,} users per hour is "
            f"{_comparison(policy, column)}; matrix cell (tier {tier}, "
            f"{_comparison(policy, column)} users/hour) = {priority}"
        )

    option = next(o for o in policy.severity.user_impact if o.label == answers.user_impact)
    severity = option.severity
    severity_reason = f"user impact \u201c{answers.user_impact}\u201d = {severity}"
    if len(answers.providers) > 1:
        raised = policy.severity.multiple_providers
        if raised.rank < severity.rank:
            severity = raised
        severity_reason += (
            f"; {len(answers.providers)} sign-in providers affected "
            f"({', '.join(answers.providers)}), so at least {raised}: {severity}"
        )
    return Classification(priority, severity, priority_reason, severity_reason)
