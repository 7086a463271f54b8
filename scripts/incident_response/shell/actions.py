"""What a run leaves in GitHub Actions: the job summary, step outputs and annotations."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["annotate", "run_url", "write_outputs", "write_summary"]


def _one_line(text: str) -> str:
    # Workflow commands end at a newline; `%` starts an escape in them.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotate(level: str, title: str, message: str) -> None:
    print(f"::{level} title={_one_line(title).replace(',', '%2C').replace(':', '%3A')}::"
          f"{_one_line(message)}")


def write_summary(markdown: str) -> None:
    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if path:
        with Path(path).open("a", encoding="utf-8") as summary:
            summary.write(markdown.rstrip() + "\n")


def write_outputs(outputs: dict[str, str]) -> None:
    path = os.environ.get("GITHUB_OUTPUT")
    if not path:
        return
    with Path(path).open("a", encoding="utf-8") as output:
        for key, value in outputs.items():
            output.write(f"{key}={' '.join(str(value).split())}\n")


def run_url() -> str | None:
    """The link to this workflow run, for the status comment."""
    server, repo, run = (os.environ.get(k) for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else None
