"""A malformed BibTeX corpus: each file a clear outcome, good entries beside bad ones
still read."""

from __future__ import annotations

from pathlib import Path

import pytest
from bibtex_helpers import convert_text

from syncd.errors import InputError
from syncd.formats.records import ConvertedRecord

GOOD_A = "@article{a, title = {First good}, year = 2020}\n"
GOOD_B = "@article{b, title = {Second good}, year = 2021}\n"


def _titles(records: list[ConvertedRecord]) -> list[str]:
    return [r.item["title"] for r in records]


def test_a_truncated_file_keeps_the_entries_before_the_cut(tmp_path: Path) -> None:
    records, problems = convert_text(tmp_path, GOOD_A + GOOD_B + "@article{c, title = {Cut of")
    assert _titles(records) == ["First good", "Second good"]
    (error,) = [p for p in problems if p.severity == "error"]
    assert error.line == 3 and "the file ends inside it" in error.message


def test_an_entry_with_unbalanced_braces_is_cut_at_the_next_entry(tmp_path: Path) -> None:
    broken = "@article{bad,\n  title = {Never {closed},\n  year = 2020\n"
    records, problems = convert_text(tmp_path, GOOD_A + broken + GOOD_B)
    assert _titles(records) == ["First good", "Second good"]
    (error,) = [p for p in problems if p.severity == "error"]
    assert error.line == 2 and "unbalanced braces" in error.message


def test_an_entry_with_a_syntax_error_is_skipped_with_its_line(tmp_path: Path) -> None:
    records, problems = convert_text(tmp_path, GOOD_A + "@article{bad,\n  title {x}}\n" + GOOD_B)
    assert _titles(records) == ["First good", "Second good"]
    (error,) = [p for p in problems if p.severity == "error"]
    assert error.line == 3 and "expected '='" in error.message


def test_a_missing_comma_between_fields_is_forgiven(tmp_path: Path) -> None:
    records, _ = convert_text(tmp_path, "@article{k,\n title = {T}\n year = {2020}}\n")
    assert records[0].item["date"] == "2020"


def test_a_windows_1252_file_is_read_with_one_warning(tmp_path: Path) -> None:
    text = "@article{k, title = {Universität Trier}, author = {Müller, Hans}}\n"
    records, problems = convert_text(tmp_path, text.encode("cp1252"))
    assert records[0].item["title"] == "Universität Trier"
    assert records[0].item["creators"][0]["lastName"] == "Müller"
    assert [p.severity for p in problems] == ["warning"]
    assert "Windows-1252" in problems[0].message


def test_a_utf16_file_with_a_bom_is_read(tmp_path: Path) -> None:
    records, _ = convert_text(tmp_path, ("\ufeff" + GOOD_A).encode("utf-16-le"))
    assert _titles(records) == ["First good"]


def test_ris_mixed_into_a_bibtex_file_is_reported_and_the_entries_read(tmp_path: Path) -> None:
    ris = "TY  - JOUR\nTI  - A RIS record\nER  - \n"
    records, problems = convert_text(tmp_path, GOOD_A + ris + GOOD_B)
    assert _titles(records) == ["First good", "Second good"]
    (warning,) = problems
    assert warning.line == 2 and "3 line(s) of text outside BibTeX entries" in warning.message


def test_an_at_sign_in_running_text_starts_no_entry(tmp_path: Path) -> None:
    records, _ = convert_text(tmp_path, "Mail me at jane@example.org, thanks.\n" + GOOD_A)
    assert _titles(records) == ["First good"]


def test_an_undefined_macro_is_kept_as_its_name(tmp_path: Path) -> None:
    records, _ = convert_text(tmp_path, "@article{k, title = {T}, journal = jnl}\n")
    assert records[0].item["publicationTitle"] == "jnl"


@pytest.mark.parametrize(
    "content",
    [b"", b"%PDF-1.7\n\x00\x01binary", b"TY  - JOUR\nTI  - only RIS\nER  - \n", b"@comment{x}"],
    ids=["empty", "pdf", "ris", "only-a-comment"],
)
def test_a_file_without_entries_is_an_input_error(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(InputError, match="no BibTeX entry found"):
        convert_text(tmp_path, content)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    from syncd.formats import bibtex
    from syncd.schema import bundled_schema

    with pytest.raises(InputError, match="cannot open the file"):
        list(bibtex.convert(tmp_path / "nope.bib", bundled_schema()))
