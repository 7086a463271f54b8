"""How a run says a refusal, whatever adapter raised it: the chat's stand-in refuses as the
Slack adapter does once it sorts Slack's errors (`invalid_auth` -> a refused SLACK_BOT_TOKEN,
`missing_scope` -> the scope Slack names as `needed`)."""

from __future__ import annotations

from datetime import timedelta

from incident_response.adapters.ports import ChatMessageRef
from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import PostToChat
from incident_response.core.decision.status import failure_lines
from incident_response.core.errors import PermanentServiceError, Refusal
from incident_response.shell.execute import execute
from incident_response.shell.incident_run import IncidentRun
from incident_response.shell.summary import incident_summary, refused_credentials
from incident_response.shell.wiring import VENDORS, Adapters, Lazy
from tests.support import FORM, ISSUE, POLICY, T0

NOW = T0 + timedelta(minutes=1)
TOKEN_FIX = ("Slack refused SLACK_BOT_TOKEN: check the secret (a bot token, xoxb-...) and "
             "that the app is still installed")


class RefusingChat:
    """Refuses every post the same way, and counts what it was asked."""

    def __init__(self, error: PermanentServiceError) -> None:
        self.error, self.asked = error, 0

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        self.asked += 1
        raise self.error

    def find(self, effect: PostToChat, thread: ChatMessageRef | None,
             since: object) -> ChatMessageRef | None:
        self.asked += 1
        raise self.error


class NoGitHub:
    """The tracker is not asked for anything by chat effects."""


def run_with(error: PermanentServiceError) -> tuple[IncidentRun, RefusingChat]:
    plan = decide(ISSUE, None, POLICY, FORM, T0)
    chat = RefusingChat(error)
    adapters = Adapters(github=NoGitHub(), chat=Lazy.ready(chat),  # type: ignore[arg-type]
                        vendors=VENDORS)
    posts = [e for e in plan.effects if isinstance(e, PostToChat)]
    assert len(posts) == 2  # the announcement and the leadership notice
    outcome = execute(posts, plan.state, adapters, 7, NOW)
    return IncidentRun(7, plan, outcome), chat


def test_a_refused_chat_token_is_named_once_and_the_rest_of_the_run_leaves_it_alone() -> None:
    run, chat = run_with(PermanentServiceError(
        "Slack", "posting to #identity-support failed: invalid_auth",
        reason=Refusal.CREDENTIALS, fix=TOKEN_FIX, credential="SLACK_BOT_TOKEN"))
    assert chat.asked == 1  # the leadership notice was not sent into the same refusal
    assert [r.status for r in run.outcome.results] == ["failed", "skipped"]
    assert run.outcome.results[1].detail == ("not sent: SLACK_BOT_TOKEN was refused earlier "
                                             "in this run")
    [line] = refused_credentials(run, VENDORS)
    assert line == ("Slack announcement: Slack: posting to #identity-support failed: "
                    f"invalid_auth. {TOKEN_FIX}")
    summary = incident_summary(run, VENDORS)
    assert f"- **Refused credential**: {line}" in summary
    assert "Every run tries it again, so fixing the secret is enough." in summary
    state = run.plan.state
    assert "slack:leadership" not in state.failures and "slack:leadership" not in state.claimed
    # Every run tries it again: the next one plans both posts (the announcement looked up).
    again = decide(ISSUE, state, POLICY, FORM, NOW + timedelta(minutes=1))
    assert {e.key for e in again.effects if isinstance(e, PostToChat)} == {
        "slack:announce", "slack:leadership"}


def test_a_missing_scope_names_it_and_is_tried_hourly() -> None:
    run, _ = run_with(PermanentServiceError(
        "Slack", "posting to #identity-support failed: missing_scope",
        reason=Refusal.PERMISSION, fix="give the bot the chat:write scope and reinstall it"))
    state = run.plan.state
    [line, _] = failure_lines(state, VENDORS)
    assert line == ("**Slack announcement: refused** after 1 attempt(s): Slack: posting to "
                    "#identity-support failed: missing_scope. give the bot the chat:write "
                    "scope and reinstall it. Tried again hourly (next after 2026-11-28 09:12 "
                    "UTC), or at once after you type `/retry`.")
    assert refused_credentials(run, VENDORS) == []  # not a secret: no such line
    later = decide(ISSUE, state, POLICY, FORM, NOW + timedelta(minutes=30))
    assert "slack:announce" in later.abandoned
    hour = decide(ISSUE, state, POLICY, FORM, NOW + timedelta(minutes=61))
    assert any(e.key == "slack:announce" for e in hour.effects)
