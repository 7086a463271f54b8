"""What a run leaves in GitHub Actions: the job summary, step outputs and annotations."""

from __future__ import annotations

from incident_response.shell.context import RunContext

__all__ = ["annotate", "write_outputs", "write_summary"]


def _one_line(text: str) -> str:
    # Workflow commands end at a newline; `%` starts an escape in them.
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def annotate(level: str, title: str, message: str) -> None:
    print(f"::{level} title={_one_line(title).replace(',', '%2C').replace(':', '%3A')}::"
          f"{_one_line(message)}")


def write_summary(context: RunContext, markdown: str) -> None:
    path = context.summary_path
    if path:
        with path.open("a", encoding="utf-8") as summary:
            summary.write(markdown.rstrip() + "\n")


def write_outputs(context: RunContext, outputs: dict[str, str]) -> None:
    path = context.output_path
    if not path:
        return
    with path.open("a", encoding="utf-8") as output:
        for key, value in outputs.items():
            output.write(f"{key}={' '.join(str(value).split())}\n")

