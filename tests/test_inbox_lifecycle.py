"""A file's way through the inbox: admission, and a real status for a failed file."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd import jsonio, state
from syncd.inbox import FileStatus, Inbox, InboxFile, Verdict
from syncd.reports import FileReport
from syncd.state import StateDB

EXPORT = "TY  - JOUR\nTI  - A\nER  - \n"


def queued(inbox: Inbox, folder: Path, name: str = "a.ris", text: str = EXPORT) -> InboxFile:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    entry = inbox.enqueue(path, folder)
    assert entry is not None
    return entry


# -- admission ----------------------------------------------------------------------


def test_a_file_as_it_was_taken_is_admitted_with_its_bytes(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        admission = inbox.admit(queued(inbox, tmp_path), 1 << 20)
    assert admission.verdict is Verdict.READY and admission.content == EXPORT.encode()


def test_a_file_that_vanished_is_not_admitted(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        entry = queued(inbox, tmp_path)
        entry.path.unlink()
        assert inbox.admit(entry, 1 << 20).verdict is Verdict.GONE


def test_a_file_over_the_limit_is_not_read(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        admission = inbox.admit(queued(inbox, tmp_path), 10)
    assert admission.verdict is Verdict.TOO_LARGE and admission.size == len(EXPORT)
    assert admission.content == b""


def test_a_file_changed_since_it_was_taken_is_not_admitted(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        entry = queued(inbox, tmp_path)
        entry.path.write_text(EXPORT + EXPORT, encoding="utf-8")
        assert inbox.admit(entry, 1 << 20).verdict is Verdict.CHANGED


def test_the_same_content_as_a_file_synced_cleanly_is_a_duplicate(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        first = queued(inbox, tmp_path)
        summary = {"created": 1, "failed": 0, "ambiguous": 0}
        inbox.finish(first, FileReport(str(first.path), first.sha256, "t", summary, [], [], []))
        again = queued(inbox, tmp_path, "again.ris")
        admission = inbox.admit(again, 1 << 20)
    assert admission.verdict is Verdict.DUPLICATE and str(first.path) in admission.why


# -- failed files ---------------------------------------------------------------------


def test_a_failed_file_is_failed_in_the_database_and_in_failed(tmp_path: Path) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        entry = queued(inbox, tmp_path, text="not an export\n")
        dest = inbox.fail(entry, "no format syncd reads", "export as RIS")
        assert inbox.get(entry.id).status is FileStatus.FAILED
    assert dest == tmp_path / "failed" / "a.ris"
    text = Path(f"{dest}.error.txt").read_text()
    assert "Why: no format syncd reads" in text and "What to do: export as RIS" in text


def test_a_file_a_crash_left_failing_is_finished_into_failed_on_recovery(
    tmp_path: Path,
) -> None:
    with StateDB.open(tmp_path / "state.sqlite") as db:
        inbox = Inbox(db, "users/1")
        entry = queued(inbox, tmp_path, text="not an export\n")
        error = {"file": str(entry.path), "error": "unreadable", "what_to_do": "x"}
        # What ``fail`` records before it writes anything to disk.
        inbox._set(entry.id, status=FileStatus.FAILING, report=jsonio.dumps_str(error))
        inbox.recover()
        assert inbox.get(entry.id).status is FileStatus.FAILED
    assert (tmp_path / "failed" / "a.ris").exists()
    assert (tmp_path / "failed" / "a.ris.error.txt").exists()


def test_an_old_database_s_file_on_its_way_to_failed_becomes_failing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "state.sqlite"
    (tmp_path / "bad.txt").write_text("not an export\n", encoding="utf-8")
    (tmp_path / "good.ris").write_text(EXPORT, encoding="utf-8")
    error = {"file": str(tmp_path / "bad.txt"), "error": "unreadable", "what_to_do": "x"}
    report = {"file": str(tmp_path / "good.ris"), "summary": {"created": 0}, "records": []}
    before = next(i for i, m in enumerate(state.MIGRATIONS) if "'failing'" in m)
    with monkeypatch.context() as m:
        m.setattr(state, "MIGRATIONS", state.MIGRATIONS[:before])
        with StateDB.open(path) as db, db.transaction() as conn:
            conn.executemany(
                "INSERT INTO inbox_file (library, path, folder, sha256, size, status, "
                "arrived_at, report) VALUES ('users/1', ?, ?, 'x', 1, ?, 't', ?)",
                [
                    (str(tmp_path / "bad.txt"), str(tmp_path), "reported", jsonio.dumps_str(error)),
                    (str(tmp_path / "good.ris"), str(tmp_path), "synced", jsonio.dumps_str(report)),
                ],
            )
    with StateDB.open(path) as db:
        rows = db.conn.execute("SELECT path, status FROM inbox_file ORDER BY id").fetchall()
        assert [s for _p, s in rows] == ["failing", "synced"]
        Inbox(db, "users/1").recover()
    assert (tmp_path / "failed" / "bad.txt.error.txt").exists()
    assert (tmp_path / "processed" / "good.ris.report.json").exists()
