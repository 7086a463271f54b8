"""Datadog Incident Management through datadog-api-client: the `IncidentMirror` port.

The Incidents API is "unstable" in the client; each operation used here is enabled explicitly.
Only single model modules are imported: `datadog_api_client.v2.models` costs over a second.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlparse

import urllib3
from datadog_api_client import ApiClient, Configuration
from datadog_api_client.exceptions import ApiException, OpenApiException
from datadog_api_client.rest import ClientRetry
from datadog_api_client.v2.api.incidents_api import IncidentsApi
from datadog_api_client.v2.model.attachment_data_attributes_attachment_type import (
    AttachmentDataAttributesAttachmentType,
)
from datadog_api_client.v2.model.create_attachment_request import CreateAttachmentRequest
from datadog_api_client.v2.model.create_attachment_request_data import (
    CreateAttachmentRequestData,
)
from datadog_api_client.v2.model.create_attachment_request_data_attributes import (
    CreateAttachmentRequestDataAttributes,
)
from datadog_api_client.v2.model.create_attachment_request_data_attributes_attachment import (
    CreateAttachmentRequestDataAttributesAttachment,
)
from datadog_api_client.v2.model.incident_attachment_type import IncidentAttachmentType
from datadog_api_client.v2.model.incident_create_attributes import IncidentCreateAttributes
from datadog_api_client.v2.model.incident_create_data import IncidentCreateData
from datadog_api_client.v2.model.incident_create_relationships import (
    IncidentCreateRelationships,
)
from datadog_api_client.v2.model.incident_create_request import IncidentCreateRequest
from datadog_api_client.v2.model.incident_field_attributes_multiple_value import (
    IncidentFieldAttributesMultipleValue,
)
from datadog_api_client.v2.model.incident_field_attributes_single_value import (
    IncidentFieldAttributesSingleValue,
)
from datadog_api_client.v2.model.incident_field_attributes_single_value_type import (
    IncidentFieldAttributesSingleValueType,
)
from datadog_api_client.v2.model.incident_field_attributes_value_type import (
    IncidentFieldAttributesValueType,
)
from datadog_api_client.v2.model.incident_notification_handle import IncidentNotificationHandle
from datadog_api_client.v2.model.incident_search_sort_order import IncidentSearchSortOrder
from datadog_api_client.v2.model.incident_timeline_cell_markdown_content_type import (
    IncidentTimelineCellMarkdownContentType,
)
from datadog_api_client.v2.model.incident_timeline_cell_markdown_create_attributes import (
    IncidentTimelineCellMarkdownCreateAttributes,
)
from datadog_api_client.v2.model.incident_timeline_cell_markdown_create_attributes_content import (
    IncidentTimelineCellMarkdownCreateAttributesContent,
)
from datadog_api_client.v2.model.incident_todo_assignee_array import IncidentTodoAssigneeArray
from datadog_api_client.v2.model.incident_todo_attributes import IncidentTodoAttributes
from datadog_api_client.v2.model.incident_todo_create_data import IncidentTodoCreateData
from datadog_api_client.v2.model.incident_todo_create_request import IncidentTodoCreateRequest
from datadog_api_client.v2.model.incident_todo_type import IncidentTodoType
from datadog_api_client.v2.model.incident_type import IncidentType
from datadog_api_client.v2.model.incident_update_attributes import IncidentUpdateAttributes
from datadog_api_client.v2.model.incident_update_data import IncidentUpdateData
from datadog_api_client.v2.model.incident_update_relationships import (
    IncidentUpdateRelationships,
)
from datadog_api_client.v2.model.incident_update_request import IncidentUpdateRequest
from datadog_api_client.v2.model.nullable_relationship_to_user import NullableRelationshipToUser
from datadog_api_client.v2.model.nullable_relationship_to_user_data import (
    NullableRelationshipToUserData,
)
from datadog_api_client.v2.model.users_type import UsersType

from incident_response.adapters.datadog.config import DatadogConfig
from incident_response.adapters.datadog.fields import commander_id, incident_fields
from incident_response.adapters.ports import MirrorRef
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import (
    DeclareIncident,
    IncidentFacts,
    UpdateIncident,
)
from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    TransientServiceError,
)
from incident_response.core.texts.markers import strip_markers

__all__ = ["DatadogMirror", "datadog_host"]

T = TypeVar("T")
_SERVICE = "Datadog"
# Unprefixed: the client's setter raises on "v2.create_incident" (after setting it).
_OPERATIONS = ("create_incident", "search_incidents", "get_incident",
               "update_incident", "create_incident_todo", "create_incident_attachment",
               "list_incident_todos", "list_incident_attachments")


def datadog_host(site: str, api_url: str | None) -> str:
    return (api_url or f"https://api.{site}").rstrip("/")


def _app_url(host: str, public_id: int | None) -> str | None:
    if public_id is None:
        return None
    parsed = urlparse(host)
    netloc = parsed.netloc.removeprefix("api.")
    return f"{parsed.scheme}://app.{netloc}/incidents/{public_id}" if parsed.netloc.startswith(
        "api.") else f"{host}/incidents/{public_id}"


#: Datadog answers 403 `{"errors": ["Forbidden"]}` to a key it does not accept and to an
#: application key without the permission alike (dbader/node-datadog-metrics#115 and
#: scribd/datadog_backup#153: bad or wrong-site keys; DataDog/datadog-sync-cli#301: an app key
#: without a permission), and 401 when the application key is missing
#: (DataDog/datadog-api-client-python#2670); datadog-ci says of both "Credentials refused,
#: make sure `apiKey`, `appKey` and `datadogSite` are correct" (DataDog/datadog-ci#697). The
#: two cannot be told apart, so both name the secrets and the scopes, and every run tries
#: again: fixing the keys is enough. The scopes are the Incidents API's (incidents-openapi.yaml
#: `security: AuthZ`).
_CREDENTIALS = "DD_API_KEY and DD_APP_KEY"
_CREDENTIALS_FIX = ("Datadog refused DD_API_KEY or DD_APP_KEY: check both secrets and DD_SITE "
                    "(a key works only on its own site, e.g. datadoghq.eu); a scoped "
                    "application key needs incident_read and incident_write")
#: 404 about an incident (incidents-openapi.yaml NotFoundResponse): it was deleted
_GONE_FIX = "the incident was deleted in Datadog"


def _call(action: str, operation: Callable[[], T]) -> T:
    try:
        return operation()
    except ApiException as error:
        status = int(error.status or 0)
        text = f"{action} failed with HTTP {status}: {error.reason or ''}".rstrip(": ")
        if status in (408, 429) or status >= 500:
            raise TransientServiceError(_SERVICE, text, status=status) from error
        if status in (401, 403):
            raise PermanentServiceError(_SERVICE, text, status=status,
                                        reason=Refusal.CREDENTIALS, fix=_CREDENTIALS_FIX,
                                        credential=_CREDENTIALS) from error
        if status in (404, 410):
            raise PermanentServiceError(_SERVICE, text, status=status, reason=Refusal.GONE,
                                        fix=_GONE_FIX) from error
        raise PermanentServiceError(_SERVICE, text, status=status) from error
    except (urllib3.exceptions.HTTPError, OSError) as error:
        msg = f"{action} failed: {type(error).__name__} (no answer from Datadog)"
        raise TransientServiceError(_SERVICE, msg) from error
    except OpenApiException as error:
        msg = f"{action} failed: unexpected answer ({error})"
        raise PermanentServiceError(_SERVICE, msg) from error


def _field(kind: str, value: str | list[str]) -> Any:
    if isinstance(value, list):
        return IncidentFieldAttributesMultipleValue(
            type=IncidentFieldAttributesValueType(kind), value=value)
    return IncidentFieldAttributesSingleValue(
        type=IncidentFieldAttributesSingleValueType(kind), value=value)


class DatadogMirror:
    def __init__(self, api_key: str, app_key: str, host: str, transport: Transport, *,
                 config: DatadogConfig | None = None,
                 people: Mapping[str, str] | None = None) -> None:
        #: the team's Datadog fields and teams, and GitHub handle -> Datadog user id
        self._config = config or DatadogConfig()
        self._people = dict(people or {})
        configuration = Configuration(
            host=host,
            api_key={"apiKeyAuth": api_key, "appKeyAuth": app_key},
            ssl_ca_cert=transport.ca_file,
            request_timeout=transport.timeout_seconds,
            # Retries 5xx and 429 (waiting for X-RateLimit-Reset), but never a request whose
            # answer was lost (read=0): a create could then be made twice. Lost answers are
            # handled by looking the incident up before creating it again.
            retry_policy=ClientRetry(
                total=transport.attempts - 1,
                read=0,
                backoff_factor=transport.backoff_seconds,
                raise_on_status=False,
            ),
        )
        for operation in _OPERATIONS:
            configuration.unstable_operations[operation] = True
        # Enabled on purpose above; the client would otherwise warn on every call.
        warnings.filterwarnings("ignore", message="Using unstable operation", category=UserWarning)
        configuration.connection_pool_maxsize = 1
        self._host = host
        self._api = IncidentsApi(ApiClient(configuration))

    def close(self) -> None:
        self._api.api_client.close()

    def find(self, issue_url: str) -> MirrorRef | None:
        """The incident declared for this GitHub issue, if an earlier attempt made one."""
        response = _call("Searching Datadog incidents", lambda: self._api.search_incidents(
            query="state:(active OR stable OR resolved)",
            sort=IncidentSearchSortOrder.CREATED_DESCENDING,
            page_size=100,
        ))
        for item in response.data.attributes.incidents or []:
            incident = item.data
            scope = incident.attributes.get("customer_impact_scope") or ""
            if issue_url in scope:
                public_id = incident.attributes.get("public_id")
                return MirrorRef(incident.id, public_id, _app_url(self._host, public_id))
        return None

    def _fields(self, facts: IncidentFacts) -> dict[str, Any]:
        return {name: _field(kind, value)
                for name, (kind, value) in incident_fields(facts, self._config).items()}

    def sync(self, incident_id: str, effect: UpdateIncident) -> None:
        """A partial update: only what GitHub owns (fields, commander, end of impact)."""
        facts = effect.facts
        attributes = IncidentUpdateAttributes(fields=self._fields(facts))
        if facts.customer_impact_end is not None:
            attributes.customer_impact_end = facts.customer_impact_end
        data = IncidentUpdateData(id=incident_id, type=IncidentType.INCIDENTS,
                                  attributes=attributes)
        commander = commander_id(facts, self._people)
        if commander:
            data.relationships = IncidentUpdateRelationships(
                commander_user=NullableRelationshipToUser(data=NullableRelationshipToUserData(
                    id=commander, type=UsersType.USERS)))
        _call("Updating the Datadog incident", lambda: self._api.update_incident(
            incident_id=incident_id, body=IncidentUpdateRequest(data=data)))

    def add_todo(self, incident_id: str, content: str) -> None:
        body = IncidentTodoCreateRequest(data=IncidentTodoCreateData(
            type=IncidentTodoType.INCIDENT_TODOS,
            attributes=IncidentTodoAttributes(assignees=IncidentTodoAssigneeArray([]),
                                              content=strip_markers(content))))
        _call("Adding a Datadog todo", lambda: self._api.create_incident_todo(
            incident_id=incident_id, body=body))

    def has_todo(self, incident_id: str, content: str) -> bool:
        """Whether the incident has a todo with exactly this content (an earlier run's)."""
        response = _call("Listing Datadog todos", lambda: self._api.list_incident_todos(
            incident_id=incident_id))
        wanted = strip_markers(content)  # as add_todo wrote it
        return any((todo.attributes.get("content") if isinstance(todo.attributes, dict)
                    else getattr(todo.attributes, "content", None)) == wanted
                   for todo in response.data or [])

    def has_attachment(self, incident_id: str, url: str) -> bool:
        """Whether the post-mortem at this URL is already attached (an earlier run's)."""
        response = _call("Listing Datadog attachments",
                         lambda: self._api.list_incident_attachments(incident_id=incident_id))
        for item in response.data or []:
            attachment = item.attributes.get("attachment") if isinstance(
                item.attributes, dict) else getattr(item.attributes, "attachment", None)
            link = (attachment.get("documentUrl") if isinstance(attachment, dict)
                    else getattr(attachment, "document_url", None))
            if link == url:
                return True
        return False

    def attach_postmortem(self, incident_id: str, url: str, title: str) -> None:
        body = CreateAttachmentRequest(data=CreateAttachmentRequestData(
            type=IncidentAttachmentType.INCIDENT_ATTACHMENTS,
            attributes=CreateAttachmentRequestDataAttributes(
                attachment_type=AttachmentDataAttributesAttachmentType.POSTMORTEM,
                attachment=CreateAttachmentRequestDataAttributesAttachment(
                    document_url=url, title=title))))
        _call("Attaching the post-mortem", lambda: self._api.create_incident_attachment(
            incident_id=incident_id, body=body))

    def declare(self, effect: DeclareIncident) -> MirrorRef:
        user = commander_id(effect.facts, self._people)
        commander = NullableRelationshipToUser(
            data=NullableRelationshipToUserData(id=user, type=UsersType.USERS) if user else None
        )
        attributes = IncidentCreateAttributes(
            title=effect.facts.title,
            # Declared from a report of customer impact: the form's answers say who.
            customer_impacted=True,
            customer_impact_scope=effect.impact_scope,
            fields=self._fields(effect.facts),
            notification_handles=[
                IncidentNotificationHandle(handle=handle.handle,
                                           display_name=handle.display_name)
                for handle in self._config.notification_handles
            ],
            initial_cells=[IncidentTimelineCellMarkdownCreateAttributes(
                cell_type=IncidentTimelineCellMarkdownContentType.MARKDOWN,
                content=IncidentTimelineCellMarkdownCreateAttributesContent(
                    content=effect.timeline_note),
                important=True,
            )],
        )
        body = IncidentCreateRequest(data=IncidentCreateData(
            type=IncidentType.INCIDENTS,
            attributes=attributes,
            relationships=IncidentCreateRelationships(commander_user=commander),
        ))
        response = _call("Declaring the Datadog incident",
                         lambda: self._api.create_incident(body=body))
        public_id = response.data.attributes.get("public_id")
        return MirrorRef(response.data.id, public_id, _app_url(self._host, public_id))
