"""Which adapter (and vendor) stands behind each capability, built from the run's context.

The composition root: the only module that names the vendors behind the ports. An integration
whose credentials are absent is left out with the reason, which the run shows as a notice; an
adapter (and its vendor SDK) is built only when an effect first needs it, so the page does not
wait for the incident tool's or the chat's client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Generic, TypeVar

from incident_response.adapters.ports import (
    Acknowledgements,
    ChatNotifier,
    IncidentMirror,
    IssueTracker,
    Pager,
)
from incident_response.adapters.transport import Transport
from incident_response.core.decision.effects import Capability
from incident_response.core.errors import UsageError
from incident_response.core.record.keys import Vendors
from incident_response.shell.context import RunContext
from incident_response.shell.settings import Settings

if TYPE_CHECKING:  # each adapter (and its vendor SDK) loads only when a run needs it
    from incident_response.adapters.datadog.mirror import DatadogMirror
    from incident_response.adapters.github.repository import GitHubRepository
    from incident_response.adapters.github.tracker import GitHubTracker
    from incident_response.adapters.pagerduty.pager import PagerDutyPager
    from incident_response.adapters.slack.notifier import SlackNotifier

__all__ = ["VENDORS", "Adapters", "Lazy", "acknowledgements", "build_adapters", "chat_notifier",
           "close_adapter", "github_repository", "github_tracker", "pager", "transport"]

#: the vendors the shipped wiring puts behind each capability, as people know them
VENDORS = Vendors(pager="PagerDuty", mirror="Datadog", chat="Slack",
                  mirror_reference="IR-{number}")

T = TypeVar("T")


@dataclass
class Lazy(Generic[T]):
    """One port's adapter: built on its first use, or absent with the reason."""

    build: Callable[[], T] | None = None
    #: why it is absent, e.g. "PAGERDUTY_ROUTING_KEY is not set"
    missing: str = ""
    _built: T | None = field(default=None, init=False, repr=False)

    @classmethod
    def ready(cls, adapter: T) -> Lazy[T]:
        lazy: Lazy[T] = cls()
        lazy._built = adapter
        return lazy

    @classmethod
    def absent(cls, why: str) -> Lazy[T]:
        return cls(missing=why)

    def get(self) -> T | None:
        if self._built is None and self.build is not None:
            self._built = self.build()
        return self._built


@dataclass
class Adapters:
    """The adapters of one run: one attribute per port, each built on its first use."""

    github: IssueTracker
    pager: Lazy[Pager] = field(default_factory=lambda: Lazy.absent("no pager is configured"))
    mirror: Lazy[IncidentMirror] = field(
        default_factory=lambda: Lazy.absent("no incident tool is configured"))
    chat: Lazy[ChatNotifier] = field(default_factory=lambda: Lazy.absent("no chat is configured"))
    #: the names people know the services by, for what the run writes
    vendors: Vendors = VENDORS

    def close(self) -> None:
        """Close every adapter that was built (their connections), when the run is over."""
        for adapter in (self.github, self.pager._built, self.mirror._built, self.chat._built):
            close_adapter(adapter)

    def __enter__(self) -> Adapters:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def vendor(self, capability: Capability) -> str:
        return {Capability.PAGER: self.vendors.pager, Capability.MIRROR: self.vendors.mirror,
                Capability.CHAT: self.vendors.chat, Capability.GITHUB: "GitHub"}[capability]


def close_adapter(adapter: object) -> None:
    """Close an adapter that holds connections (not every port's adapter does)."""
    close = getattr(adapter, "close", None)
    if callable(close):
        close()


def transport(policy: Settings, context: RunContext) -> Transport:
    return Transport(policy.delivery.attempts, policy.delivery.timeout_seconds,
                     policy.delivery.backoff_seconds, context.ca_file)


def github_tracker(context: RunContext, repository: str, policy: Settings) -> GitHubTracker:
    """The incident's record on GitHub (needs GITHUB_TOKEN)."""
    if not context.github_token:
        msg = "GITHUB_TOKEN is not set: the workflow must pass the token (see README)"
        raise UsageError(msg)
    from incident_response.adapters.github.client import GitHubClient
    from incident_response.adapters.github.tracker import GitHubTracker

    client = GitHubClient(context.github_token, repository, context.github_api_url,
                          transport(policy, context))
    return GitHubTracker(client, bot_login=policy.github.bot_login,
                         server_url=context.github_server_url)


def github_repository(tracker: GitHubTracker) -> GitHubRepository:
    """The repository's issue lists, over the tracker's own client (the sweep, the report)."""
    from incident_response.adapters.github.repository import GitHubRepository

    return GitHubRepository(tracker.client, tracker)


def build_adapters(context: RunContext, repository: str, policy: Settings,
                   github: IssueTracker | None = None) -> Adapters:
    shared = transport(policy, context)
    adapters = Adapters(github=github or github_tracker(context, repository, policy))
    if context.pagerduty_routing_key:
        adapters.pager = Lazy(lambda: pager(context, shared, policy))
    else:
        adapters.pager = Lazy.absent("PAGERDUTY_ROUTING_KEY is not set")
    if context.datadog_api_key and context.datadog_app_key:
        adapters.mirror = Lazy(lambda: _datadog(context, shared, policy))
    else:
        adapters.mirror = Lazy.absent("DD_API_KEY and DD_APP_KEY are not both set")
    if context.slack_bot_token:
        adapters.chat = Lazy(lambda: _slack(context, shared, policy))
    else:
        adapters.chat = Lazy.absent("SLACK_BOT_TOKEN is not set")
    return adapters


def acknowledgements(context: RunContext, policy: Settings) -> Acknowledgements | None:
    """The page's acknowledgements from PagerDuty's REST API, when a token is given."""
    if not context.pagerduty_api_token:
        return None
    from incident_response.adapters.pagerduty.acknowledgements import PagerDutyAcknowledgements

    return PagerDutyAcknowledgements(context.pagerduty_api_token, context.pagerduty_api_url,
                                     transport(policy, context))


def pager(context: RunContext, shared: Transport, policy: Settings) -> PagerDutyPager:
    from incident_response.adapters.pagerduty.pager import PagerDutyPager

    return PagerDutyPager(context.pagerduty_routing_key or "", context.pagerduty_events_url,
                          shared, policy.paging)


def _datadog(context: RunContext, shared: Transport, policy: Settings) -> DatadogMirror:
    from incident_response.adapters.datadog.mirror import DatadogMirror, datadog_host

    host = datadog_host(context.datadog_site, context.datadog_api_url)
    people = {login: person.datadog for login, person in policy.people.items()
              if person.datadog}
    return DatadogMirror(context.datadog_api_key or "", context.datadog_app_key or "", host,
                         shared, config=policy.datadog, people=people)


def chat_notifier(context: RunContext, policy: Settings) -> SlackNotifier:
    """The chat adapter alone, for a command that posts outside an incident (the digest)."""
    return _slack(context, transport(policy, context), policy)


def _slack(context: RunContext, shared: Transport, policy: Settings) -> SlackNotifier:
    from incident_response.adapters.slack.notifier import SlackNotifier

    people = {login: person.slack for login, person in policy.people.items() if person.slack}
    return SlackNotifier(context.slack_bot_token or "", context.slack_api_url, shared, people)
