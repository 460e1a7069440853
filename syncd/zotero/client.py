"""The Zotero Web API client: every request syncd makes to a Zotero library.

Built on pyzotero 1.16 for the reads it does well (paging ``/items``,
``format=versions``, ``/deleted``, ``/collections``), with our own
``httpx2.Client`` so that one retry policy (``syncd.zotero.retry``) governs every
request. Where pyzotero falls short we talk to the API with that same
``httpx2.Client``; each such place says why. In short:

* pyzotero sleeps in place on ``Backoff``/``Retry-After`` with ``time.sleep``, retries
  429 only for some methods, and turns a 429 on ``create_items`` into a
  ``JSONDecodeError``. A response hook on our HTTP client raises ``RetryableStatus``
  for retryable statuses before pyzotero sees them, and records ``Backoff`` in a
  gate shared by all threads; pyzotero's own back-off is switched off.
* ``create_items`` invents a fresh write token per call (a retry is then not
  idempotent) and ``update_items`` ignores per-object failures, so batch writes are
  sent directly (``post_items``).
* ``key_info`` puts the API key in the URL path; we use ``/keys/current``.

pyzotero instances keep per-request state and are not thread-safe, so each worker
thread gets its own, all sharing one (thread-safe) ``httpx2.Client``.

``local=True`` is Zotero desktop's local API (Zotero 10; see
``shared/reference/zotero-local-api-and-files.md``): every request carries the
server ID the library was bound to, and a response naming another one stops the
run before its data is used (``ServerChangedError``); the key goes on writes only
(a one-time "Allow" key is spent by the first request that authenticates); there
is no ``/deleted`` or ``/keys``; pages are large (no page limit locally); a refused
connection is ``DesktopUnreachableError`` and a 401 ``LocalKeyRefusedError``.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal, TypeVar

import httpx2
from pyzotero import zotero as pyzotero_module
from pyzotero.errors import PyZoteroError

from syncd import jsonio
from syncd.errors import (
    ApiError,
    ApiUnavailableError,
    ConfigError,
    CredentialError,
    DesktopUnreachableError,
    LocalKeyRefusedError,
    ServerChangedError,
    SyncdError,
)
from syncd.zotero.results import (
    ItemsSnapshot,
    PreconditionFailedError,
    WriteFailure,
    WriteResult,
    WriteTokenUsedError,
    parse_write_response,
)
from syncd.zotero.retry import (
    RETRYABLE_STATUSES,
    Clock,
    Retrier,
    RetryableStatus,
    RetryPolicy,
    Sleep,
    parse_seconds,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

PAGE_SIZE = 100
LOCAL_PAGE_SIZE = 5000  # the local API has no page limit; this only bounds one response
SERVER_ID_HEADER = "Zotero-Server-ID"
KEYS_PER_REQUEST = 50
MAX_WRITE_OBJECTS = 50

LibraryType = Literal["user", "group"]
Json = dict[str, Any]

# The result types live in syncd.zotero.results; they are re-exported here because
# callers naturally look for them next to the client that returns them.
__all__ = [
    "ItemsSnapshot",
    "PreconditionFailedError",
    "RetryPolicy",
    "WriteFailure",
    "WriteResult",
    "WriteTokenUsedError",
    "ZoteroClient",
    "parse_write_response",
]


class _Pyzotero(pyzotero_module.Zotero):
    """pyzotero with its own back-off switched off and the shared client left open."""

    def _check_backoff(self) -> None:
        # The BackoffGate waits instead, with an injectable sleep and across threads.
        pass

    def _set_backoff(self, duration: str | float) -> None:
        # The response hook has already recorded it in the BackoffGate.
        pass

    def __del__(self) -> None:
        # pyzotero closes its client when collected; the client is ours and shared.
        pass

    syncd_server_id: str | None = None

    def default_headers(self) -> dict[str, str]:
        # The key goes in Zotero-API-Key, as in our own requests (see _headers).
        headers = dict(super().default_headers())
        if headers.pop("Authorization", None) is not None and self.api_key:
            headers["Zotero-API-Key"] = self.api_key
        if self.syncd_server_id:
            # Reads of the local API: the response is checked against it (_on_response).
            headers[SERVER_ID_HEADER] = self.syncd_server_id
        return headers


def _last(zot: _Pyzotero) -> httpx2.Response:
    if zot.request is None:
        raise ApiError("pyzotero returned without making a request")
    return zot.request


def _version(response: httpx2.Response, missing: int | None = None) -> int:
    value = response.headers.get("Last-Modified-Version")
    if value is None and missing is not None:
        return missing
    if value is None:
        raise ApiError(
            f"the Zotero API sent no Last-Modified-Version for {response.request.url.path}",
            hint="is base_url pointing at a Zotero Web API server?",
        )
    return int(value)


def _server_message(response: httpx2.Response) -> str:
    try:
        text = response.text
    except (httpx2.ResponseNotRead, UnicodeDecodeError):
        return ""
    return html.unescape(text.strip())[:300]


class ZoteroClient:
    """One Zotero library, read and written with retries. Methods return plain data."""

    def __init__(
        self,
        base_url: str,
        library_type: LibraryType,
        library_id: int,
        api_key: str,
        *,
        policy: RetryPolicy = RetryPolicy(),  # noqa: B008 - frozen dataclass, safe default
        timeout: float = 30.0,
        transport: httpx2.BaseTransport | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        local: bool = False,
        server_id: str | None = None,
        partition: str | None = None,
        name: str = "default",
    ) -> None:
        if library_type not in ("user", "group"):
            raise ValueError(f"library_type must be 'user' or 'group', not {library_type!r}")
        if not base_url.startswith(("http://", "https://")):
            # Otherwise every request would fail the same way until the retry budget ran out.
            raise ConfigError(
                f"base_url must start with https:// (or http:// for a local server), "
                f"not {base_url!r}",
                hint="the Zotero Web API is https://api.zotero.org",
            )
        self.base_url = base_url.rstrip("/")
        self.library_type: LibraryType = library_type
        self.library_id = library_id
        # The API path prefix; ``library`` is the state partition, the same except
        # for named and desktop libraries (LibraryConfig.partition).
        self.prefix = f"{library_type}s/{library_id}"
        self.library = partition or self.prefix
        self.name = name
        self.local = local
        self.server_id = server_id
        self.page_size = LOCAL_PAGE_SIZE if local else PAGE_SIZE
        # The desktop's group listings have no library version and ignore ``since``:
        # such a library is read whole each time (one request on the loopback).
        self.versionless = local and library_type == "group"
        self._api_key = api_key
        self.retrier = Retrier(policy, clock=clock, sleep=sleep)
        self._http = httpx2.Client(
            transport=transport,
            timeout=timeout,
            follow_redirects=True,
            event_hooks={"response": [self._on_response]},
        )
        self._local = threading.local()
        self._count_lock = threading.Lock()
        self._responses = 0
        self._schema_version: int | None = None

    @property
    def server_schema_version(self) -> int | None:
        """The Zotero schema version the server named on its last response, if any."""
        return self._schema_version

    @property
    def responses_received(self) -> int:
        """How many HTTP responses this client has had (retried attempts included)."""
        with self._count_lock:
            return self._responses

    def __repr__(self) -> str:
        # Deliberately without the key.
        return f"ZoteroClient({self.base_url!r}, {self.prefix!r})"

    def close(self) -> None:
        self._http.close()

    def close_readers(self) -> None:
        """Forget this thread's pyzotero instance (made again with the current
        server ID on the next read)."""
        self._local = threading.local()

    def __enter__(self) -> ZoteroClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------

    def _on_response(self, response: httpx2.Response) -> None:
        with self._count_lock:
            self._responses += 1
        request = response.request
        status = response.status_code
        where = request.url.path + (f"?{request.url.query.decode()}" if request.url.query else "")
        level = logging.DEBUG if status < 400 else logging.INFO
        log.log(
            level,
            "%s %s -> %d (attempt %d)",
            request.method,
            where[:200],
            status,
            self.retrier.attempt,
        )
        found_id = response.headers.get(SERVER_ID_HEADER)
        if self.local and self.server_id and found_id and found_id != self.server_id:
            # Before anything reads the body: another database's data must not land
            # in this library's mirror.
            raise ServerChangedError(self.name, self.server_id, found_id)
        schema_version = response.headers.get("Zotero-Schema-Version", "")
        if schema_version.isdigit():
            self._schema_version = int(schema_version)
        backoff = parse_seconds(response.headers.get("Backoff"))
        if backoff:
            self.retrier.gate.pause(backoff)
        if status in RETRYABLE_STATUSES:
            retry_after = parse_seconds(response.headers.get("Retry-After"))
            raise RetryableStatus(request.method, request.url.path, status, retry_after)

    def _zot(self) -> _Pyzotero:
        zot = getattr(self._local, "zot", None)
        if zot is None:
            # Local reads go without the key: a one-time key would be spent by them.
            key = None if self.local else self._api_key
            zot = _Pyzotero(self.library_id, self.library_type, key, client=self._http)
            zot.endpoint = self.base_url
            zot.syncd_server_id = self.server_id if self.local else None
            self._local.zot = zot
        return zot

    def _headers(self, method: str = "POST") -> dict[str, str]:
        # Zotero-API-Key rather than "Authorization: Bearer": the server takes Bearer
        # keys of letters and digits only (400 otherwise), the header takes any key.
        headers = {"Zotero-API-Version": "3", "User-Agent": "syncd"}
        if not self.local or method != "GET":
            headers["Zotero-API-Key"] = self._api_key
        if self.local and self.server_id:
            headers[SERVER_ID_HEADER] = self.server_id
        return headers

    def _call(self, what: str, fn: Callable[[], T]) -> T:
        """``fn`` under the retry policy; for the desktop, an unanswered connection
        says what to do about it."""
        try:
            return self.retrier.call(what, fn)
        except ApiUnavailableError as exc:
            if self.local and isinstance(exc.__cause__, httpx2.TransportError):
                raise DesktopUnreachableError(self.name, type(exc.__cause__).__name__) from None
            raise

    def _error(self, what: str, response: httpx2.Response) -> SyncdError:
        status = response.status_code
        message = _server_message(response)
        if self.local:
            local = self._local_error(status, message)
            if local is not None:
                return local
        if status in (401, 403):
            return CredentialError(
                f"the API key has no access to {self.prefix} for {what} "
                f"(HTTP {status}: {message or 'forbidden'})",
                hint="create a key with read/write access to this library at "
                "https://www.zotero.org/settings/keys and store it with `syncd key set`",
            )
        if status == 404:
            return ApiError(
                f"{what}: not found on the Zotero API (404: {message})",
                status=404,
                hint="check library_type and library_id in the configuration",
            )
        if status == 412:
            version = response.headers.get("Last-Modified-Version")
            cls = WriteTokenUsedError if "token" in message.lower() else PreconditionFailedError
            return cls(
                f"{what}: precondition failed (412: {message})",
                library_version=int(version) if version else None,
            )
        return ApiError(
            f"{what}: the Zotero API refused the request ({status}: {message})", status=status
        )

    def _version_of(self, response: httpx2.Response) -> int:
        return _version(response, 0 if self.versionless else None)

    def _local_error(self, status: int, message: str) -> SyncdError | None:
        if status == 401:
            return LocalKeyRefusedError(self.name)
        if status == 403 and "not enabled" in message.lower():
            return DesktopUnreachableError(self.name, "the local API is off")
        if status == 412 and "server" in message.lower():
            return ServerChangedError(self.name, self.server_id or "?", "another")
        return None

    def _read(self, what: str, fn: Callable[[_Pyzotero], T]) -> tuple[T, int]:
        """Run one pyzotero read with retries; return its result and library version."""

        def once() -> tuple[T, int]:
            zot = self._zot()
            # A failed call leaves its query parameters behind on the instance, and
            # pyzotero would merge them into the next call.
            zot.url_params = None
            zot.links = None
            try:
                result = fn(zot)
            except PyZoteroError as exc:
                cause = exc.__cause__
                if isinstance(cause, httpx2.HTTPStatusError):
                    raise self._error(what, cause.response) from None
                raise ApiError(f"{what}: {type(exc).__name__}") from None
            except (ValueError, _NotJson):
                # pyzotero hands back raw bytes for a non-JSON content type, and
                # raises ValueError for a JSON content type with a broken body.
                raise _not_json(what) from None
            return result, self._version_of(_last(zot))

        return self._call(what, once)

    def _send(
        self,
        what: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
        storage: bool = False,
        chunks: Callable[[], Iterable[bytes]] | None = None,
    ) -> httpx2.Response:
        """One direct request with retries; the body is encoded once and resent as is.

        ``storage``: ``path`` is a full URL the API handed out for a file upload (S3),
        sent without the API key, which must never leave for another host.
        ``chunks``: makes the ``body``'s bytes afresh for each attempt, piece by piece
        (a caller can count what left), still with its Content-Length, never chunked.
        """
        if storage:
            url, all_headers = path, dict(headers or {})
        else:
            url = f"{self.base_url}/{path.lstrip('/')}"
            all_headers = {**self._headers(method), **(headers or {})}
        if body is not None:
            all_headers["Content-Type"] = content_type
            if chunks is not None:
                all_headers["Content-Length"] = str(len(body))

        def once() -> httpx2.Response:
            content = body if chunks is None else chunks()
            response = self._http.request(method, url, content=content, headers=all_headers)
            if response.status_code >= 400:
                raise self._error(what, response)
            return response

        return self._call(what, once)

    def send(
        self,
        what: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
        storage: bool = False,
        chunks: Callable[[], Iterable[bytes]] | None = None,
    ) -> httpx2.Response:
        """A request the client has no method for (the file upload protocol,
        ``syncd.zotero.uploads``), with the same retries and error types."""
        return self._send(
            what,
            method,
            path,
            body=body,
            headers=headers,
            content_type=content_type,
            storage=storage,
            chunks=chunks,
        )

    # -- reads ------------------------------------------------------------------

    def fetch_schema(self) -> bytes:
        """The server's Zotero schema document (GET /schema), as served.

        Direct request: pyzotero has no call for the whole schema document.
        """
        return self._send("fetch the Zotero schema", "GET", "schema").content

    def key_info(self) -> Json:
        """What the API key may do (GET /keys/current).

        Direct request: pyzotero's ``key_info`` asks ``/keys/<key>``, which would put
        the key in URLs, logs and proxies.
        """
        response = self._send("GET /keys/current", "GET", "/keys/current")
        info: Json = _json("GET /keys/current", response)
        info.pop("key", None)  # never keep the key in data we hand around
        return info

    def server_identity(self) -> str:
        """The desktop's server ID (``GET /api/``, the one answer that always has it)."""
        what = "GET /api/ (Zotero desktop)"
        response = self._send(what, "GET", "/")
        found = response.headers.get(SERVER_ID_HEADER)
        if not found:
            raise ApiError(
                f"{what}: the answer has no {SERVER_ID_HEADER}",
                hint="writing to Zotero desktop needs Zotero 10 or later",
            )
        return found

    def check_write_access(self) -> None:
        """Raise ``CredentialError`` unless the key can write to this library.

        The desktop has no ``/keys``: only a write would tell whether its key is
        good, and a write would spend a one-time key, so only that it answers, as
        the server the library is bound to, is checked.
        """
        if self.local:
            found = self.server_identity()
            if self.server_id and found != self.server_id:
                raise ServerChangedError(self.name, self.server_id, found)
            return
        info = self.key_info()
        access = info.get("access", {})
        if self.library_type == "user":
            if info.get("userID") != self.library_id:
                raise CredentialError(
                    f"the API key belongs to users/{info.get('userID')}, not {self.prefix}",
                    hint="library_id must be the numeric user ID shown at "
                    "https://www.zotero.org/settings/keys, or use a key of that user",
                )
            user = access.get("user", {})
            ok = bool(user.get("library")) and bool(user.get("write"))
        else:
            groups = access.get("groups", {})
            grant = groups.get(str(self.library_id)) or groups.get("all") or {}
            ok = bool(grant.get("library")) and bool(grant.get("write"))
        if not ok:
            raise CredentialError(
                f"the API key has no write access to {self.prefix}",
                hint="edit the key at https://www.zotero.org/settings/keys to allow "
                "library and write access, or store another one with `syncd key set`",
            )

    def library_version(self) -> int:
        """The library's current version (one ``items?limit=1`` request)."""
        _, version = self._read(
            f"GET {self.prefix}/items?limit=1", lambda z: z.last_modified_version()
        )
        return version

    def _page(self, start: int) -> tuple[list[Json], int, int]:
        def get(zot: _Pyzotero) -> tuple[list[Json], int]:
            # Oldest first: edits do not move an item and creations land at the end,
            # so only deletions can shift items between pages while we read.
            items = zot.items(
                limit=self.page_size,
                start=start,
                includeTrashed=1,
                sort="dateAdded",
                direction="asc",
            )
            return _shaped(list, items), int(_last(zot).headers.get("Total-Results", len(items)))

        (items, total), version = self._read(f"GET {self.prefix}/items?start={start}", get)
        return items, total, version

    def fetch_all_items(
        self,
        *,
        concurrency: int = 4,
        on_page: Callable[[int, int], None] | None = None,
        each_page: Callable[[list[Json]], None] | None = None,
    ) -> ItemsSnapshot:
        """Every item, trashed ones, notes and attachments included.

        The first page tells ``Total-Results``; the other pages are fetched with
        up to ``concurrency`` requests in flight. ``on_page(items_so_far, total)``
        and ``each_page(items_of_the_page)`` are called after each page (from this
        thread, while the next pages are in flight).
        """
        first, total, version = self._page(0)
        items = list(first)
        consistent = True
        starts = range(self.page_size, total, self.page_size)
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            try:
                # The next pages are asked for before the first is taken in: its
                # work then waits on them, not they on it.
                pages = pool.map(self._page, starts)
                if each_page:
                    each_page(list(items))
                if on_page:
                    on_page(len(items), total)
                for page, _, page_version in pages:
                    items.extend(page)
                    if each_page:
                        each_page(list(page))
                    consistent = consistent and page_version == version
                    if on_page:
                        on_page(len(items), total)
            except BaseException:
                pool.shutdown(cancel_futures=True)
                raise
        unique = list({str(obj["key"]): obj for obj in items}.values())
        # Ties in the sort order may be broken differently from page to page; a
        # duplicate or a shortfall shows that pages overlapped.
        consistent = consistent and len(unique) == len(items) == total
        return ItemsSnapshot(items=unique, version=version, consistent=consistent)

    def item_versions(self, since: int | None = None) -> tuple[dict[str, int], int]:
        """``{key: version}`` of items changed after ``since`` (all if None), trash included."""
        params: Json = {"includeTrashed": 1}
        if since is not None:
            params["since"] = since
        versions, version = self._read(
            f"GET {self.prefix}/items?format=versions&since={since}",
            lambda z: _shaped(dict, z.item_versions(**params)),
        )
        return {str(k): int(v) for k, v in versions.items()}, version

    def items_by_keys(self, keys: Iterable[str], *, concurrency: int = 4) -> list[Json]:
        """The items with these keys (50 per request); missing keys are simply absent."""
        wanted = list(dict.fromkeys(keys))
        batches = [
            wanted[i : i + KEYS_PER_REQUEST] for i in range(0, len(wanted), KEYS_PER_REQUEST)
        ]

        def get(batch: list[str]) -> list[Json]:
            items, _ = self._read(
                f"GET {self.prefix}/items?itemKey=({len(batch)} keys)",
                lambda z: _shaped(
                    list, z.items(itemKey=",".join(batch), includeTrashed=1, limit=PAGE_SIZE)
                ),
            )
            return list(items)

        if len(batches) <= 1:
            return get(batches[0]) if batches else []
        with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
            return [item for page in pool.map(get, batches) for item in page]

    def deleted_with_version(self, since: int) -> tuple[dict[str, list[str]], int]:
        """Keys and names deleted after ``since``, and the library version seen.

        Not on the desktop, which has no ``/deleted``: the mirror compares the whole
        key list there instead (mirror.py).
        """
        if self.local:
            raise ApiError("Zotero desktop's local API has no /deleted", status=404)
        result, version = self._read(
            f"GET {self.prefix}/deleted?since={since}",
            lambda z: _shaped(dict, z.deleted(since=since)),
        )
        return {str(k): list(v) for k, v in result.items()}, version

    def deleted(self, since: int) -> dict[str, list[str]]:
        """Keys (and tag/setting names) deleted after ``since``, by kind."""
        return self.deleted_with_version(since)[0]

    def collections(self) -> list[Json]:
        """Every collection of the library (paged by 100, each page retried alone)."""
        found: list[Json] = []
        start, total = 0, 1
        while start < total:

            def get(zot: _Pyzotero, start: int = start) -> tuple[list[Json], int]:
                page = _shaped(list, zot.collections(limit=self.page_size, start=start))
                return page, int(_last(zot).headers.get("Total-Results", len(page)))

            (page, total), _ = self._read(f"GET {self.prefix}/collections?start={start}", get)
            if not page:
                break
            found.extend(page)
            start += len(page)
        return found

    # -- writes -----------------------------------------------------------------

    def post_items(self, objects: Sequence[Json], *, write_token: str | None = None) -> WriteResult:
        """Create and/or update up to 50 items in one request.

        Creates carry a client-chosen ``key`` with ``"version": 0``; updates carry
        ``key`` and the ``version`` they were based on. Both make a resend after an
        ambiguous failure safe, and a retry resends the very same bytes. A
        ``write_token`` protects key-less creates instead. Per-object failures are
        returned; a 412 for the whole request raises ``PreconditionFailedError``
        (``WriteTokenUsedError`` if the token had already been used).

        Direct request: pyzotero's ``create_items`` sets a new write token per call
        and ``update_items`` drops per-object failures.
        """
        if len(objects) > MAX_WRITE_OBJECTS:
            raise ValueError(f"post_items takes at most {MAX_WRITE_OBJECTS} objects")
        if not objects:
            return WriteResult()
        headers = _token_header(write_token)
        body = jsonio.dumps(list(objects))
        what = f"POST {self.prefix}/items ({len(objects)} objects)"
        response = self._send(
            what,
            "POST",
            f"/{self.prefix}/items",
            body=body,
            headers=headers,
        )
        return parse_write_response(_json(what, response), self._version_of(response))

    def create_collection(
        self, name: str, parent_key: str | None = None, *, write_token: str
    ) -> Json:
        """Create a collection; ``write_token`` (5-32 chars, chosen by the caller and
        kept for the retry) makes a resend after an ambiguous failure harmless.

        Direct request: pyzotero's ``create_collections`` picks its own token.
        """
        what = f"POST {self.prefix}/collections"
        body = json.dumps([{"name": name, "parentCollection": parent_key or False}]).encode()
        try:
            response = self._send(
                what,
                "POST",
                f"/{self.prefix}/collections",
                body=body,
                headers=_token_header(write_token),
            )
        except WriteTokenUsedError:
            # An earlier attempt (maybe in an earlier run) created it: find it.
            same = [
                c
                for c in self.collections()
                if c["data"].get("name") == name
                and (c["data"].get("parentCollection") or None) == parent_key
            ]
            if len(same) == 1:
                return same[0]
            raise
        result = parse_write_response(_json(what, response), self._version_of(response))
        if 0 in result.successful:
            return result.successful[0]
        if 0 in result.failed:
            failure = result.failed[0]
            raise ApiError(
                f"{what}: collection {name!r} was refused ({failure.code}: {failure.message})",
                status=failure.code,
            )
        raise ApiError(f"{what}: the server neither created nor refused collection {name!r}")


class _NotJson(Exception):
    pass


S = TypeVar("S", list, dict)  # type: ignore[type-arg]


def _shaped(kind: type[S], value: object) -> S:
    if not isinstance(value, kind):
        raise _NotJson
    return value


def _not_json(what: str) -> ApiError:
    return ApiError(
        f"{what}: the server answered with something that is not Zotero API JSON",
        hint="check base_url, and any proxy or captive portal between here and the API",
    )


def _json(what: str, response: httpx2.Response) -> Any:
    # orjson (jsonio): a batch's answer is parsed by the thread that sends the
    # next one, so its time is on the path every write waits on.
    try:
        return jsonio.loads(response.content)
    except ValueError:
        raise _not_json(what) from None


def _token_header(write_token: str | None) -> dict[str, str]:
    if write_token is None:
        return {}
    if not 5 <= len(write_token) <= 32:
        raise ValueError("a Zotero write token has 5 to 32 characters")
    return {"Zotero-Write-Token": write_token}
