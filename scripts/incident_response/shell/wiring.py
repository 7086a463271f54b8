"""Build the adapters this run can have from its context (CONTRACT §4).

An integration whose credentials are absent is left out with the reason, which the run shows
as a notice; the vendor SDK of an integration is imported only when it is built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from incident_response.adapters.ports import Acknowledgements, IssueTracker
from incident_response.adapters.transport import Transport
from incident_response.core.errors import UsageError
from incident_response.core.rules.policy import Policy
from incident_response.shell.context import RunContext
from incident_response.shell.execute import Services

if TYPE_CHECKING:  # each adapter (and its vendor SDK) loads only when a run needs it
    from incident_response.adapters.datadog.mirror import DatadogMirror
    from incident_response.adapters.github.tracker import GitHubTracker
    from incident_response.adapters.pagerduty.pager import PagerDutyPager
    from incident_response.adapters.slack.notifier import SlackNotifier

__all__ = ["acknowledgements", "build_services", "chat_notifier", "github_tracker", "pager",
           "transport"]


def transport(policy: Policy, context: RunContext) -> Transport:
    return Transport(policy.delivery.attempts, policy.delivery.timeout_seconds,
                     policy.delivery.backoff_seconds, context.ca_file)


def github_tracker(context: RunContext, repository: str, policy: Policy) -> GitHubTracker:
    if not context.github_token:
        msg = "GITHUB_TOKEN is not set: the workflow must pass the token (see README)"
        raise UsageError(msg)
    from incident_response.adapters.github.tracker import GitHubTracker

    return GitHubTracker(context.github_token, repository, context.github_api_url,
                         transport(policy, context), bot_login=policy.github.bot_login,
                         server_url=context.github_server_url)


def build_services(context: RunContext, repository: str, policy: Policy,
                   github: IssueTracker | None = None) -> Services:
    services = Services(github=github or github_tracker(context, repository, policy))
    shared = transport(policy, context)

    if context.pagerduty_routing_key:
        services.factories["pager"] = lambda: pager(context, shared)
    else:
        services.missing["pager"] = "PAGERDUTY_ROUTING_KEY is not set"

    if context.datadog_api_key and context.datadog_app_key:
        services.factories["mirror"] = lambda: _datadog(context, shared)
    else:
        services.missing["mirror"] = "DD_API_KEY and DD_APP_KEY are not both set"

    if context.slack_bot_token:
        services.factories["chat"] = lambda: _slack(context, shared)
    else:
        services.missing["chat"] = "SLACK_BOT_TOKEN is not set"
    return services


def acknowledgements(context: RunContext, policy: Policy) -> Acknowledgements | None:
    """The page's acknowledgements from PagerDuty's REST API, when a token is given."""
    if not context.pagerduty_api_token:
        return None
    from incident_response.adapters.pagerduty.acknowledgements import PagerDutyAcknowledgements

    return PagerDutyAcknowledgements(context.pagerduty_api_token, context.pagerduty_api_url,
                                     transport(policy, context))


def pager(context: RunContext, shared: Transport) -> PagerDutyPager:
    from incident_response.adapters.pagerduty.pager import PagerDutyPager

    return PagerDutyPager(context.pagerduty_routing_key or "", context.pagerduty_events_url,
                          shared)


def _datadog(context: RunContext, shared: Transport) -> DatadogMirror:
    from incident_response.adapters.datadog.mirror import DatadogMirror, datadog_host

    host = datadog_host(context.datadog_site, context.datadog_api_url)
    return DatadogMirror(context.datadog_api_key or "", context.datadog_app_key or "", host,
                         shared)


def chat_notifier(context: RunContext, policy: Policy) -> SlackNotifier:
    """The chat adapter alone, for a command that posts outside an incident (the digest)."""
    return _slack(context, transport(policy, context))


def _slack(context: RunContext, shared: Transport) -> SlackNotifier:
    from incident_response.adapters.slack.notifier import SlackNotifier

    return SlackNotifier(context.slack_bot_token or "", context.slack_api_url, shared)
