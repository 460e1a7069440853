"""Matching records to library items: a table of identifier sources and outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from syncd.core.match import LibraryIndex, MirrorItem, match_record
from syncd.identifiers import Identifiers


def item(
    key: str, item_type: str = "journalArticle", trashed: bool = False, **data: Any
) -> MirrorItem:
    return MirrorItem(key, 1, item_type, trashed, {"itemType": item_type, **data})


LIBRARY = LibraryIndex.build(
    [
        item("DOIFIELD", DOI="10.1155/2012/273291", title="Stem cells"),
        item("DOIEXTRA", extra="doi: 10.1000/ABC.Def\nOther: x"),
        item("DOIURL", url="https://doi.org/10.2000/url-form"),
        item("EIDARCH", archiveLocation="SCOPUS:84864948206"),
        item("EIDARC2", archiveLocation="2-s2.0-11111111111"),
        item("EIDEXTRA", extra="Scopus EID: 2-s2.0-22222222222"),
        item("EIDURL", url="http://www.scopus.com/inward/record.url?eid=2-s2.0-33333333333&x=1"),
        item("PMIDFLD", PMID="22829849"),
        item("PMIDEXT", "book", extra="PMID: 1234567"),
        item("PMIDURL", url="https://pubmed.ncbi.nlm.nih.gov/7654321/"),
        item("PMCIDFLD", PMCID="PMC1234567"),
        item("PMCIDEXT", "report", extra="PMCID: PMC7654321"),
        item("WOSARCH", archiveLocation="WOS:000301234500001"),
        item("WOSEXTR", extra="Web of Science ID: WOS:000309999900002"),
        item("BOOKISBN", "book", ISBN="978-0-306-40615-7"),
        item("CHAPISBN", "bookSection", ISBN="9780306406157"),
        item("TRASHED1", trashed=True, DOI="10.3000/trashed"),
        item("NOTE0001", "note", note="<p>10.4000/in-a-note</p>", extra="DOI: 10.4000/in-a-note"),
        item("DUPDOI01", DOI="10.5000/dup"),
        item("DUPDOI02", extra="DOI: 10.5000/DUP"),
        item("SPLITA01", DOI="10.6000/split"),
        item("SPLITB01", PMID="999999"),
        item(
            "TITLE001",
            title="A study of things in places",
            date="2019-03-01",
            creators=[{"creatorType": "author", "lastName": "Müller", "firstName": "A"}],
        ),
    ]
)

CASES = [
    # (name, record identifiers, record type, expected key, expected by, ambiguous)
    (
        "doi field, case-insensitive",
        Identifiers(doi="10.1155/2012/273291"),
        "journalArticle",
        "DOIFIELD",
        "doi",
        False,
    ),
    (
        "doi in extra, mixed case",
        Identifiers(doi="10.1000/abc.def"),
        "journalArticle",
        "DOIEXTRA",
        "doi",
        False,
    ),
    (
        "doi from a doi.org url",
        Identifiers(doi="10.2000/url-form"),
        "journalArticle",
        "DOIURL",
        "doi",
        False,
    ),
    (
        "eid in archiveLocation SCOPUS:",
        Identifiers(scopus_eid="2-s2.0-84864948206"),
        "journalArticle",
        "EIDARCH",
        "scopus_eid",
        False,
    ),
    (
        "eid in archiveLocation 2-s2.0",
        Identifiers(scopus_eid="2-s2.0-11111111111"),
        "journalArticle",
        "EIDARC2",
        "scopus_eid",
        False,
    ),
    (
        "eid in extra",
        Identifiers(scopus_eid="2-s2.0-22222222222"),
        "journalArticle",
        "EIDEXTRA",
        "scopus_eid",
        False,
    ),
    (
        "eid in a scopus url",
        Identifiers(scopus_eid="2-s2.0-33333333333"),
        "journalArticle",
        "EIDURL",
        "scopus_eid",
        False,
    ),
    ("pmid field", Identifiers(pmid="22829849"), "journalArticle", "PMIDFLD", "pmid", False),
    ("pmid in extra", Identifiers(pmid="1234567"), "journalArticle", "PMIDEXT", "pmid", False),
    (
        "pmid in a pubmed url",
        Identifiers(pmid="7654321"),
        "journalArticle",
        "PMIDURL",
        "pmid",
        False,
    ),
    ("pmcid field", Identifiers(pmcid="PMC1234567"), "journalArticle", "PMCIDFLD", "pmcid", False),
    (
        "pmcid in extra",
        Identifiers(pmcid="PMC7654321"),
        "journalArticle",
        "PMCIDEXT",
        "pmcid",
        False,
    ),
    (
        "wos in archiveLocation",
        Identifiers(wos="WOS:000301234500001"),
        "journalArticle",
        "WOSARCH",
        "wos",
        False,
    ),
    (
        "wos in extra",
        Identifiers(wos="WOS:000309999900002"),
        "journalArticle",
        "WOSEXTR",
        "wos",
        False,
    ),
    ("isbn for a book", Identifiers(isbn=("9780306406157",)), "book", "BOOKISBN", "isbn", False),
    (
        "isbn never matches a chapter record",
        Identifiers(isbn=("9780306406157",)),
        "bookSection",
        None,
        None,
        False,
    ),
    (
        "precedence: doi decides, weaker ids agree or are absent",
        Identifiers(doi="10.1155/2012/273291", pmid="424242"),
        "journalArticle",
        "DOIFIELD",
        "doi",
        False,
    ),
    (
        "trashed items match",
        Identifiers(doi="10.3000/trashed"),
        "journalArticle",
        "TRASHED1",
        "doi",
        False,
    ),
    (
        "notes never match",
        Identifiers(doi="10.4000/in-a-note"),
        "journalArticle",
        None,
        None,
        False,
    ),
    (
        "two items with one doi: ambiguous",
        Identifiers(doi="10.5000/dup"),
        "journalArticle",
        None,
        None,
        True,
    ),
    (
        "doi and pmid point to different items: ambiguous",
        Identifiers(doi="10.6000/split", pmid="999999"),
        "journalArticle",
        None,
        None,
        True,
    ),
    ("no identifier, no opt-in: no match", Identifiers(), "journalArticle", None, None, False),
    (
        "unknown doi: no match",
        Identifiers(doi="10.9999/nothing"),
        "journalArticle",
        None,
        None,
        False,
    ),
]


@pytest.mark.parametrize(
    ("ids", "item_type", "key", "by", "ambiguous"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_match_table(
    ids: Identifiers, item_type: str, key: str | None, by: str | None, ambiguous: bool
) -> None:
    m = match_record(ids, item_type, LIBRARY)
    assert m.key == key
    assert m.by == by
    assert bool(m.ambiguous) == ambiguous
    if ambiguous:
        assert len(m.ambiguous) == 2
        assert m.detail


def test_trashed_flag_is_reported() -> None:
    m = match_record(Identifiers(doi="10.3000/trashed"), "journalArticle", LIBRARY)
    assert m.trashed
    assert not match_record(Identifiers(pmid="22829849"), "journalArticle", LIBRARY).trashed


def test_title_match_is_opt_in_weak_and_never_joins_differing_identifiers() -> None:
    record = {
        "itemType": "journalArticle",
        "title": "A Study of Things in Places!",
        "date": "2019",
        "creators": [{"creatorType": "author", "lastName": "Muller", "firstName": "Anna"}],
    }
    assert match_record(Identifiers(), "journalArticle", LIBRARY, record=record).key is None
    m = match_record(Identifiers(), "journalArticle", LIBRARY, record=record, by_title=True)
    assert (m.key, m.by, m.weak) == ("TITLE001", "title", True)
    # The item has no DOI: a record with one may be the same work.
    m2 = match_record(
        Identifiers(doi="10.9999/x"), "journalArticle", LIBRARY, record=record, by_title=True
    )
    assert m2.key == "TITLE001"
    other = LibraryIndex.build([item("TITLE002", DOI="10.9999/y", **_title_fields())])
    m3 = match_record(
        Identifiers(doi="10.9999/x"), "journalArticle", other, record=record, by_title=True
    )
    assert m3.key is None


def _title_fields() -> dict[str, Any]:
    return {
        "title": "A study of things in places",
        "date": "2019-03-01",
        "creators": [{"creatorType": "author", "lastName": "Müller", "firstName": "A"}],
    }


def test_index_remove_forgets_item() -> None:
    index = LibraryIndex.build([item("AAAAAAAA", DOI="10.1000/a")])
    assert match_record(Identifiers(doi="10.1000/a"), "journalArticle", index).key == "AAAAAAAA"
    index.remove("AAAAAAAA")
    assert match_record(Identifiers(doi="10.1000/a"), "journalArticle", index).key is None


def test_an_item_given_twice_to_build_is_indexed_as_the_later_one_only() -> None:
    older = item("AAAAAAAA", DOI="10.1000/old", relations={"dc:replaces": "x/GONE0001"})
    newer = item("AAAAAAAA", DOI="10.1000/new")
    index = LibraryIndex.build([older, item("BBBBBBBB", DOI="10.1000/b"), newer])
    assert match_record(Identifiers(doi="10.1000/old"), "journalArticle", index).key is None
    assert match_record(Identifiers(doi="10.1000/new"), "journalArticle", index).key == "AAAAAAAA"
    assert index.replacement("GONE0001") is None
    assert index.items["AAAAAAAA"] is newer


ERRATUM_LIBRARY = LibraryIndex.build(
    [
        item(
            "ARTICLE1",
            DOI="10.1016/j.x.2020.1",
            PMID="31000001",
            title="Effects of sleep",
            extra="Scopus EID: 2-s2.0-85000000001",
        ),
        item(
            "ERRATUM1",
            DOI="10.1016/j.x.2020.1",
            title="Erratum: Effects of sleep",
            extra="Scopus EID: 2-s2.0-85000000002",
        ),
    ]
)


def test_an_item_sharing_the_doi_but_not_the_eid_is_reported_never_matched() -> None:
    lone = LibraryIndex.build(
        [item("ARTICLE1", DOI="10.1000/a", extra="Scopus EID: 2-s2.0-1111111")]
    )
    m = match_record(
        Identifiers(doi="10.1000/a", scopus_eid="2-s2.0-2222222"), "journalArticle", lone
    )
    assert (m.key, m.shares) == (None, ("ARTICLE1",))


def test_a_record_number_picks_the_item_among_those_sharing_a_doi() -> None:
    ids = Identifiers(doi="10.1016/j.x.2020.1", pmid="31000001")
    assert match_record(ids, "journalArticle", ERRATUM_LIBRARY).key == "ARTICLE1"
    erratum = Identifiers(doi="10.1016/j.x.2020.1", scopus_eid="2-s2.0-85000000002")
    assert match_record(erratum, "journalArticle", ERRATUM_LIBRARY).key == "ERRATUM1"


def test_the_title_picks_the_item_among_those_sharing_only_the_doi() -> None:
    ids = Identifiers(doi="10.1016/j.x.2020.1")
    m = match_record(ids, "journalArticle", ERRATUM_LIBRARY, record={"title": "Effects of Sleep."})
    assert m.key == "ARTICLE1"
    assert match_record(ids, "journalArticle", ERRATUM_LIBRARY).ambiguous


def test_a_pmid_on_one_item_and_the_doi_on_another_stay_ambiguous() -> None:
    index = LibraryIndex.build(
        [item("PMIDONLY", PMID="34000001"), item("DOIONLY1", DOI="10.1000/b")]
    )
    m = match_record(Identifiers(doi="10.1000/b", pmid="34000001"), "journalArticle", index)
    assert m.ambiguous == ("DOIONLY1", "PMIDONLY")


def test_trashed_and_merged_away_copies_give_way_to_the_live_item() -> None:
    uri = "http://zotero.org/users/1/items/MERGEDAW"
    index = LibraryIndex.build(
        [
            item("LIVEITEM", DOI="10.1000/c", relations={"dc:replaces": [uri]}),
            item("TRASHCPY", trashed=True, DOI="10.1000/c"),
            item("MERGEDAW", DOI="10.1000/c"),
        ]
    )
    m = match_record(Identifiers(doi="10.1000/c"), "journalArticle", index)
    assert (m.key, m.ambiguous) == ("LIVEITEM", ())
    # Once no item names it, the merged-away item is live again.
    index.remove("LIVEITEM")
    assert match_record(Identifiers(doi="10.1000/c"), "journalArticle", index).key == "MERGEDAW"


def test_a_doi_variant_matches_only_with_the_same_title_and_year() -> None:
    index = LibraryIndex.build(
        [item("PUBMED01", DOI="10.1037//0022-3514.83.3.606", title="Self-esteem", date="2002")]
    )
    ids = Identifiers(doi="10.1037/0022-3514.83.3.606")
    same = {"title": "Self-Esteem.", "date": "2002-09"}
    assert match_record(ids, "journalArticle", index, record=same).key == "PUBMED01"
    other = {"title": "Self-esteem", "date": "2003"}
    assert match_record(ids, "journalArticle", index, record=other).key is None


def test_an_accession_number_finds_the_item_zoteros_import_made() -> None:
    index = LibraryIndex.build(
        [item("EMBASE01", archive="Embase", archiveLocation="365312987", title="x")]
    )
    record = {"archive": "Embase", "archiveLocation": "365312987"}
    m = match_record(Identifiers(), "journalArticle", index, record=record)
    assert (m.key, m.by) == ("EMBASE01", "accession")


def test_without_the_opt_in_a_title_twin_is_only_named_as_a_possible_duplicate() -> None:
    record: dict[str, Any] = {
        "title": "A Study of Things in Places",
        "date": "2019",
        "creators": [{"lastName": "Muller"}],
    }
    m = match_record(Identifiers(), "journalArticle", LIBRARY, record=record, hint=True)
    assert (m.key, m.possible) == (None, ("TITLE001",))
    elsewhere = {**record, "publicationTitle": "Memory Studies"}
    index = LibraryIndex.build(
        [item("TWIN0001", publicationTitle="Isis", **{k: v for k, v in record.items()})]
    )
    assert not match_record(
        Identifiers(), "journalArticle", index, record=elsewhere, hint=True
    ).possible
