"""The world as a run sees it, read once at the command line: the environment and the clock.

No other module reads the environment or the clock: they are handed this. Tests and drills
build one directly. Secrets are kept out of `repr`, so a context printed in a traceback or a
log shows none of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

__all__ = ["RunContext"]


@dataclass(frozen=True)
class RunContext:
    #: the run's clock: `--now`, or the system's time when the run started
    now: datetime
    repository: str | None = None
    github_token: str | None = field(default=None, repr=False)
    github_api_url: str = "https://api.github.com"
    github_server_url: str = "https://github.com"
    run_id: str | None = None
    #: GITHUB_RUN_ATTEMPT: "begins at 1 for the workflow run's first attempt, and increments
    #: with each re-run" ("Variables reference", docs.github.com); a re-run replays the first
    #: attempt's event payload (spiceai/spiceai#12805), so its event's time is not news
    run_attempt: int = 1
    #: GITHUB_ACTIONS: "Always set to true when GitHub Actions is running the workflow" (same
    #: page); otherwise a person runs the program by hand, from a terminal
    in_actions: bool = False
    event_name: str | None = None
    event_path: str | None = None
    summary_path: Path | None = None
    output_path: Path | None = None
    datadog_api_key: str | None = field(default=None, repr=False)
    datadog_app_key: str | None = field(default=None, repr=False)
    datadog_site: str = "datadoghq.com"
    datadog_api_url: str | None = None
    slack_bot_token: str | None = field(default=None, repr=False)
    slack_api_url: str = "https://slack.com/api/"
    pagerduty_routing_key: str | None = field(default=None, repr=False)
    pagerduty_events_url: str = "https://events.pagerduty.com"
    pagerduty_api_token: str | None = field(default=None, repr=False)
    pagerduty_api_url: str = "https://api.pagerduty.com"
    #: CA bundle for every outbound HTTPS connection (SSL_CERT_FILE), None for the system's
    ca_file: str | None = None

    @classmethod
    def from_environment(cls, environment: Mapping[str, str], now: datetime) -> RunContext:
        """The run's context from the GitHub Actions environment (README: Environment)."""
        def value(name: str) -> str | None:
            return environment.get(name) or None

        def path(name: str) -> Path | None:
            text = value(name)
            return Path(text) if text else None

        attempt = value("GITHUB_RUN_ATTEMPT") or "1"

        return cls(
            now=now,
            repository=value("GITHUB_REPOSITORY"),
            github_token=value("GITHUB_TOKEN"),
            github_api_url=value("GITHUB_API_URL") or cls.github_api_url,
            github_server_url=value("GITHUB_SERVER_URL") or cls.github_server_url,
            run_id=value("GITHUB_RUN_ID"),
            run_attempt=int(attempt) if attempt.isdigit() else 1,
            in_actions=value("GITHUB_ACTIONS") == "true",
            event_name=value("GITHUB_EVENT_NAME"),
            event_path=value("GITHUB_EVENT_PATH"),
            summary_path=path("GITHUB_STEP_SUMMARY"),
            output_path=path("GITHUB_OUTPUT"),
            datadog_api_key=value("DD_API_KEY"),
            datadog_app_key=value("DD_APP_KEY"),
            datadog_site=value("DD_SITE") or cls.datadog_site,
            datadog_api_url=value("DATADOG_API_URL"),
            slack_bot_token=value("SLACK_BOT_TOKEN"),
            slack_api_url=value("SLACK_API_URL") or cls.slack_api_url,
            pagerduty_routing_key=value("PAGERDUTY_ROUTING_KEY"),
            pagerduty_events_url=value("PAGERDUTY_EVENTS_URL") or cls.pagerduty_events_url,
            pagerduty_api_token=value("PAGERDUTY_API_TOKEN"),
            pagerduty_api_url=value("PAGERDUTY_API_URL") or cls.pagerduty_api_url,
            ca_file=value("SSL_CERT_FILE"),
        )

    @property
    def run_url(self) -> str | None:
        """The link to this workflow run, for the status comment."""
        if self.repository and self.run_id:
            return f"{self.github_server_url}/{self.repository}/actions/runs/{self.run_id}"
        return None
