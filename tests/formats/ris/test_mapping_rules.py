"""Single rules of the mapping: precedence, dates, pages, names, keywords, notes, Extra."""

from __future__ import annotations

import io
from typing import Any

import pytest
from schema_helpers import schema_document

from syncd.formats.records import ConvertedRecord, RawRecord
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.reader import read_records
from syncd.schema import Schema, bundled_schema


def convert(text: str, schema: Schema | None = None) -> ConvertedRecord:
    body = "\n".join(line.strip() for line in text.strip().splitlines()) + "\nER  - \n"
    records = [
        r
        for r in read_records(io.BytesIO(body.encode("utf-8")), "t.ris")
        if isinstance(r, RawRecord)
    ]
    assert len(records) == 1
    return map_record(records[0], schema or bundled_schema())


def item_of(text: str) -> dict[str, Any]:
    return convert(text).item


def extra_of(item: dict[str, Any]) -> list[str]:
    return str(item.get("extra", "")).splitlines()


# --- item types -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("ty", "item_type"),
    [
        ("JOUR", "journalArticle"),
        ("jour", "journalArticle"),
        ("EJOUR", "journalArticle"),
        ("CHAP", "bookSection"),
        ("CONF", "conferencePaper"),
        ("CPAPER", "conferencePaper"),
        ("STAND", "report"),
        ("DBASE", "dataset"),
        ("WEB", "webpage"),
        ("PCOMM", "letter"),
        ("GRANT", "journalArticle"),
        ("UNPB", "journalArticle"),
    ],
)
def test_item_type(ty: str, item_type: str) -> None:
    assert item_of(f"TY  - {ty}\nTI  - x")["itemType"] == item_type


def test_missing_ty_is_journal_article() -> None:
    assert item_of("TI  - x")["itemType"] == "journalArticle"


def test_unknown_ty_is_a_journal_article_and_says_so() -> None:
    conv = convert("TY  - BOGUS\nTI  - x")
    assert conv.item["itemType"] == "journalArticle"
    (problem,) = [p for p in conv.problems if "record type" in p.message]
    assert problem.line == 1 and problem.severity == "warning"
    assert "'BOGUS'" in problem.message and "journalArticle" in problem.message
    # Known types say nothing.
    assert not [p for p in convert("TY  - GRANT\nTI  - x").problems if "record type" in p.message]


# --- precedence (two passes, first value wins) ----------------------------------


def test_ti_beats_t1_even_when_later() -> None:
    assert item_of("TY  - JOUR\nT1  - first\nTI  - second")["title"] == "second"


def test_ab_beats_n2() -> None:
    item = item_of("TY  - JOUR\nN2  - from n2\nAB  - from ab")
    assert item["abstractNote"] == "from ab"


def test_n2_used_without_ab_and_unescaped() -> None:
    assert item_of("TY  - JOUR\nN2  - a &amp; b")["abstractNote"] == "a & b"


def test_da_beats_y1_even_when_y1_first() -> None:
    assert item_of("TY  - JOUR\nY1  - 1999\nDA  - 2001")["date"] == "2001"


def test_j2_beats_jo() -> None:
    item = item_of("TY  - JOUR\nJO  - J. Long\nJ2  - J. Abbr")
    assert item["journalAbbreviation"] == "J. Abbr"


def test_t2_and_jf_file_order() -> None:
    assert item_of("TY  - JOUR\nJF  - From JF\nT2  - From T2")["publicationTitle"] == "From JF"
    assert item_of("TY  - JOUR\nT2  - From T2\nJF  - From JF")["publicationTitle"] == "From T2"


def test_is_vs_m1_file_order_for_generic_journal() -> None:
    assert item_of("TY  - JOUR\nIS  - 3\nM1  - 7")["issue"] == "3"
    assert item_of("TY  - JOUR\nM1  - 7\nIS  - 3")["issue"] == "7"


def test_journal_abbreviation_fills_missing_publication_title() -> None:
    item = item_of("TY  - JOUR\nJO  - J.Neurosurg.")
    assert item["publicationTitle"] == "J.Neurosurg."
    assert item["journalAbbreviation"] == "J.Neurosurg."


def test_second_value_is_reported() -> None:
    conv = convert("TY  - JOUR\nUR  - https://a.example/1\nUR  - https://b.example/2")
    assert conv.item["url"] == "https://a.example/1"
    assert any("second value for url" in p.message for p in conv.problems)


# --- dates ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2012/05/03/", "2012-05-03"),
        ("2012///", "2012"),
        ("2012/5/", "2012-05"),
        ("2012/00/00", "2012"),
        ("2012/05/03/Spring", "2012-05-03"),
        ("2012-05-03", "2012-05-03"),
        ("May 2012", "May 2012"),
        ("99", "0099"),
    ],
)
def test_da_conversion(value: str, expected: str) -> None:
    assert item_of(f"TY  - JOUR\nDA  - {value}")["date"] == expected


def test_py_is_only_a_backup() -> None:
    assert item_of("TY  - JOUR\nPY  - 2012\nY1  - 2013")["date"] == "2013"
    assert item_of("TY  - JOUR\nPY  - 2012")["date"] == "2012"


def test_py_fills_the_year_placeholder() -> None:
    assert item_of("TY  - JOUR\nDA  - May 3\nPY  - 2012")["date"] == "2012 May 3"


def test_py_0000_gives_no_date() -> None:
    assert "date" not in item_of("TY  - JOUR\nPY  - 0000")


def test_date_without_year_is_reported() -> None:
    conv = convert("TY  - JOUR\nDA  - Spring")
    assert conv.item["date"] == "0000 Spring"
    assert any("has no year" in p.message for p in conv.problems)


def test_case_date_goes_to_date_decided() -> None:
    item = item_of("TY  - CASE\nDA  - 1990/01/02/\nTI  - Roe")
    assert item["dateDecided"] == "1990-01-02"
    assert item["caseName"] == "Roe"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024/01/05/", "2024-01-05"),
        ("2024/01/05/10:20:31", "2024-01-05T10:20:31Z"),
        ("2024/01/05/1:05:00 pm", "2024-01-05T13:05:00Z"),
        ("2024///", "2024-01-01"),
        ("05 January 2024", "2024-01-05"),
    ],
)
def test_access_date(value: str, expected: str) -> None:
    assert item_of(f"TY  - JOUR\nY2  - {value}")["accessDate"] == expected


def test_unreadable_access_date_is_dropped_and_reported() -> None:
    conv = convert("TY  - JOUR\nY2  - yesterday")
    assert "accessDate" not in conv.item
    assert any("access date" in p.message for p in conv.problems)


# --- pages ----------------------------------------------------------------------


def test_sp_ep_joined() -> None:
    assert item_of("TY  - JOUR\nSP  - 476\nEP  - 481")["pages"] == "476-481"


def test_ep_before_sp_still_joined() -> None:
    assert item_of("TY  - JOUR\nEP  - 481\nSP  - 476")["pages"] == "476-481"


def test_ep_alone_is_pages() -> None:
    assert item_of("TY  - JOUR\nEP  - 481")["pages"] == "481"


def test_sp_range_keeps_ep_as_num_pages_backup_for_books() -> None:
    item = item_of("TY  - CHAP\nSP  - 1-10\nEP  - 10")
    assert item["pages"] == "1-10"
    assert "Num Pages: 10" in extra_of(item) or "# of Pages: 10" in extra_of(item)


def test_book_sp_is_num_pages() -> None:
    assert item_of("TY  - BOOK\nSP  - 300")["numPages"] == "300"


# --- creators -------------------------------------------------------------------


def test_creator_names() -> None:
    item = item_of(
        "TY  - JOUR\nAU  - Doe, John, Jr.\nAU  - Baldwin,S.A.\nAU  - Dandan Wang\nA1  - Org Inc"
    )
    assert item["creators"] == [
        {"creatorType": "author", "firstName": "John, Jr.", "lastName": "Doe"},
        {"creatorType": "author", "firstName": "S.A.", "lastName": "Baldwin"},
        {"creatorType": "author", "name": "Dandan Wang"},
        {"creatorType": "author", "name": "Org Inc"},
    ]


def test_creator_roles_per_type() -> None:
    item = item_of("TY  - CHAP\nAU  - A, a\nA2  - E, e\nA3  - S, s\nA4  - T, t\nED  - X, x")
    assert [c["creatorType"] for c in item["creators"]] == [
        "author",
        "editor",
        "seriesEditor",
        "translator",
        "editor",
    ]


def test_edbook_authors_are_editors() -> None:
    item = item_of("TY  - EDBOOK\nAU  - Lahita, Robert")
    assert item["creators"] == [
        {"creatorType": "editor", "firstName": "Robert", "lastName": "Lahita"}
    ]


def test_invalid_creator_type_becomes_primary() -> None:
    item = item_of("TY  - BILL\nAU  - Smith, J")
    assert item["creators"][0]["creatorType"] == "sponsor"


# --- keywords -------------------------------------------------------------------


def test_keywords_split_on_semicolons_and_lines() -> None:
    item = item_of("TY  - JOUR\nKW  - a; b\nc\nKW  - d")
    assert [t["tag"] for t in item["tags"]] == ["a", "b", "c", "d"]


def test_single_keyword_split_on_commas() -> None:
    assert [t["tag"] for t in item_of("TY  - JOUR\nKW  - a, b, c")["tags"]] == ["a", "b", "c"]


def test_two_keywords_not_split_on_commas() -> None:
    tags = [t["tag"] for t in item_of("TY  - JOUR\nKW  - a, b\nKW  - c")["tags"]]
    assert tags == ["a, b", "c"]


# --- notes, abstract, HTML ------------------------------------------------------


def test_notes_as_html() -> None:
    conv = convert("TY  - JOUR\nN1  - first line\nsecond\n\nnew para\nN1  - <b>kept</b>")
    assert conv.notes == ("<p>first line<br/>second</p><p>new para</p>", "<b>kept</b>")


def test_note_equal_to_title_is_skipped() -> None:
    assert convert("TY  - JOUR\nTI  - Same\nN1  - Same").notes == ()


def test_doi_in_a_note_is_not_extracted() -> None:
    conv = convert("TY  - JOUR\nN1  - 10.1111/j.1755-0998.2009.02750.x")
    assert "DOI" not in conv.item
    assert conv.identifiers.doi is None


def test_html_in_titles_is_stripped_not_in_abstracts() -> None:
    item = item_of("TY  - JOUR\nTI  - <i>E. coli</i>  &amp; friends\nAB  - a <i>b</i> &amp; c")
    assert item["title"] == "E. coli & friends"
    assert item["abstractNote"] == "a <i>b</i> &amp; c"


# --- identifiers and DOI --------------------------------------------------------


def test_m3_doi_and_dropped_type() -> None:
    assert item_of("TY  - JOUR\nM3  - doi:10.1000/ABC")["DOI"] == "10.1000/ABC"
    conv = convert("TY  - JOUR\nM3  - Article")
    assert "DOI" not in conv.item


def test_doi_cleaned_from_url_form() -> None:
    item = item_of("TY  - JOUR\nDO  - https://doi.org/10.1000/x%2F1.")
    assert item["DOI"] == "10.1000/x/1"


@pytest.mark.parametrize("tag", ["L3", "U2", "ID"])
def test_doi_from_other_tags(tag: str) -> None:
    conv = convert(f"TY  - JOUR\n{tag}  - https://doi.org/10.1000/xyz")
    assert conv.item["DOI"] == "10.1000/xyz"


def test_doi_not_from_a_database_link() -> None:
    conv = convert("TY  - JOUR\nUR  - https://db.example/record?doi=10.1000/xyz")
    assert "DOI" not in conv.item


def test_refman_pmid_in_ur_goes_to_field() -> None:
    item = item_of("TY  - JOUR\nUR  - PM:12345")
    assert item["PMID"] == "12345"
    assert "extra" not in item


def test_extra_identifier_line_moves_only_when_it_agrees() -> None:
    item = item_of("TY  - JOUR\nM2  - PMID: 123")
    assert item["PMID"] == "123" and "extra" not in item
    item = item_of("TY  - JOUR\nDO  - 10.1000/a\nM2  - DOI: 10.1000/b")
    assert item["DOI"] == "10.1000/a"
    assert extra_of(item) == ["DOI: 10.1000/b"]


def test_identifiers_in_extra_when_type_lacks_field() -> None:
    conv = convert("TY  - CHAP\nTI  - x\nAN  - SCOPUS:84864948206\nC2  - 22829849\nDB  - Scopus")
    assert conv.source.dialect == "pure"
    assert extra_of(conv.item) == ["PMID: 22829849", "Scopus EID: 2-s2.0-84864948206"]
    assert "creators" not in conv.item  # C2 was the PMID, not a book author


def test_scopus_book_editors() -> None:
    item = item_of("TY  - BOOK\nDB  - Scopus\nAU  - Author, A.\nA2  - Editor, E.")
    assert [c["creatorType"] for c in item["creators"]] == ["author", "editor"]
    generic = item_of("TY  - BOOK\nAU  - Author, A.\nA2  - Editor, E.")
    assert [c["creatorType"] for c in generic["creators"]] == ["author", "seriesEditor"]


def test_wos_accession_in_archive_location_and_extra() -> None:
    item = item_of("TY  - JOUR\nAN  - WOS:000307286400001")
    assert item["archiveLocation"] == "WOS:000307286400001"
    assert "Web of Science ID: WOS:000307286400001" in extra_of(item)


def test_issn_canonical_and_isbn_kept() -> None:
    assert item_of("TY  - JOUR\nSN  - 17402522 (ISSN)")["ISSN"] == "1740-2522"
    assert item_of("TY  - JOUR\nSN  - not an issn")["ISSN"] == "not an issn"
    assert item_of("TY  - BOOK\nSN  - 0-306-40615-2")["ISBN"] == "0-306-40615-2"


def test_c7_article_number_in_any_dialect() -> None:
    assert item_of("TY  - JOUR\nC7  - e1234")["pages"] == "e1234"
    item = item_of("TY  - JOUR\nSP  - 1\nEP  - 9\nC7  - e1234")
    assert item["pages"] == "1-9"
    assert "Article Number: e1234" in extra_of(item)
    assert convert("TY  - ECHAP\nC7  - PMC3399441").identifiers.pmcid == "PMC3399441"


# --- Extra for fields the type lacks --------------------------------------------


def test_invalid_fields_go_to_extra_with_labels() -> None:
    conv = convert("TY  - JOUR\nET  - 2nd\nNV  - 3\nM2  - Free text")
    assert extra_of(conv.item) == ["# of Volumes: 3", "Edition: 2nd", "Free text"]
    assert "edition" not in conv.item
    assert any("kept in Extra" in p.message for p in conv.problems)


def test_unsupported_tags_kept_labelled_and_addresses_dropped() -> None:
    conv = convert("TY  - JOUR\nTT  - Titre\nAD  - Some University")
    assert extra_of(conv.item) == ["Translated Title: Titre"]
    assert any("author address" in p.message for p in conv.problems)


def test_unknown_tags_reported() -> None:
    conv = convert("TY  - JOUR\nZZ  - whatever\nRP  - Not In File")
    assert set(conv.item) == {"itemType"}
    assert sum("unknown tag" in p.message for p in conv.problems) == 2


# --- schema ---------------------------------------------------------------------


def _schema_without(item_type: str, field: str) -> Schema:
    return Schema(schema_document(drop=(item_type, field)))


def test_server_schema_is_followed() -> None:
    old = _schema_without("journalArticle", "PMID")
    text = "TY  - JOUR\nAN  - SCOPUS:84864948206\nC2  - 22829849"
    conv = convert(text, old)
    assert "PMID" not in conv.item
    assert "PMID: 22829849" in extra_of(conv.item)
    assert convert(text).item["PMID"] == "22829849"


def test_only_valid_fields_are_output() -> None:
    schema = bundled_schema()
    for ty in ("JOUR", "BOOK", "CHAP", "CONF", "RPRT", "THES", "CASE", "PAT", "ELEC", "STAT"):
        item = item_of(
            f"TY  - {ty}\nTI  - t\nT2  - t2\nT3  - t3\nVL  - 1\nIS  - 2\nSP  - 3\nPB  - p\n"
            "CY  - c\nSN  - s\nM1  - m1\nM3  - m3\nET  - e\nNV  - 4\nSE  - 5\nJ2  - j\nDA  - 2000"
        )
        valid = schema.fields_for(item["itemType"]) | {"itemType", "creators", "tags"}
        assert set(item) <= valid, ty


def test_as_json_and_source() -> None:
    conv = convert("TY  - JOUR\nTI  - x\nN1  - n")
    data = conv.as_json()
    assert data["item"]["title"] == "x"
    assert data["notes"] == ["<p>n</p>"]
    assert data["source"] == {
        "file": "t.ris",
        "line": 1,
        "end_line": 4,
        "index": 0,
        "dialect": "generic",
    }


@pytest.mark.parametrize(
    ("ty", "title_field"), [("CASE", "caseName"), ("STAT", "nameOfAct"), ("ICOMM", "subject")]
)
def test_short_title_never_replaces_the_full_title(ty: str, title_field: str) -> None:
    item = item_of(f"TY  - {ty}\nTI  - The Full Title\nST  - Short")
    assert item[title_field] == "The Full Title"
    assert item["shortTitle"] == "Short"
    # With no title at all the short title stands in, as in Zotero.
    assert item_of(f"TY  - {ty}\nST  - Short")[title_field] == "Short"


def test_a_pmcid_in_c2_is_kept_from_any_exporter() -> None:
    conv = convert("TY  - JOUR\nTI  - x\nC2  - PMC1234567")
    assert conv.item["PMCID"] == "PMC1234567"
    assert conv.identifiers.pmcid == "PMC1234567"
    # Where Zotero gives C2 a field, it keeps it.
    chapter = item_of("TY  - CHAP\nTI  - x\nC2  - PMC Author")
    assert [c["creatorType"] for c in chapter["creators"]] == ["bookAuthor"]
    assert "PMCID" not in chapter


def test_an_isbn_in_sn_on_an_article_is_not_filed_as_its_issn() -> None:
    item = item_of("TY  - JOUR\nTI  - x\nSN  - 978-0-306-40615-7")
    assert "ISSN" not in item
    assert "ISBN: 9780306406157" in extra_of(item)
    # An ISSN beside it still goes to ISSN.
    both = item_of("TY  - JOUR\nTI  - x\nSN  - 9780306406157\nSN  - 1740-2522")
    assert both["ISSN"] == "1740-2522"
