"""The settled mark: a record merged into an item with nothing found is not merged
again while the item's version, the record and the base stay as they were."""

from __future__ import annotations

from typing import Any

import pytest
from ris_helpers import convert_text, ris_record

import syncd.core.plan as plan_module
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Action, Incoming, Link, Options, make_plan, settled_mark
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
KEY = "AAAAAAAA"
TEXT = ris_record("A paper", doi="10.1000/a", eid="2-s2.0-123456789")


def _created() -> tuple[Incoming, Action, LibraryIndex]:
    (record,) = convert_text(TEXT)
    inc = Incoming(record)
    (created,) = make_plan([inc], LibraryIndex(), {}, SCHEMA).actions
    item: dict[str, Any] = {**created.payload, "key": KEY}
    index = LibraryIndex.build([MirrorItem(KEY, 5, str(item["itemType"]), False, item)])
    return inc, created, index


def _links(created: Action, settled: str | None) -> dict[str, Link]:
    link = Link(KEY, dict(created.new_base), settled=settled)
    return dict.fromkeys(created.identities, link)


def test_a_clean_merge_gives_the_mark_to_store() -> None:
    inc, created, index = _created()
    (action,) = make_plan([inc], index, _links(created, None), SCHEMA).actions
    assert action.kind == "unchanged"
    assert action.settled == settled_mark(inc, plan_module.export_item(inc), 5, Options(), SCHEMA)


def test_a_settled_record_is_not_merged_again(monkeypatch: pytest.MonkeyPatch) -> None:
    inc, created, index = _created()
    mark = settled_mark(inc, plan_module.export_item(inc), 5, Options(), SCHEMA)

    def no_merge(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("merged although settled")

    monkeypatch.setattr(plan_module, "merge_item", no_merge)
    (action,) = make_plan([inc], index, _links(created, mark), SCHEMA).actions
    assert action.kind == "unchanged"
    assert action.recorded
    assert action.settled is None  # stored already


def test_a_mark_of_another_item_version_is_not_trusted() -> None:
    inc, created, _ = _created()
    mark = settled_mark(inc, plan_module.export_item(inc), 4, Options(), SCHEMA)
    edited: dict[str, Any] = {**created.payload, "key": KEY, "title": "My title"}
    index = LibraryIndex.build([MirrorItem(KEY, 5, str(edited["itemType"]), False, edited)])
    (action,) = make_plan([inc], index, _links(created, mark), SCHEMA).actions
    assert [k.field for k in action.kept] == ["title"]


@pytest.mark.parametrize(
    "other",
    [
        {"policy": "fill-empty"},
        {"tags": ("inbox",)},
        {"notes": ("A note",)},
    ],
)
def test_the_mark_changes_with_policy_tags_and_notes(other: dict[str, Any]) -> None:
    inc, _, _ = _created()
    base = settled_mark(inc, plan_module.export_item(inc), 5, Options(), SCHEMA)
    options = Options(policy=other.get("policy", "merge"))
    changed = Incoming(
        inc.record.with_changes(notes=other.get("notes", inc.record.notes)),
        tags=other.get("tags", ()),
    )
    assert settled_mark(changed, plan_module.export_item(changed), 5, options, SCHEMA) != base
