"""The sandbox's Zotero Web API v3: routing, authentication and write requests.

:meth:`Api.handle` maps a transport-free :class:`Request` to a :class:`Response`.
Reads are delegated to :mod:`syncd.sandbox.reads`, per-object write rules to
:mod:`syncd.sandbox.writes`; this module checks keys and permissions, applies the
request-level preconditions (library ``If-Unmodified-Since-Version``, write tokens,
batch size), and commits each request's writes in one store transaction. The
library version rises as on dataserver since c97d2cfd: by one per object of a
multi-object POST that did not fail (``DataObjects::updateMultipleFromJSON``), by one
for a single-object write or a DELETE (``ItemsController::items`` bumps up front).

The store lock is held for the whole of each request: requests are short, and it
makes every response a consistent snapshot without per-object locking.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from syncd.sandbox import reads
from syncd.sandbox.envelope import collection_json, item_json
from syncd.sandbox.files import (
    UPLOAD_PATH,
    FileStore,
    file_item,
    is_file_request,
    is_registration,
)
from syncd.sandbox.groups import group_json
from syncd.sandbox.protocol import (
    HttpFailure,
    Request,
    Response,
    escape,
    int_header,
    json_response,
    text_response,
)
from syncd.sandbox.store import ApiKey, Kind, Library, Store
from syncd.sandbox.typeinfo import TYPE_ENDPOINTS, TypeInfo
from syncd.sandbox.validate import Failure, is_key
from syncd.sandbox.writes import (
    Mode,
    Unchanged,
    WriteContext,
    Written,
    delete_collections,
    delete_items,
    write_collection,
    write_item,
)
from syncd.schema import Schema

MAX_BATCH = 50
# Library endpoints the server has and the sandbox does not emulate (beyond empty
# listings of searches and settings): answered 501 rather than a misleading 404.
NOT_EMULATED = frozenset({"searches", "settings", "tags", "fulltext"})
_BEARER = re.compile(r"^bearer +([a-z0-9]+)$", re.IGNORECASE)
WRITE_TOKEN_TTL = 12 * 3600


def utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Api:
    def __init__(
        self,
        store: Store,
        schema: Schema,
        *,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
        files: FileStore | None = None,
    ) -> None:
        self.store = store
        self.files = files or FileStore()
        self.schema = schema
        self.types = TypeInfo(schema)
        self.rng = rng or random.Random()
        self.clock = clock
        self.base_url = "http://127.0.0.1"

    # -- entry point ---------------------------------------------------------------------

    def handle(self, req: Request) -> Response:
        version = "3"
        try:
            version = self._api_version(req)
            response = self._route(req)
        except HttpFailure as failure:
            response = text_response(failure.status, failure.message, failure.headers)
        response.headers["Zotero-API-Version"] = version
        response.headers["Zotero-Schema-Version"] = str(self.schema.version)
        return response

    @staticmethod
    def _api_version(req: Request) -> str:
        """The API version asked for, as ``ApiController::init`` and
        ``Zotero_API::parseQueryParams`` read it; only v3 is served here."""
        # PHP's (int) cast of the header: leading digits, and 0 (no number) is "absent".
        number = re.match(r"\s*(\d+)", req.header("Zotero-API-Version") or "")
        asked = str(int(number.group(1))) if number and int(number.group(1)) else None
        param = req.param("v")
        if asked is not None and param and param != asked:
            raise HttpFailure(400, "Zotero-API-Version header does not match 'v' query parameter")
        asked = asked or param or "3"
        if asked not in ("1", "2", "3"):
            raise HttpFailure(400, f"Invalid API version '{asked}'")
        if asked != "3":
            # The server answers v1/v2 in their own formats (Atom by default); the sandbox
            # does not emulate them, and answering as v3 would hide that.
            raise HttpFailure(400, f"API version {asked} is not emulated by the syncd sandbox")
        return asked

    def _route(self, req: Request) -> Response:
        if req.path.startswith(UPLOAD_PATH):
            # Step 2 of the file upload goes to storage (S3), which takes no API key.
            with self.store.lock:
                return self.files.receive(req, req.path[len(UPLOAD_PATH) :])
        segments = [s for s in req.path.split("/") if s]
        if not segments:
            raise HttpFailure(404, "Not found")
        if segments[0] in TYPE_ENDPOINTS or segments == ["items", "new"]:
            if req.method != "GET":
                raise HttpFailure(405, "Method not allowed", {"Allow": "GET"})
            return self.types.handle(req, segments)
        if segments[0] == "keys" and len(segments) == 2:
            if req.method != "GET":
                raise HttpFailure(405, "Method not allowed", {"Allow": "GET"})
            return self._key_info(req, segments[1])
        if segments[0] in ("users", "groups") and len(segments) >= 2:
            if not segments[1].isdigit() or int(segments[1]) == 0:
                # ApiController::__construct: "Invalid user ID" / "Invalid group ID".
                raise HttpFailure(400, f"Invalid {segments[0][:-1]} ID")
            name = f"{segments[0]}/{int(segments[1])}"
            of_user = segments[0] == "users" and segments[2:] == ["groups"]
            if of_user or (segments[0] == "groups" and len(segments) == 2):
                if req.method != "GET":
                    raise HttpFailure(405, "Method not allowed", {"Allow": "GET"})
                return self._groups(req, name, of_user)
            return self._library_request(req, name, segments[2:])
        raise HttpFailure(404, "Not found")

    def _groups(self, req: Request, name: str, of_user: bool) -> Response:
        """``GET /groups/<id>`` (GroupsController) or ``GET /users/<id>/groups``."""
        with self.store.lock:
            api_key = self._api_key(req)
            if of_user:
                if api_key is None or name != f"users/{api_key.user_id}":
                    raise HttpFailure(403, "Forbidden")
                libs = [
                    lib
                    for g in sorted(api_key.groups)
                    if (lib := self.store.library(f"groups/{g}")) is not None
                ]
                payload = [group_json(lib, api_key, self.base_url) for lib in libs]
                return json_response(200, payload, {"Total-Results": str(len(payload))})
            lib = self.store.library(name)
            if lib is None:
                raise HttpFailure(404, "Group not found")
            if api_key is None or not api_key.can_read(lib):
                raise HttpFailure(403, "Forbidden")
            return json_response(200, group_json(lib, api_key, self.base_url))

    # -- auth ----------------------------------------------------------------------------

    @staticmethod
    def presented_key(req: Request) -> str | None:
        """The key, looked for as ``ApiController::init`` does: the Zotero-API-Key header,
        then ``?key=`` (400 if both differ), then ``Authorization: Bearer <key>``, whose
        key must be letters and digits (400 otherwise; other schemes are ignored)."""
        key = req.header("Zotero-API-Key") or None
        param = req.param("key")
        if param is not None:
            if key is None:
                key = param
            elif param != key:
                raise HttpFailure(400, "Zotero-API-Key header and 'key' parameter differ")
        if not key:
            auth = req.header("Authorization") or ""
            if auth[:6].lower() == "bearer":
                bearer = _BEARER.match(auth)
                if bearer is None:
                    raise HttpFailure(400, "Invalid Authorization header format")
                key = bearer.group(1)
        return key or None

    def _api_key(self, req: Request) -> ApiKey | None:
        presented = self.presented_key(req)
        if presented is None:
            return None
        found = self.store.keys.get(presented)
        if found is None:
            raise HttpFailure(403, "Invalid key")
        return found

    def _key_info(self, req: Request, which: str) -> Response:
        if which == "current":
            api_key = self._api_key(req)
            if api_key is None:
                raise HttpFailure(403, "Forbidden")
        else:
            found = self.store.keys.get(which)
            if found is None:
                raise HttpFailure(404, "Key not found")
            api_key = found
        # Zotero_Key::toJSON: per-group {library, write}; "groups" left out when empty.
        access: dict[str, Any] = {
            "user": {"library": True, "files": True, "notes": True, "write": api_key.user_write}
        }
        if api_key.groups:
            access["groups"] = {
                str(g): {"library": True, "write": w} for g, w in sorted(api_key.groups.items())
            }
        payload = {
            "key": api_key.key,
            "userID": api_key.user_id,
            "username": f"sandbox-user-{api_key.user_id}",
            "displayName": f"Sandbox user {api_key.user_id}",
            "name": "sandbox key",
            "access": access,
        }
        return json_response(200, payload)

    def _library_request(self, req: Request, name: str, rest: list[str]) -> Response:
        with self.store.lock:
            api_key = self._api_key(req)
            lib = self.store.library(name)
            if lib is None:
                # The server looks the library up before it checks the key's access:
                # an unknown group or user is 404 for everyone.
                kind, number = name.split("/")
                raise HttpFailure(
                    404, f"User {number} not found" if kind == "users" else "Not found"
                )
            if api_key is None or not api_key.can_read(lib):
                raise HttpFailure(403, "Forbidden")
            try:
                response = self._library_method(req, api_key, lib, rest)
            except HttpFailure as failure:
                failure.headers.setdefault("Last-Modified-Version", str(lib.version))
                raise
            response.headers.setdefault("Last-Modified-Version", str(lib.version))
            return response

    def _library_method(
        self, req: Request, api_key: ApiKey, lib: Library, rest: list[str]
    ) -> Response:
        if rest and rest[0] in NOT_EMULATED and (req.method != "GET" or rest[0] == "tags"):
            raise HttpFailure(501, f"{req.method} {rest[0]} is not emulated by the syncd sandbox")
        if is_file_request(rest):
            return self._file(req, api_key, lib, rest[1])
        if req.method == "GET":
            return reads.read(self.schema, lib, req, rest, self.base_url)
        if req.method not in ("POST", "PATCH", "PUT", "DELETE"):
            raise HttpFailure(405, "Method not allowed")
        if not api_key.can_write(lib):
            raise HttpFailure(403, "Write access denied")
        return self._write(req, api_key, lib, rest)

    # -- files ---------------------------------------------------------------------------

    def _file(self, req: Request, api_key: ApiKey, lib: Library, key: str) -> Response:
        """``<library>/items/<key>/file``: the stored bytes, or the upload protocol's
        authorization (step 1) and registration (step 3), see :mod:`syncd.sandbox.files`."""
        item = file_item(lib, key)
        if req.method == "GET":
            # The server redirects to storage; the sandbox answers with the bytes.
            blob = self.files.blob(item.get("md5") or "")
            if blob is None:
                raise HttpFailure(404, "File not found")
            return Response(200, {"Content-Type": "application/octet-stream"}, blob)
        if req.method != "POST":
            raise HttpFailure(405, "Method not allowed")
        if not api_key.can_write(lib):
            raise HttpFailure(403, "File editing access denied")
        if is_registration(req):
            data = self.files.register(req, item)
            version = self.set_file(lib, item, data)
            return Response(204, {"Last-Modified-Version": str(version)})
        owner = lib.id if lib.type == "user" else api_key.user_id
        answer = self.files.authorize(req, lib, item, owner, self.base_url)
        if isinstance(answer, tuple):
            data, response = answer
            response.headers["Last-Modified-Version"] = str(self.set_file(lib, item, data))
            return response
        return answer

    def set_file(self, lib: Library, item: dict[str, Any], data: dict[str, Any]) -> int:
        ctx = self._context(lib)
        ctx.pending["items"][item["key"]] = {
            **item,
            **data,
            "version": ctx.new_version,
            "dateModified": utc_now(),
        }
        ctx.bump()
        self._commit(ctx)
        return lib.version

    # -- writes --------------------------------------------------------------------------

    def _write(self, req: Request, api_key: ApiKey, lib: Library, rest: list[str]) -> Response:
        token_scope = self._check_write_token(req, api_key)
        response = self._dispatch_write(req, lib, rest)
        if token_scope is not None and response.status < 400:
            now = self.clock()
            self.store.remember_token(token_scope, now + WRITE_TOKEN_TTL, now)
        return response

    def _check_write_token(self, req: Request, api_key: ApiKey) -> str | None:
        token = req.header("Zotero-Write-Token")
        if token is None:
            return None
        if not 5 <= len(token) <= 32:
            raise HttpFailure(400, "Write token must be 5-32 characters")
        scope = hashlib.sha256(f"{api_key.key}\0{token}".encode()).hexdigest()
        if self.store.token_used(scope, self.clock()):
            raise HttpFailure(412, "Write token already used")
        return scope

    def _dispatch_write(self, req: Request, lib: Library, rest: list[str]) -> Response:
        if rest in (["items"], ["collections"]):
            kind: Kind = "items" if rest == ["items"] else "collections"
            if req.method == "POST":
                return self._post_batch(req, lib, kind)
            if req.method == "DELETE":
                return self._delete_many(req, lib, kind)
        if len(rest) == 2 and rest[0] in ("items", "collections"):
            kind = "items" if rest[0] == "items" else "collections"
            if req.method in ("PATCH", "PUT"):
                return self._write_one(req, lib, kind, rest[1])
            if req.method == "DELETE":
                return self._delete_one(req, lib, kind, rest[1])
        raise HttpFailure(405, "Method not allowed")

    def _context(self, lib: Library) -> WriteContext:
        return WriteContext(self.schema, lib, utc_now(), self.rng)

    def _library_precondition(self, req: Request, lib: Library) -> int | None:
        expected = int_header(req, "If-Unmodified-Since-Version")
        if expected is not None and lib.version > expected:
            raise HttpFailure(
                412,
                f"Library has been modified since specified version "
                f"(expected {expected}, found {lib.version})",
                {"Last-Modified-Version": str(lib.version)},
            )
        return expected

    def _commit(self, ctx: WriteContext) -> None:
        if ctx.dirty:
            self.store.commit(ctx.lib, ctx.final_version, ctx.upserts(), ctx.removals())

    def _envelope(self, lib: Library, kind: Kind, data: dict[str, Any]) -> dict[str, Any]:
        if kind == "items":
            return item_json(self.schema, lib, data, self.base_url)
        return collection_json(lib, data, self.base_url)

    @staticmethod
    def _parse_json(req: Request) -> Any:
        try:
            return json.loads(req.body or b"null")
        except ValueError as exc:
            raise HttpFailure(400, f"Invalid JSON in request body ({exc})") from None

    def _post_batch(self, req: Request, lib: Library, kind: Kind) -> Response:
        header = self._library_precondition(req, lib)
        payload = self._parse_json(req)
        if not isinstance(payload, list):
            raise HttpFailure(400, "Uploaded data must be a JSON array")
        if len(payload) > MAX_BATCH:
            raise HttpFailure(413, f"Cannot add more than {MAX_BATCH} {kind} at a time")
        ctx = self._context(lib)
        outcomes: list[Written | Unchanged | Failure] = []
        write = write_item if kind == "items" else write_collection
        for raw in payload:
            outcome = write(ctx, raw, mode="post", library_header=header is not None)
            if not isinstance(outcome, Failure):
                ctx.bump()  # unchanged objects too; a failed one's bump is rolled back
            outcomes.append(outcome)
        self._commit(ctx)
        result: dict[str, dict[str, Any]] = {
            "successful": {},
            "success": {},
            "unchanged": {},
            "failed": {},
        }
        for index, (raw, outcome) in enumerate(zip(payload, outcomes, strict=True)):
            i = str(index)
            if isinstance(outcome, Written):
                result["successful"][i] = self._envelope(lib, kind, outcome.data)
                result["success"][i] = outcome.data["key"]
            elif isinstance(outcome, Unchanged):
                result["unchanged"][i] = outcome.key
            else:
                result["failed"][i] = self._failed_entry(raw, outcome)
        response = json_response(200, result, {"Last-Modified-Version": str(lib.version)})
        response.n_objects = len(payload)
        return response

    @staticmethod
    def _failed_entry(raw: object, failure: Failure) -> dict[str, Any]:
        entry: dict[str, Any] = {}
        if isinstance(raw, dict):
            key = raw.get("key")
            if key is None and isinstance(raw.get("data"), dict):
                key = raw["data"].get("key")
            if key is not None:
                entry["key"] = key
        entry["code"] = failure.code
        entry["message"] = escape(failure.message)
        if failure.data is not None:
            entry["data"] = failure.data
        return entry

    def _write_one(self, req: Request, lib: Library, kind: Kind, key: str) -> Response:
        header = int_header(req, "If-Unmodified-Since-Version")
        payload = self._parse_json(req)
        if not isinstance(payload, dict):
            raise HttpFailure(400, "Uploaded data must be a JSON object")
        ctx = self._context(lib)
        write = write_item if kind == "items" else write_collection
        mode: Mode = "patch" if req.method == "PATCH" else "put"
        outcome = write(ctx, payload, mode=mode, header_version=header, url_key=key)
        if isinstance(outcome, Failure):
            headers = {"Last-Modified-Version": str(lib.version)}
            raise HttpFailure(outcome.code, outcome.message, headers)
        before = lib.version
        # The server bumps the library version before it knows whether anything changes,
        # and commits that bump; the answer then names the version before it.
        ctx.bump()
        self._commit(ctx)
        version = outcome.data["version"] if isinstance(outcome, Written) else before
        response = Response(204, {"Last-Modified-Version": str(version)})
        response.n_objects = 1
        return response

    def _delete_one(self, req: Request, lib: Library, kind: Kind, key: str) -> Response:
        what = "Item" if kind == "items" else "Collection"
        existing = lib.objects(kind).get(key)
        if existing is None:
            raise HttpFailure(404, f"{what} not found")
        expected = int_header(req, "If-Unmodified-Since-Version")
        if expected is None:
            raise HttpFailure(428, "If-Unmodified-Since-Version not provided")
        if existing["version"] > expected:
            raise HttpFailure(
                412,
                f"{what} has been modified since specified version "
                f"(expected {expected}, found {existing['version']})",
                {"Last-Modified-Version": str(lib.version)},
            )
        return self._delete_keys(lib, kind, [key])

    def _delete_many(self, req: Request, lib: Library, kind: Kind) -> Response:
        param = "itemKey" if kind == "items" else "collectionKey"
        raw = req.param(param)
        if not raw:
            raise HttpFailure(400, f"'{param}' must be provided to delete {kind}")
        keys = [k for k in raw.split(",") if k]
        if len(keys) > MAX_BATCH:
            raise HttpFailure(413, f"Cannot delete more than {MAX_BATCH} {kind} at a time")
        if int_header(req, "If-Unmodified-Since-Version") is None:
            raise HttpFailure(428, "If-Unmodified-Since-Version not provided")
        self._library_precondition(req, lib)
        return self._delete_keys(lib, kind, [k for k in keys if is_key(k)])

    def _delete_keys(self, lib: Library, kind: Kind, keys: list[str]) -> Response:
        ctx = self._context(lib)
        if kind == "items":
            delete_items(ctx, keys)
        else:
            delete_collections(ctx, keys)
        ctx.bump()  # up front on the server, whether or not a key existed
        self._commit(ctx)
        response = Response(204, {"Last-Modified-Version": str(lib.version)})
        response.n_objects = len(keys)
        return response
