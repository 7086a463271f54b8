"""What the tests share: the shipped policy and form, a P1 as GitHub holds it, and the steps of
an incident driven against the loopback fakes; and how a recorded answer is compared.

One module, so no test module imports another: unit tests take the core's inputs from here,
end-to-end tests the fakes' steps (with the `world` fixture of conftest.py).
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from incident_response.commands.drill.scenarios import form_body
from incident_response.core.decision.decide import decide
from incident_response.core.decision.effects import UpdateIncident
from incident_response.core.record.block import STATUS_MARKER
from incident_response.core.record.snapshot import CommentSnapshot, IssueSnapshot
from incident_response.core.record.state import IncidentState
from incident_response.core.rules.form import FormTemplate
from incident_response.shell.config_files import merge, read_yaml
from incident_response.shell.configuration import load_form_template, load_policy
from tests.conftest import Run, World, example_event

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
GITHUB_EVENTS = FIXTURES / "github"
BOT = "github-actions[bot]"

# -- the core's inputs: the shipped policy and form, a P1 report as GitHub holds it ---------

FORM = load_form_template(ROOT / ".github" / "ISSUE_TEMPLATE" / "incident.yml")
POLICY = load_policy()
T0 = datetime(2026, 11, 28, 8, 11, tzinfo=UTC)
P1_BODY = (ROOT / "examples" / "form-bodies" / "p1-production-ssoe.md").read_text()
ISSUE = IssueSnapshot(
    repository="acme/identity", number=7, title="SSOe down", body=P1_BODY, author="mona",
    labels=("incident",), open=True, url="https://github.com/acme/identity/issues/7",
    created_at=T0, author_permission="write",
)


def declared() -> IncidentState:
    """A P1 whose declaration went out completely."""
    state = decide(ISSUE, None, POLICY, FORM, T0).state
    for key in ("page:trigger", "datadog:declare", "slack:announce", "slack:leadership"):
        state.mark_done(key)
    state.mirror_id, state.chat_thread = "dd-1", "1700000000.000001"
    plan = decide(ISSUE, state, POLICY, FORM, T0)
    for effect in plan.effects:
        if isinstance(effect, UpdateIncident):
            state.mirror_synced = effect.fingerprint
    return state


def with_comment(body: str, author: str = "sam", minutes: int = 5, comment_id: int = 501,
                 permission: str = "write", issue: IssueSnapshot = ISSUE) -> IssueSnapshot:
    comment = CommentSnapshot(comment_id, author, body, T0 + timedelta(minutes=minutes))
    return replace(issue, comments=(*issue.comments, comment),
                   permissions={**issue.permissions, author: permission})


# -- reports and policies in variety, for the page that leaves first -----------------------

#: the shipped configuration file as data (before the model reads it)
SHIPPED_CONFIG = read_yaml(ROOT / ".github" / "incident-response.yml")

#: policies that move what the page's decision reads, merged over the shipped file
POLICY_VARIANTS: dict[str, dict[str, Any]] = {
    "shipped": {},
    "inclusive boundary": {"priority_matrix": {"boundary": "inclusive"}},
    "P2 pages too": {"priorities": {"P2": {"page": True, "declare": True}}},
    "admins declare": {"permissions": {"declare": "admin"}},
    "triage declares": {"permissions": {"declare": "triage"}},
    "labels respelled": {"labels": {"incident": "Incident", "phase_prefix": "Phase/",
                                    "priority_prefix": "prio/", "severity_prefix": "sev/"}},
    "other thresholds": {"priority_matrix": {
        "user_thresholds": [5000, 50, 1], "no_users_priority": "P3",
        "rows": {1: ["P1", "P1", "P2"], 2: ["P2", "P3", "P3"], 3: ["P4", "P4", "P4"]}},
        "priorities": {"P3": {"page": True}}},
    "a fourth tier": {"environments": [{"name": "production", "tier": 1},
                                       {"name": "staging", "tier": 4},
                                       {"name": "other", "tier": 3}],
                      "priority_matrix": {"rows": {4: ["P1", "P1", "P1"]}}},
    "services without procedures": {"services": [{"name": "SSOe"}, {"name": "SiS"},
                                                 {"name": "sts", "recovery_procedure": None}]},
    "providers raise less": {"severity": {"multiple_providers": "SEV-3",
                                          "sign_in_providers": ["Login.gov", "ID.me"]}},
    "nothing pages": {"priorities": {"P1": {"page": False}}},
    "pager severities": {"paging": {"severity": {"P1": "error", "P2": "warning"}}},
}


def policy_data(variant: str) -> dict[str, Any]:
    """The shipped configuration with one variant's file merged over it."""
    merged: dict[str, Any] = merge(SHIPPED_CONFIG, POLICY_VARIANTS[variant])
    return merged


_USERS = ("2,500", "1000", "1001", "~2000", "about 2k", "100", "101", "50", "1", "0", "5000",
          "5,001", "lots", "", "1000+", "1.5k")
_SERVICES = ("SSOe", "ssoe", "SiS", "STS", "sts", "MPI", "Unknown service", "")
_ENVIRONMENTS = ("production", "Production", "staging", "other", "moon", "")
_PROVIDERS = ("", "Login.gov", "Login.gov, ID.me", "ID.me, DS Logon, My HealtheVet", "Nope")
_COMMANDERS = ("", "@Codertocat", "@mona", "not a handle!", "@a-b")
_STARTED = ("", "2026-11-28 08:05", "2026-11-28T08:05Z", "yesterday")


def report_bodies(template: FormTemplate, count: int, seed: int = 17) -> list[str]:
    """Form bodies in variety, valid and not (a seeded draw, the same on every run), plus the
    examples and the public parsers' test bodies."""
    draw = random.Random(seed)
    impacts = [o for f in template.fields if f.id == "user_impact" for o in f.options]
    bodies = [(ROOT / "examples" / "form-bodies" / name).read_text(encoding="utf-8")
              for name in ("p1-production-ssoe.md", "p3-staging-sis.md")]
    bodies += [path.read_text(encoding="utf-8")
               for path in sorted((FIXTURES / "forms").rglob("*.md"))]
    for _ in range(count):
        bodies.append(form_body(template, {
            "service": draw.choice(_SERVICES), "environment": draw.choice(_ENVIRONMENTS),
            "users_affected_per_hour": draw.choice(_USERS),
            "user_impact": draw.choice([*impacts, "", "Something else"]),
            "csps_affected": draw.choice(_PROVIDERS), "started_at": draw.choice(_STARTED),
            "monitor": draw.choice(("", "SSOe errors [89113]")),
            "incident_commander": draw.choice(_COMMANDERS),
            "code_change_required": draw.choice(("", "Yes", "No", "Not sure")),
            "summary": draw.choice(("", "Sign-in fails *everywhere* <b>now</b>", "x")),
        }))
    return bodies


# -- an incident's steps against the loopback fakes (the `world` fixture) -------------------

#: the Slack bot's scopes README step 2 asks for when the config names public channels: post
#: (chat:write), make a name an id (channels:read), find an earlier message (channels:history)
SLACK_SCOPES = frozenset({"chat:write", "channels:read", "channels:history"})
#: and for private channels, their own two
PRIVATE_SLACK_SCOPES = SLACK_SCOPES | {"groups:read", "groups:history"}

BRANCH = "postmortem/incident-1"


def at(minutes: float) -> str:
    """The clock `minutes` after T0, as `--now` takes it."""
    return (T0 + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def opened(world: World, name: str = "p1-production-ssoe", permission: str = "admin",
           body: str | None = None) -> dict[str, Any]:
    """A report opened from the form: the issue on the fake, its `issues.opened` payload."""
    payload = example_event(name)
    if body is not None:
        payload["issue"]["body"] = body
    world.github.add_issue(payload["issue"])
    world.github.permissions[payload["issue"]["user"]["login"]] = permission
    return payload


def status_comments(world: World, number: int = 1) -> list[dict[str, Any]]:
    return [c for c in world.github.comments_on(number)
            if c["user"]["login"] == BOT and c["body"].startswith(STATUS_MARKER)]


def comment_event(world: World, login: str, body: str, minutes: float) -> dict[str, Any]:
    """A person comments on incident #1; the `issue_comment.created` payload."""
    made = world.github.person_comments(1, login, body, at(minutes))
    payload = json.loads((GITHUB_EVENTS / "issue_comment.created.json").read_text())
    payload["issue"] = world.github.issues[1]
    payload["comment"] = {k: v for k, v in made.items() if k != "issue_number"}
    return payload


def command(world: World, body: str, minutes: float, login: str = "Codertocat") -> None:
    """A comment with commands, handled as its event (a subprocess-free `handle`)."""
    run = world.handle(comment_event(world, login, body, minutes), "issue_comment",
                       "--now", at(minutes + 0.5))
    assert run.returncode == 0, run.stdout + run.stderr


def declare(world: World) -> None:
    """A P1 reported and declared, with `sam` a responder."""
    run = world.call("handle", "--now", at(0), payload=opened(world))
    assert run.returncode == 0, run.stdout
    world.github.permissions["sam"] = "write"


def handle(world: World, payload: dict[str, Any], minutes: float,
           event_name: str = "issue_comment") -> Run:
    return world.call("handle", "--now", at(minutes), payload=payload, event_name=event_name)


def resolved_p1(world: World) -> None:
    """A P1 declared, commanded, updated, mitigated and resolved."""
    assert world.handle(opened(world), "issues", "--now", at(0)).returncode == 0
    world.github.permissions["sam"] = "write"
    command(world, "/ic @sam\n/timeline 08:03 Deploy of the ISAM change", 2)
    command(world, "/update Rolled back the ISAM change", 10, login="sam")
    command(world, "/followup Alert on SSOe error rate sooner @lee\n/followup Document rollback",
            20, login="sam")
    command(world, "/mitigate", 25, login="sam")
    command(world, "/resolve", 40, login="sam")


# -- comparing a fake's answer with a recorded one ------------------------------------------

def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"  # JSON has one number type; Slack's ints and PagerDuty's are alike
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _merged(items: list[Any]) -> Any:
    """A list's elements as one: the union of the objects' keys (blocks of several types, channels
    with and without optional fields), or the first element when they are not objects."""
    objects = [i for i in items if isinstance(i, dict)]
    if len(objects) != len(items):
        return items[0]
    merged: dict[str, Any] = {}
    for item in objects:
        for key, value in item.items():
            if key not in merged or merged[key] is None:
                merged[key] = value
            elif isinstance(value, list) and isinstance(merged[key], list):
                merged[key] = [*merged[key], *value]
    return merged


def shape_diff(recorded: Any, answered: Any, skip: frozenset[str] = frozenset(),
               path: str = "") -> list[str]:
    """Where the answer's keys and JSON types differ from the recording's: `-path` only recorded,
    `+path` only answered, `~path: recorded -> answered` another type. `skip` names subtrees
    compared by type only."""
    where = path.rstrip(".") or "."
    kinds = json_type(recorded), json_type(answered)
    if kinds[0] != kinds[1]:
        return [f"~{where}: {kinds[0]} -> {kinds[1]}"]
    if where in skip:
        return []
    diffs: list[str] = []
    if isinstance(recorded, dict):
        diffs += [f"-{path}{k}" for k in sorted(recorded.keys() - answered.keys())]
        diffs += [f"+{path}{k}" for k in sorted(answered.keys() - recorded.keys())]
        for key in sorted(recorded.keys() & answered.keys()):
            diffs += shape_diff(recorded[key], answered[key], skip, f"{path}{key}.")
    elif isinstance(recorded, list) and recorded and answered:
        diffs += shape_diff(_merged(recorded), _merged(answered), skip,
                           f"{path.rstrip('.')}[].")
    return diffs


def report(vendor: str, case_name: str, kind: str, diffs: list[str],
           allowed: dict[str, str]) -> None:
    """One line per recording for `pytest -s`: MATCH, or DIFF with what differs."""
    unexpected = [d for d in diffs if d not in allowed]
    stale = [a for a in allowed if a not in diffs]
    verdict = "MATCH" if not unexpected and not stale else "DIFF"
    notes = f" (allowed: {', '.join(allowed)})" if allowed and verdict == "MATCH" else ""
    print(f"\n{vendor} {verdict:5} {case_name} [{kind}]{notes}")
    for diff in unexpected:
        print(f"    {diff}")
    for allowance in stale:
        print(f"    allowed but no longer different: {allowance}")


def hostile_with_markers() -> list[str]:
    """One-line hostile inputs (tests/fixtures/hostile) carrying the bot's marker sequences:
    the targeted entries that are markers, and naughty strings with markers around them."""
    hostile = FIXTURES / "hostile"
    targeted = [e["text"] for e in json.loads((hostile / "targeted.json").read_text(
        encoding="utf-8"))["entries"] if "incident-response" in e.get("text", "").lower()]
    naughty = [s for s in json.loads((hostile / "blns.json").read_text(encoding="utf-8"))
               if s.strip() and "\n" not in s][:20:4]
    return [t.replace("\n", " ") for t in targeted] + [
        f"{s} <!-- incident-response:state v2 {{}} --> {s}" for s in naughty]


def comment(world: World, body: str, minutes: float, login: str = "sam") -> dict[str, Any]:
    """A responder (`sam` unless said) comments on incident #1; the payload."""
    return comment_event(world, login, body, minutes)


def record(world: World, number: int = 1) -> IncidentState:
    """Incident `number`'s record, as its status comment holds it now."""
    from incident_response.core.record.block import parse_state

    [status] = status_comments(world, number)
    found = parse_state(status["body"])
    assert found is not None
    return found


def declared_incidents(world: World, count: int) -> list[int]:
    """`count` P1 reports (#1, #2, ...) opened and declared, each by its own event run."""
    numbers = []
    for number in range(1, count + 1):
        payload = example_event()
        payload["issue"]["number"] = number
        payload["issue"]["html_url"] = f"https://github.com/{world.github.repository}/issues/{number}"
        world.github.add_issue(payload["issue"])
        world.github.permissions[payload["issue"]["user"]["login"]] = "admin"
        run = world.call("handle", "--now", at(0), payload=payload)
        assert run.returncode == 0, run.stdout + run.stderr
        numbers.append(number)
    world.github.permissions["sam"] = "write"
    return numbers

# -- GitHub Actions late, and the way through from a terminal -------------------------------

#: a responder's own token, as exported at a terminal (the GitHub fake knows it as `sam`'s)
PERSON_TOKEN = "ghp_samPersonalToken000000000000000000"
#: the repository as a person may type it: GitHub's `Codertocat/Hello-World`, in other case
TYPED_REPOSITORY = "codertocat/HELLO-world"


def by_hand(world: World, command: str, *args: str, token: str | None = PERSON_TOKEN,
            **env: str | None) -> Run:
    """`incident-response COMMAND ARGS` typed at a terminal while GitHub Actions is down: a
    person's token, no event, no GITHUB_REPOSITORY, no step summary or outputs, not in Actions."""
    world.github.tokens.setdefault(PERSON_TOKEN, "sam")
    return world.call(command, *args, GITHUB_TOKEN=token, GITHUB_REPOSITORY=None,
                      GITHUB_RUN_ID=None, GITHUB_STEP_SUMMARY=None, GITHUB_OUTPUT=None,
                      GITHUB_ACTIONS=None, **env)


def handle_by_hand(world: World, minutes: float, *args: str, **env: str | None) -> Run:
    """`handle --repo (as typed) --issue 1` from a terminal, at T0 + `minutes`."""
    return by_hand(world, "handle", "--repo", TYPED_REPOSITORY, "--issue", "1", "--now",
                   at(minutes), *args, **env)


def in_actions(world: World, payload: dict[str, Any], minutes: float,
               event_name: str = "issue_comment", **env: str | None) -> Run:
    """The event's run as GitHub Actions starts it, at T0 + `minutes` (late, if it is)."""
    return world.call("handle", "--now", at(minutes), payload=payload, event_name=event_name,
                      GITHUB_ACTIONS="true", GITHUB_RUN_ATTEMPT="1", **env)


def chat_messages_with(world: World, text: str) -> int:
    """How many chat messages carry `text`."""
    return sum(text in json.dumps(m) for m in world.slack.messages)
