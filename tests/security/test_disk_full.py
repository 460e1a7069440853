"""A full disk under processed/ or under the state database is reported and survived,
and nothing is lost: the daemon waits, then finishes the work with the right report."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import TEST_KEY
from daemon_helpers import wait_for
from sync_helpers import doi_counts, export_text, make_records

from syncd import inbox as inbox_module
from syncd.config import Config, DaemonConfig, WatchConfig
from syncd.errors import StateError
from syncd.files import atomic_write
from syncd.service import Daemon
from syncd.state import StateDB
from syncd.zotero.retry import RetryPolicy


@contextmanager
def running_daemon(sandbox: Any, tmp_path: Path) -> Iterator[tuple[Daemon, Path]]:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = Config(
        library_type="user",
        library_id=1,
        base_url=sandbox.url,
        state_path=tmp_path / "state.sqlite",
        watches=(WatchConfig(inbox),),
        daemon=DaemonConfig(settle=0.2, rescan=0.5, refresh=60, retry=0.2),
    )
    daemon = Daemon(config, api_key=TEST_KEY, policy=RetryPolicy(max_elapsed=10, base_delay=0.01))
    thread = threading.Thread(target=daemon.run, daemon=True)
    thread.start()
    try:
        yield daemon, inbox
    finally:
        daemon.flags.stop.set()
        thread.join(30)
        assert not thread.is_alive()


def test_full_disk_on_processed_is_survived(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = atomic_write
    failures = {"left": 4}

    def full_disk(path: Path, data: bytes, **kw: Any) -> None:
        if failures["left"] > 0:
            failures["left"] -= 1
            raise StateError(f"disk full while writing {path.name}")
        real(path, data, **kw)

    monkeypatch.setattr(inbox_module, "atomic_write", full_disk)
    with running_daemon(sandbox, tmp_path) as (_daemon, inbox):
        (inbox / "a.ris").write_text(export_text(make_records(3)), encoding="utf-8")
        wait_for(lambda: (inbox / "processed" / "a.ris.report.txt").exists(), 60, "report")
        wait_for(lambda: (inbox / "processed" / "a.ris").exists(), 10, "file moved")
    assert failures["left"] == 0
    report = (inbox / "processed" / "a.ris.report.txt").read_text()
    assert "3 created" in report  # the report of the real sync, not of a re-run
    assert sorted(doi_counts(sandbox).values()) == [1, 1, 1]


def test_full_disk_on_the_state_database_pauses_and_loses_nothing(
    sandbox: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = threading.Event()
    real = StateDB.transaction

    @contextmanager
    def transaction(self: StateDB) -> Iterator[Any]:
        if full.is_set():
            raise StateError("could not write the state database: database or disk is full")
        with real(self) as conn:
            yield conn

    monkeypatch.setattr(StateDB, "transaction", transaction)
    with running_daemon(sandbox, tmp_path) as (_daemon, inbox):
        wait_for(lambda: sandbox.count() > 0, 10, "daemon started")
        full.set()
        (inbox / "b.ris").write_text(export_text(make_records(4, prefix="b")), encoding="utf-8")
        time.sleep(2.0)
        # Nothing was synced without its write-ahead record.
        assert sandbox.count(kind="write") == 0
        full.clear()
        wait_for(lambda: (inbox / "processed" / "b.ris.report.txt").exists(), 60, "report")
    assert sorted(doi_counts(sandbox).values()) == [1, 1, 1, 1]
