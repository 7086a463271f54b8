"""A lost record rebuilt from what GitHub shows, never restarted.

When the status comment is deleted or its block no longer parses, the labels (a phase past
triage) and the bot's own comments say the incident went out: its phase, priority and severity
come from the labels, the commands the bot answered count as applied, and nothing is declared or
paged again. What the outside still holds is looked up, and the record says what was found: the
declared incident by the issue's URL; the chat announcement, the leadership notice and the
updates not yet answered by their tags, before any of them is posted (they are claimed, as a run
that lost its answers would have left them).
"""

from __future__ import annotations

from datetime import timedelta

from incident_response.core.record import keys
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules import lifecycle
from incident_response.core.rules.comment_commands import parse_commands
from incident_response.core.rules.labels import phase_of, priority_of, severity_of
from incident_response.core.rules.policy import Policy
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = ["answered_watermark", "chat_lookup", "declared_lookup", "rebuild", "was_declared"]

#: how long before the issue was opened a rebuilt record says its chat messages were claimed:
#: longer than any run lasts (a run's job is limited to 15 minutes, and a claim younger than
#: that is left to the run that may still be sending it), so they are looked for at once
_CLAIMED_BEFORE = timedelta(hours=1)
#: the one-off chat messages of a declaration, found again by their tags
_ONE_OFF_CHAT = (keys.ANNOUNCE, keys.LEADERSHIP)


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
        for fact_id, _ in _updates(comment.id, comment.body):
            state.record_update(fact_id, comment.created_at)
    # The page is idempotent, the declared incident is looked up by its URL (FindIncident),
    # and the checklists are comments, found by their markers.
    state.done = [keys.PAGE, keys.DECLARE, keys.OOB_CHECKLIST, keys.TRIAGE_REQUEST]
    _claim_chat(issue, state, policy)
    state.rebuilt = [
        "The status comment with this incident's record was deleted or damaged, so the "
        "record was rebuilt from the labels and comments; nothing was declared or paged "
        "again, and the chat messages an earlier run may have sent are looked for by their "
        "tags before any is posted.",
        f"Phase, priority and severity were taken from the labels; commands up to comment "
        f"{state.watermark or 'none'} (the last one the bot answered) count as applied, "
        f"with {len(state.updates)} update(s) found.",
    ]
    return state


def _updates(comment_id: int, body: str) -> list[tuple[str, str]]:
    """The `/update`s of a comment: (fact id, text)."""
    return [(f"{comment_id}-{index}", command.argument)
            for index, command in enumerate(parse_commands(body))
            if command.name == "update" and command.argument]


def _sent_at_declaration(state: IncidentState, policy: Policy) -> list[str]:
    """The declaration's chat messages the policy sends for the labels' priority (both, when
    the labels name none: the form's decides later, and a claim never planned is harmless)."""
    if state.priority is None:
        return list(_ONE_OFF_CHAT)
    rule = policy.rule(state.priority)
    return [key for key, sent in ((keys.ANNOUNCE, rule.announce),
                                  (keys.LEADERSHIP, rule.notify_leadership
                                   and bool(policy.chat.leadership_channel))) if sent]


def _claim_chat(issue: IssueSnapshot, state: IncidentState, policy: Policy) -> None:
    """Claim, as a run that lost its answers would have, what may have reached the chat though
    the record no longer says so: the declaration's announcement and leadership notice, and the
    updates of the commands past the watermark (applied again by this run). A claim no run is
    still sending is looked for before it is sent: found, it is not posted again.

    An incident that is no longer live is not announced (the declaration's messages are not
    planned then): its announcement counts as made, and a post to its thread finds it first."""
    claimed = issue.created_at - _CLAIMED_BEFORE
    if lifecycle.traits(state.phase).live:
        state.claimed.update(dict.fromkeys(_sent_at_declaration(state, policy), claimed))
    else:
        state.done += list(_ONE_OFF_CHAT)
    for comment in issue.comments:
        if not comment.is_by(policy.github.bot_login) and comment.id > state.watermark:
            state.claimed.update({keys.chat_update(fact_id): claimed
                                  for fact_id, _ in _updates(comment.id, comment.body)})


def chat_lookup(state: IncidentState, key: str, what: str, channel: str, *,
                found: bool | None) -> None:
    """What a rebuilt record says of its announcement or leadership notice once looked for
    (`what` is how people know the message): found, not found (so posted now), or not to be
    looked for (posted now, perhaps a second time)."""
    if not state.rebuilt or key not in _ONE_OFF_CHAT:
        return
    if found is None:
        line = (f"The {what} could not be looked for in {channel} (see the outside services "
                "below); it was posted again and may show twice.")
    elif found:
        line = f"The {what} was found in {channel} by its tags; it was not posted again."
    else:
        line = f"The {what} was not found in {channel}; it was posted now."
    if line not in state.rebuilt:
        state.rebuilt.append(line)


def declared_lookup(state: IncidentState, reference: str | None, tool: str) -> str:
    """What the record says of the declared incident looked up by the issue's URL (`reference`
    is how the tool names it, None when it was not found); the run's detail line."""
    if reference is None:
        state.rebuilt.append(f"The {tool} incident was not found by this issue's URL; it was "
                             "not declared again. Declare it by hand if it is needed.")
        return "not found (not declared again)"
    state.rebuilt.append(f"The {tool} incident {reference} was found by this issue's URL.")
    return f"found incident {reference}"
