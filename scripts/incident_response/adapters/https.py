"""One HTTPS request over the standard library, for the page that leaves before anything loads.

The page's path (two GitHub reads, one PagerDuty event) runs before any client library is
imported, in the Action's first step on the runner's own Python. `http.client` is the least it
can import: `urllib.request` adds its opener machinery, proxy handling and redirects, none of
which the page needs (a GitHub-hosted runner has no proxy; a failure here only leaves the page
to the full run, whose clients do all that).
"""

from __future__ import annotations

import http.client
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["Answer", "request"]


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


def request(method: str, url: str, *, headers: dict[str, str], body: bytes | None,
            context: ssl.SSLContext, timeout: float) -> Answer:
    """Send one request and read the whole answer; OSError (ssl.SSLError, TimeoutError and
    http.client's errors included) when none came back."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        msg = f"not an https URL: {parts.scheme}://{parts.hostname or ''}"
        raise OSError(msg)
    connection = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                             context=context)
    try:
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        connection.request(method, target, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read())
    except http.client.HTTPException as error:
        raise OSError(type(error).__name__) from error
    finally:
        connection.close()
