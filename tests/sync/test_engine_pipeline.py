"""The creates' pipeline: each batch queued behind the one in flight, nothing sent
after a batch failed, and every key durable before a request carries it."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from ris_helpers import convert_text, ris_record

from syncd.core.match import LibraryIndex
from syncd.core.plan import Incoming, Options, make_plan
from syncd.errors import ApiUnavailableError, Interrupted
from syncd.schema import bundled_schema
from syncd.state import StateDB
from syncd.sync import store
from syncd.sync.engine import BATCH, execute
from syncd.zotero.client import WriteResult

SCHEMA = bundled_schema()
LIBRARY = "users/1"
Json = dict[str, Any]


class _Writer:
    """Answers each batch as landed, until batch number ``fail_at`` (from 1), which
    raises as an API that stays unavailable does; records every batch it was given."""

    def __init__(self, db_path: Path, fail_at: int | None = None) -> None:
        self.db_path = db_path
        self.fail_at = fail_at
        self.sent: list[list[str]] = []
        self.durable_when_sent: list[bool] = []
        self.threads: set[str] = set()

    def post_items(self, objects: Sequence[Json], *, write_token: str | None = None) -> WriteResult:
        keys = [str(o["key"]) for o in objects]
        self.sent.append(keys)
        self.threads.add(threading.current_thread().name)
        with StateDB.open(self.db_path) as db:
            held = {link.key for link in store.load_links(db, LIBRARY).values()}
        self.durable_when_sent.append(set(keys) <= held)
        if self.fail_at is not None and len(self.sent) == self.fail_at:
            raise ApiUnavailableError("the test's API is down", hint="")
        return WriteResult(
            successful={i: {**o, "version": 1} for i, o in enumerate(objects)},
            library_version=1,
        )

    def items_by_keys(self, keys: Iterable[str], *, concurrency: int = 4) -> list[Json]:
        return []


def _creates(n: int) -> list[Any]:
    text = "".join(ris_record(f"Paper number {i}", doi=f"10.1000/p{i}") for i in range(n))
    incoming = [Incoming(r) for r in convert_text(text)]
    return list(make_plan(incoming, LibraryIndex(), {}, SCHEMA).actions)


def _execute(
    writer: _Writer, actions: list[Any], db: StateDB, stop: Callable[[], bool] | None = None
) -> list[Any]:
    return execute(
        actions,
        client=writer,
        db=db,
        library=LIBRARY,
        index=LibraryIndex(),
        schema=SCHEMA,
        options=Options(),
        remember_items=lambda items: None,
        stop=stop,
    )


def test_every_batch_is_sent_once_in_order_from_the_sender_thread_with_its_keys_durable(
    tmp_path: Path,
) -> None:
    actions = _creates(3 * BATCH + 7)
    path = tmp_path / "state.sqlite"
    writer = _Writer(path)
    with StateDB.open(path) as db:
        outcomes = _execute(writer, actions, db)
    assert [len(b) for b in writer.sent] == [BATCH, BATCH, BATCH, 7]
    assert len({k for b in writer.sent for k in b}) == len(actions)
    assert all(writer.durable_when_sent)
    assert writer.threads == {"syncd-send_0"}
    assert [o.kind for o in outcomes] == ["created"] * len(actions)


def test_no_batch_is_sent_after_one_failed_and_the_unsent_keys_stay_for_the_next_run(
    tmp_path: Path,
) -> None:
    actions = _creates(4 * BATCH)
    path = tmp_path / "state.sqlite"
    writer = _Writer(path, fail_at=2)
    with StateDB.open(path) as db, pytest.raises(ApiUnavailableError):
        _execute(writer, actions, db)
    # The third batch may have been written ahead while the second was in flight,
    # but it never went out: an unavailable API is not asked again and again.
    assert len(writer.sent) == 2
    with StateDB.open(path) as db:
        links = store.load_links(db, LIBRARY)
    first = set(writer.sent[0])
    assert {link.key for link in links.values() if link.confirmed} == first
    # Whatever was written ahead and not confirmed is resent under its key next run.
    unconfirmed = {link.key for link in links.values() if not link.confirmed}
    assert set(writer.sent[1]) <= unconfirmed


def test_a_stop_asked_for_while_a_batch_is_in_flight_leaves_the_one_queued_behind_unsent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions = _creates(3 * BATCH)
    path = tmp_path / "state.sqlite"
    stopping = threading.Event()
    submitted = threading.Semaphore(0)
    submit = ThreadPoolExecutor.submit

    def counted(pool: ThreadPoolExecutor, fn: Any, /, *args: Any) -> Future[Any]:
        future = submit(pool, fn, *args)
        submitted.release()
        return future

    class _StoppedMidway(_Writer):
        def post_items(
            self, objects: Sequence[Json], *, write_token: str | None = None
        ) -> WriteResult:
            if not self.sent:
                # The first batch is in flight and the second queued behind it when
                # the stop is asked for (SIGTERM to the daemon).
                assert submitted.acquire(timeout=30) and submitted.acquire(timeout=30)
                stopping.set()
            return super().post_items(objects, write_token=write_token)

    monkeypatch.setattr(ThreadPoolExecutor, "submit", counted)
    writer = _StoppedMidway(path)
    with StateDB.open(path) as db, pytest.raises(Interrupted) as stopped:
        _execute(writer, actions, db, stop=stopping.is_set)
    assert len(writer.sent) == 1
    created = {o.key for o in stopped.value.outcomes if o.kind == "created"}
    assert created == set(writer.sent[0])
