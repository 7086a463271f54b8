"""The imperative shell: carry out effects, each on its own, and record what came of them.

One failing effect never stops the others. An integration without credentials is skipped with
a notice (the effect stays due, so a later run with credentials does it). Every result lands in
the state, which is what makes the next run pick up exactly what is still undone. Effects are
matched by type, so mypy proves that every kind of effect has a sender here.
"""

from __future__ import annotations

import contextlib
import sys
import traceback
from dataclasses import replace
from datetime import datetime
from typing import TypeVar, assert_never

from incident_response.adapters.ports import (
    ChatMessageRef,
    ChatNotifier,
    IncidentMirror,
    IssueTracker,
    Pager,
)
from incident_response.core.decision.effects import (
    AddIncidentTodo,
    AttachPostmortem,
    Capability,
    DeclareIncident,
    Effect,
    FindIncident,
    OpenFollowUpIssue,
    PostComment,
    PostToChat,
    React,
    ResolvePage,
    SetIssueState,
    Thread,
    TriggerPage,
    UpdateIncident,
    WritePostmortem,
)
from incident_response.core.decision.outcome import EffectResult, Outcome
from incident_response.core.decision.rebuilt import chat_lookup, declared_lookup
from incident_response.core.decision.retry import fingerprint, promise
from incident_response.core.decision.status import mirror_problem
from incident_response.core.errors import PermanentServiceError, Refusal, ServiceError
from incident_response.core.record import keys
from incident_response.core.record.keys import Vendors
from incident_response.core.record.snapshot import effect_marker
from incident_response.core.record.state import IncidentState
from incident_response.shell import actions
from incident_response.shell.wiring import Adapters, Lazy

__all__ = ["execute", "marked"]

T = TypeVar("T")


class _Skipped(Exception):
    """The effect's integration is not configured (its credentials are absent)."""


class _Waiting(Exception):
    """The effect depends on one not done yet (a thread reply before its announcement)."""


def _adapter(lazy: Lazy[T]) -> T:
    adapter = lazy.get()
    if adapter is None:
        raise _Skipped(lazy.missing)
    return adapter


def _page(effect: TriggerPage, pager: Pager, state: IncidentState, now: datetime) -> str:
    state.record_page(pager.trigger(effect), now)
    return f"triggered, dedup_key {state.page_dedup_key}"


def _declare(effect: DeclareIncident, mirror: IncidentMirror, state: IncidentState,
             adapters: Adapters) -> str:
    # A failed or unconfirmed attempt may have created it and lost the answer: look first.
    looked = effect.look_first or effect.key in state.failures
    earlier = mirror.find(effect.issue_url) if looked else None
    ref = earlier or mirror.declare(effect)
    state.mirror_id, state.mirror_number, state.mirror_url = ref.id, ref.number, ref.url
    if earlier is None:
        state.mirror_synced = effect.fingerprint
    return f"incident {adapters.vendors.reference(ref.number, ref.id)}"


def _find_declared(effect: FindIncident, mirror: IncidentMirror, state: IncidentState,
                   adapters: Adapters) -> str:
    ref = mirror.find(effect.issue_url)
    if ref is not None:
        state.mirror_id, state.mirror_number, state.mirror_url = ref.id, ref.number, ref.url
    reference = adapters.vendors.reference(ref.number, ref.id) if ref else None
    return declared_lookup(state, reference, adapters.vendors.mirror)


def _declared_id(state: IncidentState) -> str:
    if state.mirror_id is None:
        msg = "waiting for the incident to be declared"
        raise _Waiting(msg)
    return state.mirror_id


def _update(effect: UpdateIncident, mirror: IncidentMirror, state: IncidentState) -> str:
    mirror.sync(_declared_id(state), effect)
    state.mirror_synced = effect.fingerprint
    return "fields, state and commander updated"


def _todo(effect: AddIncidentTodo, mirror: IncidentMirror, state: IncidentState) -> str:
    incident = _declared_id(state)
    if effect.look_first and mirror.has_todo(incident, effect.content):
        return "todo found, added by an earlier run"
    mirror.add_todo(incident, effect.content)
    return "todo added"


def _attach(effect: AttachPostmortem, mirror: IncidentMirror, state: IncidentState) -> str:
    incident = _declared_id(state)
    if effect.look_first and mirror.has_attachment(incident, effect.url):
        return "post-mortem found attached by an earlier run"
    mirror.attach_postmortem(incident, effect.url, effect.title)
    return "post-mortem attached"


def _thread_of(effect: PostToChat, chat: ChatNotifier,
               state: IncidentState) -> tuple[PostToChat, ChatMessageRef | None]:
    """The thread a post goes to, as the core planned it (effect.thread)."""
    if effect.thread is Thread.CHANNEL:
        return effect, None
    if state.chat_thread and state.chat_channel:
        # The thread is where the announcement went, even if the config was renamed since.
        thread = ChatMessageRef(state.chat_channel, state.chat_thread)
        _link(thread, chat, state)
        return replace(effect, channel=state.chat_channel), thread
    if effect.thread is Thread.REPLY:
        msg = "waiting for the announcement to start the thread"
        raise _Waiting(msg)
    found = _announcement(effect, chat, state)
    if found is None:  # not to be found: the channel still hears it, as a message of its own
        return replace(effect, thread=Thread.CHANNEL), None
    _announced(found, chat, state)
    return replace(effect, channel=found.channel), found


def _announcement(effect: PostToChat, chat: ChatNotifier,
                  state: IncidentState) -> ChatMessageRef | None:
    """The incident's announcement, looked for by its tags where a record rebuilt without it
    says it went out. Not to be found, or not to be looked for (a scope the bot lacks, said in
    the record): None. A failure to look that a later run may not meet is raised, so the post
    waits for that run rather than going to the channel on its own."""
    wanted = replace(effect, key=keys.ANNOUNCE, thread=Thread.CHANNEL, kind="incident_announced")
    found, _ = _look(wanted, None, chat, state)
    return found


def _look(effect: PostToChat, thread: ChatMessageRef | None, chat: ChatNotifier,
          state: IncidentState) -> tuple[ChatMessageRef | None, str]:
    """The message an earlier run posted for this effect, in the channel's id when the record
    knows it; and, when it could not be looked for, why (for the detail line).

    Only a refusal someone must fix by giving a permission (a scope) lets the post go out
    without the look, and the record says so once, until a look succeeds: a message that
    cannot be found must still reach people. Every other failure is raised, and the post waits
    for a run that can look: an answer lost again, a refused token, a channel that is gone."""
    known = replace(effect, channel=state.chat_channels.get(effect.channel, effect.channel))
    try:
        found = chat.find(known, thread)
    except PermanentServiceError as error:
        if error.reason is not Refusal.PERMISSION:
            raise
        problem = str(error).removeprefix(f"{error.service}: ")
        if problem != state.chat_lookup_problem:  # said once, not by every run that meets it
            actions.annotate("warning", f"{error.service}: an earlier message could not be "
                             "looked for", f"{problem}. The post went out again and may show "
                             "twice.")
        state.chat_lookup_problem = problem
        return None, (" without looking for an earlier copy, which this run could not do, so "
                      f"it may show twice: {error}")
    state.chat_lookup_problem = None
    if found is not None:
        _learnt(effect.channel, found, state)
    return found, ""


def _learnt(channel: str, message: ChatMessageRef, state: IncidentState) -> None:
    """The channel's id, as the chat answered it for the channel the config names."""
    if message.channel != channel:
        state.chat_channels[channel] = message.channel


def _announced(message: ChatMessageRef, chat: ChatNotifier, state: IncidentState) -> None:
    state.chat_channel, state.chat_thread = message.channel, message.id
    state.chat_thread_url = None
    _link(message, chat, state)


def _link(message: ChatMessageRef, chat: ChatNotifier, state: IncidentState) -> None:
    """The announcement's link for people, once; without it the status comment names the
    thread by its id, and the next run that posts to the thread asks again."""
    if state.chat_thread_url is None:
        with contextlib.suppress(ServiceError):
            state.chat_thread_url = chat.permalink(message)


def _post(effect: PostToChat, chat: ChatNotifier, state: IncidentState,
          vendors: Vendors) -> str:
    """Post, unless an earlier run's copy is found first: a post an earlier run claimed and
    never confirmed (a lost answer, a refused token, a lost record) is looked for by its tags
    before it is sent again."""
    effect, thread = _thread_of(effect, chat, state)
    unchecked = ""
    if effect.look_first:
        found, unchecked = _look(effect, thread, chat, state)
        chat_lookup(state, effect.key, keys.describe(effect.key, vendors), effect.channel,
                    found=None if unchecked else found is not None)
        if found is not None:
            if effect.is_announcement:
                _announced(found, chat, state)
            return f"found in {effect.channel}, posted by an earlier run"
    ref = chat.post(effect, thread)
    _learnt(effect.channel, ref, state)
    if effect.is_announcement:
        _announced(ref, chat, state)
    return f"posted to {effect.channel}{unchecked}"


def marked(key: str, body: str) -> str:
    """The body with the effect's marker on its first line (after any marker already there)."""
    first, _, rest = body.partition("\n")
    if first.lstrip().startswith("<!--"):
        return f"{first}{effect_marker(key)}\n{rest}"
    return f"{effect_marker(key)}\n{body}"


def _comment(effect: PostComment, github: IssueTracker, number: int) -> str:
    comment_id = github.create_comment(effect.on or number, marked(effect.key, effect.body))
    return f"comment {comment_id}"


def _postmortem(effect: WritePostmortem, github: IssueTracker, state: IncidentState) -> str:
    ref = github.write_postmortem(effect, state.postmortem_pr)
    state.postmortem_pr, state.postmortem_url = ref.number, ref.file_url
    state.postmortem_path, state.postmortem_hash = effect.path, effect.content_hash
    if not ref.written:
        return (f"pull request #{ref.number} left as it is: someone else has committed to "
                f"{effect.branch}")
    return f"pull request #{ref.number}"


def _issue_state(effect: SetIssueState, github: IssueTracker, state: IncidentState,
                 number: int) -> str:
    github.set_issue_state(number, open_=effect.open, reason=effect.reason)
    state.issue_closed = not effect.open
    return "reopened" if effect.open else "closed"


def _followup_issue(effect: OpenFollowUpIssue, github: IssueTracker,
                    state: IncidentState) -> str:
    body = marked(effect.key, effect.body)
    created = github.find_issue(effect.key) if effect.look_first else None
    if created is None:
        created = github.create_issue(effect.title, body, list(effect.labels))
    for item in state.followups:
        if item.id == effect.followup_id:
            item.issue_number = created
    return f"issue #{created}"


def _send(  # noqa: PLR0911, PLR0912 (one arm per kind of effect, by design)
        effect: Effect, adapters: Adapters, state: IncidentState, number: int,
        now: datetime) -> str:
    """Carry one effect out through the adapter of its capability; its detail line."""
    match effect:
        case TriggerPage():
            return _page(effect, _adapter(adapters.pager), state, now)
        case ResolvePage():
            _adapter(adapters.pager).resolve(effect.dedup_key)
            return "resolved"
        case DeclareIncident():
            return _declare(effect, _adapter(adapters.mirror), state, adapters)
        case FindIncident():
            return _find_declared(effect, _adapter(adapters.mirror), state, adapters)
        case UpdateIncident():
            return _update(effect, _adapter(adapters.mirror), state)
        case AddIncidentTodo():
            return _todo(effect, _adapter(adapters.mirror), state)
        case AttachPostmortem():
            return _attach(effect, _adapter(adapters.mirror), state)
        case PostToChat():
            return _post(effect, _adapter(adapters.chat), state, adapters.vendors)
        case PostComment():
            return _comment(effect, adapters.github, number)
        case React():
            adapters.github.add_reaction(effect.comment_id, effect.content)
            return f"reacted {effect.content}"
        case WritePostmortem():
            return _postmortem(effect, adapters.github, state)
        case SetIssueState():
            return _issue_state(effect, adapters.github, state, number)
        case OpenFollowUpIssue():
            return _followup_issue(effect, adapters.github, state)
        case _:
            assert_never(effect)


#: effects about the declared incident itself: a 404 to any of them means it was deleted
_ABOUT_DECLARED = (UpdateIncident, AddIncidentTodo, AttachPostmortem)


def _lost_mirror(effect: Effect, error: PermanentServiceError, state: IncidentState,
                 adapters: Adapters, now: datetime) -> str | None:
    """The declared incident was deleted in the incident tool (a 404 about it): the record
    forgets it, so that it is declared again, once. The detail line, or None when the error
    is about something else."""
    if not (error.reason is Refusal.GONE and isinstance(effect, _ABOUT_DECLARED)):
        return None
    if state.lose_mirror(now) is None:
        return None
    return f"{error.failure}: " + " ".join(mirror_problem(state, adapters.vendors))


def _refused(effect: Effect, error: PermanentServiceError, state: IncidentState,
             now: datetime) -> str:
    """A refusal recorded with its fix and what was sent; the detail line says what then."""
    state.mark_failed(effect.key, error.failure, now, refusal=error.reason, fix=error.fix,
                      sent=fingerprint(effect))
    return f"{error.failure}. {promise(state.failures[effect.key])}"


def _not_refused(earlier: PermanentServiceError | None, name: str) -> None:
    if earlier is not None:
        msg = f"not sent: {earlier.credential or name} was refused earlier in this run"
        raise _Skipped(msg)


def execute(effects: list[Effect], state: IncidentState, adapters: Adapters, number: int,
            now: datetime) -> Outcome:
    """Carry out `effects` for incident `number`, recording each result in `state`.

    A service that refused its credential is not asked again in this run: its other effects
    are skipped with the reason (one refusal, one line), and stay due for the next run."""
    outcome = Outcome()
    refused: dict[Capability, PermanentServiceError] = {}
    for effect in effects:
        name = adapters.vendor(effect.capability)
        try:
            _not_refused(refused.get(effect.capability), name)
            detail = _send(effect, adapters, state, number, now)
        except _Skipped as skipped:
            state.claimed.pop(effect.key, None)  # nothing went out: no claim to keep
            outcome.results.append(EffectResult(effect, "skipped", str(skipped), name))
        except _Waiting as waiting:
            state.claimed.pop(effect.key, None)  # nothing went out: no claim to keep
            outcome.results.append(EffectResult(effect, "waiting", str(waiting), name))
        except PermanentServiceError as error:
            lost = _lost_mirror(effect, error, state, adapters, now)
            if lost is not None:
                state.claimed.pop(effect.key, None)  # refused: nothing went out
                outcome.results.append(EffectResult(effect, "failed", lost, name))
                continue
            if error.reason is Refusal.CREDENTIALS:
                refused[effect.capability] = error
            outcome.results.append(EffectResult(effect, "failed",
                                                _refused(effect, error, state, now), name))
        except ServiceError as error:
            state.mark_failed(effect.key, str(error), now)
            outcome.results.append(EffectResult(effect, "failed", str(error), name))
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            detail = f"{name}: unexpected {type(error).__name__} (see the run log)"
            state.mark_failed(effect.key, detail, now)
            outcome.results.append(EffectResult(effect, "failed", detail, name))
        else:
            state.mark_done(effect.key, now)
            outcome.results.append(EffectResult(effect, "done", detail, name))
    return outcome
