"""The imperative shell: carry out a plan's effects, each independently, and record results.

One failing effect never stops the others. An integration without credentials is skipped with
a notice (the effect stays due, so a later run with credentials does it). Every result lands in
the state block, which is what makes the next run pick up exactly what is still undone.
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from incident_response.adapters.ports import (
    ChatNotifier,
    IncidentMirror,
    IssueTracker,
    Pager,
    SlackMessageRef,
)
from incident_response.core.decision.effects import (
    AddIncidentTodo,
    AttachPostmortem,
    DeclareIncident,
    Effect,
    FindIncident,
    OpenFollowUpIssue,
    PostComment,
    PostToChat,
    React,
    ResolvePage,
    SetIssueState,
    TriggerPage,
    UpdateIncident,
    WritePostmortem,
)
from incident_response.core.decision.outcome import EffectResult, Outcome
from incident_response.core.decision.plan import Plan
from incident_response.core.errors import ServiceError
from incident_response.core.record import keys
from incident_response.core.record.snapshot import effect_marker
from incident_response.core.record.state import IncidentState

__all__ = ["DEFAULT_NAMES", "Services", "execute"]


#: the vendors the shipped wiring puts behind each capability (another wiring names its own)
DEFAULT_NAMES = {"pager": "PagerDuty", "mirror": "Datadog", "chat": "Slack", "github": "GitHub"}


@dataclass
class Services:
    """The adapters for this run; None where the credentials are absent."""

    github: IssueTracker | None
    pager: Pager | None = None
    mirror: IncidentMirror | None = None
    chat: ChatNotifier | None = None
    #: why each absent integration is absent, e.g. "PAGERDUTY_ROUTING_KEY is not set"
    missing: dict[str, str] = field(default_factory=dict)
    #: adapters built on their first use, so a vendor SDK is imported only when an effect
    #: needs it (the page does not wait for Datadog's and Slack's clients): port -> factory
    factories: dict[str, Callable[[], Any]] = field(default_factory=dict)

    #: the vendor behind each capability, as people know it: port -> name
    names: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_NAMES))

    def name(self, port: str) -> str:
        return self.names.get(port, port)

    def adapter(self, port: str) -> Any:
        """The adapter for `pager`, `mirror`, `chat` or `github`, built now if it is due."""
        if getattr(self, port) is None and port in self.factories:
            setattr(self, port, self.factories.pop(port)())
        return getattr(self, port)


class Waiting(Exception):
    """The effect depends on one not done yet (a thread reply before its announcement)."""


def _page(effect: TriggerPage, pager: Pager, state: IncidentState, number: int) -> str:
    state.page_dedup_key = pager.trigger(effect)
    return f"triggered, dedup_key {state.page_dedup_key}"


def _resolve_page(effect: ResolvePage, pager: Pager, state: IncidentState,
                  number: int) -> str:
    pager.resolve(effect.dedup_key)
    return "resolved"


def _declare(effect: DeclareIncident, mirror: IncidentMirror, state: IncidentState,
             number: int) -> str:
    # A failed or unconfirmed attempt may have created it and lost the answer: look first.
    looked = effect.look_first or effect.key in state.failures
    earlier = mirror.find(effect.issue_url) if looked else None
    ref = earlier or mirror.declare(effect)
    state.datadog_id, state.datadog_public_id, state.datadog_url = ref.id, ref.public_id, ref.url
    if earlier is None:
        state.datadog_synced = effect.fingerprint
    return f"incident {ref.public_id or ref.id}"


def _find_incident(effect: FindIncident, mirror: IncidentMirror, state: IncidentState,
                   number: int) -> str:
    ref = mirror.find(effect.issue_url)
    if ref is None:
        state.rebuilt.append("The Datadog incident was not found by this issue's URL; it was not "
                             "declared again. Declare it by hand if it is needed.")
        return "not found (not declared again)"
    state.datadog_id, state.datadog_public_id, state.datadog_url = ref.id, ref.public_id, ref.url
    state.rebuilt.append(f"The Datadog incident IR-{ref.public_id} was found by this issue's URL.")
    return f"found incident {ref.public_id or ref.id}"


def _datadog_id(state: IncidentState) -> str:
    if state.datadog_id is None:
        msg = "waiting for the Datadog incident to be declared"
        raise Waiting(msg)
    return state.datadog_id


def _sync(effect: UpdateIncident, mirror: IncidentMirror, state: IncidentState, number: int) -> str:
    mirror.sync(_datadog_id(state), effect)
    state.datadog_synced = effect.fingerprint
    return "fields, state and commander updated"


def _todo(effect: AddIncidentTodo, mirror: IncidentMirror, state: IncidentState,
          number: int) -> str:
    incident = _datadog_id(state)
    if effect.look_first and mirror.has_todo(incident, effect.content):
        return "todo found, added by an earlier run"
    mirror.add_todo(incident, effect.content)
    return "todo added"


def _react(effect: React, github: IssueTracker, state: IncidentState, number: int) -> str:
    github.add_reaction(effect.comment_id, effect.content)
    return f"reacted {effect.content}"


def _slack(effect: PostToChat, chat: ChatNotifier, state: IncidentState, number: int) -> str:
    thread = state.slack_ts if effect.in_thread else None
    if effect.in_thread and thread is None:
        if not state.is_done(keys.ANNOUNCE):
            msg = "waiting for the Slack announcement to start the thread"
            raise Waiting(msg)
        # Announced, but the thread was lost with a rebuilt record: find the announcement by
        # its metadata, else the channel still hears it as a message of its own.
        found = _announcement(effect, chat)
        if found is None:
            effect = replace(effect, in_thread=False)
        else:
            state.slack_channel, state.slack_ts = found.channel, found.ts
            thread = found.ts
    if effect.in_thread and state.slack_channel:
        # The thread is where the announcement went, even if the config was renamed since.
        effect = replace(effect, channel=state.slack_channel)
    checked = ""
    if effect.look_first:
        try:
            found = chat.find(effect, thread, state.claimed.get(effect.key))
        except ServiceError as error:
            found, checked = None, f" (could not look for an earlier copy: {error})"
        if found is not None:
            if effect.is_announcement:
                state.slack_channel, state.slack_ts = found.channel, found.ts
            return f"found in {effect.channel}, posted by an earlier run"
    ref = chat.post(effect, thread)
    if effect.is_announcement:
        state.slack_channel, state.slack_ts = ref.channel, ref.ts
    return f"posted to {effect.channel}{checked}"


def _announcement(effect: PostToChat, chat: ChatNotifier) -> SlackMessageRef | None:
    wanted = replace(effect, key=keys.ANNOUNCE, in_thread=False, kind="incident_announced")
    try:
        return chat.find(wanted, None, None)
    except ServiceError:
        return None


def _comment(effect: PostComment, github: IssueTracker, state: IncidentState, number: int) -> str:
    comment_id = github.create_comment(effect.on or number, marked(effect.key, effect.body))
    return f"comment {comment_id}"


def marked(key: str, body: str) -> str:
    """The body with the effect's marker on its first line (after any marker already there)."""
    first, _, rest = body.partition("\n")
    if first.lstrip().startswith("<!--"):
        return f"{first}{effect_marker(key)}\n{rest}"
    return f"{effect_marker(key)}\n{body}"


def _postmortem(effect: WritePostmortem, github: IssueTracker, state: IncidentState,
                number: int) -> str:
    ref = github.write_postmortem(effect, state.postmortem_pr)
    state.postmortem_pr, state.postmortem_url = ref.number, ref.file_url
    state.postmortem_path, state.postmortem_hash = effect.path, effect.content_hash
    if not ref.written:
        return (f"pull request #{ref.number} left as it is: someone else has committed to "
                f"{effect.branch}")
    return f"pull request #{ref.number}"


def _attach(effect: AttachPostmortem, mirror: IncidentMirror, state: IncidentState,
            number: int) -> str:
    incident = _datadog_id(state)
    if effect.look_first and mirror.has_attachment(incident, effect.url):
        return "post-mortem found attached by an earlier run"
    mirror.attach_postmortem(incident, effect.url, effect.title)
    return "post-mortem attached"


def _issue_state(effect: SetIssueState, github: IssueTracker, state: IncidentState,
                 number: int) -> str:
    github.set_issue_state(number, open_=effect.open, reason=effect.reason)
    state.issue_closed = not effect.open
    return "reopened" if effect.open else "closed"


def _followup_issue(effect: OpenFollowUpIssue, github: IssueTracker, state: IncidentState,
                    number: int) -> str:
    body = marked(effect.key, effect.body)
    created = github.find_issue(effect.key) if effect.look_first else None
    if created is None:
        created = github.create_issue(effect.title, body, list(effect.labels))
    for item in state.followups:
        if item.id == effect.followup_id:
            item.issue_number = created
    return f"issue #{created}"


_HANDLERS: dict[type[Effect], Callable[..., str]] = {
    WritePostmortem: _postmortem,
    AttachPostmortem: _attach,
    SetIssueState: _issue_state,
    OpenFollowUpIssue: _followup_issue,
    TriggerPage: _page,
    ResolvePage: _resolve_page,
    DeclareIncident: _declare,
    FindIncident: _find_incident,
    UpdateIncident: _sync,
    AddIncidentTodo: _todo,
    PostToChat: _slack,
    PostComment: _comment,
    React: _react,
}


def execute(plan: Plan, services: Services, number: int, now: datetime) -> Outcome:
    outcome = Outcome()
    for effect in plan.effects:
        port = effect.capability
        name = services.name(port)
        adapter = services.adapter(port)
        if adapter is None:
            reason = services.missing.get(port, f"{name} is not configured")
            plan.state.claimed.pop(effect.key, None)  # nothing went out: no claim to keep
            outcome.results.append(EffectResult(effect, "skipped", reason, name))
            continue
        try:
            detail = _HANDLERS[type(effect)](effect, adapter, plan.state, number)
        except Waiting as waiting:
            plan.state.claimed.pop(effect.key, None)  # nothing went out: no claim to keep
            outcome.results.append(EffectResult(effect, "waiting", str(waiting), name))
        except ServiceError as error:
            plan.state.mark_failed(effect.key, str(error), now)
            outcome.results.append(EffectResult(effect, "failed", str(error), name))
        except Exception as error:
            traceback.print_exc(file=sys.stderr)
            detail = f"{name}: unexpected {type(error).__name__} (see the run log)"
            plan.state.mark_failed(effect.key, detail, now)
            outcome.results.append(EffectResult(effect, "failed", detail, name))
        else:
            plan.state.mark_done(effect.key, now)
            outcome.results.append(EffectResult(effect, "done", detail, name))
    return outcome
