"""The :class:`Sandbox` facade and the ``syncd sandbox`` serve loop.

A Sandbox owns one store, one API, one fault plan and one request log, and can run
its HTTP server on 127.0.0.1. Besides HTTP it offers direct access for tests that
simulate "the user changed this in Zotero": those calls go through the same write
rules and version counter as an API write, so a sync run cannot tell them apart
from edits made by another client.
"""

from __future__ import annotations

import copy
import random
import secrets
import signal
import string
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from syncd.errors import UsageError
from syncd.sandbox.api import Api, utc_now
from syncd.sandbox.faults import FaultDice, FaultPlan
from syncd.sandbox.files import FileStore
from syncd.sandbox.local import Answer, LocalApi
from syncd.sandbox.protocol import Request, Response
from syncd.sandbox.server import HttpServer, RequestLog, RequestRecord
from syncd.sandbox.store import ApiKey, Library, Store
from syncd.sandbox.validate import Failure
from syncd.sandbox.writes import (
    Unchanged,
    WriteContext,
    Written,
    delete_items,
    write_collection,
    write_item,
)
from syncd.schema import Schema, bundled_schema


class Sandbox:
    """``local=True`` serves Zotero desktop's local API instead (``local.py``): its user
    library is ``users/<local_user_id>`` here, ``/api/users/0`` to clients."""

    def __init__(
        self,
        data_dir: Path | None = None,
        *,
        schema: Schema | None = None,
        local: bool = False,
        local_user_id: int = 1,
        server_id: str | None = None,
    ) -> None:
        self.schema = schema or bundled_schema()
        self.store = Store(None if data_dir is None else Path(data_dir) / "sandbox.sqlite")
        self._rng = random.Random()
        self.files = FileStore(None if data_dir is None else Path(data_dir) / "files")
        self.api = Api(self.store, self.schema, rng=self._rng, files=self.files)
        self._dice = FaultDice()
        self._log = RequestLog()
        self.local: LocalApi | None = None
        if local:
            self.add_user_library(local_user_id)
            # A kept desktop keeps its server ID, as Zotero's database does.
            id_file = None if data_dir is None else Path(data_dir) / "server-id"
            kept = _read_id(id_file) if id_file is not None else None
            self.local = LocalApi(self.api, user_id=local_user_id, server_id=server_id or kept)
            if id_file is not None:
                id_file.write_text(self.local.server_id + "\n", encoding="utf-8")
        self._http = HttpServer(self.local or self.api, self._dice, self._log)

    @property
    def local_library(self) -> str:
        """The store's name of the desktop's own library (``/api/users/0``)."""
        if self.local is None:
            raise UsageError("this sandbox is not in local mode", hint="Sandbox(local=True)")
        return f"users/{self.local.user_id}"

    @property
    def local_url(self) -> str:
        """The base URL of the local API (what ``base_url`` of a desktop library is)."""
        return f"{self.url}/api"

    # -- lifecycle -----------------------------------------------------------------------

    def start(self, port: int = 0) -> None:
        self._http.start(port)
        self.api.base_url = self.local_url if self.local else self.url

    def restart(self, *, server_id: str | None = None, down: bool = False) -> None:
        """Zotero quit and opened again on the same port (``server_id``: another
        profile); one-time keys and write tokens are forgotten. ``down`` leaves it closed (``start``
        with the old port opens it)."""
        port = self.port
        self.stop()
        if self.local is not None:
            self.local.forget_one_time_keys()
            self.local.uploads.forget()
            self.store.forget_tokens()
            if server_id is not None:
                self.local.server_id = server_id
        if not down:
            self.start(port)

    def stop(self) -> None:
        self._http.stop()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._http.port

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- set-up --------------------------------------------------------------------------

    def add_user_library(self, user_id: int) -> None:
        self.store.add_library(f"users/{user_id}")

    def add_group_library(self, group_id: int) -> None:
        self.store.add_library(f"groups/{group_id}")

    def add_key(
        self,
        key: str,
        *,
        user_id: int,
        user_write: bool = True,
        groups: dict[int, bool] | None = None,
    ) -> None:
        if not key:
            raise UsageError("a sandbox API key cannot be empty")
        self.store.add_key(ApiKey(key, user_id, user_write, dict(groups or {})))

    @property
    def faults(self) -> FaultPlan:
        return self._dice.plan

    @faults.setter
    def faults(self, plan: FaultPlan) -> None:
        self._dice.plan = plan

    def set_reply_hook(self, hook: Callable[[Request, Response], None] | None) -> None:
        """Call ``hook`` with each request and its answer, after any write it made is
        committed and before the answer is sent (tests use it to time a crash)."""
        self._http.before_reply = hook

    # -- request log ---------------------------------------------------------------------

    @property
    def log(self) -> list[RequestRecord]:
        return self._log.snapshot()

    def clear_log(self) -> None:
        self._log.clear()

    def count(
        self,
        kind: str | None = None,
        method: str | None = None,
        path_prefix: str | None = None,
        status: int | None = None,
    ) -> int:
        return sum(
            1
            for r in self._log.snapshot()
            if (kind is None or r.kind == kind)
            and (method is None or r.method == method)
            and (path_prefix is None or r.path.startswith(path_prefix))
            and (status is None or r.status == status)
        )

    # -- direct access ("the user did this in Zotero") -----------------------------------

    def library_version(self, library: str) -> int:
        return self.store.require_library(library).version

    def get_item(self, library: str, key: str) -> dict[str, Any] | None:
        with self.store.lock:
            found = self.store.require_library(library).items.get(key)
            return copy.deepcopy(found) if found is not None else None

    def all_items(self, library: str, *, include_trashed: bool = True) -> list[dict[str, Any]]:
        with self.store.lock:
            items = self.store.require_library(library).items.values()
            return [copy.deepcopy(i) for i in items if include_trashed or not i.get("deleted")]

    def user_edit(self, library: str, key: str, changes: dict[str, Any]) -> int:
        """Apply a partial edit as Zotero would; returns the item's new version."""
        with self.store.lock:
            lib = self.store.require_library(library)
            existing = lib.items.get(key)
            if existing is None:
                raise UsageError(f"{library} has no item {key} to edit")
            body = {**changes, "key": key, "version": existing["version"]}
            return self._write_direct(lib, body)[1]

    def user_create(self, library: str, data: dict[str, Any]) -> str:
        """Create an item as Zotero would (a ``key`` in ``data`` is kept); returns its key."""
        with self.store.lock:
            lib = self.store.require_library(library)
            body = dict(data)
            if "key" in body:
                body["version"] = 0
            return self._write_direct(lib, body)[0]

    def file_bytes(self, library: str, key: str) -> bytes | None:
        """The bytes of the file an attachment item holds (None if it has none)."""
        item = self.get_item(library, key)
        md5 = item.get("md5") if item else None
        return self.files.blob(md5) if md5 else None

    def all_collections(self, library: str) -> list[dict[str, Any]]:
        with self.store.lock:
            return [
                copy.deepcopy(c) for c in self.store.require_library(library).collections.values()
            ]

    def user_create_collection(self, library: str, name: str, parent: str | None = None) -> str:
        """Create a collection as Zotero would; returns its key."""
        with self.store.lock:
            lib = self.store.require_library(library)
            ctx = WriteContext(self.schema, lib, utc_now(), self._rng)
            body: dict[str, Any] = {"name": name, "parentCollection": parent or False}
            outcome = write_collection(ctx, body, mode="post")
            if not isinstance(outcome, Written):
                raise UsageError(f"the sandbox refused the collection {name!r} ({outcome})")
            ctx.bump()
            self.store.commit(lib, ctx.final_version, ctx.upserts(), ctx.removals())
            return str(outcome.data["key"])

    def user_trash(self, library: str, key: str) -> None:
        self.user_edit(library, key, {"deleted": True})

    def user_delete(self, library: str, key: str) -> None:
        with self.store.lock:
            lib = self.store.require_library(library)
            if key not in lib.items:
                raise UsageError(f"{library} has no item {key} to delete")
            ctx = WriteContext(self.schema, lib, utc_now(), self._rng)
            delete_items(ctx, [key])
            ctx.bump()
            self.store.commit(lib, ctx.final_version, ctx.upserts(), ctx.removals())

    def _write_direct(self, lib: Library, body: dict[str, Any]) -> tuple[str, int]:
        ctx = WriteContext(self.schema, lib, utc_now(), self._rng)
        outcome = write_item(ctx, body, mode="post")
        if isinstance(outcome, Failure):
            raise UsageError(f"the sandbox refused the item ({outcome.code}: {outcome.message})")
        if isinstance(outcome, Unchanged):
            return outcome.key, lib.items[outcome.key]["version"]
        ctx.bump()
        self.store.commit(lib, ctx.final_version, ctx.upserts(), ctx.removals())
        return outcome.data["key"], outcome.data["version"]


def _read_id(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None


def _random_key() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(24))


def serve(
    port: int | None,
    data_dir: Path | None,
    *,
    key: str | None,
    user_id: int,
    local: bool = False,
    answer: Answer = "always",
) -> None:
    """Run a sandbox until SIGINT/SIGTERM (the ``syncd sandbox`` command).

    ``port`` None or 0 picks a free port. Without ``key``, a key already stored for
    the user in ``data_dir`` is reused, else a random 24-character one is made; either
    way it is printed, being a sandbox key and useless elsewhere. The port is kept in
    ``data_dir`` too, see :func:`_listen`.
    """
    if local:
        _serve_local(port, data_dir, user_id, answer)
        return
    sandbox = Sandbox(data_dir)
    sandbox.add_user_library(user_id)
    if key is None:
        mine = sorted(k.key for k in sandbox.store.keys.values() if k.user_id == user_id)
        key = mine[0] if mine else _random_key()
    if key not in sandbox.store.keys:
        sandbox.add_key(key, user_id=user_id)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _listen(sandbox, port, data_dir)
        print(
            f"sandbox listening on {sandbox.url}  (user library {user_id}, key {key})", flush=True
        )
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _serve_local(port: int | None, data_dir: Path | None, user_id: int, answer: Answer) -> None:
    sandbox = Sandbox(data_dir, local=True, local_user_id=user_id)
    assert sandbox.local is not None
    sandbox.local.answer = answer
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        _listen(sandbox, port, data_dir)
        print(
            f"local API sandbox listening on {sandbox.local_url}  (server ID "
            f"{sandbox.local.server_id}; authorize requests are answered {answer!r})",
            flush=True,
        )
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _listen(sandbox: Sandbox, port: int | None, data_dir: Path | None) -> None:
    """Start on ``port``, else on the port this data directory used last, else any.

    A kept sandbox keeps its address as it keeps its key: both are in the user's
    ``base_url`` and key, so a restart must not move it. When that port is taken now,
    the sandbox refuses (exit 2) rather than move: elsewhere, syncd's configuration
    would point at whatever holds the old port, which a user would discover only by a
    failed sync. ``--port`` moves it on purpose, and is kept from then on.
    """
    kept = sandbox.store.setting("port") if data_dir is not None else None
    if port or not kept:
        sandbox.start(port or 0)
    else:
        try:
            sandbox.start(kept)
        except UsageError as exc:
            raise UsageError(
                f"the sandbox in {data_dir} listened on 127.0.0.1:{kept} last time, and that "
                f"port is taken now ({exc.message})",
                hint="stop what holds it (another sandbox on the same --data?), or move the "
                "sandbox with --port N and change base_url to match",
            ) from exc
    if data_dir is not None:
        sandbox.store.set_setting("port", sandbox.port)
