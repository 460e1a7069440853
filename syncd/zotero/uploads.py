"""The Web API's file upload protocol, one step per function (reference section C1).

pyzotero's ``upload_attachments`` cannot be used: it creates the attachment items
itself without keys of ours (a rerun makes new ones), reads the file twice, sends
the whole file as multipart after ``params=1`` and raises on a 412 instead of
letting the caller re-read the item. Here each step is one retried request, and
the caller (``syncd.attachments.step``) decides what a 412 or a lost answer means.

Paths use the client's API ``prefix``, not ``library`` (for a desktop library that is
the state partition ``local:<server ID>/users/0``, which no endpoint serves).

Form bodies are encoded with ``%20`` for spaces: the local API decodes with
``decodeURIComponent``, which would keep a ``+``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from syncd.errors import ApiError
from syncd.zotero.client import ZoteroClient

FORM = "application/x-www-form-urlencoded"
PIECE = 1 << 20


@dataclass(frozen=True, slots=True)
class Authorization:
    url: str
    content_type: str
    prefix: bytes
    suffix: bytes
    upload_key: str


@dataclass(frozen=True, slots=True)
class Exists:
    """The server already has these bytes: the item holds the file now."""

    library_version: int | None


def _precondition(current_md5: str | None) -> dict[str, str]:
    return {"If-Match": current_md5} if current_md5 else {"If-None-Match": "*"}


def authorize(
    client: ZoteroClient,
    key: str,
    *,
    md5: str,
    filename: str,
    size: int,
    mtime_ms: int,
    content_type: str,
    current_md5: str | None = None,
) -> Authorization | Exists:
    """Step 1. Raises ``PreconditionFailedError`` (412) when the item's file is not
    ``current_md5`` (None: no file yet)."""
    form = urlencode(
        {
            "md5": md5,
            "filename": filename,
            "filesize": str(size),
            "mtime": str(mtime_ms),
            "contentType": content_type,
        },
        quote_via=quote,
    )
    what = f"POST {client.prefix}/items/{key}/file (authorize)"
    response = client.send(
        what,
        "POST",
        f"/{client.prefix}/items/{key}/file",
        body=form.encode(),
        headers=_precondition(current_md5),
        content_type=FORM,
    )
    try:
        answer = response.json()
    except ValueError:
        raise ApiError(f"{what}: the answer is not JSON") from None
    if answer.get("exists"):
        version = response.headers.get("Last-Modified-Version")
        return Exists(int(version) if version else None)
    try:
        return Authorization(
            str(answer["url"]),
            str(answer["contentType"]),
            str(answer.get("prefix", "")).encode("latin-1"),
            str(answer.get("suffix", "")).encode("latin-1"),
            str(answer["uploadKey"]),
        )
    except (KeyError, UnicodeEncodeError):
        raise ApiError(f"{what}: the answer is not an upload authorization") from None


def upload(
    client: ZoteroClient,
    key: str,
    auth: Authorization,
    data: bytes,
    on_sent: Callable[[int, int], None] | None = None,
) -> None:
    """Step 2: prefix + bytes + suffix to the storage URL (with Content-Length, never
    chunked: S3 and the local API refuse chunked bodies). ``on_sent(bytes_sent,
    size)`` follows the file's bytes as they leave (from 0 again on a retry)."""
    body = auth.prefix + data + auth.suffix

    def pieces() -> Iterator[bytes]:
        view = memoryview(body)
        sent = 0
        for start in range(0, len(body), PIECE):
            piece = view[start : start + PIECE]
            yield bytes(piece)
            sent = min(len(data), max(0, start + len(piece) - len(auth.prefix)))
            if on_sent is not None:
                on_sent(sent, len(data))

    client.send(
        f"POST storage for {client.prefix}/items/{key} ({len(data)} bytes)",
        "POST",
        auth.url,
        body=body,
        content_type=auth.content_type,
        storage=True,
        chunks=pieces if on_sent is not None else None,
    )


def register(
    client: ZoteroClient, key: str, upload_key: str, *, current_md5: str | None = None
) -> None:
    """Step 3. Raises ``PreconditionFailedError`` (412) if the file changed meanwhile,
    ``ApiError`` 400 if the upload key is unknown (spent by an earlier register)."""
    client.send(
        f"POST {client.prefix}/items/{key}/file (register)",
        "POST",
        f"/{client.prefix}/items/{key}/file",
        body=urlencode({"upload": upload_key}).encode(),
        headers=_precondition(current_md5),
        content_type=FORM,
    )
