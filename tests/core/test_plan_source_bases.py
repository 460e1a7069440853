"""The merge base per source (syncd/core/bases.py): two exports of one work that
disagree on a detail never undo each other, and a base stored before per-source
bases still serves."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text, ris_record

from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Action, Incoming, Link, make_plan
from syncd.ris.mapping import ConvertedRecord
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
KEY = "AAAAAAAA"
DOI = "10.1000/a"


def record(title: str, *, scopus: bool) -> ConvertedRecord:
    eid = "2-s2.0-123456789" if scopus else ""
    (converted,) = convert_text(ris_record(title, doi=DOI, eid=eid))
    return converted


def plan(rec: ConvertedRecord, item: dict[str, Any], base: dict[str, Any]) -> Action:
    index = LibraryIndex.build([MirrorItem(KEY, 5, str(item["itemType"]), False, item)])
    links = {f"doi:{DOI}": Link(KEY, base)}
    (action,) = make_plan([Incoming(rec)], index, links, SCHEMA).actions
    return action


def created(rec: ConvertedRecord) -> tuple[dict[str, Any], dict[str, Any]]:
    (action,) = make_plan([Incoming(rec)], LibraryIndex(), {}, SCHEMA).actions
    return {**action.payload, "key": KEY}, dict(action.new_base)


def test_a_second_source_only_fills_what_is_empty() -> None:
    first = record("A paper.", scopus=False)
    item, base = created(first)
    action = plan(record("A paper", scopus=True), item, base)
    assert action.kind == "update"
    assert "title" not in action.payload
    assert "Scopus EID: 2-s2.0-123456789" in action.payload["extra"]


def test_each_source_again_is_unchanged_after_the_other() -> None:
    first, second = record("A paper.", scopus=False), record("A paper", scopus=True)
    item, base = created(first)
    update = plan(second, item, base)
    item = {**item, **update.payload}
    assert plan(first, item, dict(update.new_base)).kind == "unchanged"
    assert plan(second, item, dict(update.new_base)).kind == "unchanged"


def test_a_source_that_changed_its_value_updates_a_field_nobody_edited() -> None:
    first = record("A paper.", scopus=False)
    item, base = created(first)
    action = plan(record("A paper, corrected.", scopus=False), item, base)
    assert action.payload["title"] == "A paper, corrected."


def test_a_base_stored_before_per_source_bases_serves_the_next_source() -> None:
    first = record("A paper.", scopus=False)
    item, base = created(first)
    (legacy,) = base["_sources"].values()
    legacy_base = {**legacy, "_notes": base["_notes"]}
    action = plan(record("A paper", scopus=True), item, legacy_base)
    assert action.payload["title"] == "A paper"  # as before: the export's new value
    assert set(action.new_base["_sources"]) == {"scopus"}
