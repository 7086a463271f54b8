"""Build the adapters this run can have from the environment (CONTRACT §4).

An integration whose credentials are absent is left out with the reason, which the run shows
as a notice; the vendor SDK of an integration is imported only when it is built.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from incident_response.adapters.ports import IssueTracker
from incident_response.adapters.transport import Transport
from incident_response.core.errors import UsageError
from incident_response.core.policy import Policy
from incident_response.shell.execute import Services

if TYPE_CHECKING:  # the adapter (and PyGithub) load only when a run needs GitHub
    from incident_response.adapters.github_tracker import GitHubTracker

__all__ = ["build_services", "github_tracker", "transport"]


def transport(policy: Policy) -> Transport:
    return Transport.from_environment(
        policy.delivery.attempts, policy.delivery.timeout_seconds,
        policy.delivery.backoff_seconds,
    )


def github_tracker(repository: str, policy: Policy) -> GitHubTracker:
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        msg = "GITHUB_TOKEN is not set: the workflow must pass the token (see README)"
        raise UsageError(msg)
    from incident_response.adapters.github_tracker import GitHubTracker

    api_url = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
    return GitHubTracker(token, repository, api_url, transport(policy),
                         bot_login=policy.github.bot_login,
                         server_url=os.environ.get("GITHUB_SERVER_URL") or "https://github.com")


def build_services(repository: str, policy: Policy,
                   github: IssueTracker | None = None) -> Services:
    services = Services(github=github or github_tracker(repository, policy))
    shared = transport(policy)

    routing_key = os.environ.get("PAGERDUTY_ROUTING_KEY")
    if routing_key:
        from incident_response.adapters.pagerduty_pager import PagerDutyPager

        services.pager = PagerDutyPager(
            routing_key,
            os.environ.get("PAGERDUTY_EVENTS_URL") or "https://events.pagerduty.com",
            shared,
        )
    else:
        services.missing["PagerDuty"] = "PAGERDUTY_ROUTING_KEY is not set"

    api_key, app_key = os.environ.get("DD_API_KEY"), os.environ.get("DD_APP_KEY")
    if api_key and app_key:
        from incident_response.adapters.datadog_mirror import DatadogMirror, datadog_host

        host = datadog_host(os.environ.get("DD_SITE") or "datadoghq.com",
                            os.environ.get("DATADOG_API_URL"))
        services.mirror = DatadogMirror(api_key, app_key, host, shared)
    else:
        services.missing["Datadog"] = "DD_API_KEY and DD_APP_KEY are not both set"

    slack_token = os.environ.get("SLACK_BOT_TOKEN")
    if slack_token:
        from incident_response.adapters.slack_notifier import SlackNotifier

        services.chat = SlackNotifier(
            slack_token, os.environ.get("SLACK_API_URL") or "https://slack.com/api/", shared)
    else:
        services.missing["Slack"] = "SLACK_BOT_TOKEN is not set"
    return services
