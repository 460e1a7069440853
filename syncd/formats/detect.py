"""Which format a file is in, decided from its content, never from its name.

A ``.txt`` may be RIS, MEDLINE or Web of Science, and a ``.ris`` may be anything a
browser saved. The first 64 KiB are decoded with the RIS reader's encoding
detection (BOM, BOM-less UTF-16, UTF-8 with a Windows-1252 fallback) and tried
against each format's ``sniff`` in the order of :class:`syncd.formats.Format`,
RIS first, so that every file syncd read as RIS before is read as RIS now. The
first that recognises the head wins, and says why (its evidence), which goes into
the report.

A file no sniff recognises is still handed to the RIS reader (:data:`FALLBACK`),
which reads RIS records without TY lines and otherwise explains what the file
looks like (:func:`syncd.convert.convert_file` turns that into
:class:`UnknownFormatError`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from syncd.errors import InputError, UnknownFormatError
from syncd.formats import Format, package
from syncd.formats.ris.reader_sniff import HEAD_BYTES, describe_non_ris, head_text

__all__ = [
    "FALLBACK",
    "Detection",
    "detect",
    "detect_file",
    "looks_like_known_format",
    "read_head",
    "unknown_format_error",
]

# The format a file no sniff recognises is read in: RIS, whose reader also takes
# records without a TY line, and the format syncd has always read without saying so.
FALLBACK = Format.RIS


@dataclass(frozen=True, slots=True)
class Detection:
    """The format of a file and why it was taken to be that format."""

    format: Format
    evidence: str

    def describe(self) -> str:
        return f"read as {self.format.label} ({self.evidence})"


def read_head(path: str | os.PathLike[str]) -> bytes:
    """The first bytes of a file, as much as detection looks at."""
    try:
        with open(path, "rb") as stream:
            return stream.read(HEAD_BYTES)
    except OSError as exc:
        raise InputError(
            f"cannot open the file: {exc.strerror or exc}",
            file=str(path),
            hint="check the path and its permissions",
        ) from exc


def detect(head: bytes) -> Detection | None:
    """The format the head of a file is in, or None when no format recognises it."""
    text = head_text(head[:HEAD_BYTES])
    for fmt in Format:
        evidence = package(fmt).sniff(text)
        if evidence:
            return Detection(fmt, evidence)
    return None


def looks_like_known_format(head: bytes) -> bool:
    """Whether a file's first bytes are in a format syncd reads (for the file watcher,
    in place of the RIS reader's ``looks_like_ris``). Never raises."""
    return detect(head) is not None


def detect_file(path: str | os.PathLike[str]) -> Detection | None:
    """:func:`detect` on the head of the file at ``path``."""
    return detect(read_head(path))


def formats_read() -> str:
    """The formats syncd reads, for messages."""
    return ", ".join(fmt.label for fmt in Format)


def unknown_format_error(source: str, head: bytes) -> UnknownFormatError:
    """The error for a file in no format syncd reads, saying what it looks like."""
    what, line = describe_non_ris(head)
    return UnknownFormatError(
        f"no records of a format syncd reads: {what}",
        file=source,
        line=line,
        hint=f"syncd reads {formats_read()}; export the references in one of them",
    )
