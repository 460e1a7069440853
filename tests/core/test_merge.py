"""Three-way merge: every rule of the module docstring, and each policy."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.core.merge import MergeResult, SyncPolicy, base_of, merge_item
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()


def art(**fields: Any) -> dict[str, Any]:
    return {"itemType": "journalArticle", **fields}


def merge(
    export: dict[str, Any],
    current: dict[str, Any],
    base: dict[str, Any] | None,
    policy: SyncPolicy = SyncPolicy.MERGE,
) -> MergeResult:
    return merge_item(export, current, base, policy=policy, schema=SCHEMA)


@pytest.mark.parametrize(
    ("export", "current", "base_item", "changes", "conflict_fields"),
    [
        # Zotero still has the base value: the export's new value wins.
        (art(pages="1-10"), art(pages="1-9"), art(pages="1-9"), {"pages": "1-10"}, []),
        # The export did not change it: the user's edit stays.
        (art(pages="1-9"), art(pages="100-109"), art(pages="1-9"), {}, []),
        # Both changed: the user's value stays, a conflict is reported.
        (art(pages="1-10"), art(pages="100-109"), art(pages="1-9"), {}, ["pages"]),
        # Empty fields are filled, with or without a base.
        (art(volume="12"), art(volume=""), art(), {"volume": "12"}, []),
        (art(volume="12"), art(), None, {"volume": "12"}, []),
        # No base (the user's own item): nothing is overwritten.
        (art(title="Export title"), art(title="My title"), None, {}, []),
        # Same value, whitespace aside: nothing to do.
        (art(title="A  title"), art(title="A title"), art(title="B"), {}, []),
    ],
)
def test_field_rules(
    export: dict[str, Any],
    current: dict[str, Any],
    base_item: dict[str, Any] | None,
    changes: dict[str, Any],
    conflict_fields: list[str],
) -> None:
    base = base_of(base_item) if base_item is not None else None
    result = merge(export, current, base)
    assert result.changes == changes
    assert [c.field for c in result.conflicts] == conflict_fields


def test_conflict_carries_both_values() -> None:
    result = merge(art(pages="1-10"), art(pages="100-109"), base_of(art(pages="1-9")))
    (conflict,) = result.conflicts
    assert (conflict.zotero_value, conflict.export_value, conflict.base_value) == (
        "100-109",
        "1-10",
        "1-9",
    )
    assert conflict.as_json()["zotero"] == "100-109"


def test_fields_not_in_the_export_and_notes_are_untouched() -> None:
    current = art(title="T", rights="mine", relations={"dc:relation": ["x"]}, deleted=1)
    result = merge(art(title="T"), current, base_of(art(title="T")))
    assert result.changes == {}


def test_tags_and_collections_only_added_never_readded_after_user_removal() -> None:
    export = art(tags=[{"tag": "a"}, {"tag": "b"}, {"tag": "c"}], collections=["COLL0001"])
    base = base_of(art(tags=[{"tag": "a"}, {"tag": "b"}], collections=["COLL0001"]))
    # The user removed "b" and the collection, and added "mine".
    current = art(tags=[{"tag": "a"}, {"tag": "mine"}], collections=[])
    result = merge(export, current, base)
    assert result.changes == {"tags": [{"tag": "a"}, {"tag": "mine"}, {"tag": "c"}]}


def test_extra_lines_merge_by_key() -> None:
    export = art(extra="Scopus EID: 2-s2.0-1\n12 citations (Scopus) [2026-11-01]")
    base = base_of(art(extra="Scopus EID: 2-s2.0-1\n10 citations (Scopus) [2026-10-01]"))
    current = art(
        extra="My own note line\nScopus EID: 2-s2.0-1\n10 citations (Scopus) [2026-10-01]"
    )
    result = merge(export, current, base)
    assert result.changes == {
        "extra": "My own note line\nScopus EID: 2-s2.0-1\n12 citations (Scopus) [2026-11-01]"
    }


def test_extra_identifier_lines_added_to_users_item_without_touching_their_lines() -> None:
    export = art(extra="Scopus EID: 2-s2.0-84864948206")
    current = art(extra="tex.ids: foo")
    result = merge(export, current, None)
    assert result.changes == {"extra": "tex.ids: foo\nScopus EID: 2-s2.0-84864948206"}


def test_extra_line_deleted_by_user_is_not_readded() -> None:
    export = art(extra="Scopus EID: 2-s2.0-1")
    result = merge(export, art(extra=""), base_of(export))
    assert result.changes == {}


def test_fill_empty_policy_never_replaces() -> None:
    result = merge(
        art(pages="1-10", volume="3"),
        art(pages="1-9"),
        base_of(art(pages="1-9")),
        SyncPolicy.FILL_EMPTY,
    )
    assert result.changes == {"volume": "3"}
    assert result.conflicts == ()


def test_never_update_policy_changes_nothing() -> None:
    result = merge(
        art(pages="1-10", volume="3"),
        art(pages="1-9"),
        base_of(art(pages="1-9")),
        SyncPolicy.NEVER_UPDATE,
    )
    assert result.changes == {}


def test_fields_invalid_for_the_items_type_are_skipped_and_base_fields_resolved() -> None:
    # The library holds a book; the export says journal article.
    export = art(publicationTitle="Journal", issue="3", title="T")
    current = {"itemType": "book", "title": ""}
    result = merge(export, current, None)
    assert result.changes == {"title": "T"}
    assert set(result.skipped_fields) == {"publicationTitle", "issue"}
    # A base field resolves to the type-specific one (title -> caseName).
    case = merge(art(title="Roe v. Wade"), {"itemType": "case", "caseName": ""}, None)
    assert case.changes == {"caseName": "Roe v. Wade"}


def test_creators_merge_as_one_field() -> None:
    a = [{"creatorType": "author", "lastName": "Wang", "firstName": "D."}]
    b = [{"creatorType": "author", "lastName": "Wang", "firstName": "Dandan"}]
    assert merge(art(creators=b), art(creators=a), base_of(art(creators=a))).changes == {
        "creators": b
    }
    assert merge(art(creators=b), art(creators=[]), None).changes == {"creators": b}
    assert merge(art(creators=b), art(creators=a), None).changes == {}


def test_citation_line_with_only_a_new_date_is_not_rewritten() -> None:
    old = art(extra="12 citations (Scopus) [2026-11-01]")
    new = art(extra="12 citations (Scopus) [2026-11-15]")
    assert merge(new, old, base_of(old)).changes == {}
    more = art(extra="13 citations (Scopus) [2026-11-15]")
    assert merge(more, old, base_of(old)).changes == {"extra": "13 citations (Scopus) [2026-11-15]"}


def test_creator_roles_follow_the_library_items_type() -> None:
    export = {
        "itemType": "bookSection",
        "creators": [
            {"creatorType": "author", "lastName": "A", "firstName": "B"},
            {"creatorType": "bookAuthor", "lastName": "C", "firstName": "D"},
        ],
    }
    result = merge(export, {"itemType": "book", "creators": []}, None)
    assert [c["creatorType"] for c in result.changes["creators"]] == ["author", "author"]
