"""Identifier normalisation, discovery on library items, and the Extra lines we write."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncd.identifiers import (
    Identifiers,
    clean_doi,
    extra_lines,
    identifiers_from_item,
    normalize_doi,
    normalize_isbn,
    normalize_issn,
    normalize_pmcid,
    normalize_pmid,
    normalize_scopus_eid,
    normalize_wos,
)
from syncd.schema import bundled_schema


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1155/2012/273291", "10.1155/2012/273291"),
        ("https://doi.org/10.1155/2012/273291", "10.1155/2012/273291"),
        ("http://dx.doi.org/10.1155/2012/273291", "10.1155/2012/273291"),
        ("doi:10.1155/2012/273291", "10.1155/2012/273291"),
        ("DOI: 10.1155/2012/273291", "10.1155/2012/273291"),
        ("10.1002/ABC.123", "10.1002/abc.123"),
        ("https://doi.org/10.1000/x%2F1", "10.1000/x/1"),
        ("see 10.1000/xyz.", "10.1000/xyz"),
        ("10.1000/xyz,", "10.1000/xyz"),
        ("10.1000/xyz;", "10.1000/xyz"),
        ("(doi:10.1000/xyz)", "10.1000/xyz"),
        ("10.1000/a(b)c", "10.1000/a(b)c"),
        ("10.1016/S0140-6736(20)30183-5", "10.1016/s0140-6736(20)30183-5"),
        ("[10.1000/xyz]", "10.1000/xyz"),
        ("Article", None),
        ("", None),
        ("2010/05/03", None),
    ],
)
def test_normalize_doi(text: str, expected: str | None) -> None:
    assert normalize_doi(text) == expected


def test_clean_doi_keeps_case() -> None:
    assert clean_doi("https://doi.org/10.1002/ABC.123") == "10.1002/ABC.123"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SCOPUS:84864948206", "2-s2.0-84864948206"),
        ("scopus: 84864948206", "2-s2.0-84864948206"),
        ("2-s2.0-84864948206", "2-s2.0-84864948206"),
        (
            "https://www.scopus.com/inward/record.uri?eid=2-s2.0-84864948206&partnerID=40",
            "2-s2.0-84864948206",
        ),
        (
            "http://www.scopus.com/inward/record.url?scp=84864948206&partnerID=8YFLogxK",
            "2-s2.0-84864948206",
        ),
        ("84864948206", None),
        ("WOS:000301491700019", None),
    ],
)
def test_normalize_scopus_eid(text: str, expected: str | None) -> None:
    assert normalize_scopus_eid(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("22829849", "22829849"),
        (" 022829849 ", "22829849"),
        ("PMID: 22829849", "22829849"),
        ("pmid:22829849", "22829849"),
        ("PM:22829849", "22829849"),
        ("https://pubmed.ncbi.nlm.nih.gov/22829849/", "22829849"),
        ("https://www.ncbi.nlm.nih.gov/pubmed/22829849", "22829849"),
        ("1234567890", None),
        ("PMC3399441", None),
        ("abc", None),
    ],
)
def test_normalize_pmid(text: str, expected: str | None) -> None:
    assert normalize_pmid(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PMC3399441", "PMC3399441"),
        ("pmc 3399441", "PMC3399441"),
        ("3399441", "PMC3399441"),
        ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3399441/", "PMC3399441"),
        ("none", None),
    ],
)
def test_normalize_pmcid(text: str, expected: str | None) -> None:
    assert normalize_pmcid(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WOS:000301491700019", "WOS:000301491700019"),
        ("wos:000301491700019", "WOS:000301491700019"),
        ("ISI:000301491700019", "WOS:000301491700019"),
        ("000301491700019", "WOS:000301491700019"),
        ("WOS:A1996UQ12300012", "WOS:A1996UQ12300012"),
        ("SCOPUS:84864948206", None),
        ("12345", None),
    ],
)
def test_normalize_wos(text: str, expected: str | None) -> None:
    assert normalize_wos(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("978-0-306-40615-7", "9780306406157"),
        ("0-306-40615-2", "9780306406157"),
        ("0306406152 (pbk.)", "9780306406157"),
        ("ISBN 978 0 306 40615 7", "9780306406157"),
        ("080442957X", "9780804429573"),
        ("978-0-306-40615-8", None),
        ("0-306-40615-3", None),
        ("1740-2522", None),
    ],
)
def test_normalize_isbn(text: str, expected: str | None) -> None:
    assert normalize_isbn(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1740-2522", "1740-2522"),
        ("17402522 (ISSN)", "1740-2522"),
        ("0378-5955", "0378-5955"),
        ("2049-3630", "2049-3630"),
        ("0000-006x", "0000-006X"),
        ("1740-2523", None),
        ("hello", None),
    ],
)
def test_normalize_issn(text: str, expected: str | None) -> None:
    assert normalize_issn(text) == expected


def _isbn10_check(d9: str) -> str:
    total = sum((10 - i) * int(c) for i, c in enumerate(d9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


@given(st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_isbn10_and_13_agree(d9: str) -> None:
    isbn10 = d9 + _isbn10_check(d9)
    isbn13 = normalize_isbn(isbn10)
    assert isbn13 is not None
    assert isbn13.startswith("978" + d9)
    assert normalize_isbn(isbn13) == isbn13
    # Any single-digit change of the check digit is rejected.
    wrong = isbn13[:-1] + str((int(isbn13[-1]) + 1) % 10)
    assert normalize_isbn(wrong) is None


def test_identifiers_merged_fills_gaps_only() -> None:
    a = Identifiers(doi="10.1000/a", isbn=("9780306406157",))
    b = Identifiers(doi="10.1000/b", pmid="1", isbn=("9780804429573",), issn=("1740-2522",))
    m = a.merged(b)
    assert m.doi == "10.1000/a"
    assert m.pmid == "1"
    assert m.isbn == ("9780306406157", "9780804429573")
    assert m.issn == ("1740-2522",)


def test_as_json_keys() -> None:
    assert Identifiers(issn=("1740-2522",)).as_json() == {
        "doi": None,
        "scopus_eid": None,
        "pmid": None,
        "pmcid": None,
        "wos": None,
        "isbn": [],
        "issn": ["1740-2522"],
    }


def test_identifiers_from_item_fields() -> None:
    data = {
        "itemType": "journalArticle",
        "DOI": "https://doi.org/10.1155/2012/273291",
        "PMID": "22829849",
        "PMCID": "PMC3399441",
        "ISSN": "1740-2522, 1740-2530",
    }
    ids = identifiers_from_item(data)
    assert ids.doi == "10.1155/2012/273291"
    assert ids.pmid == "22829849"
    assert ids.pmcid == "PMC3399441"
    assert ids.issn == ("1740-2522", "1740-2530")


def test_identifiers_from_item_extra_lines_tolerant() -> None:
    data = {
        "itemType": "book",
        "ISBN": "0-306-40615-2",
        "extra": "Some note\npmid : 123\nDOI:10.1000/ABC\nscopus eid:2-s2.0-84864948206\n"
        "Web of Science ID: WOS:000301491700019\nPMCID: PMC42",
    }
    ids = identifiers_from_item(data)
    assert ids.pmid == "123"
    assert ids.doi == "10.1000/abc"
    assert ids.scopus_eid == "2-s2.0-84864948206"
    assert ids.wos == "WOS:000301491700019"
    assert ids.pmcid == "PMC42"
    assert ids.isbn == ("9780306406157",)


@pytest.mark.parametrize(
    ("data", "attr", "expected"),
    [
        ({"archiveLocation": "SCOPUS:84864948206"}, "scopus_eid", "2-s2.0-84864948206"),
        ({"archiveLocation": "2-s2.0-84864948206"}, "scopus_eid", "2-s2.0-84864948206"),
        ({"archiveLocation": "WOS:000301491700019"}, "wos", "WOS:000301491700019"),
        (
            {"url": "https://www.scopus.com/inward/record.uri?eid=2-s2.0-848649&origin=x"},
            "scopus_eid",
            "2-s2.0-848649",
        ),
        (
            {"url": "http://www.scopus.com/inward/record.url?scp=84864948206&partnerID=8Y"},
            "scopus_eid",
            "2-s2.0-84864948206",
        ),
        ({"archiveLocation": "22829849", "archive": "PubMed"}, "pmid", "22829849"),
        ({"archiveLocation": "22829849", "libraryCatalog": "NLM"}, "pmid", "22829849"),
        ({"archiveLocation": "365312987", "archive": "Embase"}, "pmid", None),
        ({"url": "https://pubmed.ncbi.nlm.nih.gov/22829849/"}, "pmid", "22829849"),
        ({"url": "https://www.ncbi.nlm.nih.gov/pubmed/22829849"}, "pmid", "22829849"),
        (
            {"url": "https://www.ncbi.nlm.nih.gov/pmc/articles/PMC3399441/"},
            "pmcid",
            "PMC3399441",
        ),
        ({"url": "https://doi.org/10.1155/2012/273291"}, "doi", "10.1155/2012/273291"),
        ({"url": "https://example.org/10.1155/2012/273291"}, "doi", None),
    ],
)
def test_identifiers_from_item_locations(data: dict[str, str], attr: str, expected: str) -> None:
    assert getattr(identifiers_from_item(data), attr) == expected


def test_field_wins_over_extra() -> None:
    ids = identifiers_from_item({"DOI": "10.1000/field", "extra": "DOI: 10.1000/extra"})
    assert ids.doi == "10.1000/field"


def test_extra_lines_by_type() -> None:
    schema = bundled_schema()
    ids = Identifiers(
        doi="10.1000/x",
        pmid="1",
        pmcid="PMC2",
        scopus_eid="2-s2.0-84864948206",
        wos="WOS:000000000000004",
    )
    assert extra_lines(ids, "journalArticle", schema) == [
        "Scopus EID: 2-s2.0-84864948206",
        "Web of Science ID: WOS:000000000000004",
    ]
    assert extra_lines(ids, "book", schema) == [
        "PMID: 1",
        "PMCID: PMC2",
        "Scopus EID: 2-s2.0-84864948206",
        "Web of Science ID: WOS:000000000000004",
    ]
    assert extra_lines(Identifiers(), "book", schema) == []


def test_extra_lines_read_back() -> None:
    schema = bundled_schema()
    ids = Identifiers(
        pmid="1", pmcid="PMC2", scopus_eid="2-s2.0-84864948206", wos="WOS:000000000000004"
    )
    extra = "\n".join(extra_lines(ids, "book", schema))
    assert identifiers_from_item({"itemType": "book", "extra": extra}) == ids
