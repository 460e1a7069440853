"""The records every format passes on: read, converted, and the problems met.

:class:`RawRecord` is a tagged record as read (RIS, MEDLINE, Web of Science and
RefWorks readers make them); :class:`ConvertedRecord` is a record of any format
mapped to a Zotero item, with its :class:`SourceRef`; :class:`ReadProblem` is what
a reader or a mapping wants the user to know. The frame (``syncd.convert``,
``syncd.core``, ``syncd.sync``) sees only these.

They are plain classes, immutable by convention and compared by value, not
dataclasses: this module is compiled (setup.py), and mypyc builds a dataclass
through a Python-level ``__init__`` that cost more than the work around it, once
per record and per problem.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

from syncd.identifiers import Identifiers

# A Literal rather than a StrEnum: mypy checks every comparison and every
# constructor call against the three values all the same, while the compiled
# reader and mapping keep building and comparing plain str (no enum member lookup
# per problem), and ``repr``/``str`` of a problem stay as they were.
Severity: TypeAlias = Literal["error", "warning", "info"]


@dataclass(frozen=True, slots=True)
class Field:
    """One tag and its value, continuation lines already joined.

    ``value`` is trimmed; it may be empty (``ER  -``, ``N1  -``). ``line`` is the
    1-based line number of the tag line in the file.
    """

    tag: str
    value: str
    line: int


class RawRecord:
    """One record as read from a file, in file order, before any mapping.

    The record holds every tag line (for RIS: ``TY`` when present, never
    ``ER``), as three parallel tuples: ``tags``, ``values`` and ``lines`` (see
    :class:`Field`). ``fields`` gives them as Field objects. The reader fills
    the tuples directly because building a Field per line was a third of its
    time, and the mapping reads the tuples. ``start_line``/``end_line`` span
    the record in the file (1-based, inclusive). ``index`` counts records in
    the file from 0.
    """

    __slots__ = ("end_line", "file", "index", "lines", "start_line", "tags", "values")

    def __init__(
        self,
        tags: tuple[str, ...],
        values: tuple[str, ...],
        lines: tuple[int, ...],
        file: str,
        start_line: int,
        end_line: int,
        index: int,
    ) -> None:
        self.tags = tags
        self.values = values
        self.lines = lines
        self.file = file
        self.start_line = start_line
        self.end_line = end_line
        self.index = index

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

    def _key(
        self,
    ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], str, int, int, int]:
        return (
            self.tags,
            self.values,
            self.lines,
            self.file,
            self.start_line,
            self.end_line,
            self.index,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RawRecord) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"RawRecord(file={self.file!r}, start_line={self.start_line}, "
            f"end_line={self.end_line}, index={self.index}, fields={self.fields!r})"
        )


class ReadProblem:
    """Something the reader or the mapping wants the user to know about.

    ``severity`` is ``"error"`` when a record (or part of one) was lost or could
    not be understood, ``"warning"`` when data was kept but handled specially
    (an encoding fallback, a value moved to Extra), ``"info"`` for notes.
    """

    __slots__ = ("file", "line", "message", "severity")

    def __init__(
        self, file: str, line: int | None, message: str, severity: Severity = "error"
    ) -> None:
        self.file = file
        self.line = line
        self.message = message
        self.severity = severity

    def _key(self) -> tuple[str, int | None, str, Severity]:
        return (self.file, self.line, self.message, self.severity)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReadProblem) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"ReadProblem(file={self.file!r}, line={self.line!r}, message={self.message!r}, "
            f"severity={self.severity!r})"
        )

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.severity}: {self.message}"


class SourceRef:
    """Where a converted record came from (immutable by convention; compared by value)."""

    __slots__ = ("dialect", "end_line", "file", "index", "line")

    def __init__(self, file: str, line: int, end_line: int, index: int, dialect: str) -> None:
        self.file = file
        self.line = line
        self.end_line = end_line
        self.index = index
        self.dialect = dialect

    def _key(self) -> tuple[str, int, int, int, str]:
        return (self.file, self.line, self.end_line, self.index, self.dialect)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SourceRef) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"SourceRef(file={self.file!r}, line={self.line}, end_line={self.end_line}, "
            f"index={self.index}, dialect={self.dialect!r})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "line": self.line,
            "end_line": self.end_line,
            "index": self.index,
            "dialect": self.dialect,
        }


class ConvertedRecord:
    """One record of any format as a Zotero item, with its notes, links and identifiers.

    Immutable by convention: :meth:`with_changes` makes a changed copy.
    """

    __slots__ = ("attachments", "identifiers", "item", "notes", "problems", "source")

    def __init__(
        self,
        item: dict[str, Any],
        notes: tuple[str, ...],
        attachments: tuple[dict[str, str], ...],
        identifiers: Identifiers,
        source: SourceRef,
        problems: tuple[ReadProblem, ...],
    ) -> None:
        self.item = item
        self.notes = notes
        self.attachments = attachments
        self.identifiers = identifiers
        self.source = source
        self.problems = problems

    def with_changes(
        self,
        *,
        item: dict[str, Any] | None = None,
        identifiers: Identifiers | None = None,
        notes: tuple[str, ...] | None = None,
    ) -> ConvertedRecord:
        return ConvertedRecord(
            self.item if item is None else item,
            self.notes if notes is None else notes,
            self.attachments,
            self.identifiers if identifiers is None else identifiers,
            self.source,
            self.problems,
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, ConvertedRecord)
            and self.item == other.item
            and self.notes == other.notes
            and self.attachments == other.attachments
            and self.identifiers == other.identifiers
            and self.source == other.source
            and self.problems == other.problems
        )

    __hash__ = None  # type: ignore[assignment]  # holds a dict, like the dataclass it was

    def __repr__(self) -> str:
        return (
            f"ConvertedRecord(item={self.item!r}, notes={self.notes!r}, "
            f"identifiers={self.identifiers!r}, source={self.source!r})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "item": self.item,
            "notes": list(self.notes),
            "identifiers": self.identifiers.as_json(),
            "source": self.source.as_json(),
        }
