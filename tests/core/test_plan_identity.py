"""The planner's choice of item: collapsing, links through the identity checks,
corrections of records without identifiers, links an older syncd made."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text, ris_record

from syncd.core.links import legacy_identities, record_identities
from syncd.core.match import LibraryIndex, MirrorItem
from syncd.core.merge import base_of
from syncd.core.plan import (
    Incoming,
    Link,
    Options,
    export_item,
    make_plan,
)
from syncd.schema import bundled_schema

SCHEMA = bundled_schema()
DOI = "10.1000/shared"


def pubmed(pmid: str) -> tuple[str, ...]:
    return (f"UR  - https://pubmed.ncbi.nlm.nih.gov/{pmid}",)


def incoming(text: str) -> list[Incoming]:
    return [Incoming(r) for r in convert_text(text)]


def mirror(*items: tuple[str, dict[str, Any]]) -> LibraryIndex:
    return LibraryIndex.build(
        MirrorItem(key, 5, data["itemType"], False, data) for key, data in items
    )


def linked(text: str, key: str) -> tuple[dict[str, Any], dict[str, Link]]:
    """The item syncd made of ``text`` and its links, as the state database has them."""
    (rec,) = convert_text(text)
    data = export_item(Incoming(rec))
    link = Link(key, base_of(data))
    return data, dict.fromkeys(record_identities(rec), link)


def test_an_article_and_its_erratum_in_one_export_stay_two_records() -> None:
    text = ris_record("An article", doi=DOI, eid="2-s2.0-1111111") + ris_record(
        "Erratum: An article", doi=DOI, eid="2-s2.0-2222222"
    )
    plan = make_plan(incoming(text), mirror(), {}, SCHEMA)
    assert [a.kind for a in plan.actions] == ["create", "create"]


def test_doi_variants_collapse_only_with_the_same_title_and_year() -> None:
    one = ris_record("Self-esteem", doi="10.1037//0022-3514.83.3.606")
    same = ris_record("Self-Esteem.", doi="10.1037/0022-3514.83.3.606")
    other = ris_record("Something else", doi="10.1037/0022-3514.83.3.606")
    assert len(make_plan(incoming(one + same), mirror(), {}, SCHEMA).actions) == 1
    assert len(make_plan(incoming(one + other), mirror(), {}, SCHEMA).actions) == 2


def test_a_doi_link_to_another_works_item_is_not_followed_and_the_doi_not_linked() -> None:
    data, links = linked(ris_record("An article", doi=DOI, eid="2-s2.0-1111111"), "ARTICLE1")
    erratum = incoming(ris_record("Erratum: An article", doi=DOI, eid="2-s2.0-2222222"))
    (action,) = make_plan(erratum, mirror(("ARTICLE1", data)), links, SCHEMA).actions
    assert (action.kind, action.key) == ("create", None)
    assert "shares DOI with ARTICLE1" in action.reason
    assert action.identities == ("scopus_eid:2-s2.0-2222222",)


def test_a_linked_item_beside_another_item_holding_the_records_identifier_is_ambiguous() -> None:
    data, links = linked(ris_record("A paper", doi="10.1000/a"), "MINEAAAA")
    other = {"itemType": "journalArticle", "title": "A paper", "PMID": "424242"}
    both = incoming(ris_record("A paper", doi="10.1000/a", extra_lines=pubmed("424242")))
    (action,) = make_plan(
        both, mirror(("MINEAAAA", data), ("OTHERAAA", other)), links, SCHEMA
    ).actions
    assert (action.kind, action.candidates) == ("ambiguous", ("MINEAAAA", "OTHERAAA"))
    assert not action.payload


def test_identities_linked_to_two_live_items_are_ambiguous() -> None:
    a, links_a = linked(ris_record("A paper", extra_lines=pubmed("424242")), "PMIDAAAA")
    b, links_b = linked(ris_record("A paper", doi="10.1000/a"), "DOIBBBBB")
    both = incoming(ris_record("A paper", doi="10.1000/a", extra_lines=pubmed("424242")))
    index = mirror(("PMIDAAAA", a), ("DOIBBBBB", b))
    (action,) = make_plan(both, index, {**links_a, **links_b}, SCHEMA).actions
    assert (action.kind, action.candidates) == ("ambiguous", ("DOIBBBBB", "PMIDAAAA"))


def test_a_record_without_identifiers_follows_its_link_through_a_page_correction() -> None:
    data, links = linked(ris_record("Reply", pages="1"), "REPLYAAA")
    fixed = incoming(ris_record("Reply", pages="12"))
    (action,) = make_plan(fixed, mirror(("REPLYAAA", data)), links, SCHEMA).actions
    assert (action.kind, action.key, action.matched_by) == ("update", "REPLYAAA", "correction")
    assert action.payload["pages"] == "12"


def test_a_linked_record_present_in_the_same_run_is_not_corrected_by_another() -> None:
    data, links = linked(ris_record("Reply", pages="1"), "REPLYAAA")
    both = incoming(ris_record("Reply", pages="1") + ris_record("Reply", pages="12"))
    plan = make_plan(both, mirror(("REPLYAAA", data)), links, SCHEMA)
    assert [(a.kind, a.key) for a in plan.actions] == [("unchanged", "REPLYAAA"), ("create", None)]


def test_a_correction_that_fits_two_linked_records_is_ambiguous() -> None:
    a, links_a = linked(ris_record("Reply", pages="1"), "REPLYAAA")
    b, links_b = linked(ris_record("Reply", pages="5"), "REPLYBBB")
    index = mirror(("REPLYAAA", a), ("REPLYBBB", b))
    fixed = incoming(ris_record("Reply", pages="12"))
    (action,) = make_plan(fixed, index, {**links_a, **links_b}, SCHEMA).actions
    assert (action.kind, action.candidates) == ("ambiguous", ("REPLYAAA", "REPLYBBB"))


def test_two_records_of_one_run_correcting_one_item_are_both_held_back() -> None:
    data, links = linked(ris_record("Reply", pages="1"), "REPLYAAA")
    two = incoming(ris_record("Reply", pages="12") + ris_record("Reply", pages="13"))
    plan = make_plan(two, mirror(("REPLYAAA", data)), links, SCHEMA)
    assert [a.kind for a in plan.actions] == ["ambiguous", "ambiguous"]


def test_another_journal_is_another_work_not_a_correction() -> None:
    data, links = linked(ris_record("Introduction", journal="Isis"), "INTROAAA")
    other = incoming(ris_record("Introduction", journal="Osiris"))
    (action,) = make_plan(other, mirror(("INTROAAA", data)), links, SCHEMA).actions
    assert (action.kind, action.key) == ("create", None)


def test_a_link_an_older_syncd_made_is_followed_when_the_item_fits_the_record() -> None:
    text = ris_record("An introduction to the issue", journal="Isis", pages="3")
    (rec,) = convert_text(text)
    data = export_item(Incoming(rec))
    (old,) = legacy_identities(rec)
    assert old.startswith("fp:")
    links = {old: Link("INTROAAA", base_of(data))}
    same = make_plan(incoming(text), mirror(("INTROAAA", data)), links, SCHEMA).actions[0]
    assert (same.kind, same.key) == ("unchanged", "INTROAAA")
    elsewhere = incoming(ris_record("An introduction to the issue", journal="Osiris", pages="3"))
    other = make_plan(elsewhere, mirror(("INTROAAA", data)), links, SCHEMA).actions[0]
    assert (other.kind, other.key) == ("create", None)


def test_a_title_match_fills_the_item_only_under_the_opt_in() -> None:
    mine = {
        "itemType": "journalArticle",
        "title": "A randomised trial of sleep hygiene",
        "date": "2020",
        "creators": [{"creatorType": "author", "lastName": "Doe", "firstName": "Jane"}],
        "DOI": "10.5555/sleep",
    }
    recs = incoming(
        ris_record("A randomised trial of sleep hygiene", extra_lines=pubmed("33000001"))
    )
    off = make_plan(recs, mirror(("MINEAAAA", mine)), {}, SCHEMA).actions[0]
    assert off.kind == "create" and "possible duplicate of MINEAAAA" in off.reason
    on = make_plan(
        recs, mirror(("MINEAAAA", mine)), {}, SCHEMA, Options(match_by_title=True)
    ).actions[0]
    assert (on.kind, on.key, on.matched_by) == ("update", "MINEAAAA", "title")
    assert on.payload["PMID"] == "33000001"


def test_the_plan_names_possible_duplicates_and_an_ambiguous_records_candidates() -> None:
    from syncd.sync.render import action_json, plan_lines

    mine = {
        "itemType": "journalArticle",
        "title": "A randomised trial of sleep hygiene",
        "date": "2020",
        "creators": [{"creatorType": "author", "lastName": "Doe", "firstName": "Jane"}],
    }
    twin = incoming(ris_record("A randomised trial of sleep hygiene", doi="10.5555/sleep"))
    plan = make_plan(twin, mirror(("MINEAAAA", mine)), {}, SCHEMA)
    assert any("possible duplicate of MINEAAAA" in line for line in plan_lines(plan))
    a, links_a = linked(ris_record("A paper", extra_lines=pubmed("424242")), "PMIDAAAA")
    b, links_b = linked(ris_record("A paper", doi="10.1000/a"), "DOIBBBBB")
    both = incoming(ris_record("A paper", doi="10.1000/a", extra_lines=pubmed("424242")))
    index = mirror(("PMIDAAAA", a), ("DOIBBBBB", b))
    (action,) = make_plan(both, index, {**links_a, **links_b}, SCHEMA).actions
    assert action_json(action)["candidates"] == ["DOIBBBBB", "PMIDAAAA"]


def test_a_record_that_gained_a_doi_follows_the_link_of_its_work_key() -> None:
    data, links = linked(ris_record("Preface", pages="v"), "PREFACEA")
    with_doi = incoming(ris_record("Preface", pages="v", doi="10.5555/preface"))
    (action,) = make_plan(with_doi, mirror(("PREFACEA", data)), links, SCHEMA).actions
    assert (action.kind, action.key) == ("update", "PREFACEA")
    assert action.payload["DOI"] == "10.5555/preface"
    assert action.identities == ("doi:10.5555/preface",)


def test_a_work_key_link_is_not_followed_to_an_item_with_another_doi() -> None:
    data, links = linked(ris_record("Preface", pages="v", doi="10.5555/one"), "PREFACEA")
    links["work:preface|2020|doe|journal of tests||v|"] = links["doi:10.5555/one"]
    other = incoming(ris_record("Preface", pages="v", doi="10.5555/two"))
    (action,) = make_plan(other, mirror(("PREFACEA", data)), links, SCHEMA).actions
    assert (action.kind, action.key) == ("create", None)


def test_a_linked_item_already_holding_what_another_item_holds_is_still_written() -> None:
    # No write adds the DOI to a second item: it is on both already.
    data, links = linked(ris_record("A paper", doi="10.1000/a", pages="1"), "MINEAAAA")
    copy = {"itemType": "journalArticle", "title": "My copy", "DOI": "10.1000/a"}
    fixed = incoming(ris_record("A paper", doi="10.1000/a", pages="2"))
    index = mirror(("MINEAAAA", data), ("COPYAAAA", copy))
    (action,) = make_plan(fixed, index, links, SCHEMA).actions
    assert (action.kind, action.key, dict(action.payload)) == ("update", "MINEAAAA", {"pages": "2"})


def _merged_into(master: dict[str, Any], away: str) -> dict[str, Any]:
    return {**master, "relations": {"dc:replaces": [f"http://zotero.org/users/1/items/{away}"]}}


def test_a_link_to_a_merged_away_item_moves_to_its_master_filling_only_empty_fields() -> None:
    text = ris_record("A paper", pages="1-9", extra_lines=pubmed("424242"))
    data, links = linked(text, "OURSAAAA")
    master = _merged_into({"itemType": "journalArticle", "title": "A paper."}, "OURSAAAA")
    index = LibraryIndex.build(
        [
            MirrorItem("OURSAAAA", 5, "journalArticle", True, data),
            MirrorItem("MASTERAA", 6, "journalArticle", False, master),
        ]
    )
    (action,) = make_plan(incoming(text), index, links, SCHEMA).actions
    assert (action.kind, action.key, action.matched_by) == ("update", "MASTERAA", "dc:replaces")
    assert action.payload["PMID"] == "424242" and "title" not in action.payload


def test_a_master_whose_record_number_differs_is_another_work_not_followed() -> None:
    text = ris_record("A paper", extra_lines=pubmed("424242"))
    data, links = linked(text, "OURSAAAA")
    master = _merged_into(
        {"itemType": "journalArticle", "title": "A paper", "PMID": "515151"}, "OURSAAAA"
    )
    index = LibraryIndex.build(
        [
            MirrorItem("OURSAAAA", 5, "journalArticle", True, data),
            MirrorItem("MASTERAA", 6, "journalArticle", False, master),
        ]
    )
    (action,) = make_plan(incoming(text), index, links, SCHEMA).actions
    assert (action.kind, action.key) == ("skipped", "OURSAAAA")


def test_a_number_link_beats_a_doi_link_only_to_an_item_of_another_work() -> None:
    # PubMed's PMID-only record made PMIDAAAA, Lens's DOI-only record DOIBBBBB, whose
    # DOI the user then emptied. Scopus's record carries both: nothing says the two
    # items are two works (as an erratum's EID would), so the user decides.
    a, links_a = linked(ris_record("A paper", extra_lines=pubmed("424242")), "PMIDAAAA")
    b, links_b = linked(ris_record("A paper", doi="10.1000/a"), "DOIBBBBB")
    index = mirror(("PMIDAAAA", a), ("DOIBBBBB", {**b, "DOI": ""}))
    both = incoming(ris_record("A paper", doi="10.1000/a", extra_lines=pubmed("424242")))
    (action,) = make_plan(both, index, {**links_a, **links_b}, SCHEMA).actions
    assert (action.kind, action.candidates) == ("ambiguous", ("DOIBBBBB", "PMIDAAAA"))
