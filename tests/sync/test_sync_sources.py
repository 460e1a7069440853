"""Several sources, one library (issue 14, findings 1-4), against the sandbox.

The exports are tests/corpus/sources/ (one search as Scopus, PubMed and Web of
Science export it; see make_sources.py there) and small generic files.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from conftest import TEST_KEY
from sync_helpers import LIBRARY, doi_counts, regular_items, session_for, sync_file, write_export

from syncd.sync.outcome import SyncReport
from syncd.sync.session import SyncInput, SyncSession

SOURCES = Path(__file__).resolve().parents[1] / "corpus" / "sources"
SCOPUS = SOURCES / "scopus-search.ris"
PUBMED = SOURCES / "pubmed-search.ris"
WOS = SOURCES / "wos-search.ris"


def writes(sandbox: Any) -> int:
    return int(sandbox.count(kind="write"))


def sync_counting(
    sandbox: Any, session: SyncSession, path: Path, **kw: Any
) -> tuple[int, SyncReport]:
    sandbox.clear_log()
    report = sync_file(session, path, **kw)
    assert report.counts()["failed"] == 0
    return writes(sandbox), report


def notes_of(sandbox: Any, parent: str) -> list[str]:
    return [
        str(i["note"])
        for i in sandbox.all_items(LIBRARY)
        if i.get("itemType") == "note" and i.get("parentItem") == parent
    ]


def by_doi(sandbox: Any) -> dict[str, dict[str, Any]]:
    return {str(i.get("DOI")): i for i in regular_items(sandbox) if i.get("DOI")}


# -- finding 1: churn between sources -------------------------------------------


def test_alternating_scopus_and_pubmed_exports_write_nothing_from_the_third_sync_on(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        _, report = sync_counting(sandbox, session, SCOPUS)
        assert report.counts()["created"] == 20
        second, report = sync_counting(sandbox, session, PUBMED)
        assert second > 0  # PubMed's full names, dates and PMCIDs are taken once
        assert report.counts()["created"] == 0
        for path in (SCOPUS, PUBMED, SCOPUS, PUBMED):
            count, report = sync_counting(sandbox, session, path)
            assert (count, report.counts()["updated"], report.counts()["conflicts"]) == (0, 0, 0)
    assert len(regular_items(sandbox)) == 20
    assert all(n == 1 for n in doi_counts(sandbox).values())


def test_the_better_spelling_of_either_source_is_kept_whichever_came_first(
    sandbox: Any, tmp_path: Path
) -> None:
    for order in ((SCOPUS, PUBMED), (PUBMED, SCOPUS)):
        state = tmp_path / f"{order[0].stem}.sqlite"
        for item in regular_items(sandbox):
            sandbox.user_delete(LIBRARY, item["key"])
        with session_for(sandbox, state, TEST_KEY) as session:
            for path in order:
                sync_file(session, path)
        item = by_doi(sandbox)["10.1007/s10899-000-0000-x"]
        assert [c["firstName"] for c in item["creators"]] == ["Paul James", "Keiko"]
        assert item["date"] == "2015-01"


def test_a_third_source_reports_no_conflict_on_values_syncd_wrote(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, SCOPUS)
        sync_file(session, PUBMED)
        _, report = sync_counting(sandbox, session, WOS)
        assert report.counts()["conflicts"] == 0
        for path in (SCOPUS, PUBMED, WOS):
            count, report = sync_counting(sandbox, session, path)
            assert (count, report.counts()["conflicts"]) == (0, 0)


def test_a_user_edit_between_sources_is_the_only_conflict(sandbox: Any, tmp_path: Path) -> None:
    corrected = tmp_path / "scopus-corrected.ris"
    text = SCOPUS.read_text("utf-8").replace("SP  - 100\nEP  - 109", "SP  - 100\nEP  - 119")
    corrected.write_text(text, "utf-8")
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, SCOPUS)
        sync_file(session, PUBMED)
        key = by_doi(sandbox)["10.1007/s10899-000-0000-x"]["key"]
        sandbox.user_edit(LIBRARY, key, {"pages": "e100"})
        _, report = sync_counting(sandbox, session, corrected)
    (conflict,) = [c for o in report.outcomes for c in o.conflicts]
    assert (conflict.field, conflict.zotero_value, conflict.export_value) == (
        "pages",
        "e100",
        "100-119",
    )
    assert by_doi(sandbox)["10.1007/s10899-000-0000-x"]["pages"] == "e100"


# -- finding 2: a field the user emptied ----------------------------------------


def test_fields_the_user_emptied_stay_empty_whichever_source_syncs(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, SCOPUS)
        key = by_doi(sandbox)["10.1007/s10899-001-0001-x"]["key"]
        sandbox.user_edit(LIBRARY, key, {"abstractNote": "", "url": "", "DOI": ""})
        for path in (SCOPUS, PUBMED, SCOPUS):
            sync_file(session, path)
            item = sandbox.get_item(LIBRARY, key)
            assert (item["abstractNote"], item["url"], item["DOI"]) == ("", "", "")
    assert len(regular_items(sandbox)) == 20


# -- finding 3: removals --------------------------------------------------------


def test_removed_tag_extra_line_and_collection_stay_removed_after_another_source(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, SCOPUS, collection="Gambling")
        item = by_doi(sandbox)["10.1007/s10899-000-0000-x"]
        extra = [ln for ln in item["extra"].splitlines() if "citations (Scopus)" not in ln]
        assert extra != item["extra"].splitlines()
        sandbox.user_edit(
            LIBRARY, item["key"], {"tags": [], "collections": [], "extra": "\n".join(extra)}
        )
        for path in (SCOPUS, PUBMED, SCOPUS):
            sync_file(session, path, collection="Gambling")
            now = sandbox.get_item(LIBRARY, item["key"])
            assert "gambling" not in {t["tag"] for t in now["tags"]}
            assert now["collections"] == []
            assert "citations (Scopus)" not in now["extra"]


# -- finding 4: notes -----------------------------------------------------------


def note_export(path: Path, status: str, n: int = 3) -> Path:
    records = [
        {"title": f"Work {i} with a note", "doi": f"10.5555/n{i}", "notes": (f"Status: {status}",)}
        for i in range(n)
    ]
    return write_export(path, records)


def test_a_changed_note_replaces_the_one_syncd_wrote_and_is_never_added_twice(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, note_export(tmp_path / "a.ris", "under review"))
        sync_file(session, note_export(tmp_path / "b.ris", "accepted"))
        sync_file(session, note_export(tmp_path / "c.ris", "published"))
        count, _ = sync_counting(sandbox, session, tmp_path / "c.ris")
        assert count == 0
    notes = [i for i in sandbox.all_items(LIBRARY) if i.get("itemType") == "note"]
    assert sorted(n["note"] for n in notes) == ["<p>Status: published</p>"] * 3


def test_a_note_the_user_edited_or_deleted_is_not_replaced_nor_added_again(
    sandbox: Any, tmp_path: Path
) -> None:
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, note_export(tmp_path / "a.ris", "under review", n=2))
        notes = {
            n["parentItem"]: n for n in sandbox.all_items(LIBRARY) if n.get("itemType") == "note"
        }
        (edited, deleted) = sorted(notes)
        sandbox.user_edit(LIBRARY, notes[edited]["key"], {"note": "<p>Status: my words</p>"})
        sandbox.user_delete(LIBRARY, notes[deleted]["key"])
        sync_file(session, note_export(tmp_path / "b.ris", "accepted", n=2))
    assert notes_of(sandbox, edited) == ["<p>Status: my words</p>"]
    assert notes_of(sandbox, deleted) == []


def test_a_note_the_user_deleted_is_not_added_again_by_another_source(
    sandbox: Any, tmp_path: Path
) -> None:
    first = note_export(tmp_path / "a.ris", "under review", n=1)
    other = tmp_path / "psycinfo.ris"
    other.write_text(first.read_text("utf-8").replace("ER  - ", "DB  - APA PsycInfo\nER  - "))
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, first)
        (note,) = [n for n in sandbox.all_items(LIBRARY) if n.get("itemType") == "note"]
        sandbox.user_delete(LIBRARY, note["key"])
        report = sync_file(session, other)
    assert [o.kind for o in report.outcomes] == ["updated"]  # its database's name, filled
    assert notes_of(sandbox, note["parentItem"]) == []


def test_wos_times_cited_do_not_pile_up_as_notes(sandbox: Any, tmp_path: Path) -> None:
    later = tmp_path / "wos-later.ris"
    later.write_text(
        WOS.read_text("utf-8").replace("Core Collection:  1\n", "Core Collection:  5\n"), "utf-8"
    )
    copy = tmp_path / "wos.ris"
    shutil.copy(WOS, copy)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, copy)
        sync_file(session, later)
    for item in regular_items(sandbox):
        assert len(notes_of(sandbox, item["key"])) <= 1
    first = by_doi(sandbox)["10.1007/s10899-000-0000-x"]
    said = " ".join([first.get("extra", ""), *notes_of(sandbox, first["key"])])
    assert "5" in said and ":  1<" not in said and "1 citations" not in said


# -- syncd plan -----------------------------------------------------------------


def test_plan_shows_zotero_value_new_value_and_source_and_why_fields_are_kept(
    sandbox: Any, tmp_path: Path
) -> None:
    from syncd.sync.outcome import SyncReport
    from syncd.sync.render import plan_json, plan_lines
    from syncd.sync.session import SyncInput

    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, SCOPUS)
        key = by_doi(sandbox)["10.1007/s10899-000-0000-x"]["key"]
        sandbox.user_edit(LIBRARY, key, {"abstractNote": "", "publicationTitle": "J Gambl"})
        plan, _ = session.plan([SyncInput(PUBMED)])
    (action,) = [a for a in plan.actions if a.key == key]
    (shown,) = [a for a in plan_json(plan, SyncReport())["actions"] if a["key"] == key]
    changes = {c["field"]: c for c in shown["changes"]}
    assert changes["date"] == {
        "field": "date",
        "zotero": "2015",
        "new": "2015-01",
        "source": "pubmed:30000000",
    }
    kept = {k.field: k.why for k in action.kept}
    assert "emptied in Zotero" in kept["abstractNote"]
    assert "changed in Zotero" in kept["publicationTitle"]
    lines = "\n".join(plan_lines(plan))
    assert "    date: 2015 -> 2015-01  [pubmed:30000000]" in lines
    assert "kept abstractNote: '' (emptied in Zotero after syncd wrote it: the user's)" in lines


# -- several sources' files in one run ------------------------------------------

LOOT_PUBMED = [
    ("TY", "JOUR"),
    ("DB", "PubMed"),
    ("AU", "Nakamura, Keiko"),
    ("T1", "Effects of loot boxes on gambling in adults."),
    ("Y1", "2021/02/11"),
    ("JF", "Journal of gambling studies"),
    ("SP", "101-109"),
    ("AN", "31000001"),
]
LOOT_LENS = [
    ("TY", "JOUR"),
    ("AU", "Nakamura, Keiko"),
    ("TI", "Effects of loot boxes on gambling in adults"),
    ("PY", "2021"),
    ("JO", "Journal of Gambling Studies"),
    ("DO", "10.7777/g1"),
]
LOOT_SCOPUS = [
    ("TY", "JOUR"),
    ("AU", "Nakamura, K."),
    ("TI", "Effects of loot boxes on gambling in adults"),
    ("PY", "2021"),
    ("T2", "Journal of Gambling Studies"),
    ("SP", "101-109"),
    ("DO", "10.7777/g1"),
    ("C2", "31000001"),
    ("DB", "Scopus"),
    ("N1", "Export Date: 05 January 2024; Cited By: 3"),
]


def ris_file(path: Path, *tags: tuple[str, str]) -> Path:
    path.write_text("\n".join(f"{t}  - {v}" for t, v in tags) + "\nER  - \n", "utf-8")
    return path


def test_a_source_synced_beside_another_in_one_run_writes_nothing_when_synced_again_alone(
    sandbox: Any, tmp_path: Path
) -> None:
    """PubMed's record of the work has only the PMID, Lens's only the DOI: two items
    (by design, match_by_title is off). Scopus's has both, so it is ambiguous. Lens
    corrects its record and comes in one run with Scopus: the two records share the
    DOI, yet Lens's correction is written as Lens's own sync would write it, and
    Lens's next sync writes nothing."""
    pubmed = ris_file(tmp_path / "pubmed.ris", *LOOT_PUBMED)
    lens = ris_file(tmp_path / "lens.ris", *LOOT_LENS, ("N1", "Scholarly citations: 10"))
    corrected = ris_file(
        tmp_path / "lens-corrected.ris", *LOOT_LENS, ("N1", "Scholarly citations: 11")
    )
    scopus = ris_file(tmp_path / "scopus.ris", *LOOT_SCOPUS)
    with session_for(sandbox, tmp_path / "state.sqlite", TEST_KEY) as session:
        sync_file(session, pubmed)
        sync_file(session, lens)
        assert len(regular_items(sandbox)) == 2
        session.sync([SyncInput(corrected), SyncInput(scopus)])
        count, _ = sync_counting(sandbox, session, corrected)
    assert count == 0
