"""The GitHub fake: issues, comments, labels, reactions, refs, contents and pull requests."""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import re
import ssl
from typing import Any
from urllib.parse import parse_qs

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
}


def required_permission(operation_id: str, method: str) -> tuple[str, str] | None:
    """(permission, level) the operation needs, None if the fake does not know it."""
    scope = REQUIRED_PERMISSIONS.get(operation_id) or next(
        (value for key, value in REQUIRED_PERMISSIONS.items()
         if key.endswith("/") and operation_id.startswith(key)), None)
    if scope is None:
        return None
    return scope, "read" if method == "GET" else "write"


def _validation_failed(documentation: str, *errors: dict[str, str]) -> Reply:
    """GitHub's 422 answer (schema `validation-error`)."""
    return Reply(422, {"message": "Validation Failed", "errors": list(errors),
                       "documentation_url": f"{_DOCS}/{documentation}"})


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


class FakeGitHub(FakeService):
    name = "GitHub"

    def __init__(self, tls: ssl.SSLContext, repository: str = "Codertocat/Hello-World") -> None:
        super().__init__(ApiDescription.shared(
            FIXTURES / "github" / "rest-openapi-subset.json",
            more=(FIXTURES / "github" / "rest-openapi-extra.json",)), tls)
        self.repository = repository
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
        self.labels: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1001)
        self.route("GET", "issues/get", self._get_issue)
        self.route("GET", "issues/list-comments", self._list_comments)
        self.route("POST", "issues/create-comment", self._create_comment)
        self.route("PATCH", "issues/update-comment", self._update_comment)
        self.route("GET", "repos/get-collaborator-permission-level", self._permission)
        self.route("POST", "issues/create-label", self._create_label)
        self.route("POST", "issues/add-labels", self._add_labels)
        self.route("DELETE", "issues/remove-label", self._remove_label)
        self.route("GET", "issues/list-for-repo", self._list_issues)
        self.route("GET", "issues/list-events", self._list_events)
        self.route("POST", "reactions/create-for-issue-comment", self._react)
        #: issue number -> label events, as GitHub records them
        self.events: dict[int, list[dict[str, Any]]] = {}
        self.reactions: dict[int, list[str]] = {}
        self.default_branch = "master"
        #: branch -> {"sha": head commit, "files": {path: text}, "commits": [(sha, login)]}
        self.branches: dict[str, dict[str, Any]] = {
            "master": {"sha": self._sha("root"), "files": {}, "commits": []}}
        self.pulls: dict[int, dict[str, Any]] = {}
        self._numbers = itertools.count(100)
        self.route("GET", "issues/list-events-for-timeline", self._timeline)
        self.route("PATCH", "issues/update", self._update_issue)
        self.route("POST", "issues/create", self._create_issue)
        self.route("GET", "git/get-ref", self._get_ref)
        self.route("POST", "git/create-ref", self._create_ref)
        self.route("GET", "repos/get-content", self._get_content)
        self.route("PUT", "repos/create-or-update-file-contents", self._put_content)
        self.route("GET", "pulls/list", self._list_pulls)
        self.route("GET", "pulls/get", self._get_pull)
        self.route("POST", "pulls/create", self._create_pull)
        self.route("GET", "pulls/list-commits", self._pull_commits)
        self.route("PATCH", "issues/update-label", self._update_label)
        self.route("GET", "issues/get-comment", self._get_comment)
        self.route("DELETE", "issues/delete-comment", self._delete_comment)
        self.route("PATCH", "git/update-ref", self._update_ref)
        self.route("GET", "repos/get", self._get_repo)
        #: comment id -> the reactions made on it (id, content, user), as GitHub keeps them
        self.reaction_objects: dict[int, list[dict[str, Any]]] = {}
        #: commit sha -> {"parents": [sha], "files": {path: text}, "login": author}: the history
        #: git/update-ref needs to tell a fast-forward (commits made through `commit`/`merge`)
        self.commit_graph: dict[str, dict[str, Any]] = {
            self.branches["master"]["sha"]: {"parents": [], "files": {}, "login": ""}}

    # -- test set-up
    def add_issue(self, issue: dict[str, Any]) -> None:
        issue = copy.deepcopy(issue)
        issue["url"] = f"{self.url}/repos/{self.repository}/issues/{issue['number']}"
        issue["comments_url"] = issue["url"] + "/comments"
        self.issues[int(issue["number"])] = issue
        for label in issue.get("labels", []):
            self.labels.setdefault(label["name"], copy.deepcopy(label))

    def person_comments(self, number: int, login: str, body: str,
                        at: str | None = None) -> dict[str, Any]:
        """A person comments on the issue (as GitHub would store it)."""
        comment_id = next(self._ids)
        comment = _example("issues.create-comment.201.json")
        comment.update(id=comment_id, body=body, created_at=at or now_text(),
                       updated_at=at or now_text(), issue_number=number,
                       url=f"{self.url}/repos/{self.repository}/issues/comments/{comment_id}")
        comment["user"] = {**comment["user"], "login": login, "type": "User"}
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

    @staticmethod
    def _user(login: str) -> dict[str, Any]:
        return {**_example("issues.create-comment.201.json")["user"], "login": login,
                "type": "Bot" if login.endswith("[bot]") else "User"}

    def person_labels(self, number: int, login: str, action: str, name: str) -> None:
        """A person adds or removes a label in the GitHub UI (recorded as an issue event)."""
        issue = self.issues[number]
        if action == "labeled":
            label = self.labels.setdefault(name, {"id": next(self._ids), "node_id": "LA_x",
                                                  "name": name, "url": "", "color": "ededed",
                                                  "default": False, "description": None})
            issue["labels"].append(copy.deepcopy(label))
        else:
            issue["labels"] = [lb for lb in issue["labels"] if lb["name"] != name]
        self._record_label_event(number, login, action, name)

    def _record_label_event(self, number: int, login: str, action: str, name: str) -> None:
        self._record_event(number, login, action, label={
            "name": name, "color": self.labels.get(name, {}).get("color", "ededed")})

    def _record_event(self, number: int, login: str, action: str, at: str | None = None,
                      **fields: Any) -> dict[str, Any]:
        event = _example("issues.list-events.200.json")[0]
        event_id = next(self._ids)
        event.update(id=event_id, event=action, created_at=at or now_text(), commit_id=None,
                     commit_url=None, url=f"{self.url}/repos/{self.repository}/issues/events/"
                                          f"{event_id}")
        event["actor"] = {**event["actor"], "login": login}
        event.pop("label", None)
        event.pop("issue", None)
        event.update(fields)
        self.events.setdefault(number, []).append(event)
        return event

    @staticmethod
    def _sha(seed: str) -> str:
        return hashlib.sha1(seed.encode()).hexdigest()

    def commit(self, branch: str, path: str, text: str, login: str) -> None:
        """A commit to a branch (by the bot through the API, or by a person)."""
        head = self.branches[branch]
        parent = head["sha"]
        head["files"][path] = text
        head["sha"] = self._sha(f"{head['sha']}{path}{text}{login}")
        head["commits"].append((head["sha"], login))
        self.commit_graph[head["sha"]] = {"parents": [parent], "files": dict(head["files"]),
                                          "login": login}

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
        pull.update(state="closed", merged=True, merged_at=now_text(), closed_at=now_text(),
                    merged_by={"login": login})
        for number in (int(n) for n in re.findall(r"Closes #(\d+)",
                                                                 pull["body"] or "")):
            if number in self.issues:
                self.issues[number]["state"] = "closed"
        return self._closed_payload(pull, login)

    def close_unmerged(self, pull_number: int, login: str) -> dict[str, Any]:
        pull = self.pulls[pull_number]
        pull.update(state="closed", merged=False, closed_at=now_text())
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

    # -- behaviour
    def authorise(self, request: Recorded) -> Reply | None:
        token = request.headers.get("authorization", "").removeprefix("token ").removeprefix(
            "Bearer ")
        if token not in self.tokens:
            return Reply(401, {"message": "Bad credentials"})
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
        return self.tokens[request.headers["authorization"].split()[-1]]

    def _issue(self, values: dict[str, str]) -> dict[str, Any] | None:
        return self.issues.get(int(values["issue_number"]))

    def _get_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        return Reply(200, issue) if issue else Reply(404, {"message": "Not Found"})

    def _list_comments(self, request: Recorded, values: dict[str, str]) -> Reply:
        number = int(values["issue_number"])
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        everything = sorted(self.comments_on(number), key=lambda c: c["id"])
        chunk = everything[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(everything):
            next_url = (f"{self.url}/repos/{self.repository}/issues/{number}/comments"
                        f"?per_page={per_page}&page={page + 1}")
            headers["Link"] = f'<{next_url}>; rel="next"'
        return Reply(200, [self._public(c) for c in chunk], headers)

    def _public(self, comment: dict[str, Any]) -> dict[str, Any]:
        # Issue comments carry the reaction roll-up (schema `issue-comment`, `reactions`).
        return {**{k: v for k, v in comment.items() if k != "issue_number"},
                "reactions": self._rollup(int(comment["id"]))}

    def _rollup(self, comment_id: int) -> dict[str, Any]:
        counts = dict.fromkeys(REACTIONS, 0)
        for content in self.reactions.get(comment_id, []):
            counts[content] += 1
        return {"url": f"{self.url}/repos/{self.repository}/issues/comments/{comment_id}"
                       "/reactions", "total_count": sum(counts.values()), **counts}

    def _get_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment = self.comments.get(int(values["comment_id"]))
        return Reply(200, self._public(comment)) if comment else Reply(
            404, {"message": "Not Found",
                  "documentation_url": f"{_DOCS}/issues/comments#get-an-issue-comment"})

    def _delete_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment_id = int(values["comment_id"])
        if comment_id not in self.comments:
            return Reply(404, {"message": "Not Found"})
        self.delete_comment(comment_id)
        return Reply(204)

    def _create_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return Reply(404, {"message": "Not Found"})
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
            id=comment_id, body=body, created_at=now_text(), updated_at=now_text(),
            issue_number=issue["number"], author_association="NONE",
            url=f"{self.url}/repos/{self.repository}/issues/comments/{comment_id}",
            html_url=f"{issue['html_url']}#issuecomment-{comment_id}",
            issue_url=issue["url"],
        )
        comment["user"] = {**comment["user"], "login": login,
                           "type": "Bot" if login.endswith("[bot]") else "User"}
        comment["reactions"] = self._rollup(comment_id)
        self.comments[comment_id] = comment
        return Reply(201, self._public(comment))

    def _update_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment = self.comments.get(int(values["comment_id"]))
        if comment is None:
            return Reply(404, {"message": "Not Found"})
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
            return Reply(404, {"message": "Not Found"})
        body = _example(
            "repos.get-collaborator-permission-level.200.response-if-user-has-admin-permissions.json")
        body["permission"] = body["role_name"] = self.permissions[login]
        body["user"] = {**(body.get("user") or {}), "login": login}
        return Reply(200, body)

    def _create_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        if data["name"] in self.labels:
            return Reply(422, {"message": "Validation Failed",
                               "errors": [{"resource": "Label", "code": "already_exists",
                                           "field": "name"}]})
        label = {"id": next(self._ids), "node_id": "LA_x", "name": data["name"],
                 "url": f"{self.url}/repos/{self.repository}/labels/{data['name']}",
                 "color": data.get("color", "ededed"), "default": False,
                 "description": data.get("description")}
        self.labels[data["name"]] = label
        return Reply(201, label)

    def _add_labels(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        for name in request.json()["labels"]:
            label = self.labels.setdefault(name, {
                "id": next(self._ids), "node_id": "LA_x", "name": name, "url": "",
                "color": "ededed", "default": False, "description": None})
            if all(existing["name"] != name for existing in issue["labels"]):
                issue["labels"].append(copy.deepcopy(label))
                self._record_label_event(issue["number"], self._login(request), "labeled", name)
        return Reply(200, issue["labels"])

    def _remove_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None or all(label["name"] != values["name"] for label in issue["labels"]):
            return Reply(404, {"message": "Label does not exist"})
        issue["labels"] = [label for label in issue["labels"] if label["name"] != values["name"]]
        self._record_label_event(issue["number"], self._login(request), "unlabeled",
                                 values["name"])
        return Reply(200, issue["labels"])

    @staticmethod
    def _page(request: Recorded, items: list[Any], path: str, url: str) -> Reply:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        chunk = items[(page - 1) * per_page: page * per_page]
        headers = {}
        if page * per_page < len(items):
            rest = "&".join(f"{k}={v}" for k, v in query.items() if k not in ("page",))
            headers["Link"] = f'<{url}{path}?{rest}&page={page + 1}>; rel="next"'
        return Reply(200, chunk, headers)

    def _list_issues(self, request: Recorded, values: dict[str, str]) -> Reply:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        wanted = set(filter(None, query.get("labels", "").split(",")))
        state = query.get("state", "open")
        found = [i for i in sorted(self.issues.values(), key=lambda i: -i["number"])
                 if (state == "all" or i["state"] == state)
                 and wanted <= {label["name"] for label in i["labels"]}]
        return self._page(request, found, f"/repos/{self.repository}/issues", self.url)

    def _list_events(self, request: Recorded, values: dict[str, str]) -> Reply:
        number = int(values["issue_number"])
        return self._page(request, self.events.get(number, []),
                          f"/repos/{self.repository}/issues/{number}/events", self.url)

    def _timeline(self, request: Recorded, values: dict[str, str]) -> Reply:
        number = int(values["issue_number"])
        items = [dict(e) for e in self.events.get(number, [])]
        for comment in self.comments_on(number):
            items.append({**self._public(comment), "event": "commented",
                          "actor": comment["user"]})
        items.sort(key=lambda item: item["created_at"])
        return self._page(request, items, f"/repos/{self.repository}/issues/{number}/timeline",
                          self.url)

    def _update_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        change = request.json()
        if errors := _issue_errors(change):
            return _validation_failed("issues/issues#update-an-issue", *errors)
        state = change.get("state")
        for key in ("state", "state_reason", "title", "body"):
            if key in change and key != "state":
                issue[key] = change[key]
        if state in ("open", "closed") and state != issue["state"]:
            # Closing or reopening is recorded as an issue event, as in the UI.
            self._change_state(issue, state, self._login(request),
                               change.get("state_reason"), now_text())
        elif state is not None:
            issue["state"] = state
        return Reply(200, issue)

    def _create_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        if errors := _issue_errors(data):
            return _validation_failed("issues/issues#create-an-issue", *errors)
        issue = _example("issues.create.201.json")
        number = next(self._numbers)
        # Labels given at creation are applied, and made if the repository lacks them, as
        # add-labels does (docs: "Create an issue", `labels`).
        labels = [self.labels.setdefault(str(name), {
            "id": next(self._ids), "node_id": "LA_x", "name": str(name), "url": "",
            "color": "ededed", "default": False, "description": None})
            for name in data.get("labels") or []]
        issue.update(number=number, title=data["title"], body=data.get("body"),
                     labels=copy.deepcopy(labels), state="open", created_at=now_text(),
                     html_url=f"https://github.com/{self.repository}/issues/{number}")
        issue["user"] = {**issue["user"], "login": self._login(request)}
        issue.pop("pull_request", None)
        self.add_issue(issue)
        return Reply(201, self.issues[number])

    def _get_ref(self, request: Recorded, values: dict[str, str]) -> Reply:
        name = values["ref"].removeprefix("heads/")
        branch = self.branches.get(name)
        if branch is None:
            return Reply(404, {"message": "Not Found"})
        return Reply(200, {"ref": f"refs/heads/{name}", "node_id": "REF_x",
                           "url": f"{self.url}/repos/{self.repository}/git/refs/heads/{name}",
                           "object": {"type": "commit", "sha": branch["sha"],
                                      "url": f"{self.url}/commits/{branch['sha']}"}})

    def _create_ref(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        name = data["ref"].removeprefix("refs/heads/")
        if name in self.branches:
            return Reply(422, {"message": "Reference already exists"})
        source = next((b for b in self.branches.values() if b["sha"] == data["sha"]), None)
        if source is None:
            return Reply(422, {"message": "Object does not exist"})
        self.branches[name] = {"sha": data["sha"], "files": dict(source["files"]),
                               "commits": []}
        return Reply(201, {"ref": data["ref"], "node_id": "REF_x", "url": "",
                           "object": {"type": "commit", "sha": data["sha"], "url": ""}})

    def _content_body(self, path: str, text: str) -> dict[str, Any]:
        sha = self._sha("blob" + text)
        return {"type": "file", "encoding": "base64", "size": len(text), "name":
                path.rsplit("/", 1)[-1], "path": path, "sha": sha,
                "content": base64.b64encode(text.encode()).decode(),
                "url": f"{self.url}/repos/{self.repository}/contents/{path}",
                "git_url": None, "html_url": None, "download_url": None,
                "_links": {"self": "", "git": None, "html": None}}

    def _get_content(self, request: Recorded, values: dict[str, str]) -> Reply:
        ref = parse_qs(request.query).get("ref", [self.default_branch])[0]
        branch = self.branches.get(ref)
        path = values["path"]
        if branch is None or path not in branch["files"]:
            return Reply(404, {"message": "Not Found"})
        return Reply(200, self._content_body(path, branch["files"][path]))

    def _put_content(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        branch_name = data.get("branch", self.default_branch)
        branch = self.branches.get(branch_name)
        if branch is None:
            return Reply(404, {"message": "Branch not found"})
        path = values["path"]
        if path in branch["files"]:
            if data.get("sha") != self._sha("blob" + branch["files"][path]):
                return Reply(409, {"message": "sha does not match"})
        elif data.get("sha"):
            return Reply(422, {"message": "sha given for a new file"})
        text = base64.b64decode(data["content"]).decode()
        self.commit(branch_name, path, text, self._login(request))
        return Reply(201 if not data.get("sha") else 200, {
            "content": self._content_body(path, text),
            "commit": {"sha": branch["sha"], "message": data["message"]}})

    def _get_pull(self, request: Recorded, values: dict[str, str]) -> Reply:
        pull = self.pulls.get(int(values["pull_number"]))
        return Reply(200, pull) if pull else Reply(404, {"message": "Not Found"})

    def _list_pulls(self, request: Recorded, values: dict[str, str]) -> Reply:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        state = query.get("state", "open")
        head = query.get("head", "").split(":", 1)[-1]
        found = [p for p in self.pulls.values()
                 if (state == "all" or p["state"] == state)
                 and (not head or p["head"]["ref"] == head)]
        return Reply(200, found)

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
        pull = _example("pulls.create.201.json")
        number = next(self._numbers)
        pull.update(number=number, title=data["title"], body=data.get("body"), state="open",
                    merged=False, html_url=f"https://github.com/{self.repository}/pull/{number}")
        # A new pull request is neither merged nor closed (the example carries dates for both).
        pull.update(merged_at=None, closed_at=None, merged_by=None)
        pull["head"] = {**pull["head"], "ref": data["head"]}
        pull["base"] = {**pull["base"], "ref": data["base"]}
        self.pulls[number] = pull
        return Reply(201, pull)

    def _pull_commits(self, request: Recorded, values: dict[str, str]) -> Reply:
        pull = self.pulls.get(int(values["pull_number"]))
        if pull is None:
            return Reply(404, {"message": "Not Found"})
        commits = self.branches[pull["head"]["ref"]]["commits"]
        return Reply(200, [{"sha": sha, "node_id": "C_x", "url": "", "html_url": "",
                            "comments_url": "", "parents": [],
                            "commit": {"message": "", "url": "", "comment_count": 0,
                                       "tree": {"sha": sha, "url": ""}},
                            "author": {"login": login}, "committer": {"login": login}}
                           for sha, login in commits])

    def _update_label(self, request: Recorded, values: dict[str, str]) -> Reply:
        label = self.labels.get(values["name"])
        if label is None:
            return Reply(404, {"message": "Not Found"})
        label.update({k: v for k, v in request.json().items() if k in ("color", "description")})
        for issue in self.issues.values():
            for attached in issue["labels"]:
                if attached["name"] == label["name"]:
                    attached.update(color=label["color"], description=label["description"])
        return Reply(200, label)

    def _react(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment_id = int(values["comment_id"])
        if comment_id not in self.comments:
            return Reply(404, {"message": "Not Found"})
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
        reaction = {"id": next(self._ids), "node_id": "REA_x", "content": content,
                    "created_at": now_text(),
                    "user": {**_example("issues.create-comment.201.json")["user"],
                             "login": login}}
        self.reaction_objects.setdefault(comment_id, []).append(reaction)
        self.reactions.setdefault(comment_id, []).append(content)
        if comment_id in self.comments:  # the roll-up on the stored comment stays current
            self.comments[comment_id]["reactions"] = self._rollup(comment_id)
        return reaction

    def _ref_body(self, name: str) -> dict[str, Any]:
        sha = self.branches[name]["sha"]
        return {"ref": f"refs/heads/{name}", "node_id": "REF_x",
                "url": f"{self.url}/repos/{self.repository}/git/refs/heads/{name}",
                "object": {"type": "commit", "sha": sha, "url": f"{self.url}/commits/{sha}"}}

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
        """PATCH git/refs/heads/NAME: move a branch (docs: "Update a reference")."""
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

    def _get_repo(self, request: Recorded, values: dict[str, str]) -> Reply:
        """repos/get: the description's example repository, made this one."""
        if f"{values['owner']}/{values['repo']}".lower() != self.repository.lower():
            return Reply(404, {"message": "Not Found",
                               "documentation_url": f"{_DOCS}/repos/repos#get-a-repository"})
        example = self.description.document["components"]["examples"][
            "full-repository-default-response"]["value"]
        text = json.dumps(example).replace(
            "https://api.github.com/repos/octocat/Hello-World",
            f"{self.url}/repos/{self.repository}").replace("octocat/Hello-World", self.repository)
        repository = json.loads(text)
        owner, name = self.repository.split("/")
        for key in ("parent", "source", "template_repository"):  # not a fork, not from a template
            repository.pop(key, None)
        repository.setdefault("language", None)  # required by the schema; the example lacks it
        repository.update(name=name, fork=False, default_branch=self.default_branch,
                          open_issues_count=sum(i["state"] == "open"
                                                for i in self.issues.values()))
        repository["open_issues"] = repository["open_issues_count"]
        repository["owner"] = {**repository["owner"], "login": owner}
        return Reply(200, repository)
