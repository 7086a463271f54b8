"""The write protocol on its own (shell/incident_run.py): the page first, the claims in the
record before their effects, the record merged with a run that wrote meanwhile, nothing sent
when the record cannot be written.

The drill's in-memory stand-ins are the adapters; no server, no process.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from incident_response.adapters.ports import ChatMessageRef
from incident_response.commands.drill.runner import Drill
from incident_response.commands.drill.scenarios import P1, REPORTER, for_policy, form_body
from incident_response.commands.drill.standins import StandInSlack
from incident_response.core.decision.effects import PostToChat
from incident_response.core.errors import TransientServiceError
from incident_response.core.record import keys
from incident_response.core.record.block import (
    carries_status_marker,
    parse_state,
    render_state,
)
from incident_response.core.record.state import IncidentState
from incident_response.shell.incident_run import IncidentRun, run_incident
from incident_response.shell.loading import complete_snapshot
from incident_response.shell.wiring import Lazy
from tests.support import FORM, POLICY

START = datetime(2026, 11, 28, 8, 10, tzinfo=UTC)


def drill() -> Drill:
    run = Drill(for_policy(P1, POLICY, FORM), POLICY, FORM, START)
    run.number = run.github.open_issue("SSOe down", form_body(FORM, run.scenario.answers),
                                       REPORTER, POLICY.labels.incident)
    return run


def record(run: Drill) -> IncidentState:
    body = next(c.body for c in run.github.comments.values() if carries_status_marker(c))
    state = parse_state(body)
    assert state is not None
    return state


def reconcile(run: Drill) -> IncidentRun:
    loaded = complete_snapshot(run.github.load_issue(run.number), run.github, POLICY,
                               acknowledgements=run.pagerduty)
    return run_incident(loaded, run.adapters, POLICY, FORM, run.clock.now)


class ClaimChecking(StandInSlack):
    """A chat that, as each post goes out, reads what the record says of it."""

    def __init__(self, run: Drill) -> None:
        super().__init__(run.transcript)
        self.run = run
        self.claimed_when_sent: dict[str, bool] = {}

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        self.claimed_when_sent[effect.key] = effect.key in record(self.run).claimed
        return super().post(effect, thread)


def test_the_page_leaves_before_the_record_and_the_claims_are_written_before_the_posts() -> None:
    run = drill()
    chat = ClaimChecking(run)
    run.adapters.chat = Lazy.ready(chat)
    result = reconcile(run)
    assert not result.failed
    operations = [(c.service, c.operation) for c in run.transcript.calls]
    paged = operations.index(("PagerDuty", "trigger"))
    first_write = next(i for i, op in enumerate(operations) if op == ("GitHub", "comment"))
    assert paged < first_write  # the page needs no record
    assert chat.claimed_when_sent == {keys.ANNOUNCE: True, keys.LEADERSHIP: True}
    done = record(run)
    assert done.claimed == {} and done.is_done(keys.ANNOUNCE)  # confirmed afterwards


class Interloper(StandInSlack):
    """A chat during whose post another run writes the record (a reply it queued)."""

    def __init__(self, run: Drill) -> None:
        super().__init__(run.transcript)
        self.run = run

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        if effect.key == keys.LEADERSHIP:
            comment_id, comment = next((i, c) for i, c in self.run.github.comments.items()
                                       if carries_status_marker(c))
            theirs = record(self.run)
            theirs.watermark = 9_999
            theirs.note("from-the-other-run", "A note the other run queued.")
            body = comment.body.rsplit("<!-- incident-response:state", 1)[0] + render_state(
                theirs)
            self.run.github.update_comment(comment_id, body)
        return super().post(effect, thread)


def test_a_run_that_wrote_the_record_meanwhile_is_merged_not_overwritten() -> None:
    run = drill()
    run.adapters.chat = Lazy.ready(Interloper(run))
    result = reconcile(run)
    assert result.merged
    merged = record(run)
    assert merged.watermark == 9_999  # their watermark
    assert merged.is_pending(keys.chat_note("from-the-other-run"))  # their outbox entry
    assert merged.is_done(keys.ANNOUNCE) and merged.is_done(keys.LEADERSHIP)  # our results


def test_nothing_but_the_page_goes_out_when_the_record_cannot_be_written() -> None:
    run = drill()

    def refuse(number: int, body: str) -> int:
        raise TransientServiceError("GitHub", "Commenting on the issue failed with HTTP 502")

    run.github.create_comment = refuse  # type: ignore[method-assign]
    result = reconcile(run)
    assert result.failed and "nothing else was sent" in result.errors[0]
    assert not any(c.service in ("Slack", "Datadog") for c in run.transcript.calls)
    # the next run, with GitHub back, sends the rest once; the page is not sent again
    del run.github.create_comment
    run.clock.now = START + timedelta(minutes=1)
    again = reconcile(run)
    assert not again.failed
    triggers = [c for c in run.transcript.calls if c.operation == "trigger"]
    assert len(triggers) == 2  # PagerDuty's dedup key makes the second one the same alert
    assert record(run).is_done(keys.DECLARE)
