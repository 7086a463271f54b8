"""HTTPS over the standard library, for the page that leaves before anything loads.

The page's path (two GitHub reads, one PagerDuty event) runs before any client library is
imported, in the Action's first step on the runner's own Python. `http.client` is the least it
can import: `urllib.request` adds its opener machinery, proxy handling and redirects, none of
which the page needs (a GitHub-hosted runner has no proxy; a failure here only leaves the page
to the full run, whose clients do all that). A connection may be opened ahead of its request
(`connect_early`), so that its TCP and TLS handshakes overlap the work that decides whether to
send it at all.
"""

from __future__ import annotations

import http.client
import ssl
import threading
from typing import NamedTuple
from urllib.parse import urlsplit

__all__ = ["Answer", "Connection", "request"]


class Answer(NamedTuple):
    status: int
    body: bytes
    #: the answer's headers, names in lower case (HTTP compares them without case)
    headers: dict[str, str]


class Connection:
    """One HTTPS connection to the host of `url`, for one request to that URL."""

    def __init__(self, url: str, *, context: ssl.SSLContext, timeout: float) -> None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            msg = f"not an https URL: {parts.scheme}://{parts.hostname or ''}"
            raise OSError(msg)
        self._target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        self._http = http.client.HTTPSConnection(parts.hostname, parts.port, timeout=timeout,
                                                 context=context)
        self._early: threading.Thread | None = None

    def connect_early(self) -> None:
        """Open the connection on another thread; `send` waits for it, and connects again
        itself if this failed (http.client connects a connection that has no socket)."""

        def connect() -> None:
            try:
                self._http.connect()
            except OSError:
                self._http.close()

        self._early = threading.Thread(target=connect, daemon=True)
        self._early.start()

    def send(self, method: str, *, headers: dict[str, str], body: bytes | None) -> Answer:
        """Send the request and read the whole answer; OSError (ssl.SSLError, TimeoutError and
        http.client's errors included) when none came back."""
        if self._early is not None:
            self._early.join()
        try:
            self._http.request(method, self._target, body=body, headers=headers)
            response = self._http.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            return Answer(response.status, response.read(), headers)
        except http.client.HTTPException as error:
            raise OSError(type(error).__name__) from error

    def close(self) -> None:
        if self._early is not None:
            self._early.join()
        self._http.close()


def request(method: str, url: str, *, headers: dict[str, str], body: bytes | None,
            context: ssl.SSLContext, timeout: float) -> Answer:
    """One request on a connection of its own."""
    connection = Connection(url, context=context, timeout=timeout)
    try:
        return connection.send(method, headers=headers, body=body)
    finally:
        connection.close()
