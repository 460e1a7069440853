"""The mapping's working copy of a field: tag, value, line, as a native class.

The reader hands over :class:`syncd.ris.records.Field` objects, a plain Python
dataclass that the reader builds in bulk. Under mypyc (setup.py) a compiled
module reads such an object's attributes through the generic attribute lookup
and builds new ones through a Python-level ``__init__``; this class compiles to
a C struct, so the rewrites of the dialects and cleaners read and build fields
many times cheaper. ``map_record`` copies the record's fields into it once.
"""

from __future__ import annotations

from collections.abc import Iterable

from syncd.ris.records import Field


class Tagged:
    """One field of the record being mapped (``Field``'s shape, mutable-free)."""

    __slots__ = ("line", "tag", "value")

    def __init__(self, tag: str, value: str, line: int) -> None:
        self.tag = tag
        self.value = value
        self.line = line

    def __repr__(self) -> str:
        return f"Tagged({self.tag!r}, {self.value!r}, {self.line})"


def tagged(fields: Iterable[Field]) -> list[Tagged]:
    """The record's fields as the mapping's working copies, in order."""
    return [Tagged(f.tag, f.value, f.line) for f in fields]
