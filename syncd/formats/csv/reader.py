"""Rows of a CSV or tab-delimited export, one at a time, with their line numbers.

The standard ``csv`` module does the splitting (quoted fields, embedded line breaks,
doubled quotes); lines come decoded as the RIS reader decodes them
(:mod:`syncd.formats.text`: BOMs, UTF-16, a Windows-1252 line in UTF-8), so memory
holds one row. The header row (the first line, or the second after Dimensions'
line of export notes) says which export this is (:mod:`.shapes`); a header of no
known export is an :class:`InputError` naming the columns it lacks for the nearest.

``csv``'s field size limit (128 KiB) is raised to 16 MiB for this process: Scopus'
References column passes 128 KiB on review articles. A row over it, or otherwise
unreadable, is reported with its line and the next row is read.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Final, Literal

from syncd.errors import InputError
from syncd.formats.csv.shapes import DELIMITERS, LABELS, Shape, nearest, recognise, split_header
from syncd.formats.records import ReadProblem
from syncd.formats.ris.reader_lines import LineBlock
from syncd.formats.text import open_export, text_blocks

FIELD_LIMIT: Final = 16 << 20
_EXPORTED_RE: Final = re.compile(r"Exported\s+on\s+([^.;\"]+)", re.IGNORECASE)

if csv.field_size_limit() < FIELD_LIMIT:
    csv.field_size_limit(FIELD_LIMIT)


class CsvRow:
    """One data row by column name, with where it is in the file."""

    __slots__ = ("end_line", "export_date", "index", "line", "shape", "values")

    def __init__(
        self,
        shape: Shape,
        values: dict[str, str],
        line: int,
        end_line: int,
        index: int,
        export_date: str,
    ) -> None:
        self.shape = shape
        self.values = values
        self.line = line
        self.end_line = end_line
        self.index = index
        self.export_date = export_date

    def get(self, column: str) -> str:
        return self.values.get(column, "").strip()


class _Lines:
    """The file's decoded lines for ``csv.reader``, counting them as it goes."""

    def __init__(self, blocks: Iterator[LineBlock | ReadProblem]) -> None:
        self.blocks = blocks
        self.count = 0
        self.problems: list[ReadProblem] = []

    def __iter__(self) -> Iterator[str]:
        for block in self.blocks:
            if isinstance(block, ReadProblem):
                self.problems.append(block)
                continue
            for offset, line in enumerate(block.lines):
                self.count = block.first + offset
                yield line + "\n"


def read_rows(path: Path, what: str = "a CSV export") -> Iterator[CsvRow | ReadProblem]:
    """The data rows of the file, and the problems met (see the module docstring)."""
    source = str(path)
    with open_export(path) as stream:
        decoded, blocks = text_blocks(stream, source, what)
        lines = _Lines(blocks)
        feed = iter(lines)
        first = next(feed, None)
        if first is None:
            raise InputError("not a CSV export: the file is empty", file=source)
        notes = ""
        header_text = first
        names, delimiter = split_header(first.rstrip("\n"))
        shape = recognise(names)
        header_line = lines.count
        candidates = [(nearest(names), 1)]
        if shape is None:
            second = next(feed, None)
            if second is not None:
                more, more_delimiter = split_header(second.rstrip("\n"))
                shape = recognise(more)
                candidates.append((nearest(more), 2))
                if shape is not None:
                    notes, header_text, delimiter = first, second, more_delimiter
                    header_line = lines.count
        if shape is None:
            # The header is the first line, or the second under a line of notes.
            (best, missing), at = min(candidates, key=lambda c: (len(c[0][1]), c[1]))
            raise InputError(
                f"not a known CSV export: the header on line {at} lacks "
                f"{', '.join(missing)} of {LABELS[best]}",
                file=source,
                line=at,
                hint="export from Scopus, Web of Science (tab-delimited), Lens or Dimensions "
                "with these columns included",
            )
        delimiter = DELIMITERS.get(shape, delimiter)
        # WoS' tab-delimited files quote nothing, and a title may hold a quote mark.
        quoting: Literal[0, 3] = 3 if delimiter == "\t" else 0  # QUOTE_NONE, QUOTE_MINIMAL
        parsed = next(csv.reader([header_text], delimiter=delimiter, quoting=quoting), [])
        header = [name.strip().lstrip("\ufeff") for name in parsed]
        m = _EXPORTED_RE.search(notes)
        export_date = m.group(1).strip() if m else ""
        yield from _rows(
            lines, feed, shape, header, delimiter, quoting, header_line, source, export_date
        )
        yield from lines.problems
        yield from decoded.problems()


def _rows(
    lines: _Lines,
    feed: Iterator[str],
    shape: Shape,
    header: list[str],
    delimiter: str,
    quoting: Literal[0, 3],
    header_line: int,
    source: str,
    export_date: str,
) -> Iterator[CsvRow | ReadProblem]:
    # strict: a quote out of place or a file ending inside a quoted value is an error
    # for that row, not a value silently cut or run into the next rows.
    reader = csv.reader(feed, delimiter=delimiter, quoting=quoting, strict=True)
    start = header_line + 1
    index = 0
    width = len(header)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield ReadProblem(source, start, f"row at line {start} unreadable ({exc}); skipped")
            start = lines.count + 1
            continue
        end = lines.count
        if not any(cell.strip() for cell in row):
            start = end + 1
            continue
        if len(row) < width:
            # Exporters write every column on every row: a short row was cut (the end
            # of a truncated file) or broken by a stray line break, and its last value
            # would be kept cut. It is left out; the next row is read.
            yield ReadProblem(
                source,
                start,
                f"row at line {start} has {len(row)} of the header's {width} columns "
                "(a cut or broken row); skipped",
            )
            start = end + 1
            continue
        elif len(row) > width and any(cell.strip() for cell in row[width:]):
            yield ReadProblem(
                source,
                start,
                f"row at line {start} has {len(row) - width} more column(s) than the header; "
                "they were not read",
                "warning",
            )
        values = dict(zip(header, row, strict=False))
        yield CsvRow(shape, values, start, end, index, export_date)
        index += 1
        start = end + 1
