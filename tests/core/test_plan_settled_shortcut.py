"""A settled record is planned without the search for its item only when that search
could find nothing but its link's item: the plan is the one the search gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from ris_helpers import convert_text, ris_record

import syncd.core.plan as plan_module
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.plan import Incoming, Link, Options, Plan, make_plan, settled_mark
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
KEY, OTHER = "AAAAAAAA", "BBBBBBBB"
DOI, EID = "10.1000/a", "2-s2.0-123456789"

Scene = tuple[Incoming, LibraryIndex, dict[str, Link]]


def _item(record: Incoming, key: str, **changes: Any) -> MirrorItem:
    (created,) = make_plan([record], LibraryIndex(), {}, SCHEMA).actions
    data: dict[str, Any] = {**created.payload, "key": key, **changes}
    return MirrorItem(key, 5, str(data["itemType"]), bool(data.get("deleted")), data)


def _scene(*, text: str | None = None, others: tuple[MirrorItem, ...] = (), **item: Any) -> Scene:
    """A record synced before into KEY at version 5, its merge settled there."""
    (record,) = convert_text(text or ris_record("A paper", doi=DOI, eid=EID))
    inc = Incoming(record)
    (created,) = make_plan([inc], LibraryIndex(), {}, SCHEMA).actions
    index = LibraryIndex.build([_item(inc, KEY, **item), *others])
    mark = settled_mark(inc, plan_module.export_item(inc), 5, Options(), SCHEMA)
    link = Link(KEY, dict(created.new_base), settled=mark)
    return inc, index, dict.fromkeys(created.identities, link)


def _both_ways(scene: Scene, monkeypatch: pytest.MonkeyPatch) -> tuple[Plan, Plan, int]:
    """The plan with the shortcut, the plan without it, and how often it was taken."""
    inc, index, links = scene
    taken = 0
    shortcut: Callable[..., Any] = plan_module._still_settled

    def counted(*args: Any) -> Any:
        nonlocal taken
        action = shortcut(*args)
        taken += action is not None
        return action

    monkeypatch.setattr(plan_module, "_still_settled", counted)
    quick = make_plan([inc], index, links, SCHEMA)
    monkeypatch.setattr(plan_module, "_still_settled", lambda *args: None)
    searched = make_plan([inc], index, links, SCHEMA)
    return quick, searched, taken


def test_a_settled_record_alone_with_its_item_takes_the_shortcut_to_the_same_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    quick, searched, taken = _both_ways(_scene(), monkeypatch)
    assert taken == 1
    assert quick == searched
    assert [a.kind for a in quick.actions] == ["unchanged"]


def _doi_holder() -> MirrorItem:
    (other,) = convert_text(ris_record("Another copy", doi=DOI))
    return _item(Incoming(other), OTHER)


def _unlinked(scene: Scene) -> Scene:
    inc, index, links = scene
    return inc, index, {i: link for i, link in links.items() if not i.startswith("doi:")}


def _unconfirmed(scene: Scene) -> Scene:
    inc, index, links = scene
    return inc, index, {i: replace(link, confirmed=False) for i, link in links.items()}


def _merged_away(scene: Scene) -> Scene:
    inc, index, links = scene
    master = _item(
        inc, OTHER, relations={"dc:replaces": [f"http://zotero.org/users/1/items/{KEY}"]}
    )
    return inc, LibraryIndex.build([*index.items.values(), master]), links


@pytest.mark.parametrize(
    "scene",
    [
        pytest.param(lambda: _scene(others=(_doi_holder(),)), id="another-item-holds-its-doi"),
        pytest.param(lambda: _scene(deleted=1), id="its-item-is-in-the-trash"),
        pytest.param(lambda: _merged_away(_scene()), id="its-item-was-merged-away"),
        pytest.param(lambda: _scene(extra=f"Scopus EID: {EID}9"), id="its-item-is-another-work"),
        pytest.param(lambda: _unlinked(_scene()), id="an-identifier-not-linked-yet"),
        pytest.param(lambda: _unconfirmed(_scene()), id="its-create-unconfirmed"),
        pytest.param(
            lambda: _scene(text=ris_record("A paper without identifiers")), id="no-identifiers"
        ),
    ],
)
def test_a_record_the_search_could_send_elsewhere_is_searched_for(
    scene: Callable[[], Scene], monkeypatch: pytest.MonkeyPatch
) -> None:
    quick, searched, taken = _both_ways(scene(), monkeypatch)
    assert taken == 0
    assert quick == searched
