"""`incident-response init`: set a repository up for its first incident.

Writes the issue form, the policy and the workflows into the repository's `.github/` from
the copies shipped with the program (never overwriting a file that differs: it is kept and
reported), and creates or updates every label the policy names, with its colour and
description, through the GitHub REST API. GitHub's issue forms do not apply a label that does
not exist in the repository, so without this the first report gets no incident label and the
workflow skips it silently. Every step is idempotent: a second run changes nothing and says so.
"""

from __future__ import annotations

import argparse
import json
import re
import ssl
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from incident_response.adapters.slack.scopes import scope_lines
from incident_response.core.errors import UsageError
from incident_response.core.rules.labels import LabelSpec, label_specs
from incident_response.core.rules.policy import Policy
from incident_response.resources import default_config_path, default_form_path, workflow_path
from incident_response.shell.configuration import load_policy
from incident_response.shell.context import RunContext

__all__ = ["DEFAULT_ACTION", "init", "shipped_workflow_path", "target_files"]

#: the `uses:` the written workflows name; OWNER is the adopter's to fill in
DEFAULT_ACTION = "OWNER/incident-response@v1"
#: the settings no API call here can make, and the secrets only a person can paste
BY_HAND = (
    "Add the repository secrets you use (Settings -> Secrets and variables -> Actions): "
    "PAGERDUTY_ROUTING_KEY, DD_API_KEY and DD_APP_KEY, SLACK_BOT_TOKEN. Each is optional; "
    "without it that integration is skipped with a notice.",
    "Settings -> Actions -> General -> Workflow permissions: tick \"Allow GitHub Actions to "
    "create and approve pull requests\", or the post-mortem pull request is refused (HTTP 403).",
    "Edit .github/incident-response.yml (services, channels, people), then run "
    "`incident-response validate` and `incident-response drill`.",
    "Commit and push the written files to the default branch: the workflows run from there.",
)

#: the step that runs the Action from the checkout, as this repository's own workflows do
_LOCAL_ACTION = re.compile(r"^(?P<indent>[ \t]*(?:- )?)uses: \./[ \t]*$", re.MULTILINE)
_TIMEOUT_SECONDS = 15.0


def shipped_workflow_path(name: str) -> Path:
    """A workflow as shipped (resources.py), or a usage error saying how to get it back."""
    found = workflow_path(name)
    if found is None:
        msg = (f"the shipped workflow {name} is missing from this installation; reinstall "
               "incident-response, or copy .github/workflows/ from its repository")
        raise UsageError(msg)
    return found


def _workflow_text(name: str, action: str, incident_label: str, default_branch: str | None,
                   ) -> str:
    """The shipped workflow as an adopting repository needs it: the released Action instead
    of the checkout's (`uses: ./`), the policy's incident label in its `if:`, and the
    repository's own default branch wherever a branch is named."""
    text = shipped_workflow_path(name).read_text(encoding="utf-8")
    text = _LOCAL_ACTION.sub(lambda m: f"{m['indent']}uses: {action}", text)
    text = text.replace(
        "# Adopting teams copy this file and replace `uses: ./` with `uses: OWNER/REPO@v1`.\n",
        "# Written by `incident-response init`; `incident-response validate` checks it.\n")
    if incident_label != "incident":
        quoted = incident_label.replace("'", "''")
        text = text.replace("labels.*.name, 'incident')", f"labels.*.name, '{quoted}')")
        text = text.replace("github.event.label.name == 'incident'",
                            f"github.event.label.name == '{quoted}'")
    if default_branch:
        text = text.replace("branches: [main]", f"branches: [{default_branch}]")
    return text


_SCHEMA_URL = "https://raw.githubusercontent.com/OWNER/incident-response/v1/"


def _config_text(action: str) -> str:
    """The shipped config, its schema reference pointing at the Action's own repository and
    ref (`OWNER/REPO@REF`), so an editor can fetch the schema the config is checked against."""
    text = default_config_path().read_text(encoding="utf-8")
    repository, _, ref = action.partition("@")
    if "/" in repository and ref and not repository.startswith("OWNER/"):
        text = text.replace(_SCHEMA_URL,
                            f"https://raw.githubusercontent.com/{repository}/{ref}/")
    return text


def _form_text(incident_label: str) -> str:
    text = default_form_path().read_text(encoding="utf-8")
    if incident_label != "incident":
        text = text.replace("labels: [incident]\n", f"labels: [{json.dumps(incident_label)}]\n")
    return text


def target_files(policy: Policy, action: str, default_branch: str | None) -> dict[str, str]:
    """Each file init writes, relative to the repository root, with its content."""
    label = policy.labels.incident
    return {
        ".github/ISSUE_TEMPLATE/incident.yml": _form_text(label),
        ".github/incident-response.yml": _config_text(action),
        ".github/workflows/incident.yml": _workflow_text("incident.yml", action, label,
                                                         default_branch),
        ".github/workflows/sweep.yml": _workflow_text("sweep.yml", action, label,
                                                      default_branch),
        ".github/workflows/sweep-daily.yml": _workflow_text("sweep-daily.yml", action, label,
                                                            default_branch),
        ".github/workflows/report.yml": _workflow_text("report.yml", action, label,
                                                       default_branch),
    }


def _write_files(root: Path, files: dict[str, str], *, dry_run: bool) -> list[tuple[str, str]]:
    """(status, path) for each file: written, unchanged, or kept, differs (never replaced)."""
    done = []
    for relative, text in files.items():
        path = root / relative
        if path.exists():
            same = path.read_text(encoding="utf-8") == text
            done.append(("unchanged" if same else "kept, differs", relative))
            continue
        if not dry_run:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        done.append(("would write" if dry_run else "written", relative))
    return done


class _GitHubError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class _GitHub:
    """The few REST calls init makes: no client library, nothing kept between calls."""

    api_url: str
    repository: str
    token: str
    ca_file: str | None

    def request(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.api_url.rstrip('/')}/repos/{self.repository}{path}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(url, data=data, method=method, headers={  # noqa: S310
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "incident-response-init",
            **({"Content-Type": "application/json"} if data is not None else {}),
        })
        context = ssl.create_default_context(cafile=self.ca_file)
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS,  # noqa: S310
                                        context=context) as answer:
                text = answer.read()
        except urllib.error.HTTPError as error:
            try:
                message = str(json.loads(error.read()).get("message") or error.reason)
            except (ValueError, AttributeError):
                message = str(error.reason)
            raise _GitHubError(error.code, message) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise _GitHubError(0, f"GitHub did not answer ({error})") from error
        return json.loads(text) if text else None


def _explain(action: str, error: _GitHubError, repository: str) -> str:
    hint = {
        401: "the token is not valid (GITHUB_TOKEN)",
        403: "the token may not write labels: it needs `issues: write` (a fine-grained token "
             "with Issues read and write, or a classic token with `repo`)",
        404: f"{repository} does not exist or the token cannot see it (check --repo)",
    }.get(error.status, "")
    status = f"HTTP {error.status}" if error.status else "no answer"
    return f"{action} failed ({status}: {error}){'; ' + hint if hint else ''}"


def _ensure_label(github: _GitHub, spec: LabelSpec) -> str:
    """"created", or "present" for a label that exists, which is then given the spec's colour
    and description (the same values again change nothing). One request for a new label, two
    for one that exists."""
    try:
        github.request("POST", "/labels", {"name": spec.name, "color": spec.color,
                                           "description": spec.description})
    except _GitHubError as error:
        if error.status != 422:
            raise
    else:
        return "created"
    github.request("PATCH", f"/labels/{quote(spec.name, safe='')}",
                   {"color": spec.color, "description": spec.description})
    return "present"


def _labels(policy: Policy) -> list[LabelSpec]:
    return list(label_specs(policy).values())


def _default_branch(github: _GitHub) -> str | None:
    """The repository's real default branch, or None (said why) when it cannot be read."""
    try:
        branch = str(github.request("GET", "")["default_branch"])
    except _GitHubError as error:
        print(f"  ! {_explain('Reading the repository', error, github.repository)}")
        return None
    print(f"Default branch: {branch} (post-mortem pull requests target it; the workflows "
          "name no branch)")
    return branch


def _set_up_labels(github: _GitHub | None, specs: list[LabelSpec], skipped: str, *,
                   dry_run: bool) -> tuple[int, bool]:
    """(how many labels were created, whether any failed), each printed as it goes."""
    print(f"Labels ({len(specs)}):")
    if github is None:
        print(f"  skipped: {skipped}. Run init again with GITHUB_TOKEN and --repo to create "
              "them; until they exist the form cannot label a report and no run starts.")
        return 0, False
    if dry_run:
        print("  would create, or set the colour and description of: "
              + ", ".join(spec.name for spec in specs))
        return 0, False
    created = present = 0
    failed = False
    for spec in specs:
        try:
            result = _ensure_label(github, spec)
        except _GitHubError as error:
            failed = True
            print(f"  ! {_explain(f'Label {spec.name}', error, github.repository)}")
            continue
        if result == "created":
            created += 1
            print(f"  created: {spec.name}")
        else:
            present += 1
    if present:
        print(f"  already there: {present} label(s), colours and descriptions as shipped")
    return created, failed


def _slack_scopes(policy: Policy) -> str:
    """The by-hand step of the Slack bot's scopes, for the config's channels as written."""
    lines = scope_lines([policy.chat.support_channel, policy.chat.leadership_channel])
    return ("Give the Slack bot behind SLACK_BOT_TOKEN its scopes (api.slack.com/apps -> "
            "OAuth & Permissions -> Bot Token Scopes, then reinstall the app) and invite it to "
            "the channels (/invite @your-bot):" + "".join(f"\n     - {line}" for line in lines))


def _by_hand(action: str, policy: Policy) -> None:
    print("Left to do by hand:")
    steps = list(BY_HAND)
    steps.insert(1, _slack_scopes(policy))
    if action.startswith("OWNER/"):
        steps.insert(0, f"In .github/workflows/incident.yml and sweep.yml, replace OWNER in "
                        f"`uses: {action}` with the owner of the incident-response repository "
                        "(or run init with --action OWNER/REPO@REF).")
    for number, step in enumerate(steps, 1):
        print(f"  {number}. {step}")


def init(arguments: argparse.Namespace, config: Path | None, context: RunContext) -> int:
    root: Path = arguments.path
    if not root.is_dir():
        msg = f"--path {root}: no such folder; give the root of your repository's checkout"
        raise UsageError(msg)
    config = config or (root / ".github" / "incident-response.yml")
    policy = load_policy(config if config.exists() else None)
    repository = arguments.repo or context.repository
    if repository is not None and repository.count("/") != 1:
        msg = f"--repo {repository!r}: write it as OWNER/REPO"
        raise UsageError(msg)
    action = arguments.action or DEFAULT_ACTION
    dry_run: bool = arguments.dry_run
    prefix = "incident-response init" + (" (dry run: nothing written)" if dry_run else "")
    print(f"{prefix}: setting up {repository or 'the repository'} in {root.resolve()}")

    github = None
    if repository and context.github_token:
        github = _GitHub(context.github_api_url, repository, context.github_token,
                         context.ca_file)
    default_branch = _default_branch(github) if github is not None else None
    failed = github is not None and default_branch is None
    skipped = ("no repository: pass --repo OWNER/REPO" if not repository
               else "GITHUB_TOKEN is not set" if not context.github_token
               else "the repository could not be read (above)")
    if failed:
        github = None

    print("Files:")
    files = _write_files(root, target_files(policy, action, default_branch), dry_run=dry_run)
    for status, relative in files:
        print(f"  {status}: {relative}")
    if any(status == "kept, differs" for status, _ in files):
        print("  A file that differs from the shipped copy is kept as it is; to take the "
              "shipped one, move yours aside and run init again, then merge your changes.")

    created, labels_failed = _set_up_labels(github, _labels(policy), skipped, dry_run=dry_run)
    failed = failed or labels_failed
    _by_hand(action, policy)
    written = any(status in ("written", "would write") for status, _ in files)
    if not (dry_run or written or failed or created or github is None):
        print("Nothing new: every file was already in place and every label already existed.")
    return 1 if failed else 0
