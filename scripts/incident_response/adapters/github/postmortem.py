"""The post-mortem on GitHub: its branch, its file and its pull request, each made once.

Found again by its branch (`postmortem/incident-N`), so a run that lost an answer does not
make a second one; the file is rewritten only while the bot alone has committed to the branch
(a person's edits are theirs); a refusal GitHub explains only by a repository setting or a
missing permission says which one to change.
"""

from __future__ import annotations

import base64
from urllib.parse import quote

from incident_response.adapters.github.client import SERVICE, GitHubClient
from incident_response.adapters.ports import PostmortemRef
from incident_response.core.decision.effects import WritePostmortem
from incident_response.core.errors import PermanentServiceError, Refusal

__all__ = ["ACTIONS_PULLS_FIX", "PostmortemWriter", "explain_refusal"]


class PostmortemWriter:
    def __init__(self, client: GitHubClient, *, bot_login: str, server_url: str) -> None:
        self._client = client
        self._bot = bot_login
        self._server = server_url.rstrip("/")

    def _only_bot_commits(self, pull_number: int) -> bool:
        commits = self._client.request("Listing the post-mortem's commits", "GET",
                                f"/pulls/{pull_number}/commits",
                                parameters={"per_page": 100}) or []
        return all((c.get("author") or {}).get("login") == self._bot for c in commits)

    def write(self, effect: WritePostmortem, known_pr: int | None) -> PostmortemRef:
        """Branch, file and pull request, each made once; the file updated only while the bot
        is the only one who has committed to the branch. A refusal GitHub explains only by a
        repository setting or a missing permission says which one to change."""
        try:
            return self._write_postmortem(effect, known_pr)
        except PermanentServiceError as error:
            explained = explain_refusal(error)
            if explained is error:
                raise
            raise explained from error

    def _write_postmortem(self, effect: WritePostmortem, known_pr: int | None) -> PostmortemRef:
        branch = quote(effect.branch, safe="/")
        base_name = effect.base or self._default_branch()
        owner = self._client.repository.split("/")[0]
        pulls = self._client.request("Finding the post-mortem pull request", "GET", "/pulls",
                              parameters={"head": f"{owner}:{effect.branch}", "state": "open"})
        pull = pulls[0] if pulls else None
        head = self._client.maybe("Reading the post-mortem branch", f"/git/ref/heads/{branch}")
        if head is None or (pull is None and known_pr is None):
            base = self._client.request("Reading the base branch", "GET",
                                 f"/git/ref/heads/{quote(base_name, safe='/')}")
            if head is None:
                self._client.request("Creating the post-mortem branch", "POST", "/git/refs",
                              input={"ref": f"refs/heads/{effect.branch}",
                                     "sha": base["object"]["sha"]})
            else:
                # A branch left from an earlier cycle (merged) starts again from the base, so
                # the recurrence's pull request carries only its own post-mortem.
                self._client.request("Resetting the post-mortem branch", "PATCH",
                              f"/git/refs/heads/{branch}",
                              input={"sha": base["object"]["sha"], "force": True})
        path = quote(effect.path, safe="/")
        existing = self._client.maybe("Reading the post-mortem file", f"/contents/{path}",
                               parameters={"ref": effect.branch})
        written = True
        encoded = base64.b64encode(effect.content.encode()).decode()
        if existing is None:
            self._client.request("Writing the post-mortem", "PUT", f"/contents/{path}", input={
                "message": effect.commit_message, "content": encoded, "branch": effect.branch})
        elif base64.b64decode(existing.get("content") or "").decode(errors="replace") != (
                effect.content):
            if pull is not None and not self._only_bot_commits(int(pull["number"])):
                written = False
            else:
                self._client.request("Updating the post-mortem", "PUT", f"/contents/{path}", input={
                    "message": effect.commit_message, "content": encoded,
                    "branch": effect.branch, "sha": existing["sha"]})
        if pull is None:
            pull = self._client.request("Opening the post-mortem pull request", "POST", "/pulls",
                                 input={"title": effect.title, "head": effect.branch,
                                        "base": base_name, "body": effect.body})
        file_url = f"{self._server}/{self._client.repository}/blob/{base_name}/{effect.path}"
        return PostmortemRef(int(pull["number"]), str(pull["html_url"]), file_url, written)

    def _default_branch(self) -> str:
        """The repository's default branch, as GitHub says (never assumed to be `main`)."""
        data = self._client.request("Reading the repository", "GET", "")
        return str(data["default_branch"])


#: GitHub's answer to a pull request opened with the workflow token while the repository (or its
#: organisation) does not allow it, the default for new repositories since 2025: HTTP 403
#: {"message": "GitHub Actions is not permitted to create or approve pull requests.",
#: "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
#: "status": "403"} (danielroe/uppt#11, peter-evans/create-pull-request#3979 "In all new
#: repositories, you now have to explicitly enable this"; the setting: GitHub changelog
#: 2022-05-03 "Prevent GitHub Actions from creating and approving pull requests").
_ACTIONS_MAY_NOT_OPEN_PULLS = "not permitted to create or approve pull requests"
ACTIONS_PULLS_FIX = (
    "GitHub Actions may not open pull requests here (HTTP 403): turn on Settings → Actions → "
    "General → Workflow permissions → \"Allow GitHub Actions to create and approve pull "
    "requests\", or give the Action's github-token input a GitHub App token (docs/adoption.md)")
#: What GitHub answers a token without the permission an endpoint needs: HTTP 403
#: {"message": "Resource not accessible by integration", ...} (actions/create-github-app-token#258,
#: jgehrcke/github-repo-stats#58).
_NOT_ACCESSIBLE = "Resource not accessible by integration"


def explain_refusal(error: PermanentServiceError) -> PermanentServiceError:
    """The post-mortem's 403s, with the one thing to change: a refusal for want of a
    setting or a permission (tried again hourly, or after `/retry`: core/decision/retry.py)."""
    text = str(error)
    if error.status != 403:
        return error
    if _ACTIONS_MAY_NOT_OPEN_PULLS in text:
        return PermanentServiceError(SERVICE, error.message, status=403,
                                     reason=Refusal.PERMISSION, fix=ACTIONS_PULLS_FIX)
    if _NOT_ACCESSIBLE in text:
        action = error.message.split(" failed", 1)[0]
        permission = ("pull-requests" if "pull request" in action or "commits" in action
                      else "contents")
        return PermanentServiceError(SERVICE, error.message, status=403,
                                     reason=Refusal.PERMISSION, fix=(
            f"The token lacks `{permission}: write`: give the job `permissions:` "
            "`contents: write` and `pull-requests: write` (or the GitHub App those "
            "permissions)"))
    return error
