"""The status comment: the incident's live summary for people, with the state block for the bot."""

from __future__ import annotations

from incident_response.core.decision.outcome import Outcome
from incident_response.core.decision.plan import Plan
from incident_response.core.decision.retry import GIVE_UP_AFTER, promise
from incident_response.core.record import keys
from incident_response.core.record.block import render_state
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import IssueSnapshot
from incident_response.core.record.state import GoneMirror, IncidentState
from incident_response.core.rules import lifecycle
from incident_response.core.rules.chasing import due_day
from incident_response.core.rules.facts import followups, timeline_entries, updates
from incident_response.core.rules.labels import phase_label
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.markdown_text import inline
from incident_response.core.texts.templates import render

__all__ = ["COMMENT_LIMIT", "failure_lines", "mirror_problem", "outside_lines",
           "status_comment"]

#: GitHub refuses a comment body over 65,536 characters (422 "body is too long"); stay under it
#: with room for the run link and a margin.
COMMENT_LIMIT = 65_536
_BUDGET = COMMENT_LIMIT - 1_000
#: how many of the newest updates, timeline entries and follow-ups the comment shows, from the
#: roomiest to the leanest; the lists are trimmed, never the record, when a comment grows
_SHOWN = ((10, 20, 30), (5, 10, 10), (3, 3, 3), (0, 0, 0))

def _chat_lines(state: IncidentState, policy: Policy, vendors: Vendors) -> list[str]:
    """The chat's part: where the incident was announced, with a link to its thread people can
    open, the leadership notice, and (once, until a look succeeds) that an earlier message
    could not be looked for, so a post may show twice."""
    lines: list[str] = []
    if state.chat_thread:
        where = inline(policy.chat.support_channel)
        thread = (f"[open the thread]({state.chat_thread_url})" if state.chat_thread_url
                  else f"thread `{state.chat_thread}`")
        lines.append(f"{vendors.chat}: announced in {where} ({thread})")
    if state.is_done(keys.LEADERSHIP) and policy.chat.leadership_channel:
        lines.append(f"{vendors.chat}: leadership notified in "
                     f"{inline(policy.chat.leadership_channel)}")
    if state.chat_lookup_problem:
        lines.append(f"**{vendors.chat}: an earlier message could not be looked for**, so a "
                     f"post whose first answer was lost went out again and may show twice: "
                     f"{inline(state.chat_lookup_problem)}")
    return lines


def outside_lines(plan: Plan, outcome: Outcome | None, policy: Policy,
                  vendors: Vendors) -> list[str]:
    """What the outside services hold of the incident, and what failed or waits."""
    state = plan.state
    lines: list[str] = []
    if state.is_done(keys.PAGE):
        lines.append(f"{vendors.pager}: on-call paged (dedup key `{state.page_dedup_key}`)")
    lines += _mirror_lines(state, vendors)
    lines += _chat_lines(state, policy, vendors)
    if state.is_done(keys.PAGE_RESOLVE):
        lines.append(f"{vendors.pager}: page resolved")
    for result in outcome.skipped if outcome else []:
        lines.append(f"{keys.describe(result.effect.key, vendors)}: skipped, "
                     f"{inline(result.detail)}")
    for result in outcome.results if outcome else []:
        if result.status == "waiting":
            lines.append(f"{keys.describe(result.effect.key, vendors)}: {inline(result.detail)}")
    for repair in state.repairs:
        lines.append(f"{keys.describe(repair.key, vendors)}: repaired "
                     f"{repair.at:%Y-%m-%d %H:%M} UTC, after an earlier failure")
    lines += failure_lines(state, vendors)
    return lines


def failure_lines(state: IncidentState, vendors: Vendors,
                  only: list[str] | None = None) -> list[str]:
    """Each failed effect (of `only`, when given): what failed, what to fix, and when it is
    tried again (the same rule that decides whether a run tries it: core/decision/retry.py).
    A failure stays until the effect is done, so one held back stays in view until someone
    acts."""
    lines = []
    for key, failure in state.failures.items():
        if only is not None and key not in only:
            continue
        held = failure.refusal is not None or failure.attempts >= GIVE_UP_AFTER
        what = "refused" if failure.refusal is not None else (
            "given up" if held else "failed")
        lines.append(f"**{keys.describe(key, vendors)}: {what}** after {failure.attempts} "
                     f"attempt(s): {inline(failure.error.rstrip('. '))}. "
                     f"{promise(failure)}")
    return lines


def _reference(gone: GoneMirror | None, state: IncidentState, vendors: Vendors) -> str:
    if gone is not None:
        return vendors.reference(gone.number, gone.id)
    return vendors.reference(state.mirror_number, state.mirror_id or "")


def _mirror_lines(state: IncidentState, vendors: Vendors) -> list[str]:
    """The declared incident, and what became of any deleted in the incident tool."""
    gone = state.mirror_gone[-1] if state.mirror_gone else None
    if state.mirror_id:
        label = _reference(None, state, vendors)
        link = f"[{label}]({state.mirror_url})" if state.mirror_url else f"`{label}`"
        replaces = (f", replacing {_reference(gone, state, vendors)} (deleted in "
                    f"{vendors.mirror})" if gone is not None else "")
        return [f"{vendors.mirror}: incident {link} declared{replaces}"]
    return mirror_problem(state, vendors)


def mirror_problem(state: IncidentState, vendors: Vendors) -> list[str]:
    """What people must know while no declared incident mirrors this one because it was
    deleted in the incident tool: that it is declared again, or that it no longer is."""
    gone = state.mirror_gone[-1] if state.mirror_gone else None
    if state.mirror_id or gone is None:
        return []
    deleted = _reference(gone, state, vendors)
    if state.mirror_stopped():
        first = _reference(state.mirror_gone[-2], state, vendors)
        return [f"**{vendors.mirror} no longer mirrors this incident**: {deleted}, declared "
                f"to replace the deleted {first}, was deleted too. To declare it there "
                "again, type `/retry`."]
    # A watched incident has a next run coming (the sweep's); a completed one only when
    # someone comments on it.
    when = ("by the next run" if lifecycle.traits(state.phase).watched
            else "by the next run of this incident: type `/retry` to start one")
    return [f"**{vendors.mirror}: incident {deleted} was deleted** in {vendors.mirror}; "
            f"it is declared again, once, {when}."]


def status_comment(plan: Plan, outcome: Outcome | None, policy: Policy, *,
                   run_url: str | None = None, issue: IssueSnapshot | None = None,
                   vendors: Vendors = Vendors()) -> str:  # noqa: B008 (frozen)
    """The comment's text: under GitHub's limit whatever the incident's length.

    The visible lists shrink (newest kept) until the comment fits; the hidden state block is
    bounded by design (ids, not texts), so what is trimmed is only ever what people can read
    in full on the issue and, once resolved, in the post-mortem.
    """
    answers = plan.answers
    state = plan.state
    all_updates = updates(issue, state) if issue else []
    entries = timeline_entries(issue, state) if issue else []
    items = followups(issue, state) if issue else []
    body = ""
    for shown_updates, shown_entries, shown_items in _SHOWN:
        body = render(
            "status_comment.md.j2",
            state=state,
            answers=answers,
            classification=plan.classification,
            problems=plan.problems,
            service=policy.service(answers.service) if answers else None,
            phase_label=phase_label(policy, state.phase),
            mirrors=outside_lines(plan, outcome, policy, vendors),
            notices=plan.notices,
            run_url=run_url,
            state_block=render_state(state),
            updates=all_updates[-shown_updates:] if shown_updates else [],
            update_count=len(all_updates),
            timeline_entries=entries[-shown_entries:] if shown_entries else [],
            timeline_count=len(entries),
            followups=items[-shown_items:] if shown_items else [],
            # ticked once their issue is found closed (core/decision/needs.py asks for it)
            closed_followups={ref.id for ref in state.followups if ref.closed},
            followup_count=len(items),
            rebuilt=state.rebuilt,
            postmortem_due=due_day(state, policy),
            timezone=policy.chasing.timezone,
        )
        if len(body) <= _BUDGET:
            return body
    return body
