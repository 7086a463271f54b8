"""The GitHub fake answers as GitHub answered: real recorded interactions, replayed against it.

`tests/fixtures/github/octokit-fixtures/` holds requests the Octokit maintainers sent to
api.github.com and what GitHub answered (npm `@octokit/fixtures` 23.1.2, MIT; see ORIGIN.md
there). Every recorded request of the scenarios an incident tool touches is sent, over HTTPS,
to a `FakeGitHub` set up as the recorded repository was (its issues, labels, branches and
files), and the fake's answer is compared with GitHub's:

- the status code;
- the body's shape: the keys of every object and the JSON type of every value, recursively
  (the first element stands for an array; a top-level array must be as long as GitHub's);
  values differ (ids, dates, URLs are the fake's own), so they are not compared, except
- error bodies, compared word for word: `message`, each of `errors[]`' `resource`, `code` and
  `field`, and `documentation_url` (its anchor: GitHub has since moved its docs' pages, not
  their anchors);
- the headers clients rely on: `Content-Type` (none on a 204), `Link` (rels, their order and
  their URLs, GitHub's `/repositories/{id}/...` form included), `Location` (only on the creates
  GitHub sends it for), `X-RateLimit-Limit`/`-Remaining`/`-Reset`/`-Used`/`-Resource`,
  `X-GitHub-Media-Type` and `X-GitHub-Request-Id`.

The recordings were made on 2022-07-19 (the scenario repositories are named
`tmp-scenario-...-20220719...`; the normaliser rewrote every date to 2017-10-10, ids to 1000+
and commit SHAs to 000...1, 000...2 in order of appearance). Keys GitHub has added to its
answers since are listed in ADDED_AFTER_RECORDING, each with its source: the fake may carry
those, and nothing else the recording lacks.

Run with `-s` to see the table (scenario, requests matching, differences).
"""

from __future__ import annotations

import base64
import http.client
import json
import re
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

import pytest
import trustme

from tests.fakes.github import FakeGitHub

RECORDINGS = Path(__file__).resolve().parents[1] / "fixtures" / "github" / "octokit-fixtures"
RECORDED_HOST = "https://api.github.com"
#: the token the recordings were made with (normalised), and whose it was
TOKEN = "0000000000000000000000000000000000000001"
USER_A = "octokit-fixture-user-a"

#: Keys GitHub has added to its answers since the recording (2022-07-19), by kind of object.
#: The fake may carry these; a key missing from the recording and not listed here is a
#: difference. Each is in GitHub's own description of today's API (@octokit/openapi@23.0.2,
#: tests/fixtures/github/rest-openapi-subset.json / rest-openapi-extra.json), schema named.
ADDED_AFTER_RECORDING: dict[str, frozenset[str]] = {
    # added by GitHub after the recording: issue types (`type`) and sub-issues
    # (`sub_issues_summary`), both in schema `issue` of the description.
    "issue": frozenset({"type", "sub_issues_summary"}),
    # added by GitHub after the recording: `user_view_type` (schema `simple-user`).
    "user": frozenset({"user_view_type"}),
    # added by GitHub after the recording: `has_discussions` (schema `full-repository`, and
    # in the description's own example of repos/get, which the fake starts from).
    "repository": frozenset({"has_discussions"}),
    # added by GitHub after the recording: `search_type` (lexical, semantic or hybrid), which
    # the description's search/issues-and-pull-requests answer requires.
    "search": frozenset({"search_type"}),
}


def _kind(recorded: dict[str, Any]) -> str:
    """What a recorded object is, told by its keys (for ADDED_AFTER_RECORDING)."""
    if "login" in recorded and "avatar_url" in recorded:
        return "user"
    if "number" in recorded and "labels_url" in recorded:
        return "issue"
    if "full_name" in recorded and "owner" in recorded:
        return "repository"
    if "total_count" in recorded and "items" in recorded:
        return "search"
    return ""


# -- the comparison ---------------------------------------------------------------------------

def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_differences(recorded: Any, answered: Any, where: str = "$",
                      carried: set[str] | None = None) -> list[str]:
    """Where the answer's keys or JSON types differ from the recording's (first element of an
    array for the rest). Keys of ADDED_AFTER_RECORDING the answer carries go into `carried`."""
    if _type(recorded) != _type(answered):
        return [f"{where}: {_type(answered)}, GitHub: {_type(recorded)}"]
    if isinstance(recorded, dict):
        kind = _kind(recorded)
        allowed = ADDED_AFTER_RECORDING.get(kind, frozenset())
        found = [f"{where}.{key}: missing" for key in recorded if key not in answered]
        found += [f"{where}.{key}: not in GitHub's answer" for key in answered
                  if key not in recorded and key not in allowed]
        if carried is not None:
            carried.update(f"{kind}.{key}" for key in answered
                           if key not in recorded and key in allowed)
        for key in recorded:
            if key in answered:
                found += shape_differences(recorded[key], answered[key], f"{where}.{key}",
                                           carried)
        return found
    if isinstance(recorded, list):
        if bool(recorded) != bool(answered):
            return [f"{where}: {len(answered)} items, GitHub: {len(recorded)}"]
        if recorded:
            return shape_differences(recorded[0], answered[0], f"{where}[0]", carried)
    return []


def error_differences(recorded: dict[str, Any], answered: dict[str, Any]) -> list[str]:
    """An error body, word for word (the documentation URL by its anchor)."""
    found = []
    if answered.get("message") != recorded.get("message"):
        found.append(f"message {answered.get('message')!r}, GitHub: {recorded.get('message')!r}")
    fields = ("resource", "code", "field")
    ours = [{k: e.get(k) for k in fields} for e in answered.get("errors") or []]
    theirs = [{k: e.get(k) for k in fields} for e in recorded.get("errors") or []]
    if ours != theirs:
        found.append(f"errors {ours}, GitHub: {theirs}")
    if "documentation_url" in recorded:
        anchor = recorded["documentation_url"].rsplit("#", 1)[-1]
        url = str(answered.get("documentation_url") or "")
        if not url.startswith("https://docs.github.com/") or not url.endswith("#" + anchor):
            found.append(f"documentation_url {url!r}, GitHub's anchor: #{anchor}")
    return found


def _links(value: str | None, host: str) -> list[tuple[str, str]]:
    if not value:
        return []
    return [(url.replace(RECORDED_HOST, host), rel) for url, rel in
            re.findall(r'<([^>]*)>;\s*rel="([^"]*)"', value)]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class RateLimits:
    """The last X-RateLimit-Remaining seen, per resource: each answer counts one down."""

    remaining: dict[str, int] = field(default_factory=dict)


def header_differences(recording: dict[str, Any], answer: Answer, host: str,
                       limits: RateLimits) -> list[str]:
    recorded = {k.lower(): str(v) for k, v in recording["headers"].items()}
    ours = answer.headers
    found = []
    if ours.get("content-type") != recorded.get("content-type"):
        found.append(f"Content-Type {ours.get('content-type')!r}, GitHub: "
                     f"{recorded.get('content-type')!r}")
    if _links(ours.get("link"), host) != _links(recorded.get("link"), host):
        found.append(f"Link {ours.get('link')!r}, GitHub: {recorded.get('link')!r}")
    location = recorded.get("location")
    if ours.get("location") != (location.replace(RECORDED_HOST, host) if location else None):
        found.append(f"Location {ours.get('location')!r}, GitHub: {location!r}")
    for name in ("x-ratelimit-limit", "x-ratelimit-resource", "x-github-media-type"):
        if ours.get(name) != recorded.get(name):
            found.append(f"{name} {ours.get(name)!r}, GitHub: {recorded.get(name)!r}")
    numbers = {name: ours.get(f"x-ratelimit-{name}", "") for name in
               ("limit", "remaining", "used", "reset")}
    if not all(value.isdigit() for value in numbers.values()):
        found.append(f"X-RateLimit-* not all numbers: {numbers}")
    else:
        limit, remaining, used, reset = (int(numbers[n]) for n in
                                         ("limit", "remaining", "used", "reset"))
        if remaining + used != limit:
            found.append(f"X-RateLimit-Remaining {remaining} + Used {used} != Limit {limit}")
        # Epoch seconds of the window's end: within the hour (GitHub's window is an hour, a
        # minute for search; the recording's value was rewritten by the normaliser).
        if not time.time() - 5 <= reset <= time.time() + 3600 + 5:
            found.append(f"X-RateLimit-Reset {reset} is not within the coming hour")
        resource = ours.get("x-ratelimit-resource", "")
        before = limits.remaining.get(resource)
        if before is not None and remaining != before - 1:
            found.append(f"X-RateLimit-Remaining {remaining} after {before}: not counted down")
        limits.remaining[resource] = remaining
    if not re.fullmatch(r"[0-9A-F]+(:[0-9A-F]+){4}", ours.get("x-github-request-id", "")):
        found.append(f"X-GitHub-Request-Id {ours.get('x-github-request-id')!r}, GitHub: "
                     f"{recorded.get('x-github-request-id')!r}")
    return found


def body_differences(recording: dict[str, Any], answer: Answer,
                     carried: set[str] | None = None) -> list[str]:
    recorded = recording["response"]
    if recording["status"] == 204:
        return [] if answer.body == b"" else [f"a 204 with a body: {answer.body[:80]!r}"]
    if not recording["headers"].get("content-type", "").startswith("application/json"):
        text = answer.body.decode(errors="replace")
        return [] if text == recorded else [f"body {text[:80]!r}, GitHub: {recorded[:80]!r}"]
    try:
        answered = json.loads(answer.body)
    except ValueError:
        return [f"body is not JSON: {answer.body[:80]!r}"]
    found = shape_differences(recorded, answered, carried=carried)
    if isinstance(recorded, list) and isinstance(answered, list) and (
            len(recorded) != len(answered)):
        found.append(f"$: {len(answered)} items, GitHub: {len(recorded)}")
    if recording["status"] >= 400 and isinstance(answered, dict):
        found += error_differences(recorded, answered)
    return found


# -- the scenarios: each repository as it was when recorded -----------------------------------

def _recording(scenario: str) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(
        (RECORDINGS / scenario / "normalized-fixture.json").read_text(encoding="utf-8"))
    return data


def _repository(scenario: str) -> str:
    """The repository the scenario's requests name (a search names it in its query)."""
    path = unquote(_recording(scenario)[0]["path"])
    found = re.search(r"^/repos/([^/]+/[^/?]+)|repo:(\S+/[^\s&]+)", path)
    assert found is not None, path
    return found.group(1) or found.group(2)


def _as_recorded(fake: FakeGitHub, repository_id: int = 1000, default_branch: str = "main",
                 ) -> None:
    """The scenario repositories: owned by the fixtures' organisation, made in 2022 (so their
    default branch is `main`, unless the scenario used an older one), user A's token."""
    fake.tokens[TOKEN] = USER_A
    fake.permissions[USER_A] = "admin"  # the recorded `permissions`: every level
    fake.repository_id = repository_id
    fake.owner_type = "Organization"
    fake.default_branch = default_branch


def _empty_repository(fake: FakeGitHub) -> None:
    """A repository made without a first commit (octokit/fixtures lib/temporary-repository.js
    creates it with `name` only): no branch, no commit."""
    fake.branches = {}
    fake.commit_graph = {}


def setup_add_labels_to_issue(fake: FakeGitHub) -> None:
    _as_recorded(fake)
    _empty_repository(fake)


def setup_labels(fake: FakeGitHub) -> None:
    """A new repository has GitHub's default labels (docs "Managing labels", "About default
    labels"): the first recorded answer lists them."""
    _as_recorded(fake)
    _empty_repository(fake)
    for label in _recording("labels")[0]["response"]:
        fake.labels[label["name"]] = {
            "id": len(fake.labels) + 1, "node_id": "LA_x", "name": label["name"],
            "url": f"{fake.url}/repos/{fake.repository}/labels/{quote(label['name'])}",
            "color": label["color"], "default": True, "description": label["description"]}


#: the commits git-refs made before its recorded requests (octokit/fixtures
#: scenarios/api.github.com/git-refs/record.js: "initial commit", then "2nd commit"), under the
#: SHAs the normaliser gave them (by first appearance: the 2nd commit, main's head, is 000...1)
SECOND_COMMIT = "0000000000000000000000000000000000000001"
INITIAL_COMMIT = "0000000000000000000000000000000000000002"


def setup_git_refs(fake: FakeGitHub) -> None:
    _as_recorded(fake)
    initial = {"1.md": "# git-refs\ncreated with initial commit"}
    second = {**initial, "2.md": "# git-refs\ncreated with 2nd commit"}
    fake.commit_graph = {
        INITIAL_COMMIT: {"parents": [], "files": initial, "login": USER_A},
        SECOND_COMMIT: {"parents": [INITIAL_COMMIT], "files": second, "login": USER_A}}
    fake.branches = {"main": {"sha": SECOND_COMMIT, "files": dict(second),
                              "commits": [(INITIAL_COMMIT, USER_A), (SECOND_COMMIT, USER_A)]}}


def setup_create_file(fake: FakeGitHub) -> None:
    _as_recorded(fake)
    _empty_repository(fake)


def setup_hello_world(fake: FakeGitHub) -> None:
    """octokit-fixture-org/hello-world: a long-lived repository (default branch `master`) with
    a README (scenarios get-content and get-repository)."""
    _as_recorded(fake, default_branch="master")
    fake.commit("master", "README.md", "# hello-world", USER_A)


def setup_errors(fake: FakeGitHub) -> None:
    _as_recorded(fake)


def setup_paginate_issues(fake: FakeGitHub) -> None:
    """Thirteen open issues, "Test issue 1" to "Test issue 13" (the recorded pages)."""
    _as_recorded(fake)
    for number in range(1, 14):
        fake.add_issue({"number": number, "title": f"Test issue {number}", "state": "open",
                        "labels": []})


def setup_search_issues(fake: FakeGitHub) -> None:
    """The two issues the recorded search finds, as recorded (titles, bodies, authors)."""
    _as_recorded(fake)
    for item in sorted(_recording("search-issues")[0]["response"]["items"],
                       key=lambda i: i["number"]):
        fake.add_issue({"number": item["number"], "title": item["title"],
                        "body": item["body"], "state": "open", "labels": [],
                        "user": {"login": item["user"]["login"], "type": "User"}})


def setup_lock_issue(fake: FakeGitHub) -> None:
    _as_recorded(fake)
    fake.add_issue({"number": 1, "title": "Issue to lock", "state": "open", "labels": []})


SCENARIOS: dict[str, Callable[[FakeGitHub], None]] = {
    "add-labels-to-issue": setup_add_labels_to_issue,
    "labels": setup_labels,
    "git-refs": setup_git_refs,
    "create-file": setup_create_file,
    "get-content": setup_hello_world,
    "errors": setup_errors,
    "paginate-issues": setup_paginate_issues,
    "search-issues": setup_search_issues,
    "lock-issue": setup_lock_issue,
    "get-repository": setup_hello_world,
}


# -- the replay -------------------------------------------------------------------------------

@dataclass
class Result:
    scenario: str
    total: int
    #: per recorded request: (method, path, status, differences)
    requests: list[tuple[str, str, int, list[str]]]
    #: the keys of ADDED_AFTER_RECORDING the fake's answers carried ("issue.type", ...)
    carried: set[str] = field(default_factory=set)

    @property
    def matched(self) -> int:
        return sum(not differences for *_, differences in self.requests)

    @property
    def verdict(self) -> str:
        return "MATCH" if self.matched == self.total else "DIFF"


def _send(fake: FakeGitHub, context: ssl.SSLContext, recording: dict[str, Any]) -> Answer:
    headers = {k: str(v) for k, v in recording["reqheaders"].items()
               if k.lower() not in ("host", "content-length")}
    body = b"" if recording["body"] in ("", None) else json.dumps(recording["body"]).encode()
    connection = http.client.HTTPSConnection("localhost", int(fake.url.rsplit(":", 1)[1]),
                                             context=context, timeout=10)
    try:
        connection.request(recording["method"].upper(), recording["path"], body=body,
                           headers=headers)
        response = connection.getresponse()
        return Answer(response.status, {k.lower(): v for k, v in response.getheaders()},
                      response.read())
    finally:
        connection.close()


def replay(scenario: str, tls: ssl.SSLContext, client: ssl.SSLContext) -> Result:
    fake = FakeGitHub(tls, repository=_repository(scenario))
    try:
        SCENARIOS[scenario](fake)
        limits = RateLimits()
        requests = []
        carried: set[str] = set()
        for recording in _recording(scenario):
            answer = _send(fake, client, recording)
            differences = []
            if answer.status != recording["status"]:
                differences.append(f"status {answer.status}, GitHub: {recording['status']}")
            differences += body_differences(recording, answer, carried)
            differences += header_differences(recording, answer, fake.url, limits)
            differences += [f"fake: {violation}" for violation in fake.violations]
            fake.violations.clear()
            requests.append((recording["method"].upper(), recording["path"],
                             recording["status"], differences))
        return Result(scenario, len(requests), requests, carried)
    finally:
        fake.stop()


@pytest.fixture(scope="module")
def results(server_tls: ssl.SSLContext,
            certificate_authority: tuple[trustme.CA, Path]) -> dict[str, Result]:
    client = ssl.create_default_context(cafile=str(certificate_authority[1]))
    found = {scenario: replay(scenario, server_tls, client) for scenario in SCENARIOS}
    print("\n" + table(found.values()))
    return found


def table(results: Any) -> str:
    lines = [f"{'scenario':<22} {'requests':>9}  verdict"]
    for result in results:
        lines.append(f"{result.scenario:<22} {result.matched:>4}/{result.total:<4}  "
                     f"{result.verdict}")
        for method, path, status, differences in result.requests:
            for difference in differences:
                lines.append(f"    {method} {path} ({status}): {difference}")
    return "\n".join(lines)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_the_fake_answers_each_recorded_request_as_github_did(
        results: dict[str, Result], scenario: str) -> None:
    result = results[scenario]
    assert result.verdict == "MATCH", table([result])


def test_every_key_listed_as_added_later_is_one_the_fake_carries(
        results: dict[str, Result]) -> None:
    """ADDED_AFTER_RECORDING lists what GitHub added and the fake sends, nothing more: a key
    the fake stops sending leaves the list too."""
    carried = set().union(*(result.carried for result in results.values()))
    listed = {f"{kind}.{key}" for kind, keys in ADDED_AFTER_RECORDING.items() for key in keys}
    assert listed == carried


def test_every_scenario_is_recorded_here() -> None:
    """The replayed scenarios are the files in tests/fixtures (a fresh clone has them);
    `rename-repository` is replayed against the standard-library reads instead
    (test_github_reads_recorded.py): it records GitHub's redirect, which the fake need not."""
    assert sorted(p.name for p in RECORDINGS.iterdir() if p.is_dir()) == sorted(
        [*SCENARIOS, "rename-repository"])
    assert (RECORDINGS / "LICENSE").is_file()
    assert (RECORDINGS / "ORIGIN.md").is_file()


# -- what the recordings and GitHub's docs show, beyond one request each ----------------------
# (The same fake as the product's tests use, over HTTPS; sources are cited in the fake.)
# Issues are not checked with `check_response`: GitHub's description declares `state_reason`
# nullable but lists no null in its enum, so a validator refuses GitHub's own answer for a new
# issue (`"state_reason": null`, recording add-labels-to-issue); the replay above holds issue
# answers to the recordings instead.

BOT_TOKEN = "ghs_bot_token"
REPO = "/repos/Codertocat/Hello-World"


@dataclass
class Client:
    fake: FakeGitHub
    context: ssl.SSLContext

    def call(self, method: str, path: str, body: Any = None, *, token: str = BOT_TOKEN,
             accept: str = "application/vnd.github+json") -> tuple[Answer, Any]:
        """One request; the answer and its body read as JSON (None if empty)."""
        answer = _send(self.fake, self.context, {
            "method": method, "path": path, "body": "" if body is None else body,
            "reqheaders": {"authorization": f"token {token}", "accept": accept,
                           **({"content-type": "application/json"} if body is not None
                              else {})}})
        text = answer.body.decode()
        return answer, (json.loads(text) if text and answer.headers.get(
            "content-type", "").startswith("application/json") else text or None)


@pytest.fixture
def client(server_tls: ssl.SSLContext,
           certificate_authority: tuple[trustme.CA, Path]) -> Iterator[Client]:
    fake = FakeGitHub(server_tls)
    fake.add_issue({"number": 1, "title": "Login outage", "body": "Sign-in fails",
                    "state": "open", "labels": [{"name": "Phase:Active"}]})
    yield Client(fake, ssl.create_default_context(cafile=str(certificate_authority[1])))
    assert fake.violations == []
    fake.stop()


def _names(labels: list[dict[str, Any]]) -> list[str]:
    return [label["name"] for label in labels]


def test_label_names_are_one_label_whatever_their_case(client: Client) -> None:
    github = client.fake
    created, label = client.call("POST", f"{REPO}/labels", {"name": "Foo", "color": "aabbcc"})
    assert created.status == 201
    assert created.headers["location"] == label["url"] == f"{github.url}{REPO}/labels/Foo"

    refused, body = client.call("POST", f"{REPO}/labels", {"name": "FOO"})
    assert (refused.status, body) == (422, {
        "message": "Validation Failed",
        "errors": [{"resource": "Label", "code": "already_exists", "field": "name"}],
        "documentation_url": "https://docs.github.com/rest/issues/labels#create-a-label"})
    github.description.check_response("issues/create-label", 422, body)

    # Adding `foo` attaches the repository's `Foo`; a label it lacks is made, grey and bare.
    _, labels = client.call("POST", f"{REPO}/issues/1/labels", {"labels": ["foo", "New one"]})
    assert _names(labels) == ["Phase:Active", "Foo", "New one"]
    assert (labels[1]["color"], labels[2]["color"], labels[2]["description"]) == (
        "aabbcc", "ededed", None)
    _, again = client.call("POST", f"{REPO}/issues/1/labels", {"labels": ["FOO"]})
    assert _names(again) == _names(labels)  # attached once
    assert sorted(github.labels) == ["Foo", "New one", "Phase:Active"]
    github.description.check_response("issues/add-labels", 200, labels)

    # Read, changed and renamed by any spelling; the rename reaches the issue.
    _, read = client.call("GET", f"{REPO}/labels/fOO")
    assert read["name"] == "Foo"
    _, renamed = client.call("PATCH", f"{REPO}/labels/foo",
                             {"new_name": "Bar", "color": "112233"})
    assert (renamed["name"], renamed["color"], renamed["url"]) == (
        "Bar", "112233", f"{github.url}{REPO}/labels/Bar")
    assert "Foo" not in github.labels
    _, issue = client.call("GET", f"{REPO}/issues/1")
    assert [(lb["name"], lb["color"]) for lb in issue["labels"]][1] == ("Bar", "112233")
    taken, body = client.call("PATCH", f"{REPO}/labels/bar", {"new_name": "new ONE"})
    assert (taken.status, body["errors"][0]["code"]) == (422, "already_exists")

    # Removing `phase:active` removes `Phase:Active`, recorded as the repository spells it.
    removed, left = client.call("DELETE", f"{REPO}/issues/1/labels/phase%3Aactive")
    assert (removed.status, _names(left)) == (200, ["Bar", "New one"])
    assert github.events[1][-1]["event"] == "unlabeled"
    assert github.events[1][-1]["label"]["name"] == "Phase:Active"
    missing, body = client.call("DELETE", f"{REPO}/issues/1/labels/phase%3Aactive")
    assert (missing.status, body["message"]) == (404, "Label does not exist")

    # Deleting a label takes it off every issue: 204, no body, no Content-Type.
    deleted, nothing = client.call("DELETE", f"{REPO}/labels/NEW%20ONE")
    assert (deleted.status, nothing, deleted.headers.get("content-type")) == (204, None, None)
    assert github.label_names(1) == ["Bar"]
    gone, _ = client.call("GET", f"{REPO}/labels/new%20one")
    assert gone.status == 404


def test_a_new_issue_carries_nothing_from_the_docs_example(client: Client) -> None:
    github = client.fake
    github.permissions["octocat"] = "write"
    answer, issue = client.call("POST", f"{REPO}/issues", {"title": "Follow-up"})
    assert answer.status == 201
    assert issue["number"] == 2  # next in the repository's sequence
    assert answer.headers["location"] == issue["url"] == f"{github.url}{REPO}/issues/2"
    assert issue["html_url"] == "https://github.com/Codertocat/Hello-World/issues/2"
    assert (issue["state"], issue["locked"], issue["active_lock_reason"], issue["milestone"],
            issue["assignee"], issue["assignees"], issue["comments"], issue["closed_at"],
            issue["closed_by"], issue["state_reason"], issue["labels"], issue["body"]) == (
        "open", False, None, None, None, [], 0, None, None, None, [], None)
    assert issue["created_at"] == issue["updated_at"]
    assert issue["user"]["login"] == "github-actions[bot]"
    assert issue["user"]["type"] == "Bot"
    assert issue["author_association"] == "NONE"
    assert "pull_request" not in issue

    _, assigned = client.call("POST", f"{REPO}/issues", {"title": "t", "assignees": ["octocat"]})
    assert [a["login"] for a in assigned["assignees"]] == ["octocat"]
    assert assigned["assignee"]["login"] == "octocat"

    # An issue a test seeds with a few fields has the same shape, its fields kept.
    _, seeded = client.call("GET", f"{REPO}/issues/1")
    assert set(seeded) == set(issue)
    assert (seeded["title"], seeded["locked"], seeded["milestone"]) == (
        "Login outage", False, None)
    assert seeded["labels"][0]["color"] == "ededed"  # the label's own, filled in
    github.person_comments(1, "octocat", "on it")
    assert client.call("GET", f"{REPO}/issues/1")[1]["comments"] == 1


def _pull_request(client: Client) -> dict[str, Any]:
    github = client.fake
    github.branches["postmortem"] = {"sha": github.branches["master"]["sha"], "files": {},
                                     "commits": []}
    github.commit("postmortem", "docs/pm.md", "draft", "github-actions[bot]")
    answer, pull = client.call("POST", f"{REPO}/pulls", {
        "title": "Post-mortem", "head": "postmortem", "base": "master", "body": "Closes #1"})
    assert answer.status == 201
    assert answer.headers["location"] == pull["url"]
    return dict(pull)


def test_a_new_pull_request_is_new(client: Client) -> None:
    pull = _pull_request(client)
    client.fake.description.check_response("pulls/create", 201, pull)
    assert (pull["number"], pull["locked"], pull["milestone"], pull["assignees"],
            pull["requested_reviewers"], pull["labels"], pull["merged"], pull["merged_at"],
            pull["mergeable"], pull["user"]["login"]) == (
        2, False, None, [], [], [], False, None, None, "github-actions[bot]")
    assert pull["head"]["ref"] == "postmortem"
    assert pull["head"]["sha"] == client.fake.branches["postmortem"]["sha"]
    _, [listed] = client.call("GET", f"{REPO}/pulls?state=open")
    assert "merged" not in listed  # a list's items are `pull-request-simple`
    client.fake.description.check_response("pulls/list", 200, [listed])


def test_the_issues_list_has_pull_requests_too_each_marked(client: Client) -> None:
    pull = _pull_request(client)
    _, items = client.call("GET", f"{REPO}/issues?state=all")
    assert [i["number"] for i in items] == [2, 1]
    by_number = {i["number"]: i for i in items}
    assert by_number[2]["pull_request"] == {
        "url": pull["url"], "html_url": pull["html_url"], "diff_url": pull["diff_url"],
        "patch_url": pull["patch_url"], "merged_at": None}
    assert "pull_request" not in by_number[1]
    _, as_issue = client.call("GET", f"{REPO}/issues/2")
    assert as_issue["pull_request"]["html_url"] == pull["html_url"]
    client.fake.merge(pull["number"], "octocat")
    _, merged = client.call("GET", f"{REPO}/issues?state=closed")
    assert merged[0]["pull_request"]["merged_at"] is not None


def _link(answer: Answer) -> list[tuple[str, str]]:
    return _links(answer.headers.get("link"), "")


def test_lists_page_as_github_pages_them(client: Client) -> None:
    github = client.fake
    for number in range(7):
        github.person_comments(1, "octocat", f"comment {number}")
    base = f"{github.url}/repositories/{github.repository_id}/issues/1/comments"

    first, page = client.call("GET", f"{REPO}/issues/1/comments?per_page=3")
    assert len(page) == 3
    assert _link(first) == [(f"{base}?per_page=3&page=2", "next"),
                            (f"{base}?per_page=3&page=3", "last")]
    middle, page = client.call("GET", f"{REPO}/issues/1/comments?page=2&per_page=3")
    assert [body["body"] for body in page] == ["comment 3", "comment 4", "comment 5"]
    assert _link(middle) == [(f"{base}?page=1&per_page=3", "prev"),
                             (f"{base}?page=3&per_page=3", "next"),
                             (f"{base}?page=3&per_page=3", "last"),
                             (f"{base}?page=1&per_page=3", "first")]
    # GitHub's Link URLs are followed as given: /repositories/{id}/... answers too.
    last, page = client.call("GET", f"{base.removeprefix(github.url)}?per_page=3&page=3")
    assert [body["body"] for body in page] == ["comment 6"]
    assert _link(last) == [(f"{base}?per_page=3&page=2", "prev"),
                           (f"{base}?per_page=3&page=1", "first")]
    single, page = client.call("GET", f"{REPO}/issues/1/comments?per_page=100")
    assert (len(page), single.headers.get("link")) == (7, None)
    capped, page = client.call("GET", f"{REPO}/issues/1/comments?per_page=1000")
    assert (len(page), capped.headers.get("link")) == (7, None)  # at most 100 a page
    _, labels = client.call("GET", f"{REPO}/labels?per_page=1")
    assert _names(labels) == ["Phase:Active"]


def test_file_contents_are_written_as_github_writes_them(client: Client) -> None:
    github = client.fake
    path = f"{REPO}/contents/docs/pm.md"
    content = "VGVzdCBjb250ZW50"  # "Test content"
    created, body = client.call("PUT", path, {"message": "m", "content": content,
                                              "sha": "ignored for a new file"})
    assert created.status == 201
    # The file's blob SHA, as git computes it (recording create-file: same content, same SHA).
    assert body["content"]["sha"] == "3f3f005b29247e51a4f4d6b8ce07b67646cd6074"
    assert body["commit"]["parents"][0]["sha"] == github._sha("root")
    github.description.check_response("repos/create-or-update-file-contents", 201, body)

    unsupplied, error = client.call("PUT", path, {"message": "m", "content": content})
    assert (unsupplied.status, error["message"]) == (422,
                                                     "Invalid request.\n\n\"sha\" wasn't supplied.")
    stale, error = client.call("PUT", path, {"message": "m", "content": content, "sha": "abc"})
    assert (stale.status, error["message"]) == (409, "docs/pm.md does not match abc")
    updated, _ = client.call("PUT", path, {"message": "m", "content": "bmV3",
                                           "sha": body["content"]["sha"]})
    assert updated.status == 200

    _, read = client.call("GET", path)
    assert (read["type"], read["encoding"], base64.b64decode(read["content"])) == (
        "file", "base64", b"new")
    raw, text = client.call("GET", path, accept="application/vnd.github.raw")
    assert (text, raw.headers["content-type"], raw.headers["x-github-media-type"]) == (
        "new", "application/vnd.github.raw; charset=utf-8", "github.v3; param=raw")
    _, listing = client.call("GET", f"{REPO}/contents/docs")
    assert [(e["name"], e["type"]) for e in listing] == [("pm.md", "file")]
    _, root = client.call("GET", f"{REPO}/contents/")
    assert [(e["name"], e["type"]) for e in root] == [("docs", "dir")]
    assert client.call("GET", f"{REPO}/contents/nowhere.md")[0].status == 404


def test_every_answer_carries_the_rate_limit_and_request_headers(client: Client) -> None:
    from tests.fakes.server import Fault

    github = client.fake
    github.inject("issues/get", Fault(status=502, body={"message": "Server Error"}))
    answers = [client.call("GET", f"{REPO}/issues/1")[0],  # the injected fault
               client.call("GET", f"{REPO}/issues/1")[0],
               client.call("GET", f"{REPO}/issues/404")[0],
               client.call("PATCH", f"{REPO}/git/refs/heads/master", {"force": True})[0],
               client.call("DELETE", f"{REPO}/labels/phase%3Aactive")[0]]
    assert [a.status for a in answers] == [502, 200, 404, 400, 204]
    assert [int(a.headers["x-ratelimit-remaining"]) for a in answers] == [
        4999, 4998, 4997, 4996, 4995]
    for answer in answers:
        assert answer.headers["x-ratelimit-limit"] == "5000"
        assert answer.headers["x-ratelimit-resource"] == "core"
        assert int(answer.headers["x-ratelimit-used"]) + int(
            answer.headers["x-ratelimit-remaining"]) == 5000
        assert time.time() < int(answer.headers["x-ratelimit-reset"]) <= time.time() + 3601
        assert answer.headers["x-github-media-type"] == "github.v3; format=json"
        assert re.fullmatch(r"[0-9A-F]+(:[0-9A-F]+){4}", answer.headers["x-github-request-id"])
    assert len({a.headers["x-github-request-id"] for a in answers}) == len(answers)
    github.violations.clear()  # the PATCH without `sha` was refused on purpose

    # Search is counted apart (30 an hour); the rate limit endpoint counts for nothing;
    # a request without valid credentials is counted as anonymous (60).
    search, found = client.call("GET", "/search/issues?q=login+repo%3ACodertocat%2FHello-World")
    assert (search.headers["x-ratelimit-resource"], search.headers["x-ratelimit-limit"],
            search.headers["x-ratelimit-remaining"]) == ("search", "30", "29")
    assert ([item["number"] for item in found["items"]], found["search_type"]) == ([1],
                                                                                 "lexical")
    rate, limits = client.call("GET", "/rate_limit")
    assert rate.headers["x-ratelimit-remaining"] == "4995"
    assert (limits["resources"]["core"]["remaining"], limits["resources"]["search"]["used"],
            limits["rate"]["used"]) == (4995, 1, 5)
    github.description.check_response("rate-limit/get", 200, limits)
    refused, body = client.call("GET", f"{REPO}/issues/1", token="not-a-token")
    assert (refused.status, body["message"], refused.headers["x-ratelimit-limit"]) == (
        401, "Bad credentials", "60")
