"""Data exporters put where Zotero does not look (issue 15, item 6): Embase's PMID in
C5, EBSCO's PMID inside N1, two ISSNs on one SN line, TRID's labelled compact date,
SciFinder's copyright line in M1, and WoS's series abbreviation on a book chapter."""

from __future__ import annotations

from typing import Any

from ris_helpers import convert_text

from syncd.formats.records import ConvertedRecord


def _one(*lines: str) -> ConvertedRecord:
    (record,) = convert_text("\n".join([*lines, "ER  - ", ""]))
    return record


def _extra(record: ConvertedRecord) -> list[str]:
    return str(record.item.get("extra", "")).splitlines()


OVID_EMBASE = (
    "TY  - JOUR",
    "DB  - Embase",
    "AN  - 2010123456",
    "T1  - An Embase record",
    "A1  - Wang D.",
    "Y1  - 2021//",
    "JF  - Addictive Behaviors",
    "C5  - 33343428",
    "UR  - http://ovidsp.ovid.com/ovidweb.cgi?T=JS&PAGE=reference&D=emexb&NEWS=N&AN=2010123456",
    "DP  - Ovid Technologies",
)
EBSCO_PSYCINFO = (
    "TY  - JOUR",
    "AU  - Miller, Anna",
    "T1  - An EBSCO PsycInfo record",
    "JO  - Addictive Behaviors",
    "Y1  - 2021/03//",
    "N1  - Accession Number: 2021-12345-001. PMID: 33343428. Partial author list.",
    "UR  - https://search.ebscohost.com/login.aspx?direct=true&db=psyh&AN=2021-12345-001",
    "DP  - EBSCOhost",
    "DB  - psyh",
)


def test_embase_c5_is_the_pmid() -> None:
    record = _one(*OVID_EMBASE)
    assert record.identifiers.pmid == "33343428"
    assert record.item["PMID"] == "33343428"


def test_c5_outside_embase_is_not_read_as_a_pmid() -> None:
    record = _one("TY  - JOUR", "TI  - A record", "C5  - 33343428")
    assert record.identifiers.pmid is None


def test_the_pmid_in_an_ebsco_note_is_the_pmid() -> None:
    record = _one(*EBSCO_PSYCINFO)
    assert record.identifiers.pmid == "33343428"
    assert record.item["PMID"] == "33343428"


def test_two_issns_on_one_sn_line_are_both_issns_and_no_isbn() -> None:
    record = _one("TY  - JOUR", "TI  - A record", "SN  - 1873-6327 0306-4603")
    assert record.identifiers.issn == ("1873-6327", "0306-4603")
    assert record.identifiers.isbn == ()
    assert "9781873632703" not in str(record.item)


def test_labelled_issns_on_one_sn_line_give_no_isbn() -> None:
    record = _one("TY  - JOUR", "TI  - A record", "SN  - 1873-6327 (Electronic) 0306-4603 (Print)")
    assert record.identifiers.isbn == ()


def test_an_isbn_on_an_sn_line_is_still_an_isbn() -> None:
    record = _one("TY  - BOOK", "TI  - A book", "SN  - 978-0-306-40615-7")
    assert record.identifiers.isbn == ("9780306406157",)


def test_a_trid_start_date_is_read_as_that_day() -> None:
    record = _one("TY  - CONF", "TI  - A TRID record", "PY  - Start date: 20170812")
    assert record.item["date"] == "2017-08-12"
    assert not [p for p in record.problems if "no year" in p.message]


def test_a_bare_compact_date_is_read_as_that_day() -> None:
    assert _one("TY  - JOUR", "TI  - x", "DA  - 20170812").item["date"] == "2017-08-12"


def test_a_scifinder_copyright_line_in_m1_does_not_replace_the_issue() -> None:
    record = _one(
        "TY  - JOUR",
        "TI  - A SciFinder record",
        "JO  - Journal of Tests",
        "M1  - Copyright (C) 2016  U.S. National Library of Medicine.",
        "IS  - 2",
    )
    assert record.item["issue"] == "2"
    assert record.item["rights"] == "Copyright (C) 2016  U.S. National Library of Medicine."


def test_an_m1_issue_is_still_the_issue() -> None:
    record = _one("TY  - JOUR", "TI  - x", "M1  - 3")
    assert record.item["issue"] == "3"


WOS_CHAPTER = (
    "TY  - CHAP",
    "AU  - Blalock, JE",
    "TI  - The immune system as the sixth sense",
    "T2  - NEUROIMMUNOMODULATION: PERSPECTIVES AT THE NEW MILLENNIUM",
    "T3  - Annals of the New York Academy of Sciences",
    "J9  - ANN NY ACAD SCI",
    "JI  - Ann.NY Acad.Sci.",
    "SN  - 0077-8923",
    "PY  - 2000",
    "VL  - 917",
    "AN  - WOS:000089394300001",
)


def test_a_wos_chapter_in_a_book_series_keeps_its_book_title() -> None:
    item: dict[str, Any] = _one(*WOS_CHAPTER).item
    assert item["bookTitle"] == "NEUROIMMUNOMODULATION: PERSPECTIVES AT THE NEW MILLENNIUM"
    assert item["series"] == "Annals of the New York Academy of Sciences"


def test_a_wos_series_abbreviation_never_becomes_a_chapters_book_title() -> None:
    record = _one(*[line for line in WOS_CHAPTER if not line.startswith("T2")])
    assert "bookTitle" not in record.item
    assert "Journal Abbr: Ann.NY Acad.Sci." in _extra(record)


def test_a_wos_article_keeps_its_iso_abbreviation() -> None:
    record = _one(
        "TY  - JOUR",
        "TI  - x",
        "T2  - ANNALS OF THE NEW YORK ACADEMY OF SCIENCES",
        "JI  - Ann.NY Acad.Sci.",
        "AN  - WOS:000089394300002",
    )
    assert record.item["journalAbbreviation"] == "Ann.NY Acad.Sci."
