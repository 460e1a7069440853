"""The sandbox's HTTP layer: sockets, keep-alive, injected faults and the request log.

Hand-written on the standard library's ``ThreadingHTTPServer`` rather than a web
framework because faults need raw-socket control: "reset before processing" and
"reset after committing a write" close the TCP connection with ``SO_LINGER`` {on, 0},
so the client sees ECONNRESET, and the second one is exactly the case where a naive
retry creates duplicates. No maintained library offers a faithful Zotero emulator
either (altero needs Python 3.14 and is AGPL).

Each response is written with a single ``send`` (status line, headers and body
together) and ``TCP_NODELAY`` set; separate small writes would meet the client's
delayed ACK and cost ~40 ms per request. The accept loop waits on the listening
socket and a wake-up pipe, so :meth:`HttpServer.stop` returns at once instead of
after a poll interval; stopping also shuts down idle keep-alive connections so
their handler threads end before stop() returns.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import struct
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, urlsplit

from syncd.errors import UsageError
from syncd.sandbox.faults import WRITE_METHODS, FaultDice
from syncd.sandbox.protocol import Request, Response, text_response


class Handler(Protocol):
    """What the server serves: the Web API (``api.Api``) or the local one (``local.py``)."""

    def handle(self, req: Request) -> Response: ...


_FAULT_BODIES = {
    "429": (429, "Too many requests — please slow down"),
    "500": (500, "An error occurred"),
    "503": (503, "Service unavailable"),
}


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request as the sandbox saw it. ``status`` is 0 when the connection was reset."""

    method: str
    path: str
    query: dict[str, str]  # the API key, if sent as ?key=, is left out
    status: int
    kind: Literal["read", "write"]
    fault: str | None
    n_objects: int
    time: float


class RequestLog:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._records: list[RequestRecord] = []

    def add(self, record: RequestRecord) -> None:
        with self._lock:
            self._records.append(record)

    def snapshot(self) -> list[RequestRecord]:
        with self._lock:
            return list(self._records)

    def clear(self) -> None:
        with self._lock:
            self._records.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the sandbox keeps its own structured log."""

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def handle_expect_100(self) -> bool:
        # No "100 Continue": _serve answers 417 before reading any body.
        return True

    def _serve(self) -> None:
        owner = self.server.owner
        if self.headers.get("Expect"):
            # ApiController::__construct: any Expect header -> "417 Expectation Failed",
            # before the body is read (a 100-continue client has not sent it yet).
            self.close_connection = True
            response = text_response(417, "Expect header is not supported")
            req = Request(self.command, urlsplit(self.path).path, [], {}, b"")
            kind: Literal["read", "write"] = "write" if self.command in WRITE_METHODS else "read"
            owner.record(req, 417, kind, None, 0)
            self._send(response)
            self._drain()
            return
        raw_length = self.headers.get("Content-Length") or "0"
        if not raw_length.isdigit():
            self.close_connection = True
            self._send(text_response(400, "Invalid Content-Length"))
            return
        length = int(raw_length)
        body = self.rfile.read(length) if length > 0 else b""
        split = urlsplit(self.path)
        req = Request(
            self.command,
            split.path,
            parse_qsl(split.query, keep_blank_values=True),
            {k.lower(): v for k, v in self.headers.items()},
            body,
        )
        kind = "write" if self.command in WRITE_METHODS else "read"
        decision = owner.dice.draw(self.command)
        if decision.latency_ms:
            time.sleep(decision.latency_ms / 1000)
        fault: str | None = decision.fault
        if fault == "reset_before":
            owner.record(req, 0, kind, fault, 0)
            self._reset()
            return
        if fault in _FAULT_BODIES:
            status, message = _FAULT_BODIES[fault]
            headers = {}
            if fault in ("429", "503"):
                headers["Retry-After"] = str(owner.dice.plan.retry_after)
            response = text_response(status, message, headers)
        else:
            try:
                response = owner.api.handle(req)
            except Exception:
                # A sandbox bug: answer like the real server's 500, but make it visible.
                traceback.print_exc()
                response = text_response(500, "An error occurred")
        if fault == "reset_after_commit":
            owner.record(req, 0, kind, fault, response.n_objects)
            self._reset()
            return
        if owner.before_reply is not None:
            # A test's hook: e.g. block here, the write committed, while the client is
            # killed (a crash between two steps of a protocol).
            owner.before_reply(req, response)
        if decision.backoff is not None:
            response.headers["Backoff"] = str(decision.backoff)
            fault = fault or "backoff"
        # Logged before sending, so a client that has its answer always finds it in the log.
        owner.record(req, response.status, kind, fault, response.n_objects)
        self._send(response)

    def _drain(self) -> None:
        """Read what body a client sent anyway before closing, so the close is no RST."""
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit() or int(length) == 0:
            return
        self.connection.settimeout(0.2)
        with contextlib.suppress(OSError):
            self.rfile.read(int(length))

    def _send(self, response: Response) -> None:
        status = HTTPStatus(response.status)
        lines = [f"HTTP/1.1 {status.value} {status.phrase}", f"Date: {formatdate(usegmt=True)}"]
        lines.extend(f"{name}: {value}" for name, value in response.headers.items())
        if response.status not in (204, 304):
            lines.append(f"Content-Length: {len(response.body)}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + (response.body if response.status not in (204, 304) else b""))

    def _reset(self) -> None:
        # Linger {on, 0} turns close() into a TCP RST; rfile holds a reference to the
        # socket, so it must be closed first for the close to be real.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.rfile.close()
        self.connection.close()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, owner: HttpServer) -> None:
        self.owner = owner
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        self._threads_alive: list[threading.Thread] = []
        super().__init__(("127.0.0.1", port), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        # Daemon threads (an unstopped sandbox must not hang interpreter exit), but
        # tracked here, since ThreadingMixIn only joins non-daemon ones on close.
        thread = threading.Thread(
            target=self.process_request_thread, args=(request, client_address), daemon=True
        )
        with self._open_lock:
            self._open.add(request)
            self._threads_alive = [t for t in self._threads_alive if t.is_alive()]
            self._threads_alive.append(thread)
        thread.start()

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away (a killed daemon, a test closing its connection) is
        # normal here; anything else is still printed as socketserver would.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_open_connections(self) -> None:
        with self._open_lock:
            sockets = list(self._open)
            threads = list(self._threads_alive)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by its handler
                sock.shutdown(socket.SHUT_RDWR)
        for thread in threads:
            thread.join(timeout=10)


class HttpServer:
    """Serves an :class:`Api` on 127.0.0.1 from a background thread."""

    def __init__(self, api: Handler, dice: FaultDice, log: RequestLog) -> None:
        self.api = api
        self.dice = dice
        self.log = log
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None
        self._wake: tuple[int, int] | None = None
        self.before_reply: Callable[[Request, Response], None] | None = None

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise UsageError("the sandbox is not running", hint="call start() first")
        return int(self._httpd.server_address[1])

    def record(
        self,
        req: Request,
        status: int,
        kind: Literal["read", "write"],
        fault: str | None,
        n_objects: int,
    ) -> None:
        query = {k: v for k, v in req.query if k != "key"}
        self.log.add(
            RequestRecord(req.method, req.path, query, status, kind, fault, n_objects, time.time())
        )

    def start(self, port: int) -> None:
        if self._httpd is not None:
            return
        try:
            self._httpd = _Server(port, self)
        except OSError as exc:
            raise UsageError(
                f"the sandbox cannot listen on 127.0.0.1:{port} ({exc.strerror or exc})",
                hint="pick another port, or 0 for any free one",
            ) from exc
        self._wake = os.pipe()
        self._thread = threading.Thread(target=self._loop, name=f"sandbox-{self.port}", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        httpd, wake = self._httpd, self._wake
        assert httpd is not None and wake is not None
        with selectors.DefaultSelector() as selector:
            selector.register(httpd, selectors.EVENT_READ)
            selector.register(wake[0], selectors.EVENT_READ)
            while True:
                events = selector.select()
                if any(key.fileobj == wake[0] for key, _ in events):
                    return
                httpd.handle_request()

    def stop(self) -> None:
        httpd, thread, wake = self._httpd, self._thread, self._wake
        if httpd is None or thread is None or wake is None:
            return
        os.write(wake[1], b"x")
        thread.join()
        httpd.close_open_connections()
        httpd.server_close()
        os.close(wake[0])
        os.close(wake[1])
        self._httpd = self._thread = self._wake = None
