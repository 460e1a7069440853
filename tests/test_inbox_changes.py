"""A file that changes after it was taken stays one entry, synced again whole (item 4)."""

from __future__ import annotations

from pathlib import Path

from syncd.files import file_sha256
from syncd.inbox import Inbox
from syncd.state import StateDB


def test_a_file_that_changes_while_queued_is_one_entry_with_the_new_content(
    tmp_path: Path,
) -> None:
    export = tmp_path / "a.ris"
    export.write_text("TY  - JOUR\nTI  - First half\nER  - \n", encoding="utf-8")
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        first = inbox.enqueue(export, tmp_path)
        assert first is not None
        export.write_text(export.read_text() + "TY  - JOUR\nTI  - More\nER  - \n", "utf-8")
        again = inbox.enqueue(export, tmp_path)
        assert again is not None and again.id == first.id
        assert again.sha256 == file_sha256(export) != first.sha256
        assert [e.id for e in inbox.due()] == [first.id]


def test_a_file_waiting_after_a_change_is_queued_again_when_offered_again(
    tmp_path: Path,
) -> None:
    export = tmp_path / "a.ris"
    export.write_text("TY  - JOUR\nTI  - A\nER  - \n", encoding="utf-8")
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        entry = inbox.enqueue(export, tmp_path)
        assert entry is not None
        inbox.start(entry)
        inbox.keep_outcomes(entry, [{"key": "K1", "result": "created", "title": "A"}])
        inbox.wait_for_change(entry, "it changed while it was synced")
        assert inbox.due() == []
        again = inbox.enqueue(export, tmp_path)
        assert again is not None and again.id == entry.id and again.status == "queued"
        assert [o["key"] for o in inbox.earlier_outcomes(again)] == ["K1"]
