"""Behaviour of the streaming RIS reader on small inline inputs and the fixtures."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from syncd.errors import InputError, NotRisError
from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.ris.reader import looks_like_ris, read_file, read_records

FIXTURES = Path(__file__).parents[2] / "fixtures"


def read(data: bytes | str) -> tuple[list[RawRecord], list[ReadProblem]]:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    out = list(read_records(io.BytesIO(raw), "test.ris"))
    return (
        [o for o in out if isinstance(o, RawRecord)],
        [o for o in out if isinstance(o, ReadProblem)],
    )


def pairs(record: RawRecord) -> list[tuple[str, str]]:
    return [(f.tag, f.value) for f in record.fields]


def test_seed_file_one_space_form() -> None:
    items = list(read_file(FIXTURES / "seed_scopus_pure.ris"))
    assert len(items) == 1
    rec = items[0]
    assert isinstance(rec, RawRecord)
    assert rec.first("TY") == "JOUR"
    assert len(rec.all("AU")) == 13
    assert rec.all("UR")[1].startswith("http://www.scopus.com/inward/citedby.url")
    assert rec.first("M1") == "273291"
    assert (rec.start_line, rec.end_line, rec.index) == (1, 32, 0)
    assert rec.file.endswith("seed_scopus_pure.ris")
    assert "ER" not in [f.tag for f in rec.fields]


def test_fixture_inputs_give_the_expected_number_of_records() -> None:
    cases = json.loads((FIXTURES / "zotero-ris-testcases.json").read_text("utf-8"))
    for case in cases:
        records, problems = read(case["input"])
        assert len(records) == len(case["items"]), case["input"][:60]
        assert [r.index for r in records] == list(range(len(records)))
        assert not [p for p in problems if p.severity == "error"]


def test_tag_line_forms() -> None:
    records, _ = read("TY - JOUR\nTI  -Title\nAU  -  Doe, J  \nN1  -\nER  -\n")
    assert pairs(records[0]) == [("TY", "JOUR"), ("TI", "Title"), ("AU", "Doe, J"), ("N1", "")]
    assert [f.line for f in records[0].fields] == [1, 2, 3, 4]
    assert (records[0].start_line, records[0].end_line) == (1, 5)


def test_er_with_trailing_space_and_without() -> None:
    records, problems = read("TY  - JOUR\nTI  - a\nER  - \nTY  - BOOK\nTI  - b\nER  -")
    assert [r.first("TI") for r in records] == ["a", "b"]
    assert problems == []


def test_continuation_non_paragraph_tag_joins_with_space() -> None:
    records, _ = read(
        "TY  - JOUR\nT1  - Blood-brain barrier breach following\n"
        "cortical contusion in the rat\n\nER  - \n"
    )
    assert records[0].first("T1") == (
        "Blood-brain barrier breach following cortical contusion in the rat"
    )


def test_continuation_paragraph_tag_short_lines_join_with_newline() -> None:
    records, _ = read("TY  - JOUR\nAB  - first\nsecond\n\nthird\nER  - \n")
    assert records[0].first("AB") == "first\nsecond\n\nthird"


def test_continuation_paragraph_tag_hard_wrapped_joins_with_space() -> None:
    a = "AB  - " + "x" * 70
    b = "y" * 70
    records, _ = read(f"TY  - JOUR\n{a}\n{b}\nER  - \n")
    assert records[0].first("AB") == "x" * 70 + " " + "y" * 70


def test_continuation_paragraph_tag_after_long_line_joins_with_newline() -> None:
    long_title = "TI  - " + "t" * 90
    a = "AB  - " + "x" * 70
    b = "y" * 70
    records, _ = read(f"TY  - JOUR\n{long_title}\n{a}\n{b}\nER  - \n")
    assert records[0].first("AB") == "x" * 70 + "\n" + "y" * 70


def test_continuation_keyword_lines_join_with_newline() -> None:
    records, _ = read("TY  - JOUR\nKW  - one\ntwo\nL1  - a.pdf\nb.pdf\nER  - \n")
    assert records[0].first("KW") == "one\ntwo"
    assert records[0].first("L1") == "a.pdf\nb.pdf"


def test_header_before_first_ty_is_skipped_silently() -> None:
    text = "Provider: Example\nDatabase: Scopus\nContent: text/plain\n\nTY  - JOUR\nER  - \n"
    records, problems = read(text)
    assert records[0].start_line == 5
    assert problems == []


def test_missing_er_between_and_at_end() -> None:
    records, problems = read("TY  - JOUR\nTI  - a\n\nTY  - BOOK\nTI  - b\n")
    assert [(r.start_line, r.end_line) for r in records] == [(1, 2), (4, 5)]
    assert [(p.line, p.severity) for p in problems] == [(4, "warning"), (5, "warning")]
    assert "missing ER before line 4" in problems[0].message


def test_record_without_ty_is_kept_and_reported() -> None:
    records, problems = read("TY  - JOUR\nER  - \nAU  - Doe\nTI  - x\nER  - \n")
    assert pairs(records[1]) == [("AU", "Doe"), ("TI", "x")]
    assert [(p.line, p.severity) for p in problems] == [(3, "warning")]
    assert "without TY" in problems[0].message


def test_er_without_record_is_ignored() -> None:
    records, problems = read("ER  - \nTY  - JOUR\nER  - \nER  - \n")
    assert len(records) == 1
    assert problems == []


def test_line_endings_crlf_cr_and_separators() -> None:
    records, _ = read("TY  - JOUR\r\nTI  - a\u2028b\rAU  - c\nER  - \r")
    assert pairs(records[0]) == [("TY", "JOUR"), ("TI", "a b"), ("AU", "c")]
    assert [f.line for f in records[0].fields] == [1, 2, 3]


def test_bom_and_indentation_before_first_ty() -> None:
    records, _ = read(b"\xef\xbb\xbf  TY  - JOUR\nER  - \n")
    assert records[0].first("TY") == "JOUR"


def test_invalid_utf8_line_is_read_as_cp1252_and_reported_once() -> None:
    data = "TY  - JOUR\nTI  - caf\u00e9\nAU  - M\u00fcller\nER  - \n".encode()
    data = data.replace("M\u00fcller".encode(), "M\u00fcller".encode("cp1252"))
    records, problems = read(data)
    assert records[0].first("TI") == "caf\u00e9"
    assert records[0].first("AU") == "M\u00fcller"
    assert [(p.line, p.severity) for p in problems] == [(3, "warning")]
    assert "Windows-1252" in problems[0].message


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "empty file"),
        (b"  \n\n\t\n", "only whitespace"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b"@article{key,\n  title = {x}\n}\n", "BibTeX (@article{ at line 1)"),
        (b"PMID- 123\nTI  - x\n", "MEDLINE"),
        (b"hello\nworld\n", "text with no RIS tag lines"),
        (b"ER  - \nER  - \n", "only ER"),
    ],
)
def test_not_ris(data: bytes, expected: str) -> None:
    with pytest.raises(NotRisError) as info:
        read(data)
    assert expected in str(info.value)


def test_read_error_is_wrapped() -> None:
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, b: object) -> int:
            raise OSError(5, "Input/output error")

    with pytest.raises(InputError, match="could not read"):
        list(read_records(io.BufferedReader(Broken()), "broken.ris"))


def test_read_file_missing_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot open"):
        read_file(tmp_path / "nope.ris")


def test_looks_like_ris() -> None:
    assert looks_like_ris(b"Provider: x\r\n\r\nTY  - JOUR\r\n")
    assert looks_like_ris("TY - JOUR\n".encode("utf-16"))
    assert looks_like_ris(b"\xef\xbb\xbfTY  - JOUR\n")
    assert not looks_like_ris(b"@article{x,\n}\n")
    assert not looks_like_ris(b"")
    assert not looks_like_ris(b"\x89PNG\r\n\x1a\n\x00\x00")


def test_record_fields_come_from_its_parallel_tuples() -> None:
    # The reader fills tags/values/lines; fields, first() and all() read them.
    from syncd.formats.records import Field

    rec = RawRecord(("TY", "AU", "AU"), ("JOUR", "Doe, J", "Roe, K"), (3, 4, 6), "f.ris", 3, 7, 0)
    assert rec.fields == (
        Field("TY", "JOUR", 3),
        Field("AU", "Doe, J", 4),
        Field("AU", "Roe, K", 6),
    )
    assert rec.first("AU") == "Doe, J" and rec.first("TI") is None
    assert rec.all("AU") == ["Doe, J", "Roe, K"]
    assert RawRecord.from_fields(rec.fields, "f.ris", 3, 7, 0) == rec


def test_runs_and_slow_path_agree() -> None:
    # Same record in the two-space form (read in bulk runs) and in the no-space form
    # (every line through the per-line path).
    body = ["TI  - Title", "AU  - Doe, J", "AB  - Text", "more", "KW  - a", "PY  - 2020"]
    fast, _ = read("TY  - JOUR\n" + "\n".join(body) + "\nER  - \n")
    slow, _ = read(
        "TY -JOUR\n" + "\n".join(line.replace("  - ", " -") for line in body) + "\nER -\n"
    )
    assert fast[0] == slow[0]


def test_separator_swallows_one_adjacent_space_like_ris_js() -> None:
    # Expected values are what RIS.js's replace(/\s?[\u2028\u2029]|[\u2028\u2029]\s?/g,
    # " ") gives for the same line (checked with node): a space before a separator is
    # eaten, a space after one is not when the first alternative already matched.
    records, _ = read("TY  - JOUR\nTI  - a \u2028b\u2029 c\u2028\u2028d\nER  - \n")
    assert records[0].first("TI") == "a b  c d"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_file_broken_by_separators_only_reads_like_the_lf_file(separator: str) -> None:
    seed = (Path(__file__).parents[2] / "fixtures" / "seed_scopus_pure.ris").read_bytes()
    lf = seed.decode("utf-8").replace("\r\n", "\n")
    expected, _ = read(lf)
    records, problems = read(lf.replace("\n", separator))
    assert [r.fields for r in records] == [r.fields for r in expected]
    assert len(records[0].all("AU")) == 13
    assert not [p for p in problems if p.severity != "info"]
    assert looks_like_ris(("Provider: x" + separator + lf).encode("utf-8"))


def test_a_separator_before_a_tag_ends_the_line_in_an_lf_file() -> None:
    records, _ = read("TY  - JOUR\nTI  - a\u2028b\u2028PY  - 2020\nER  - \n")
    assert [(f.tag, f.value) for f in records[0].fields] == [
        ("TY", "JOUR"),
        ("TI", "a b"),
        ("PY", "2020"),
    ]


def test_header_lines_do_not_count_towards_the_longest_line() -> None:
    # RIS.js only measures lines from the first tag on: a long exporter header must
    # not turn hard-wrapped abstract lines into separate lines.
    header = "Note: " + "h" * 120
    a = "AB  - " + "x" * 70
    b = "y" * 70
    records, _ = read(f"{header}\n\nTY  - JOUR\n{a}\n{b}\nER  - \n")
    assert records[0].first("AB") == "x" * 70 + " " + "y" * 70


def test_join_keeps_tag_line_trailing_spaces_like_ris_js() -> None:
    # RIS.js joins onto the untrimmed tag-line value and trims only at the end.
    records, _ = read("TY  - JOUR\nAB  - a  \nsecond\nTI  - t  \n\nmore\nER  - \n")
    assert records[0].first("AB") == "a  \nsecond"
    # A blank line adds a space to a non-paragraph value; the next line then adds none.
    assert records[0].first("TI") == "t  more"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_even_when_mostly_cjk(codec: str) -> None:
    abstract = "\u6f22\u5b57\u4e2d\u6587" * 40
    text = f"TY  - JOUR\r\nTI  - \u65e5\u672c\u8a9e\r\nAB  - {abstract}\r\nER  - \r\n"
    records, problems = read(text.encode(codec))
    assert records[0].first("AB") == abstract
    assert problems == []
