"""The GitHub fake: issues, comments, labels, reactions, refs, contents and pull requests.

It answers as GitHub does, and is held to it twice: every request is checked against GitHub's
own description (FakeService), and `tests/adapters/test_github_recordings.py` replays real recorded
interactions (@octokit/fixtures) against it, comparing statuses, the keys and types of every
answer, error bodies and headers. Where a behaviour comes from is said next to its code: a
recording (scenario name), GitHub's docs or description, or an issue quoting GitHub's answer.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import hashlib
import itertools
import json
import math
import re
import ssl
import threading
import time
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qsl, quote

from tests.fakes.common import FIXTURES, now_text
from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Recorded, Reply


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / "github" / "rest-examples" / name).read_text(encoding="utf-8"))
    return data


#: The reaction roll-up GitHub puts on issue comments, in the order GitHub writes it
#: (schema `reaction-rollup` in @octokit/openapi@23.0.2).
REACTIONS = ("+1", "-1", "laugh", "hooray", "confused", "heart", "rocket", "eyes")
#: GitHub's length limits, as its API enforces them (answers quoted at each use).
COMMENT_BODY_LIMIT = 65536
ISSUE_BODY_LIMIT = 65536
TITLE_LIMIT = 256
_DOCS = "https://docs.github.com/rest"
#: Pagination: 30 items a page unless `per_page` says otherwise, at most 100 ("Using
#: pagination in the REST API", docs.github.com; the `per-page` parameter of the description).
PER_PAGE, MAX_PER_PAGE = 30, 100
#: Requests per window, per token and resource, as GitHub's X-RateLimit-* headers count them:
#: 5,000 an hour for a token (every recording but search-issues: `x-ratelimit-limit: 5000`,
#: resource `core`), 30 a minute for search (search-issues: `30`, `search`; "30 requests per
#: minute", PyGithub/PyGithub#895); without valid credentials 60 an hour and 10 a minute
#: ("Rate limits for the REST API", docs.github.com). GitHub gives the workflow token
#: (GITHUB_TOKEN) 1,000 an hour per repository (same page); the fake gives every token 5,000.
RATE_LIMITS = {"core": 5000, "search": 30}
ANONYMOUS_RATE_LIMITS = {"core": 60, "search": 10}
RATE_WINDOW_SECONDS = {"core": 3600, "search": 60}
LABEL_COLOR = "ededed"  # what GitHub gives a label made by adding it (add-labels-to-issue)


_LEVELS = {"none": 0, "read": 1, "write": 2}

#: The permission (GitHub's `permissions:` key) each operation routed here needs; a read (GET)
#: needs "read", anything else "write". From "Permissions required for GitHub Apps"
#: (https://docs.github.com/rest/authentication/permissions-required-for-github-apps), the
#: list the workflow token's `permissions:` follow: issues, labels, comments, reactions, events
#: and timelines are "Issues" (GitHub also accepts "Pull requests" for the endpoints issues
#: share with pull requests, such as comments, hasura/comment-progress#9; the fake asks for
#: "issues", the stricter reading, which every workflow here grants); git refs and file
#: contents are "Contents"; pull requests and their commits are "Pull requests"; the
#: repository itself and a collaborator's permission are "Metadata", which every token has.
#: Search needs none of its own: it finds only what the token may see.
REQUIRED_PERMISSIONS: dict[str, str] = {
    "issues/": "issues",
    "reactions/create-for-issue-comment": "issues",
    "git/": "contents",
    "repos/get-content": "contents",
    "repos/create-or-update-file-contents": "contents",
    "pulls/": "pull-requests",
    "repos/get": "metadata",
    "repos/get-collaborator-permission-level": "metadata",
    "rate-limit/get": "metadata",
    "search/issues-and-pull-requests": "metadata",
    # A workflow, and enabling or disabling it, are "Actions": "Get a workflow" (read),
    # "Disable a workflow" and "Enable a workflow" (write), the list's section "Actions"; the
    # description of 2022 said it too: "GitHub Apps must have the `actions:write` permission
    # to use this endpoint" (api.github.com v1.1.4, actions/enable-workflow).
    "actions/": "actions",
    # "The fine-grained token does not require any permissions" for it ("Get the
    # authenticated user", docs.github.com); an App's token is refused whatever it may do
    # (`_authenticated_user`).
    "users/get-authenticated": "metadata",
}


def required_permission(operation_id: str, method: str) -> tuple[str, str] | None:
    """(permission, level) the operation needs, None if the fake does not know it."""
    scope = REQUIRED_PERMISSIONS.get(operation_id) or next(
        (value for key, value in REQUIRED_PERMISSIONS.items()
         if key.endswith("/") and operation_id.startswith(key)), None)
    if scope is None:
        return None
    return scope, "read" if method == "GET" else "write"


class GitHubDescription(ApiDescription):
    """GitHub's description, with the two path parameters GitHub lets be empty: a contents
    `path` (`GET .../contents/` is the root directory: recording get-content) and the `ref` of
    git/list-matching-refs ("When you use this endpoint without providing a `:ref`, it will
    return an array of all the references", the operation's description)."""

    _shared: ClassVar[dict[str, ApiDescription]] = {}
    EMPTY_ALLOWED: ClassVar[dict[str, str]] = {
        "/repos/{owner}/{repo}/contents/{path}": "path",
        "/repos/{owner}/{repo}/git/matching-refs/{ref}": "ref",
    }

    def __init__(self, path: Path, **options: Any) -> None:
        super().__init__(path, **options)
        for index, operation in enumerate(self.operations):
            name = self.EMPTY_ALLOWED.get(operation.template)
            if name is not None:
                pattern = operation.pattern.pattern.replace(f"(?P<{name}>.+)",
                                                            f"(?P<{name}>.*)")
                self.operations[index] = dataclasses.replace(operation,
                                                             pattern=re.compile(pattern))


def _validation_failed(documentation: str, *errors: dict[str, str]) -> Reply:
    """GitHub's 422 answer (schema `validation-error`)."""
    return Reply(422, {"message": "Validation Failed", "errors": list(errors),
                       "documentation_url": f"{_DOCS}/{documentation}"})


def _not_found(documentation: str, message: str = "Not Found") -> Reply:
    """GitHub's 404 (schema `basic-error`): a message and the page of the operation."""
    return Reply(404, {"message": message, "documentation_url": f"{_DOCS}/{documentation}"})


def _issue_errors(data: dict[str, Any]) -> list[dict[str, str]]:
    """Title and body limits of an issue or pull request.

    GitHub answers `{"resource": "Issue", "code": "custom", "field": "title", "message": "title is
    too long (maximum is 256 characters)"}`, for pull requests too (a pull request is an issue):
    googleapis/repo-automation-bots#1895 (pulls/create), DavyJonesLocker/party_foul#122
    (issues/create). For the body: `"field": "body", "message": "body is too long (maximum is
    65536 characters)"` (github/issue-metrics#258, zaproxy/action-full-scan#43).
    """
    errors = []
    if len(data.get("title") or "") > TITLE_LIMIT:
        errors.append({"resource": "Issue", "code": "custom", "field": "title",
                       "message": f"title is too long (maximum is {TITLE_LIMIT} characters)"})
    if len(data.get("body") or "") > ISSUE_BODY_LIMIT:
        errors.append({"resource": "Issue", "code": "custom", "field": "body",
                       "message": f"body is too long (maximum is {ISSUE_BODY_LIMIT} characters)"})
    return errors


def _fold(name: str) -> str:
    """Label names are one label whatever their case. GitHub refuses `blocked` when `Blocked`
    exists (422 already_exists: hackebrot/labels#15, intuit/auto#548 "label creation is case
    insensitive", shiftkey/webhooks#110 "GitHub doesn't allow us to have two Labels of same
    name with different case", git-bug/git-bug#176), and finds, adds and removes a label by
    any spelling of its name, answering with the repository's own."""
    return name.casefold()


def _blob_sha(text: str) -> str:
    """A file's SHA as git (and GitHub) compute it: SHA-1 of "blob <size>\\0<content>" (the
    recordings' README.md and test.txt SHAs are exactly this)."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


def _base64_lines(text: str) -> str:
    """File content as GitHub sends it: base64 in lines of 60 characters, each ending in a
    newline (the description's examples of repos/get-content)."""
    encoded = base64.b64encode(text.encode()).decode()
    return "".join(encoded[i:i + 60] + "\n" for i in range(0, len(encoded), 60))


class FakeGitHub(FakeService):
    name = "GitHub"

    def __init__(self, tls: ssl.SSLContext, repository: str = "Codertocat/Hello-World") -> None:
        description = GitHubDescription.shared(
            FIXTURES / "github" / "rest-openapi-subset.json",
            more=(FIXTURES / "github" / "rest-openapi-extra.json",))
        super().__init__(description, tls)
        self.repository = repository
        #: the repository's id: GitHub's Link headers name it (/repositories/{id}/...,
        #: recording paginate-issues), and it answers at those URLs too
        self.repository_id = 1296269
        #: "User" or "Organization": who owns the repository (repos/get's `owner.type`, and
        #: its `organization`, which GitHub includes for an organisation's repository only)
        self.owner_type = "User"
        self.tokens: dict[str, str] = {"ghs_bot_token": "github-actions[bot]"}
        #: token -> what it may do, as a job's `permissions:` grants it ({"issues": "write",
        #: "contents": "read", ...}; what is not named is "none"). A token not here may do
        #: everything. A request needing more is refused as GitHub does (`authorise`).
        self.token_permissions: dict[str, dict[str, str]] = {}
        #: Settings -> Actions -> General -> Workflow permissions -> "Allow GitHub Actions to
        #: create and approve pull requests". Off in every new repository (on here, so the
        #: other tests need not turn it on); when off, the workflow token cannot open a pull
        #: request, whatever its permissions (`_create_pull`).
        self.actions_can_create_pulls = True
        self.permissions: dict[str, str] = {}
        self.issues: dict[int, dict[str, Any]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        #: the repository's labels, by name as the repository spells it
        self.labels: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1001)
        #: issue number -> its events (labels, closes, reopens, locks), as GitHub records them
        self.events: dict[int, list[dict[str, Any]]] = {}
        self.reactions: dict[int, list[str]] = {}
        self.default_branch = "master"
        #: branch -> {"sha": head commit, "files": {path: text}, "commits": [(sha, login)]}
        self.branches: dict[str, dict[str, Any]] = {
            "master": {"sha": self._sha("root"), "files": {}, "commits": []}}
        self.pulls: dict[int, dict[str, Any]] = {}
        #: comment id -> the reactions made on it (id, content, user), as GitHub keeps them
        self.reaction_objects: dict[int, list[dict[str, Any]]] = {}
        #: commit sha -> {"parents": [sha], "files": {path: text}, "login": author}: the history
        #: git/update-ref needs to tell a fast-forward (commits made through `commit`/`merge`)
        self.commit_graph: dict[str, dict[str, Any]] = {
            self.branches["master"]["sha"]: {"parents": [], "files": {}, "login": ""}}
        #: the repository's workflows by file name (`.github/workflows/NAME`), as actions/
        #: get-workflow answers them; both sweeps exist and run until something disables them
        self.workflows: dict[str, dict[str, Any]] = {}
        for name, title in (("sweep.yml", "Incident sweep"),
                            ("sweep-daily.yml", "Incident daily sweep")):
            self.add_workflow(name, title)
        #: (token, resource) -> {"reset": epoch seconds, "used": requests}: X-RateLimit-*
        self._rate_windows: dict[tuple[str, str], dict[str, int]] = {}
        self._request_ids = itertools.count(1)
        self._headers_lock = threading.Lock()
        self._user_ids: dict[str, int] = {}
        self.route("GET", "issues/get", self._get_issue)
        self.route("GET", "issues/list-comments", self._list_comments)
        self.route("POST", "issues/create-comment", self._create_comment)
        self.route("PATCH", "issues/update-comment", self._update_comment)
        self.route("GET", "issues/get-comment", self._get_comment)
        self.route("DELETE", "issues/delete-comment", self._delete_comment)
        self.route("GET", "repos/get-collaborator-permission-level", self._permission)
        self.route("GET", "issues/list-labels-for-repo", self._list_labels)
        self.route("POST", "issues/create-label", self._create_label)
        self.route("GET", "issues/get-label", self._get_label)
        self.route("PATCH", "issues/update-label", self._update_label)
        self.route("DELETE", "issues/delete-label", self._delete_label)
        self.route("GET", "issues/list-labels-on-issue", self._list_issue_labels)
        self.route("POST", "issues/add-labels", self._add_labels)
        self.route("DELETE", "issues/remove-label", self._remove_label)
        self.route("GET", "issues/list-for-repo", self._list_issues)
        self.route("GET", "issues/list-events", self._list_events)
        self.route("GET", "issues/list-events-for-timeline", self._timeline)
        self.route("PATCH", "issues/update", self._update_issue)
        self.route("POST", "issues/create", self._create_issue)
        self.route("PUT", "issues/lock", self._lock_issue)
        self.route("DELETE", "issues/unlock", self._unlock_issue)
        self.route("POST", "reactions/create-for-issue-comment", self._react)
        self.route("GET", "search/issues-and-pull-requests", self._search_issues)
        self.route("GET", "git/get-ref", self._get_ref)
        self.route("GET", "git/list-matching-refs", self._matching_refs)
        self.route("POST", "git/create-ref", self._create_ref)
        self.route("PATCH", "git/update-ref", self._update_ref)
        self.route("DELETE", "git/delete-ref", self._delete_ref)
        self.route("GET", "repos/get-content", self._get_content)
        self.route("PUT", "repos/create-or-update-file-contents", self._put_content)
        self.route("GET", "pulls/list", self._list_pulls)
        self.route("GET", "pulls/get", self._get_pull)
        self.route("POST", "pulls/create", self._create_pull)
        self.route("GET", "pulls/list-commits", self._pull_commits)
        self.route("GET", "repos/get", self._get_repo)
        self.route("GET", "rate-limit/get", self._rate_limit)
        self.route("GET", "issues/list-comments-for-repo", self._list_repository_comments)
        self.route("GET", "actions/get-workflow", self._get_workflow)
        self.route("PUT", "actions/enable-workflow", self._enable_workflow)
        self.route("PUT", "actions/disable-workflow", self._disable_workflow)
        self.route("GET", "users/get-authenticated", self._authenticated_user)

    # -- URLs, as GitHub writes them
    @property
    def _api(self) -> str:
        """The repository's API URL (`url` of repos/get)."""
        return f"{self.url}/repos/{self.repository}"

    @property
    def _web(self) -> str:
        return f"https://github.com/{self.repository}"

    def _label_url(self, name: str) -> str:
        # The name percent-encoded: ".../labels/good%20first%20issue" (recording labels).
        return f"{self._api}/labels/{quote(name, safe='')}"

    def _user(self, login: str, kind: str | None = None) -> dict[str, Any]:
        """A user as GitHub embeds one (schema `simple-user`, in the recordings' order)."""
        user_id = self._user_ids.setdefault(login, 1000 + len(self._user_ids))
        api = f"{self.url}/users/{quote(login)}"
        bot = login.endswith("[bot]")
        return {
            "login": login, "id": user_id, "node_id": f"U_{user_id}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
            "gravatar_id": "", "url": api,
            # A bot's page is its app's (github.com/apps/github-actions).
            "html_url": (f"https://github.com/apps/{login.removesuffix('[bot]')}" if bot
                         else f"https://github.com/{login}"),
            "followers_url": f"{api}/followers",
            "following_url": f"{api}/following{{/other_user}}",
            "gists_url": f"{api}/gists{{/gist_id}}",
            "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
            "subscriptions_url": f"{api}/subscriptions",
            "organizations_url": f"{api}/orgs", "repos_url": f"{api}/repos",
            "events_url": f"{api}/events{{/privacy}}",
            "received_events_url": f"{api}/received_events",
            "type": kind or ("Bot" if bot else "User"), "user_view_type": "public",
            "site_admin": False}

    def _association(self, login: str) -> str:
        """`author_association`: the repository's owner, a collaborator, or no one
        (schema `author-association`)."""
        if _fold(login) == _fold(self.repository.split("/")[0]):
            return "OWNER"
        if self.permissions.get(login) in ("admin", "maintain", "write", "triage"):
            return "COLLABORATOR"
        return "NONE"

    def _next_number(self) -> int:
        """Issues and pull requests share one sequence per repository, from 1 (the first
        issue of a new repository is #1: recording add-labels-to-issue)."""
        return max([0, *self.issues, *self.pulls]) + 1

    # -- test set-up
    def add_workflow(self, name: str, title: str, state: str = "active") -> dict[str, Any]:
        """A workflow file on the default branch, as actions/get-workflow answers it (schema
        `workflow`, the description's example `workflow` made this repository's)."""
        workflow_id = 161335 + len(self.workflows)
        at = now_text()
        self.workflows[name] = {
            "id": workflow_id, "node_id": f"W_{workflow_id}", "name": title,
            "path": f".github/workflows/{name}", "state": state, "created_at": at,
            "updated_at": at, "url": f"{self._api}/actions/workflows/{workflow_id}",
            "html_url": f"{self._web}/blob/{self.default_branch}/.github/workflows/{name}",
            "badge_url": f"{self._web}/workflows/{quote(title)}/badge.svg"}
        return self.workflows[name]

    def add_issue(self, issue: dict[str, Any]) -> None:
        """An issue that exists already: what the test gives is kept; what it leaves out is
        filled in as GitHub would have it (an open issue by the repository's owner, unlocked,
        without assignees or milestone, created now)."""
        issue = copy.deepcopy(issue)
        number = int(issue["number"])
        issue["url"] = f"{self._api}/issues/{number}"
        issue["comments_url"] = issue["url"] + "/comments"
        for key, value in self._new_issue(
                number, str(issue.get("title") or ""), None,
                (issue.get("user") or {}).get("login") or self.repository.split("/")[0],
                issue_id=issue.get("id")).items():
            if key == "user" and isinstance(issue.get("user"), dict):
                issue["user"] = {**value, **issue["user"]}
            issue.setdefault(key, value)
        self.issues[number] = issue
        for index, label in enumerate(issue.get("labels", [])):
            known = self._label(label["name"])
            if known is None:
                known = self.labels[label["name"]] = {**self._label_body(label["name"]),
                                                      **copy.deepcopy(label)}
            # What the test leaves out of an attached label (its colour, ...) is the label's.
            issue["labels"][index] = {**known, **label}

    def _new_issue(self, number: int, title: str, body: str | None, login: str,
                   labels: list[dict[str, Any]] | None = None,
                   assignees: list[str] | None = None,
                   issue_id: int | None = None) -> dict[str, Any]:
        """A new issue as GitHub answers issues/create (recording add-labels-to-issue, in its
        order): open, unlocked, no milestone, no comments, made now by `login`."""
        url = f"{self._api}/issues/{number}"
        at = now_text()
        people = [self._user(name) for name in assignees or []]
        issue_id = issue_id if issue_id is not None else next(self._ids)
        return {
            "url": url, "repository_url": self._api, "labels_url": f"{url}/labels{{/name}}",
            "comments_url": f"{url}/comments", "events_url": f"{url}/events",
            "html_url": f"{self._web}/issues/{number}", "id": issue_id,
            "node_id": f"I_{issue_id}", "number": number, "title": title,
            "user": self._user(login), "labels": copy.deepcopy(labels or []), "state": "open",
            "locked": False, "assignee": people[0] if people else None, "assignees": people,
            "milestone": None, "comments": 0, "created_at": at, "updated_at": at,
            "closed_at": None, "author_association": self._association(login),
            # Added after the recording (tests/adapters/test_github_recordings.py lists them):
            # issue types and sub-issues (schema `issue`).
            "type": None, "active_lock_reason": None,
            "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
            "body": body, "closed_by": None,
            "reactions": {"url": f"{url}/reactions", "total_count": 0,
                          **dict.fromkeys(REACTIONS, 0)},
            "timeline_url": f"{url}/timeline", "performed_via_github_app": None,
            "state_reason": None}

    def repository_label(self, name: str, color: str = "d73a4a",
                         description: str | None = None) -> dict[str, Any]:
        """A label the repository has already, spelt as its people made it (`Incident`)."""
        label = self._label_body(name, color, description)
        self.labels[name] = label
        return label

    def person_comments(self, number: int, login: str, body: str,
                        at: str | None = None) -> dict[str, Any]:
        """A person comments on the issue (as GitHub would store it)."""
        comment_id = next(self._ids)
        comment = _example("issues.create-comment.201.json")
        comment.update(id=comment_id, body=body, created_at=at or now_text(),
                       updated_at=at or now_text(), issue_number=number,
                       url=f"{self._api}/issues/comments/{comment_id}",
                       issue_url=f"{self._api}/issues/{number}",
                       html_url=f"{self._web}/issues/{number}#issuecomment-{comment_id}")
        comment["user"] = self._user(login)
        comment["reactions"] = self._rollup(comment_id)
        self.comments[comment_id] = comment
        return comment

    def edit_comment(self, comment_id: int, body: str, at: str | None = None) -> dict[str, Any]:
        """A person edits a comment in the GitHub UI: the body and `updated_at` change."""
        with self._work:
            comment = self.comments[comment_id]
            comment.update(body=body, updated_at=at or now_text())
            return comment

    def delete_comment(self, comment_id: int) -> None:
        """A person deletes a comment in the GitHub UI (it is gone: GET answers 404)."""
        with self._work:
            del self.comments[comment_id]
            self.reactions.pop(comment_id, None)
            self.reaction_objects.pop(comment_id, None)

    def person_reacts(self, comment_id: int, login: str, content: str) -> dict[str, Any]:
        """A person reacts to a comment in the GitHub UI (once per person and content)."""
        with self._work:
            return (self._find_reaction(comment_id, login, content)
                    or self._add_reaction(comment_id, login, content))

    def close_issue(self, number: int, login: str, reason: str = "completed",
                    at: str | None = None) -> dict[str, Any]:
        """A person closes the issue in the GitHub UI; returns the `issues.closed` payload."""
        with self._work:
            self._change_state(self.issues[number], "closed", login, reason, at or now_text())
            return self._issue_payload("issues.closed.json", number, login)

    def reopen_issue(self, number: int, login: str, at: str | None = None) -> dict[str, Any]:
        """A person reopens the issue in the GitHub UI; returns the `issues.reopened` payload."""
        with self._work:
            self._change_state(self.issues[number], "open", login, "reopened", at or now_text())
            return self._issue_payload("issues.reopened.json", number, login)

    def _change_state(self, issue: dict[str, Any], state: str, login: str, reason: str | None,
                      at: str) -> None:
        """Close or reopen, as GitHub records it: the issue's fields and a `closed`/`reopened`
        issue event (schema `state-change-issue-event`, which carries `state_reason`)."""
        if issue["state"] == state:
            return
        if state == "closed":
            # Closing without a reason is "completed" (docs: "Update an issue", state_reason).
            issue.update(state="closed", state_reason=reason or "completed", closed_at=at,
                         closed_by=self._user(login))
        else:
            issue.update(state="open", state_reason="reopened", closed_at=None)
        issue["updated_at"] = at
        self._record_event(issue["number"], login, "closed" if state == "closed" else "reopened",
                           at=at, state_reason=issue["state_reason"])

    def _issue_payload(self, fixture: str, number: int, login: str) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads((FIXTURES / "github" / fixture).read_text())
        payload["issue"] = copy.deepcopy(self.issues[number])
        payload["sender"] = {**payload["sender"], "login": login}
        payload["repository"] = {**payload["repository"], "default_branch": self.default_branch}
        return payload

    def person_labels(self, number: int, login: str, action: str, name: str) -> None:
        """A person adds or removes a label in the GitHub UI (recorded as an issue event)."""
        issue = self.issues[number]
        if action == "labeled":
            label = self._label(name) or self._make_label(name)
            if self._attached(issue, label["name"]) is None:
                issue["labels"].append(copy.deepcopy(label))
            name = label["name"]
        else:
            attached = self._attached(issue, name)
            name = attached["name"] if attached else name
            issue["labels"] = [lb for lb in issue["labels"] if _fold(lb["name"]) != _fold(name)]
        self._record_label_event(number, login, action, name)

    def _record_label_event(self, number: int, login: str, action: str, name: str) -> None:
        label = self._label(name)
        self._record_event(number, login, action, label={
            "name": name, "color": label["color"] if label else LABEL_COLOR})

    def _record_event(self, number: int, login: str, action: str, at: str | None = None,
                      **fields: Any) -> dict[str, Any]:
        event = _example("issues.list-events.200.json")[0]
        event_id = next(self._ids)
        event.update(id=event_id, event=action, created_at=at or now_text(), commit_id=None,
                     commit_url=None, url=f"{self._api}/issues/events/{event_id}")
        event["actor"] = self._user(login)
        event.pop("label", None)
        event.pop("issue", None)
        event.update(fields)
        self.events.setdefault(number, []).append(event)
        return event

    @staticmethod
    def _sha(seed: str) -> str:
        return hashlib.sha1(seed.encode()).hexdigest()

    def commit(self, branch: str, path: str, text: str, login: str) -> None:
        """A commit to a branch (by the bot through the API, or by a person). In an empty
        repository the first commit makes the branch."""
        if branch not in self.branches and not self.branches:
            self.branches[branch] = {"sha": None, "files": {}, "commits": []}
        head = self.branches[branch]
        parent = head["sha"]
        head["files"][path] = text
        head["sha"] = self._sha(f"{head['sha']}{path}{text}{login}")
        head["commits"].append((head["sha"], login))
        self.commit_graph[head["sha"]] = {"parents": [parent] if parent else [],
                                          "files": dict(head["files"]), "login": login}

    def merge(self, pull_number: int, login: str) -> dict[str, Any]:
        """Merge a pull request as GitHub would; returns the `pull_request.closed` payload."""
        pull = self.pulls[pull_number]
        head = self.branches[pull["head"]["ref"]]
        base = self.branches[pull["base"]["ref"]]
        base["files"].update(head["files"])
        parents = [base["sha"], head["sha"]]
        base["sha"] = self._sha(base["sha"] + head["sha"])
        self.commit_graph[base["sha"]] = {"parents": parents, "files": dict(base["files"]),
                                          "login": login}
        at = now_text()
        pull.update(state="closed", merged=True, merged_at=at, closed_at=at, updated_at=at,
                    merge_commit_sha=base["sha"], merged_by=self._user(login))
        for number in (int(n) for n in re.findall(r"Closes #(\d+)",
                                                                 pull["body"] or "")):
            if number in self.issues:
                self.issues[number]["state"] = "closed"
        return self._closed_payload(pull, login)

    def close_unmerged(self, pull_number: int, login: str) -> dict[str, Any]:
        pull = self.pulls[pull_number]
        pull.update(state="closed", merged=False, closed_at=now_text(), updated_at=now_text())
        return self._closed_payload(pull, login)

    def _closed_payload(self, pull: dict[str, Any], login: str) -> dict[str, Any]:
        fixture = "pull_request.closed.merged.json" if pull["merged"] else (
            "pull_request.closed.not-merged.json")
        payload: dict[str, Any] = json.loads((FIXTURES / "github" / fixture).read_text())
        merged = payload["pull_request"]
        merged.update(number=pull["number"], html_url=pull["html_url"], state="closed",
                      merged=pull["merged"], merged_at=pull.get("merged_at"),
                      closed_at=pull.get("closed_at"), title=pull["title"], body=pull["body"],
                      merged_by={**(merged.get("merged_by") or {}), "login": login}
                      if pull["merged"] else None)
        merged["head"] = {**merged["head"], "ref": pull["head"]["ref"]}
        merged["base"] = {**merged["base"], "ref": pull["base"]["ref"]}
        payload["sender"] = {**payload["sender"], "login": login}
        payload["repository"] = {**payload["repository"], "default_branch": self.default_branch}
        return payload

    def comments_on(self, number: int) -> list[dict[str, Any]]:
        return [c for c in self.comments.values() if c["issue_number"] == number]

    def label_names(self, number: int) -> list[str]:
        return sorted(label["name"] for label in self.issues[number]["labels"])

    # -- what every answer carries
    def canonical_path(self, request: Recorded) -> str:
        """Two paths GitHub serves that its description does not list:
        `/repositories/{id}/...` for `/repos/{owner}/{repo}/...` (the form of its own Link
        headers, which clients follow: recording paginate-issues), and
        `GET /repos/{owner}/{repo}/git/refs[/{prefix}]`, which GitHub answers as
        git/list-matching-refs (PyGithub/PyGithub#2992, from GitHub support: "git/refs/... is
        internally pointing to the List matching references API call"; recording git-refs)."""
        path = request.path
        aliased = re.fullmatch(r"/repositories/(\d+)(/.*)?", path)
        if aliased and int(aliased.group(1)) == self.repository_id:
            path = f"/repos/{self.repository}{aliased.group(2) or ''}"
        refs = re.fullmatch(r"(/repos/[^/]+/[^/]+)/git/refs(?:/(.*))?", path)
        if request.method == "GET" and refs:
            path = f"{refs.group(1)}/git/matching-refs/{refs.group(2) or ''}"
        return path

    def finish(self, request: Recorded, reply: Reply) -> Reply:
        """The headers GitHub puts on every answer, errors included (every recording):
        X-RateLimit-Limit/-Remaining/-Reset/-Used/-Resource, counted per token and resource
        over a window (RATE_LIMITS; "Rate limits for the REST API": Reset is "the time at which
        the current rate limit window resets, in UTC epoch seconds"); X-GitHub-Media-Type; an
        X-GitHub-Request-Id. A 204 has no body and no Content-Type (labels, git-refs,
        lock-issue). What a reply (or an injected fault) says itself is kept."""
        headers = dict(reply.headers)
        resource = "search" if request.path.startswith("/search/") else "core"
        # "Accessing this endpoint does not count against your REST API rate limit."
        # (rate-limit/get's description)
        window = self._rate_window(self._token(request), resource,
                                   count=request.operation != "rate-limit/get")
        with self._headers_lock:
            request_id = next(self._request_ids)
        for name, value in (("X-RateLimit-Limit", window["limit"]),
                            ("X-RateLimit-Remaining", window["remaining"]),
                            ("X-RateLimit-Reset", window["reset"]),
                            ("X-RateLimit-Used", window["used"]),
                            ("X-RateLimit-Resource", resource)):
            headers.setdefault(name, str(value))
        headers.setdefault("X-GitHub-Media-Type", self._media_type(request))
        # Five hexadecimal fields, as GitHub's ("0000:00000:0000000:0000000:00000000" in the
        # normalised recordings).
        headers.setdefault("X-GitHub-Request-Id",
                           f"{self.repository_id:X}:{request_id:X}:{int(time.time()):X}:0:0")
        if reply.status == 204 or reply.body is None:
            headers["Content-Type"] = ""
        return Reply(reply.status, reply.body, headers)

    def _rate_window(self, token: str, resource: str, *, count: bool) -> dict[str, int]:
        """The token's current window for this resource ({limit, used, remaining, reset}),
        counting this request in it if `count`."""
        limit = (RATE_LIMITS if token in self.tokens else ANONYMOUS_RATE_LIMITS)[resource]
        with self._headers_lock:
            now = int(time.time())
            window = self._rate_windows.get((token, resource))
            if window is None or window["reset"] <= now:
                window = {"reset": now + RATE_WINDOW_SECONDS[resource], "used": 0}
                self._rate_windows[(token, resource)] = window
            window["used"] += int(count)
            return {"limit": limit, "used": window["used"],
                    "remaining": max(limit - window["used"], 0), "reset": window["reset"]}

    def _rate_limit(self, request: Recorded, values: dict[str, str]) -> Reply:
        """rate-limit/get: the token's windows for core and search as the headers count them
        (the description's example for the other resources, and its order)."""
        body = _example("rate-limit.get.200.json")
        token = self._token(request)
        for resource in RATE_LIMITS:
            body["resources"][resource] = self._rate_window(token, resource, count=False)
        body["rate"] = body["resources"]["core"]
        return Reply(200, body)

    @staticmethod
    def _media_type(request: Recorded) -> str:
        """X-GitHub-Media-Type: the version and the format asked for in Accept
        (`application/vnd.github.v3.raw` -> "github.v3; param=raw": recording get-content;
        JSON otherwise: "github.v3; format=json")."""
        found = re.search(r"application/vnd\.github(?:\.v3)?\.(raw|html|text|full)",
                          request.headers.get("accept", ""))
        return f"github.v3; param={found.group(1)}" if found else "github.v3; format=json"

    @staticmethod
    def _token(request: Recorded) -> str:
        return request.headers.get("authorization", "").removeprefix("token ").removeprefix(
            "Bearer ")

    def _paginate(self, request: Recorded, items: list[Any]) -> tuple[list[Any], dict[str, str]]:
        """One page of a list, and GitHub's Link header for it: `per_page` (30 by default, 100
        at most) and `page` as GitHub reads them; rels in GitHub's order, prev, next, last,
        first, each where it applies (page 1 of 5: next, last; a middle page: all four; the
        last: prev, first); URLs in GitHub's form, /repositories/{id}/... with the request's
        own query and `page` set (recording paginate-issues); no Link for a single page."""
        query = dict(parse_qsl(request.query))
        try:
            per_page = min(max(int(query.get("per_page") or PER_PAGE), 1), MAX_PER_PAGE)
        except ValueError:
            per_page = PER_PAGE
        try:
            page = max(int(query.get("page") or 1), 1)
        except ValueError:
            page = 1
        last = max(math.ceil(len(items) / per_page), 1)
        chunk = items[(page - 1) * per_page: page * per_page]
        if last == 1 and page == 1:
            return chunk, {}
        path = request.path
        prefix = f"/repos/{self.repository}"
        if path.casefold().startswith(prefix.casefold()):
            path = f"/repositories/{self.repository_id}{path[len(prefix):]}"
        parts = [p for p in request.query.split("&") if p] if request.query else []
        position = next((i for i, p in enumerate(parts) if p.split("=", 1)[0] == "page"), None)
        others = [p for p in parts if p.split("=", 1)[0] != "page"]

        def link(number: int, rel: str) -> str:
            at = len(others) if position is None else position
            query_text = "&".join([*others[:at], f"page={number}", *others[at:]])
            return f'<{self.url}{path}?{query_text}>; rel="{rel}"'

        links = []
        if page > 1:
            links.append(link(min(page - 1, last), "prev"))
        if page < last:
            links += [link(page + 1, "next"), link(last, "last")]
        if page > 1:
            links.append(link(1, "first"))
        return chunk, {"Link": ", ".join(links)}

    def _page(self, request: Recorded, items: list[Any]) -> Reply:
        chunk, headers = self._paginate(request, items)
        return Reply(200, chunk, headers)

    # -- behaviour
    def authorise(self, request: Recorded) -> Reply | None:
        token = self._token(request)
        if token not in self.tokens:
            # GitHub's answer today: anmol098/waka-readme-stats#506 (2024, PyGithub),
            # WolfgangFahl/nicegui_widgets#99.
            return Reply(401, {"message": "Bad credentials", "documentation_url": _DOCS,
                               "status": "401"})
        granted = self.token_permissions.get(token)
        if granted is None:
            return None
        needed = required_permission(request.operation, request.method)
        if needed is None:
            self.violations.append(f"{request.operation}: no permission known for it in the "
                                   "fake (add it to REQUIRED_PERMISSIONS)")
            return Reply(501, {"message": "not implemented by the fake"})
        scope, level = needed
        if scope != "metadata" and _LEVELS[granted.get(scope, "none")] < _LEVELS[level]:
            # What GitHub answers a workflow or App token without the permission:
            # actions/create-github-app-token#258 ({"message": "Resource not accessible by
            # integration", "documentation_url": ..., "status": "403"}),
            # jgehrcke/github-repo-stats#58, renovatebot/github-action#595.
            return Reply(403, {"message": "Resource not accessible by integration",
                               "documentation_url": _DOCS, "status": "403"})
        return None

    def _login(self, request: Recorded) -> str:
        return self.tokens[self._token(request)]

    def _issue(self, values: dict[str, str]) -> dict[str, Any] | None:
        return self.issues.get(int(values["issue_number"]))

    def _issue_view(self, issue: dict[str, Any], *, listed: bool = False) -> dict[str, Any]:
        """An issue as GitHub answers it: its comment count as it is now; in a list or a
        search, without `closed_by`, which GitHub sends only for one issue (recordings
        paginate-issues and search-issues vs add-labels-to-issue)."""
        view = copy.deepcopy(issue)
        view["comments"] = len(self.comments_on(int(issue["number"])))
        if listed:
            view.pop("closed_by", None)
        return view

    def _pull_as_issue(self, pull: dict[str, Any]) -> dict[str, Any]:
        """A pull request as the issues endpoints answer it: an issue with `pull_request`
        (`url`, `html_url`, `diff_url`, `patch_url`, `merged_at`; schema `issue`) and `draft`
        ("Every pull request is an issue, but not every issue is a pull request", docs "List
        repository issues")."""
        view = self._new_issue(pull["number"], pull["title"], pull["body"],
                               pull["user"]["login"], pull["labels"], issue_id=pull["id"])
        view.pop("closed_by")
        view.update(state=pull["state"], created_at=pull["created_at"],
                    updated_at=pull["updated_at"], closed_at=pull["closed_at"],
                    user=pull["user"], author_association=pull["author_association"],
                    locked=pull["locked"], draft=pull.get("draft", False),
                    comments=len(self.comments_on(int(pull["number"]))),
                    pull_request={"url": pull["url"], "html_url": pull["html_url"],
                                  "diff_url": pull["diff_url"], "patch_url": pull["patch_url"],
                                  "merged_at": pull.get("merged_at")})
        return view

    def _get_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        number = int(values["issue_number"])
        if number in self.issues:
            return Reply(200, self._issue_view(self.issues[number]))
        if number in self.pulls:  # GitHub answers a pull request's number with its issue
            return Reply(200, self._pull_as_issue(self.pulls[number]))
        return _not_found("issues/issues#get-an-issue")

    def _list_comments(self, request: Recorded, values: dict[str, str]) -> Reply:
        number = int(values["issue_number"])
        everything = sorted(self.comments_on(number), key=lambda c: c["id"])
        return self._page(request, [self._public(c) for c in everything])

    def _list_repository_comments(self, request: Recorded, values: dict[str, str]) -> Reply:
        """issues/list-comments-for-repo: every issue's (and pull request's) comments, by
        ascending id unless `sort` (created, updated) says otherwise, `direction` only with
        `sort` (desc by default then: the operation's parameters); `since` keeps those "last
        updated after the given time" (compared as GitHub's second-resolution timestamps, the
        moment itself included)."""
        query = dict(parse_qsl(request.query))
        since = query.get("since", "")
        found = [c for c in self.comments.values() if not since or c["updated_at"] >= since]
        sort = query.get("sort")
        if sort in ("created", "updated"):
            found.sort(key=lambda c: (c[f"{sort}_at"], c["id"]),
                       reverse=query.get("direction", "desc") == "desc")
        else:
            found.sort(key=lambda c: c["id"])
        return self._page(request, [{**self._public(c),
                                     "issue_url": f"{self._api}/issues/{c['issue_number']}"}
                                    for c in found])

    def _public(self, comment: dict[str, Any]) -> dict[str, Any]:
        # Issue comments carry the reaction roll-up (schema `issue-comment`, `reactions`).
        return {**{k: v for k, v in comment.items() if k != "issue_number"},
                "reactions": self._rollup(int(comment["id"]))}

    def _rollup(self, comment_id: int) -> dict[str, Any]:
        counts = dict.fromkeys(REACTIONS, 0)
        for content in self.reactions.get(comment_id, []):
            counts[content] += 1
        return {"url": f"{self._api}/issues/comments/{comment_id}/reactions",
                "total_count": sum(counts.values()), **counts}

    def _get_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment = self.comments.get(int(values["comment_id"]))
        return Reply(200, self._public(comment)) if comment else _not_found(
            "issues/comments#get-an-issue-comment")

    def _delete_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment_id = int(values["comment_id"])
        if comment_id not in self.comments:
            return _not_found("issues/comments#delete-an-issue-comment")
        self.delete_comment(comment_id)
        return Reply(204)

    def _create_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return _not_found("issues/comments#create-an-issue-comment")
        body = request.json()["body"]
        if len(body) > COMMENT_BODY_LIMIT:
            # What GitHub answers a create over the limit (2020-2025, unchanged):
            # easybuilders/easybuild-easyconfigs#24647, jmikedupont2/ai-ticket#51,
            # reg-viz/reg-actions#123, suzuki-shunsuke/github-comment#125. (An edit is refused
            # with different wording, below.)
            return _validation_failed(
                "issues/comments#create-an-issue-comment",
                {"resource": "IssueComment", "code": "unprocessable", "field": "data",
                 "message": f"Body is too long (maximum is {COMMENT_BODY_LIMIT} characters)"})
        comment = _example("issues.create-comment.201.json")
        comment_id = next(self._ids)
        login = self._login(request)
        comment.update(
            id=comment_id, node_id=f"IC_{comment_id}", body=body, created_at=now_text(),
            updated_at=now_text(), issue_number=issue["number"], author_association="NONE",
            url=f"{self._api}/issues/comments/{comment_id}",
            html_url=f"{issue['html_url']}#issuecomment-{comment_id}",
            issue_url=issue["url"],
        )
        comment["user"] = self._user(login)
        comment["reactions"] = self._rollup(comment_id)
        self.comments[comment_id] = comment
        issue["updated_at"] = comment["created_at"]
        # Location: the new comment (issues/create-comment's 201 documents the header).
        return Reply(201, self._public(comment), {"Location": comment["url"]})

    def _update_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment = self.comments.get(int(values["comment_id"]))
        if comment is None:
            return _not_found("issues/comments#update-an-issue-comment")
        body = request.json()["body"]
        if len(body) > COMMENT_BODY_LIMIT:
            # What GitHub answers an edit over the limit: suzuki-shunsuke/github-comment#124
            # (documentation_url "#edit-a-comment"), peter-evans/create-or-update-comment#181.
            return _validation_failed(
                "issues/comments#update-an-issue-comment",
                {"resource": "IssueComment", "code": "custom", "field": "body",
                 "message": f"body is too long (maximum is {COMMENT_BODY_LIMIT} characters)"})
        comment.update(body=body, updated_at=now_text())
        return Reply(200, self._public(comment))

    def _permission(self, request: Recorded, values: dict[str, str]) -> Reply:
        login = values["username"]
        if login not in self.permissions:
            return _not_found("collaborators/collaborators"
                              "#get-repository-permissions-for-a-user")
        body = _example(
            "repos.get-collaborator-permission-level.200.response-if-user-has-admin-permissions.json")
        body["permission"] = body["role_name"] = self.permissions[login]
        body["user"] = {**(body.get("user") or {}), "login": login}
        return Reply(200, body)

    # -- labels: one label whatever the case of its name (`_fold`)
    def _label(self, name: str) -> dict[str, Any] | None:
        """The repository's label of this name, however it is spelt."""
        return next((label for key, label in self.labels.items() if _fold(key) == _fold(name)),
                    None)

    def _attached(self, issue: dict[str, Any], name: str) -> dict[str, Any] | None:
        return next((label for label in issue["labels"] if _fold(label["name"]) == _fold(name)),
                    None)

    def _label_body(self, name: str, color: str = LABEL_COLOR,
                    description: str | None = None) -> dict[str, Any]:
        """A label as GitHub answers it (schema `label`, the recordings' order)."""
        label_id = next(self._ids)
        return {"id": label_id, "node_id": f"LA_{label_id}", "url": self._label_url(name),
                "name": name, "color": color, "default": False, "description": description}

    def _make_label(self, name: str) -> dict[str, Any]:
        """A label GitHub makes when it is added to an issue before it exists: grey, without
        description (recording add-labels-to-issue: `"color": "ededed"`, `"description": null`)."""
        label = self._label_body(name)
        self.labels[name] = label
        return label

    def _labels_everywhere(self) -> list[list[dict[str, Any]]]:
        """Every issue's and pull request's list of attached labels."""
        return [item["labels"] for item in [*self.issues.values(), *self.pulls.values()]]

    def _list_labels(self, request: Recorded, values: dict[str, str]) -> Reply:
        return self._page(request, [copy.deepcopy(label) for label in self.labels.values()])

    def _create_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        documentation = "issues/labels#create-a-label"
        if self._label(data["name"]) is not None:
            return _validation_failed(documentation, {"resource": "Label",
                                                      "code": "already_exists", "field": "name"})
        color = data.get("color", LABEL_COLOR)
        if not re.fullmatch(r"[0-9A-Fa-f]{6}", color):
            # Recording errors: {"name": "foo", "color": "invalid"} is answered 422
            # {"resource": "Label", "code": "invalid", "field": "color"}.
            return _validation_failed(documentation, {"resource": "Label", "code": "invalid",
                                                      "field": "color"})
        label = self._label_body(data["name"], color, data.get("description"))
        self.labels[data["name"]] = label
        # 201 with Location: the new label (recording labels).
        return Reply(201, copy.deepcopy(label), {"Location": label["url"]})

    def _get_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        label = self._label(values["name"])
        return Reply(200, copy.deepcopy(label)) if label else _not_found(
            "issues/labels#get-a-label")

    def _update_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        """Colour, description and name (`new_name`: recording labels renames test-label to
        test-label-updated), changed on the label and wherever it is attached."""
        label = self._label(values["name"])
        if label is None:
            return _not_found("issues/labels#update-a-label")
        data = request.json() or {}
        new_name = data.get("new_name")
        if new_name is not None:
            other = self._label(new_name)
            if other is not None and other is not label:
                return _validation_failed("issues/labels#update-a-label", {
                    "resource": "Label", "code": "already_exists", "field": "name"})
        old_name = label["name"]
        label.update({k: v for k, v in data.items() if k in ("color", "description")})
        if new_name is not None:
            label.update(name=new_name, url=self._label_url(new_name))
            self.labels = {(new_name if key == old_name else key): value
                           for key, value in self.labels.items()}
        for attached in itertools.chain.from_iterable(self._labels_everywhere()):
            if _fold(attached["name"]) == _fold(old_name):
                attached.update(name=label["name"], url=label["url"], color=label["color"],
                                description=label["description"])
        return Reply(200, copy.deepcopy(label))

    def _delete_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        """The label is gone from the repository and from every issue (204: recording
        labels)."""
        label = self._label(values["name"])
        if label is None:
            return _not_found("issues/labels#delete-a-label")
        del self.labels[label["name"]]
        for attached in self._labels_everywhere():
            attached[:] = [lb for lb in attached if _fold(lb["name"]) != _fold(label["name"])]
        return Reply(204)

    def _list_issue_labels(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return _not_found("issues/labels#list-labels-for-an-issue")
        return self._page(request, copy.deepcopy(issue["labels"]))

    def _add_labels(self, request: Recorded, values: dict[str, str]) -> Reply:
        """Adding `foo` attaches the repository's `Foo`; a label the repository lacks is made
        (recording add-labels-to-issue: Foo, bAr and baZ made, grey, as spelt). The answer is
        every label the issue now has."""
        issue = self._issue(values)
        if issue is None:
            return _not_found("issues/labels#add-labels-to-an-issue")
        data = request.json()
        names = data.get("labels", []) if isinstance(data, dict) else data
        login = self._login(request)
        for item in names:
            name = item["name"] if isinstance(item, dict) else str(item)
            label = self._label(name) or self._make_label(name)
            if self._attached(issue, label["name"]) is None:
                issue["labels"].append(copy.deepcopy(label))
                issue["updated_at"] = now_text()
                self._record_label_event(issue["number"], login, "labeled", label["name"])
        return Reply(200, copy.deepcopy(issue["labels"]))

    def _remove_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        """Removing `phase:active` removes `Phase:Active`. A label the issue does not have:
        404 "Label does not exist" (the description's issues/remove-label, response 404)."""
        issue = self._issue(values)
        attached = self._attached(issue, values["name"]) if issue is not None else None
        if issue is None or attached is None:
            return _not_found("issues/labels#remove-a-label-from-an-issue",
                              "Label does not exist")
        issue["labels"] = [label for label in issue["labels"] if label is not attached]
        issue["updated_at"] = now_text()
        self._record_label_event(issue["number"], self._login(request), "unlabeled",
                                 attached["name"])
        return Reply(200, copy.deepcopy(issue["labels"]))

    # -- issues
    def _listed(self, query: dict[str, str]) -> list[dict[str, Any]]:
        """Issues and pull requests (each an issue with `pull_request`, as GitHub lists them),
        filtered by `state` (open by default), `labels` (every one, any case), `creator` and
        `since` (updated at or after), sorted by `sort` (created) and `direction` (desc)."""
        wanted = {_fold(name) for name in query.get("labels", "").split(",") if name}
        state = query.get("state", "open")
        creator = _fold(query.get("creator", ""))
        since = query.get("since", "")
        items = [self._issue_view(i, listed=True) for i in self.issues.values()]
        items += [self._pull_as_issue(p) for p in self.pulls.values()]
        found = [i for i in items
                 if (state == "all" or i["state"] == state)
                 and wanted <= {_fold(label["name"]) for label in i["labels"]}
                 and (not creator or _fold(i["user"]["login"]) == creator)
                 and (not since or (i.get("updated_at") or "") >= since)]
        sort = query.get("sort", "created")

        def order(item: dict[str, Any]) -> tuple[Any, int]:
            if sort == "comments":
                return item["comments"], item["number"]
            return item.get("updated_at" if sort == "updated" else "created_at") or "", item[
                "number"]

        found.sort(key=order, reverse=query.get("direction", "desc") != "asc")
        return found

    def _list_issues(self, request: Recorded, values: dict[str, str]) -> Reply:
        return self._page(request, self._listed(dict(parse_qsl(request.query))))

    def _search_issues(self, request: Recorded, values: dict[str, str]) -> Reply:
        """search/issues-and-pull-requests over this repository: words (every one, in the
        title or body, any case) and the qualifiers `repo:`, `is:`, `type:`, `state:`,
        `label:`, `author:`, `in:`; answered as {total_count, incomplete_results, items}, each
        item an issue as listed with its `score` (recording search-issues), paginated.
        Items are newest first: the fake has no relevance to rank by."""
        query = dict(parse_qsl(request.query))
        terms = re.findall(r'(\w+):"([^"]*)"|(\w+):(\S+)|"([^"]*)"|(\S+)', query.get("q", ""))
        items = self._listed({"state": "all"})
        words: list[str] = []
        fields = ("title", "body")
        for quoted_key, quoted_value, bare_key, bare_value, phrase, word in terms:
            key, value = (quoted_key or bare_key).casefold(), quoted_value or bare_value
            if not key:
                words.append(phrase or word)
            elif key == "repo" and _fold(value) != _fold(self.repository):
                items = []
            elif key in ("is", "type", "state") and value in ("issue", "pr", "pull-request"):
                pull = value != "issue"
                items = [i for i in items if ("pull_request" in i) == pull]
            elif key in ("is", "state") and value in ("open", "closed"):
                items = [i for i in items if i["state"] == value]
            elif key == "label":
                items = [i for i in items
                         if _fold(value) in {_fold(lb["name"]) for lb in i["labels"]}]
            elif key == "author":
                items = [i for i in items if _fold(i["user"]["login"]) == _fold(value)]
            elif key == "in":
                fields = tuple(f for f in value.split(",") if f in ("title", "body"))

        def text(words_of: str) -> str:
            return " " + " ".join(re.findall(r"\w+", words_of.casefold())) + " "

        for word in words:
            needle = text(word)
            items = [i for i in items
                     if needle in text(" ".join(str(i.get(f) or "") for f in fields))]
        items = [{**item, "score": 1.0} for item in items]
        chunk, headers = self._paginate(request, items)
        # `search_type`: how GitHub searched; "lexical" is word matching, as here (required
        # in today's description; the recording predates it).
        return Reply(200, {"total_count": len(items), "incomplete_results": False,
                           "search_type": "lexical", "items": chunk}, headers)

    def _list_events(self, request: Recorded, values: dict[str, str]) -> Reply:
        return self._page(request, self.events.get(int(values["issue_number"]), []))

    def _timeline(self, request: Recorded, values: dict[str, str]) -> Reply:
        number = int(values["issue_number"])
        items = [dict(e) for e in self.events.get(number, [])]
        for comment in self.comments_on(number):
            items.append({**self._public(comment), "event": "commented",
                          "actor": comment["user"]})
        items.sort(key=lambda item: item["created_at"])
        return self._page(request, items)

    def _update_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return _not_found("issues/issues#update-an-issue")
        change = request.json()
        if errors := _issue_errors(change):
            return _validation_failed("issues/issues#update-an-issue", *errors)
        state = change.get("state")
        for key in ("state_reason", "title", "body"):
            if key in change:
                issue[key] = change[key]
                issue["updated_at"] = now_text()
        if state in ("open", "closed") and state != issue["state"]:
            # Closing or reopening is recorded as an issue event, as in the UI.
            self._change_state(issue, state, self._login(request),
                               change.get("state_reason"), now_text())
        elif state is not None:
            issue["state"] = state
        return Reply(200, self._issue_view(issue))

    def _create_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        """A new issue: numbered next, open, unlocked, with only what was given (recording
        add-labels-to-issue); 201 with Location, its URL."""
        data = request.json()
        if errors := _issue_errors(data):
            return _validation_failed("issues/issues#create-an-issue", *errors)
        number = self._next_number()
        # Labels given at creation are applied, and made if the repository lacks them, as
        # add-labels does (docs: "Create an issue", `labels`).
        labels = [self._label(name) or self._make_label(name)
                  for name in (str(n if not isinstance(n, dict) else n["name"])
                               for n in data.get("labels") or [])]
        assignees = [str(a) for a in data.get("assignees") or []]
        if data.get("assignee"):
            assignees.insert(0, str(data["assignee"]))
        issue = self._new_issue(number, data["title"], data.get("body"), self._login(request),
                                labels, assignees)
        self.issues[number] = issue
        return Reply(201, self._issue_view(issue), {"Location": issue["url"]})

    def _lock_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        """issues/lock: 204, and the issue is locked with the reason given, if any (recording
        lock-issue); recorded as a `locked` event (schema `locked-issue-event`)."""
        issue = self._issue(values)
        if issue is None:
            return _not_found("issues/issues#lock-an-issue")
        reason = (request.json() or {}).get("lock_reason")
        issue.update(locked=True, active_lock_reason=reason, updated_at=now_text())
        self._record_event(issue["number"], self._login(request), "locked", lock_reason=reason)
        return Reply(204)

    def _unlock_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return _not_found("issues/issues#unlock-an-issue")
        issue.update(locked=False, active_lock_reason=None, updated_at=now_text())
        self._record_event(issue["number"], self._login(request), "unlocked")
        return Reply(204)

    # -- git refs and contents
    def _ref_body(self, name: str) -> dict[str, Any]:
        """A branch as GitHub answers a ref (schema `git-ref`, recording git-refs' order)."""
        sha = self.branches[name]["sha"]
        return {"ref": f"refs/heads/{name}", "node_id": f"REF_{self._sha(name)[:12]}",
                "url": f"{self._api}/git/refs/heads/{quote(name, safe='/')}",
                "object": {"sha": sha, "type": "commit",
                           "url": f"{self._api}/git/commits/{sha}"}}

    def _get_ref(self, request: Recorded, values: dict[str, str]) -> Reply:
        name = values["ref"].removeprefix("heads/")
        if name not in self.branches:
            return _not_found("git/refs#get-a-reference")
        return Reply(200, self._ref_body(name))

    def _matching_refs(self, request: Recorded, values: dict[str, str]) -> Reply:
        """Every ref whose name starts with `ref`; all of them for none (recording git-refs:
        GET .../git/refs/). Not paginated (go-github#3924: the operation takes no page)."""
        prefix = "refs/" + values["ref"]
        names = sorted(name for name in self.branches
                       if f"refs/heads/{name}".startswith(prefix))
        return Reply(200, [self._ref_body(name) for name in names])

    def _create_ref(self, request: Recorded, values: dict[str, str]) -> Reply:
        """A branch from any commit the repository has (recording git-refs: `test` from the
        first commit); 201 with Location, its URL."""
        data = request.json()
        documentation = f"{_DOCS}/git/refs#create-a-reference"
        name = data["ref"].removeprefix("refs/heads/")
        if name in self.branches:
            return Reply(422, {"message": "Reference already exists",
                               "documentation_url": documentation})
        source = next((b for b in self.branches.values() if b["sha"] == data["sha"]), None)
        if source is None and data["sha"] not in self.commit_graph:
            return Reply(422, {"message": "Object does not exist",
                               "documentation_url": documentation})
        files = source["files"] if source is not None else self.commit_graph[data["sha"]][
            "files"]
        self.branches[name] = {"sha": data["sha"], "files": dict(files), "commits": []}
        body = self._ref_body(name)
        return Reply(201, body, {"Location": body["url"]})

    def _delete_ref(self, request: Recorded, values: dict[str, str]) -> Reply:
        """204 (recording git-refs); a ref that does not exist is 422 "Reference does not
        exist", as git/update-ref answers it."""
        name = values["ref"].removeprefix("heads/") if values["ref"].startswith(
            "heads/") else None
        if name is None or name not in self.branches:
            return Reply(422, {"message": "Reference does not exist",
                               "documentation_url": f"{_DOCS}/git/refs#delete-a-reference"})
        del self.branches[name]
        return Reply(204)

    def _content_entry(self, path: str, text: str | None, ref: str) -> dict[str, Any]:
        """A file (or, for `text` None, a directory) as GitHub lists it (recordings
        get-content and create-file, in their order)."""
        sha = _blob_sha(text) if text is not None else self._sha(f"tree {ref} {path}")
        api = f"{self._api}/contents/{quote(path, safe='/')}?ref={quote(ref, safe='')}"
        kind = "file" if text is not None else "dir"
        html = f"{self._web}/{'blob' if kind == 'file' else 'tree'}/{ref}/{path}"
        git = f"{self._api}/git/{'blobs' if kind == 'file' else 'trees'}/{sha}"
        return {"name": path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                "size": len(text.encode()) if text is not None else 0, "url": api,
                "html_url": html, "git_url": git,
                "download_url": (f"https://raw.githubusercontent.com/{self.repository}/{ref}/"
                                 f"{path}" if kind == "file" else None),
                "type": kind, "_links": {"self": api, "git": git, "html": html}}

    def _get_content(self, request: Recorded, values: dict[str, str]) -> Reply:
        """A file: its entry with `content` (base64) and `encoding` (schema `content-file`),
        or its text alone for a raw media type (recording get-content:
        `application/vnd.github.v3.raw`); a directory: its entries (get-content: the root)."""
        ref = dict(parse_qsl(request.query)).get("ref", self.default_branch)
        branch = self.branches.get(ref)
        path = values["path"].strip("/")
        documentation = "repos/contents#get-repository-content"
        if branch is None:
            return _not_found(documentation)
        files: dict[str, str] = branch["files"]
        if path in files:
            text = files[path]
            accept = request.headers.get("accept", "")
            raw = re.search(r"application/vnd\.github(?:\.v3)?\.raw(?:\+json)?", accept)
            if raw:
                return Reply(200, text.encode(), {"Content-Type": f"{raw.group(0)}; "
                                                                  "charset=utf-8"})
            entry = self._content_entry(path, text, ref)
            return Reply(200, {"type": "file", "encoding": "base64",
                               **{k: v for k, v in entry.items() if k != "type"},
                               "content": _base64_lines(text)})
        below = path + "/" if path else ""
        children: dict[str, str | None] = {}
        for name, text in files.items():
            if name.startswith(below):
                first, _, rest = name[len(below):].partition("/")
                children[below + first] = None if rest else text
        if not children:
            return _not_found(documentation)
        return Reply(200, [self._content_entry(name, children[name], ref)
                           for name in sorted(children)])

    def _put_content(self, request: Recorded, values: dict[str, str]) -> Reply:
        """repos/create-or-update-file-contents, as GitHub answers it:
        - a new file: 201, any `sha` ignored (measured in pome-sh/digital-twins#400); in an
          empty repository the commit makes the default branch (recording create-file: a
          commit without parents);
        - an existing file without `sha`: 422 `Invalid request.\\n\\n"sha" wasn't supplied.`
          (Shiphero/shbin#26, 2023, PyGithub; octokit/octokit.rb#992; pksunkara/octonode#249);
        - with another `sha`: 409 `<path> does not match <sha>` (agorapulse/pierrot#45,
          prose/prose#756, octokit/octokit.rb#581);
        - with the file's `sha`: 200.
        The answer: the file's entry and the commit (schema `file-commit`)."""
        data = request.json()
        documentation = f"{_DOCS}/repos/contents#create-or-update-file-contents"
        branch_name = data.get("branch") or self.default_branch
        branch = self.branches.get(branch_name)
        if branch is None and (self.branches or branch_name != self.default_branch):
            return Reply(404, {"message": "Branch not found", "documentation_url":
                               documentation})
        path = values["path"].strip("/")
        existing = branch["files"].get(path) if branch is not None else None
        if existing is not None:
            if not data.get("sha"):
                return Reply(422, {"message": "Invalid request.\n\n\"sha\" wasn't supplied.",
                                   "documentation_url": documentation})
            if data["sha"] != _blob_sha(existing):
                return Reply(409, {"message": f"{path} does not match {data['sha']}",
                                   "documentation_url": documentation})
        text = base64.b64decode(data["content"]).decode()
        login = self._login(request)
        self.commit(branch_name, path, text, login)
        head = self.branches[branch_name]
        sha = head["sha"]
        parents = self.commit_graph[sha]["parents"]
        person = self._user(login)
        signature = {"name": login,
                     "email": f"{person['id']}+{login}@users.noreply.github.com",
                     "date": now_text()}
        return Reply(201 if existing is None else 200, {
            "content": self._content_entry(path, text, branch_name),
            "commit": {
                "sha": sha, "node_id": f"C_{sha[:12]}", "url": f"{self._api}/git/commits/{sha}",
                "html_url": f"{self._web}/commit/{sha}", "author": signature,
                "committer": dict(signature),
                "tree": {"sha": self._sha(f"tree {sha}"),
                         "url": f"{self._api}/git/trees/{self._sha(f'tree {sha}')}"},
                "message": data["message"],
                "parents": [{"url": f"{self._api}/git/commits/{p}",
                             "html_url": f"{self._web}/commit/{p}", "sha": p}
                            for p in parents],
                "verification": {"verified": False, "reason": "unsigned", "signature": None,
                                 "payload": None}}})

    # -- pull requests
    def _get_pull(self, request: Recorded, values: dict[str, str]) -> Reply:
        pull = self.pulls.get(int(values["pull_number"]))
        return Reply(200, pull) if pull else _not_found("pulls/pulls#get-a-pull-request")

    def _list_pulls(self, request: Recorded, values: dict[str, str]) -> Reply:
        """Pull requests as GitHub lists them (schema `pull-request-simple`: no `merged`,
        `mergeable`, counts), filtered by `state`, `head` (owner:branch) and `base`."""
        query = dict(parse_qsl(request.query))
        state = query.get("state", "open")
        head = query.get("head", "").split(":", 1)[-1]
        base = query.get("base", "")
        simple = self.description.document["components"]["schemas"][
            "pull-request-simple"]["properties"]
        found = [{k: v for k, v in p.items() if k in simple}
                 for p in sorted(self.pulls.values(), key=lambda p: -p["number"])
                 if (state == "all" or p["state"] == state)
                 and (not head or p["head"]["ref"] == head)
                 and (not base or p["base"]["ref"] == base)]
        return self._page(request, found)

    def _branch_side(self, name: str) -> dict[str, Any]:
        """`head` or `base` of a pull request: the branch, its commit and the repository."""
        owner = self.repository.split("/")[0]
        return {"label": f"{owner}:{name}", "ref": name, "sha": self.branches[name]["sha"],
                "user": self._user(owner, self.owner_type), "repo": self._repository()}

    def _create_pull(self, request: Recorded, values: dict[str, str]) -> Reply:
        if not self.actions_can_create_pulls and self._login(request) == "github-actions[bot]":
            # A new repository's default (peter-evans/create-pull-request#3979, 2025: "In all
            # new repositories, you now have to explicitly enable this"); the answer verbatim
            # from danielroe/uppt#11. An App token is not refused: the setting is about
            # GitHub Actions' own token only.
            return Reply(403, {
                "message": "GitHub Actions is not permitted to create or approve pull requests.",
                "documentation_url": f"{_DOCS}/pulls/pulls#create-a-pull-request",
                "status": "403"})
        data = request.json()
        if errors := [e for e in _issue_errors(data) if e["field"] == "title"]:
            return _validation_failed("pulls/pulls#create-a-pull-request", *errors)
        if data["head"] not in self.branches or data["base"] not in self.branches:
            return Reply(422, {"message": "Validation Failed"})
        if self.branches[data["head"]]["files"] == self.branches[data["base"]]["files"]:
            return Reply(422, {"message": "No commits between base and head"})
        if any(p["head"]["ref"] == data["head"] and p["state"] == "open"
               for p in self.pulls.values()):
            return Reply(422, {"message": "A pull request already exists"})
        number = self._next_number()
        login = self._login(request)
        pull = _example("pulls.create.201.json")
        url, issue_url = f"{self._api}/pulls/{number}", f"{self._api}/issues/{number}"
        html = f"{self._web}/pull/{number}"
        head = self._branch_side(data["head"])
        at = now_text()
        commits = self.branches[data["head"]]["commits"]
        pull.update(
            url=url, id=next(self._ids), html_url=html, diff_url=f"{html}.diff",
            patch_url=f"{html}.patch", issue_url=issue_url, commits_url=f"{url}/commits",
            review_comments_url=f"{url}/comments",
            review_comment_url=f"{self._api}/pulls/comments{{/number}}",
            comments_url=f"{issue_url}/comments",
            statuses_url=f"{self._api}/statuses/{head['sha']}", number=number, state="open",
            title=data["title"], body=data.get("body"), user=self._user(login),
            author_association=self._association(login), created_at=at, updated_at=at,
            head=head, base=self._branch_side(data["base"]), draft=bool(data.get("draft")),
            # What a new pull request has: nothing of the example's history (locked, a
            # milestone, assignees, reviewers, a merge) and no merge computed yet (GitHub
            # computes `mergeable` in the background: null at first, "Get a pull request").
            locked=False, active_lock_reason=None, milestone=None, labels=[], assignee=None,
            assignees=[], requested_reviewers=[], requested_teams=[], closed_at=None,
            merged_at=None, merge_commit_sha=None, merged=False, merged_by=None,
            mergeable=None, rebaseable=None, mergeable_state="unknown", auto_merge=None,
            comments=0, review_comments=0, commits=len(commits), additions=0, deletions=0,
            changed_files=0, maintainer_can_modify=False)
        pull["_links"] = {
            "self": {"href": url}, "html": {"href": html}, "issue": {"href": issue_url},
            "comments": {"href": f"{issue_url}/comments"},
            "review_comments": {"href": f"{url}/comments"},
            "review_comment": {"href": f"{self._api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{url}/commits"},
            "statuses": {"href": f"{self._api}/statuses/{head['sha']}"}}
        self.pulls[number] = pull
        return Reply(201, pull, {"Location": url})

    def _pull_commits(self, request: Recorded, values: dict[str, str]) -> Reply:
        pull = self.pulls.get(int(values["pull_number"]))
        if pull is None:
            return _not_found("pulls/pulls#list-commits-on-a-pull-request")
        commits = self.branches[pull["head"]["ref"]]["commits"]
        return self._page(request, [
            {"sha": sha, "node_id": f"C_{sha[:12]}", "url": f"{self._api}/commits/{sha}",
             "html_url": f"{self._web}/commit/{sha}",
             "comments_url": f"{self._api}/commits/{sha}/comments", "parents": [],
             "commit": {"message": "", "url": f"{self._api}/git/commits/{sha}",
                        "comment_count": 0, "tree": {"sha": sha, "url": ""}},
             "author": {"login": login}, "committer": {"login": login}}
            for sha, login in commits])

    # -- reactions
    def _react(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment_id = int(values["comment_id"])
        if comment_id not in self.comments:
            return _not_found("reactions/reactions#create-reaction-for-an-issue-comment")
        content = request.json()["content"]
        login = self._login(request)
        # "A response with an HTTP 200 status means that you already added the reaction type to
        # this issue comment." (https://docs.github.com/rest/reactions/reactions
        # #create-reaction-for-an-issue-comment; also in the description's operation text)
        if (existing := self._find_reaction(comment_id, login, content)) is not None:
            return Reply(200, existing)
        return Reply(201, self._add_reaction(comment_id, login, content))

    def _find_reaction(self, comment_id: int, login: str, content: str) -> dict[str, Any] | None:
        return next((r for r in self.reaction_objects.get(comment_id, [])
                     if r["content"] == content and r["user"]["login"] == login), None)

    def _add_reaction(self, comment_id: int, login: str, content: str) -> dict[str, Any]:
        reaction_id = next(self._ids)
        reaction = {"id": reaction_id, "node_id": f"REA_{reaction_id}", "content": content,
                    "created_at": now_text(), "user": self._user(login)}
        self.reaction_objects.setdefault(comment_id, []).append(reaction)
        self.reactions.setdefault(comment_id, []).append(content)
        if comment_id in self.comments:  # the roll-up on the stored comment stays current
            self.comments[comment_id]["reactions"] = self._rollup(comment_id)
        return reaction

    # -- moving a branch
    def _reachable(self, sha: str) -> list[str]:
        """`sha` and every commit it descends from, newest first (as far as the fake knows)."""
        order, seen, todo = [], set(), [sha]
        while todo:
            current = todo.pop(0)
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            todo.extend(self.commit_graph.get(current, {}).get("parents", []))
        return order

    def _descends(self, sha: str, ancestor: str) -> list[str] | None:
        """The commits moving from `ancestor` to `sha` adds (newest first), if a fast-forward."""
        reachable = self._reachable(sha)
        if ancestor not in reachable:
            return None
        old = set(self._reachable(ancestor))
        return [c for c in reachable if c not in old and c in self.commit_graph]

    def _update_ref(self, request: Recorded, values: dict[str, str]) -> Reply:
        """PATCH git/refs/heads/NAME: move a branch (docs: "Update a reference"), forward only
        unless `force` (recording git-refs: `test` moved from the first commit to its child
        without `force`, 200)."""
        documentation = f"{_DOCS}/git/refs#update-a-reference"
        data = request.json()
        # The ref is "heads/NAME"; "refs/heads/NAME" is answered "Reference does not exist"
        # (github/rest-api-description#2746).
        name = values["ref"].removeprefix("heads/") if values["ref"].startswith(
            "heads/") else None
        if name is None or name not in self.branches:
            return Reply(422, {"message": "Reference does not exist",
                               "documentation_url": documentation})
        branch, sha = self.branches[name], data["sha"]
        holder = next((b for b in self.branches.values() if b["sha"] == sha), None)
        if holder is None and sha not in self.commit_graph:
            return Reply(422, {"message": "Object does not exist",
                               "documentation_url": documentation})
        path = self._descends(sha, branch["sha"])
        if path is None and not data.get("force", False):
            # webspace-sdk/webspace-engine#104, philschatz/octokit.js#21: the answer verbatim.
            return Reply(422, {"message": "Update is not a fast forward",
                               "documentation_url": documentation})
        files = holder["files"] if holder is not None else self.commit_graph[sha]["files"]
        if path is not None:  # a fast-forward keeps the branch's commits and adds the new ones
            branch["commits"].extend((c, self.commit_graph[c]["login"]) for c in reversed(path))
        else:  # a forced update resets the branch to that commit
            branch["commits"] = list(holder["commits"]) if holder is not None else []
        branch.update(sha=sha, files=dict(files))
        return Reply(200, self._ref_body(name))

    # -- the repository
    def _repository_permissions(self, login: str | None) -> dict[str, bool]:
        """What the caller may do, as repos/get says it (`permissions`, every level in the
        recording get-repository), from the caller's role (`permissions`; a token whose login
        has none writes, as the workflow token does)."""
        # GitHub's roles, weakest first, and the flag each one adds ("Repository roles for an
        # organization", docs.github.com): read pulls, triage, write pushes, maintain, admin.
        roles = ("read", "triage", "write", "maintain", "admin")
        flags = ("pull", "triage", "push", "maintain", "admin")
        role = self.permissions.get(login or "", "write")
        level = roles.index(role) if role in roles else -1
        return {flag: flags.index(flag) <= level
                for flag in ("admin", "maintain", "push", "triage", "pull")}

    def _repository(self, login: str | None = None) -> dict[str, Any]:
        """The repository as repos/get answers it: the description's example
        (`full-repository-default-response`) made this repository, and made an ordinary one:
        not a fork, no template, no licence, description, homepage or mirror (recording
        get-repository), owned by a user or, with `organization`, an organisation."""
        example = self.description.document["components"]["examples"][
            "full-repository-default-response"]["value"]
        text = json.dumps(example).replace(
            "https://api.github.com/repos/octocat/Hello-World", self._api).replace(
            "octocat/Hello-World", self.repository)
        repository: dict[str, Any] = json.loads(text)
        owner, name = self.repository.split("/")
        for key in ("parent", "source", "template_repository"):
            repository.pop(key, None)
        repository.update(
            id=self.repository_id, node_id=f"R_{self.repository_id}", name=name,
            full_name=self.repository, fork=False, default_branch=self.default_branch,
            description=None, homepage=None, mirror_url=None, license=None, language=None,
            open_issues_count=sum(i["state"] == "open" for i in self.issues.values()),
            # In the recording, not in the description's example.
            allow_update_branch=False, use_squash_pr_title_as_default=False,
            web_commit_signoff_required=False)
        repository["open_issues"] = repository["open_issues_count"]
        repository["permissions"] = self._repository_permissions(login)
        repository["owner"] = self._user(owner, self.owner_type)
        if self.owner_type == "Organization":
            repository["organization"] = self._user(owner, self.owner_type)
        else:
            repository.pop("organization", None)
        return repository

    # -- workflows
    def _workflow(self, values: dict[str, str]) -> dict[str, Any] | None:
        """By id or by file name ("You can replace `workflow_id` with the workflow file name",
        the operations' descriptions)."""
        key = values["workflow_id"]
        return self.workflows.get(key) or next(
            (w for w in self.workflows.values() if str(w["id"]) == key), None)

    def _get_workflow(self, request: Recorded, values: dict[str, str]) -> Reply:
        workflow = self._workflow(values)
        return Reply(200, copy.deepcopy(workflow)) if workflow else _not_found(
            "actions/workflows#get-a-workflow")

    def _set_workflow_state(self, values: dict[str, str], state: str, page: str) -> Reply:
        """Enable sets `state` to `active`, disable to `disabled_manually` (the descriptions of
        actions/enable-workflow and actions/disable-workflow); 204 without a body."""
        workflow = self._workflow(values)
        if workflow is None:
            return _not_found(f"actions/workflows#{page}")
        workflow.update(state=state, updated_at=now_text())
        return Reply(204)

    def _enable_workflow(self, request: Recorded, values: dict[str, str]) -> Reply:
        return self._set_workflow_state(values, "active", "enable-a-workflow")

    def _disable_workflow(self, request: Recorded, values: dict[str, str]) -> Reply:
        return self._set_workflow_state(values, "disabled_manually", "disable-a-workflow")
    def _authenticated_user(self, request: Recorded, values: dict[str, str]) -> Reply:
        """Who the token is. A person's token (classic, fine-grained, OAuth) answers with the
        user: the description's example `private-user-response-with-public-profile-information`
        made this user. An App's installation token is refused: the operation is
        `enabledForGitHubApps: false` in the description, and GitHub answers 403 "Resource not
        accessible by integration" (actions/create-github-app-token#258, the answer verbatim
        with its documentation_url; googleapis/repo-automation-bots#3935)."""
        login = self._login(request)
        if login.endswith("[bot]"):
            return Reply(403, {"message": "Resource not accessible by integration",
                               "documentation_url": f"{_DOCS}/users/users"
                                                    "#get-the-authenticated-user",
                               "status": "403"})
        example = self.description.document["components"]["examples"][
            "private-user-response-with-public-profile-information"]["value"]
        return Reply(200, {**copy.deepcopy(example), **self._user(login)})

    def _get_repo(self, request: Recorded, values: dict[str, str]) -> Reply:
        if f"{values['owner']}/{values['repo']}".lower() != self.repository.lower():
            return _not_found("repos/repos#get-a-repository")
        return Reply(200, self._repository(self._login(request)))

