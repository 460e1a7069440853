"""The seed export (a Pure export of a Scopus record) converts as the issue demands."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.formats.records import ConvertedRecord, RawRecord
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.reader import read_file

SEED = Path(__file__).parents[2] / "fixtures" / "seed_scopus_pure.ris"
AUTHORS = [
    ("Wang", "Dandan"),
    ("Akiyama", "Kentaro"),
    ("Zhang", "Huayong"),
    ("Yamaza", "Takayoshi"),
    ("Li", "Xia"),
    ("Feng", "Xuebing"),
    ("Wang", "Hong"),
    ("Hua", "Bingzhu"),
    ("Liu", "Bujun"),
    ("Xu", "Huji"),
    ("Chen", "Wanjun"),
    ("Shi", "Songtao"),
    ("Sun", "Lingyun"),
]


@pytest.fixture(scope="module")
def converted() -> list[ConvertedRecord]:
    records = [r for r in read_file(SEED) if isinstance(r, RawRecord)]
    return [map_record(r) for r in records]


@pytest.fixture(scope="module")
def item(converted: list[ConvertedRecord]) -> dict[str, object]:
    return converted[0].item


def test_one_journal_article(converted: list[ConvertedRecord]) -> None:
    assert len(converted) == 1
    assert converted[0].item["itemType"] == "journalArticle"
    assert converted[0].source.dialect == "pure"


def test_all_13_authors_split(item: dict[str, object]) -> None:
    creators = item["creators"]
    assert isinstance(creators, list)
    assert [(c["lastName"], c["firstName"]) for c in creators] == AUTHORS
    assert {c["creatorType"] for c in creators} == {"author"}


def test_date(item: dict[str, object]) -> None:
    assert item["date"] == "2012"


def test_doi(item: dict[str, object], converted: list[ConvertedRecord]) -> None:
    assert item["DOI"] == "10.1155/2012/273291"
    assert converted[0].identifiers.doi == "10.1155/2012/273291"


def test_issn(item: dict[str, object]) -> None:
    assert item["ISSN"] == "1740-2522"


def test_volume(item: dict[str, object]) -> None:
    assert item["volume"] == "2012"


def test_journal_name(item: dict[str, object]) -> None:
    assert item["publicationTitle"] == "Clinical and Developmental Immunology"


def test_abstract_once(item: dict[str, object], converted: list[ConvertedRecord]) -> None:
    abstract = item["abstractNote"]
    assert isinstance(abstract, str)
    assert abstract.startswith("The clinical trial of allogenic mesenchymal stem cells")
    assert abstract.count("The clinical trial") == 1
    assert not any("clinical trial" in n for n in converted[0].notes)


def test_url_is_record_link_not_citedby(item: dict[str, object]) -> None:
    assert item["url"] == (
        "http://www.scopus.com/inward/record.url?scp=84864948206&partnerID=8YFLogxK"
    )


def test_pmid_in_field(item: dict[str, object], converted: list[ConvertedRecord]) -> None:
    assert item["PMID"] == "22829849"
    assert converted[0].identifiers.pmid == "22829849"


def test_scopus_eid_in_extra(item: dict[str, object], converted: list[ConvertedRecord]) -> None:
    extra = item["extra"]
    assert isinstance(extra, str)
    assert "Scopus EID: 2-s2.0-84864948206" in extra.splitlines()
    assert converted[0].identifiers.scopus_eid == "2-s2.0-84864948206"


def test_article_number_in_pages_not_issue(item: dict[str, object]) -> None:
    assert item["pages"] == "273291"
    assert "issue" not in item


def test_archive_location_verbatim(item: dict[str, object]) -> None:
    assert item["archiveLocation"] == "SCOPUS:84864948206"


def test_no_notes(converted: list[ConvertedRecord]) -> None:
    assert converted[0].notes == ()


def test_as_json_shape(converted: list[ConvertedRecord]) -> None:
    data = converted[0].as_json()
    assert set(data) >= {"item", "notes", "identifiers", "source"}
    assert data["source"]["line"] == 1
    assert data["source"]["dialect"] == "pure"
    assert data["identifiers"]["issn"] == ["1740-2522"]


def test_pure_function(converted: list[ConvertedRecord]) -> None:
    record = next(r for r in read_file(SEED) if isinstance(r, RawRecord))
    assert map_record(record) == map_record(record)
    assert map_record(record).item == converted[0].item
