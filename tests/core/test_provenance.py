"""Provenance: each row of the decision table (syncd/core/provenance.py), the quality
rules, sources, note slots and reading an older syncd's base."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.core.merge import MergeResult, SyncPolicy, base_of, created_base, merge_item
from syncd.core.provenance import LEGACY, Provenance, note_slot, upgrades
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
SCOPUS = "scopus:2-s2.0-1"
PUBMED = "pubmed:1"


def art(**fields: Any) -> dict[str, Any]:
    return {"itemType": "journalArticle", **fields}


def sync(
    export: dict[str, Any],
    current: dict[str, Any],
    base: dict[str, Any] | None,
    source: str,
    policy: SyncPolicy = SyncPolicy.MERGE,
) -> MergeResult:
    return merge_item(export, current, base, policy=policy, schema=SCHEMA, source=source)


def apply(current: dict[str, Any], result: MergeResult) -> dict[str, Any]:
    return {**current, **result.changes}


def test_row_2_agreeing_sources_leave_the_field_with_its_first_writer() -> None:
    base = created_base(art(pages="1-9"), SCOPUS)
    result = sync(art(pages="1-9"), art(pages="1-9"), base, PUBMED)
    assert result.changes == {}
    assert Provenance.parse(result.new_base).owner("pages") == SCOPUS


def test_row_3_an_empty_field_is_filled_and_owned_by_the_source_that_filled_it() -> None:
    result = sync(art(volume="7"), art(volume=""), created_base(art(), SCOPUS), PUBMED)
    assert result.changes == {"volume": "7"}
    assert result.sources == {"volume": PUBMED}
    assert Provenance.parse(result.new_base).owner("volume") == PUBMED


def test_row_4_a_field_the_user_emptied_is_never_filled_again() -> None:
    export = art(abstractNote="An abstract.", url="https://x.org/1", DOI="10.1/wrong")
    base = created_base(export, SCOPUS)
    emptied = art(abstractNote="", url="", DOI="")
    for source in (SCOPUS, PUBMED):
        result = sync(export, emptied, base, source)
        assert result.changes == {}
        assert {k.field for k in result.kept} == {"abstractNote", "url", "DOI"}
        assert all("emptied" in k.why for k in result.kept)
        base = result.new_base


def test_row_5_a_user_edit_is_kept_and_is_a_conflict_only_when_its_source_changed() -> None:
    base = created_base(art(pages="1-9"), SCOPUS)
    edited = art(pages="e12")
    same = sync(art(pages="1-9"), edited, base, SCOPUS)
    assert (same.changes, same.conflicts) == ({}, ())
    assert same.kept[0].why.startswith("changed in Zotero")
    other = sync(art(pages="1-10"), edited, base, PUBMED)
    assert (other.changes, other.conflicts) == ({}, ())
    changed = sync(art(pages="1-10"), edited, base, SCOPUS)
    assert changed.changes == {}
    assert [(c.field, c.zotero_value, c.export_value) for c in changed.conflicts] == [
        ("pages", "e12", "1-10")
    ]
    # Reported once: the same export again is no news.
    again = sync(art(pages="1-10"), edited, changed.new_base, SCOPUS)
    assert again.conflicts == ()


def test_row_6_a_field_follows_changes_of_the_source_that_wrote_it() -> None:
    base = created_base(art(pages="1-9"), SCOPUS)
    result = sync(art(pages="1-10"), art(pages="1-9"), base, SCOPUS)
    assert result.changes == {"pages": "1-10"}


def test_row_7_a_better_spelling_from_another_source_replaces_once_never_back() -> None:
    initials = [{"creatorType": "author", "lastName": "Smith", "firstName": "P."}]
    full = [{"creatorType": "author", "lastName": "Smith", "firstName": "Paul"}]
    scopus = art(creators=initials, date="2021", title="A STUDY OF GAMBLING")
    pubmed = art(creators=full, date="2021-06-15", title="A study of gambling")
    base = created_base(scopus, SCOPUS)
    item = dict(scopus)
    first = sync(pubmed, item, base, PUBMED)
    assert set(first.changes) == {"creators", "date", "title"}
    item, base = apply(item, first), first.new_base
    for source, export in [(SCOPUS, scopus), (PUBMED, pubmed), (SCOPUS, scopus)]:
        result = sync(export, item, base, source)
        assert (result.changes, result.conflicts) == ({}, ())
        base = result.new_base


def test_row_8_another_sources_different_value_is_not_a_change() -> None:
    scopus = art(publicationTitle="Journal of Gambling Studies", pages="1-9")
    pubmed = art(publicationTitle="Journal of gambling studies", pages="1-10")
    base = created_base(scopus, SCOPUS)
    result = sync(pubmed, dict(scopus), base, PUBMED)
    assert (result.changes, result.conflicts, result.kept) == ({}, (), ())


def test_a_final_period_is_no_difference_in_a_title() -> None:
    base = created_base(art(title="A title."), SCOPUS)
    assert sync(art(title="A title"), art(title="A title."), base, SCOPUS).changes == {}


@pytest.mark.parametrize(
    ("name", "new", "old"),
    [
        ("date", "2021-06", "2021"),
        ("date", "2021-06-15", "2021-06"),
        ("date", "June 15, 2021", "2021"),
        ("title", "A study of gambling", "A STUDY OF GAMBLING"),
        ("publicationTitle", "Journal of Gambling Studies", "journal of gambling studies"),
        ("title", "A long title about gambling: the sequel", "A long title about gambling..."),
        ("title", "A long title about gambling: the sequel", "A long title about gambling"),
    ],
)
def test_upgrades_go_one_way(name: str, new: str, old: str) -> None:
    assert upgrades(name, new, old)
    assert not upgrades(name, old, new)


@pytest.mark.parametrize(
    ("name", "new", "old"),
    [
        ("date", "2022-06", "2021"),
        ("title", "Journal of Gambling Studies", "Journal of gambling studies"),
        ("title", "A long title about gamblingX", "A long title about gambling"),
        ("volume", "12", "1"),
        ("pages", "1-10", "1"),
    ],
)
def test_other_differences_are_no_upgrade(name: str, new: str, old: str) -> None:
    assert not upgrades(name, new, old)


def test_given_names_upgrade_initials_of_the_same_people_only() -> None:
    def people(*names: tuple[str, str]) -> list[dict[str, str]]:
        return [{"creatorType": "author", "lastName": ln, "firstName": fn} for ln, fn in names]

    initials = people(("Smith", "P. J."), ("Doe", "J"))
    assert upgrades("creators", people(("Smith", "Paul James"), ("Doe", "Jane")), initials)
    assert upgrades("creators", people(("Smith", "Paul J."), ("Doe", "J")), initials)
    assert not upgrades("creators", initials, people(("Smith", "Paul James"), ("Doe", "Jane")))
    assert not upgrades("creators", people(("Smith", "Robert"), ("Doe", "Jane")), initials)
    assert not upgrades("creators", people(("Smith", "Paul James")), initials)


def test_removed_tags_collections_and_extra_lines_stay_removed_for_every_source() -> None:
    scopus = art(
        tags=[{"tag": "gambling"}],
        collections=["COLL0001"],
        extra="Scopus EID: 2-s2.0-1\n12 citations (Scopus) [2026-11-01]",
    )
    base = created_base(scopus, SCOPUS)
    removed = art(tags=[], collections=[], extra="Scopus EID: 2-s2.0-1")
    pubmed = art(tags=[{"tag": "gambling"}, {"tag": "Humans"}], collections=["COLL0001"])
    result = sync(pubmed, removed, base, PUBMED)
    assert result.changes == {"tags": [{"tag": "Humans"}]}
    again = sync(scopus, apply(removed, result), result.new_base, SCOPUS)
    assert again.changes == {}


def test_an_older_syncds_base_is_adopted_by_the_first_source_that_comes() -> None:
    legacy = base_of(art(pages="1-9", extra="Scopus EID: 2-s2.0-1"))
    prov = Provenance.parse(legacy)
    assert prov.owner("pages") == LEGACY
    result = sync(art(pages="1-10"), art(pages="1-9"), legacy, SCOPUS)
    assert result.changes == {"pages": "1-10"}
    assert Provenance.parse(result.new_base).owner("pages") == SCOPUS
    other = sync(art(pages="7"), art(pages="1-10"), result.new_base, PUBMED)
    assert other.changes == {}


def test_provenance_survives_its_json() -> None:
    base = created_base(art(pages="1-9", tags=[{"tag": "a"}], extra="PMID: 1"), SCOPUS, ["d1"])
    assert Provenance.parse(base).to_json() == base


def test_a_notes_slot_is_its_label_or_its_position() -> None:
    assert note_slot("wos:WOS:1", 0, "<p>Times Cited: 12</p>") == "wos:WOS:1|times cited"
    assert note_slot("wos:WOS:1", 0, "<p>Times Cited: 13</p>") == "wos:WOS:1|times cited"
    assert note_slot("generic", 2, "<p>Just a remark</p>") == "generic|#2"


def test_a_changed_note_replaces_the_one_syncd_wrote_unless_the_user_touched_it() -> None:
    from syncd.core.match import LibraryIndex, MirrorItem
    from syncd.core.plan import Link, note_digest, plan_notes
    from syncd.core.provenance import WrittenNote

    old, new = "<p>Status: under review</p>", "<p>Status: accepted</p>"
    slot = note_slot("generic", 0, old)
    link = Link("ITEMAAAA", {}, notes=(WrittenNote("NOTEAAAA", note_digest(old), slot),))

    def index(note: str | None) -> LibraryIndex:
        data = {"itemType": "note", "note": note, "parentItem": "ITEMAAAA"}
        return LibraryIndex.build([MirrorItem("NOTEAAAA", 3, "note", False, data)] if note else [])

    replaced = plan_notes([new], "generic", link, [], index(old), SyncPolicy.MERGE)
    assert [(u.key, u.html) for u in replaced.updates] == [("NOTEAAAA", new)]
    assert replaced.creates == ()
    for now in ("<p>Status: my own words</p>", None):  # edited, deleted
        kept = plan_notes([new], "generic", link, [], index(now), SyncPolicy.MERGE)
        assert (kept.updates, kept.creates) == ((), ())
    again = plan_notes([old], "generic", link, [], index(old), SyncPolicy.MERGE)
    assert (again.updates, again.creates) == ((), ())
    other = plan_notes(
        ["<p>Another remark</p>"], "pubmed:1", link, [], index(old), SyncPolicy.MERGE
    )
    assert other.creates == ("<p>Another remark</p>",)


def test_row_6_the_writing_source_never_brings_back_a_worse_spelling() -> None:
    # Two generic exports without record IDs share the source name "generic".
    base = created_base(art(title="Sleep and memory", date="2020-05-01"), "generic")
    worse = art(title="SLEEP AND MEMORY", date="2020")
    result = sync(worse, art(title="Sleep and memory", date="2020-05-01"), base, "generic")
    assert result.changes == {}
    fixed = sync(art(date="2020-05-02"), art(date="2020-05-01"), base, "generic")
    assert fixed.changes == {"date": "2020-05-02"}


def test_a_final_period_is_no_longer_title_and_all_caps_with_one_no_upgrade() -> None:
    mixed, caps = "Gambling and sleep in older adults", "GAMBLING AND SLEEP IN OLDER ADULTS."
    assert upgrades("title", mixed, caps)
    assert not upgrades("title", caps, mixed)
    assert not upgrades("title", mixed + ".", mixed)
