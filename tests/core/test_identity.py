"""The pure rules of record identity: when identifiers say two works, work keys,
corrections, journal names, accession numbers and DOI variants."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncd.core.identity import (
    WorkKey,
    differing_kinds,
    is_correction,
    item_title,
    same_container,
    same_work_by_title,
    work_key,
)
from syncd.identifiers import accession_number, doi_variant


def test_different_scopus_eids_are_two_works_whatever_doi_they_share() -> None:
    article = [("doi", "10.1/a"), ("scopus_eid", "2-s2.0-1")]
    erratum = [("doi", "10.1/a"), ("scopus_eid", "2-s2.0-2")]
    assert differing_kinds(article, erratum) == ["scopus_eid"]


def test_an_identifier_only_one_side_has_says_nothing() -> None:
    assert differing_kinds([("doi", "10.1/a"), ("pmid", "1")], [("doi", "10.1/a")]) == []


def test_a_different_doi_separates_works_only_when_asked() -> None:
    a, b = [("doi", "10.1/a")], [("doi", "10.1/b")]
    assert differing_kinds(a, b) == []
    assert differing_kinds(a, b, with_doi=True) == ["doi"]


def test_doi_variants_are_one_doi() -> None:
    a, b = [("doi", "10.1037//0022-3514.83.3.606")], [("doi", "10.1037/0022-3514.83.3.606")]
    assert differing_kinds(a, b, with_doi=True) == []
    assert doi_variant("10.1037//0022-3514.83.3.606") == "10.1037/0022-3514.83.3.606"


def test_accession_numbers_find_records_but_never_separate_works() -> None:
    # Embase holds one work as its own record and as a MEDLINE copy.
    assert differing_kinds([("accession", "embase:1")], [("accession", "embase:2")]) == []


def record(**data: Any) -> dict[str, Any]:
    return {"itemType": "journalArticle", **data}


def test_work_key_folds_case_accents_and_punctuation_and_takes_the_first_page() -> None:
    a = work_key(
        record(
            title="Réply.",
            date="2020-05",
            creators=[{"lastName": "Smith"}],
            publicationTitle="J. Tests",
            volume="3",
            pages="12-19",
        )
    )
    assert a == WorkKey("reply", "2020", "smith", "j tests", "3", "12")
    assert WorkKey.parse(a.identity) == a


def test_the_front_matter_of_two_issues_of_one_volume_is_two_works() -> None:
    front = {"title": "Front Matter", "date": "1998", "publicationTitle": "Isis", "volume": "89"}
    one, two = work_key(record(**front, issue="1")), work_key(record(**front, issue="2"))
    assert one != two
    assert not is_correction(one, two)


def test_a_new_first_page_or_a_volume_filled_in_is_a_correction() -> None:
    old = WorkKey("reply", "2020", "smith", "journal of tests", "3", "1")
    assert is_correction(WorkKey("reply", "2020", "smith", "journal of tests", "3", "12"), old)
    press = WorkKey("reply", "2020", "smith", "journal of tests", "", "")
    assert is_correction(old, press)


@pytest.mark.parametrize(
    "other",
    [
        WorkKey("reply", "2020", "smith", "memory studies", "3", "1"),
        WorkKey("reply", "2020", "smith", "journal of tests", "4", "1"),
        WorkKey("reply", "2020", "smith", "journal of tests", "3", "1", "2"),
        WorkKey("reply", "2021", "smith", "journal of tests", "3", "1"),
        WorkKey("reply", "2020", "jones", "journal of tests", "3", "1"),
        WorkKey("rejoinder", "2020", "smith", "journal of tests", "3", "1"),
    ],
    ids=["journal", "volume", "issue", "year", "author", "title"],
)
def test_another_journal_volume_issue_year_author_or_title_is_another_work(
    other: WorkKey,
) -> None:
    old = WorkKey("reply", "2020", "smith", "journal of tests", "3", "1", "1")
    assert not is_correction(other, old)


def test_a_journal_abbreviation_names_the_same_journal() -> None:
    assert same_container("j gambl stud", "journal of gambling studies")
    assert not same_container("isis", "osiris")
    assert not same_container("j tests", "journal of other tests")


def test_title_match_needs_container_volume_and_page_to_agree_where_both_have_them() -> None:
    base = {"title": "Introduction to the issue", "date": "2019", "creators": [{"lastName": "Li"}]}
    a = record(**base, publicationTitle="Journal of Sleep Research", pages="1-2")
    assert same_work_by_title(a, record(**base, publicationTitle="J Sleep Res"))
    assert same_work_by_title(a, record(**base))
    assert not same_work_by_title(a, record(**base, publicationTitle="Memory Studies"))
    assert not same_work_by_title(a, record(**base, pages="7-8"))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"archive": "Embase", "archiveLocation": "365312987"}, "embase:365312987"),
        (
            {"archive": "Embase <1974 to 2021 May 05>", "archiveLocation": "L2012345678"},
            "embase:L2012345678",
        ),
        (
            {"archive": "APA PsycInfo", "archiveLocation": "2002-17944-008"},
            "psycinfo:2002-17944-008",
        ),
        (
            {
                "libraryCatalog": "EBSCOhost",
                "url": "https://search.ebscohost.com/login.aspx?direct=true&db=psyh&AN=2002-17944-008",
            },
            "psycinfo:2002-17944-008",
        ),
        ({"archive": "ProQuest Central", "archiveLocation": "1027561234"}, "proquest:1027561234"),
        ({"archive": "PubMed", "archiveLocation": "22829849"}, None),
        ({"archive": "Scopus", "archiveLocation": "2-s2.0-84864948206"}, None),
        ({"archiveLocation": "WOS:000307286400001"}, None),
        ({"archive": "Family papers", "archiveLocation": "Box 12, folder 3"}, None),
        ({"archiveLocation": "365312987"}, None),
    ],
    ids=[
        "embase",
        "ovid-embase-segment",
        "psycinfo",
        "ebsco-link",
        "proquest",
        "pubmed-is-a-pmid",
        "scopus-is-an-eid",
        "wos-is-a-ut",
        "a-real-archive",
        "no-database-named",
    ],
)
def test_accession_numbers_name_their_database(data: dict[str, Any], expected: str | None) -> None:
    assert accession_number(data) == expected


PAIRS = st.lists(
    st.tuples(
        st.sampled_from(["doi", "scopus_eid", "pmid", "wos", "accession", "isbn"]),
        st.sampled_from(["10.1000/a", "10.1000//a", "1", "2"]),
    ),
    max_size=5,
)


@given(PAIRS, PAIRS, st.booleans())
def test_two_works_or_not_does_not_depend_on_which_side_is_asked(
    a: list[tuple[str, str]], b: list[tuple[str, str]], with_doi: bool
) -> None:
    assert differing_kinds(a, b, with_doi=with_doi) == differing_kinds(b, a, with_doi=with_doi)
    assert differing_kinds(a, a, with_doi=with_doi) == []


@given(
    st.text(alphabet="abcdefghij KLMNOP", min_size=1, max_size=40), st.sampled_from([".", "!", " "])
)
def test_case_and_a_final_period_do_not_change_a_work_key(title: str, end: str) -> None:
    plain = work_key(record(title=title, date="2001"))
    shouted = work_key(record(title=title.upper() + end, date="2001"))
    assert plain == shouted


@pytest.mark.parametrize(
    ("item", "title"),
    [
        ({"itemType": "journalArticle", "title": "On Rats"}, "On Rats"),
        ({"itemType": "case", "caseName": "Roe v. Wade"}, "Roe v. Wade"),
        ({"itemType": "statute", "nameOfAct": "Clean Air Act"}, "Clean Air Act"),
        ({"itemType": "email", "subject": "Re: data"}, "Re: data"),
        ({"itemType": "journalArticle", "title": "  "}, ""),
        ({"itemType": "journalArticle"}, ""),
    ],
)
def test_an_items_title_is_its_first_filled_title_field_as_written(
    item: dict[str, Any], title: str
) -> None:
    assert item_title(item) == title
