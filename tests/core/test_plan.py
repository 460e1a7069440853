"""The planner: one action per distinct record, from records, mirror and links."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ris_helpers import convert_text, ris_record

from syncd.core.links import record_identities
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.merge import SyncPolicy, base_of
from syncd.core.plan import Incoming, Link, Options, export_item, make_plan
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()


def incoming(text: str, **kw: Any) -> list[Incoming]:
    return [Incoming(r, **kw) for r in convert_text(text)]


def mirror(
    *items: tuple[str, dict[str, Any]], trashed: frozenset[str] = frozenset()
) -> LibraryIndex:
    return LibraryIndex.build(
        MirrorItem(key, 5, data["itemType"], key in trashed, data) for key, data in items
    )


def test_new_records_are_created_with_folder_collection_and_tags() -> None:
    recs = incoming(
        ris_record("A paper", doi="10.1000/a"), collections=("COLLAAAA",), tags=("alert",)
    )
    plan = make_plan(recs, mirror(), {}, SCHEMA)
    (action,) = plan.actions
    assert action.kind == "create"
    assert action.key is None
    assert action.payload["collections"] == ["COLLAAAA"]
    assert {"tag": "alert"} in action.payload["tags"]
    assert action.identities == ("doi:10.1000/a",)
    assert plan.counts()["create"] == 1


def test_repeated_records_collapse_later_wins_earlier_fills() -> None:
    first = ris_record("A paper", doi="10.1000/A", pages="1-9", extra_lines=("VL  - 7",))
    second = ris_record("A paper", doi="https://doi.org/10.1000/a", pages="1-10")
    recs = incoming(first + second)
    plan = make_plan(recs, mirror(), {}, SCHEMA)
    (action,) = plan.actions
    assert action.payload["pages"] == "1-10"
    assert action.payload["volume"] == "7"
    assert len(action.sources) == 2


def test_records_sharing_any_identifier_collapse_transitively() -> None:
    text = (
        ris_record("One", doi="10.1000/x")
        + ris_record("Two", doi="10.1000/x", eid="2-s2.0-123456789")
        + ris_record("Three", eid="2-s2.0-123456789")
    )
    assert len(make_plan(incoming(text), mirror(), {}, SCHEMA).actions) == 1


def test_linked_item_updates_when_zotero_still_has_the_base() -> None:
    (old,) = convert_text(ris_record("A paper", doi="10.1000/a", pages="1-9"))
    (new,) = incoming(ris_record("A paper", doi="10.1000/a", pages="1-10"))
    data = export_item(Incoming(old))
    links = {"doi:10.1000/a": Link("ITEMAAAA", base_of(data))}
    plan = make_plan([new], mirror(("ITEMAAAA", data)), links, SCHEMA)
    (action,) = plan.actions
    assert (action.kind, action.key, dict(action.payload)) == (
        "update",
        "ITEMAAAA",
        {"pages": "1-10"},
    )


def test_user_edit_survives_and_conflict_is_reported() -> None:
    (old,) = convert_text(ris_record("A paper", doi="10.1000/a", pages="1-9"))
    data = export_item(Incoming(old))
    links = {"doi:10.1000/a": Link("ITEMAAAA", base_of(data))}
    edited = {**data, "pages": "e123"}
    same = incoming(ris_record("A paper", doi="10.1000/a", pages="1-9"))
    assert (
        make_plan(same, mirror(("ITEMAAAA", edited)), links, SCHEMA).actions[0].kind == "unchanged"
    )
    changed = incoming(ris_record("A paper", doi="10.1000/a", pages="1-10"))
    action = make_plan(changed, mirror(("ITEMAAAA", edited)), links, SCHEMA).actions[0]
    assert action.kind == "conflict"
    assert (action.conflicts[0].zotero_value, action.conflicts[0].export_value) == ("e123", "1-10")
    assert "pages" not in action.payload


def test_item_deleted_by_user_is_not_created_again_unless_configured() -> None:
    recs = incoming(ris_record("A paper", doi="10.1000/a"))
    links = {"doi:10.1000/a": Link("GONEAAAA", {})}
    action = make_plan(recs, mirror(), links, SCHEMA).actions[0]
    assert (action.kind, action.key) == ("skipped", "GONEAAAA")
    assert "recreate_deleted" in action.reason
    again = make_plan(recs, mirror(), links, SCHEMA, Options(recreate_deleted=True)).actions[0]
    assert again.kind == "create" and again.key is None


def test_unconfirmed_create_is_resent_with_the_same_key() -> None:
    recs = incoming(ris_record("A paper", doi="10.1000/a"))
    links = {"doi:10.1000/a": Link("SENTAAAA", {}, confirmed=False)}
    action = make_plan(recs, mirror(), links, SCHEMA).actions[0]
    assert (action.kind, action.key) == ("create", "SENTAAAA")


def test_users_own_item_gets_empty_fields_and_identifiers_only() -> None:
    # As Zotero's own RIS import leaves it: EID in Loc. in Archive, no PMID, no Extra.
    mine = {
        "itemType": "journalArticle",
        "title": "My corrected title",
        "archiveLocation": "SCOPUS:84864948206",
        "pages": "",
        "extra": "",
    }
    text = (Path(__file__).parents[1] / "fixtures" / "seed_scopus_pure.ris").read_text("utf-8")
    action = make_plan(incoming(text), mirror(("MINEAAAA", mine)), {}, SCHEMA).actions[0]
    assert (action.kind, action.key, action.matched_by) == ("update", "MINEAAAA", "scopus_eid")
    assert "title" not in action.payload
    assert action.payload["PMID"] == "22829849"
    assert action.payload["pages"] == "273291"
    assert "Scopus EID: 2-s2.0-84864948206" in action.payload["extra"]


def test_trashed_and_ambiguous_matches_are_not_written() -> None:
    recs = incoming(ris_record("A paper", doi="10.1000/a"))
    trashed = mirror(
        ("TRASHAAA", {"itemType": "journalArticle", "DOI": "10.1000/a"}),
        trashed=frozenset({"TRASHAAA"}),
    )
    action = make_plan(recs, trashed, {}, SCHEMA).actions[0]
    assert (action.kind, action.trashed) == ("skipped", True)
    two = mirror(
        ("AAAAAAAA", {"itemType": "journalArticle", "DOI": "10.1000/a"}),
        ("BBBBBBBB", {"itemType": "journalArticle", "extra": "DOI: 10.1000/A"}),
    )
    action = make_plan(recs, two, {}, SCHEMA).actions[0]
    assert action.kind == "ambiguous"
    assert "AAAAAAAA" in action.reason and "BBBBBBBB" in action.reason


def test_never_update_policy_leaves_matched_items_alone() -> None:
    (old,) = convert_text(ris_record("A paper", doi="10.1000/a", pages="1-9"))
    data = export_item(Incoming(old))
    links = {"doi:10.1000/a": Link("ITEMAAAA", base_of(data))}
    recs = incoming(ris_record("A paper", doi="10.1000/a", pages="1-10"))
    plan = make_plan(
        recs, mirror(("ITEMAAAA", data)), links, SCHEMA, Options(policy=SyncPolicy.NEVER_UPDATE)
    )
    assert plan.actions[0].kind == "unchanged"


def test_identity_falls_back_to_the_work_key_without_identifiers() -> None:
    (rec,) = convert_text(ris_record("A paper without any identifier", pages="12-19"))
    (identity,) = record_identities(rec)
    assert identity == "work:a paper without any identifier|2020|doe|journal of tests||12|"


def test_same_title_year_author_but_different_works_are_not_collapsed() -> None:
    one = ris_record("Reply to the comments", pages="1-2")
    two = ris_record("Reply to the comments", pages="7-8")
    plan = make_plan(incoming(one + two), mirror(), {}, SCHEMA)
    assert [a.kind for a in plan.actions] == ["create", "create"]
    same = make_plan(incoming(one + one), mirror(), {}, SCHEMA)
    assert len(same.actions) == 1


def test_link_to_a_trashed_item_falls_back_to_the_live_item_with_the_identifiers() -> None:
    # The user merged duplicates in Zotero: syncd's item went to the trash.
    recs = incoming(ris_record("A paper", doi="10.1000/a", pages="1-9"))
    data = {"itemType": "journalArticle", "DOI": "10.1000/a", "title": "A paper"}
    index = mirror(("OLDAAAAA", data), ("LIVEAAAA", dict(data)), trashed=frozenset({"OLDAAAAA"}))
    links = {"doi:10.1000/a": Link("OLDAAAAA", base_of(data))}
    action = make_plan(recs, index, links, SCHEMA).actions[0]
    assert (action.kind, action.key) == ("update", "LIVEAAAA")
    # Not syncd's item: empty fields are filled, nothing is overwritten.
    assert action.payload["pages"] == "1-9"
    assert "title" not in action.payload


def test_deleted_item_message_says_whether_syncd_made_it() -> None:
    recs = incoming(ris_record("A paper", doi="10.1000/a"))
    mine = {"doi:10.1000/a": Link("GONEAAAA", {}, created_by_syncd=False)}
    action = make_plan(recs, mirror(), mine, SCHEMA).actions[0]
    assert action.kind == "skipped" and "syncd updated this item" in action.reason


def test_fields_the_library_items_type_lacks_are_named() -> None:
    # The library holds a book; the record says journal article.
    book = {"itemType": "book", "title": "A paper", "DOI": "10.1000/a"}
    recs = incoming(ris_record("A paper", doi="10.1000/a", pages="1-9"))
    action = make_plan(recs, mirror(("BOOKAAAA", book)), {}, SCHEMA).actions[0]
    assert action.key == "BOOKAAAA"
    assert "publicationTitle" in action.reason and "a book has no field for" in action.reason
