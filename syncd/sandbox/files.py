"""The file upload protocol, as the Zotero server runs it (dataserver
``ItemsController::itemFile``, ``Zotero_Storage``; the protocol in
``../shared/reference/zotero-local-api-and-files.md`` section C1).

1. ``POST <library>/items/<key>/file`` with ``md5, filename, filesize, mtime``
   (form-encoded) and ``If-None-Match: *`` or ``If-Match: <md5>``: an upload
   authorization ``{url, contentType, prefix, suffix, uploadKey}``, or ``{"exists": 1}``
   when the server already stores a file with that md5 (then the item has it at once).
2. ``POST <url>``: prefix + the bytes + suffix (S3's form upload; here
   ``/sandbox-upload/<uploadKey>``, without an API key, as S3 takes none): 201.
   The bytes must have the authorized length and md5 (S3's policy and Content-MD5).
3. ``POST <library>/items/<key>/file`` with ``upload=<uploadKey>`` and the same
   precondition header: 204; the item now carries md5, filename, mtime.

Checked as the server checks: the preconditions against the item's stored md5 at
steps 1 and 3 (412/428), ``mtime`` missing or 0 (400), the owner's quota before the
``exists`` shortcut (413 with ``Zotero-Storage-*`` headers), more than 10 unregistered
authorizations of one user within 300 s (429 "Too many queued uploads",
``Retry-After: 300``; the server picks 429, 400 or 503 at random, the sandbox always
429), an unknown upload key (400 "Upload key not found"), bytes not uploaded (400
"Remote file not found"). Stored files are kept by md5 (server-wide, like the real
dedup); an on-disk sandbox writes them under ``<data_dir>/files/``.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from syncd.sandbox.attachment_items import FILE_MODES
from syncd.sandbox.protocol import HttpFailure, Request, Response, json_response
from syncd.sandbox.store import Library

QUEUE_LIMIT = 10
QUEUE_WINDOW = 300.0
MAX_FILESIZE = 4_000_000_000
DEFAULT_QUOTA_MB = 300
UPLOAD_PATH = "/sandbox-upload/"
_MD5 = re.compile(r"^[0-9a-f]{32}$")


@dataclass(slots=True)
class _Pending:
    library: str
    item_key: str
    user_id: int
    md5: str
    filename: str
    filesize: int
    mtime: int
    content_type: str
    charset: str
    boundary: str
    created: float
    uploaded: bool = False


class FileStore:
    """Stored files by md5, and upload authorizations not yet registered."""

    def __init__(
        self, directory: Path | None = None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self._dir = directory
        self._lock = threading.Lock()
        self._blobs: dict[str, bytes] = {}
        self._pending: dict[str, _Pending] = {}
        self.clock = clock
        self.quota_mb = DEFAULT_QUOTA_MB
        if directory is not None:
            directory.mkdir(parents=True, exist_ok=True)
            for path in directory.iterdir():
                if _MD5.match(path.name):
                    self._blobs[path.name] = path.read_bytes()

    def blob(self, md5: str) -> bytes | None:
        with self._lock:
            return self._blobs.get(md5)

    def keep(self, data: bytes) -> str:
        md5 = hashlib.md5(data).hexdigest()
        with self._lock:
            if md5 not in self._blobs:
                if self._dir is not None:
                    (self._dir / md5).write_bytes(data)
                self._blobs[md5] = data
        return md5

    def queued(self, user_id: int) -> int:
        now = self.clock()
        with self._lock:
            return sum(
                1
                for p in self._pending.values()
                if p.user_id == user_id and now - p.created < QUEUE_WINDOW
            )

    # -- step 1 -------------------------------------------------------------------------

    def authorize(
        self, req: Request, lib: Library, item: dict[str, Any], owner: int, base_url: str
    ) -> Response | tuple[dict[str, Any], Response]:
        """The authorization answer; with ``exists``, also the item's new file data."""
        form = form_fields(req)
        check_precondition(req, item)
        md5 = form.get("md5", "")
        if not _MD5.match(md5):
            raise HttpFailure(400, "Invalid MD5 hash")
        filename = form.get("filename", "")
        if not filename:
            raise HttpFailure(400, "File name not provided")
        size = _int_field(form, "filesize", "File size")
        if size > MAX_FILESIZE:
            raise HttpFailure(400, "File size too large")
        mtime = _int_field(form, "mtime", "File modification time")
        if mtime == 0:
            raise HttpFailure(400, "File modification time not provided")
        # ContentType values with characters outside A-Za-z0-9-/ are dropped (DSI:988).
        content_type = form.get("contentType", "")
        if not re.match(r"^[A-Za-z0-9\-/]*$", content_type):
            content_type = ""
        used = self.usage(lib, owner)
        if used + size > self.quota_mb * 1_000_000:
            raise HttpFailure(
                413,
                "File would exceed quota",
                {
                    "Zotero-Storage-Usage": str(used // 1_000_000),
                    "Zotero-Storage-Quota": str(self.quota_mb),
                    "Zotero-Storage-UserID": str(owner),
                },
            )
        known = self.blob(md5)
        if known is not None:
            if len(known) != size:
                raise HttpFailure(400, "Specified file size incorrect for known file")
            data = file_data(md5, filename, mtime, content_type, form.get("charset", ""))
            return data, json_response(200, {"exists": 1})
        if self.queued(owner) >= QUEUE_LIMIT:
            raise HttpFailure(
                429, "Too many queued uploads", {"Retry-After": str(int(QUEUE_WINDOW))}
            )
        upload_key = secrets.token_hex(16)
        boundary = "----sandbox" + secrets.token_hex(8)
        pending = _Pending(
            lib.name,
            item["key"],
            owner,
            md5,
            filename,
            size,
            mtime,
            content_type,
            form.get("charset", ""),
            boundary,
            self.clock(),
        )
        with self._lock:
            self._pending[upload_key] = pending
        prefix, suffix = _framing(pending, upload_key)
        return json_response(
            200,
            {
                "url": f"{base_url}{UPLOAD_PATH}{upload_key}",
                "contentType": f"multipart/form-data; boundary={boundary}",
                "prefix": prefix.decode("latin-1"),
                "suffix": suffix.decode("latin-1"),
                "uploadKey": upload_key,
            },
        )

    def usage(self, lib: Library, owner: int) -> int:
        """Bytes the owner's files take: each md5 counted once per library."""
        del owner  # one owner per sandbox library: a group's owner is its key's user
        md5s = {i.get("md5") for i in lib.items.values() if i.get("md5")}
        with self._lock:
            return sum(len(self._blobs.get(str(m), b"")) for m in md5s)

    # -- step 2 -------------------------------------------------------------------------

    def receive(self, req: Request, upload_key: str) -> Response:
        with self._lock:
            pending = self._pending.get(upload_key)
        if pending is None or req.method != "POST":
            raise HttpFailure(403, "Invalid upload policy")
        prefix, suffix = _framing(pending, upload_key)
        body = req.body
        if not (body.startswith(prefix) and body.endswith(suffix)):
            raise HttpFailure(400, "Malformed upload body")
        data = body[len(prefix) : len(body) - len(suffix)]
        if len(data) != pending.filesize:
            raise HttpFailure(400, "Your proposed upload does not match the policy (size)")
        if hashlib.md5(data).hexdigest() != pending.md5:
            raise HttpFailure(400, "The Content-MD5 you specified did not match what we received")
        self.keep(data)
        with self._lock:
            pending.uploaded = True
        return Response(201)

    # -- step 3 -------------------------------------------------------------------------

    def register(self, req: Request, item: dict[str, Any]) -> dict[str, Any]:
        """The item's new file data; the upload key is spent."""
        form = form_fields(req)
        upload_key = form.get("upload", "")
        with self._lock:
            pending = self._pending.get(upload_key)
        if pending is None or pending.item_key != item["key"]:
            raise HttpFailure(400, "Upload key not found")
        check_precondition(req, item)
        if not pending.uploaded or self.blob(pending.md5) is None:
            raise HttpFailure(400, "Remote file not found")
        with self._lock:
            self._pending.pop(upload_key, None)
        return file_data(
            pending.md5, pending.filename, pending.mtime, pending.content_type, pending.charset
        )


def is_file_request(rest: list[str]) -> bool:
    return len(rest) == 3 and rest[0] == "items" and rest[2] == "file"


def is_registration(req: Request) -> bool:
    """Step 3 (``upload=<key>``) rather than step 1."""
    return "upload" in form_fields(req)


def file_item(lib: Library, key: str) -> dict[str, Any]:
    item = lib.items.get(key)
    if item is None:
        raise HttpFailure(404, "Item not found")
    if item.get("itemType") != "attachment" or item.get("linkMode") not in FILE_MODES:
        raise HttpFailure(400, "Item is not an imported attachment")
    return item


def file_data(
    md5: str, filename: str, mtime: int, content_type: str, charset: str
) -> dict[str, Any]:
    data: dict[str, Any] = {"md5": md5, "filename": filename, "mtime": mtime}
    if content_type:
        data["contentType"] = content_type
    if charset:
        data["charset"] = charset
    return data


def check_precondition(req: Request, item: dict[str, Any]) -> None:
    stored = item.get("md5") or None
    match = req.header("If-Match")
    none_match = req.header("If-None-Match")
    if match is not None:
        if stored is None:
            raise HttpFailure(412, "If-Match set but file does not exist")
        if match.strip('"') != stored:
            raise HttpFailure(412, "ETag does not match current version of file")
    elif none_match is not None:
        if none_match.strip() != "*":
            raise HttpFailure(400, "Invalid If-None-Match value")
        if stored is not None:
            raise HttpFailure(412, "If-None-Match: * set but file exists")
    else:
        raise HttpFailure(428, "If-Match/If-None-Match header not provided")


def form_fields(req: Request) -> dict[str, str]:
    try:
        text = req.body.decode("utf-8")
    except UnicodeDecodeError:
        raise HttpFailure(400, "Invalid request body") from None
    return dict(parse_qsl(text, keep_blank_values=True))


def _int_field(form: dict[str, str], name: str, label: str) -> int:
    value = form.get(name, "")
    if not value:
        raise HttpFailure(400, f"{label} not provided")
    if not value.isdigit():
        raise HttpFailure(400, f"Invalid {name} '{value}'")
    return int(value)


def _framing(pending: _Pending, upload_key: str) -> tuple[bytes, bytes]:
    """S3 form-upload framing: the policy fields, then the file part's head; the
    closing boundary after the bytes."""
    b = pending.boundary
    head = (
        f'--{b}\r\nContent-Disposition: form-data; name="key"\r\n\r\n{upload_key}\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="Content-MD5"\r\n\r\n{pending.md5}\r\n'
        f'--{b}\r\nContent-Disposition: form-data; name="file"; filename="upload"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    )
    return head.encode("latin-1"), f"\r\n--{b}--\r\n".encode("latin-1")
