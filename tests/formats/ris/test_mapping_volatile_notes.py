"""Known volatile notes become data (issue 14, finding 4): citation counts of any
database are one ``N citations (Database)`` Extra line each, export and revision
dates are dropped, and the rest of a note stays a note."""

from __future__ import annotations

from ris_helpers import convert_text

from syncd.formats.records import ConvertedRecord


def _one(*lines: str) -> ConvertedRecord:
    (record,) = convert_text("\n".join(["TY  - JOUR", "TI  - A record", *lines, "ER  - ", ""]))
    return record


def _extra(record: ConvertedRecord) -> list[str]:
    return str(record.item.get("extra", "")).splitlines()


WOS = ("AU  - Wang, Dandan", "PY  - 2012", "AN  - WOS:000307286400001")


def test_a_wos_count_note_with_its_continuation_lines_is_one_extra_line_and_no_note() -> None:
    record = _one(
        *WOS,
        "N1  - Times Cited in Web of Science Core Collection:  12",
        "Total Times Cited:  13",
        "Cited Reference Count:  40",
    )
    assert record.notes == ()
    assert [x for x in _extra(record) if "citations" in x] == ["12 citations (Web of Science)"]


def test_wos_count_notes_on_separate_lines_give_one_extra_line() -> None:
    record = _one(
        *WOS,
        "N1  - Times Cited in Web of Science Core Collection:  31",
        "N1  - Total Times Cited:  33",
        "N1  - Cited Reference Count:  40",
    )
    assert record.notes == ()
    assert [x for x in _extra(record) if "citations" in x] == ["31 citations (Web of Science)"]


def test_a_count_is_dated_by_the_records_export_date() -> None:
    record = _one(
        *WOS,
        "N1  - Times Cited in Web of Science Core Collection: 12",
        "N1  - Export Date: 15 November 2026",
    )
    assert "12 citations (Web of Science) [2026-11-15]" in _extra(record)
    assert record.notes == ()


def test_a_pubmed_central_cited_by_count_is_an_extra_line() -> None:
    record = _one("N1  - Cited by in PMC: 7")
    assert "7 citations (PubMed Central)" in _extra(record)
    assert record.notes == ()


def test_counts_of_two_databases_are_two_lines() -> None:
    record = _one(
        *WOS,
        "N1  - Times Cited in Web of Science Core Collection: 12",
        "N1  - Cited by in PMC: 7",
    )
    counts = [x for x in _extra(record) if "citations" in x]
    assert counts == ["12 citations (Web of Science)", "7 citations (PubMed Central)"]


def test_proquest_revision_and_update_dates_are_dropped() -> None:
    record = _one(
        "UR  - https://www.proquest.com/docview/123",
        "N1  - Date revised - 2023-01-05",
        "N1  - Last updated - 2023-02-01",
        "N1  - A real note",
    )
    assert record.notes == ("<p>A real note</p>",)


def test_the_rest_of_a_note_holding_a_count_stays_a_note() -> None:
    record = _one(*WOS, "N1  - Times Cited: 3", "Funding: a grant from somewhere")
    assert record.notes == ("<p>Funding: a grant from somewhere</p>",)
    assert "3 citations (Web of Science)" in _extra(record)


def test_a_note_that_mentions_citations_in_a_sentence_stays() -> None:
    text = "This paper was cited by many; see the updated version."
    assert _one(f"N1  - {text}").notes == (f"<p>{text}</p>",)
