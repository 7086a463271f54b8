"""The post-mortem document: a golden file for a full sample incident, and path safety."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from incident_response.core.decision.decide import decide
from incident_response.core.record.snapshot import CommentSnapshot, HistoryEvent
from incident_response.core.rules.answers import validate_answers
from incident_response.core.rules.form import parse_form
from incident_response.core.rules.postmortem import postmortem_path, render_postmortem, slug
from incident_response.shell.wiring import VENDORS
from tests.support import FORM, ISSUE, POLICY, T0

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "postmortem-sample.md"


def sample() -> str:
    """A P1 from report to resolution, with every kind of timeline entry."""
    issue = replace(ISSUE, title="[Incident] SSOe sign-in failing for Login.gov users",
                    created_at=T0 - timedelta(minutes=1))
    state = decide(issue, None, POLICY, FORM, T0).state
    for key in ("page:trigger", "datadog:declare", "slack:announce", "slack:leadership"):
        state.mark_done(key)
    state.page_dedup_key = issue.key
    state.mirror_id, state.mirror_number = "d466fcca", 338014
    state.mirror_url = "https://app.datadoghq.com/incidents/338014"
    state.chat_thread = "1700000000.000001"
    script = [
        (2, "mona", "/ic @sam\n/role tech-lead @lee"),
        (4, "sam", "/timeline 07:58 ISAM configuration change deployed"),
        (9, "sam", "/update Rolled back the ISAM change; errors falling"),
        (15, "lee", "/severity SEV-1\n/followup Alert on SSOe error rate sooner @lee"),
        (22, "sam", "/mitigate"),
        (31, "sam", "/update Login.gov and ID.me sign-ins verified\n/followup Rehearse the "
                    "SSOe rollback"),
        (40, "sam", "/resolve"),
    ]
    comments = []
    for number, (minutes, author, body) in enumerate(script, start=600):
        comments.append(CommentSnapshot(number, author, body, T0 + timedelta(minutes=minutes)))
        issue = replace(issue, comments=tuple(comments),
                        permissions={"mona": "admin", "sam": "write", "lee": "write"})
        state = decide(issue, state, POLICY, FORM, T0 + timedelta(minutes=minutes)).state
    history = (
        HistoryEvent(T0 + timedelta(minutes=3), "assigned", "mona", "sam"),
        HistoryEvent(T0 + timedelta(minutes=15), "labeled", "lee", "severity:SEV-1"),
        HistoryEvent(T0 + timedelta(minutes=2), "commented", "mona", comments[0].body),
        HistoryEvent(T0 + timedelta(minutes=15), "commented", "lee", comments[3].body),
    )
    report, _ = validate_answers(parse_form(issue.body, FORM), FORM, POLICY, reporter="mona")
    assert report is not None
    return render_postmortem(replace(issue, history=history), report, state, POLICY, VENDORS)


def test_the_rendered_sample_matches_the_golden_file() -> None:
    rendered = sample()
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.write_text(rendered, encoding="utf-8")
    assert rendered == GOLDEN.read_text(encoding="utf-8"), (
        "the post-mortem changed; if intended, run UPDATE_GOLDEN=1 pytest "
        "tests/unit/test_postmortem.py and review the diff")


@pytest.mark.parametrize(("title", "expected"), [
    ("[Incident] SSOe sign-in failing for Login.gov users",
     "ssoe-sign-in-failing-for-login-gov-users"),
    ("../../.github/workflows/x", "github-workflows-x"),
    ("[Incident] ", "incident"),
    ("Ünïcödé — and / slashes \\ and `ticks`", "unicode-and-slashes-and-ticks"),
    ("x" * 300, "x" * 50),
])
def test_the_slug_is_safe_and_bounded(title: str, expected: str) -> None:
    assert slug(title) == expected


def test_a_hostile_title_cannot_leave_the_postmortems_folder() -> None:
    path = postmortem_path(7, "../../.github/workflows/x", datetime(2026, 11, 28, tzinfo=UTC))
    assert path == "postmortems/2026-11-28-incident-7-github-workflows-x.md"
    assert Path(path).resolve().is_relative_to(Path("postmortems").resolve())
