"""Transport-free request and response values shared by the sandbox's API modules.

The API layer maps a :class:`Request` to a :class:`Response` without touching sockets,
so its logic is testable on its own and the HTTP layer stays thin. Whole-request
errors travel as :class:`HttpFailure` exceptions (internal control flow, never seen
outside the sandbox) and become short HTML-escaped plain-text bodies, as the Zotero
server sends them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from syncd import jsonio


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str
    query: list[tuple[str, str]]
    headers: Mapping[str, str]  # lower-cased names
    body: bytes = b""

    def param(self, name: str) -> str | None:
        """The last value of a query parameter (the server lets later values win)."""
        value = None
        for k, v in self.query:
            if k == name:
                value = v
        return value

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


@dataclass(slots=True)
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    n_objects: int = 0


class HttpFailure(Exception):
    """A whole-request error response."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def escape(text: str) -> str:
    # The server escapes &, <, > and double quotes; single quotes stay readable.
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def text_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    body = escape(message).encode("utf-8")
    out = {"Content-Type": "text/plain; charset=utf-8", **(headers or {})}
    return Response(status, out, body)


def json_response(status: int, payload: Any, headers: Mapping[str, str] | None = None) -> Response:
    # orjson, as the client's own JSON (syncd/jsonio.py): the same content, and a
    # page of 100 items encoded in a third of the time, which every request of a
    # benchmark at real-world latency counted as the server's.
    body = jsonio.dumps(payload)
    out = {"Content-Type": "application/json", **(headers or {})}
    return Response(status, out, body)


def int_header(req: Request, name: str) -> int | None:
    value = req.header(name)
    if value is None:
        return None
    value = value.strip()
    if not value.isdigit():
        raise HttpFailure(400, f"Invalid {name} header '{value}'")
    return int(value)
