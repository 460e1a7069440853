"""Plain data passed from the RIS reader to the mapping."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Field:
    """One tag and its value, continuation lines already joined.

    ``value`` is trimmed; it may be empty (``ER  -``, ``N1  -``). ``line`` is the
    1-based line number of the tag line in the file.
    """

    tag: str
    value: str
    line: int


@dataclass(frozen=True, slots=True)
class RawRecord:
    """One record as read from a file, in file order, before any mapping.

    The record holds every tag line including ``TY`` (when present) but not
    ``ER``, as three parallel tuples: ``tags``, ``values`` and ``lines`` (see
    :class:`Field`). ``fields`` gives them as Field objects. The reader fills
    the tuples directly because building a Field per line was a third of its
    time, and the mapping reads the tuples. ``start_line``/``end_line`` span
    the record in the file (1-based, inclusive). ``index`` counts records in
    the file from 0.
    """

    tags: tuple[str, ...]
    values: tuple[str, ...]
    lines: tuple[int, ...]
    file: str
    start_line: int
    end_line: int
    index: int

    @classmethod
    def from_fields(
        cls, fields: Iterable[Field], file: str, start_line: int, end_line: int, index: int
    ) -> RawRecord:
        items = list(fields)
        return cls(
            tuple(f.tag for f in items),
            tuple(f.value for f in items),
            tuple(f.line for f in items),
            file,
            start_line,
            end_line,
            index,
        )

    @property
    def fields(self) -> tuple[Field, ...]:
        return tuple(map(Field, self.tags, self.values, self.lines))

    def first(self, tag: str) -> str | None:
        for t, value in zip(self.tags, self.values, strict=True):
            if t == tag:
                return value
        return None

    def all(self, tag: str) -> list[str]:
        return [value for t, value in zip(self.tags, self.values, strict=True) if t == tag]


@dataclass(frozen=True, slots=True)
class ReadProblem:
    """Something the reader or the mapping wants the user to know about.

    ``severity`` is ``"error"`` when a record (or part of one) was lost or could
    not be understood, ``"warning"`` when data was kept but handled specially
    (an encoding fallback, a value moved to Extra), ``"info"`` for notes.
    """

    file: str
    line: int | None
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"
