"""A linked record's DOI held by another work's item is said on every sync, the
re-sync of a settled record included: the search for such items is skipped only
when no other item holds any of the record's identifiers."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text, ris_record

import syncd.core.plan as plan_module
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Action, Incoming, Link, Options, make_plan, settled_mark
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
KEY = "AAAAAAAA"
OTHER = "ERRATUM1"
DOI = "10.1000/shared"
TEXT = ris_record("An article", doi=DOI, eid="2-s2.0-1111111")


def _settled() -> tuple[Incoming, dict[str, Any], dict[str, Link]]:
    """The record, the item syncd made of it, and its links with the settled mark."""
    (record,) = convert_text(TEXT)
    inc = Incoming(record)
    (created,) = make_plan([inc], LibraryIndex(), {}, SCHEMA).actions
    item: dict[str, Any] = {**created.payload, "key": KEY}
    mark = settled_mark(inc, plan_module.export_item(inc), 5, Options(), SCHEMA)
    link = Link(KEY, dict(created.new_base), settled=mark)
    return inc, item, dict.fromkeys(created.identities, link)


def _plan(inc: Incoming, links: dict[str, Link], *items: tuple[str, dict[str, Any]]) -> Action:
    index = LibraryIndex.build(
        MirrorItem(key, 5, str(data["itemType"]), False, data) for key, data in items
    )
    (action,) = make_plan([inc], index, links, SCHEMA).actions
    return action


def _erratum(doi: str, title: str) -> dict[str, Any]:
    (record,) = convert_text(ris_record(title, doi=doi, eid="2-s2.0-2222222"))
    return {**record.item, "key": OTHER}


def test_a_settled_record_alone_with_its_item_shares_nothing() -> None:
    inc, item, links = _settled()
    action = _plan(inc, links, (KEY, item))
    assert (action.kind, action.reason) == ("unchanged", "")
    assert "doi:" + DOI in action.identities


def test_a_settled_record_says_it_shares_its_doi_once_another_work_holds_it() -> None:
    inc, item, links = _settled()
    action = _plan(inc, links, (KEY, item), (OTHER, _erratum(DOI, "Erratum: An article")))
    assert action.kind == "unchanged"
    assert f"shares DOI with {OTHER}" in action.reason
    assert "doi:" + DOI not in action.identities


def test_a_doi_held_with_a_doubled_slash_by_another_work_is_said_too() -> None:
    inc, item, links = _settled()
    doubled = _erratum("10.1000//shared", "An article")
    action = _plan(inc, links, (KEY, item), (OTHER, doubled))
    assert action.kind == "unchanged"
    assert f"shares DOI with {OTHER}" in action.reason
