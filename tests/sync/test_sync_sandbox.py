"""Issue 5 acceptance against the sandbox: idempotence, updates, user edits, request counts."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import httpx2
import pytest
from conftest import TEST_KEY
from sync_helpers import (
    LIBRARY,
    doi_counts,
    make_records,
    regular_items,
    session_for,
    sync_file,
    write_export,
)

from syncd.sandbox import Sandbox


def writes(sandbox: Sandbox) -> int:
    return sandbox.count(kind="write")


def test_same_export_twice_second_run_writes_nothing(sandbox: Any, tmp_path: Path) -> None:
    export = write_export(tmp_path / "a.ris", make_records(120))
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = sync_file(session, export)
        assert first.counts()["created"] == 120
        sandbox.clear_log()
        second = sync_file(session, export)
    assert second.counts() == {
        "created": 0,
        "updated": 0,
        "unchanged": 120,
        "conflicts": 0,
        "failed": 0,
        "skipped": 0,
        "ambiguous": 0,
    }
    assert writes(sandbox) == 0
    assert len(sandbox.log) <= 3
    assert all(n == 1 for n in doi_counts(sandbox).values())


@pytest.mark.parametrize("n", [1, 49, 50, 51, 120])
def test_creating_n_records_takes_ceil_n_over_50_writes(
    sandbox: Any, tmp_path: Path, n: int
) -> None:
    export = write_export(tmp_path / "a.ris", make_records(n))
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sandbox.clear_log()
        report = sync_file(session, export)
    assert report.counts()["created"] == n
    assert writes(sandbox) == math.ceil(n / 50)


def test_corrected_pages_for_3_of_100_update_exactly_those_in_one_batch(
    sandbox: Any, tmp_path: Path
) -> None:
    records = make_records(100)
    state = tmp_path / "state.sqlite"
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, write_export(tmp_path / "v1.ris", records))
        corrected = [dict(r) for r in records]
        for i in (3, 50, 97):
            corrected[i]["pages"] = f"e{i}"
        sandbox.clear_log()
        report = sync_file(session, write_export(tmp_path / "v2.ris", corrected))
    counts = report.counts()
    assert (counts["updated"], counts["unchanged"], counts["created"]) == (3, 97, 0)
    assert writes(sandbox) == 1
    (write,) = [r for r in sandbox.log if r.kind == "write"]
    assert write.n_objects == 3
    by_doi = {i["DOI"]: i for i in regular_items(sandbox)}
    assert by_doi["10.5555/r50"]["pages"] == "e50"
    assert by_doi["10.5555/r51"]["pages"] == "51-60"


def test_user_edits_tags_notes_and_collections_survive_and_conflicts_are_reported(
    sandbox: Any, tmp_path: Path
) -> None:
    records = make_records(3)
    state = tmp_path / "state.sqlite"
    # syncd adds a collection and tags of its own each time, so both sides write the
    # same lists: the user's members must survive syncd's additions.
    folder = {"collection": "Imports", "tags": ("alert",)}
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(session, write_export(tmp_path / "v1.ris", records), **folder)
        items = {i["DOI"]: i for i in regular_items(sandbox)}
        key0, key1 = items["10.5555/r0"]["key"], items["10.5555/r1"]["key"]
        ours = items["10.5555/r0"]["collections"]
        mine = sandbox.user_create_collection(LIBRARY, "My reading")
        sandbox.user_edit(
            LIBRARY,
            key0,
            {
                "title": "My better title",
                "tags": [*items["10.5555/r0"]["tags"], {"tag": "mine"}],
                "collections": [*ours, mine],
            },
        )
        sandbox.user_edit(LIBRARY, key1, {"pages": "my-pages", "tags": []})
        sandbox.user_create(
            LIBRARY, {"itemType": "note", "note": "<p>my note</p>", "parentItem": key0}
        )
        # The next export changes the title of r0 (user did too) and pages of r1 (conflict),
        # and brings a new tag.
        v2 = [dict(r) for r in records]
        v2[0]["title"] = "Record r0 on a topic, corrected"
        v2[1]["pages"] = "100-200"
        report = sync_file(
            session,
            write_export(tmp_path / "v2.ris", v2),
            collection="Imports",
            tags=("alert", "week-2"),
        )
    after = {i["key"]: i for i in regular_items(sandbox)}
    assert after[key0]["title"] == "My better title"
    assert {t["tag"] for t in after[key0]["tags"]} == {"alert", "mine", "week-2"}
    assert set(after[key0]["collections"]) == {*ours, mine}
    # The user removed syncd's tag from r1: not added back; the new one is added.
    assert {t["tag"] for t in after[key1]["tags"]} == {"week-2"}
    notes = [i for i in sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]
    assert any("my note" in n["note"] for n in notes)
    assert after[key1]["pages"] == "my-pages"
    conflicts = [o for o in report.outcomes if o.kind == "conflict"]
    assert {c.field for o in conflicts for c in o.conflicts} == {"title", "pages"}
    pages = next(c for o in conflicts for c in o.conflicts if c.field == "pages")
    assert (pages.zotero_value, pages.export_value) == ("my-pages", "100-200")


def test_items_from_zoteros_own_import_are_matched_filled_not_duplicated(
    sandbox: Any, tmp_path: Path
) -> None:
    # What Zotero's RIS import makes of the seed record: EID in Loc. in Archive,
    # article number as issue, no PMID, no pages, no Extra.
    key = sandbox.user_create(
        LIBRARY,
        {
            "itemType": "journalArticle",
            "title": "Double allogenic mesenchymal stem cells transplantations could not "
            "enhance therapeutic effect compared with single transplantation in systemic "
            "lupus erythematosus",
            "archiveLocation": "SCOPUS:84864948206",
            "issue": "273291",
            "date": "2012",
            "creators": [{"creatorType": "author", "firstName": "Dandan", "lastName": "Wang"}],
        },
    )
    seed = Path(__file__).parents[1] / "fixtures" / "seed_scopus_pure.ris"
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        report = sync_file(session, seed)
        again = sync_file(session, seed)
    assert report.counts()["created"] == 0
    assert report.counts()["updated"] == 1
    (item,) = regular_items(sandbox)
    assert item["key"] == key
    assert item["PMID"] == "22829849"
    assert item["DOI"] == "10.1155/2012/273291"
    assert "Scopus EID: 2-s2.0-84864948206" in item["extra"]
    assert item["issue"] == "273291"  # the user's (Zotero's) value is not overwritten
    assert len(item["creators"]) == 1  # nor are the creators
    assert again.counts()["unchanged"] == 1


def test_target_collection_is_created_once_and_tags_added(sandbox: Any, tmp_path: Path) -> None:
    state = tmp_path / "state.sqlite"
    with session_for(sandbox, state, TEST_KEY) as session:
        sync_file(
            session,
            write_export(tmp_path / "a.ris", make_records(2)),
            collection="Imports/Scopus",
            tags=("alert",),
        )
        sync_file(
            session,
            write_export(tmp_path / "b.ris", make_records(2, prefix="b")),
            collection="Imports/Scopus",
            tags=("alert",),
        )
    collections = sandbox.all_collections(LIBRARY) if hasattr(sandbox, "all_collections") else None
    items = regular_items(sandbox)
    assert len(items) == 4
    keys = {k for i in items for k in i["collections"]}
    assert len(keys) == 1
    assert all({"tag": "alert"} in i["tags"] for i in items)
    if collections is not None:
        names = sorted(c["name"] for c in collections)
        assert names == ["Imports", "Scopus"]


def test_item_deleted_by_user_is_not_recreated(sandbox: Any, tmp_path: Path) -> None:
    export = write_export(tmp_path / "a.ris", make_records(2))
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export)
        victim = next(i for i in regular_items(sandbox) if i["DOI"] == "10.5555/r0")
        sandbox.user_delete(LIBRARY, victim["key"])
        report = sync_file(session, export)
    assert report.counts()["skipped"] == 1
    assert sorted(doi_counts(sandbox)) == ["10.5555/r1"]


def test_notes_go_with_their_parent_and_are_not_duplicated(sandbox: Any, tmp_path: Path) -> None:
    records = make_records(3, notes=("First note", "Second note"))
    export = write_export(tmp_path / "a.ris", records)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sandbox.clear_log()
        sync_file(session, export)
        assert writes(sandbox) == 1  # 3 parents + 6 notes fit one batch
        sync_file(session, export)
    notes = [i for i in sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]
    assert len(notes) == 6
    parents = {i["key"] for i in regular_items(sandbox)}
    assert {n["parentItem"] for n in notes} == parents


def test_new_note_is_not_duplicated_when_the_item_changes_during_the_sync(
    sandbox: Any, tmp_path: Path
) -> None:
    from syncd.sync.session import SyncInput

    records = make_records(1)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, write_export(tmp_path / "a.ris", records))
        key = regular_items(sandbox)[0]["key"]
        with_note = write_export(tmp_path / "b.ris", [dict(records[0], notes=("A new note",))])
        # The user edits the item between the plan and the write: the update gets a 412.
        report = session.sync(
            [SyncInput(with_note)],
            on_plan=lambda _plan: sandbox.user_edit(LIBRARY, key, {"volume": "7"}),
        )
        assert report.counts()["updated"] == 1
        again = sync_file(session, with_note)
        assert again.counts()["unchanged"] == 1
    notes = [i for i in sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]
    assert [n["note"] for n in notes] == ["<p>A new note</p>"]
    assert regular_items(sandbox)[0]["volume"] == "7"


def test_a_collection_deleted_by_the_user_is_made_again(sandbox: Any, tmp_path: Path) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, write_export(tmp_path / "a.ris", make_records(1)), collection="Imports")
        (first,) = sandbox.all_collections(LIBRARY)
        gone = httpx2.delete(
            f"{sandbox.url}/{LIBRARY}/collections/{first['key']}",
            headers={
                "Zotero-API-Key": TEST_KEY,
                "If-Unmodified-Since-Version": str(sandbox.library_version(LIBRARY)),
            },
        )
        assert gone.status_code == 204
        report = sync_file(
            session,
            write_export(tmp_path / "b.ris", make_records(2, prefix="b")),
            collection="Imports",
        )
    assert report.counts()["failed"] == 0
    (second,) = sandbox.all_collections(LIBRARY)
    assert second["key"] != first["key"] and second["name"] == "Imports"
    new = [i for i in regular_items(sandbox) if i["DOI"].startswith("10.5555/b")]
    assert all(i["collections"] == [second["key"]] for i in new)
