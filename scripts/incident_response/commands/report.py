"""`incident-response report`: the incident report of a month or a range, from GitHub alone.

Reads the incident issues updated since the window began (one list request per 100), keeps
those opened in the window (and, for availability only, those opened before it whose impact may
reach into it), reads each one's comments for its record (one request per 100 comments), and
one request per follow-up issue for whether it is closed. One more list request reads the
published reports (`incident-report` issues): the MTTR of earlier months for the chart, and the
month's issue that `--publish` updates instead of duplicating.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from incident_response.core import names
from incident_response.core.errors import ServiceError, UsageError
from incident_response.shell import actions
from incident_response.shell.configuration import load_policy
from incident_response.shell.context import RunContext

if TYPE_CHECKING:
    from incident_response.adapters.github.repository import GitHubRepository
    from incident_response.core.figures.figures import IncidentRecord, Window
    from incident_response.shell.settings import Settings

__all__ = ["parse_window", "report"]

#: GitHub refuses an issue body over 65,536 characters
_BODY_LIMIT = 65_000
_MONTH = re.compile(r"(\d{4})-(\d{2})")
_FIGURES = re.compile(r"<!-- incident-response:report (\{.*?\}) -->")
_HISTORY_MONTHS = 6


def _month_start(year: int, month: int) -> datetime:
    return datetime(year, month, 1, tzinfo=UTC)


def _next_month(moment: datetime) -> datetime:
    return _month_start(moment.year + moment.month // 12, moment.month % 12 + 1)


def _previous_month(moment: datetime) -> datetime:
    return _month_start(moment.year - (moment.month == 1), (moment.month - 2) % 12 + 1)


def _parse_month(text: str) -> datetime:
    match = _MONTH.fullmatch(text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        msg = f"--month {text!r} is not a month; write it as YYYY-MM, e.g. 2026-11"
        raise UsageError(msg)
    return _month_start(int(match.group(1)), int(match.group(2)))


def _parse_day(option: str, text: str, *, end: bool) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError as error:
        msg = f"{option} {text!r} is not a date; write it as YYYY-MM-DD or ISO 8601"
        raise UsageError(msg) from error
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    # A bare date as --until means the whole of that day.
    if end and len(text.strip()) == 10:
        moment += timedelta(days=1)
    return moment.astimezone(UTC)


def parse_window(month: str | None, since: str | None, until: str | None,
                 now: datetime) -> Window:
    """The report's window, in UTC: a month, a range (--until a bare date includes that day;
    without --until the range runs to now), or the last full month before `now`."""
    from incident_response.core.figures.figures import Window

    if month and (since or until):
        msg = "give either --month or --since/--until, not both"
        raise UsageError(msg)
    if until and not since:
        msg = "--until needs --since"
        raise UsageError(msg)
    if since:
        start = _parse_day("--since", since, end=False)
        finish = _parse_day("--until", until, end=True) if until else now.astimezone(UTC)
        if finish <= start:
            msg = (f"the range ends ({finish:%Y-%m-%d %H:%M} UTC) before it starts "
                   f"({start:%Y-%m-%d %H:%M} UTC): --until must come after --since")
            raise UsageError(msg)
        last = finish - timedelta(microseconds=1)
        return Window(start, finish, f"{start:%Y-%m-%d}..{last:%Y-%m-%d}")
    start = _parse_month(month) if month else _previous_month(
        _month_start(now.year, now.month))
    return Window(start, _next_month(start), f"{start:%Y-%m}")


@dataclass
class _Reads:
    """GitHub, read through the tracker's own helpers, with every request counted."""

    tracker: GitHubRepository
    policy: Settings
    requests: int = 0
    failures: list[str] = field(default_factory=list)

    def pages(self, action: str, path: str, **parameters: Any) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        for item in self.tracker.pages(action, path, **parameters):
            items.append(item)
        self.requests += len(items) // 100 + 1
        return items

    def record(self, item: dict[str, Any]) -> IncidentRecord:
        from incident_response.core.figures.figures import IncidentRecord
        from incident_response.core.record.block import parse_state, status_comment_of

        issue = self.tracker.with_comments(item)
        self.requests += len(issue.comments) // 100 + 1
        status = status_comment_of(issue, self.policy.github.bot_login)
        state = parse_state(status.body) if status else None
        closed: dict[int, bool] = {}
        for followup in state.followups if state else []:
            number = followup.issue_number
            if number is None or number in closed:
                continue
            data = self.tracker.issue_data(number)
            self.requests += 1
            if data is not None:
                closed[number] = data.get("state") == "closed"
        return IncidentRecord(number=issue.number, url=issue.url, title=issue.title,
                              created_at=issue.created_at, state=state,
                              followups_closed=closed)


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    return datetime.fromisoformat(text)


def _load(reads: _Reads, window: Window) -> list[IncidentRecord]:
    items = reads.pages("Listing the incidents", "/issues", labels=reads.policy.labels.incident,
                        state="all", since=window.since.strftime("%Y-%m-%dT%H:%M:%SZ"))
    records = []
    for item in items:
        created, closed = _time(item.get("created_at")), _time(item.get("closed_at"))
        if item.get("pull_request") or created is None or created >= window.until:
            continue
        # Opened before the window: only its impact can reach into it (availability).
        if created < window.since and closed is not None and closed < window.since:
            continue
        try:
            records.append(reads.record(item))
        except ServiceError as error:
            reads.failures.append(f"#{item.get('number')}: not read: {error}")
    return records


def _history(published: Sequence[dict[str, Any]], bot: str, window: Window,
             current: float | None) -> tuple[dict[str, float | None], list[str]]:
    """MTTR (mean) of the last six months: earlier months from their published reports (the
    figures block in the bot's issue body), this one computed now."""
    found: dict[str, float | None] = {}
    for item in published:
        if not names.same((item.get("user") or {}).get("login"), bot):
            continue
        match = _FIGURES.search(item.get("body") or "")
        if not match:
            continue
        try:
            data = json.loads(match.group(1))
            found[str(data["month"])] = (None if data.get("mttr") is None
                                         else float(data["mttr"]))
        except (ValueError, KeyError, TypeError):
            continue
    history: dict[str, float | None] = {}
    missing: list[str] = []
    month = window.since
    months = []
    for _ in range(_HISTORY_MONTHS - 1):
        month = _previous_month(month)
        months.append(f"{month:%Y-%m}")
    for name in sorted(months):
        if name in found:
            history[name] = found[name]
        else:
            missing.append(name)
    history[window.label] = current
    return history, missing


def _publish(reads: _Reads, published: Sequence[dict[str, Any]], title: str, body: str,
             label: str) -> str:
    """Create or update the month's one report issue; its address."""
    from incident_response.core.rules.labels import label_specs

    bot = reads.policy.github.bot_login
    # GitHub lists pull requests among issues (each with a `pull_request` key): a pull request
    # labelled and titled as the month's report is not the report.
    mine = [i for i in published if i.get("title") == title and not i.get("pull_request")]
    mine.sort(key=lambda i: (not names.same((i.get("user") or {}).get("login"), bot),
                             int(i["number"])))
    if mine:
        issue = mine[0]
        if (issue.get("body") or "") != body:
            reads.tracker.update_issue_body(int(issue["number"]), body)
            reads.requests += 1
        return str(issue.get("html_url") or "")
    created = reads.tracker.open_labelled_issue(title, body, [label])
    reads.requests += 1
    if label not in {lb.get("name") for lb in created.get("labels") or []}:
        reads.tracker.add_label(int(created["number"]), label_specs(reads.policy)[label])
        reads.requests += 1
    return str(created.get("html_url") or "")


def _digest(context: RunContext, policy: Settings, month: str, figures: dict[str, Any],
            link: str) -> None:
    """A short digest with the link, to the leadership channel (when Slack is configured)."""
    channel = policy.chat.leadership_channel
    if not (context.slack_bot_token and channel):
        return
    from incident_response.core.decision.effects import Message, PostToChat
    from incident_response.shell.wiring import chat_notifier

    def minutes(name: str) -> str:
        mean = (figures.get(name) or {}).get("mean")
        return f"{mean:.0f} min" if isinstance(mean, int | float) else "n/a"

    text = (f"Incident report {month}: {figures['incidents']} incident(s); MTTA "
            f"{minutes('mtta_minutes')}, MTTR {minutes('mttr_minutes')} (means). "
            f"<{link}|The report>")
    try:
        chat_notifier(context, policy).post(
            PostToChat(key=f"report:{month}", channel=channel, text=text,
                       message=Message(text), kind="incident_report"), None)
    except ServiceError as error:
        actions.annotate("warning", "Report digest not posted", str(error))


def report(arguments: argparse.Namespace, config: Path | None, context: RunContext) -> int:
    window = parse_window(arguments.month, arguments.since, arguments.until, context.now)
    repository = arguments.repo or context.repository
    if not repository or "/" not in repository:
        msg = "no repository: set GITHUB_REPOSITORY or pass --repo OWNER/REPO"
        raise UsageError(msg)
    if arguments.publish and not arguments.month and arguments.since:
        msg = "--publish keeps one issue per month: give --month (or nothing, the last month)"
        raise UsageError(msg)
    policy = load_policy(config)

    from incident_response.shell.wiring import github_repository, github_tracker

    tracker = github_tracker(context, repository, policy)
    with closing(tracker):
        return _report(arguments, context, policy, window,
                       _Reads(github_repository(tracker), policy))


def _report(arguments: argparse.Namespace, context: RunContext, policy: Settings,
            window: Window, reads: _Reads) -> int:
    from incident_response.core.figures import figures as compute
    from incident_response.core.figures.document import report_markdown
    from incident_response.core.figures.figures import targets_for
    from incident_response.core.figures.table import to_csv

    repository = reads.tracker.repository
    label = policy.labels.report
    targets = targets_for(policy)
    try:
        records = _load(reads, window)
        published = reads.pages("Listing the published reports", "/issues", labels=label,
                                state="all")
    except ServiceError as error:
        actions.annotate("error", "Incident report not made", str(error))
        print(f"incident-response: {error}", file=sys.stderr)
        return 1
    notes = list(reads.failures)
    now = context.now
    figures = compute.compute(records, window, now, targets)
    table = compute.rows(records, window, now, targets)
    history, missing = _history(published, policy.github.bot_login, window,
                                figures["mttr_minutes"]["mean"])
    notes.append(f"{reads.requests} GitHub read(s) for {figures['incidents']} incident(s) "
                 f"({len(records)} records read).")
    def markdown_for(limit: int | None = None) -> str:
        return report_markdown(figures, table, history=history, missing=missing,
                         repository=repository, notes=notes, limit=limit)

    markdown = markdown_for()

    text = {"json": lambda: json.dumps(figures, indent=2, sort_keys=False) + "\n",
            "csv": lambda: to_csv(table),
            "markdown": lambda: markdown}[arguments.format]()
    if arguments.output:
        Path(arguments.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)

    link = ""
    if arguments.publish:
        body = next((b for b in map(markdown_for, (None, 200, 50, 0)) if len(b) <= _BODY_LIMIT),
                    markdown_for(0))
        try:
            link = _publish(reads, published, f"Incident report {window.label}", body, label)
        except ServiceError as error:
            actions.annotate("error", "Incident report not published", str(error))
            print(f"incident-response: {error}", file=sys.stderr)
            actions.write_summary(context, markdown)
            return 1
        print(f"Published: {link}", file=sys.stderr)
        _digest(context, policy, window.label, figures, link)
    actions.write_outputs(context, {"report-url": link, "month": window.label,
                                    "incidents": str(figures["incidents"])})
    actions.write_summary(context, markdown)
    return 0
