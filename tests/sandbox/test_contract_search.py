"""Contract, issue 16 point 12: how ``q`` searches.

model/Items.inc.php, ``Items::search``: ``q`` goes through
``Zotero_Utilities::parseSearchString`` (model/Utilities.inc.php) into words and quoted
phrases, and *each* must match the title, a note's title, a creator's "first last" or
be the year of the date (``SUBSTR(IDD.value, 1, 4) = ?``). In /top mode the answer is
each match's top-level item.
"""

from __future__ import annotations

import uuid

from conftest import ApiTarget


def _hits(zotero_api: ApiTarget, q: str, suffix: str = "", **extra: str) -> set[str]:
    response = zotero_api.lib("GET", f"/items{suffix}", params={"q": q, "limit": 100, **extra})
    assert response.status_code == 200, response.text
    return {i["key"] for i in response.json()}


def test_each_word_may_match_a_different_part_of_the_item(zotero_api: ApiTarget) -> None:
    marker = uuid.uuid4().hex[:10]
    item = zotero_api.create(
        title=f"Wombat{marker} burrows",
        creators=[{"creatorType": "author", "firstName": "Ada", "lastName": f"Quill{marker}"}],
        date="1961-05-02",
    )
    key = item["key"]
    assert key in _hits(zotero_api, f"wombat{marker} quill{marker}")  # title + creator
    assert key in _hits(zotero_api, f"quill{marker} 1961")  # creator + year
    # Every word must match somewhere: a second word found nowhere excludes the item.
    assert key not in _hits(zotero_api, f"wombat{marker} absentword{marker}")


def test_a_quoted_phrase_is_one_word(zotero_api: ApiTarget) -> None:
    marker = uuid.uuid4().hex[:10]
    key = zotero_api.create(title=f"Alpha{marker} beta gamma")["key"]
    assert key in _hits(zotero_api, f'"alpha{marker} beta"')
    assert key not in _hits(zotero_api, f'"alpha{marker} gamma"')
    assert key in _hits(zotero_api, f"alpha{marker} gamma")


def test_a_year_must_equal_the_dates_year(zotero_api: ApiTarget) -> None:
    # `SUBSTR(IDD.value, 1, 4) = ?`: equality, not a substring.
    marker = uuid.uuid4().hex[:10]
    key = zotero_api.create(title=f"Dated{marker}", date="1961")["key"]
    assert key in _hits(zotero_api, f"dated{marker} 1961")
    assert key not in _hits(zotero_api, f"dated{marker} 196")


def test_top_with_q_returns_the_parent_of_a_matching_child_note(zotero_api: ApiTarget) -> None:
    # Items::search in /top mode: `COALESCE(ITL.topLevelItemID, I.itemID)`, and the
    # "/top?q=[child note title]" case named in its comment.
    marker = uuid.uuid4().hex[:10]
    parent = zotero_api.create(title="Plain parent title")
    note = zotero_api.create(
        itemType="note", note=f"<p>Annotated{marker} remarks</p>", parentItem=parent["key"]
    )
    assert _hits(zotero_api, f"annotated{marker}", "/top") == {parent["key"]}
    assert _hits(zotero_api, f"annotated{marker}") == {note["key"]}
