"""The file upload protocol as Zotero 10's local API runs it (reference section C2,
``server_localAPI.js``), for the sandbox's local mode.

Unlike the Web API (``files.py``) there is no storage service: Zotero itself receives
the bytes at ``/api/local/uploads/<uploadKey>``, so

* step 1 answers ``{url: http://<Host>/api/local/uploads/<key>, uploadKey,
  contentType, prefix: "", suffix: ""}`` (``params=1``: ``params: {key: md5}``);
  ``exists`` only when the item's own file already has that md5 (no server-wide
  dedup, no quota, no queue limit, no ``Last-Modified-Version``);
* the receiver needs no key and no server ID (a wrong one is 412), takes the raw
  body or a multipart ``file`` part, checks the md5 (a mismatch drops the key), answers
  201 and may be called again until the register; bodies sent as text, JSON or a form
  are read as text (a binary file arrives corrupted), no Content-Type is a 400;
* an unknown or expired key at the receiver is 404 (at the register, 400);
* upload keys live in memory for an hour and are lost when Zotero restarts;
* preconditions are checked against the item's synced hash at steps 1 and 3 (a 412
  at step 3 discards the staged bytes).
"""

from __future__ import annotations

import email.parser
import email.policy
import hashlib
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from syncd.sandbox.files import check_precondition, file_data, form_fields
from syncd.sandbox.protocol import HttpFailure, Request, Response, json_response

UPLOADS_PATH = "/local/uploads/"
KEY_LIFETIME = 3600.0
MAX_FILESIZE = 4 * 1024**3
# An mtime in this range is seconds, not milliseconds (LA:2418-2455; T:1812-1876).
SECONDS_MTIME = range(1, 10_000_000_000)
UPLOAD_CONTENT_TYPE = "application/octet-stream"
# Bodies of these types are decoded as text by Zotero's HTTP server (SRV:231-260).
TEXT_BODIES = ("text/plain", "application/json", "application/x-www-form-urlencoded")
_MD5 = re.compile(r"^[0-9a-f]{32}$")


@dataclass(slots=True)
class _Pending:
    library: str
    item_key: str
    md5: str
    filename: str
    mtime: int
    content_type: str
    charset: str
    created: float
    data: bytes | None = None


class LocalUploads:
    """Upload keys handed out and not yet registered, with the bytes staged for each."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._pending: dict[str, _Pending] = {}

    def forget(self) -> None:
        """Zotero quit: what it kept in memory is gone."""
        self._pending.clear()

    def _live(self, upload_key: str) -> _Pending | None:
        pending = self._pending.get(upload_key)
        if pending is not None and self.clock() - pending.created >= KEY_LIFETIME:
            del self._pending[upload_key]
            return None
        return pending

    # -- step 1 -------------------------------------------------------------------------

    def authorize(self, req: Request, library: str, item: dict[str, Any]) -> Response:
        form = form_fields(req)
        check_precondition(req, item)
        md5 = form.get("md5", "")
        if not _MD5.match(md5):
            raise HttpFailure(400, "Invalid MD5 hash")
        filename = form.get("filename", "")
        if not filename or "/" in filename or "\\" in filename or filename in (".", ".."):
            raise HttpFailure(400, "Invalid filename")
        size = _number(form, "filesize")
        if size > MAX_FILESIZE:
            raise HttpFailure(400, "File too large")
        mtime = _number(form, "mtime")
        if mtime in SECONDS_MTIME:
            raise HttpFailure(400, "mtime must be in milliseconds")
        if item.get("md5") == md5:
            return json_response(200, {"exists": 1})
        upload_key = secrets.token_hex(16)
        self._pending[upload_key] = _Pending(
            library,
            item["key"],
            md5,
            filename,
            mtime,
            form.get("contentType", ""),
            form.get("charset", ""),
            self.clock(),
        )
        url = f"http://{req.header('Host') or '127.0.0.1'}/api{UPLOADS_PATH}{upload_key}"
        if form.get("params") == "1":
            return json_response(200, {"url": url, "params": {"key": md5}, "uploadKey": upload_key})
        return json_response(
            200,
            {
                "url": url,
                "uploadKey": upload_key,
                "contentType": UPLOAD_CONTENT_TYPE,
                "prefix": "",
                "suffix": "",
            },
        )

    # -- step 2 -------------------------------------------------------------------------

    def receive(self, req: Request, upload_key: str) -> Response:
        if req.method != "POST":
            raise HttpFailure(405, "Method not allowed")
        pending = self._live(upload_key)
        if pending is None:
            raise HttpFailure(404, "Upload key not found")
        data = _body_bytes(req)
        if hashlib.md5(data).hexdigest() != pending.md5:
            del self._pending[upload_key]
            raise HttpFailure(400, "MD5 of the uploaded file does not match")
        pending.data = data
        return Response(201)

    # -- step 3 -------------------------------------------------------------------------

    def register(
        self, req: Request, library: str, item: dict[str, Any]
    ) -> tuple[bytes, dict[str, Any]]:
        """The bytes and the item's new file data; the upload key is spent."""
        upload_key = form_fields(req).get("upload", "")
        pending = self._live(upload_key)
        if pending is None or (pending.library, pending.item_key) != (library, item["key"]):
            raise HttpFailure(400, "Upload key not found")
        try:
            check_precondition(req, item)
        except HttpFailure:
            pending.data = None
            raise
        if pending.data is None:
            raise HttpFailure(400, "File not uploaded")
        del self._pending[upload_key]
        data = file_data(
            pending.md5, pending.filename, pending.mtime, pending.content_type, pending.charset
        )
        return pending.data, data


def _number(form: dict[str, str], name: str) -> int:
    value = form.get(name, "")
    if not value.isdigit():
        raise HttpFailure(400, f"Invalid {name}")
    return int(value)


def _body_bytes(req: Request) -> bytes:
    content_type = req.header("Content-Type")
    if not content_type:
        raise HttpFailure(400, "Request body not provided")
    kind = content_type.split(";")[0].strip().lower()
    if kind in TEXT_BODIES:
        return req.body.decode("utf-8", "replace").encode("utf-8")
    if kind != "multipart/form-data":
        return req.body
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + req.body)
    for part in message.iter_parts() if message.is_multipart() else ():
        if part.get_param("name", header="content-disposition") == "file":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload
    raise HttpFailure(400, "File not provided")
