"""The state database: one SQLite file holding what syncd remembers between runs.

Owns opening the file (private permissions, WAL, foreign keys), its schema version
and migrations, transactions, and the library mirror tables. Other parts of syncd
add their own tables by appending to ``MIGRATIONS`` and use ``StateDB.transaction``.

Decisions:

* ``synchronous=FULL`` rather than NORMAL. In WAL mode NORMAL survives a crash of
  syncd but may lose the last commits on power loss; those commits include the
  journal of pending creates that keeps writes to Zotero idempotent, and losing it
  means duplicate items. syncd commits a handful of times per run, so the extra
  fsyncs cost nothing measurable.
* Migrations are plain SQL strings applied in order, numbered by
  ``PRAGMA user_version``. A database from a newer syncd is refused rather than
  guessed at.
* The mirror keeps each item's ``data`` JSON exactly as the API last sent it, plus the
  columns needed to query without parsing it (type, trashed, parent, the few
  fields the identifier index reads) and an
  identifier index (kind, value) -> key filled by the caller, so this module knows
  nothing about Zotero's API or about how identifiers are found.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any

from syncd import jsonio
from syncd.clock import now
from syncd.core.match import MirrorItem
from syncd.errors import StateError
from syncd.files import ensure_private_dir

MIGRATIONS: list[str] = [
    # 1: the library mirror.
    """
    CREATE TABLE mirror_library (
        library      TEXT PRIMARY KEY,          -- "users/1", "groups/42"
        version      INTEGER NOT NULL,          -- library version of the last full pass
        refreshed_at TEXT NOT NULL              -- ISO 8601 UTC
    );
    CREATE TABLE mirror_item (
        library    TEXT NOT NULL,
        key        TEXT NOT NULL,
        version    INTEGER NOT NULL,
        item_type  TEXT NOT NULL,
        trashed    INTEGER NOT NULL DEFAULT 0,
        parent_key TEXT,
        data       TEXT NOT NULL,               -- the item's "data" JSON as last seen
        PRIMARY KEY (library, key)
    ) WITHOUT ROWID;
    CREATE TABLE mirror_identifier (
        library TEXT NOT NULL,
        kind    TEXT NOT NULL,                  -- "doi", "pmid", "scopus_eid", ...
        value   TEXT NOT NULL,                  -- canonical form (syncd.identifiers)
        key     TEXT NOT NULL,
        PRIMARY KEY (library, kind, value, key),
        FOREIGN KEY (library, key) REFERENCES mirror_item (library, key) ON DELETE CASCADE
    ) WITHOUT ROWID;
    CREATE INDEX mirror_identifier_by_item ON mirror_identifier (library, key);
    """,
    # 2: what syncd wrote: links from record identities to items, merge bases,
    # write-ahead keys of creates and notes, collections (see syncd/sync/store.py).
    """
    CREATE TABLE sync_items (
        library TEXT NOT NULL,
        key TEXT NOT NULL,
        base TEXT NOT NULL,                     -- JSON: the export's values last written
        confirmed INTEGER NOT NULL,             -- 0 while a create is in flight
        created_by_syncd INTEGER NOT NULL,
        updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (library, key)
    );
    CREATE TABLE sync_links (
        library TEXT NOT NULL,
        identity TEXT NOT NULL,                 -- "doi:10.1/x", "scopus_eid:2-s2.0-1", "fp:..."
        key TEXT NOT NULL,
        PRIMARY KEY (library, identity)
    );
    CREATE INDEX sync_links_key ON sync_links (library, key);
    CREATE TABLE sync_notes (
        library TEXT NOT NULL,
        note_key TEXT NOT NULL,
        parent_key TEXT NOT NULL,
        digest TEXT NOT NULL,
        confirmed INTEGER NOT NULL,
        PRIMARY KEY (library, note_key)
    );
    CREATE TABLE sync_collections (
        library TEXT NOT NULL,
        path TEXT NOT NULL,
        key TEXT NOT NULL,                      -- the write token while unconfirmed
        confirmed INTEGER NOT NULL,
        PRIMARY KEY (library, path)
    );
    """,
    # 3: the daemon's inbox (one row per file taken from a watched folder) and its
    # own status (see syncd/inbox.py and syncd/service.py).
    """
    CREATE TABLE inbox_file (
        id          INTEGER PRIMARY KEY,        -- arrival order
        library     TEXT NOT NULL,
        path        TEXT NOT NULL,              -- where the file was found
        folder      TEXT NOT NULL,              -- the watched folder it came from
        sha256      TEXT NOT NULL,
        size        INTEGER NOT NULL,
        status      TEXT NOT NULL,              -- queued ... processed or failed (inbox.py)
        arrived_at  TEXT NOT NULL,
        finished_at TEXT,
        attempts    INTEGER NOT NULL DEFAULT 0,
        next_try    REAL NOT NULL DEFAULT 0,    -- unix time of the next attempt
        dest        TEXT,                       -- chosen name in processed/ or failed/
        report      TEXT,                       -- JSON report, stored before the file moves
        message     TEXT
    );
    CREATE INDEX inbox_file_status ON inbox_file (status, id);
    CREATE INDEX inbox_file_sha ON inbox_file (library, sha256);
    CREATE TABLE daemon_status (
        name  TEXT PRIMARY KEY,                 -- "started_at", "heartbeat", "last_error", ...
        value TEXT NOT NULL
    );
    """,
    # 4: the Zotero schema a server serves when it is not the bundled one
    # (see syncd/library/server_schema.py).
    """
    CREATE TABLE server_schema (
        base_url   TEXT PRIMARY KEY,
        version    INTEGER NOT NULL,
        document   TEXT NOT NULL,              -- the /schema response, as served
        fetched_at TEXT NOT NULL
    );
    """,
    # 5: records the server refused for their content (400, 413), by a fingerprint
    # of what was sent: not sent again until the record changes (syncd/sync/store.py).
    """
    CREATE TABLE sync_refused (
        library     TEXT NOT NULL,
        fingerprint TEXT NOT NULL,              -- sha256 of the refused write
        title       TEXT NOT NULL,
        source      TEXT NOT NULL,              -- file:line of the record
        reason      TEXT NOT NULL,              -- the server's code and message
        refused_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (library, fingerprint)
    ) WITHOUT ROWID;
    """,
    # 6: what earlier runs of a daemon file wrote (a run cut short by SIGTERM, or
    # one whose file grew meanwhile), so its final report covers all its runs
    # (see syncd/reports.py).
    """
    CREATE TABLE inbox_outcome (
        file_id INTEGER NOT NULL REFERENCES inbox_file (id) ON DELETE CASCADE,
        key     TEXT NOT NULL,                  -- the item's key
        outcome TEXT NOT NULL,                  -- the record's JSON as in the report
        PRIMARY KEY (file_id, key)
    );
    """,
    # 7: attachments syncd creates: the item's key and the file's md5 (or the link's
    # URL) written before the first request (see syncd/attachments/journal.py).
    """
    CREATE TABLE sync_attachments (
        library     TEXT NOT NULL,
        key         TEXT NOT NULL,              -- the attachment item's key, chosen by syncd
        parent_key  TEXT NOT NULL,
        link_mode   TEXT NOT NULL,              -- imported_file or linked_url
        fingerprint TEXT NOT NULL,              -- md5 of the file, or the URL
        name        TEXT NOT NULL,              -- file name or URL, for reports
        size        INTEGER,
        stage       TEXT NOT NULL,              -- intent, created, done
        updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
        PRIMARY KEY (library, key),
        UNIQUE (library, parent_key, fingerprint)
    );
    """,
    # 8: the Zotero desktop server each desktop library is bound to; its mirror
    # partition carries that server ID (see syncd/desktop.py).
    """
    CREATE TABLE desktop_server (
        library   TEXT PRIMARY KEY,             -- the [[library]] name
        server_id TEXT NOT NULL,                -- Zotero-Server-ID
        bound_at  TEXT NOT NULL
    );
    """,
    # 9: provenance (syncd/core/provenance.py). sync_items.base now holds the item's
    # provenance JSON; an older base is read as such on load and rewritten in the new
    # form by the next sync of the item. A note's slot says which note of its record
    # it is, so a changed note replaces it (NULL: written before slots existed).
    """
    ALTER TABLE sync_notes ADD COLUMN slot TEXT;
    CREATE INDEX sync_notes_parent ON sync_notes (library, parent_key);
    """,
    # 10: a daemon file on its way to failed/ has its own status, ``failing``
    # (syncd/inbox.py); before, it was ``synced`` or ``reported`` like a file on its
    # way to processed/, told apart by the shape of its stored report.
    """
    UPDATE inbox_file SET status = 'failing'
    WHERE status IN ('synced', 'reported') AND report IS NOT NULL
    AND json_extract(report, '$.error') IS NOT NULL
    AND json_extract(report, '$.summary') IS NULL;
    """,
    # 11: documents (PDFs...) dropped into a watched folder, waiting for the export
    # that names them; the wait is bounded (see syncd/documents.py).
    """
    CREATE TABLE inbox_document (
        library    TEXT NOT NULL,
        path       TEXT NOT NULL,              -- the document, in a watched folder
        folder     TEXT NOT NULL,              -- that folder
        seen_at    REAL NOT NULL,              -- unix time it was first seen
        unnamed_at TEXT,                       -- the wait ended, no export named it
        PRIMARY KEY (library, path)
    );
    """,
    # 12: per item, the mark of syncd's last merge that found nothing to do: the item
    # version and a digest of what was merged (syncd/core/plan.py ``settled_mark``).
    # While both hold and the base is unchanged, a re-sync skips the merge. NULL: no
    # such merge yet; every write of ``base`` clears it (syncd/sync/store.py).
    """
    ALTER TABLE sync_items ADD COLUMN settled TEXT;
    """,
    # 13: the mirror's items in a rowid table (rows of ~1.4 KB made the clustered
    # WITHOUT ROWID table slow to fill: SQLite advises against it for rows over
    # ~1/20 of a page), with the fields the identifier index reads in a column of
    # their own (``index_fields``), so loading the index parses no item's data.
    # Rows copied here have it NULL: taken from ``data`` on the next load of the
    # index and written back (``StateDB.mirror_index_items``). The identifier
    # table is rebuilt with them, as dropping the old item table with foreign keys
    # on would empty it through its ON DELETE CASCADE (an identifier whose item is
    # missing, which a database written with foreign keys off may hold, is left
    # out rather than failing the migration).
    """
    CREATE TABLE mirror_item_new (
        library      TEXT NOT NULL,
        key          TEXT NOT NULL,
        version      INTEGER NOT NULL,
        item_type    TEXT NOT NULL,
        trashed      INTEGER NOT NULL DEFAULT 0,
        parent_key   TEXT,
        data         TEXT NOT NULL,             -- the item's "data" JSON as last seen
        index_fields TEXT,                      -- JSON: its INDEX_FIELDS; NULL: not yet taken
        PRIMARY KEY (library, key)
    );
    INSERT INTO mirror_item_new (library, key, version, item_type, trashed, parent_key, data)
    SELECT library, key, version, item_type, trashed, parent_key, data FROM mirror_item;
    CREATE TABLE mirror_identifier_new (
        library TEXT NOT NULL,
        kind    TEXT NOT NULL,
        value   TEXT NOT NULL,
        key     TEXT NOT NULL,
        PRIMARY KEY (library, kind, value, key),
        FOREIGN KEY (library, key) REFERENCES mirror_item_new (library, key) ON DELETE CASCADE
    ) WITHOUT ROWID;
    INSERT INTO mirror_identifier_new (library, kind, value, key)
    SELECT library, kind, value, key FROM mirror_identifier AS i
    WHERE EXISTS (SELECT 1 FROM mirror_item_new AS m WHERE m.library = i.library AND m.key = i.key);
    DROP TABLE mirror_identifier;
    DROP TABLE mirror_item;
    ALTER TABLE mirror_item_new RENAME TO mirror_item;
    ALTER TABLE mirror_identifier_new RENAME TO mirror_identifier;
    CREATE INDEX mirror_identifier_by_item ON mirror_identifier (library, key);
    """,
]

_SQL_CHUNK = 500  # stays below SQLite's bound-parameter limit


# The fields of an item's data the identifier index reads (accession numbers,
# syncd/identifiers.py ``accession_number``; merges, ``dc:replaces``), kept in the
# mirror's ``index_fields`` column as a JSON object: each only when it is a non-empty
# string (relations: a non-empty object), as those readers ignore other values.
# Changing the list needs a migration that sets the column back to NULL.
INDEX_FIELDS = ("archive", "archiveLocation", "libraryCatalog", "url")
_NO_FIELDS = "{}"
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def index_fields(data: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of ``data`` the identifier index reads (``INDEX_FIELDS``)."""
    fields: dict[str, Any] = {}
    for name in INDEX_FIELDS:
        value = data.get(name)
        if value and isinstance(value, str):
            fields[name] = value
    relations = data.get("relations")
    if relations and isinstance(relations, Mapping):
        fields["relations"] = relations
    return fields


def _index_text(data: Mapping[str, Any]) -> str:
    fields = index_fields(data)
    return jsonio.dumps_str(fields) if fields else _NO_FIELDS


class StoredItem:
    """A mirror row as the identifier index takes it: the columns, the few fields
    of ``data`` the index reads (``index_fields``), and ``data`` decoded on first use.

    A fresh ``syncd sync`` decoded every item of the library to build the index,
    where an unchanged re-sync then reads the data of none of them.
    """

    __slots__ = (
        "_data",
        "_text",
        "identifiers",
        "index_fields",
        "item_type",
        "key",
        "parent_key",
        "trashed",
        "version",
    )

    def __init__(self, row: tuple[Any, ...], identifiers: tuple[tuple[str, str], ...]) -> None:
        self.key: str
        self.version: int
        self.item_type: str
        self.parent_key: str | None
        self.key, version, self.item_type, trashed, self.parent_key, self._text, fields = row
        self.version = int(version)
        self.trashed = bool(trashed)
        self._data: dict[str, Any] | None = None
        self.identifiers = identifiers
        # NULL: a row from before the column (migration 13), taken from its data.
        self.index_fields: Mapping[str, Any] = (
            _EMPTY
            if fields == _NO_FIELDS
            # Decoded for the fields only: kept, every item's data would stay in
            # the daemon's index after its first load since the upgrade.
            else index_fields(jsonio.loads(self._text))
            if fields is None
            else jsonio.loads(fields)
        )

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            self._data = jsonio.loads(self._text)
        return self._data


@dataclass(frozen=True)
class MirrorStatus:
    library: str
    version: int
    refreshed_at: datetime


def _chunks(values: Sequence[str]) -> Iterator[Sequence[str]]:
    for i in range(0, len(values), _SQL_CHUNK):
        yield values[i : i + _SQL_CHUNK]


def _statements(script: str) -> Iterator[str]:
    """Split a migration into statements (``executescript`` would commit mid-way)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""
    if pending.strip() and not pending.strip().startswith("--"):
        raise StateError(f"migration ends with an incomplete statement: {pending.strip()[:60]}")


def _make_private(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        try:
            if p.exists() and p.stat().st_uid == os.geteuid():
                p.chmod(0o600)
        except OSError:
            # The folder is already 0700; tightening the file is belt and braces.
            pass


class StateDB:
    """An open state database. Safe to share between threads (writes are serialised)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()
        self._depth = 0

    @classmethod
    def open(cls, path: Path | str) -> StateDB:
        """Open (creating if needed) and migrate the database at ``path``."""
        path = Path(path)
        ensure_private_dir(path.parent)
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            os.close(fd)
            conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
        except (OSError, sqlite3.Error) as err:
            raise StateError(
                f"cannot open the state database {path}: {err}",
                hint="check the folder's permissions and free space",
            ) from err
        db = cls(conn, path)
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchone()
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
            db._migrate()
        except sqlite3.DatabaseError as err:
            conn.close()
            raise StateError(
                f"{path} is not a usable syncd state database ({err})",
                hint="move the file away; syncd rebuilds the mirror on its next run, but "
                "the record of earlier syncs is lost",
            ) from err
        except BaseException:
            conn.close()
            raise
        _make_private(path)
        return db

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> StateDB:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._query("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        target = len(MIGRATIONS)
        while True:
            with self.transaction() as conn:
                # Read inside the write lock: another process may have migrated meanwhile.
                current = self.schema_version
                if current > target:
                    raise StateError(
                        f"the state database {self.path} was written by a newer syncd "
                        f"(schema {current}, this syncd knows up to {target})",
                        hint="upgrade syncd, or point it at another state folder",
                    )
                if current == target:
                    return
                for statement in _statements(MIGRATIONS[current]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {current + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction (``BEGIN IMMEDIATE``); nested uses join the outer one.

        SQLite failures (disk full, corruption, lock timeout) become ``StateError``.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self.conn
                finally:
                    self._depth -= 1
                return
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise self._state_error("start a transaction", err) from err
            self._depth = 1
            try:
                yield self.conn
            except BaseException as exc:
                self._depth = 0
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._state_error("write", exc) from exc
                raise
            self._depth = 0
            try:
                self.conn.execute("COMMIT")
            except sqlite3.Error as err:
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise self._state_error("commit", err) from err

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """A read on the shared connection, kept out of other threads' transactions."""
        with self._lock:
            try:
                return self.conn.execute(sql, params).fetchall()
            except sqlite3.Error as err:
                raise self._state_error("read", err) from err

    def _state_error(self, doing: str, err: sqlite3.Error) -> StateError:
        return StateError(
            f"could not {doing} the state database {self.path}: {err}",
            hint="check free disk space; if the file is damaged, move it away and run again",
        )

    # -- library mirror ---------------------------------------------------------

    def mirror_status(self, library: str) -> MirrorStatus | None:
        rows = self._query(
            "SELECT version, refreshed_at FROM mirror_library WHERE library = ?", (library,)
        )
        if not rows:
            return None
        return MirrorStatus(library, int(rows[0][0]), datetime.fromisoformat(rows[0][1]))

    def mirror_library_version(self, library: str) -> int | None:
        """The library version the mirror is complete up to; None before the first load."""
        status = self.mirror_status(library)
        return status.version if status else None

    def replace_mirror(self, library: str, items: Iterable[MirrorItem], version: int) -> None:
        """Make the mirror exactly ``items`` at ``version`` (after a full load)."""
        with self.replacing_mirror(library) as mirror:
            mirror.add(list(items))
            mirror.set_version(version)

    @contextmanager
    def replacing_mirror(self, library: str) -> Iterator[MirrorReplacement]:
        """The mirror of ``library`` emptied and refilled in one transaction.

        A full load adds each page as it arrives, while the next pages are still in
        flight, so little is left to do after the last one. Until the block ends
        without an error, readers (other processes) see the old mirror; on an
        error, it is kept.
        """
        with self.transaction() as conn:
            conn.execute("DELETE FROM mirror_identifier WHERE library = ?", (library,))
            conn.execute("DELETE FROM mirror_item WHERE library = ?", (library,))
            yield MirrorReplacement(conn, library)

    def apply_mirror_changes(
        self,
        library: str,
        changed: Iterable[MirrorItem],
        deleted_keys: Iterable[str],
        version: int | None,
    ) -> int:
        """Upsert ``changed``, drop ``deleted_keys``, then record ``version`` if given.

        An item already held at a newer version is left alone, so a slow reader
        cannot roll the mirror back. Returns how many items were written.
        """
        changed = list(changed)
        deleted = list(dict.fromkeys(deleted_keys))
        with self.transaction() as conn:
            held = self._versions(conn, library, [i.key for i in changed])
            fresh = [i for i in changed if i.version >= held.get(i.key, -1)]
            self._delete(conn, library, [i.key for i in fresh] + deleted)
            self._insert(conn, library, fresh)
            if version is not None:
                self._set_version(conn, library, version)
        return len(fresh)

    def mirror_item(self, library: str, key: str) -> MirrorItem | None:
        with self._lock:
            rows = self._query(
                "SELECT key, version, item_type, trashed, parent_key, data FROM mirror_item "
                "WHERE library = ? AND key = ?",
                (library, key),
            )
            ids = self._query(
                "SELECT kind, value FROM mirror_identifier WHERE library = ? AND key = ? "
                "ORDER BY kind, value",
                (library, key),
            )
        return _item(rows[0], tuple((k, v) for k, v in ids)) if rows else None

    def mirror_items(self, library: str) -> list[MirrorItem]:
        """Every mirrored item of ``library`` (trashed, notes, attachments too), by key."""
        with self._lock:
            ids = self._identifiers_by_key(library)
            rows = self._query(
                "SELECT key, version, item_type, trashed, parent_key, data FROM mirror_item "
                "WHERE library = ? ORDER BY key",
                (library,),
            )
        return [_item(row, ids.get(row[0], ())) for row in rows]

    def _identifiers_by_key(self, library: str) -> dict[str, tuple[tuple[str, str], ...]]:
        """Every mirrored item's identifier pairs, by key."""
        ids: dict[str, list[tuple[str, str]]] = {}
        for key, kind, value in self._query(
            "SELECT key, kind, value FROM mirror_identifier WHERE library = ? "
            "ORDER BY key, kind, value",
            (library,),
        ):
            ids.setdefault(key, []).append((kind, value))
        return {key: tuple(pairs) for key, pairs in ids.items()}

    def mirror_index_items(self, library: str) -> list[StoredItem]:
        """Every mirrored item of ``library``, by key, for the identifier index, with
        their data decoded when first read (:class:`StoredItem`)."""
        with self._lock:
            rows = self._query(
                "SELECT key, version, item_type, trashed, parent_key, data, index_fields "
                "FROM mirror_item WHERE library = ? ORDER BY key",
                (library,),
            )
            ids = self._identifiers_by_key(library)
        items = [StoredItem(row, ids.get(row[0], ())) for row in rows]
        taken = [item for item, row in zip(items, rows, strict=True) if row[6] is None]
        if taken:
            self._keep_index_fields(library, taken)
        return items

    def _keep_index_fields(self, library: str, taken: Sequence[StoredItem]) -> None:
        """Write back the index fields taken from rows that lacked them (migration 13),
        unless the row changed meanwhile (a write fills the column itself)."""
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE mirror_item SET index_fields = ? WHERE library = ? AND key = ? "
                "AND version = ? AND index_fields IS NULL",
                ((_index_text(i.index_fields), library, i.key, i.version) for i in taken),
            )

    def mirror_count(self, library: str) -> int:
        rows = self._query("SELECT count(*) FROM mirror_item WHERE library = ?", (library,))
        return int(rows[0][0])

    def mirror_versions(self, library: str) -> dict[str, int]:
        return dict(
            self._query("SELECT key, version FROM mirror_item WHERE library = ?", (library,))
        )

    def lookup(self, library: str, kind: str, value: str) -> list[str]:
        """Keys of mirrored items carrying identifier ``kind`` = ``value`` (canonical form)."""
        rows = self._query(
            "SELECT key FROM mirror_identifier WHERE library = ? AND kind = ? AND value = ? "
            "ORDER BY key",
            (library, kind, value),
        )
        return [r[0] for r in rows]

    def mirror_identifiers(self, library: str) -> list[tuple[str, str, str]]:
        """The whole identifier index as (kind, value, key), for matching in memory."""
        return [
            (kind, value, key)
            for kind, value, key in self._query(
                "SELECT kind, value, key FROM mirror_identifier WHERE library = ? "
                "ORDER BY kind, value, key",
                (library,),
            )
        ]

    # -- helpers ------------------------------------------------------------------

    @staticmethod
    def _versions(conn: sqlite3.Connection, library: str, keys: Sequence[str]) -> dict[str, int]:
        held: dict[str, int] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            held.update(
                conn.execute(
                    f"SELECT key, version FROM mirror_item WHERE library = ? AND key IN ({marks})",
                    (library, *chunk),
                ).fetchall()
            )
        return held

    @staticmethod
    def _delete(conn: sqlite3.Connection, library: str, keys: Sequence[str]) -> None:
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            conn.execute(
                f"DELETE FROM mirror_identifier WHERE library = ? AND key IN ({marks})",
                (library, *chunk),
            )
            conn.execute(
                f"DELETE FROM mirror_item WHERE library = ? AND key IN ({marks})",
                (library, *chunk),
            )

    @staticmethod
    def _insert(conn: sqlite3.Connection, library: str, items: Sequence[MirrorItem]) -> None:
        conn.executemany(
            "INSERT INTO mirror_item (library, key, version, item_type, trashed, parent_key, "
            "data, index_fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    library,
                    i.key,
                    i.version,
                    i.item_type,
                    int(i.trashed),
                    i.parent_key,
                    jsonio.dumps_str(i.data),
                    _index_text(i.data),
                )
                for i in items
            ),
        )
        # The caller finds the identifiers (module docstring); an item it gave none
        # (None) is stored with none.
        conn.executemany(
            "INSERT OR IGNORE INTO mirror_identifier (library, kind, value, key) "
            "VALUES (?, ?, ?, ?)",
            ((library, kind, value, i.key) for i in items for kind, value in i.identifiers or ()),
        )

    @staticmethod
    def _set_version(conn: sqlite3.Connection, library: str, version: int) -> None:
        conn.execute(
            "INSERT INTO mirror_library (library, version, refreshed_at) VALUES (?, ?, ?) "
            "ON CONFLICT (library) DO UPDATE SET version = excluded.version, "
            "refreshed_at = excluded.refreshed_at",
            (library, version, now()),
        )


class MirrorReplacement:
    """Items going into a mirror being replaced (``StateDB.replacing_mirror``)."""

    def __init__(self, conn: sqlite3.Connection, library: str) -> None:
        self._conn = conn
        self._library = library
        self._keys: set[str] = set()

    def add(self, items: Sequence[MirrorItem]) -> None:
        """Put ``items`` in; one added before under the same key is replaced (pages
        of a full load may overlap when the library changes meanwhile)."""
        again = [i.key for i in items if i.key in self._keys]
        if again:
            StateDB._delete(self._conn, self._library, again)
        self._keys.update(i.key for i in items)
        StateDB._insert(self._conn, self._library, items)

    def clear(self) -> None:
        """Drop what was added (a full load redone from a reconciled list)."""
        self._conn.execute("DELETE FROM mirror_identifier WHERE library = ?", (self._library,))
        self._conn.execute("DELETE FROM mirror_item WHERE library = ?", (self._library,))
        self._keys.clear()

    def set_version(self, version: int) -> None:
        StateDB._set_version(self._conn, self._library, version)


def _item(row: tuple[Any, ...], identifiers: tuple[tuple[str, str], ...]) -> MirrorItem:
    key, version, item_type, trashed, parent_key, data = row
    return MirrorItem(
        key=key,
        version=int(version),
        item_type=item_type,
        data=jsonio.loads(data),
        trashed=bool(trashed),
        parent_key=parent_key,
        identifiers=identifiers,
    )
