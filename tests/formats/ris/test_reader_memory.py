"""Reading keeps memory flat in the number of records (a memory property, not timing)."""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Iterator

import pytest

from syncd.formats.records import RawRecord
from syncd.formats.ris import reader_lines
from syncd.formats.ris.reader import read_records


class GeneratedFile(io.RawIOBase):
    """A read-only binary file whose bytes come from a generator, never all in memory."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        n = min(len(target), len(self._buffer))
        target[:n] = self._buffer[:n]
        self._buffer = self._buffer[n:]
        return n


def records(n: int) -> Iterator[bytes]:
    for i in range(n):
        yield (
            f"TY  - JOUR\nTI  - Title number {i}\nAU  - Doe, J.\nAU  - Roe, R.\n"
            f"AB  - An abstract for record {i}\nthat continues here.\nPY  - 2020\n"
            f"DO  - 10.1000/{i}\nER  - \n\n"
        ).encode()


def peak_while_reading(n: int) -> int:
    stream = io.BufferedReader(GeneratedFile(records(n)), buffer_size=1 << 16)
    tracemalloc.start()
    try:
        count = sum(1 for o in read_records(stream, "gen.ris") if isinstance(o, RawRecord))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == n
    return peak


def test_peak_memory_does_not_grow_with_the_number_of_records(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Smaller blocks so that even the small file spans many of them: the property is
    # "bounded by the block size", which a file that fits in one block cannot show.
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 64 * 1024)
    small = peak_while_reading(5_000)
    large = peak_while_reading(50_000)
    assert large <= 1.5 * small, (small, large)
