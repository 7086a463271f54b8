"""A small HTTPS server with request recording and fault injection, shared by the fakes."""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

from tests.fakes.openapi import ApiDescription, SpecViolation


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    operation: str = ""

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Fault:
    """What to do instead of answering: a status (with headers), a stall, or a lost answer."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    #: "timeout": answer nothing until the client gives up; "lost": do the work, then drop
    #: the connection without answering
    kind: str = "status"


@dataclass
class Reply:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Recorded, dict[str, str]], Reply]


class FakeService:
    """Subclasses register routes; every request is checked against the API description."""

    name = "service"

    def __init__(self, description: ApiDescription, tls: ssl.SSLContext) -> None:
        self.description = description
        self.requests: list[Recorded] = []
        self.violations: list[str] = []
        self.faults: list[tuple[str, Fault]] = []
        self._routes: list[tuple[str, str, Handler]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"https://localhost:{self._server.server_address[1]}"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def route(self, method: str, operation_id: str, handler: Handler) -> None:
        self._routes.append((method, operation_id, handler))

    def inject(self, operation_id: str, *faults: Fault) -> None:
        """The next requests to this operation get these faults, in order."""
        with self._lock:
            self.faults.extend((operation_id, fault) for fault in faults)

    def calls(self, operation_id: str) -> list[Recorded]:
        return [r for r in self.requests if r.operation == operation_id]

    def authorise(self, request: Recorded) -> Reply | None:
        return None

    def _take_fault(self, operation_id: str) -> Fault | None:
        with self._lock:
            for index, (target, fault) in enumerate(self.faults):
                if target == operation_id:
                    del self.faults[index]
                    return fault
        return None

    def _dispatch(self, request: Recorded) -> tuple[Reply | None, Fault | None]:
        try:
            operation = self.description.check(request.method, request.path, request.query,
                                               request.headers, request.body)
        except (SpecViolation, ValueError) as error:
            self.violations.append(str(error))
            return Reply(400, {"message": f"fake {self.name}: {error}"}), None
        request.operation = operation.operation_id
        self.requests.append(request)
        fault = self._take_fault(operation.operation_id)
        if fault is not None and fault.kind == "status":
            return Reply(fault.status or 500, fault.body, fault.headers), None
        if (denied := self.authorise(request)) is not None:
            return denied, None
        for method, operation_id, handler in self._routes:
            if method == request.method and operation_id == operation.operation_id:
                match = operation.pattern.match(request.path)
                assert match is not None
                values = {k: unquote(v) for k, v in match.groupdict().items()}
                return handler(request, values), fault
        self.violations.append(f"{operation.operation_id} has no handler in the fake")
        return Reply(501, {"message": "not implemented by the fake"}), None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = Recorded(self.command, parts.path, parts.query, headers, body)
                reply, fault = service._dispatch(request)
                if fault is not None and fault.kind == "timeout":
                    time.sleep(fault.status or 3)
                    self.close_connection = True
                    return
                if fault is not None and fault.kind == "lost":
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                assert reply is not None
                payload = b"" if reply.body is None else (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                self.send_header("Content-Type", reply.headers.pop(
                    "Content-Type", "application/json; charset=utf-8"))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        return RequestHandler

