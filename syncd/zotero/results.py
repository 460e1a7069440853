"""Plain-data results of Zotero API calls, and the typed errors of whole-request failures.

Kept apart from the client so the sync engine and tests can build and inspect them
without importing pyzotero.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from syncd.errors import ApiError

Json = dict[str, Any]


class PreconditionFailedError(ApiError):
    """A whole write request was refused with 412 (library or write token)."""

    def __init__(self, message: str, *, library_version: int | None, hint: str | None = None):
        super().__init__(message, status=412, hint=hint)
        self.library_version = library_version


class WriteTokenUsedError(PreconditionFailedError):
    """The write token was already used: an earlier attempt of this write landed."""


@dataclass(frozen=True)
class WriteFailure:
    """One object of a batch write that the server refused."""

    index: int
    key: str | None
    code: int
    message: str
    data: Json | None = None


@dataclass(frozen=True)
class WriteResult:
    """The per-object outcome of one ``POST <library>/items`` (indexes into the body)."""

    successful: dict[int, Json] = field(default_factory=dict)
    unchanged: dict[int, str] = field(default_factory=dict)
    failed: dict[int, WriteFailure] = field(default_factory=dict)
    library_version: int | None = None


@dataclass(frozen=True)
class ItemsSnapshot:
    """Every item of a library as read page by page.

    ``consistent`` is true when all pages reported the same library version, i.e.
    nobody wrote to the library while it was paged; otherwise an item may have
    shifted between pages and been missed, and the caller must reconcile.
    """

    items: list[Json]
    version: int
    consistent: bool


def parse_write_response(body: Json, library_version: int | None) -> WriteResult:
    """Turn a multi-object write response into a ``WriteResult`` (indexes as ints)."""
    successful = {int(i): obj for i, obj in (body.get("successful") or {}).items()}
    # Servers that predate v3's full objects send only keys in "success".
    for i, key in (body.get("success") or {}).items():
        successful.setdefault(int(i), {"key": key})
    unchanged = {int(i): str(key) for i, key in (body.get("unchanged") or {}).items()}
    failed = {
        int(i): WriteFailure(
            index=int(i),
            key=f.get("key"),
            code=int(f.get("code", 0)),
            message=html.unescape(str(f.get("message", ""))),
            data=f.get("data"),
        )
        for i, f in (body.get("failed") or {}).items()
    }
    return WriteResult(successful, unchanged, failed, library_version)
