"""The project's own exceptions: what callers catch, whatever vendor is behind them."""

__all__ = [
    "ConfigError",
    "IncidentError",
    "PermanentServiceError",
    "ServiceError",
    "TransientServiceError",
    "UsageError",
]


class IncidentError(Exception):
    """Base of every error this program raises on purpose."""


class UsageError(IncidentError):
    """The command line or the environment is wrong; exit status 2."""


class ConfigError(IncidentError):
    """The configuration or the issue form is wrong; exit status 2."""


class ServiceError(IncidentError):
    """An outside service (GitHub, Datadog, Slack, PagerDuty) did not do what was asked."""

    def __init__(self, service: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.status = status


class TransientServiceError(ServiceError):
    """Worth retrying later: 5xx, 429, timeouts, lost responses."""


class PermanentServiceError(ServiceError):
    """Retrying will not help until someone fixes something (credentials, channel, payload)."""
