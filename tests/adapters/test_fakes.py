"""The loopback fakes behave as the vendors do, seen through the clients the product uses.

PyGithub's requester (as the GitHub adapter uses it), slack_sdk's WebClient and
datadog-api-client talk to the fakes over TLS with the test CA; answers are also checked
against the vendors' own API descriptions where those document them.
"""

from __future__ import annotations

import base64
import json
import ssl
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.v2.api.incidents_api import IncidentsApi
from github import Auth, Github, GithubException, UnknownObjectException
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.datadog import FakeDatadog
from tests.fakes.github import FakeGitHub
from tests.fakes.slack import FakeSlack

BOT = "github-actions[bot]"
REPO = "/repos/Codertocat/Hello-World"


@pytest.fixture
def ca_bundle(certificate_authority: tuple[trustme.CA, Path]) -> Path:
    return certificate_authority[1]


@pytest.fixture
def github(server_tls: ssl.SSLContext) -> Iterator[FakeGitHub]:
    fake = FakeGitHub(server_tls)
    fake.add_issue(json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "github" /
                               "issues.opened.json").read_text())["issue"])
    yield fake
    fake.stop()


@pytest.fixture
def slack(server_tls: ssl.SSLContext) -> Iterator[FakeSlack]:
    fake = FakeSlack(server_tls)
    yield fake
    fake.stop()


@pytest.fixture
def datadog(server_tls: ssl.SSLContext) -> Iterator[FakeDatadog]:
    fake = FakeDatadog(server_tls)
    yield fake
    fake.stop()


def _client(github: FakeGitHub, ca_bundle: Path) -> Github:
    # As incident_response.adapters.github.tracker builds it (no retries here: answers are
    # what is under test).
    return Github(auth=Auth.Token("ghs_bot_token"), base_url=github.url, verify=str(ca_bundle),
                  retry=None, seconds_between_requests=None, seconds_between_writes=None)


@pytest.fixture
def requester(github: FakeGitHub, ca_bundle: Path) -> Any:
    return _client(github, ca_bundle).requester


def _status(requester: Any, verb: str, path: str, body: Any = None) -> tuple[int, Any]:
    status, _, output = requester.requestJson(verb, REPO + path, input=body)
    return status, json.loads(output) if output else None


def _number(github: FakeGitHub) -> int:
    return next(iter(github.issues))


# -- GitHub: comments -------------------------------------------------------------------------

def test_a_comment_can_be_read_back_and_is_gone_once_deleted(github: FakeGitHub,
                                                             requester: Any) -> None:
    number = _number(github)
    _, created = requester.requestJsonAndCheck("POST", f"{REPO}/issues/{number}/comments",
                                               input={"body": "Status: investigating"})
    _, read = requester.requestJsonAndCheck("GET", f"{REPO}/issues/comments/{created['id']}")
    assert read == created
    assert read["body"] == "Status: investigating"
    github.description.check_response("issues/get-comment", 200, read)

    status, body = _status(requester, "DELETE", f"/issues/comments/{created['id']}")
    assert (status, body) == (204, None)
    with pytest.raises(UnknownObjectException):
        requester.requestJsonAndCheck("GET", f"{REPO}/issues/comments/{created['id']}")
    with pytest.raises(UnknownObjectException):  # editing what is gone is a 404 too
        requester.requestJsonAndCheck("PATCH", f"{REPO}/issues/comments/{created['id']}",
                                      input={"body": "too late"})
    assert github.violations == []


def test_people_edit_and_delete_comments_in_the_ui(github: FakeGitHub, requester: Any) -> None:
    number = _number(github)
    comment = github.person_comments(number, "Codertocat", "first words",
                                     at="2024-01-01T10:00:00Z")
    github.edit_comment(comment["id"], "second thoughts", at="2024-01-01T10:05:00Z")
    _, read = requester.requestJsonAndCheck("GET", f"{REPO}/issues/comments/{comment['id']}")
    assert (read["body"], read["created_at"], read["updated_at"]) == (
        "second thoughts", "2024-01-01T10:00:00Z", "2024-01-01T10:05:00Z")

    github.delete_comment(comment["id"])
    with pytest.raises(UnknownObjectException):
        requester.requestJsonAndCheck("GET", f"{REPO}/issues/comments/{comment['id']}")
    _, listed = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}/comments")
    assert listed == []


def test_a_comment_over_65536_characters_is_refused_as_github_refuses_it(
        github: FakeGitHub, requester: Any) -> None:
    number = _number(github)
    _, at_limit = requester.requestJsonAndCheck("POST", f"{REPO}/issues/{number}/comments",
                                                input={"body": "x" * 65536})
    assert len(at_limit["body"]) == 65536

    with pytest.raises(GithubException) as created:
        requester.requestJsonAndCheck("POST", f"{REPO}/issues/{number}/comments",
                                      input={"body": "x" * 65537})
    assert created.value.status == 422
    assert created.value.data == {
        "message": "Validation Failed",
        "errors": [{"resource": "IssueComment", "code": "unprocessable", "field": "data",
                    "message": "Body is too long (maximum is 65536 characters)"}],
        "documentation_url":
            "https://docs.github.com/rest/issues/comments#create-an-issue-comment"}
    github.description.check_response("issues/create-comment", 422, created.value.data)

    with pytest.raises(GithubException) as edited:
        requester.requestJsonAndCheck("PATCH", f"{REPO}/issues/comments/{at_limit['id']}",
                                      input={"body": "y" * 65537})
    assert edited.value.status == 422
    assert edited.value.data["errors"] == [
        {"resource": "IssueComment", "code": "custom", "field": "body",
         "message": "body is too long (maximum is 65536 characters)"}]
    assert edited.value.data["message"] == "Validation Failed"
    assert github.comments[at_limit["id"]]["body"] == "x" * 65536  # nothing changed
    assert len(github.comments_on(number)) == 1


def test_titles_over_256_characters_are_refused(github: FakeGitHub, requester: Any) -> None:
    title_error = {"resource": "Issue", "code": "custom", "field": "title",
                   "message": "title is too long (maximum is 256 characters)"}
    _, issue = requester.requestJsonAndCheck("POST", f"{REPO}/issues", input={"title": "t" * 256})
    assert len(issue["title"]) == 256

    with pytest.raises(GithubException) as created:
        requester.requestJsonAndCheck("POST", f"{REPO}/issues", input={"title": "t" * 257})
    assert (created.value.status, created.value.data["message"],
            created.value.data["errors"]) == (422, "Validation Failed", [title_error])
    github.description.check_response("issues/create", 422, created.value.data)

    with pytest.raises(GithubException) as updated:
        requester.requestJsonAndCheck("PATCH", f"{REPO}/issues/{issue['number']}",
                                      input={"title": "u" * 257})
    assert updated.value.data["errors"] == [title_error]
    assert github.issues[issue["number"]]["title"] == "t" * 256

    github.branches["feature"] = {"sha": github._sha("feature"), "files": {"a": "b"},
                                  "commits": []}
    with pytest.raises(GithubException) as pulled:
        requester.requestJsonAndCheck("POST", f"{REPO}/pulls", input={
            "title": "p" * 257, "head": "feature", "base": "master"})
    assert pulled.value.data["errors"] == [title_error]
    assert github.pulls == {}


def test_a_new_pull_request_is_neither_merged_nor_closed(github: FakeGitHub,
                                                          requester: Any) -> None:
    github.branches["feature"] = {"sha": github._sha("feature"), "files": {"a": "b"},
                                  "commits": []}
    _, pull = requester.requestJsonAndCheck("POST", f"{REPO}/pulls", input={
        "title": "Post-mortem", "head": "feature", "base": "master"})
    assert (pull["state"], pull["merged"], pull["merged_at"], pull["closed_at"],
            pull["merged_by"]) == ("open", False, None, None, None)
    github.close_unmerged(pull["number"], "octocat")
    assert (github.pulls[pull["number"]]["merged_at"],
            github.pulls[pull["number"]]["state"]) == (None, "closed")


# -- GitHub: reactions ------------------------------------------------------------------------

def test_comments_carry_a_reaction_roll_up_and_a_repeated_reaction_answers_200(
        github: FakeGitHub, requester: Any) -> None:
    number = _number(github)
    comment = github.person_comments(number, "Codertocat", "/incident declare")
    _, read = requester.requestJsonAndCheck("GET", f"{REPO}/issues/comments/{comment['id']}")
    assert read["reactions"] == {
        "url": f"{github.url}{REPO}/issues/comments/{comment['id']}/reactions",
        "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0,
        "heart": 0, "rocket": 0, "eyes": 0}

    path = f"/issues/comments/{comment['id']}/reactions"
    first_status, first = _status(requester, "POST", path, {"content": "+1"})
    again_status, again = _status(requester, "POST", path, {"content": "+1"})
    assert (first_status, again_status) == (201, 200)
    assert again == first  # the existing reaction, not a second one
    github.description.check_response("reactions/create-for-issue-comment", 200, again)
    eyes_status, _ = _status(requester, "POST", path, {"content": "eyes"})
    assert eyes_status == 201
    github.person_reacts(comment["id"], "octocat", "+1")

    _, [listed] = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}/comments")
    rollup = listed["reactions"]
    assert (rollup["total_count"], rollup["+1"], rollup["eyes"], rollup["heart"]) == (3, 2, 1, 0)
    assert github.reactions[comment["id"]] == ["+1", "eyes", "+1"]
    assert github.comments[comment["id"]]["reactions"] == rollup
    github.description.check_response("issues/get-comment", 200, listed)


# -- GitHub: closing and reopening ------------------------------------------------------------

def _timeline(requester: Any, number: int) -> list[tuple[str, str, str | None]]:
    _, items = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}/timeline")
    return [(i["event"], (i.get("actor") or {}).get("login"), i.get("state_reason"))
            for i in items if i["event"] in ("closed", "reopened")]


def test_people_close_and_reopen_issues_and_the_timeline_shows_it(github: FakeGitHub,
                                                                  requester: Any) -> None:
    number = _number(github)
    payload = github.close_issue(number, "octocat", at="2024-02-01T09:00:00Z")
    assert payload["action"] == "closed"
    assert payload["sender"]["login"] == "octocat"
    assert payload["issue"]["state"] == "closed"
    _, issue = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}")
    assert (issue["state"], issue["state_reason"], issue["closed_at"],
            issue["closed_by"]["login"]) == ("closed", "completed", "2024-02-01T09:00:00Z",
                                             "octocat")

    reopened = github.reopen_issue(number, "Codertocat", at="2024-02-01T10:00:00Z")
    assert reopened["action"] == "reopened"
    _, issue = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}")
    assert (issue["state"], issue["state_reason"], issue["closed_at"]) == (
        "open", "reopened", None)
    assert _timeline(requester, number) == [("closed", "octocat", "completed"),
                                            ("reopened", "Codertocat", "reopened")]
    _, events = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}/events")
    assert [e["event"] for e in events] == ["closed", "reopened"]
    assert all("label" not in e for e in events)


def test_the_bot_closing_an_issue_is_recorded_as_an_event(github: FakeGitHub,
                                                          requester: Any) -> None:
    number = _number(github)
    _, issue = requester.requestJsonAndCheck("PATCH", f"{REPO}/issues/{number}", input={
        "state": "closed", "state_reason": "not_planned"})
    assert (issue["state"], issue["state_reason"]) == ("closed", "not_planned")
    assert issue["closed_at"] is not None
    requester.requestJsonAndCheck("PATCH", f"{REPO}/issues/{number}", input={"state": "closed"})
    requester.requestJsonAndCheck("PATCH", f"{REPO}/issues/{number}", input={"state": "open"})
    assert _timeline(requester, number) == [("closed", BOT, "not_planned"),
                                            ("reopened", BOT, "reopened")]


# -- GitHub: refs and the repository ----------------------------------------------------------

def _ref(requester: Any, name: str) -> str:
    _, ref = requester.requestJsonAndCheck("GET", f"{REPO}/git/ref/heads/{name}")
    return str(ref["object"]["sha"])


def test_update_ref_moves_a_branch_only_forward_unless_forced(github: FakeGitHub,
                                                              requester: Any) -> None:
    root = _ref(requester, "master")
    requester.requestJsonAndCheck("POST", f"{REPO}/git/refs",
                                  input={"ref": "refs/heads/feature", "sha": root})
    github.commit("feature", "docs/a.md", "one", BOT)
    first = _ref(requester, "feature")

    _, moved = requester.requestJsonAndCheck("PATCH", f"{REPO}/git/refs/heads/master",
                                             input={"sha": first})
    assert moved["ref"] == "refs/heads/master"
    assert moved["object"]["sha"] == first == _ref(requester, "master")
    assert github.branches["master"]["files"] == {"docs/a.md": "one"}
    github.description.check_response("git/update-ref", 200, moved)

    github.commit("master", "docs/b.md", "a person's", "octocat")
    github.commit("feature", "docs/a.md", "two", BOT)
    ahead, diverged = _ref(requester, "master"), _ref(requester, "feature")

    status, refused = _status(requester, "PATCH", "/git/refs/heads/feature", {"sha": ahead})
    assert (status, refused["message"]) == (422, "Update is not a fast forward")
    assert refused["documentation_url"].endswith("/git/refs#update-a-reference")
    assert _ref(requester, "feature") == diverged
    assert github.branches["feature"]["files"] == {"docs/a.md": "two"}

    _, forced = requester.requestJsonAndCheck("PATCH", f"{REPO}/git/refs/heads/feature",
                                              input={"sha": ahead, "force": True})
    assert forced["object"]["sha"] == ahead == _ref(requester, "feature")
    assert github.branches["feature"]["files"] == {"docs/a.md": "one",
                                                   "docs/b.md": "a person's"}

    assert _status(requester, "PATCH", "/git/refs/heads/nowhere", {"sha": ahead})[1][
        "message"] == "Reference does not exist"
    assert _status(requester, "PATCH", "/git/refs/heads/feature", {"sha": "0" * 40})[1][
        "message"] == "Object does not exist"
    assert github.violations == []


def test_a_fast_forward_keeps_the_commits_a_pull_request_lists(github: FakeGitHub,
                                                               requester: Any) -> None:
    requester.requestJsonAndCheck("POST", f"{REPO}/git/refs", input={
        "ref": "refs/heads/postmortem", "sha": _ref(requester, "master")})
    requester.requestJsonAndCheck("POST", f"{REPO}/git/refs", input={
        "ref": "refs/heads/scratch", "sha": _ref(requester, "master")})
    github.commit("scratch", "pm.md", "draft", BOT)
    github.commit("scratch", "pm.md", "edited", "octocat")
    requester.requestJsonAndCheck("PATCH", f"{REPO}/git/refs/heads/postmortem",
                                  input={"sha": _ref(requester, "scratch")})
    assert github.branches["postmortem"]["commits"] == github.branches["scratch"]["commits"]
    assert [login for _, login in github.branches["postmortem"]["commits"]] == [BOT, "octocat"]


def test_a_request_the_description_forbids_is_refused(github: FakeGitHub,
                                                      requester: Any) -> None:
    status, _ = _status(requester, "PATCH", "/git/refs/heads/master", {"force": True})
    assert status == 400
    assert github.violations == ["git/update-ref: body at '': 'sha' is a required property"]


def test_the_repository_reports_the_default_branch(github: FakeGitHub, ca_bundle: Path) -> None:
    client = _client(github, ca_bundle)
    repository = client.get_repo("Codertocat/Hello-World")
    assert (repository.full_name, repository.default_branch) == ("Codertocat/Hello-World",
                                                                 "master")
    github.default_branch = "main"
    repository = client.get_repo("Codertocat/Hello-World")
    assert repository.default_branch == "main"
    assert repository.url == f"{github.url}{REPO}"
    _, raw = client.requester.requestJsonAndCheck("GET", REPO)
    github.description.check_response("repos/get", 200, raw)
    with pytest.raises(UnknownObjectException):
        client.get_repo("someone/else")


# -- holding a request ------------------------------------------------------------------------

def test_a_held_request_is_recorded_but_completes_only_after_release(
        github: FakeGitHub, requester: Any) -> None:
    number = _number(github)
    hold = github.hold("issues/create-comment")
    answers: list[Any] = []
    writer = threading.Thread(target=lambda: answers.append(requester.requestJsonAndCheck(
        "POST", f"{REPO}/issues/{number}/comments", input={"body": "held"})))
    writer.start()
    assert hold.arrived.wait(5)
    assert hold.request is not None
    assert hold.request.json() == {"body": "held"}
    assert len(github.calls("issues/create-comment")) == 1  # recorded...
    assert github.comments_on(number) == []  # ...but not done
    # The server is not blocked: other requests are answered meanwhile.
    _, issue = requester.requestJsonAndCheck("GET", f"{REPO}/issues/{number}")
    assert issue["number"] == number
    writer.join(0.2)
    assert writer.is_alive()
    assert answers == []

    hold.release()
    writer.join(5)
    assert not writer.is_alive()
    assert hold.finished.is_set()
    [(_, created)] = answers
    assert [c["body"] for c in github.comments_on(number)] == ["held"] == [created["body"]]


def test_holds_make_a_lost_update_deterministic(github: FakeGitHub, requester: Any) -> None:
    comment = github.person_comments(_number(github), BOT, "Status: investigating")
    path = f"{REPO}/issues/comments/{comment['id']}"
    with github.hold("issues/update-comment") as hold:
        first = threading.Thread(target=requester.requestJsonAndCheck, args=("PATCH", path),
                                 kwargs={"input": {"body": "Status: mitigated"}})
        first.start()
        assert hold.arrived.wait(5)
        requester.requestJsonAndCheck("PATCH", path, input={"body": "Status: resolved"})
        assert github.comments[comment["id"]]["body"] == "Status: resolved"
    first.join(5)
    assert hold.finished.is_set()
    # The older write, released last, wins: the race the program must survive.
    assert github.comments[comment["id"]]["body"] == "Status: mitigated"


def test_a_held_request_then_gets_an_injected_fault(github: FakeGitHub, requester: Any) -> None:
    from tests.fakes.server import Fault

    number = _number(github)
    hold = github.hold("issues/get")
    github.inject("issues/get", Fault(status=502, body={"message": "Server Error"}))
    answers: list[int] = []
    reader = threading.Thread(target=lambda: answers.append(
        requester.requestJson("GET", f"{REPO}/issues/{number}")[0]))
    reader.start()
    assert hold.arrived.wait(5)
    hold.release()
    reader.join(5)
    assert answers == [502]


def test_stop_releases_held_requests_and_never_hangs(server_tls: ssl.SSLContext,
                                                     ca_bundle: Path) -> None:
    fake = FakeGitHub(server_tls)
    fake.add_issue({"number": 1, "title": "t", "state": "open", "labels": [],
                    "html_url": "https://github.com/Codertocat/Hello-World/issues/1"})
    hold = fake.hold("issues/get")
    client = _client(fake, ca_bundle).requester
    answers: list[Any] = []

    def read() -> None:
        try:
            answers.append(client.requestJson("GET", f"{REPO}/issues/1")[0])
        except Exception as error:  # the server went away: either outcome is fine here
            answers.append(error)

    reader = threading.Thread(target=read)
    reader.start()
    assert hold.arrived.wait(5)
    started = time.monotonic()
    stopper = threading.Thread(target=fake.stop)
    stopper.start()
    stopper.join(10)
    assert not stopper.is_alive()
    assert time.monotonic() - started < 5
    assert hold.released
    reader.join(10)
    assert not reader.is_alive()
    assert answers
    late = fake.hold("issues/get")  # a hold made after stop() is released at once
    assert late.released


# -- Slack ------------------------------------------------------------------------------------

@pytest.fixture
def web(slack: FakeSlack, ca_bundle: Path) -> WebClient:
    return WebClient(token="xoxb-test-token", base_url=slack.url + "/api/",
                     ssl=ssl.create_default_context(cafile=str(ca_bundle)))


#: message fields newer than the archived 2021 description (docs.slack.dev: message metadata,
#: `app_id` and `is_locked` in the thread_broadcast example; `bot_profile.user_id` in
#: java-slack-sdk's recorded samples)
NEWER = ("metadata", "app_id", "is_locked")


def _shaped(slack: FakeSlack, messages: list[dict[str, Any]]) -> None:
    for message in messages:
        older = {k: v for k, v in message.items() if k not in NEWER}
        if "bot_profile" in older:
            older["bot_profile"] = {k: v for k, v in older["bot_profile"].items()
                                    if k != "user_id"}
        slack.description.check_value("#/definitions/objs_message", older)


def _post(web: WebClient, text: str, **extra: Any) -> str:
    return str(web.chat_postMessage(channel="#identity-support", text=text, **extra)["ts"])


def test_chat_post_message_answers_with_the_message_as_slack_renders_it(
        slack: FakeSlack, web: WebClient) -> None:
    """The answer names the channel by id and carries the message as Slack stored it (the
    recorded answers in tests/adapters/test_slack_recordings.py: termibot, java-slack-sdk)."""
    response = web.chat_postMessage(channel="#identity-support", text="hello",
                                    metadata={"event_type": "incident", "event_payload": {}})
    message = response["message"]
    assert (response["ok"], response["channel"], message["ts"]) == (True, "C0SUPPORT",
                                                                    response["ts"])
    assert (message["type"], message["text"], message["user"], message["bot_id"]) == (
        "message", "hello", "U0BOTUSER", "B0BOTUSER1")
    assert message["blocks"][0]["type"] == "rich_text"  # made from the text
    assert message["metadata"] == {"event_type": "incident", "event_payload": {}}
    _shaped(slack, [message])
    assert slack.messages == [{"channel": "C0SUPPORT", "text": "hello", "ts": response["ts"],
                               "metadata": {"event_type": "incident", "event_payload": {}}}]


def test_history_is_newest_first_and_hides_metadata_unless_asked(slack: FakeSlack,
                                                                 web: WebClient) -> None:
    metadata = {"event_type": "incident_declared",
                "event_payload": {"issue": "https://github.com/o/r/issues/7"}}
    announcement = _post(web, "Incident declared", metadata=metadata,
                         blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "*SEV1*"}}])
    update = _post(web, "Update 1", thread_ts=announcement)
    broadcast = _post(web, "Resolved", thread_ts=announcement, reply_broadcast=True)
    later = _post(web, "Another message")
    slack.person_posts("#identity-support", "U0PERSON", "thanks", thread_ts=announcement)

    plain = web.conversations_history(channel="C0SUPPORT")
    assert [m["ts"] for m in plain["messages"]] == [later, broadcast, announcement]
    assert update not in [m["ts"] for m in plain["messages"]]
    assert all("metadata" not in m for m in plain["messages"])
    assert plain["has_more"] is False
    parent = plain["messages"][2]
    assert parent["blocks"][0]["text"]["text"] == "*SEV1*"
    assert (parent["reply_count"], parent["reply_users"], parent["reply_users_count"]) == (
        3, ["U0BOTUSER", "U0PERSON"], 2)
    assert plain["messages"][1]["subtype"] == "thread_broadcast"

    full = web.conversations_history(channel="C0SUPPORT", include_all_metadata=True)
    assert full["messages"][2]["metadata"] == metadata
    _shaped(slack, full["messages"])
    assert [m.get("metadata") for m in full["messages"][:2]] == [None, None]
    assert slack.violations == []


def test_replies_are_the_parent_then_its_thread(slack: FakeSlack, web: WebClient) -> None:
    parent = _post(web, "Incident declared",
                   metadata={"event_type": "incident_declared", "event_payload": {"n": 1}})
    first = _post(web, "Update 1", thread_ts=parent,
                  metadata={"event_type": "incident_update", "event_payload": {"n": 2}})
    _post(web, "unrelated")
    person = slack.person_posts("#identity-support", "U0PERSON", "on it", thread_ts=parent)

    thread = web.conversations_replies(channel="C0SUPPORT", ts=parent)
    assert [m["ts"] for m in thread["messages"]] == [parent, first, person["ts"]]
    assert [m["user"] for m in thread["messages"]] == ["U0BOTUSER", "U0BOTUSER", "U0PERSON"]
    assert all(m["thread_ts"] == parent for m in thread["messages"])
    assert thread["messages"][1]["parent_user_id"] == "U0BOTUSER"
    assert all("metadata" not in m for m in thread["messages"])

    from_reply = web.conversations_replies(channel="C0SUPPORT", ts=first,
                                           include_all_metadata=True)
    assert [m["ts"] for m in from_reply["messages"]] == [parent, first, person["ts"]]
    assert [m.get("metadata", {}).get("event_type") for m in from_reply["messages"]] == [
        "incident_declared", "incident_update", None]
    _shaped(slack, from_reply["messages"])

    with pytest.raises(SlackApiError) as missing:
        web.conversations_replies(channel="C0SUPPORT", ts="1.000000")
    assert missing.value.response["error"] == "thread_not_found"


def test_history_pages_with_a_cursor(slack: FakeSlack, web: WebClient) -> None:
    posted = [_post(web, f"message {i}") for i in range(5)]
    first = web.conversations_history(channel="C0SUPPORT", limit=2)
    assert first["has_more"] is True
    assert base64.b64decode(first["response_metadata"]["next_cursor"]).startswith(b"next_ts:")
    pages = [[m["ts"] for m in page["messages"]]
             for page in web.conversations_history(channel="C0SUPPORT", limit=2)]
    assert pages == [posted[:2:-1][:2], posted[2:0:-1], posted[:1]]
    assert [ts for page in pages for ts in page] == posted[::-1]
    thread = [_post(web, "parent")]
    thread += [_post(web, f"reply {i}", thread_ts=thread[0]) for i in range(3)]
    replies = [m["ts"] for page in web.conversations_replies(channel="C0SUPPORT",
                                                             ts=thread[0], limit=3)
               for m in page["messages"]]
    assert replies == thread
    with pytest.raises(SlackApiError) as bad:
        web.conversations_history(channel="C0SUPPORT", cursor="bm9wZQ==")
    assert bad.value.response["error"] == "invalid_cursor"


def test_a_token_without_the_scope_gets_missing_scope(slack: FakeSlack, web: WebClient) -> None:
    _post(web, "still posts")
    slack.scopes.discard("channels:history")
    with pytest.raises(SlackApiError) as history:
        web.conversations_history(channel="C0SUPPORT")
    assert history.value.response.status_code == 200
    assert history.value.response.data == {"ok": False, "error": "missing_scope",
                                           "needed": "channels:history",
                                           "provided": "chat:write"}
    with pytest.raises(SlackApiError):
        web.conversations_replies(channel="C0SUPPORT", ts=slack.messages[0]["ts"])
    _post(web, "posting needs chat:write only")

    slack.scopes = {"channels:history"}
    with pytest.raises(SlackApiError) as post:
        _post(web, "no")
    assert (post.value.response["error"], post.value.response["needed"]) == (
        "missing_scope", "chat:write")
    assert len(slack.messages) == 2


def test_history_of_an_unknown_channel_and_unknown_arguments(slack: FakeSlack,
                                                             web: WebClient) -> None:
    with pytest.raises(SlackApiError) as unknown:
        web.conversations_history(channel="C0NOWHERE")
    assert unknown.value.response["error"] == "channel_not_found"
    with pytest.raises(SlackApiError):  # only the documented arguments (and the newer one)
        web.conversations_history(channel="C0SUPPORT", include_everything=True)
    assert slack.violations == ["conversations_history: unknown argument 'include_everything'"]


# -- Datadog ----------------------------------------------------------------------------------

def _raw(datadog: FakeDatadog, ca_bundle: Path, method: str, path: str,
         body: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        datadog.url + path, method=method, data=json.dumps(body).encode(), headers={
            "Content-Type": "application/json", "DD-API-KEY": "k", "DD-APPLICATION-KEY": "a"})
    context = ssl.create_default_context(cafile=str(ca_bundle))
    try:
        with urllib.request.urlopen(request, context=context, timeout=10) as answer:
            data: dict[str, Any] = json.loads(answer.read())
    except urllib.error.HTTPError as error:
        raise AssertionError(error.read()) from error
    return data


def _declare(datadog: FakeDatadog, ca_bundle: Path, title: str, scope: str,
             state: str = "active") -> str:
    created = _raw(datadog, ca_bundle, "POST", "/api/v2/incidents", {"data": {
        "type": "incidents",
        "attributes": {"title": title, "customer_impacted": True, "customer_impact_scope": scope,
                       "fields": {"state": {"type": "dropdown", "value": state}}},
        "relationships": {"commander_user": {"data": None}}}})
    return str(created["data"]["id"])


@pytest.fixture
def incidents(datadog: FakeDatadog, ca_bundle: Path) -> IncidentsApi:
    configuration = Configuration(host=datadog.url, api_key={"apiKeyAuth": "k",
                                                             "appKeyAuth": "a"},
                                  ssl_ca_cert=str(ca_bundle))
    for operation in ("search_incidents", "list_incident_todos", "list_incident_attachments"):
        configuration.unstable_operations[operation] = True
    return IncidentsApi(ApiClient(configuration))


@pytest.mark.filterwarnings("ignore:Using unstable operation")
def test_todos_and_attachments_can_be_listed(datadog: FakeDatadog, ca_bundle: Path,
                                             incidents: IncidentsApi) -> None:
    incident = _declare(datadog, ca_bundle, "Login outage", "https://github.com/o/r/issues/7")
    other = _declare(datadog, ca_bundle, "Other", "https://github.com/o/r/issues/8")
    for content in ("Write the post-mortem", "Rotate the keys"):
        _raw(datadog, ca_bundle, "POST", f"/api/v2/incidents/{incident}/relationships/todos",
             {"data": {"type": "incident_todos",
                       "attributes": {"content": content, "assignees": []}}})
    _raw(datadog, ca_bundle, "POST", f"/api/v2/incidents/{incident}/attachments", {"data": {
        "type": "incident_attachments", "attributes": {
            "attachment_type": "postmortem",
            "attachment": {"documentUrl": "https://github.com/o/r/pull/9", "title": "PM"}}}})

    todos = incidents.list_incident_todos(incident_id=incident)
    assert [t.attributes.content for t in todos.data] == ["Write the post-mortem",
                                                          "Rotate the keys"]
    assert {t.attributes.incident_id for t in todos.data} == {incident}
    assert incidents.list_incident_todos(incident_id=other).data == []

    attachments = incidents.list_incident_attachments(incident_id=incident)
    [attachment] = attachments.data
    assert attachment.attributes.attachment.document_url == "https://github.com/o/r/pull/9"
    assert str(attachment.attributes.attachment_type) == "postmortem"
    assert incidents.list_incident_attachments(incident_id=incident,
                                               filter_attachment_type="2").data == []
    with_user = incidents.list_incident_attachments(incident_id=incident,
                                                    include="last_modified_by_user")
    assert [str(u.type) for u in with_user.included] == ["users"]

    for operation, path in (("ListIncidentTodos", f"/incidents/{incident}/relationships/todos"),
                            ("ListIncidentAttachments", f"/incidents/{incident}/attachments")):
        [call] = [c for c in datadog.calls(operation) if c.path.endswith(path)][:1]
        assert call.method == "GET"
    assert datadog.violations == []


def _json(datadog: FakeDatadog, ca_bundle: Path, path: str) -> dict[str, Any]:
    request = urllib.request.Request(datadog.url + path, headers={
        "DD-API-KEY": "k", "DD-APPLICATION-KEY": "a"})
    context = ssl.create_default_context(cafile=str(ca_bundle))
    with urllib.request.urlopen(request, context=context, timeout=10) as answer:
        data: dict[str, Any] = json.loads(answer.read())
    return data


def test_listed_todos_and_attachments_match_the_description(datadog: FakeDatadog,
                                                            ca_bundle: Path) -> None:
    incident = _declare(datadog, ca_bundle, "Login outage", "scope")
    _raw(datadog, ca_bundle, "POST", f"/api/v2/incidents/{incident}/relationships/todos",
         {"data": {"type": "incident_todos",
                   "attributes": {"content": "Write it up", "assignees": []}}})
    _raw(datadog, ca_bundle, "POST", f"/api/v2/incidents/{incident}/attachments", {"data": {
        "type": "incident_attachments", "attributes": {
            "attachment_type": "postmortem",
            "attachment": {"documentUrl": "https://example.com/pm", "title": "PM"}}}})
    datadog.description.check_response("ListIncidentTodos", 200, _json(
        datadog, ca_bundle, f"/api/v2/incidents/{incident}/relationships/todos"))
    datadog.description.check_response("ListIncidentAttachments", 200, _json(
        datadog, ca_bundle, f"/api/v2/incidents/{incident}/attachments"))


@pytest.mark.filterwarnings("ignore:Using unstable operation")
def test_search_finds_the_incident_of_a_github_issue(datadog: FakeDatadog, ca_bundle: Path,
                                                     incidents: IncidentsApi) -> None:
    one = _declare(datadog, ca_bundle, "Login outage",
                   "Customers on https://github.com/o/r/issues/1 (SSO)")
    twelve = _declare(datadog, ca_bundle, "Billing outage", "https://github.com/o/r/issues/12")
    done = _declare(datadog, ca_bundle, "Old", "https://github.com/o/r/issues/3",
                    state="completed")

    def ids(query: str) -> list[str]:
        found = incidents.search_incidents(query=query, page_size=100)
        return [item.data.id for item in found.data.attributes.incidents]

    # What the program sends today: only the state facet.
    assert sorted(ids("state:(active OR stable OR resolved)")) == sorted([one, twelve])
    assert ids('state:(active OR stable OR resolved) AND "https://github.com/o/r/issues/1"') \
        == [one]
    assert ids("https://github.com/o/r/issues/12") == [twelve]
    assert ids('state:active AND "https://github.com/o/r/issues/3"') == []
    assert ids('"https://github.com/o/r/issues/3"') == [done]
    assert ids("state:completed") == [done]
    newest_first = incidents.search_incidents(query="state:active", sort="-created",
                                              page_size=100)
    assert [i.data.id for i in newest_first.data.attributes.incidents] == [twelve, one]
    paged = incidents.search_incidents(query="state:active", page_size=1, page_offset=1)
    assert [i.data.id for i in paged.data.attributes.incidents] == [twelve]
    assert paged.data.attributes.total == 2
    assert datadog.violations == []
