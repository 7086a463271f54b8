"""The repository's Actions workflows: read a workflow's state, enable it, disable it.

The sweep's schedules are switched on and off through GitHub's REST API ("REST API endpoints
for workflows": get, enable, disable a workflow, each by its file name). The workflow token
needs `actions: write` for enable and disable, `actions: read` to read a workflow ("Permissions
required for GitHub Apps", section Actions, the list the `permissions:` key follows); without
it GitHub answers 403 "Resource not accessible by integration", told as a PermanentServiceError
with the permission named (client.py).
"""

from __future__ import annotations

from incident_response.adapters.github.client import GitHubClient

__all__ = ["ACTIVE", "GitHubWorkflows"]

#: the `state` of a workflow that runs on its triggers; the others are `disabled_manually`
#: (disabled by a person or by this program), `disabled_inactivity` (GitHub: "In a public
#: repository, scheduled workflows are automatically disabled when no repository activity has
#: occurred in 60 days"), `disabled_fork` and `deleted` (schema `workflow`)
ACTIVE = "active"


class GitHubWorkflows:
    """One repository's workflows, over the tracker's own client."""

    def __init__(self, client: GitHubClient) -> None:
        self._client = client

    def state(self, file_name: str) -> str | None:
        """The workflow's `state`, None when the repository has no such workflow file."""
        data = self._client.maybe(f"Reading the workflow {file_name}",
                                  f"/actions/workflows/{file_name}")
        return str(data.get("state") or "") if data else None

    def enable(self, file_name: str) -> None:
        """Sets the workflow's state to `active` (204; enabling an active workflow changes
        nothing). A workflow GitHub disabled for inactivity is enabled the same way: re-enabling
        such workflows through this endpoint is what Kuadrant/testsuite#738 automates."""
        self._client.request(f"Enabling the workflow {file_name}", "PUT",
                             f"/actions/workflows/{file_name}/enable")

    def disable(self, file_name: str) -> None:
        """Sets the workflow's state to `disabled_manually`: none of its triggers start it
        until it is enabled again ("Disabling and enabling a workflow")."""
        self._client.request(f"Disabling the workflow {file_name}", "PUT",
                             f"/actions/workflows/{file_name}/disable")
