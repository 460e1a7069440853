"""CSV exports that are broken, of an unknown shape or in another encoding: each a clear
outcome, and the good rows beside a bad one still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncd.errors import InputError
from syncd.formats import csv as csv_format
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema

LENS = "Lens ID,Title,Publication Year,Source Title,DOI\n"


def convert(path: Path) -> tuple[list[ConvertedRecord], list[ReadProblem]]:
    out = list(csv_format.convert(path, bundled_schema()))
    return (
        [e for e in out if isinstance(e, ConvertedRecord)],
        [e for e in out if isinstance(e, ReadProblem)],
    )


def write(tmp_path: Path, data: str | bytes) -> Path:
    path = tmp_path / "export.csv"
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def titles(records: list[ConvertedRecord]) -> list[str]:
    return [r.item["title"] for r in records]


def test_a_scopus_csv_without_eid_names_the_missing_column(tmp_path: Path) -> None:
    header = "Authors,Author full names,Title,Year,Source title,DOI\n"
    with pytest.raises(InputError, match=r"lacks EID of Scopus CSV"):
        convert(write(tmp_path, header + '"Doe, J.","Doe, Jane",A,2020,J,10.1/x\n'))


def test_a_csv_of_unknown_shape_names_the_nearest_exports_columns(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"line 1 lacks Authors, Source title, EID of Scopus CSV"):
        convert(write(tmp_path, "Title,Year,Notes\nA,2020,x\n"))


def test_dimensions_missing_a_column_is_reported_on_its_header_line(tmp_path: Path) -> None:
    text = '"About the data: Exported on Nov 15, 2026."\n"Rank","Publication ID","Title"\n'
    with pytest.raises(InputError, match=r"header on line 2 lacks PubYear, Source title"):
        convert(write(tmp_path, text))


def test_a_truncated_file_keeps_the_rows_before_the_cut(tmp_path: Path) -> None:
    text = LENS + '1,First,2020,J,10.1/a\n2,Second,2021,J,10.1/b\n3,"Third is cu'
    records, problems = convert(write(tmp_path, text))
    assert titles(records) == ["First", "Second"]
    assert [(p.line, p.severity) for p in problems] == [(4, "error")]


def test_a_short_row_is_skipped_and_the_next_read(tmp_path: Path) -> None:
    records, problems = convert(write(tmp_path, LENS + "1,First,2020\n2,Second,2021,J,10.1/b\n"))
    assert titles(records) == ["Second"]
    assert "has 3 of the header's 5 columns" in problems[0].message


def test_a_stray_quote_loses_only_its_row(tmp_path: Path) -> None:
    text = LENS + '1,First,2020,J,\n2,"Sec"ond,2021,J,\n3,Third,2022,J,\n'
    records, problems = convert(write(tmp_path, text))
    assert titles(records) == ["First", "Third"]
    assert problems[0].line == 3


def test_a_windows_1252_line_in_utf8_is_read_with_a_warning(tmp_path: Path) -> None:
    data = (LENS + "1,First,2020,J,\n").encode() + "2,Caf\u00e9,2021,J,\n".encode("cp1252")
    records, problems = convert(write(tmp_path, data))
    assert titles(records) == ["First", "Caf\u00e9"]
    assert [p.severity for p in problems] == ["warning"]


def test_a_utf16_web_of_science_file_is_read(tmp_path: Path) -> None:
    text = 'PT\tAU\tTI\tSO\tUT\nJ\tDoe, J\tA "quoted" title\tJ\tWOS:000000000000001\n'
    records, _ = convert(write(tmp_path, text.encode("utf-16")))
    assert titles(records) == ['A "quoted" title']
    assert "Web of Science ID: WOS:000000000000001" in records[0].item["extra"]


def test_an_empty_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty"):
        convert(write(tmp_path, b""))


def test_a_ris_file_is_not_a_csv_export(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a known CSV export"):
        convert(write(tmp_path, "TY  - JOUR\nTI  - A\nER  - \n"))
