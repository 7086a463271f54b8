"""The Datadog Incident Management fake."""

from __future__ import annotations

import itertools
import re
import ssl
import uuid
from typing import Any
from urllib.parse import parse_qs

from tests.fakes.common import FIXTURES, now_text
from tests.fakes.openapi import ApiDescription
from tests.fakes.server import FakeService, Recorded, Reply


class FakeDatadog(FakeService):
    name = "Datadog"

    def __init__(self, tls: ssl.SSLContext) -> None:
        super().__init__(
            ApiDescription.shared(FIXTURES / "datadog" / "incidents-openapi.yaml"), tls)
        self.incidents: dict[str, dict[str, Any]] = {}
        self._public_ids = itertools.count(338014)
        self.route("POST", "CreateIncident", self._create)
        self.route("GET", "SearchIncidents", self._search)
        self.route("GET", "GetIncident", self._get)
        self.route("PATCH", "UpdateIncident", self._update)
        self.route("POST", "CreateIncidentTodo", self._todo)
        self.route("POST", "CreateIncidentAttachment", self._attach)
        self.route("GET", "ListIncidentTodos", self._list_todos)
        self.route("GET", "ListIncidentAttachments", self._list_attachments)
        self.todos: dict[str, list[dict[str, Any]]] = {}
        self.attachments: dict[str, list[dict[str, Any]]] = {}
        #: API or application keys Datadog no longer accepts (revoked, or of another site)
        self.refused_keys: set[str] = set()

    def authorise(self, request: Recorded) -> Reply | None:
        # A missing or refused key: 403 {"errors": ["Forbidden"]}, as Datadog answers a bad
        # or wrong-site key (dbader/node-datadog-metrics#115, scribd/datadog_backup#153).
        given = (request.headers.get("dd-api-key"), request.headers.get("dd-application-key"))
        if not all(given) or self.refused_keys & set(given):
            return Reply(403, {"errors": ["Forbidden"]})
        return None

    def delete_incident(self, incident_id: str) -> None:
        """Someone deletes the incident in Datadog's UI: every later request about it answers
        404 Not Found (incidents-openapi.yaml: NotFoundResponse, an APIErrorResponse)."""
        del self.incidents[incident_id]
        self.todos.pop(incident_id, None)
        self.attachments.pop(incident_id, None)

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
                "created": now_text(), "modified": now_text(), "detected": now_text(),
                "declared": now_text(), "resolved": None,
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
        attributes["modified"] = now_text()
        return Reply(200, {"data": incident})

    def _attach(self, request: Recorded, values: dict[str, str]) -> Reply:
        if values["incident_id"] not in self.incidents:
            return Reply(404, {"errors": ["Not found"]})
        attributes = request.json()["data"]["attributes"]
        # Shaped like the recorded answer (cassette test_create_incident_attachment_...).
        attachment = {"type": "incident_attachments", "id": str(uuid.uuid4()),
                      "attributes": {**attributes, "modified": now_text()},
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
                               "created": now_text(), "modified": now_text(), "completed": None,
                               "due_date": None}}
        self.todos.setdefault(values["incident_id"], []).append(todo)
        return Reply(201, {"data": todo})

    def _get(self, request: Recorded, values: dict[str, str]) -> Reply:
        incident = self.incidents.get(values["incident_id"])
        if incident is None:
            return Reply(404, {"errors": ["Not found"]})
        return Reply(200, {"data": incident})

    def _list_todos(self, request: Recorded, values: dict[str, str]) -> Reply:
        """ListIncidentTodos: every todo made on the incident (IncidentTodoListResponse)."""
        if values["incident_id"] not in self.incidents:
            return Reply(404, {"errors": ["Not found"]})
        todos = self.todos.get(values["incident_id"], [])
        return Reply(200, {"data": todos, "included": [], "meta": {"pagination": {
            "offset": 0, "size": len(todos), "next_offset": len(todos)}}})

    def _list_attachments(self, request: Recorded, values: dict[str, str]) -> Reply:
        """ListIncidentAttachments (AttachmentArray). `filter[attachment_type]` is "1" for
        postmortem and "2" for link; `include=last_modified_by_user` adds the user (the spec's
        parameter descriptions; the user as in the recorded create-attachment answer)."""
        if values["incident_id"] not in self.incidents:
            return Reply(404, {"errors": ["Not found"]})
        query = {k: v[0] for k, v in parse_qs(request.query).items()}
        wanted = {"1": "postmortem", "2": "link"}.get(query.get("filter[attachment_type]", ""),
                                                       query.get("filter[attachment_type]"))
        found = [a for a in self.attachments.get(values["incident_id"], [])
                 if wanted is None or a["attributes"].get("attachment_type") == wanted]
        body: dict[str, Any] = {"data": found}
        if "last_modified_by_user" in query.get("include", "").split(","):
            body["included"] = [{"type": "users", "id": "3ad549bf-eba0-11e9-a77a-0705486660d0",
                                 "attributes": {"uuid": "3ad549bf-eba0-11e9-a77a-0705486660d0",
                                                "handle": "frog@datadoghq.com",
                                                "email": "frog@datadoghq.com", "name": "frog",
                                                "icon": None}}] if found else []
        return Reply(200, body)

    #: `facet:(a OR b)`, `facet:"a b"`, `facet:a`, a quoted phrase, or a bare word
    _TERM = re.compile(r'(?P<facet>[A-Za-z_][\w.-]*):(?:\((?P<group>[^)]*)\)|"(?P<quoted>[^"]*)"'
                       r'|(?P<word>\S+))|"(?P<phrase>[^"]*)"|(?P<bare>\S+)')

    @classmethod
    def _parse_query(cls, query: str) -> tuple[dict[str, set[str]], list[str]]:
        """Facets (`state:(active OR stable)`, joined by AND) and free-text terms.

        "The query can contain any number of incident facets joined by ANDs, along with multiple
        values for each of those facets joined by ORs. For example: `state:active AND
        severity:(SEV-2 OR SEV-1)`." (IncidentSearchQueryQueryParameter; docs.datadoghq.com/api/
        latest/incidents/#search-for-incidents). Anything else (a quoted phrase, a URL) is free
        text, matched here against the incident's customer_impact_scope and title (how Datadog
        matches free text is not documented; the program looks for the issue URL there).
        """
        facets: dict[str, set[str]] = {}
        terms: list[str] = []
        for match in cls._TERM.finditer(query):
            facet, word = match["facet"], match["word"]
            if facet and word is not None and word.startswith("//"):  # https://... is text
                terms.append(match.group(0))
            elif facet:
                values = (match["group"] or "").split(" OR ") if match["group"] is not None \
                    else [match["quoted"] if match["quoted"] is not None else word or ""]
                facets.setdefault(facet, set()).update(v.strip().strip('"') for v in values)
            elif match["phrase"] is not None:
                terms.append(match["phrase"])
            elif match["bare"] not in ("AND", "OR"):
                terms.append(match["bare"])
        return facets, terms

    def _search(self, request: Recorded, values: dict[str, str]) -> Reply:
        arguments = {k: v[0] for k, v in parse_qs(request.query).items()}
        facets, terms = self._parse_query(arguments.get("query", ""))

        def matches(incident: dict[str, Any]) -> bool:
            attributes = incident["attributes"]
            text = f"{attributes.get('customer_impact_scope') or ''}\n{attributes['title']}"
            # A term matches whole words: ".../issues/1" does not find ".../issues/12".
            return all(str(attributes.get(facet)) in wanted for facet, wanted in facets.items()
                       if facet in ("state", "severity")) and all(
                re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE)
                for term in terms)

        found = [i for i in self.incidents.values() if matches(i)]
        # sort: "created" or "-created" (IncidentSearchSortOrder); page[size] defaults to 10,
        # at most 100, and page[offset] to 0 (spec parameters PageSize, PageOffset).
        found.sort(key=lambda i: (i["attributes"]["created"], i["attributes"]["public_id"]),
                   reverse=arguments.get("sort") == "-created")
        size = min(int(arguments.get("page[size]", 10)), 100)
        offset = int(arguments.get("page[offset]", 0))
        page = found[offset:offset + size]
        return Reply(200, {"data": {"type": "incidents_search_results", "attributes": {
            "facets": {}, "incidents": [{"data": i} for i in page], "total": len(found)}},
            "meta": {"pagination": {"size": size, "offset": offset,
                                    "next_offset": offset + size}}})
