"""Reading and mapping EndNote XML, PubMed XML and CSV keeps memory flat in the number
of records (a memory property, not timing): files of the benchmark's records."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from bench_xml_csv import generate
from memory_helpers import traced_peak

from syncd.formats.records import ConvertedRecord
from syncd.formats.ris import reader_lines
from syncd.schema import bundled_schema


def peak_while_converting(fmt: str, path: Path, n: int) -> int:
    convert = importlib.import_module(f"syncd.formats.{fmt}").convert
    schema = bundled_schema()
    return traced_peak(lambda: convert(path, schema), ConvertedRecord, n)


@pytest.mark.parametrize("fmt", ["endnote_xml", "pubmed_xml", "csv"])
def test_peak_memory_does_not_grow_with_the_number_of_records(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small blocks, so that the small file spans many of them too.
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 64 * 1024)
    peaks = []
    for n in (50, 200, 2_000):  # the first warms the caches (schema, type lookups)
        path = tmp_path / f"{fmt}-{n}"
        generate(fmt, path, n)
        peaks.append(peak_while_converting(fmt, path, n))
    small, large = peaks[1], peaks[2]
    assert large <= 1.5 * small, (small, large)
