"""Expected outcome of every file in tests/corpus/malformed/, plus generated big cases."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from syncd.errors import NotRisError
from syncd.formats.records import RawRecord, ReadProblem
from syncd.formats.ris import reader, reader_lines
from syncd.formats.ris.reader import read_file, read_records

MALFORMED = Path(__file__).parents[2] / "corpus" / "malformed"

# (start_line, end_line, first non-TY value) per record, in order.
Rec = tuple[int, int, str]
# (severity, line, message substring) per problem, in order.
Prob = tuple[str, int | None, str]
GOOD_1: Rec = (1, 5, "First")

READS: dict[str, tuple[list[Rec], list[Prob]]] = {
    "missing_er_at_end.ris": (
        [GOOD_1, (6, 7, "Last")],
        [("warning", 7, "missing ER at the end of the file")],
    ),
    "missing_er_between.ris": (
        [(1, 2, "First"), (4, 6, "Second")],
        [("warning", 4, "missing ER before line 4; the record before it ends at line 2")],
    ),
    "nested_ty.ris": (
        [(1, 3, "Outer"), (4, 6, "Inner"), (7, 11, "Second")],
        [("warning", 4, "missing ER before line 4")],
    ),
    "er_without_record.ris": ([(2, 6, "First"), (9, 13, "Second")], []),
    "record_without_ty.ris": (
        [GOOD_1, (6, 8, "No type"), (9, 13, "Second")],
        [("warning", 6, "record without TY at line 6")],
    ),
    "truncated_mid_line.ris": (
        [GOOD_1, (6, 8, "Cut off")],
        [("warning", 8, "missing ER at the end")],
    ),
    "nul_bytes.ris": (
        [GOOD_1, (6, 8, "Nulled title"), (9, 13, "Second")],
        [("warning", 7, "removed 2 NUL and other control character(s) from 1 line(s)")],
    ),
    "invalid_utf8_middle.ris": (
        [GOOD_1, (6, 8, "Bad \u00ff byte"), (9, 13, "Second")],
        [("warning", 7, "1 line(s) are not valid UTF-8 and were read as Windows-1252")],
    ),
    "control_chars.ris": (
        [GOOD_1, (6, 8, "Bell and escape")],
        [("warning", 7, "removed 2 control character(s)")],
    ),
    "crlf_cr_mixed.ris": ([(1, 4, "One"), (5, 6, "")], []),
    "lowercase_tags.ris": (
        [(1, 4, "Title au  - Doe, J"), (5, 9, "Second")],
        [("warning", 3, "look like tag lines but are indented or lowercase")],
    ),
    "leading_space_tags.ris": (
        [GOOD_1, (9, 13, "Second")],
        [("warning", 6, "skipped text that is not RIS between records (lines 6-8)")],
    ),
    "header_before_ty.ris": ([(5, 9, "First")], []),
    "garbage_between_records.ris": (
        [GOOD_1, (11, 15, "Second")],
        [("warning", 7, "(lines 7-9)")],
    ),
    "tag_without_value.ris": ([(1, 6, "Has empties")], []),
    "tag_forms.ris": ([(1, 4, "No space")], []),
    "concatenated_with_bom.ris": ([GOOD_1, (6, 10, "Second")], []),
    "trailing_text.ris": (
        [GOOD_1],
        [("warning", 7, "skipped text that is not RIS after the last record (lines 7-8)")],
    ),
    "truncated_utf16.ris": (
        [GOOD_1, (6, 10, "Second")],
        [("warning", 10, "1 undecodable UTF-16/32 code unit(s)")],
    ),
}

NOT_RIS: dict[str, str] = {
    "empty.ris": "empty file",
    "whitespace_only.ris": "only whitespace",
    "binary_png.ris": "binary data (a PNG image)",
    "random_bytes.ris": "binary data",
    "bibtex.ris": "looks like BibTeX (@article{ at line 1)",
    "medline.nbib": "looks like PubMed MEDLINE/nbib format (PMID- tags)",
    "endnote.enw": "EndNote",
    "html_page.ris": "XML or HTML",
    "lowercase_only.ris": "lowercase or indented tags (line 1)",
    "only_er.ris": "only ER",
}


def split(out: list[RawRecord | ReadProblem]) -> tuple[list[Rec], list[Prob]]:
    recs: list[Rec] = []
    probs: list[Prob] = []
    for item in out:
        if isinstance(item, RawRecord):
            rest = [f.value for f in item.fields if f.tag != "TY"]
            recs.append((item.start_line, item.end_line, rest[0] if rest else ""))
        else:
            probs.append((item.severity, item.line, item.message))
    return recs, probs


def test_every_corpus_file_has_an_expectation() -> None:
    names = {p.name for p in MALFORMED.iterdir()}
    assert names == set(READS) | set(NOT_RIS)
    assert len(names) >= 22


@pytest.mark.parametrize("name", sorted(READS))
def test_malformed_file_reads(name: str) -> None:
    recs, probs = split(list(read_file(MALFORMED / name)))
    want_recs, want_probs = READS[name]
    assert recs == want_recs
    assert len(probs) == len(want_probs), probs
    for (sev, line, msg), (want_sev, want_line, want_msg) in zip(probs, want_probs, strict=True):
        assert (sev, line) == (want_sev, want_line)
        assert want_msg in msg


@pytest.mark.parametrize("name", sorted(NOT_RIS))
def test_malformed_file_is_not_ris(name: str) -> None:
    with pytest.raises(NotRisError) as info:
        list(read_file(MALFORMED / name))
    assert NOT_RIS[name] in str(info.value)
    assert info.value.file == str(MALFORMED / name)


def test_problems_come_in_file_order() -> None:
    out = list(read_file(MALFORMED / "record_without_ty.ris"))
    kinds = [type(o).__name__ for o in out]
    assert kinds == ["RawRecord", "ReadProblem", "RawRecord", "RawRecord"]


def test_ten_megabyte_single_line(tmp_path: Path) -> None:
    big = "x" * (10 * 1024 * 1024)
    path = tmp_path / "big_line.ris"
    path.write_text(f"TY  - JOUR\nAB  - {big}\nTI  - after\nER  - \n", "ascii")
    (rec,) = [o for o in read_file(path)]
    assert isinstance(rec, RawRecord)
    assert rec.first("AB") == big
    assert rec.first("TI") == "after"
    assert rec.end_line == 4


def test_ten_thousand_authors(tmp_path: Path) -> None:
    path = tmp_path / "many_authors.ris"
    authors = "".join(f"AU  - Author{i}, A.\n" for i in range(10_000))
    path.write_text(f"TY  - JOUR\n{authors}ER  - \nTY  - BOOK\nTI  - next\nER  - \n", "ascii")
    out = list(read_file(path))
    assert [type(o) for o in out] == [RawRecord, RawRecord]
    first = out[0]
    assert isinstance(first, RawRecord)
    assert len(first.all("AU")) == 10_000
    assert first.all("AU")[-1] == "Author9999, A."
    assert (first.start_line, first.end_line) == (1, 10_002)


@pytest.mark.parametrize("block", [1, 7, 64])
@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_over_the_cap_is_skipped_and_reported(
    block: int, eol: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", block)
    monkeypatch.setattr(reader_lines, "MAX_LINE_BYTES", 1000)
    lines = [b"TY  - JOUR", b"TI  - ok", b"AB  - " + b"y" * 5000, b"AU  - Doe", b"ER  - "]
    data = eol.join(lines) + eol
    recs, probs = split(list(read_records(io.BytesIO(data), "cap.ris")))
    assert recs == [(1, 5, "ok")]
    assert probs == [("error", 3, "line 3 is longer than 0 MiB and was skipped")]


def test_record_over_the_cap_is_dropped_and_neighbours_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 256)
    monkeypatch.setattr(reader, "MAX_RECORD_CHARS", 2000)
    huge = "".join(f"AU  - Author {i}\n" for i in range(500))
    text = f"TY  - JOUR\nTI  - a\nER  - \nTY  - JOUR\n{huge}ER  - \nTY  - JOUR\nTI  - c\nER  - \n"
    recs, probs = split(list(read_records(io.BytesIO(text.encode()), "cap.ris")))
    assert recs == [(1, 3, "a"), (506, 508, "c")]
    assert [(s, line) for s, line, _ in probs] == [("error", 4)]
    assert "record at lines 4-505 is larger than" in probs[0][2]


@pytest.mark.parametrize("block", [1, 2, 3, 7, 64])
def test_block_boundaries_do_not_change_the_result(
    block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Multi-byte characters, CRLF pairs and a cp1252 line cut at every possible place.
    data = (
        "TY  - JOUR\r\nTI  - Caf\u00e9 \u2014 \u6f22\u5b57\r\nAB  - one\r\ntwo\r\n".encode()
        + "AU  - M\u00fcller\r\n".encode("cp1252")
        + b"ER  - \r\nTY  - BOOK\rTI  - b\rER  - \r"
    )
    want = list(read_records(io.BytesIO(data), "b.ris"))
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", block)
    got = list(read_records(io.BytesIO(data), "b.ris"))
    assert got == want
    recs, probs = split(got)
    assert recs == [(1, 6, "Caf\u00e9 \u2014 \u6f22\u5b57"), (7, 9, "b")]
    assert [(s, line) for s, line, _ in probs] == [("warning", 5)]


def test_utf16_block_boundaries(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "TY  - JOUR\r\nTI  - \u00e9\u6f22\U0001f600\r\nER  - \r\n"
    data = b"\xff\xfe" + text.encode("utf-16-le")
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 3)
    recs, probs = split(list(read_records(io.BytesIO(data), "w.ris")))
    assert recs == [(1, 3, "\u00e9\u6f22\U0001f600")]
    assert probs == []


def test_continuation_after_a_skipped_line_joins_the_field_before(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 64)
    monkeypatch.setattr(reader_lines, "MAX_LINE_BYTES", 1000)
    data = b"TY  - JOUR\nTI  - t\nAB  - " + b"y" * 5000 + b"\ncontinued\nER  - \n"
    out = list(read_records(io.BytesIO(data), "skip.ris"))
    records = [o for o in out if isinstance(o, RawRecord)]
    assert [(f.tag, f.value) for f in records[0].fields] == [("TY", "JOUR"), ("TI", "t continued")]
