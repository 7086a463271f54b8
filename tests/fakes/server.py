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

from tests.fakes.openapi import ApiDescription, Operation, SpecViolation


@dataclass
class Recorded:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    operation: str = ""
    #: when the fake read it in full (time.monotonic): orders requests across fakes
    at: float = field(default_factory=time.monotonic)

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


class Hold:
    """One request held inside the server: for building races deterministically, without sleeps.

    The next request to the operation is recorded (it is in `requests`), `arrived` is set, and
    it then waits inside the server until `release()`; after that it is processed and answered
    as usual (`finished` is set once its answer is computed). Usable as a context manager, which
    releases on exit.
    """

    def __init__(self, operation_id: str) -> None:
        self.operation_id = operation_id
        #: set when the held request has reached the server and is waiting
        self.arrived = threading.Event()
        #: set when the held request has been processed (its answer is ready to send)
        self.finished = threading.Event()
        #: the held request, once it has arrived
        self.request: Recorded | None = None
        self._released = threading.Event()

    @property
    def released(self) -> bool:
        return self._released.is_set()

    def release(self) -> None:
        self._released.set()

    def _wait(self) -> None:
        self._released.wait()

    def __enter__(self) -> Hold:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.release()


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
        #: holds not yet claimed by a request, in order, and every hold ever made (for stop())
        self._pending_holds: list[Hold] = []
        self._holds: list[Hold] = []
        self._stopping = False
        #: one request's work (authorisation and handler) at a time, as one transaction would
        self._work = threading.RLock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
        self._server.daemon_threads = True
        # A short poll: shutdown() waits up to one poll for the loop to notice, at every test's
        # teardown of four fakes (0.5 s each by default).
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.02}, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"https://localhost:{self._server.server_address[1]}"

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            holds = list(self._holds)
        for hold in holds:  # a held request must never keep the server (or the test) waiting
            hold.release()
        self._server.shutdown()
        self._server.server_close()

    def hold(self, operation_id: str) -> Hold:
        """Hold the next request to this operation inside the server until `release()`."""
        hold = Hold(operation_id)
        with self._lock:
            self._holds.append(hold)
            if self._stopping:
                hold.release()
            else:
                self._pending_holds.append(hold)
        return hold

    def _claim_hold(self, operation_id: str) -> Hold | None:
        with self._lock:
            for index, hold in enumerate(self._pending_holds):
                if hold.operation_id == operation_id:
                    del self._pending_holds[index]
                    return hold
        return None

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

    def canonical_path(self, request: Recorded) -> str:
        """The path the request's operation is looked up by. A vendor that serves one
        operation under another path too (an alias its description does not list) maps it
        onto the documented path here; `request.path` keeps what was sent. Default: as sent."""
        return request.path

    def finish(self, request: Recorded, reply: Reply) -> Reply:
        """Every answer passes here just before it is sent (refusals, violations and injected
        faults included), for what a vendor puts on all of its answers (headers). An empty
        `Content-Type` sends none. Default: unchanged."""
        return reply

    def _take_fault(self, operation_id: str) -> Fault | None:
        with self._lock:
            for index, (target, fault) in enumerate(self.faults):
                if target == operation_id:
                    del self.faults[index]
                    return fault
        return None

    def _dispatch(self, request: Recorded) -> tuple[Reply | None, Fault | None]:
        path = self.canonical_path(request)
        try:
            operation = self.description.check(request.method, path, request.query,
                                               request.headers, request.body)
        except (SpecViolation, ValueError) as error:
            self.violations.append(str(error))
            return Reply(400, {"message": f"fake {self.name}: {error}"}), None
        request.operation = operation.operation_id
        self.requests.append(request)
        hold = self._claim_hold(operation.operation_id)
        if hold is not None:
            hold.request = request
            hold.arrived.set()
            hold._wait()
        try:
            return self._process(request, operation, path)
        finally:
            if hold is not None:
                hold.finished.set()

    def _process(self, request: Recorded, operation: Operation,
                 path: str) -> tuple[Reply, Fault | None]:
        fault = self._take_fault(operation.operation_id)
        if fault is not None and fault.kind == "status":
            return Reply(fault.status or 500, fault.body, fault.headers), None
        with self._work:
            if (denied := self.authorise(request)) is not None:
                return denied, None
            for method, operation_id, handler in self._routes:
                if method == request.method and operation_id == operation.operation_id:
                    match = operation.pattern.match(path)
                    assert match is not None
                    values = {k: unquote(v) for k, v in match.groupdict().items()}
                    return handler(request, values), fault
        self.violations.append(f"{operation.operation_id} has no handler in the fake")
        return Reply(501, {"message": "not implemented by the fake"}), None

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class RequestHandler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self) -> None:
                super().setup()
                # The headers and the body leave in two writes; with Nagle's algorithm the
                # second waits for the client's delayed ACK (40 ms on Linux) on every answer.
                self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

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
                reply = service.finish(request, reply)
                payload = b"" if reply.body is None else (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                headers = dict(reply.headers)
                content_type = headers.pop("Content-Type", "application/json; charset=utf-8")
                if content_type:
                    self.send_header("Content-Type", content_type)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

        return RequestHandler

