"""Damaged copies of real exports for the readers' hypothesis tests, one strategy for
every format."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

# What a file may start with besides its text: nothing, a UTF-8, UTF-16 LE or BE BOM, NUL.
PREFIXES = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00")


@st.composite
def mutated(
    draw: st.DrawFn,
    seeds: Sequence[bytes],
    *,
    special: Sequence[bytes] = (),
    prefixes: Sequence[bytes] = (b"",),
) -> bytes:
    """One of ``seeds`` after one to eight edits (a bit flipped; a random run of bytes or
    one of the format's ``special`` tokens inserted; a run deleted; the rest cut off),
    behind one of ``prefixes``."""
    data = bytearray(draw(st.sampled_from(seeds)))
    inserted = st.binary(min_size=1, max_size=8)
    if special:
        inserted = st.sampled_from(special) | inserted
    for _ in range(draw(st.integers(1, 8))):
        kind = draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
        pos = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "flip" and data:
            data[pos] ^= 1 << draw(st.integers(0, 7))
        elif kind == "insert":
            data[pos:pos] = draw(inserted)
        elif kind == "delete":
            del data[pos : pos + draw(st.integers(1, 64))]
        else:
            del data[pos:]
    return draw(st.sampled_from(prefixes)) + bytes(data)
