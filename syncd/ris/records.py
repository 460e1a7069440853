"""Plain data passed from the RIS reader to the mapping."""

from __future__ import annotations

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

    ``fields`` holds every tag line of the record including ``TY`` (when present)
    but not ``ER``. ``start_line``/``end_line`` span the record in the file
    (1-based, inclusive). ``index`` counts records in the file from 0.
    """

    fields: tuple[Field, ...]
    file: str
    start_line: int
    end_line: int
    index: int

    def first(self, tag: str) -> str | None:
        for f in self.fields:
            if f.tag == tag:
                return f.value
        return None

    def all(self, tag: str) -> list[str]:
        return [f.value for f in self.fields if f.tag == tag]


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
