"""The sandbox's library store: libraries, their objects and versions, API keys, write tokens.

State lives in plain dicts guarded by one re-entrant lock, and every change is written
through to SQLite in the same critical section. Reads therefore never touch SQLite,
which is what lets the sandbox serve well over 1,000 item reads a second on two cores;
SQLite is there so an on-disk sandbox (``<data_dir>/sandbox.sqlite``, WAL mode)
survives a restart. With no data directory the database is ``:memory:``, so both
modes run the same code.

Versions follow the Zotero rule: each library has one counter, every committed write
raises it by exactly one and stamps every object it wrote with the new value. The
store does not decide *what* to write; the API layer does that and hands over one
:meth:`Store.commit` per request.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from syncd import jsonio
from syncd.errors import StateError

Kind = Literal["items", "collections"]
KINDS: tuple[Kind, ...] = ("items", "collections")

_DDL = """
CREATE TABLE IF NOT EXISTS libraries (name TEXT PRIMARY KEY, version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
    library TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (library, kind, key));
CREATE TABLE IF NOT EXISTS deleted (
    library TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL, version INTEGER NOT NULL,
    PRIMARY KEY (library, kind, key));
CREATE TABLE IF NOT EXISTS api_keys (
    key TEXT PRIMARY KEY, user_id INTEGER NOT NULL, user_write INTEGER NOT NULL,
    groups TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS write_tokens (scope TEXT PRIMARY KEY, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS server (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""

# What ``syncd sandbox --data DIR`` keeps about itself besides the library and keys.
ServerSetting = Literal["port"]


@dataclass(frozen=True, slots=True)
class ApiKey:
    key: str
    user_id: int
    user_write: bool
    groups: Mapping[int, bool]  # group id -> write access

    def can_read(self, library: Library) -> bool:
        if library.type == "user":
            return library.id == self.user_id
        return library.id in self.groups

    def can_write(self, library: Library) -> bool:
        if library.type == "user":
            return library.id == self.user_id and self.user_write
        return self.groups.get(library.id, False)


@dataclass(slots=True)
class Library:
    """One library's state. Object dicts are replaced on write, never mutated in place."""

    name: str  # "users/1" or "groups/5"
    version: int = 0
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    collections: dict[str, dict[str, Any]] = field(default_factory=dict)
    deleted: dict[Kind, dict[str, int]] = field(
        default_factory=lambda: {"items": {}, "collections": {}}
    )
    children: dict[str, set[str]] = field(default_factory=dict)
    # Filtered, sorted item listings by (path, query, version): paging through a large
    # library then costs one sort, not one per page. Stale entries simply miss.
    listings: dict[tuple[Any, ...], list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def type(self) -> Literal["user", "group"]:
        return "user" if self.name.startswith("users/") else "group"

    @property
    def id(self) -> int:
        return int(self.name.split("/", 1)[1])

    def objects(self, kind: Kind) -> dict[str, dict[str, Any]]:
        return self.items if kind == "items" else self.collections


def library_name(library: str) -> str:
    """Normalise ``users/1`` / ``groups/5`` and reject anything else."""
    parts = library.strip("/").split("/")
    if len(parts) != 2 or parts[0] not in ("users", "groups") or not parts[1].isdigit():
        raise StateError(
            f"{library!r} is not a library name",
            hint="use 'users/<id>' or 'groups/<id>'",
        )
    return f"{parts[0]}/{int(parts[1])}"


class Store:
    """All sandbox state; hold :attr:`lock` around any sequence of reads that must agree."""

    def __init__(self, path: Path | None = None) -> None:
        self.lock = threading.RLock()
        try:
            if path is None:
                self._db = sqlite3.connect(":memory:", check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, check_same_thread=False)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.executescript(_DDL)
        except sqlite3.Error as exc:
            raise StateError(
                f"cannot open the sandbox database {path or ':memory:'} ({exc})",
                hint="remove the file or pick another --data directory",
            ) from exc
        self.libraries: dict[str, Library] = {}
        self.keys: dict[str, ApiKey] = {}
        self._tokens: dict[str, float] = {}
        self._load()

    def _load(self) -> None:
        db = self._db
        for name, version in db.execute("SELECT name, version FROM libraries"):
            self.libraries[name] = Library(name, version)
        for lib_name, kind, key, data in db.execute("SELECT library, kind, key, data FROM objects"):
            lib = self.libraries[lib_name]
            obj = json.loads(data)
            lib.objects(kind)[key] = obj
            if kind == "items" and obj.get("parentItem"):
                lib.children.setdefault(obj["parentItem"], set()).add(key)
        for lib_name, kind, key, version in db.execute(
            "SELECT library, kind, key, version FROM deleted"
        ):
            self.libraries[lib_name].deleted[kind][key] = version
        for key, user_id, user_write, groups in db.execute(
            "SELECT key, user_id, user_write, groups FROM api_keys"
        ):
            group_map = {int(g): bool(w) for g, w in json.loads(groups).items()}
            self.keys[key] = ApiKey(key, user_id, bool(user_write), group_map)
        for scope, expires in db.execute("SELECT scope, expires FROM write_tokens"):
            self._tokens[scope] = expires

    # -- libraries and keys ------------------------------------------------------------

    def add_library(self, name: str) -> Library:
        name = library_name(name)
        with self.lock:
            lib = self.libraries.get(name)
            if lib is None:
                lib = Library(name)
                with self._db:
                    self._db.execute("INSERT INTO libraries VALUES (?, 0)", (name,))
                self.libraries[name] = lib
            return lib

    def library(self, name: str) -> Library | None:
        return self.libraries.get(name)

    def require_library(self, name: str) -> Library:
        lib = self.libraries.get(library_name(name))
        if lib is None:
            raise StateError(
                f"the sandbox has no library {name!r}",
                hint="create it first with add_user_library() or add_group_library()",
            )
        return lib

    def add_key(self, api_key: ApiKey) -> None:
        with self.lock, self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO api_keys VALUES (?, ?, ?, ?)",
                (
                    api_key.key,
                    api_key.user_id,
                    int(api_key.user_write),
                    json.dumps({str(g): w for g, w in api_key.groups.items()}),
                ),
            )
            self.keys[api_key.key] = api_key

    # -- the server's own settings ----------------------------------------------------

    def setting(self, name: ServerSetting) -> int | None:
        with self.lock:
            row = self._db.execute("SELECT value FROM server WHERE name = ?", (name,)).fetchone()
            return None if row is None else int(row[0])

    def set_setting(self, name: ServerSetting, value: int) -> None:
        with self.lock, self._db:
            self._db.execute("INSERT OR REPLACE INTO server VALUES (?, ?)", (name, value))

    # -- writes --------------------------------------------------------------------------

    def commit(
        self,
        lib: Library,
        version: int,
        upserts: Sequence[tuple[Kind, dict[str, Any]]],
        removals: Iterable[tuple[Kind, str]] = (),
    ) -> None:
        """Make one request's writes durable and visible, and set the library version."""
        removals = list(removals)
        with self.lock:
            try:
                with self._db:
                    db = self._db
                    db.execute(
                        "UPDATE libraries SET version = ? WHERE name = ?", (version, lib.name)
                    )
                    for kind, obj in upserts:
                        db.execute(
                            "INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?)",
                            (lib.name, kind, obj["key"], jsonio.dumps_str(obj)),
                        )
                        db.execute(
                            "DELETE FROM deleted WHERE library = ? AND kind = ? AND key = ?",
                            (lib.name, kind, obj["key"]),
                        )
                    for kind, key in removals:
                        db.execute(
                            "DELETE FROM objects WHERE library = ? AND kind = ? AND key = ?",
                            (lib.name, kind, key),
                        )
                        db.execute(
                            "INSERT OR REPLACE INTO deleted VALUES (?, ?, ?, ?)",
                            (lib.name, kind, key, version),
                        )
            except sqlite3.Error as exc:
                raise StateError(f"the sandbox database refused a write ({exc})") from exc
            lib.version = version
            for kind, obj in upserts:
                key = obj["key"]
                objects = lib.objects(kind)
                if kind == "items":
                    self._reparent(lib, key, objects.get(key), obj)
                objects[key] = obj
                lib.deleted[kind].pop(key, None)
            for kind, key in removals:
                old = lib.objects(kind).pop(key, None)
                if kind == "items":
                    self._reparent(lib, key, old, None)
                lib.deleted[kind][key] = version

    @staticmethod
    def _reparent(
        lib: Library, key: str, old: dict[str, Any] | None, new: dict[str, Any] | None
    ) -> None:
        old_parent = old.get("parentItem") if old else None
        new_parent = new.get("parentItem") if new else None
        if old_parent == new_parent:
            return
        if old_parent:
            siblings = lib.children.get(old_parent)
            if siblings is not None:
                siblings.discard(key)
                if not siblings:
                    del lib.children[old_parent]
        if new_parent:
            lib.children.setdefault(new_parent, set()).add(key)

    # -- write tokens --------------------------------------------------------------------

    def token_used(self, scope: str, now: float) -> bool:
        with self.lock:
            expires = self._tokens.get(scope)
            return expires is not None and expires > now

    def remember_token(self, scope: str, expires: float, now: float) -> None:
        with self.lock, self._db:
            stale = [s for s, e in self._tokens.items() if e <= now]
            for s in stale:
                del self._tokens[s]
            self._db.execute("DELETE FROM write_tokens WHERE expires <= ?", (now,))
            self._db.execute("INSERT OR REPLACE INTO write_tokens VALUES (?, ?)", (scope, expires))
            self._tokens[scope] = expires

    def forget_tokens(self) -> None:
        """Zotero desktop keeps write tokens in memory: a restart forgets them."""
        with self.lock, self._db:
            self._db.execute("DELETE FROM write_tokens")
            self._tokens.clear()

    def close(self) -> None:
        with self.lock:
            self._db.close()
