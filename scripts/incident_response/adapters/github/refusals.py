"""GitHub's answers sorted into transient and permanent, each refusal with what to fix.

Shared by the PyGithub client (client.py) and the standard-library reads of the early page
(reads.py), so a refused token reads the same wherever a run meets it: loading the issue,
the sweep's listing, writing the record, an effect. Imports nothing heavy.

What GitHub answers, and the sources:

- 401 `{"message": "Bad credentials", ...}` for a token it does not accept (expired, revoked,
  a typo): anmol098/waka-readme-stats#506, WolfgangFahl/nicegui_widgets#99; PyGithub raises
  BadCredentialsException for exactly this (Requester.createException).
- 403 `{"message": "Resource not accessible by integration", ...}` for a workflow or App token
  without the permission the endpoint needs: actions/create-github-app-token#258,
  jgehrcke/github-repo-stats#58.
- 403 or 429 for a rate limit: "If you exceed your primary rate limit, you will receive a 403
  Forbidden or 429 Too Many Requests response, and the x-ratelimit-remaining header will be
  0. If you exceed a secondary rate limit, you will receive a 403 Forbidden or 429 Too Many
  Requests response and an error message that indicates that you exceeded a secondary rate
  limit." (docs.github.com, "Troubleshooting the REST API", Rate limit errors). Transient.
- 404 for what does not exist, and for what the token may not see (a private repository
  answers 404, not 403, to a token without access: same page, "404 Not Found for an existing
  resource").
- 422 for a request GitHub validates and refuses (a title over 256 characters, a body over
  65,536): tests/fixtures/github (the fake's recorded answers).
"""

from __future__ import annotations

from collections.abc import Mapping

from incident_response.core.errors import (
    PermanentServiceError,
    Refusal,
    ServiceError,
    TransientServiceError,
)

__all__ = ["CREDENTIAL", "REFUSED_FIX", "SERVICE", "github_error"]

SERVICE = "GitHub"
CREDENTIAL = "GITHUB_TOKEN"
REFUSED_FIX = ("GitHub refused GITHUB_TOKEN: check the token the workflow gives the Action (its "
             "`github-token` input, the job's own token by default, passed to the program as "
             "GITHUB_TOKEN) and the job's `permissions:`")
_PERMISSION_FIX = ("the token lacks a permission: give the job `permissions:` `issues: "
                   "write`, `contents: write` and `pull-requests: write` (docs/adoption.md), "
                   "or the GitHub App behind the `github-token` input the same")
_GONE_FIX = ("it no longer exists on GitHub, or the token may not see it (check the "
             "repository and the job's `permissions:`)")
_NOT_ACCESSIBLE = "resource not accessible by integration"
_RATE_LIMITED = ("rate limit", "abuse detection")


def _rate_limited(status: int, message: str, headers: Mapping[str, str] | None) -> bool:
    remaining = {k.lower(): v for k, v in (headers or {}).items()}.get("x-ratelimit-remaining")
    return status == 429 or (status == 403 and (
        remaining == "0" or any(word in message.lower() for word in _RATE_LIMITED)))


def github_error(action: str, status: int, message: str | None, *,
                 headers: Mapping[str, str] | None = None) -> ServiceError:
    """The project's error for GitHub's answer `status` to `action` ("Reading the issue"):
    transient (5xx, 408, rate limits) or permanent, with its reason and fix."""
    text = f"{action} failed with HTTP {status}" + (f": {message}" if message else "")
    said = message or ""
    if status in (408, 429) or status >= 500 or _rate_limited(status, said, headers):
        return TransientServiceError(SERVICE, text, status=status)
    if status == 401:
        return PermanentServiceError(SERVICE, text, status=status, reason=Refusal.CREDENTIALS,
                                     fix=REFUSED_FIX, credential=CREDENTIAL)
    if status == 403:
        fix = _PERMISSION_FIX if _NOT_ACCESSIBLE in said.lower() else (
            f"GitHub refused it: {_PERMISSION_FIX}")
        return PermanentServiceError(SERVICE, text, status=status, reason=Refusal.PERMISSION,
                                     fix=fix)
    if status in (404, 410):
        return PermanentServiceError(SERVICE, text, status=status, reason=Refusal.GONE,
                                     fix=_GONE_FIX)
    return PermanentServiceError(SERVICE, text, status=status, reason=Refusal.INVALID)
