"""Exports are synced in the order they arrived, also when one is postponed: the
newer export's fields must be the ones left in Zotero."""

from __future__ import annotations

import time
from pathlib import Path

from syncd.inbox import Inbox
from syncd.state import StateDB


def _export(folder: Path, name: str) -> Path:
    path = folder / name
    path.write_text(f"TY  - JOUR\nTI  - {name}\nER  - \n", encoding="utf-8")
    return path


def test_a_postponed_export_holds_back_the_exports_that_arrived_after_it(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        older = inbox.enqueue(_export(tmp_path, "a.ris"), tmp_path)
        newer = inbox.enqueue(_export(tmp_path, "b.ris"), tmp_path)
        assert older is not None and newer is not None
        inbox.start(older)
        inbox.postpone(older, 60, "the Zotero API stayed unavailable")
        assert inbox.due() == []
        assert [e.id for e in inbox.due(time.time() + 61)] == [older.id, newer.id]


def test_files_that_arrived_before_a_postponed_one_stay_due(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        first = inbox.enqueue(_export(tmp_path, "a.ris"), tmp_path)
        second = inbox.enqueue(_export(tmp_path, "b.ris"), tmp_path)
        assert first is not None and second is not None
        inbox.start(second)
        inbox.postpone(second, 60, "the Zotero API stayed unavailable")
        assert [e.id for e in inbox.due()] == [first.id]
