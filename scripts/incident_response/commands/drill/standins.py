"""In-memory stand-ins of the four services, behind the same ports as the real adapters.

They keep just enough state to behave like the services for one incident (issues, comments,
labels and their history, a repository with branches; incidents; messages; alerts) and record
every call in a transcript. Nothing leaves the process.
"""

from __future__ import annotations

import base64
import itertools
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from incident_response.adapters.datadog.config import DatadogConfig
from incident_response.adapters.datadog.fields import STATE, incident_fields
from incident_response.adapters.pagerduty.config import PagerDutyConfig
from incident_response.adapters.ports import (
    Acknowledgement,
    ChatMessageRef,
    MirrorRef,
    PostmortemRef,
)
from incident_response.core import names
from incident_response.core.decision.effects import (
    DeclareIncident,
    PostToChat,
    TriggerPage,
    UpdateIncident,
    WritePostmortem,
)
from incident_response.core.record.snapshot import (
    CommentSnapshot,
    HistoryEvent,
    IssueSnapshot,
    LabelEvent,
    PostmortemClosed,
    effect_marker,
)
from incident_response.core.rules.labels import LabelSpec

__all__ = ["Call", "Clock", "StandInDatadog", "StandInGitHub", "StandInPagerDuty",
           "StandInSlack", "Transcript"]


@dataclass
class Clock:
    now: datetime


@dataclass(frozen=True)
class Call:
    at: datetime
    service: str
    operation: str
    details: dict[str, Any]


@dataclass
class Transcript:
    clock: Clock
    calls: list[Call] = field(default_factory=list)

    def record(self, service: str, operation: str, **details: Any) -> None:
        self.calls.append(Call(self.clock.now, service, operation, details))


class StandInGitHub:
    """Issues, comments, labels, history, reactions, branches, files and pull requests."""

    def __init__(self, repository: str, transcript: Transcript, bot: str) -> None:
        self.repository, self.transcript, self.bot = repository, transcript, bot
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, CommentSnapshot] = {}
        self.comment_issue: dict[int, int] = {}
        self.history_events: dict[int, list[HistoryEvent]] = {}
        self.label_history: dict[int, list[LabelEvent]] = {}
        self.permissions: dict[str, str] = {}
        self.branches: dict[str, dict[str, str]] = {"main": {}}
        self.committers: dict[str, list[str]] = {"main": []}
        self.pulls: dict[int, dict[str, Any]] = {}
        self._ids = itertools.count(1001)
        self._numbers = itertools.count(1)

    # -- what people do
    def open_issue(self, title: str, body: str, author: str, label: str) -> int:
        """A report from the form, which applies the incident label (named by the policy)."""
        number = next(self._numbers)
        self.issues[number] = {"title": title, "body": body, "author": author,
                               "labels": [label], "open": True,
                               "created_at": self.transcript.clock.now}
        return number

    def comment(self, number: int, author: str, body: str) -> int:
        comment_id = next(self._ids)
        self.comments[comment_id] = CommentSnapshot(comment_id, author, body,
                                                    self.transcript.clock.now)
        self.comment_issue[comment_id] = number
        self.history_events.setdefault(number, []).append(
            HistoryEvent(self.transcript.clock.now, "commented", author, body))
        return comment_id

    def merge(self, pull_number: int) -> dict[str, Any]:
        pull = self.pulls[pull_number]
        self.branches["main"].update(self.branches[pull["branch"]])
        pull["merged"] = True
        pull["merged_at"] = self.transcript.clock.now
        self.issues[pull["issue"]]["open"] = False  # GitHub acts on "Closes #N"
        return pull

    # -- IssueTracker
    def _snapshot(self, number: int) -> IssueSnapshot:
        issue = self.issues[number]
        return IssueSnapshot(
            repository=self.repository, number=number, title=issue["title"],
            body=issue["body"], author=issue["author"], labels=tuple(issue["labels"]),
            open=issue["open"], url=f"https://github.com/{self.repository}/issues/{number}",
            created_at=issue["created_at"], author_permission="unknown",
            comments=tuple(c for i, c in self.comments.items() if self.comment_issue[i] == number),
            default_branch="main")

    def load_issue(self, number: int) -> IssueSnapshot:
        self.transcript.record("GitHub", "read issue and comments", number=number)
        return self._snapshot(number)

    def live_incidents(self, label: str, phase_labels: list[str]) -> list[IssueSnapshot]:
        self.transcript.record("GitHub", "list live incidents", label=label)
        return [self._snapshot(n) for n, i in self.issues.items()
                if (i["open"] and names.spelled(label, i["labels"]))
                or any(names.spelled(phase, i["labels"]) for phase in phase_labels)]

    def get_comment(self, comment_id: int) -> CommentSnapshot | None:
        self.transcript.record("GitHub", "read status comment", comment=comment_id)
        return self.comments.get(comment_id)

    def find_comment(self, number: int, marker: str) -> int | None:
        return next((i for i, c in self.comments.items() if self.comment_issue[i] == number
                     and c.is_by(self.bot) and marker in c.body.split("\n", 1)[0]), None)

    def find_issue(self, effect_key: str) -> int | None:
        marker = effect_marker(effect_key)
        return next((n for n, i in self.issues.items()
                     if marker in str(i["body"]).split("\n", 1)[0]), None)

    def postmortem_pull(self, number: int) -> PostmortemClosed | None:
        pull = self.pulls.get(number)
        if pull is None or not pull["merged"]:
            return None
        self.transcript.record("GitHub", "read pull request", number=number)
        return PostmortemClosed(number=number, merged=True, at=pull["merged_at"],
                                actor=pull.get("merged_by", ""),
                                url=f"https://github.com/{self.repository}/pull/{number}")

    def permission(self, login: str) -> str:
        self.transcript.record("GitHub", "read permission", login=login)
        return self.permissions.get(login, "none")

    def label_events(self, number: int) -> list[LabelEvent]:
        self.transcript.record("GitHub", "read label events", number=number)
        return list(self.label_history.get(number, []))

    def history(self, number: int) -> list[HistoryEvent]:
        self.transcript.record("GitHub", "read issue timeline", number=number)
        return list(self.history_events.get(number, []))

    def change_labels(self, number: int, add: list[str], remove: list[str],
                      specs: dict[str, LabelSpec] | None = None) -> None:
        # As GitHub: label names are compared without case, and an issue keeps its spelling.
        labels = self.issues[number]["labels"]
        for name in add:
            if names.spelled(name, labels) is not None:
                continue
            labels.append(name)
            self.label_history.setdefault(number, []).append(LabelEvent(
                next(self._ids), "labeled", name, self.bot, self.transcript.clock.now))
        for name in remove:
            spelled = names.spelled(name, labels)
            if spelled is None:
                continue
            labels.remove(spelled)
            self.label_history.setdefault(number, []).append(LabelEvent(
                next(self._ids), "unlabeled", name, self.bot, self.transcript.clock.now))
        self.transcript.record("GitHub", "change labels", number=number, add=add, remove=remove)

    def create_comment(self, number: int, body: str) -> int:
        comment_id = next(self._ids)
        self.comments[comment_id] = CommentSnapshot(comment_id, self.bot, body,
                                                    self.transcript.clock.now)
        self.comment_issue[comment_id] = number
        first = next((line for line in body.splitlines() if line.strip()
                      and not line.startswith("<!--")), "")
        self.transcript.record("GitHub", "comment", number=number, first_line=first[:120])
        return comment_id

    def update_comment(self, comment_id: int, body: str) -> None:
        self.comments[comment_id] = replace(self.comments[comment_id], body=body)
        self.transcript.record("GitHub", "update status comment", comment=comment_id)

    def add_reaction(self, comment_id: int, content: str) -> None:
        self.transcript.record("GitHub", "react", comment=comment_id, content=content)

    def write_postmortem(self, effect: WritePostmortem, known_pr: int | None) -> PostmortemRef:
        if effect.branch not in self.branches:
            self.branches[effect.branch] = dict(self.branches[effect.base])
            self.committers[effect.branch] = []
            self.transcript.record("GitHub", "create branch", branch=effect.branch)
        others = [c for c in self.committers[effect.branch] if c != self.bot]
        written = not others
        if written and self.branches[effect.branch].get(effect.path) != effect.content:
            self.branches[effect.branch][effect.path] = effect.content
            self.committers[effect.branch].append(self.bot)
            self.transcript.record("GitHub", "commit file", path=effect.path,
                                   bytes=len(base64.b64encode(effect.content.encode())))
        pull = next((p for p in self.pulls.values()
                     if p["branch"] == effect.branch and not p["merged"]), None)
        if pull is None:
            number = next(self._numbers)
            pull = {"number": number, "branch": effect.branch, "title": effect.title,
                    "body": effect.body, "merged": False,
                    "issue": int(effect.branch.rsplit("-", 1)[1])}
            self.pulls[number] = pull
            self.transcript.record("GitHub", "open pull request", number=number,
                                   title=effect.title)
        url = f"https://github.com/{self.repository}/pull/{pull['number']}"
        return PostmortemRef(pull["number"], url, f"https://github.com/{self.repository}/blob/"
                             f"{effect.base}/{effect.path}", written)

    def set_issue_state(self, number: int, *, open_: bool, reason: str) -> None:
        self.issues[number]["open"] = open_
        self.transcript.record("GitHub", "reopen issue" if open_ else "close issue",
                               number=number)

    def closed_issues(self, numbers: list[int]) -> set[int]:
        self.transcript.record("GitHub", "read follow-up issues", numbers=numbers)
        return {n for n in numbers if n in self.issues and not self.issues[n]["open"]}

    def create_issue(self, title: str, body: str, labels: list[str] | None = None) -> int:
        number = next(self._numbers)
        self.issues[number] = {"title": title, "body": body, "author": self.bot,
                               "labels": list(labels or []),
                               "open": True, "created_at": self.transcript.clock.now}
        self.transcript.record("GitHub", "open issue", number=number, title=title)
        return number


class StandInPagerDuty:
    def __init__(self, transcript: Transcript, config: PagerDutyConfig | None = None) -> None:
        self.transcript = transcript
        self.severity = (config or PagerDutyConfig()).severity
        self.alerts: dict[str, str] = {}
        self.triggered_at: dict[str, datetime] = {}

    def trigger(self, effect: TriggerPage) -> str:
        self.alerts[effect.dedup_key] = "triggered"
        self.triggered_at.setdefault(effect.dedup_key, self.transcript.clock.now)
        self.transcript.record("PagerDuty", "trigger", dedup_key=effect.dedup_key,
                               severity=self.severity[effect.priority], summary=effect.summary)
        return effect.dedup_key

    def acknowledgement(self, dedup_key: str, since: datetime) -> Acknowledgement | None:
        """On-call acknowledges four minutes after the page, as a drill's on-call would."""
        if dedup_key not in self.alerts:
            return None
        self.transcript.record("PagerDuty", "read acknowledgement", dedup_key=dedup_key)
        return Acknowledgement("Drill On-call", self.triggered_at[dedup_key]
                               + timedelta(minutes=4), "https://drill.pagerduty.com/incidents/1")

    def resolve(self, dedup_key: str) -> None:
        self.alerts[dedup_key] = "resolved"
        self.transcript.record("PagerDuty", "resolve", dedup_key=dedup_key)


class StandInDatadog:
    def __init__(self, transcript: Transcript, config: DatadogConfig | None = None) -> None:
        self.transcript = transcript
        self.config = config or DatadogConfig()
        self.incidents: dict[str, dict[str, Any]] = {}

    def find(self, issue_url: str) -> MirrorRef | None:
        self.transcript.record("Datadog", "search incidents")
        return None

    def declare(self, effect: DeclareIncident) -> MirrorRef:
        public_id = len(self.incidents) + 1
        incident_id = f"drill-{public_id}"
        fields = incident_fields(effect.facts, self.config)
        self.incidents[incident_id] = {"title": effect.facts.title, "fields": fields}
        self.transcript.record("Datadog", "declare incident", title=effect.facts.title,
                               severity=effect.facts.severity.value,
                               state=STATE[effect.facts.phase],
                               commander=effect.facts.commander,
                               notify=[h.handle for h in self.config.notification_handles])
        return MirrorRef(incident_id, public_id, f"https://app.datadoghq.com/incidents/{public_id}")

    def sync(self, incident_id: str, effect: UpdateIncident) -> None:
        self.incidents[incident_id]["fields"].update(incident_fields(effect.facts, self.config))
        self.transcript.record("Datadog", "update incident", incident=incident_id,
                               state=STATE[effect.facts.phase],
                               severity=effect.facts.severity.value)

    def add_todo(self, incident_id: str, content: str) -> None:
        self.incidents[incident_id].setdefault("todos", []).append(content)
        self.transcript.record("Datadog", "add todo", incident=incident_id, content=content)

    def has_todo(self, incident_id: str, content: str) -> bool:
        return content in self.incidents[incident_id].get("todos", [])

    def attach_postmortem(self, incident_id: str, url: str, title: str) -> None:
        self.incidents[incident_id].setdefault("attachments", []).append(url)
        self.transcript.record("Datadog", "attach post-mortem", incident=incident_id, url=url)

    def has_attachment(self, incident_id: str, url: str) -> bool:
        return url in self.incidents[incident_id].get("attachments", [])


class StandInSlack:
    def __init__(self, transcript: Transcript) -> None:
        self.transcript = transcript
        self._ts = itertools.count(1)

    def find(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef | None:
        return None  # the drill never loses an answer

    def post(self, effect: PostToChat, thread: ChatMessageRef | None) -> ChatMessageRef:
        ts = f"1700000000.{next(self._ts):06d}"
        where = f"thread {thread.id}" if thread else "channel"
        self.transcript.record("Slack", "post message", channel=effect.channel, where=where,
                               text=effect.text[:200])
        return ChatMessageRef(channel=effect.channel, id=ts)

    def permalink(self, message: ChatMessageRef) -> str:
        channel = message.channel.removeprefix("#")
        return f"https://drill.slack.invalid/archives/{channel}/p{message.id.replace('.', '')}"
