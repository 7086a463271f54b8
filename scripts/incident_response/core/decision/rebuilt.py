"""A lost record rebuilt from what GitHub shows, never restarted.

When the status comment is deleted or its block no longer parses, the labels (a phase past
triage) and the bot's own comments say the incident went out: its phase, priority and severity
come from the labels, the commands the bot answered count as applied, and nothing is declared,
paged or announced again. What the outside still holds is looked up, and the record says what
was found.
"""

from __future__ import annotations

from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules import lifecycle
from incident_response.core.rules.comment_commands import parse_commands
from incident_response.core.rules.labels import phase_of, priority_of, severity_of
from incident_response.core.rules.policy import Policy
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = ["answered_watermark", "declared_lookup", "rebuild", "was_declared"]


def was_declared(issue: IssueSnapshot, policy: Policy) -> bool:
    """Whether the labels or the bot's comments say this incident already went out.

    The record is written before the labels, so a phase label past triage (or any comment the
    bot wrote for an effect) means a record existed: it was deleted or damaged since.
    """
    declared = set(lifecycle.phases(declared=True))
    return any(phase_of(policy, name) in declared for name in issue.labels) or bool(
        issue.posted_keys(policy.github.bot_login) - {keys.TRIAGE_REQUEST})


def answered_watermark(issue: IssueSnapshot, bot_login: str) -> int:
    """The newest comment the bot visibly answered (a 👍 or a reply): commands up to it ran."""
    posted = issue.posted_keys(bot_login)
    answered = [c.id for c in issue.comments
                if not c.is_by(bot_login) and (c.plus_one > 0 or keys.reply(c.id) in posted)]
    return max(answered, default=0)


def rebuild(issue: IssueSnapshot, policy: Policy) -> IncidentState:
    """A lost record rebuilt from what GitHub shows: never declared or announced again."""
    state = IncidentState(reporter=issue.author, opened_at=issue.created_at,
                          declared_at=issue.created_at, page_dedup_key=issue.key)
    # The lifecycle's order decides between two labels of a kind (a person's slip).
    phases = {phase_of(policy, name) for name in issue.labels}
    priorities = {priority_of(policy, name) for name in issue.labels}
    severities = {severity_of(policy, name) for name in issue.labels}
    state.phase = next((p for p in Phase if p in phases), Phase.ACTIVE)
    state.priority = next((p for p in Priority if p in priorities), None)
    state.severity = next((s for s in Severity if s in severities), None)
    bot = policy.github.bot_login
    state.watermark = answered_watermark(issue, bot)
    # Label changes made before the loss were honoured then; only later ones count.
    state.label_watermark = max((e.id for e in issue.label_events), default=0)
    for comment in issue.comments:
        if comment.is_by(bot) or comment.id > state.watermark or comment.plus_one == 0:
            continue
        for index, command in enumerate(parse_commands(comment.body)):
            if command.name == "update" and command.argument:
                state.record_update(f"{comment.id}-{index}", comment.created_at)
    # The declaration's one-off effects happened, or were deliberately held: not again.
    state.done = [keys.PAGE, keys.DECLARE, keys.ANNOUNCE, keys.LEADERSHIP,
                  keys.OOB_CHECKLIST, keys.TRIAGE_REQUEST]
    state.rebuilt = [
        "The status comment with this incident's record was deleted or damaged, so the "
        "record was rebuilt from the labels and comments; nothing was declared, paged or "
        "announced again.",
        f"Phase, priority and severity were taken from the labels; commands up to comment "
        f"{state.watermark or 'none'} (the last one the bot answered) count as applied, "
        f"with {len(state.updates)} update(s) found.",
    ]
    return state


def declared_lookup(state: IncidentState, reference: str | None, tool: str) -> str:
    """What the record says of the declared incident looked up by the issue's URL (`reference`
    is how the tool names it, None when it was not found); the run's detail line."""
    if reference is None:
        state.rebuilt.append(f"The {tool} incident was not found by this issue's URL; it was "
                             "not declared again. Declare it by hand if it is needed.")
        return "not found (not declared again)"
    state.rebuilt.append(f"The {tool} incident {reference} was found by this issue's URL.")
    return f"found incident {reference}"
