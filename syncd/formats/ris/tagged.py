"""The mapping's working copy of a field: tag, value, line, as a native class.

The reader hands over a record as tuples of tags, values and lines, and the
dialect rewrites and cleaners work on a list of fields that they read, replace
and reorder many times. Under mypyc (setup.py) this class compiles to a C
struct, so those reads and rewrites cost a fraction of what they cost on Python
objects; ``map_record`` copies the record's fields into it once.
"""

from __future__ import annotations

from syncd.formats.records import RawRecord


class Tagged:
    """One field of the record being mapped (``Field``'s shape, mutable-free)."""

    __slots__ = ("line", "tag", "value")

    def __init__(self, tag: str, value: str, line: int) -> None:
        self.tag = tag
        self.value = value
        self.line = line

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r}, {self.value!r}, {self.line})"


def tagged(record: RawRecord) -> list[Tagged]:
    """The record's fields as the mapping's working copies, in order."""
    tags, values, lines = record.tags, record.values, record.lines
    return [Tagged(tags[i], values[i], lines[i]) for i in range(len(tags))]
