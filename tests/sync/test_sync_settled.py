"""The merge a re-sync skips (the item's settled mark): only while neither the item
nor the record moved on since syncd last merged them and found nothing to do."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, make_records, regular_items, session_for, sync_file, write_export

from syncd.state import StateDB


def _settled(state: Path) -> int:
    with StateDB.open(state) as db:
        rows = db.conn.execute("SELECT count(*) FROM sync_items WHERE settled IS NOT NULL")
        return int(rows.fetchone()[0])


def _by_doi(sandbox: Any) -> dict[str, dict[str, Any]]:
    return {i["DOI"]: i for i in regular_items(sandbox)}


def test_items_syncd_created_are_settled_so_the_same_export_again_writes_nothing(
    sandbox: Any, tmp_path: Path
) -> None:
    state = tmp_path / "state.sqlite"
    export = write_export(tmp_path / "a.ris", make_records(3))
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, export)
        assert _settled(state) == 3
        sandbox.clear_log()
        again = sync_file(session, export)
    assert again.counts()["unchanged"] == 3
    assert sandbox.count(kind="write") == 0


def test_a_user_edit_after_the_mark_is_kept_and_reported(sandbox: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    export = write_export(tmp_path / "a.ris", make_records(3))
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, export)
        sync_file(session, export)  # every item settled, re-synced through the mark
        key = _by_doi(sandbox)["10.5555/r1"]["key"]
        sandbox.user_edit(LIBRARY, key, {"title": "My own title"})
        report = sync_file(session, export)
    (edited,) = [o for o in report.outcomes if o.key == key]
    assert edited.kind == "unchanged"
    assert [(k.field, k.zotero_value) for k in edited.kept] == [("title", "My own title")]
    assert _by_doi(sandbox)["10.5555/r1"]["title"] == "My own title"


def test_a_user_edit_stays_reported_on_every_later_sync(sandbox: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    export = write_export(tmp_path / "a.ris", make_records(2))
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, export)
        key = _by_doi(sandbox)["10.5555/r0"]["key"]
        sandbox.user_edit(LIBRARY, key, {"pages": "99"})
        reports = [sync_file(session, export) for _ in range(3)]
    for report in reports:
        (edited,) = [o for o in report.outcomes if o.key == key]
        assert [k.field for k in edited.kept] == ["pages"]


def test_a_changed_export_of_a_settled_item_is_written(sandbox: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    records = make_records(3)
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, write_export(tmp_path / "a.ris", records))
        sync_file(session, write_export(tmp_path / "a.ris", records))
        records[2]["pages"] = "e77"
        report = sync_file(session, write_export(tmp_path / "b.ris", records))
    assert report.counts()["updated"] == 1
    assert _by_doi(sandbox)["10.5555/r2"]["pages"] == "e77"


def test_another_folder_tag_on_a_settled_item_is_added(sandbox: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    export = write_export(tmp_path / "a.ris", make_records(1))
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, export)
        sync_file(session, export)
        report = sync_file(session, export, tags=("inbox",))
    assert report.counts()["updated"] == 1
    assert {"tag": "inbox"} in _by_doi(sandbox)["10.5555/r0"]["tags"]
