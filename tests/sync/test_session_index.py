"""The index a full load builds page by page, while the next pages are in flight,
is the one the mirror it wrote gives: identifiers, merges and title fingerprints."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, session_for

from syncd.core.match import LibraryIndex


def _shape(index: LibraryIndex) -> tuple[Any, ...]:
    return (
        {pair: keys for pair, keys in index.by_id.items() if keys},
        {key: masters for key, masters in index.replaced_by.items() if masters},
        {fp: keys for fp, keys in index.by_fingerprint.items() if keys},
        {key: (item.version, item.trashed, dict(item.data)) for key, item in index.items.items()},
    )


def test_the_index_of_a_full_load_is_the_index_of_the_mirror_it_wrote(
    sandbox: Any, tmp_path: Path
) -> None:
    for i in range(250):  # three pages
        sandbox.user_create(
            LIBRARY,
            {
                "itemType": "journalArticle",
                "title": f"Paper number {i // 2}",  # twins by title
                "creators": [{"creatorType": "author", "lastName": "Doe", "firstName": "J"}],
                "date": "2020",
                "DOI": f"10.1/{i}",
                "deleted": i % 50 == 0,
            },
        )
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        assert session.refresh().mode == "full"
        built = session.index()
        assert len(built.items) == 250
        assert built._by_fingerprint is not None  # made as the pages came, not after
        assert _shape(built) == _shape(LibraryIndex.build(session.db.mirror_items(LIBRARY)))
