"""Comment commands: found in a comment's text, checked, and applied to the incident state.

A command is a line that starts with `/` (case-insensitive name), outside fenced or indented
code and outside quotes, so quoting someone's `/resolve` never resolves anything. Applying is
pure: it changes the state and returns what to tell the responder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from incident_response.core.record import keys
from incident_response.core.record.state import FollowUpRef, IncidentState, Pending
from incident_response.core.rules import lifecycle
from incident_response.core.rules.answers import FormAnswers
from incident_response.core.rules.policy import Policy
from incident_response.core.texts.chat import mention
from incident_response.core.texts.markdown_text import code_span
from incident_response.core.vocabulary import Phase, Priority, Severity

__all__ = ["USAGE", "Command", "CommandResult", "apply_command", "followup_parts",
           "parse_commands", "timeline_moment"]

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMAND = re.compile(r"^/(?P<name>[A-Za-z][A-Za-z-]*)(?:[ \t]+(?P<argument>.*?))?\s*$")
_LOGIN = re.compile(r"^@(?P<login>[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38})$")
_TIMELINE = re.compile(
    r"^(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)(?:\s+(?P<date>\d{4}-\d{2}-\d{2}))?"
    r"\s+(?P<text>\S.*)$")

USAGE = {
    "declare": "`/declare`: confirm a answers held in triage; it is then declared and paged",
    "update": "`/update TEXT`: post an update to the chat thread and reset the reminder clock",
    "ic": "`/ic @user`: make someone the incident commander",
    "role": "`/role ROLE @user`: give someone a role, e.g. `/role tech-lead @mona`",
    "severity": "`/severity SEV-n`: set the severity (SEV-1 to SEV-5)",
    "priority": "`/priority Pn`: set the priority (P1 to P4); raising it to P1 declares",
    "mitigate": "`/mitigate`: impact is contained; the incident becomes stable",
    "resolve": "`/resolve`: the incident is over; starts recovery checks and the post-mortem",
    "timeline": "`/timeline HH:MM [YYYY-MM-DD] TEXT`: add a back-dated timeline entry (UTC)",
    "followup": "`/followup TEXT [@owner]`: record a follow-up for the post-mortem",
    "retry": "`/retry`: try again, once, what failed for good or was given up (after fixing "
             "what the status comment says); also declares the incident again in the "
             "incident tool when it was deleted there twice",
    "help": "`/help`: list the commands",
}


@dataclass(frozen=True)
class Command:
    name: str
    argument: str
    line: str


@dataclass(frozen=True)
class CommandResult:
    ok: bool
    message: str | None = None


def parse_commands(body: str) -> list[Command]:
    commands: list[Command] = []
    fence: str | None = None
    for raw in (body or "").replace("\r\n", "\n").split("\n"):
        opened = _FENCE.match(raw)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence):
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        if raw.startswith(("    ", "\t", ">")):
            continue
        match = _COMMAND.match(raw)
        if match:
            commands.append(Command(match["name"].lower(), (match["argument"] or "").strip(),
                                    raw.strip()))
    return commands


def usage_text() -> str:
    return "\n".join(f"- {line}" for line in USAGE.values())


@dataclass
class CommandContext:
    state: IncidentState
    policy: Policy
    answers: FormAnswers | None
    actor: str
    at: datetime
    comment_id: int
    index: int

    @property
    def fact_id(self) -> str:
        return f"{self.comment_id}-{self.index}"

    def mention(self, login: str) -> str:
        return mention(login)

    def note(self, text: str, *, broadcast: bool = False) -> None:
        self.state.note(self.fact_id, text, broadcast=broadcast)


def _login(argument: str) -> str | None:
    match = _LOGIN.match(argument.strip())
    return match["login"] if match else None


def _severity(argument: str) -> Severity | None:
    digits = re.sub(r"(?i)^sev[- ]?", "", argument.strip())
    return Severity(f"SEV-{digits}") if digits in {"1", "2", "3", "4", "5"} else None


def _priority(argument: str) -> Priority | None:
    digits = re.sub(r"(?i)^p", "", argument.strip())
    return Priority(f"P{digits}") if digits in {"1", "2", "3", "4"} else None


def _refuse(name: str, why: str) -> CommandResult:
    return CommandResult(False, f"`/{name}` {why}. Usage: {USAGE[name]}.")


def _declare(command: Command, ctx: CommandContext) -> CommandResult:
    state = ctx.state
    if state.phase is not Phase.TRIAGE:
        return CommandResult(True, "This incident is already declared.")
    if ctx.answers is None:
        return CommandResult(False, "`/declare` needs a valid form: fix it first "
                                    "(the status comment lists what is wrong).")
    state.confirmed_by = ctx.actor
    state.change_phase(Phase.ACTIVE, ctx.at, ctx.actor)
    ctx.note(f"Report confirmed by {ctx.mention(ctx.actor)}; the incident is declared.")
    return CommandResult(True)


def _update(command: Command, ctx: CommandContext) -> CommandResult:
    if not command.argument:
        return _refuse("update", "needs the text of the update")
    ctx.state.record_update(ctx.fact_id, ctx.at)
    ctx.state.queue(Pending(key=keys.chat_update(ctx.fact_id), kind="update", fact=ctx.fact_id))
    return CommandResult(True)


def _set_commander(login: str, ctx: CommandContext) -> CommandResult:
    ctx.state.roles["commander"] = login
    ctx.state.commander = login
    ctx.note(f"Incident commander is now {ctx.mention(login)} (set by @{ctx.actor}).")
    return CommandResult(True)


def _ic(command: Command, ctx: CommandContext) -> CommandResult:
    login = _login(command.argument)
    if login is None:
        return _refuse("ic", f"needs one GitHub handle such as @octocat, not "
                             f"{code_span(command.argument or 'nothing')}")
    return _set_commander(login, ctx)


def _role(command: Command, ctx: CommandContext) -> CommandResult:
    parts = command.argument.rsplit(None, 1)
    login = _login(parts[-1]) if parts else None
    role = re.sub(r"[^a-z0-9]+", "-", parts[0].lower()).strip("-") if len(parts) == 2 else ""
    if login is None or not role or len(role) > 40:
        return _refuse("role", "needs a role and a GitHub handle")
    if role in ("ic", "commander", "incident-commander"):
        return _set_commander(login, ctx)
    ctx.state.roles[role] = login
    ctx.note(f"{ctx.mention(login)} is now {role.replace('-', ' ')} (set by @{ctx.actor}).")
    return CommandResult(True)


def _severity_command(command: Command, ctx: CommandContext) -> CommandResult:
    severity = _severity(command.argument)
    if severity is None:
        return _refuse("severity", f"does not know {code_span(command.argument or 'nothing')}")
    before = ctx.state.severity
    ctx.state.severity_override = severity
    ctx.state.severity = severity
    if before is not severity:
        ctx.note(f"Severity {before or 'unset'} \u2192 {severity} (set by @{ctx.actor}).")
    return CommandResult(True)


def _priority_command(command: Command, ctx: CommandContext) -> CommandResult:
    priority = _priority(command.argument)
    if priority is None:
        return _refuse("priority", f"does not know {code_span(command.argument or 'nothing')}")
    before = ctx.state.priority
    ctx.state.priority_override = priority
    ctx.state.priority = priority
    if before is not priority:
        declares = ctx.policy.rule(priority).declare and not ctx.state.declared_at
        ctx.note(f"Priority {before or 'unset'} \u2192 {priority} (set by @{ctx.actor})"
                 + ("; the incident is now declared." if declares else "."))
    return CommandResult(True)


def _mitigate(command: Command, ctx: CommandContext) -> CommandResult:
    state = ctx.state
    if state.phase is Phase.STABLE:
        return CommandResult(True, "The incident is already stable.")
    if state.phase is not Phase.ACTIVE:
        return CommandResult(False, f"`/mitigate` applies to an active incident; this one is "
                                    f"{state.phase}.")
    state.change_phase(Phase.STABLE, ctx.at, ctx.actor)
    state.mitigated_at = state.mitigated_at or ctx.at
    ctx.note(f"Mitigated: impact is contained; the incident is stable (@{ctx.actor}).")
    return CommandResult(True)


def _resolve(command: Command, ctx: CommandContext) -> CommandResult:
    state = ctx.state
    if lifecycle.traits(state.phase).ended:
        return CommandResult(True, "The incident is already resolved.")
    if state.phase is Phase.TRIAGE:
        return CommandResult(False, "`/resolve` applies to a declared incident; close the issue "
                                    "if this answers was not an incident.")
    state.change_phase(Phase.RESOLVED, ctx.at, ctx.actor)
    state.resolved_at = ctx.at
    state.mitigated_at = state.mitigated_at or ctx.at
    ctx.note(f"Resolved by @{ctx.actor}. Recovery verification and the post-mortem follow on "
             "the GitHub issue.", broadcast=True)
    return CommandResult(True)


def timeline_moment(argument: str, at: datetime) -> tuple[datetime, str] | str:
    """`HH:MM [YYYY-MM-DD] TEXT` typed at `at` -> (moment, text), or why it is refused."""
    match = _TIMELINE.match(argument)
    if match is None:
        return "needs a time, an optional date and some text"
    clock = time(int(match["hour"]), int(match["minute"]))
    if match["date"]:
        try:
            day = datetime.strptime(match["date"], "%Y-%m-%d").date()
        except ValueError:
            return f"has an impossible date {code_span(match['date'])}"
        moment = datetime.combine(day, clock, tzinfo=at.tzinfo)
    else:
        moment = datetime.combine(at.date(), clock, tzinfo=at.tzinfo)
        if moment > at:  # "23:50" typed at 00:10 means yesterday
            moment -= timedelta(days=1)
    return moment, match["text"]


def _timeline(command: Command, ctx: CommandContext) -> CommandResult:
    parsed = timeline_moment(command.argument, ctx.at)
    if isinstance(parsed, str):
        return _refuse("timeline", parsed)
    ctx.state.timeline.append(ctx.fact_id)
    return CommandResult(True)


def followup_parts(argument: str) -> tuple[str, str | None]:
    """`TEXT [@owner]` -> (text, owner)."""
    text, owner = argument, None
    parts = text.rsplit(None, 1)
    if len(parts) == 2 and (login := _login(parts[1])):
        text, owner = parts[0], login
    return text.strip(), owner


def _followup(command: Command, ctx: CommandContext) -> CommandResult:
    text, owner = followup_parts(command.argument)
    if not text:
        return _refuse("followup", "needs the text of the follow-up")
    ctx.state.followups.append(FollowUpRef(id=ctx.fact_id, owner=owner))
    ctx.state.queue(Pending(key=keys.todo(ctx.fact_id), kind="todo", fact=ctx.fact_id))
    return CommandResult(True)


def _retry(command: Command, ctx: CommandContext) -> CommandResult:
    """Everything held back is tried once more by the run that applies this (decide)."""
    state = ctx.state
    redeclaring = bool(state.mirror_gone) and state.mirror_id is None
    if not state.failures and not redeclaring:
        return CommandResult(True, "Nothing is waiting to be tried again: no effect has "
                                   "failed.")
    state.retry_requested = True
    return CommandResult(True)


def _help(command: Command, ctx: CommandContext) -> CommandResult:
    return CommandResult(True, "Commands (one per line, at the start of a line):\n"
                               + usage_text())


_RULES = {
    "declare": _declare, "update": _update, "ic": _ic, "role": _role,
    "severity": _severity_command, "priority": _priority_command, "mitigate": _mitigate,
    "resolve": _resolve, "timeline": _timeline, "followup": _followup, "retry": _retry,
    "help": _help,
}
#: what may be done while a answers waits in triage
_IN_TRIAGE = {"declare", "help", "update", "timeline", "followup", "role", "ic", "retry"}
#: what may be done once the incident is completed: nothing changes it, but what failed to
#: leave (the post-mortem attachment, a follow-up issue) may be tried again
_WHEN_COMPLETED = {"help", "retry"}


def apply_command(command: Command, ctx: CommandContext, *, permitted: bool,
                  needed: str) -> CommandResult:
    rule = _RULES.get(command.name)
    if rule is None:
        return CommandResult(False, f"`/{command.name}` is not a command here.\n"
                                    + usage_text())
    if command.name != "help" and not permitted:
        return CommandResult(False, f"@{ctx.actor}, `/{command.name}` needs {needed} permission "
                                    "on this repository; nothing was changed.")
    if ctx.state.phase is Phase.TRIAGE and command.name not in _IN_TRIAGE:
        return CommandResult(False, f"`/{command.name}` waits until a responder confirms the "
                                    "answers with `/declare`.")
    if ctx.state.phase is Phase.COMPLETED and command.name not in _WHEN_COMPLETED:
        return CommandResult(False, "This incident is completed; nothing more can change.")
    return rule(command, ctx)
