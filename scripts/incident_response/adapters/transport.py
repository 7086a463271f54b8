"""What every adapter shares: TLS trust, timeouts and retry budgets from the policy."""

from __future__ import annotations

import ssl
from dataclasses import dataclass

__all__ = ["Transport"]


@dataclass(frozen=True)
class Transport:
    attempts: int = 3
    timeout_seconds: float = 15.0
    #: first back-off between attempts; each later one doubles
    backoff_seconds: float = 1.0
    #: CA bundle for every outbound HTTPS connection (SSL_CERT_FILE), None for the system's
    ca_file: str | None = None

    def ssl_context(self) -> ssl.SSLContext:
        return ssl.create_default_context(cafile=self.ca_file)
