"""The mirror as the identifier index takes it from the state database: the few
fields the index reads come from SQLite, the rest of each item's data is decoded
only when asked for, and the index is the one the decoded items give."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from syncd.core.match import LibraryIndex
from syncd.library.mirror import mirror_item
from syncd.state import StateDB, StoredItem

LIB = "users/1"


def _item(key: str, version: int = 1, **data: Any) -> dict[str, Any]:
    return {"key": key, "version": version, "itemType": "journalArticle", "title": key, **data}


ITEMS = [
    _item("EMBASE01", archive="Embase", archiveLocation="365312987", DOI="10.1234/a"),
    _item("EBSCO001", url="https://search.ebscohost.com/login.aspx?db=psyh&AN=2001-12345-001"),
    _item("MASTER01", relations={"dc:replaces": "http://zotero.org/users/1/items/GONE0001"}),
    _item(
        "MASTER02",
        relations={"dc:replaces": ["http://zotero.org/users/1/items/GONE0002", "x/GONE0003"]},
    ),
    _item("TRASHED1", deleted=1, relations={"dc:replaces": "x/GONE0004"}),
    _item("ODDTYPES", archive=7, archiveLocation=["365312987"], relations="dc:replaces"),
    _item("ODDURL01", archive="Embase", archiveLocation="365312988", url=5, relations={}),
    _item("EMPTYSTR", archive="", archiveLocation="", libraryCatalog="", url=""),
    _item("GONE0001", DOI="10.1234/gone"),
    {"key": "NOTE0001", "version": 1, "itemType": "note", "note": "<p>n</p>"},
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[StateDB]:
    opened = StateDB.open(tmp_path / "state.sqlite")
    opened.replace_mirror(LIB, [mirror_item(obj) for obj in ITEMS], 10)
    yield opened
    opened.close()


def shape(index: LibraryIndex) -> tuple[Any, ...]:
    return (
        {pair: keys for pair, keys in index.by_id.items() if keys},
        {key: masters for key, masters in index.replaced_by.items() if masters},
        {key: index.pairs_of(key) for key in index.items},
        sorted(index.items),
    )


def test_the_index_of_stored_rows_is_the_index_of_the_decoded_items(db: StateDB) -> None:
    lazy = LibraryIndex.build(db.mirror_index_items(LIB))
    decoded = LibraryIndex.build(db.mirror_items(LIB))
    assert shape(lazy) == shape(decoded)
    assert lazy.by_id[("accession", "embase:365312987")] == {"EMBASE01"}
    assert lazy.replacement("GONE0001") == "MASTER01"


def test_building_the_index_decodes_no_items_data(db: StateDB) -> None:
    rows = db.mirror_index_items(LIB)
    LibraryIndex.build(rows)
    stored = [row for row in rows if isinstance(row, StoredItem)]
    assert len(stored) == len(rows)
    assert [row.key for row in stored if row._data is not None] == []


def test_a_stored_rows_data_is_the_item_as_it_was_stored(db: StateDB) -> None:
    lazy = {row.key: row.data for row in db.mirror_index_items(LIB)}
    assert lazy == {row.key: row.data for row in db.mirror_items(LIB)}
