"""A loopback fake of PagerDuty's REST API v2: incidents by `incident_key` and their log entries.

Every request is checked against PagerDuty's own REST description (rest-openapi-subset.json):
the operation, its declared query parameters (names and values), and its required headers
(`Accept: application/vnd.pagerduty+json;version=2`, `Content-Type: application/json`);
a violation is recorded and answered 400. Credentials go in `Authorization: Token token=KEY`
(securitySchemes.api_key): an unknown key gets 401, a key without access 403. Incidents and log
entries have the keys and types of PagerDuty's recorded representations (V2 webhook deliveries,
tests/fixtures/pagerduty/recorded/; checked by tests/adapters/test_pagerduty_recordings.py).
"""

from __future__ import annotations

import itertools
import ssl
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.common import FIXTURES
from tests.fakes.openapi import ApiDescription, SpecViolation
from tests.fakes.server import FakeService, Fault, Recorded, Reply

DESCRIPTION = FIXTURES / "pagerduty" / "rest-openapi-subset.json"
ACCEPT = "application/vnd.pagerduty+json;version=2"
WEB = "https://example.pagerduty.com"


def _stamp(at: str | datetime | None) -> str:
    if at is None:
        at = datetime.now(UTC)
    if isinstance(at, datetime):
        return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return at


class FakePagerDutyRest(FakeService):
    name = "PagerDuty REST"

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(ApiDescription.shared(DESCRIPTION), tls)
        self.token = "y_NbAkKc66ryYTWUXYEu"
        #: keys PagerDuty knows but that may not read incidents (403)
        self.forbidden_tokens: set[str] = set()
        self.incidents: dict[str, dict[str, Any]] = {}
        self.log_entries: dict[str, list[dict[str, Any]]] = {}
        self._ids = itertools.count(1)
        self.route("GET", "listIncidents", self._list_incidents)
        self.route("GET", "listIncidentLogEntries", self._list_log_entries)
        self.route("GET", "getIncident", self._get_incident)

    # -- what a test says happened ------------------------------------------------------------

    def trigger(self, dedup_key: str, at: str | datetime | None = None,
                title: str = "Incident") -> dict[str, Any]:
        """An alert with this dedup key arrived: PagerDuty opens an incident for it, assigned
        to whoever is on call. Its keys are those of the recorded REST v2 incident (zulip's
        acknowledge_v2.json, PagerDuty's webdemo account), plus `updated_at`, added since
        (api-schema's Incident)."""
        number = next(self._ids)
        incident_id = f"PINC{number:03d}"
        created = _stamp(at)
        service = self._service()
        incident = {
            "id": incident_id, "type": "incident", "summary": f"[#{number}] {title}",
            "self": f"{self.url}/incidents/{incident_id}",
            "html_url": f"{WEB}/incidents/{incident_id}",
            "incident_number": number, "title": title, "description": title,
            "created_at": created, "updated_at": created, "status": "triggered",
            "pending_actions": [], "incident_key": dedup_key, "service": service,
            "assignments": [{"at": created, "assignee": self._reference(
                "PUSR000", "user", "On-call Engineer")}],
            "acknowledgements": [], "last_status_change_at": created,
            "last_status_change_by": service, "escalation_policy": self._reference(
                "PESC001", "escalation_policy", "Identity on call"),
            "privilege": None, "teams": [self._team()],
            "alert_counts": {"all": 1, "triggered": 1, "resolved": 0},
            "impacted_services": [service], "is_mergeable": True, "basic_alert_grouping": None,
            "alert_grouping": None, "metadata": {}, "external_references": [],
            "importance": None, "incidents_responders": [], "responder_requests": [],
            "subscriber_requests": [], "urgency": "high",
        }
        self.incidents[incident_id] = incident
        self.log_entries[incident_id] = []
        entry = self._log(incident, "trigger", created, service, "Triggered through the API",
                          channel="api")
        incident["first_trigger_log_entry"] = {
            "id": entry["id"], "type": "trigger_log_entry_reference", "summary": entry["summary"],
            "self": entry["self"], "html_url": entry["html_url"]}
        return incident

    def acknowledge(self, dedup_key: str, name: str, at: str | datetime | None = None,
                    email: str | None = None) -> dict[str, Any]:
        incident = self._by_key(dedup_key)
        when = _stamp(at)
        user = self._reference(f"PUSR{len(name):03d}", "user", name)
        if email:
            user["email"] = email
        incident.update(status="acknowledged", updated_at=when, last_status_change_at=when,
                        last_status_change_by=user)
        incident["acknowledgements"].append({"at": when, "acknowledger": user})
        return self._log(incident, "acknowledge", when, user, f"Acknowledged by {name}")

    def resolve(self, dedup_key: str, at: str | datetime | None = None,
                name: str | None = None) -> dict[str, Any]:
        incident = self._by_key(dedup_key)
        when = _stamp(at)
        agent = (self._reference(f"PUSR{len(name):03d}", "user", name) if name
                 else self._service())
        # A resolved incident has no assignments (api-schema's Incident.assignments).
        incident.update(status="resolved", updated_at=when, acknowledgements=[], assignments=[],
                        last_status_change_at=when, last_status_change_by=agent,
                        alert_counts={"all": 1, "triggered": 0, "resolved": 1})
        return self._log(incident, "resolve", when, agent,
                         f"Resolved by {name}" if name else "Resolved")

    def rate_limit(self, operation_id: str, reset: int = 20, times: int = 1) -> None:
        """The next `times` requests to the operation are over the rate limit, answered as
        developer-docs docs/REST-API/04-Rate-Limits.md shows: HTTP 429, the `ratelimit-*`
        headers and `{"error": {"message": "Rate Limit Exceeded", "code": 2020}}` (code 2020
        in docs/REST-API/14-Errors.md)."""
        self.inject(operation_id, *[Fault(
            status=429, headers={"ratelimit-limit": "960", "ratelimit-remaining": "0",
                                 "ratelimit-reset": str(reset)},
            body={"error": {"message": "Rate Limit Exceeded", "code": 2020}})
            for _ in range(times)])

    def _by_key(self, dedup_key: str) -> dict[str, Any]:
        matching = [i for i in self.incidents.values() if i["incident_key"] == dedup_key]
        return matching[-1]

    def _reference(self, ref_id: str, kind: str, name: str) -> dict[str, Any]:
        plural = {"service": "services", "user": "users", "team": "teams",
                  "escalation_policy": "escalation_policies"}[kind]
        return {"id": ref_id, "type": f"{kind}_reference", "summary": name,
                "self": f"{self.url}/{plural}/{ref_id}", "html_url": f"{WEB}/{plural}/{ref_id}"}

    def _service(self) -> dict[str, Any]:
        return self._reference("PSVC001", "service", "Identity")

    def _team(self) -> dict[str, Any]:
        return self._reference("PTEAM01", "team", "Identity")

    def _log(self, incident: dict[str, Any], kind: str, at: str, agent: dict[str, Any],
             summary: str, channel: str = "website") -> dict[str, Any]:
        """A log entry with the recorded keys (zulip's acknowledge_v2.json, resolve_v2.json):
        acknowledge and resolve entries have no `html_url` (null), an acknowledgement names
        its timeout; the trigger entry has the URL its incident's `first_trigger_log_entry`
        reference shows."""
        entry_id = f"Q{incident['id']}{len(self.log_entries[incident['id']]):04d}"
        entry: dict[str, Any] = {
            "id": entry_id, "type": f"{kind}_log_entry", "summary": summary,
            "self": f"{self.url}/log_entries/{entry_id}?incident_id={incident['id']}",
            "html_url": (f"{WEB}/incidents/{incident['id']}/log_entries/{entry_id}"
                         if kind == "trigger" else None),
            "created_at": at, "agent": agent, "channel": {"type": channel},
            "service": self._service(),
            "incident": {"id": incident["id"], "type": "incident_reference",
                         "summary": incident["summary"], "self": incident["self"],
                         "html_url": incident["html_url"]},
            "teams": [self._team()], "contexts": [], "event_details": {},
        }
        if kind == "acknowledge":
            entry["acknowledgement_timeout"] = 1800
        self.log_entries[incident["id"]].append(entry)
        return entry

    # -- the checks the description asks for ---------------------------------------------------

    def _dispatch(self, request: Recorded) -> tuple[Reply | None, Fault | None]:
        try:
            self._check_request(request)
        except SpecViolation as error:
            self.violations.append(str(error))
            return Reply(400, {"error": {"message": f"fake {self.name}: {error}",
                                         "code": 2001}}), None
        return super()._dispatch(request)

    def _check_request(self, request: Recorded) -> None:
        operation = self.description.match(request.method, request.path)
        name = operation.operation_id
        arguments = parse_qs(request.query, keep_blank_values=True)
        declared: dict[str, str] = {}
        for parameter in operation.spec.get("parameters", []):
            ref = parameter.get("$ref", "")
            spec = self.description._resolve(parameter)
            if spec.get("in") == "header":
                value = request.headers.get(spec["name"].lower())
                schema = spec.get("schema", {})
                if spec.get("required") and value is None:
                    msg = f"{name}: header {spec['name']} is required"
                    raise SpecViolation(msg)
                wanted = schema.get("enum") or [schema.get("default")]
                if value is not None and value.replace(" ", "") not in wanted:
                    msg = f"{name}: header {spec['name']} must be one of {wanted}, not {value!r}"
                    raise SpecViolation(msg)
            elif spec.get("in") == "query":
                declared[spec["name"]] = ref
        for key, values in arguments.items():
            if key not in declared:
                msg = f"{name}: unknown query parameter {key!r}"
                raise SpecViolation(msg)
            schema = self.description._resolve({"$ref": declared[key]})["schema"]
            for value in values:
                self.description.check_value(f"{declared[key]}/schema", _typed(value, schema))

    def authorise(self, request: Recorded) -> Reply | None:
        header = request.headers.get("authorization", "")
        token = header.removeprefix("Token token=") if header.startswith("Token token=") else ""
        if token and token in self.forbidden_tokens:
            # Code 2010 "Access Denied" (developer-docs docs/REST-API/14-Errors.md); no
            # recorded 403 was found to say otherwise.
            return self._answer(request.operation, 403,
                                {"error": {"message": "Access Denied", "code": 2010}})
        if token != self.token:
            # PagerDuty's 401 is not declared JSON: go-pagerduty reads an error object only
            # from `application/json` answers and got none from live 401s (PagerDuty/
            # go-pagerduty#469, 2022; #553, 2025, a maintainer's own call). The body was not
            # recorded; the fake sends the docs' error object (code 2006 "Authentication
            # failed", 14-Errors.md) as text.
            return Reply(401, b'{"error":{"message":"Authentication failed","code":2006}}',
                         {"Content-Type": "text/plain; charset=utf-8"})
        return None

    def _answer(self, operation_id: str, status: int, body: Any) -> Reply:
        try:
            self.description.check_response(operation_id, status, body)
        except SpecViolation as error:
            self.violations.append(f"the fake's own answer: {error}")
        return Reply(status, body)

    # -- the operations ------------------------------------------------------------------------

    @staticmethod
    def _arguments(request: Recorded) -> dict[str, list[str]]:
        return parse_qs(request.query, keep_blank_values=True)

    def _list_incidents(self, request: Recorded, values: dict[str, str]) -> Reply:
        arguments = self._arguments(request)
        found = list(self.incidents.values())
        if "incident_key" in arguments:
            found = [i for i in found if i["incident_key"] == arguments["incident_key"][0]]
        # Without date_range=all PagerDuty looks at `since`..`until`, by default the last
        # month; the fake keeps only the lower bound.
        if arguments.get("date_range", [""])[0] != "all" and "since" in arguments:
            since = datetime.fromisoformat(arguments["since"][0])
            found = [i for i in found if i["created_at"] >= _stamp(since)]
        statuses = arguments.get("statuses[]")
        if statuses:
            found = [i for i in found if i["status"] in statuses]
        order = arguments.get("sort_by", ["created_at:asc"])[0]
        found.sort(key=lambda i: i["created_at"], reverse=order.endswith(":desc"))
        return self._page(request, "listIncidents", "incidents", found)

    def _list_log_entries(self, request: Recorded, values: dict[str, str]) -> Reply:
        if values["id"] not in self.incidents:
            return self._answer("listIncidentLogEntries", 404,
                                {"error": {"message": "Not Found", "code": 2100}})
        # PagerDuty lists an incident's log entries newest first.
        entries = sorted(self.log_entries[values["id"]], key=lambda e: e["created_at"],
                         reverse=True)
        return self._page(request, "listIncidentLogEntries", "log_entries", entries)

    def _get_incident(self, request: Recorded, values: dict[str, str]) -> Reply:
        incident = self.incidents.get(values["id"])
        if incident is None:
            return self._answer("getIncident", 404,
                                {"error": {"message": "Not Found", "code": 2100}})
        return Reply(200, {"incident": incident})

    def _page(self, request: Recorded, operation_id: str, key: str,
              items: list[dict[str, Any]]) -> Reply:
        arguments = self._arguments(request)
        limit = min(int(arguments.get("limit", ["25"])[0]), 100)
        offset = int(arguments.get("offset", ["0"])[0])
        chosen = items[offset:offset + limit]
        return Reply(200, {key: chosen, "limit": limit, "offset": offset,
                           "more": offset + limit < len(items), "total": None})


def _typed(value: str, schema: dict[str, Any]) -> Any:
    """A query string's value as the type its schema declares."""
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(value)
        except ValueError:
            return value
    if kind == "boolean":
        return {"true": True, "false": False}.get(value, value)
    if kind == "array":
        return value.split(",")
    return value
