"""Reading keeps memory flat in the number of records (a memory property, not timing)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from memory_helpers import generated_stream, traced_peak

from syncd.formats.records import RawRecord
from syncd.formats.ris import reader_lines
from syncd.formats.ris.reader import read_records


def records(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield (
            f"TY  - JOUR\nTI  - Title number {i}\nAU  - Doe, J.\nAU  - Roe, R.\n"
            f"AB  - An abstract for record {i}\nthat continues here.\nPY  - 2020\n"
            f"DO  - 10.1000/{i}\nER  - \n\n"
        ).encode()


def peak_while_reading(n: int) -> int:
    stream = generated_stream(records(n))
    return traced_peak(lambda: read_records(stream, "gen.ris"), RawRecord, n)


def test_peak_memory_does_not_grow_with_the_number_of_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Smaller blocks so that even the small file spans many of them: the property is
    # "bounded by the block size", which a file that fits in one block cannot show.
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 64 * 1024)
    small = peak_while_reading(5_000)
    large = peak_while_reading(50_000)
    assert large <= 1.5 * small, (small, large)
