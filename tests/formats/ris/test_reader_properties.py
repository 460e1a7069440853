"""Property tests: the reader only raises SyncdError, and written fields read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

from fuzz_helpers import PREFIXES, mutated
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncd.errors import SyncdError
from syncd.formats.records import RawRecord
from syncd.formats.ris import reader_lines
from syncd.formats.ris.reader import looks_like_ris, read_records

FIXTURES = Path(__file__).parents[2] / "fixtures"
SEEDS: list[bytes] = [(FIXTURES / "seed_scopus_pure.ris").read_bytes()] + [
    case["input"].encode("utf-8")
    for case in json.loads((FIXTURES / "zotero-ris-testcases.json").read_text("utf-8"))
    if len(case["input"]) < 20_000
]

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_all(data: bytes) -> None:
    try:
        for _ in read_records(io.BytesIO(data), "prop.ris"):
            pass
    except SyncdError:
        pass


@SETTINGS
@given(st.binary(max_size=4000))
def test_arbitrary_bytes_raise_only_syncd_errors(data: bytes) -> None:
    read_all(data)
    looks_like_ris(data)


@SETTINGS
@given(mutated(SEEDS, prefixes=PREFIXES))
def test_mutated_real_records_raise_only_syncd_errors(data: bytes) -> None:
    read_all(data)


TAGS = st.from_regex(r"\A[A-Z][A-Z0-9]\Z").filter(lambda t: t not in ("TY", "ER"))
VALUES = st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=40).map(
    str.strip
)
RECORD = st.tuples(
    st.sampled_from(["JOUR", "BOOK", "CHAP", "GEN"]),
    st.lists(st.tuples(TAGS, VALUES), max_size=12),
)


@SETTINGS
@given(
    st.lists(RECORD, min_size=1, max_size=5),
    st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]),
    st.sampled_from(["\n", "\r\n", "\r"]),
    st.sampled_from(["  - ", " - "]),
)
def test_written_fields_read_back(
    records: list[tuple[str, list[tuple[str, str]]]], encoding: str, eol: str, sep: str
) -> None:
    lines: list[str] = []
    for ty, fields in records:
        lines.append(f"TY{sep}{ty}")
        lines.extend(f"{tag}{sep}{value}" for tag, value in fields)
        lines.append("ER  - ")
    data = eol.join(lines).encode(encoding)
    out = list(read_records(io.BytesIO(data), "rt.ris"))
    assert all(isinstance(o, RawRecord) for o in out)
    got = [[(f.tag, f.value) for f in o.fields] for o in out if isinstance(o, RawRecord)]
    assert got == [[("TY", ty), *fields] for ty, fields in records]


def outcome(data: bytes) -> list[object]:
    try:
        return list(read_records(io.BytesIO(data), "prop.ris"))
    except SyncdError as exc:
        return [type(exc).__name__, str(exc)]


@SETTINGS
@given(mutated(SEEDS, prefixes=PREFIXES), st.integers(1, 300))
def test_block_size_does_not_change_the_outcome(data: bytes, block: int) -> None:
    expected = outcome(data)
    saved = reader_lines.BLOCK_SIZE
    reader_lines.BLOCK_SIZE = block
    try:
        got = outcome(data)
    finally:
        reader_lines.BLOCK_SIZE = saved
    assert got == expected


CP1252_TEXT = st.text(
    st.characters(codec="cp1252", blacklist_categories=("Cc", "Cs", "Zl", "Zp")), max_size=30
).map(str.strip)


@SETTINGS
@given(st.lists(st.tuples(TAGS, CP1252_TEXT, st.booleans()), min_size=1, max_size=15))
def test_encoding_is_decided_per_line(fields: list[tuple[str, str, bool]]) -> None:
    # Each line is written in UTF-8 or in cp1252 at random; every one must read back.
    lines = [b"TY  - JOUR"]
    for tag, value, as_cp1252 in fields:
        line = f"{tag}  - {value}"
        raw = line.encode("cp1252") if as_cp1252 else line.encode("utf-8")
        if as_cp1252 and not line.isascii():
            # A cp1252 line that happens to be valid UTF-8 is (rightly) read as UTF-8.
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                pass
            else:
                return
        lines.append(raw)
    lines.append(b"ER  - ")
    out = list(read_records(io.BytesIO(b"\n".join(lines)), "mixed.ris"))
    records = [o for o in out if isinstance(o, RawRecord)]
    assert [(f.tag, f.value) for f in records[0].fields[1:]] == [(t, v) for t, v, _ in fields]
