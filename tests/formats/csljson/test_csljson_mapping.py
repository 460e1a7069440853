"""CSL-JSON items mapped as Zotero's CSL JSON import maps them, one rule a test."""

from __future__ import annotations

import json
from pathlib import Path

from csljson_helpers import convert_text, one

from syncd.formats import csljson

ARTICLE = {
    "id": "doe2021",
    "type": "article-journal",
    "title": "A study",
    "container-title": "Journal of Tests",
    "volume": "12",
    "issue": "3",
    "page": "45-67",
    "DOI": "10.5555/abc",
    "ISSN": "17402522",
    "author": [{"family": "Doe", "given": "Jane"}, {"literal": "The Study Group"}],
    "issued": {"date-parts": [[2021, 3, 5]]},
}


def test_an_array_a_single_object_and_json_lines_are_all_read(tmp_path: Path) -> None:
    second = {**ARTICLE, "id": "b", "title": "B"}
    shapes = [
        json.dumps([ARTICLE, second], indent=2),
        json.dumps(ARTICLE, indent="\t"),
        json.dumps(ARTICLE) + "\n" + json.dumps(second) + "\n",
    ]
    counts = [len(convert_text(tmp_path, text)[0]) for text in shapes]
    assert counts == [2, 1, 2]


def test_csl_types_map_to_item_types(tmp_path: Path) -> None:
    types = ["article-journal", "chapter", "paper-conference", "thesis", "report", "book"]
    text = json.dumps([{"type": t, "title": t} for t in types])
    records, _ = convert_text(tmp_path, text)
    assert [r.item["itemType"] for r in records] == [
        "journalArticle",
        "bookSection",
        "conferencePaper",
        "thesis",
        "report",
        "book",
    ]


def test_fields_map_to_their_zotero_fields(tmp_path: Path) -> None:
    item = one(tmp_path, ARTICLE).item
    assert (item["publicationTitle"], item["volume"], item["issue"], item["pages"]) == (
        "Journal of Tests",
        "12",
        "3",
        "45-67",
    )
    assert item["DOI"] == "10.5555/abc"
    assert item["ISSN"] == "1740-2522"


def test_container_title_of_a_chapter_is_the_book_title(tmp_path: Path) -> None:
    item = one(tmp_path, {"type": "chapter", "title": "C", "container-title": "The Book"}).item
    assert item["bookTitle"] == "The Book"


def test_family_given_and_literal_names(tmp_path: Path) -> None:
    assert one(tmp_path, ARTICLE).item["creators"] == [
        {"creatorType": "author", "firstName": "Jane", "lastName": "Doe"},
        {"creatorType": "author", "name": "The Study Group"},
    ]


def test_a_non_dropping_particle_joins_the_family_name(tmp_path: Path) -> None:
    data = {
        "type": "book",
        "title": "T",
        "author": [{"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}],
        "editor": [{"family": "Roe", "given": "Rick"}],
    }
    assert one(tmp_path, data).item["creators"] == [
        {"creatorType": "author", "firstName": "Vincent", "lastName": "van Gogh"},
        {"creatorType": "editor", "firstName": "Rick", "lastName": "Roe"},
    ]


def test_issued_date_parts_give_an_iso_date(tmp_path: Path) -> None:
    assert one(tmp_path, ARTICLE).item["date"] == "2021-03-05"
    data = {**ARTICLE, "issued": {"date-parts": [["2013"]]}}
    assert one(tmp_path, data).item["date"] == "2013"


def test_a_raw_date_is_kept_as_written(tmp_path: Path) -> None:
    assert one(tmp_path, {**ARTICLE, "issued": {"raw": "Spring 2020"}}).item["date"] == (
        "Spring 2020"
    )


def test_pmid_and_pmcid_fill_their_fields(tmp_path: Path) -> None:
    item = one(tmp_path, {**ARTICLE, "PMID": "22829849", "PMCID": "PMC3406395"}).item
    assert (item["PMID"], item["PMCID"]) == ("22829849", "PMC3406395")


def test_a_pmid_on_a_type_without_the_field_is_an_extra_line(tmp_path: Path) -> None:
    item = one(tmp_path, {"type": "book", "title": "T", "PMID": "22829849"}).item
    assert "PMID: 22829849" in item["extra"].splitlines()


def test_an_isbn_goes_to_a_books_isbn_field(tmp_path: Path) -> None:
    rec = one(tmp_path, {"type": "book", "title": "T", "ISBN": "978-3-642-32156-6"})
    assert rec.item["ISBN"] == "978-3-642-32156-6"
    assert rec.identifiers.isbn == ("9783642321566",)


def test_note_lines_are_extra_lines_read_for_identifiers_and_counts(tmp_path: Path) -> None:
    data = {**ARTICLE, "note": "Scopus EID: 2-s2.0-84864948206\n12 citations (Scopus)"}
    rec = one(tmp_path, data)
    assert rec.identifiers.scopus_eid == "2-s2.0-84864948206"
    assert rec.item["extra"].splitlines() == [
        "Scopus EID: 2-s2.0-84864948206",
        "12 citations (Scopus)",
    ]


def test_a_pmid_note_line_moves_into_the_pmid_field(tmp_path: Path) -> None:
    item = one(tmp_path, {**ARTICLE, "note": "PMID: 23439512"}).item
    assert item["PMID"] == "23439512"
    assert "extra" not in item


def test_a_citation_key_like_id_is_the_citation_key_and_a_uri_is_not(tmp_path: Path) -> None:
    assert one(tmp_path, ARTICLE).item["citationKey"] == "doe2021"
    uri = {**ARTICLE, "id": "http://zotero.org/users/1/items/ABCD"}
    assert "citationKey" not in one(tmp_path, uri).item


def test_a_value_of_the_wrong_json_type_is_reported_and_skipped(tmp_path: Path) -> None:
    records, problems = convert_text(tmp_path, json.dumps([{**ARTICLE, "volume": ["12"]}]))
    assert "volume" not in records[0].item
    assert any("volume is not text" in p.message for p in problems)


def test_the_source_names_the_format_and_the_item_line(tmp_path: Path) -> None:
    records, _ = convert_text(tmp_path, json.dumps([ARTICLE, ARTICLE], indent=1))
    second = 2 + json.dumps(ARTICLE, indent=1).count("\n") + 1  # "[", the first item
    assert [(r.source.line, r.source.index, r.source.dialect) for r in records] == [
        (2, 0, "csljson"),
        (second, 1, "csljson"),
    ]


def test_sniff_recognises_an_array_of_csl_items() -> None:
    evidence = csljson.sniff(json.dumps([ARTICLE]))
    assert evidence is not None and evidence.startswith("JSON array with CSL variables")


def test_sniff_says_nothing_on_other_json() -> None:
    assert csljson.sniff('{"name": "package", "version": "1.0"}') is None
