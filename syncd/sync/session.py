"""One sync of some export files into one library: refresh, read, plan, write.

This is the shell around the pure planner: it owns the order of the steps and the
I/O (API client, state database, files), and hands back a :class:`SyncReport`.
``syncd plan``, ``syncd sync`` and the daemon all go through here.
"""

from __future__ import annotations

import gc
import io
import logging
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from syncd.attachments.outcome import AttachmentOutcome
from syncd.attachments.records import attach_outcomes, preview_actions
from syncd.attachments.step import Attacher, AttachmentPolicy, UploadProgress
from syncd.convert import convert_file, convert_stream
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Incoming, Options, Plan, make_plan
from syncd.errors import InputError
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.library.mirror import RefreshStats, mirror_item, refresh_mirror, remember_items
from syncd.library.server_schema import follow_server_schema, kept_schema
from syncd.schema import Schema
from syncd.state import StateDB
from syncd.sync import store
from syncd.sync.collections import resolve_collections
from syncd.sync.engine import Json, execute, new_key
from syncd.sync.outcome import SyncReport
from syncd.zotero.client import ZoteroClient

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncInput:
    """A file to sync, with the collection (path like ``Imports/Scopus``) and tags its
    folder asks for."""

    path: Path
    collection: str | None = None
    tags: tuple[str, ...] = ()
    # The file's bytes as the daemon took them (read once, hashed, then synced, so
    # a file changing meanwhile can never be read half); None reads ``path``.
    content: bytes | None = None


@dataclass
class ReadResult:
    incoming: list[Incoming]
    problems: list[ReadProblem]
    failed_files: list[str]


@dataclass
class _FileRead:
    entries: list[ConvertedRecord | ReadProblem]
    failure: str | None = None


def _read_file(inp: SyncInput, schema: Schema) -> _FileRead:
    read = _FileRead([])
    try:
        if inp.content is not None:
            read.entries.extend(convert_stream(io.BytesIO(inp.content), str(inp.path), schema))
        else:
            read.entries.extend(convert_file(inp.path, schema))
    except InputError as exc:
        read.failure = str(exc)
    except OSError as exc:
        read.failure = f"{inp.path}: cannot read the file ({exc.strerror})"
    return read


def _gather(
    inputs: Sequence[SyncInput], reads: Sequence[_FileRead], collection_keys: dict[str, str]
) -> ReadResult:
    result = ReadResult([], [], [])
    for inp, read in zip(inputs, reads, strict=True):
        collections = (collection_keys[inp.collection],) if inp.collection else ()
        for entry in read.entries:
            if isinstance(entry, ConvertedRecord):
                result.incoming.append(Incoming(entry, collections, inp.tags))
            else:
                result.problems.append(entry)
        if read.failure is not None:
            result.failed_files.append(read.failure)
    return result


def read_inputs(
    inputs: Sequence[SyncInput], schema: Schema, collection_keys: dict[str, str]
) -> ReadResult:
    return _gather(inputs, [_read_file(inp, schema) for inp in inputs], collection_keys)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration (reference counting
    still frees everything).

    A sync builds hundreds of thousands of objects that form no cycles (decoded
    items, records, plans), and the collector's repeated passes over that growing
    heap were a fifth of a large sync's time. Cycles made meanwhile are collected
    after. Nested uses leave it to the outermost.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# How long a thread may keep the interpreter while another waits for it during a
# sync (Python's default is 5 ms).
SWITCH_INTERVAL = 0.001


@contextmanager
def threads_switch_often() -> Iterator[None]:
    """The interpreter handed between threads every millisecond for the duration.

    A sync's threads mostly wait on the network (the page reads, the sender of
    creates) beside one that computes (the file's reader, then this thread booking
    each batch). Each time a waiting thread's answer arrived it waited out the
    computing thread's 5 ms turn, several times per request: the first page of a
    library took 0.17 s to be followed by the next requests while the export was
    being read. The setting is the process's own; it is restored after.
    """
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class SyncSession:
    """Everything one library's sync needs, held open for one or many runs."""

    def __init__(
        self,
        client: ZoteroClient,
        db: StateDB,
        schema: Schema,
        options: Options,
    ) -> None:
        self.client = client
        self.db = db
        # The server's own schema when an earlier run fetched one (server_schema.py).
        self.schema = kept_schema(db, client.base_url) or schema
        self.options = options
        self.library = client.library
        self._index: LibraryIndex | None = None
        # Where attachment files may come from; None: attachments are left out.
        self.attachments: AttachmentPolicy | None = None

    # -- steps ------------------------------------------------------------------

    def refresh(self) -> RefreshStats:
        loaded: list[MirrorItem] = []
        # A full load indexes each page as it arrives, title fingerprints included
        # (a first sync's new records look for possible duplicates by them): that
        # work then waits on the network instead of delaying the first write.
        building = LibraryIndex()
        building.by_fingerprint  # noqa: B018 (on from the start: kept as items come)

        def index_page(rows: list[MirrorItem]) -> None:
            for row in rows:
                building.add(row)

        stats = refresh_mirror(
            self.client, self.db, self.library, loaded=loaded.extend, each_page=index_page
        )
        if stats.mode == "full":
            # The items just loaded are the mirror: index them as they are, rather
            # than decode them again from the database (again, when a load that
            # overlapped writes was redone).
            same = len(loaded) == len(building.items) and all(
                building.items.get(row.key) is row for row in loaded
            )
            self._index = building if same else LibraryIndex.build(loaded)
        elif stats.changed or stats.deleted:
            # Others changed the library: the cached index is stale.
            self._index = None
        return stats

    def index(self) -> LibraryIndex:
        """The mirror indexed for matching, built once and then kept current.

        Loading and indexing a large library costs far more than a typical export,
        so the daemon keeps it between files: our own writes go into it as they
        land (``_remember``), and a refresh that saw other changes drops it. The
        session is its one owner: the engine and the attachments step read it and
        hand what landed to ``_remember``.
        """
        if self._index is None:
            self._index = LibraryIndex.build(self.db.mirror_index_items(self.library))
        return self._index

    def resolve_collections(self, paths: Sequence[str], *, create: bool) -> dict[str, str]:
        """Collection keys for each path (``A/B/C``); see :mod:`syncd.sync.collections`."""
        return resolve_collections(self.client, self.db, self.library, paths, create=create)

    def refresh_and_read(self, inputs: Sequence[SyncInput], *, create: bool) -> ReadResult:
        """Refresh the mirror, resolve the collections and read the files.

        The files are read and mapped in a worker thread while the refresh waits on
        the network (a full load of a large library takes seconds); the worker
        touches neither the API client nor the database, so the one-thread rule for
        those holds.
        """
        schema = self.schema
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncd-read") as reader:
            reading = reader.submit(lambda: [_read_file(inp, schema) for inp in inputs])
            self.refresh()
            self.schema = follow_server_schema(self.client, self.db, schema)
            collections = self.resolve_collections(
                [i.collection for i in inputs if i.collection], create=create
            )
            reads = reading.result()
        if self.schema is not schema:
            # The server's schema changed under this run: map again with it (once).
            reads = [_read_file(inp, self.schema) for inp in inputs]
        return _gather(inputs, reads, collections)

    def plan(self, inputs: Sequence[SyncInput]) -> tuple[Plan, ReadResult]:
        """Refresh, read and plan; nothing is written to the library."""
        with collector_paused(), threads_switch_often():
            read = self.refresh_and_read(inputs, create=False)
            links = store.load_links(self.db, self.library)
            plan = make_plan(read.incoming, self.index(), links, self.schema, self.options)
            return plan, read

    def plan_attachments(self, plan: Plan) -> list[list[AttachmentOutcome]]:
        """Per action of ``plan``, what would happen to its attachments (no requests)."""
        if self.attachments is None:
            return [[] for _ in plan.actions]
        return preview_actions(plan.actions, self._attacher(None))

    def _attacher(
        self, stop: Callable[[], bool] | None, on_upload: UploadProgress | None = None
    ) -> Attacher:
        assert self.attachments is not None
        return Attacher(
            self.client,
            self.db,
            self.attachments,
            lambda: self.index().items.values(),
            self._remember,
            new_key,
            stop,
            on_upload,
        )

    def sync(
        self,
        inputs: Sequence[SyncInput],
        *,
        progress: Callable[[int], None] | None = None,
        on_plan: Callable[[Plan], None] | None = None,
        stop: Callable[[], bool] | None = None,
        on_upload: UploadProgress | None = None,
    ) -> SyncReport:
        """``on_upload(name, sent, size)`` follows each attachment file's upload."""
        with collector_paused(), threads_switch_often():
            return self._sync(
                inputs, progress=progress, on_plan=on_plan, stop=stop, on_upload=on_upload
            )

    def _sync(
        self,
        inputs: Sequence[SyncInput],
        *,
        progress: Callable[[int], None] | None,
        on_plan: Callable[[Plan], None] | None,
        stop: Callable[[], bool] | None,
        on_upload: UploadProgress | None = None,
    ) -> SyncReport:
        read = self.refresh_and_read(inputs, create=True)
        links = store.load_links(self.db, self.library)
        index = self.index()
        plan = make_plan(read.incoming, index, links, self.schema, self.options)
        if on_plan:
            on_plan(plan)
        outcomes = execute(
            plan.actions,
            client=self.client,
            db=self.db,
            library=self.library,
            index=index,
            schema=self.schema,
            options=self.options,
            remember_items=self._remember,
            progress=progress,
            stop=stop,
        )
        if self.attachments is not None:
            outcomes = attach_outcomes(plan.actions, outcomes, self._attacher(stop, on_upload))
        return SyncReport(outcomes, read.problems, read.failed_files)

    def _remember(self, items: Sequence[Json]) -> None:
        if self._index is not None:
            for obj in items:
                self._index.add(mirror_item(obj))
        # Not moving the mirror's library version: only a complete refresh does that.
        remember_items(self.db, self.library, items)
