"""The four fakes: enough of each service's behaviour for the incident lifecycle."""

from __future__ import annotations

import base64
import copy
import hashlib
import itertools
import json
import re
import ssl
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Recorded, Reply

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _example(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        (FIXTURES / "github" / "rest-examples" / name).read_text(encoding="utf-8"))
    return data


class FakeGitHub(FakeService):
    name = "GitHub"

    def __init__(self, tls: ssl.SSLContext, repository: str = "Codertocat/Hello-World") -> None:
        super().__init__(ApiDescription(
            FIXTURES / "github" / "rest-openapi-subset.json",
            more=(FIXTURES / "github" / "rest-openapi-extra.json",)), tls)
        self.repository = repository
        self.tokens: dict[str, str] = {"ghs_bot_token": "github-actions[bot]"}
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
        self.route("POST", "pulls/create", self._create_pull)
        self.route("GET", "pulls/list-commits", self._pull_commits)
        self.route("PATCH", "issues/update-label", self._update_label)

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
        comment.update(id=comment_id, body=body, created_at=at or _now(),
                       updated_at=at or _now(), issue_number=number,
                       url=f"{self.url}/repos/{self.repository}/issues/comments/{comment_id}")
        comment["user"] = {**comment["user"], "login": login, "type": "User"}
        self.comments[comment_id] = comment
        return comment

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
        event = _example("issues.list-events.200.json")[0]
        event_id = next(self._ids)
        event.update(id=event_id, event=action, created_at=_now(), commit_id=None,
                     commit_url=None, url=f"{self.url}/repos/{self.repository}/issues/events/"
                                          f"{event_id}")
        event["actor"] = {**event["actor"], "login": login}
        event["label"] = {"name": name, "color": self.labels.get(name, {}).get("color", "ededed")}
        event.pop("issue", None)
        self.events.setdefault(number, []).append(event)

    @staticmethod
    def _sha(seed: str) -> str:
        return hashlib.sha1(seed.encode()).hexdigest()

    def commit(self, branch: str, path: str, text: str, login: str) -> None:
        """A commit to a branch (by the bot through the API, or by a person)."""
        head = self.branches[branch]
        head["files"][path] = text
        head["sha"] = self._sha(f"{head['sha']}{path}{text}{login}")
        head["commits"].append((head["sha"], login))

    def merge(self, pull_number: int, login: str) -> dict[str, Any]:
        """Merge a pull request as GitHub would; returns the `pull_request.closed` payload."""
        pull = self.pulls[pull_number]
        head = self.branches[pull["head"]["ref"]]
        base = self.branches[pull["base"]["ref"]]
        base["files"].update(head["files"])
        base["sha"] = self._sha(base["sha"] + head["sha"])
        pull.update(state="closed", merged=True, merged_at=_now(), closed_at=_now(),
                    merged_by={"login": login})
        for number in (int(n) for n in re.findall(r"Closes #(\d+)",
                                                                 pull["body"] or "")):
            if number in self.issues:
                self.issues[number]["state"] = "closed"
        return self._closed_payload(pull, login)

    def close_unmerged(self, pull_number: int, login: str) -> dict[str, Any]:
        pull = self.pulls[pull_number]
        pull.update(state="closed", merged=False, closed_at=_now())
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

    @staticmethod
    def _public(comment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in comment.items() if k != "issue_number"}

    def _create_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        issue = self._issue(values)
        if issue is None:
            return Reply(404, {"message": "Not Found"})
        comment = _example("issues.create-comment.201.json")
        comment_id = next(self._ids)
        login = self._login(request)
        comment.update(
            id=comment_id, body=request.json()["body"], created_at=_now(), updated_at=_now(),
            issue_number=issue["number"], author_association="NONE",
            url=f"{self.url}/repos/{self.repository}/issues/comments/{comment_id}",
            html_url=f"{issue['html_url']}#issuecomment-{comment_id}",
            issue_url=issue["url"],
        )
        comment["user"] = {**comment["user"], "login": login,
                           "type": "Bot" if login.endswith("[bot]") else "User"}
        self.comments[comment_id] = comment
        return Reply(201, self._public(comment))

    def _update_comment(self, request: Recorded, values: dict[str, str]) -> Reply:
        comment = self.comments.get(int(values["comment_id"]))
        if comment is None:
            return Reply(404, {"message": "Not Found"})
        comment.update(body=request.json()["body"], updated_at=_now())
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
        for key in ("state", "state_reason", "title", "body"):
            if key in change:
                issue[key] = change[key]
        return Reply(200, issue)

    def _create_issue(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        issue = _example("issues.create.201.json")
        number = next(self._numbers)
        issue.update(number=number, title=data["title"], body=data.get("body"), labels=[],
                     state="open", html_url=f"https://github.com/{self.repository}/issues/{number}")
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

    def _list_pulls(self, request: Recorded, values: dict[str, str]) -> Reply:
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        state = query.get("state", "open")
        head = query.get("head", "").split(":", 1)[-1]
        found = [p for p in self.pulls.values()
                 if (state == "all" or p["state"] == state)
                 and (not head or p["head"]["ref"] == head)]
        return Reply(200, found)

    def _create_pull(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
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
        self.reactions.setdefault(comment_id, []).append(content)
        return Reply(201, {"id": next(self._ids), "node_id": "REA_x", "content": content,
                           "created_at": _now(),
                           "user": {**_example("issues.create-comment.201.json")["user"],
                                    "login": self._login(request)}})


class FakeDatadog(FakeService):
    name = "Datadog"

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(ApiDescription(FIXTURES / "datadog" / "incidents-openapi.yaml"), tls)
        self.incidents: dict[str, dict[str, Any]] = {}
        self._public_ids = itertools.count(338014)
        self.route("POST", "CreateIncident", self._create)
        self.route("GET", "SearchIncidents", self._search)
        self.route("GET", "GetIncident", self._get)
        self.route("PATCH", "UpdateIncident", self._update)
        self.route("POST", "CreateIncidentTodo", self._todo)
        self.route("POST", "CreateIncidentAttachment", self._attach)
        self.todos: dict[str, list[dict[str, Any]]] = {}
        self.attachments: dict[str, list[dict[str, Any]]] = {}

    def authorise(self, request: Recorded) -> Reply | None:
        if not (request.headers.get("dd-api-key") and request.headers.get("dd-application-key")):
            return Reply(403, {"errors": ["Forbidden"]})
        return None

    def _create(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()["data"]
        attributes = data["attributes"]
        incident_id = str(uuid.uuid4())
        public_id = next(self._public_ids)
        fields = {name: dict(value) for name, value in attributes.get("fields", {}).items()}
        fields["slug"] = {"type": "textbox", "value": f"IR-{public_id}"}
        commander = data["relationships"]["commander_user"]["data"]
        incident = {
            "type": "incidents", "id": incident_id,
            "attributes": {
                "public_id": public_id, "title": attributes["title"],
                "customer_impacted": attributes.get("customer_impacted", False),
                "customer_impact_scope": attributes.get("customer_impact_scope"),
                "customer_impact_start": None, "customer_impact_end": None,
                "notification_handles": attributes.get("notification_handles"),
                "created": _now(), "modified": _now(), "detected": _now(),
                "declared": _now(), "resolved": None,
                "fields": fields,
                "severity": fields.get("severity", {}).get("value", "UNKNOWN"),
                "state": fields.get("state", {}).get("value", "active"),
                "customer_impact_duration": 0, "time_to_detect": 0, "time_to_repair": 0,
                "time_to_internal_response": 0, "time_to_resolve": 0,
                "visibility": "organization",
            },
            "relationships": {
                "commander_user": {"data": commander},
                "attachments": {"data": []}, "integrations": {"data": []},
            },
        }
        self.incidents[incident_id] = incident
        return Reply(201, {"data": incident})

    def _update(self, request: Recorded, values: dict[str, str]) -> Reply:
        incident = self.incidents.get(values["incident_id"])
        if incident is None:
            return Reply(404, {"errors": ["Not found"]})
        data = request.json()["data"]
        attributes = incident["attributes"]
        for name, value in (data.get("attributes") or {}).get("fields", {}).items():
            attributes["fields"][name] = dict(value)
        for key in ("customer_impact_end", "customer_impact_scope", "customer_impacted"):
            if key in (data.get("attributes") or {}):
                attributes[key] = data["attributes"][key]
        attributes["state"] = attributes["fields"].get("state", {}).get("value", "active")
        attributes["severity"] = attributes["fields"].get("severity", {}).get("value")
        commander = ((data.get("relationships") or {}).get("commander_user") or {})
        if "data" in commander:
            incident["relationships"]["commander_user"] = {"data": commander["data"]}
        attributes["modified"] = _now()
        return Reply(200, {"data": incident})

    def _attach(self, request: Recorded, values: dict[str, str]) -> Reply:
        if values["incident_id"] not in self.incidents:
            return Reply(404, {"errors": ["Not found"]})
        attributes = request.json()["data"]["attributes"]
        # Shaped like the recorded answer (cassette test_create_incident_attachment_...).
        attachment = {"type": "incident_attachments", "id": str(uuid.uuid4()),
                      "attributes": {**attributes, "modified": _now()},
                      "relationships": {
                          "incident": {"data": {"id": values["incident_id"],
                                                "type": "incidents"}},
                          "last_modified_by_user": {"data": {
                              "id": "3ad549bf-eba0-11e9-a77a-0705486660d0", "type": "users"}}}}
        self.attachments.setdefault(values["incident_id"], []).append(attachment)
        return Reply(201, {"data": attachment})

    def _todo(self, request: Recorded, values: dict[str, str]) -> Reply:
        if values["incident_id"] not in self.incidents:
            return Reply(404, {"errors": ["Not found"]})
        attributes = request.json()["data"]["attributes"]
        todo = {"type": "incident_todos", "id": str(uuid.uuid4()),
                "attributes": {**attributes, "incident_id": values["incident_id"],
                               "created": _now(), "modified": _now(), "completed": None,
                               "due_date": None}}
        self.todos.setdefault(values["incident_id"], []).append(todo)
        return Reply(201, {"data": todo})

    def _get(self, request: Recorded, values: dict[str, str]) -> Reply:
        incident = self.incidents.get(values["incident_id"])
        if incident is None:
            return Reply(404, {"errors": ["Not found"]})
        return Reply(200, {"data": incident})

    def _search(self, request: Recorded, values: dict[str, str]) -> Reply:
        query = parse_qs(request.query).get("query", [""])[0]
        states = [s for s in ("active", "stable", "resolved", "completed") if s in query]
        found = [i for i in self.incidents.values()
                 if not states or i["attributes"]["state"] in states]
        return Reply(200, {"data": {"type": "incidents_search_results", "attributes": {
            "facets": {}, "incidents": [{"data": i} for i in found], "total": len(found)}},
            "meta": {"pagination": {"size": len(found), "offset": 0}}})


class FakeSlack(FakeService):
    name = "Slack"

    def __init__(self, tls: ssl.SSLContext) -> None:
        # `metadata` came to chat.postMessage after the archived 2021 description.
        description = ApiDescription(
            FIXTURES / "slack" / "web-openapi-subset.json", base_path="/api",
            extra_parameters={"/chat.postMessage": {"metadata"}},
        )
        super().__init__(description, tls)
        self.channels = {"#identity-support": "C0SUPPORT", "#identity-leadership": "C0LEADERS"}
        self.messages: list[dict[str, Any]] = []
        self._ts = itertools.count(1)
        self.route("POST", "chat_postMessage", self._post)

    def authorise(self, request: Recorded) -> Reply | None:
        if request.headers.get("authorization") != "Bearer xoxb-test-token":
            return Reply(200, {"ok": False, "error": "invalid_auth"})
        return None

    def _post(self, request: Recorded, values: dict[str, str]) -> Reply:
        data = request.json()
        channel = self.channels.get(data["channel"], data["channel"])
        if channel not in self.channels.values():
            return Reply(200, {"ok": False, "error": "channel_not_found"})
        message = {**data, "channel": channel, "ts": f"1700000000.{next(self._ts):06d}"}
        self.messages.append(message)
        return Reply(200, {"ok": True, "channel": channel, "ts": message["ts"],
                           "message": {"text": data.get("text"), "ts": message["ts"]}})

    def in_channel(self, channel: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m["channel"] == self.channels.get(channel, channel)]


class FakePagerDuty(FakeService):
    name = "PagerDuty"

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(ApiDescription(FIXTURES / "pagerduty" / "events-v2-openapiv3.json",
                                        base_path="/v2"), tls)
        self.routing_key = "R0UTINGKEY0000000000000000000000"
        #: dedup_key -> the open alert, as PagerDuty keeps one alert per key
        self.alerts: dict[str, dict[str, Any]] = {}
        self.route("POST", "createV2Event", self._enqueue)

    def _enqueue(self, request: Recorded, values: dict[str, str]) -> Reply:
        event = request.json()
        if event.get("routing_key") != self.routing_key:
            return Reply(400, {"status": "invalid event", "message": "Event object is invalid",
                               "errors": ["Invalid routing key"]})
        key = event.get("dedup_key") or str(uuid.uuid4())
        if event["event_action"] == "trigger":
            self.alerts.setdefault(key, {"status": "triggered", "event": event})
        elif key in self.alerts:
            self.alerts[key]["status"] = event["event_action"] + "d"
        return Reply(202, {"status": "success", "message": "Event processed", "dedup_key": key})
