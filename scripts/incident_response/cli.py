"""The `incident-response` command line: parse arguments, then hand over to the run modules.

Imports here stay light; the service clients load only once a run knows it needs them.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from incident_response.core.errors import ConfigError, UsageError
from incident_response.shell.context import RunContext

__all__ = ["first_step", "main"]

DEFAULT_CONFIG = Path(".github/incident-response.yml")


def _now(text: str | None) -> datetime:
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        msg = f"--now {text!r} is not ISO 8601; write it as 2026-11-28T10:31:00Z"
        raise UsageError(msg) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _version() -> str:
    """The installed distribution's version; run from a checkout, the one in pyproject.toml."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("incident-response")
    except PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


class _VersionAction(argparse.Action):
    """`--version`, looked up only when asked: the fast path does not import importlib.metadata."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"{parser.prog} {_version()}")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-response",
        description="GitHub-native incident response, run by GitHub Actions.",
    )
    parser.add_argument("--version", action=_VersionAction, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--config", type=Path, default=None,
                         help="policy file (default: .github/incident-response.yml if present, "
                              "else the built-in defaults)")
        sub.add_argument("--dry-run", action="store_true",
                         help="decide and print the whole plan; send nothing")
        sub.add_argument("--now", help="the clock, ISO 8601 (drills, tests)")

    handle = commands.add_parser("handle", help="handle the current GitHub Actions event, or "
                                                "one incident (--issue) from a terminal")
    common(handle)
    handle.add_argument("--event", help="event payload file (default: $GITHUB_EVENT_PATH)")
    handle.add_argument("--event-name", help="event name (default: $GITHUB_EVENT_NAME)")
    handle.add_argument("--repo", help="OWNER/REPO (default: $GITHUB_REPOSITORY)")
    handle.add_argument("--issue", type=int, metavar="NUMBER",
                        help="handle this incident with no event, everything read from GitHub: "
                             "the way through while GitHub Actions is down or late "
                             "(docs/troubleshooting.md)")
    handle.add_argument("--form", type=Path, default=None,
                        help="issue form (default: .github/ISSUE_TEMPLATE/incident.yml if "
                             "present, else the built-in one)")
    handle.add_argument("--paged", type=Path, default=None, metavar="FILE",
                        help="the record of the page the Action's first step sent: the run "
                             "records that page as done and does not send it again")

    sweep = commands.add_parser("sweep", help="reminders and repairs for every open incident")
    common(sweep)
    sweep.add_argument("--repo", help="OWNER/REPO (default: $GITHUB_REPOSITORY)")
    sweep.add_argument("--list-due", action="store_true",
                       help="only find the incidents with something due and print their "
                            "numbers as JSON (step output `incidents`); send nothing")
    sweep.add_argument("--incident", type=int, action="append", metavar="NUMBER",
                       help="sweep only this incident (repeatable): the sweep workflow runs "
                            "each due incident in that incident's own concurrency group")
    sweep.add_argument("--schedule", choices=("frequent", "daily"), default=None,
                       help="the schedule running it: `frequent` (sweep.yml) leaves the "
                            "follow-ups to `daily` (sweep-daily.yml), which does not count as "
                            "the frequent sweep for `Reminders are paused`; both read what "
                            "changed; by hand, leave it out (every list is read)")
    sweep.add_argument("--keep-schedule", action="store_true",
                       help="enable the frequent sweep while an incident is live, disable it "
                            "otherwise (keeping the daily sweep on); needs `actions: write`")
    sweep.add_argument("--form", type=Path, default=None,
                       help="issue form (default: .github/ISSUE_TEMPLATE/incident.yml if "
                            "present, else the built-in one)")

    drill = commands.add_parser("drill", help="a tabletop exercise of a whole incident, offline")
    common(drill)
    drill.add_argument("--scenario", default="p1",
                       help="p1 (default), p3-staging or escalation")
    drill.add_argument("--output", type=Path, default=Path("drill-output"),
                       help="folder for the post-mortem and the transcript (default: "
                            "drill-output)")
    drill.add_argument("--form", type=Path, default=None,
                       help="issue form (default: .github/ISSUE_TEMPLATE/incident.yml if "
                            "present, else the built-in one)")

    validate = commands.add_parser("validate",
                                   help="check the config and the issue form agree")
    common(validate)
    validate.add_argument("--form", type=Path, default=None,
                          help="issue form (default: .github/ISSUE_TEMPLATE/incident.yml)")

    report = commands.add_parser("report", help="the incident report of a month or a range")
    report.add_argument("--config", type=Path, default=None,
                        help="policy file (default: .github/incident-response.yml if present, "
                             "else the built-in defaults)")
    report.add_argument("--now", help="the clock, ISO 8601 (drills, tests)")
    report.add_argument("--repo", help="OWNER/REPO (default: $GITHUB_REPOSITORY)")
    report.add_argument("--month", metavar="YYYY-MM",
                        help="the month (default: the last full month)")
    report.add_argument("--since", metavar="DATE", help="start of a range (YYYY-MM-DD, UTC)")
    report.add_argument("--until", metavar="DATE",
                        help="end of a range, that day included (default: now)")
    report.add_argument("--format", choices=("markdown", "json", "csv"), default="markdown",
                        help="markdown (default), json or csv")
    report.add_argument("--output", type=Path, default=None,
                        help="file to write (default: standard output)")
    report.add_argument("--publish", action="store_true",
                        help="create or update the month's `incident-report` issue")

    init = commands.add_parser("init", help="set a repository up: labels, form, config and "
                                            "workflows")
    common(init)
    init.add_argument("--path", type=Path, default=Path(),
                      help="the repository's root (default: the working directory)")
    init.add_argument("--repo", help="OWNER/REPO whose labels to create (default: "
                                     "$GITHUB_REPOSITORY)")
    init.add_argument("--action", default=None, metavar="OWNER/REPO@REF",
                      help="what the workflows' `uses:` names (default: "
                           "OWNER/incident-response@v1, OWNER left for you to fill in)")
    return parser


def _config_path(given: Path | None) -> Path | None:
    if given is not None:
        if not given.exists():
            msg = f"--config {given}: no such file"
            raise ConfigError(msg)
        return given
    return DEFAULT_CONFIG if DEFAULT_CONFIG.exists() else None


def first_step(argv: list[str] | None = None) -> int:
    """The Action's first step (scripts/page_first.py), before the job's set-up: the page of a
    report just opened, if it calls for one (shell/page_step.py). Always 0: whatever it cannot
    do is left to the full run, which follows."""
    parser = argparse.ArgumentParser(
        prog="page_first.py", description="Page on-call for a report just opened, before the "
        "Action's set-up; the full run (`handle --paged FILE`) records it.")
    parser.add_argument("--config", type=Path, default=None,
                        help="policy file (default: .github/incident-response.yml if present)")
    parser.add_argument("--page-record", type=Path, required=True, metavar="FILE",
                        help="where to write the page sent, for `handle --paged FILE`")
    arguments = parser.parse_args(argv)
    from incident_response.shell.page_step import page_step

    try:
        config = _config_path(arguments.config)
    except ConfigError as error:
        print(f"incident-response (first step): {error}; the page is left to the full run")
        return 0
    # The world, read once, as `main` does.
    page_step(RunContext.from_environment(os.environ, datetime.now(UTC)), config,
              arguments.page_record)
    return 0


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0911 (one return per command)
    arguments = _parser().parse_args(argv)
    try:
        config = _config_path(arguments.config)
        # The world, read once: the environment and the clock.
        context = RunContext.from_environment(os.environ, _now(arguments.now))
        if arguments.command == "handle":
            from incident_response.commands.handle import handle

            return handle(arguments, config, context)
        if arguments.command == "sweep":
            from incident_response.commands.sweep import sweep

            return sweep(arguments, config, context)
        if arguments.command == "drill":
            from incident_response.commands.drill.command import drill

            return drill(arguments, config, context)
        if arguments.command == "validate":
            from incident_response.commands.validate import validate

            return validate(config, arguments.form)
        if arguments.command == "report":
            from incident_response.commands.report import report

            return report(arguments, config, context)
        if arguments.command == "init":
            from incident_response.commands.init import init

            return init(arguments, arguments.config, context)
    except (UsageError, ConfigError) as error:
        print(f"incident-response: {error}", file=sys.stderr)
        return 2
    return 2
