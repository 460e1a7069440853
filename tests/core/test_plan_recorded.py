"""The planner's ``recorded`` flag: an unchanged record whose link and base the state
database already holds needs no bookkeeping write."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text, ris_record

from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Action, Incoming, Link, make_plan
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
KEY = "AAAAAAAA"


def plan_of(text: str, links: dict[str, Link]) -> Action:
    (record,) = convert_text(text)
    first = make_plan([Incoming(record)], LibraryIndex(), {}, SCHEMA).actions[0]
    item: dict[str, Any] = {**first.payload, "key": KEY}
    index = LibraryIndex.build([MirrorItem(KEY, 5, str(item["itemType"]), False, item)])
    (action,) = make_plan([Incoming(record)], index, links, SCHEMA).actions
    return action


def links_after_create(text: str) -> dict[str, Link]:
    (record,) = convert_text(text)
    (created,) = make_plan([Incoming(record)], LibraryIndex(), {}, SCHEMA).actions
    link = Link(KEY, dict(created.new_base), confirmed=True)
    return {identity: link for identity in created.identities}


def test_unchanged_record_with_its_link_and_base_is_recorded() -> None:
    text = ris_record("A paper", doi="10.1000/a", eid="2-s2.0-123456789")
    action = plan_of(text, links_after_create(text))
    assert action.kind == "unchanged"
    assert action.recorded


def test_a_new_identity_is_not_recorded_yet() -> None:
    before = ris_record("A paper", doi="10.1000/a")
    after = ris_record("A paper", doi="10.1000/a", eid="2-s2.0-123456789")
    action = plan_of(after, links_after_create(before))
    assert action.key == KEY
    assert not action.recorded


def test_an_unconfirmed_or_different_base_is_not_recorded() -> None:
    text = ris_record("A paper", doi="10.1000/a")
    links = links_after_create(text)
    unconfirmed = {i: Link(KEY, dict(lk.base), confirmed=False) for i, lk in links.items()}
    stale = {i: Link(KEY, {**lk.base, "title": "Older title"}, True) for i, lk in links.items()}
    assert not plan_of(text, unconfirmed).recorded
    assert not plan_of(text, stale).recorded


def test_without_a_link_nothing_is_recorded() -> None:
    action = plan_of(ris_record("A paper", doi="10.1000/a"), {})
    assert action.key == KEY
    assert not action.recorded
