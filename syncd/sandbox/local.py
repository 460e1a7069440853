"""Zotero 10's local API (``127.0.0.1:23119/api``) in front of the sandbox's Web API.

``syncd sandbox --local`` and ``Sandbox(local=True)`` serve this. It follows
``shared/reference/zotero-local-api-and-files.md`` (Zotero 10.0.0's
``server_localAPI.js``), in what a client meets:

* everything under ``/api/``; ``/api/`` itself answers with the server ID; every
  answer of an endpoint carries ``Zotero-Server-ID`` (errors too), a path no
  endpoint serves (404) does not;
* ``/users/0`` (or the user's own ID) is the desktop's library, ``/groups/N`` its groups;
* reads need no key and are not paginated (``limit``/``start`` still work);
* writes need ``Zotero-Server-ID`` (428 without, 412 for another), checked before the
  key; then a local key (401 without or unknown); a one-time key ("Allow") is spent
  by the first write that gets past that check, whatever happens to the write after;
* ``POST /api/local/authorize`` answers as the user would in the dialog: ``answer``
  is "allow" (a one-time key), "always" (a lasting key) or "deny" (403); blank or
  non-JSON bodies are 400, a missing server ID 428, a sixth prompt within a minute 429;
* no ``/deleted``, no ``/keys``, no ``/items/new`` (404), no rate limit;
* group listings ignore ``since`` and carry no ``Last-Modified-Version``;
* ``enabled = False`` is the local API switched off (403 on every request);
* files are uploaded to Zotero itself (``local_files.py``, reference C2).

Restarting Zotero (``Sandbox.restart``) forgets one-time keys and upload keys, as the
app does with what it keeps in memory; lasting keys stay.
"""

from __future__ import annotations

import json
import secrets
import string
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Literal

from syncd.sandbox.api import Api
from syncd.sandbox.faults import WRITE_METHODS
from syncd.sandbox.files import file_item, is_file_request, is_registration
from syncd.sandbox.local_files import UPLOADS_PATH, LocalUploads
from syncd.sandbox.protocol import HttpFailure, Request, Response, json_response, text_response
from syncd.sandbox.store import ApiKey

Answer = Literal["allow", "always", "deny"]
SERVER_ID_HEADER = "Zotero-Server-ID"
PROMPTS_PER_MINUTE = 5
UNPAGINATED_STEP = 100  # the inner Web API's largest page
ABSENT = ("deleted", "keys")


class _NoEndpoint(HttpFailure):
    """No endpoint of the table matched: answered by the HTTP server itself, which
    sends no server ID (SRV:323-360)."""

    def __init__(self) -> None:
        super().__init__(404, "No endpoint found")


def new_server_id() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(12))


class LocalApi:
    """Translates local-API requests into the inner Web API's, with the local rules."""

    def __init__(
        self,
        inner: Api,
        *,
        user_id: int,
        server_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.inner = inner
        self.user_id = user_id
        self.server_id = server_id or new_server_id()
        self.answer: Answer = "always"
        self.enabled = True
        self.clock = clock
        self._keys: dict[str, bool] = {}  # local key -> lasting
        self._prompts: deque[float] = deque()
        self._lock = threading.Lock()
        self._inner_key = "local" + secrets.token_hex(12)
        self.keys_spent = 0
        self.uploads = LocalUploads(clock)

    # -- set-up (tests) ------------------------------------------------------------------

    def add_key(self, key: str, *, lasting: bool = True) -> None:
        with self._lock:
            self._keys[key] = lasting

    def clear_keys(self) -> None:
        """Settings → "Clear Write Authorizations"."""
        with self._lock:
            self._keys.clear()

    def forget_one_time_keys(self) -> None:
        with self._lock:
            self._keys = {k: v for k, v in self._keys.items() if v}

    # -- serving -------------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        try:
            if req.path != "/api" and not req.path.startswith("/api/"):
                raise _NoEndpoint
            response = self._handle(req, req.path[len("/api") :])
        except _NoEndpoint as failure:
            return text_response(failure.status, failure.message)
        except HttpFailure as failure:
            response = text_response(failure.status, failure.message, failure.headers)
        response.headers[SERVER_ID_HEADER] = self.server_id
        return response

    def _handle(self, req: Request, rest: str) -> Response:
        if not self.enabled:
            raise HttpFailure(403, "Local API is not enabled")
        if rest in ("", "/"):
            if rest == "":
                raise _NoEndpoint
            return text_response(200, "Nothing to see here.")
        asked = req.header("Zotero-API-Version")
        if asked is not None and asked.strip() != "3":
            raise HttpFailure(501, "API version not implemented")
        if rest == "/local/authorize":
            if req.method != "POST":
                raise HttpFailure(405, "Method not allowed")
            return self._authorize(req)
        if rest.startswith(UPLOADS_PATH):
            return self._receive(req, rest[len(UPLOADS_PATH) :])
        segments = [s for s in rest.split("/") if s]
        if segments[0] in ABSENT or segments[-1] == "new" or "deleted" in segments:
            raise _NoEndpoint
        if segments[0] == "users" and len(segments) >= 2:
            if segments[1] not in ("0", str(self.user_id)):
                raise HttpFailure(400, "Only the local user library is available")
            segments[1] = str(self.user_id)
        elif segments[0] != "groups":
            raise _NoEndpoint
        if req.method in WRITE_METHODS:
            self._authenticate(req)
            if is_file_request(segments[2:]):
                return self._file(req, "/".join(segments[:2]), segments[3])
        inner = self._inner_request(req, "/" + "/".join(segments))
        if req.method != "GET":
            return self.inner.handle(inner)
        group = segments[0] == "groups"
        if group:
            # Group listings ignore since= and name no library version (LA:330-336, 410-424).
            inner = Request(
                inner.method,
                inner.path,
                [(k, v) for k, v in inner.query if k != "since"],
                {k: v for k, v in inner.headers.items() if k != "if-modified-since-version"},
                inner.body,
            )
        if self._unpaginated(req, segments):
            response = self._read_all(inner)
        else:
            response = self.inner.handle(inner)
        if group and len(segments) == 3:
            response.headers.pop("Last-Modified-Version", None)
        return response

    # -- files (reference C2) ------------------------------------------------------------

    def _file(self, req: Request, library: str, key: str) -> Response:
        """Steps 1 and 3 of the upload, answered by Zotero itself (no storage service)."""
        if req.method != "POST":
            raise HttpFailure(405, "Method not allowed")
        store = self.inner.store
        with store.lock:
            lib = store.libraries.get(library)
            if lib is None:
                raise HttpFailure(404, "Library not found")
            item = file_item(lib, key)
            if not is_registration(req):
                return self.uploads.authorize(req, library, item)
            data, file_data = self.uploads.register(req, library, item)
            self.inner.files.keep(data)
            version = self.inner.set_file(lib, item, file_data)
        return Response(204, {"Last-Modified-Version": str(version)})

    def _receive(self, req: Request, upload_key: str) -> Response:
        """Step 2: exempt from the server ID, but a wrong one is still refused."""
        sent = req.header(SERVER_ID_HEADER)
        if sent and sent != self.server_id:
            raise HttpFailure(412, "Zotero-Server-ID does not match this server")
        with self.inner.store.lock:
            return self.uploads.receive(req, upload_key)

    def _authenticate(self, req: Request) -> None:
        sent = req.header(SERVER_ID_HEADER)
        if not sent:
            raise HttpFailure(428, "Zotero-Server-ID not provided")
        if sent != self.server_id:
            raise HttpFailure(412, "Zotero-Server-ID does not match this server")
        key = Api.presented_key(req)
        with self._lock:
            lasting = self._keys.get(key) if key else None
            if key is None or lasting is None:
                raise HttpFailure(
                    401,
                    "Invalid or expired API key" if key else "API key not provided",
                    {"WWW-Authenticate": 'Bearer realm="Zotero"'},
                )
            if not lasting:
                # Spent as soon as it authenticates, before the body is even looked at.
                del self._keys[key]
                self.keys_spent += 1

    def _inner_request(self, req: Request, path: str) -> Request:
        self._grant_inner_key()
        headers = {
            k: v
            for k, v in req.headers.items()
            if k not in ("zotero-api-key", "authorization", SERVER_ID_HEADER.lower())
        }
        headers["zotero-api-key"] = self._inner_key
        query = [(k, v) for k, v in req.query if k != "key"]
        return Request(req.method, path, query, headers, req.body)

    def _grant_inner_key(self) -> None:
        """The local API reaches every library of the desktop, groups made later too."""
        store = self.inner.store
        groups = {
            int(name.split("/")[1]): True for name in store.libraries if name.startswith("groups/")
        }
        current = store.keys.get(self._inner_key)
        if current is None or dict(current.groups) != groups:
            store.add_key(ApiKey(self._inner_key, self.user_id, True, groups))

    @staticmethod
    def _unpaginated(req: Request, segments: list[str]) -> bool:
        listing = segments[2:] in (["items"], ["items", "top"], ["collections"])
        fmt = req.param("format") or "json"
        limit = req.param("limit")
        asked_big = limit is None or not limit.isdigit() or int(limit) > UNPAGINATED_STEP
        return listing and fmt == "json" and asked_big and req.param("itemKey") is None

    def _read_all(self, req: Request) -> Response:
        """A whole listing in one answer, gathered from the inner API's pages."""
        start_raw = req.param("start") or "0"
        start = int(start_raw) if start_raw.isdigit() else 0
        limit_raw = req.param("limit")
        wanted = int(limit_raw) if limit_raw and limit_raw.isdigit() and int(limit_raw) else None
        base = [(k, v) for k, v in req.query if k not in ("start", "limit")]
        gathered: list[object] = []
        first: Response | None = None
        while wanted is None or len(gathered) < wanted:
            query = [*base, ("start", str(start)), ("limit", str(UNPAGINATED_STEP))]
            page = self.inner.handle(Request(req.method, req.path, query, req.headers, req.body))
            if page.status != 200:
                return page
            first = first or page
            objects = json.loads(page.body)
            gathered.extend(objects)
            start += len(objects)
            if len(objects) < UNPAGINATED_STEP:
                break
        if wanted is not None:
            gathered = gathered[:wanted]
        assert first is not None
        headers = {k: v for k, v in first.headers.items() if k not in ("Link", "Content-Type")}
        return json_response(200, gathered, headers)

    # -- the authorization dialog --------------------------------------------------------

    def _authorize(self, req: Request) -> Response:
        sent = req.header(SERVER_ID_HEADER)
        if not sent:
            raise HttpFailure(428, "Zotero-Server-ID not provided")
        if sent != self.server_id:
            raise HttpFailure(412, "Zotero-Server-ID does not match this server")
        try:
            payload = json.loads(req.body or b"null")
        except ValueError:
            raise HttpFailure(400, "Invalid JSON") from None
        name = payload.get("appName") if isinstance(payload, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise HttpFailure(400, "appName not provided")
        with self._lock:
            now = self.clock()
            while self._prompts and now - self._prompts[0] >= 60:
                self._prompts.popleft()
            if len(self._prompts) >= PROMPTS_PER_MINUTE:
                wait = max(1, min(60, int(60 - (now - self._prompts[0])) + 1))
                raise HttpFailure(429, "Too many requests", {"Retry-After": str(wait)})
            self._prompts.append(now)
            if self.answer == "deny":
                return json_response(403, {"denied": True})
            key = secrets.token_hex(16)
            lasting = self.answer == "always"
            self._keys[key] = lasting
        return json_response(200, {"key": key, "remember": lasting})
