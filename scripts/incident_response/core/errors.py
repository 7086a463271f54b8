"""The project's own exceptions: what callers catch, whatever vendor is behind them."""

from enum import StrEnum

__all__ = [
    "ConfigError",
    "IncidentError",
    "PermanentServiceError",
    "Refusal",
    "ServiceError",
    "TransientServiceError",
    "UsageError",
    "one_line",
]


class IncidentError(Exception):
    """Base of every error this program raises on purpose."""


class UsageError(IncidentError):
    """The command line or the environment is wrong; exit status 2."""


class ConfigError(IncidentError):
    """The configuration or the issue form is wrong; exit status 2."""


class ServiceError(IncidentError):
    """An outside service (the tracker, the pager, the incident tool, the chat) did not do
    what was asked."""

    def __init__(self, service: str, message: str, *, status: int | None = None) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        #: what failed, without the service's name ("Reading the issue failed with HTTP 401")
        self.message = message
        self.status = status


class TransientServiceError(ServiceError):
    """Worth retrying later: 5xx, 429, timeouts, lost responses."""


class Refusal(StrEnum):
    """Why a service refused for good: what someone must fix before it can work."""

    #: a refused token or key (401, `invalid_auth`): the secret to check is named
    CREDENTIALS = "credentials"
    #: a missing scope, permission or repository setting (403, `missing_scope`)
    PERMISSION = "permission"
    #: the object asked about no longer exists (404 on a declared incident, an archived or
    #: deleted channel)
    GONE = "gone"
    #: anything else no retry can fix (a request the service rejects as invalid)
    INVALID = "invalid"


class PermanentServiceError(ServiceError):
    """Retrying will not help until someone fixes something (credentials, channel, payload).

    `reason` says which kind of fix, `fix` says it in a sentence for the responder ("check
    the chat's token", "give the bot the scope to read channels"), and `credential`, for a
    refused credential, names the secret to check (`GITHUB_TOKEN`, say).

    `str(error)` is one line with the fix (what a run prints, annotates and reports);
    `error.failure` is what failed without it (what the record keeps beside `fix`)."""

    def __init__(self, service: str, message: str, *, status: int | None = None,
                 reason: Refusal = Refusal.INVALID, fix: str = "", credential: str = "") -> None:
        super().__init__(service, message, status=status)
        self.reason = reason
        self.fix = fix
        self.credential = credential

    @property
    def failure(self) -> str:
        return super().__str__()

    def __str__(self) -> str:
        failure = self.failure
        if not self.fix or self.fix in failure:
            return one_line(failure)
        return one_line(f"{failure.rstrip('. ')}. {self.fix}")


def one_line(text: str) -> str:
    """`text` on one line: a service's message may hold line breaks; a run's line may not."""
    return " ".join(text.split())
