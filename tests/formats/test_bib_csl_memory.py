"""Reading BibTeX and CSL-JSON keeps memory flat in the number of records (a memory
property, not timing): the readers hold one entry or item, and one block, at a time."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import BinaryIO

import pytest
from memory_helpers import generated_stream, traced_peak

from syncd.formats.bibtex.reader import BibEntry, read_entries
from syncd.formats.csljson.reader import CslItem, read_items
from syncd.formats.ris import reader_lines


def bibtex_entries(n: int) -> Iterator[bytes]:
    yield b'@string{jnl = "Journal of Tests"}\n'
    for i in range(n):
        yield (
            f'@article{{k{i},\n  author = {{Doe, J. and M{{\\"u}}ller, R.}},\n'
            f"  title = {{{{Title number {i}}}}},\n  journal = jnl,\n  year = 2020,\n"
            f"  abstract = {{An abstract for record {i}}},\n  doi = {{10.1000/{i}}}\n}}\n\n"
        ).encode()


def csl_items(n: int) -> Iterator[bytes]:
    yield b"[\n"
    for i in range(n):
        item = {"type": "article-journal", "title": f"Title number {i}", "DOI": f"10.1000/{i}"}
        yield ((", " if i else "") + json.dumps(item, indent=1) + "\n").encode()
    yield b"]\n"


def peak_while_reading(
    read: Callable[[BinaryIO, str], Iterator[object]],
    make: Callable[[int], Iterator[bytes]],
    kind: type,
    n: int,
) -> int:
    stream = generated_stream(make(n))
    return traced_peak(lambda: read(stream, "gen"), kind, n)


@pytest.mark.parametrize(
    ("read", "make", "kind"),
    [(read_entries, bibtex_entries, BibEntry), (read_items, csl_items, CslItem)],
    ids=["bibtex", "csljson"],
)
def test_peak_memory_does_not_grow_with_the_number_of_records(
    monkeypatch: pytest.MonkeyPatch,
    read: Callable[[BinaryIO, str], Iterator[object]],
    make: Callable[[int], Iterator[bytes]],
    kind: type,
) -> None:
    # Small blocks so that even the small file spans many of them.
    monkeypatch.setattr(reader_lines, "BLOCK_SIZE", 64 * 1024)
    small = peak_while_reading(read, make, kind, 2_000)
    large = peak_while_reading(read, make, kind, 20_000)
    assert large <= 1.5 * small, (small, large)
