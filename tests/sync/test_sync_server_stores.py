"""Issue 16, point 1: syncd's merge base is what Zotero stores, not what syncd sent.

The server trims field values and tags (``Item::setField``/``setTags``, PHP ``trim``)
and creator names (``Creator::__set``, ``Zotero_Utilities::unicodeTrim``: Unicode
separators and controls such as U+200B and U+FEFF). The sandbox does the same, so a
base kept from the sent values would differ from the library on every later sync and
look like an edit nobody made.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, regular_items, session_for, sync_file

# Values a real export can carry: zero-width spaces, a byte-order mark and a soft
# hyphen at the ends of names, padding around fields and keywords.
PADDED_RIS = (
    "TY  - JOUR\n"
    "TI  -   Padded   title  \n"
    "AU  - Doe\u200b, Jane\u200b\n"
    "AU  - \ufeffRoe, Ann\u00ad\n"
    "A2  - Org Name\u200e\n"
    "PY  - 2021\n"
    "JO  -  Journal of Tests \n"
    "KW  -   spaced keyword  \n"
    "KW  - zw\u200b\n"
    "DO  - 10.5555/padded1\n"
    "ER  - \n"
)


def _sync_twice(sandbox: Any, tmp_path: Path) -> tuple[Any, Any]:
    export = tmp_path / "padded.ris"
    export.write_text(PADDED_RIS, encoding="utf-8")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        first = sync_file(session, export)
        sandbox.clear_log()
        second = sync_file(session, export)
    return first, second


def test_a_resync_of_padded_values_writes_nothing(sandbox: Any, tmp_path: Path) -> None:
    first, second = _sync_twice(sandbox, tmp_path)
    assert first.counts()["created"] == 1
    assert second.counts()["unchanged"] == 1
    assert second.counts()["updated"] == 0 and second.counts()["conflicts"] == 0
    assert sandbox.count(kind="write") == 0


def test_the_library_holds_the_names_as_the_server_stores_them(
    sandbox: Any, tmp_path: Path
) -> None:
    _sync_twice(sandbox, tmp_path)
    (item,) = regular_items(sandbox)
    names = [(c.get("firstName"), c.get("lastName"), c.get("name")) for c in item["creators"]]
    assert names == [("Jane", "Doe", None), ("Ann", "Roe", None), (None, None, "Org Name")]
    assert item["title"] == "Padded   title"
    assert {t["tag"] for t in item["tags"]} >= {"spaced keyword", "zw\u200b"}
    assert sandbox.library_version(LIBRARY) > 0


def test_a_corrected_name_in_a_padded_export_is_applied_not_taken_for_a_user_edit(
    sandbox: Any, tmp_path: Path
) -> None:
    export = tmp_path / "padded.ris"
    export.write_text(PADDED_RIS, encoding="utf-8")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, export)
        export.write_text(PADDED_RIS.replace("Jane\u200b", "Janet\u200b"), encoding="utf-8")
        corrected = sync_file(session, export)
        again = sync_file(session, export)
    assert corrected.counts()["updated"] == 1
    assert corrected.counts()["conflicts"] == 0
    (item,) = regular_items(sandbox)
    assert item["creators"][0] == {"creatorType": "author", "firstName": "Janet", "lastName": "Doe"}
    assert again.counts()["unchanged"] == 1
