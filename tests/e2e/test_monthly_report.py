"""`incident-response report`: the figures (unit), and the command against the GitHub fake."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from incident_response.commands.report import parse_window
from incident_response.core.figures import charts, figures, table
from incident_response.core.figures.figures import IncidentRecord, Targets, Window
from incident_response.core.record.state import FollowUpRef, IncidentState, SavedAnswers
from incident_response.core.vocabulary import Priority, Severity
from tests.conftest import World
from tests.support import resolved_p1

NOVEMBER = Window(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC),
                  "2026-11")
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEYS = {"month", "incidents", "by_priority", "by_severity", "by_service", "mtta_minutes",
        "time_to_declare_minutes", "time_to_mitigate_minutes", "mttr_minutes",
        "availability", "sla", "postmortems", "followups"}


def t(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def incident(number: int, opened: datetime, *, started: datetime | None = None,
             resolved: datetime | None = None, declared: datetime | None = None,
             mitigated: datetime | None = None, acknowledged: datetime | None = None,
             paged: bool = True, service: str = "SSOe", severity: str = "SEV-2",
             priority: str = "P1", **extra: Any) -> IncidentRecord:
    state = IncidentState(
        priority=Priority(priority), severity=Severity(severity), opened_at=opened,
        declared_at=declared, mitigated_at=mitigated, resolved_at=resolved,
        page_dedup_key=f"o/r#{number}" if paged else None,
        report=SavedAnswers(service=service, environment="production", users_per_hour=2500,
                           user_impact="x", started_at=started), **extra)
    if acknowledged is not None:
        object.__setattr__(state, "acknowledged_at", acknowledged)  # the lead's new field
    return IncidentRecord(number, f"https://github.com/o/r/issues/{number}", f"#{number}",
                          opened, state)


def test_means_medians_and_worst_are_over_the_incidents_that_have_the_figure() -> None:
    records = [
        incident(1, t(3, 10), started=t(3, 9, 50), declared=t(3, 10, 5), mitigated=t(3, 10, 50),
                 resolved=t(3, 11, 50)),
        incident(2, t(10, 10), declared=t(10, 10, 15), resolved=t(10, 11)),
        incident(3, t(20, 10), declared=t(20, 10, 40), resolved=t(20, 14)),
        incident(4, t(25, 10)),  # unresolved: no MTTR
    ]
    result = figures.compute(records, NOVEMBER, NOW, Targets())
    assert set(result) >= KEYS
    assert result["incidents"] == 4
    assert result["by_priority"] == {"P1": 4}
    assert result["mttr_minutes"] == {"mean": 140.0, "median": 120.0, "max": 240.0, "count": 3}
    assert result["time_to_declare_minutes"] == {"mean": 20.0, "median": 15.0, "max": 40.0,
                                                 "count": 3}
    assert result["time_to_mitigate_minutes"]["count"] == 1
    assert result["time_to_mitigate_minutes"]["mean"] == 60.0  # from the impact start
    # SEV-2 responds within 4 hours: 3 declared in time; #4 neither acknowledged nor declared
    # and past its target.
    assert result["sla"]["SEV-2"] == {"met": 3, "missed": 1, "pending": 0,
                                      "target_minutes": 240}


def test_an_incident_never_acknowledged_has_no_mtta_and_falls_back_to_the_declaration() -> None:
    records = [incident(1, t(3, 10), declared=t(3, 10, 5), resolved=t(3, 11)),
               incident(2, t(4, 10), declared=t(4, 10, 5), acknowledged=t(4, 10, 12),
                        resolved=t(4, 11))]
    result = figures.compute(records, NOVEMBER, NOW, Targets())
    assert result["mtta_minutes"] == {"mean": 12.0, "median": 12.0, "max": 12.0, "count": 1}
    assert result["acknowledgement"] == {"paged": 2, "acknowledged": 1}
    assert result["sla"]["SEV-2"]["met"] == 2
    [first, second] = figures.rows(records, NOVEMBER, NOW, Targets())
    assert first["mtta_minutes"] is None and first["acknowledged_at"] is None
    assert second["mtta_minutes"] == 12.0

    nobody = figures.compute([incident(1, t(3, 10), resolved=t(3, 11))], NOVEMBER, NOW,
                             Targets())
    assert nobody["mtta_minutes"] == {"mean": None, "median": None, "max": None, "count": 0}
    assert nobody["sla"]["SEV-2"]["missed"] == 1


def test_an_incident_spanning_the_month_boundary_is_clipped_to_each_month() -> None:
    # Opened 30 November 23:00, impact from 22:00, resolved 1 December 02:00.
    spanning = incident(1, t(30, 23), started=t(30, 22), declared=t(30, 23, 5),
                        resolved=t(1, 2, month=12))
    november = figures.compute([spanning], NOVEMBER, NOW, Targets(services=("SSOe", "SiS")))
    assert november["incidents"] == 1
    assert november["mttr_minutes"]["mean"] == 240.0  # the whole incident, in its month
    assert isinstance(november["availability"]["SSOe"], float)  # docs/process.md: percent
    ssoe = november["availability_detail"]["SSOe"]
    assert ssoe["impact_minutes"] == 120.0  # 22:00 to midnight only
    minutes = 30 * 24 * 60
    assert ssoe["percent"] == round(100 * (1 - 120 / minutes), 4)
    assert ssoe["met"] is (ssoe["percent"] >= 99.9)
    assert november["availability_detail"]["SiS"] == {"percent": 100.0, "impact_minutes": 0.0,
                                               "target": 99.9, "met": True}

    december = Window(t(1, month=12), datetime(2027, 1, 1, tzinfo=UTC), "2026-12")
    later = datetime(2027, 1, 2, tzinfo=UTC)
    result = figures.compute([spanning], december, later, Targets())
    assert result["incidents"] == 0  # it belongs to November
    assert result["availability_detail"]["SSOe"]["impact_minutes"] == 120.0  # midnight to 02:00


def test_overlapping_incidents_of_a_service_count_their_impact_once() -> None:
    records = [incident(1, t(3, 10), resolved=t(3, 12)),
               incident(2, t(3, 11), resolved=t(3, 13)),
               incident(3, t(3, 11), resolved=t(3, 13), service="SiS")]
    result = figures.compute(records, NOVEMBER, NOW, Targets())
    assert result["availability_detail"]["SSOe"]["impact_minutes"] == 180.0
    assert result["availability_detail"]["SiS"]["impact_minutes"] == 120.0


def test_postmortems_on_time_late_and_open_by_business_days() -> None:
    # Resolved Friday 6 November: P1 due at the end of Friday 13 November (5 business days).
    friday = t(6, 15)
    records = [
        incident(1, t(6, 10), resolved=friday, postmortem_merged_at=t(13, 20)),
        incident(2, t(6, 10), resolved=friday, postmortem_merged_at=t(16, 12)),
        incident(3, t(6, 10), resolved=friday),
        incident(4, t(6, 10), resolved=friday, priority="P3"),  # not chased
    ]
    due = figures.fallback_postmortem_due(records[0].state, Targets())  # type: ignore[arg-type]
    assert due == datetime(2026, 11, 14, 5, 0, tzinfo=UTC)  # midnight in New York
    result = figures.compute(records, NOVEMBER, NOW, Targets())
    assert result["postmortems"] == {"on_time": 1, "late": 1, "open": 1, "overdue": 1}


def test_followups_opened_closed_and_overdue() -> None:
    record = incident(1, t(2, 10), resolved=t(2, 11), completed_at=t(2, 12),
                      followups=[FollowUpRef(id="a", issue_number=7),
                                 FollowUpRef(id="b", issue_number=8),
                                 FollowUpRef(id="c", issue_number=9)])
    record = IncidentRecord(record.number, record.url, record.title, record.created_at,
                            record.state, {7: True, 8: False})
    result = figures.compute([record], NOVEMBER, NOW, Targets())
    # 20 business days after Monday 2 November ends on Monday 30 November.
    assert result["followups"] == {"opened": 3, "closed": 1, "overdue": 1, "unread": 1}


def test_csv_has_one_row_per_incident_and_defuses_formulas() -> None:
    record = incident(1, t(3, 10), resolved=t(3, 11))
    record = IncidentRecord(1, record.url, "=HYPERLINK(\"http://x\")", record.created_at,
                            record.state)
    text = table.to_csv(figures.rows([record], NOVEMBER, NOW, Targets()))
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["title"].startswith("'=") and row["mttr_minutes"] == "60.0"


def test_charts_use_only_fixed_words_and_numbers() -> None:
    pie = charts.priority_pie({"by_priority": {"P1": 2, "P3": 0}})
    assert pie == 'pie showData\n    title Incidents per priority\n    "P1" : 2'
    assert charts.priority_pie({"by_priority": {}}) is None
    chart = charts.mttr_chart({"2026-10": None, "2026-11": 42.0, "2026-09": 10.0})
    assert chart is not None and 'x-axis ["2026-09", "2026-11"]' in chart
    assert "bar [10.0, 42.0]" in chart


@pytest.mark.parametrize(("month", "since", "until", "expected"), [
    (None, None, None, "2026-11"),
    ("2026-02", None, None, "2026-02"),
    (None, "2026-11-03", "2026-11-20", "2026-11-03..2026-11-20"),
])
def test_windows(month: str | None, since: str | None, until: str | None,
                 expected: str) -> None:
    window = parse_window(month, since, until, t(1, 3, month=12))
    assert window.label == expected
    if since:
        assert window.until == t(21)


def test_the_last_full_month_of_january_is_december() -> None:
    window = parse_window(None, None, None, datetime(2027, 1, 15, tzinfo=UTC))
    assert window.since == t(1, month=12)
    assert window.until == datetime(2027, 1, 1, tzinfo=UTC)


# -- end to end, against the GitHub fake --------------------------------------------------------

def report(world: World, *args: str) -> Any:
    return world.call("report", "--month", "2026-11", "--now", "2026-12-01T09:00:00Z",
                      "--repo", world.github.repository, *args)


def test_report_reads_the_incidents_of_the_month_from_github(world: World) -> None:
    resolved_p1(world)
    run = report(world, "--format", "json")
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout)
    assert set(result) >= KEYS
    assert result["month"] == "2026-11" and result["incidents"] == 1
    assert result["by_priority"] == {"P1": 1} and result["by_service"] == {"SSOe": 1}
    # Impact from the form's 08:05 to /resolve at 08:51.
    assert result["mttr_minutes"] == {"mean": 46.0, "median": 46.0, "max": 46.0, "count": 1}
    assert result["followups"]["opened"] == 2 and result["followups"]["closed"] == 0
    assert result["postmortems"]["open"] == 1
    assert world.violations() == []
    assert "# Incident report 2026-11" in run.summary
    assert "```mermaid\npie showData" in run.summary
    # One list page, one comments page for the incident, two follow-up issues, the reports.
    reads = [r for r in world.github.requests if r.method == "GET"
             and r.query and "since=" in r.query]
    assert len(reads) == 1


def test_csv_and_markdown_to_a_file(world: World, tmp_path: Path) -> None:
    resolved_p1(world)
    out = tmp_path / "report.csv"
    assert report(world, "--format", "csv", "--output", str(out)).returncode == 0
    [row] = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert row["number"] == "1" and row["priority"] == "P1" and row["mttr_minutes"] == "46.0"
    run = report(world)
    assert run.stdout.startswith("<!-- incident-response:report ")
    assert "| [#1](https://github.com/Codertocat/Hello-World/issues/1) |" in run.stdout


def test_publish_twice_keeps_one_issue(world: World) -> None:
    resolved_p1(world)
    first = report(world, "--publish")
    assert first.returncode == 0, first.stdout + first.stderr
    second = report(world, "--publish", "--now", "2026-12-02T09:00:00Z")
    assert second.returncode == 0, second.stdout + second.stderr
    issues = [i for i in world.github.issues.values()
              if i["title"] == "Incident report 2026-11"]
    assert len(issues) == 1
    assert [lb["name"] for lb in issues[0]["labels"]] == ["incident-report"]
    assert issues[0]["body"].startswith("<!-- incident-response:report ")
    assert len(world.github.calls("issues/create")) == 1
    assert world.github.calls("issues/update") == []  # same figures: nothing written
    assert world.violations() == []
    digests = [m for m in world.slack.in_channel("#identity-leadership")
               if m["text"].startswith("Incident report 2026-11:")]
    assert digests and "1 incident(s)" in digests[0]["text"] and "|The report>" in (
        digests[0]["text"])


def test_earlier_published_months_feed_the_mttr_chart(world: World) -> None:
    resolved_p1(world)
    world.call("report", "--month", "2026-10", "--now", "2026-12-01T09:00:00Z", "--publish")
    october = next(i for i in world.github.issues.values()
                   if i["title"] == "Incident report 2026-10")
    october["body"] = october["body"].replace('"mttr":null', '"mttr":30.5')
    # Only the bot's own reports are read (the fake answers a create as GitHub's example user).
    october["user"] = {**october["user"], "login": "github-actions[bot]"}
    run = report(world)
    assert 'x-axis ["2026-10", "2026-11"]' in run.stdout and "bar [30.5, 46.0]" in run.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--month", "2026-13"), "is not a month"),
    (("--month", "November"), "is not a month"),
    (("--since", "2026-11-20", "--until", "2026-11-03"), "before it starts"),
    (("--since", "yesterday"), "is not a date"),
    (("--month", "2026-11", "--since", "2026-11-01"), "not both"),
])
def test_bad_input_exits_2_with_a_clear_message(world: World, args: tuple[str, ...],
                                                message: str) -> None:
    run = world.call("report", *args, "--now", "2026-12-01T09:00:00Z")
    assert run.returncode == 2
    assert message in run.stderr
    assert world.github.requests == []


def test_the_month_of_a_range_with_no_incidents_is_empty(world: World) -> None:
    run = world.call("report", "--since", "2026-10-01", "--until", "2026-10-31", "--format",
                     "json", "--now", "2026-12-01T09:00:00Z")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["incidents"] == 0 and result["mttr_minutes"]["count"] == 0
    assert result["availability"]["SSOe"] == 100.0


def test_two_months_are_one_window_each() -> None:
    assert parse_window("2026-12", None, None, NOW).until - parse_window(
        "2026-12", None, None, NOW).since == timedelta(days=31)
