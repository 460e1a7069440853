"""The formats syncd reads, one package each, behind one small interface.

Every format is a package ``syncd.formats.<name>`` whose ``__init__`` exports the two
functions the frame (:mod:`syncd.formats.detect`, :mod:`syncd.convert`) calls:

* ``sniff(head: str) -> str | None``: evidence ("PMID- tag on line 1") when the
  decoded first 64 KiB of a file are this format, else None. Pure, never raises.
* ``convert(path, schema) -> Iterator[ConvertedRecord | ReadProblem]``: the file's
  records mapped to Zotero items in the form Zotero's server stores them
  (:mod:`syncd.formats.emit`), streaming, raising only ``InputError``.

What the formats share sits beside the packages: the records they hand over
(:mod:`.records`), how a record is handed over (:mod:`.emit`), decoding an export
(:mod:`.text`), the shared tagged and XML readers (:mod:`.tagged`,
:mod:`.xml_records`) and mapping a tagged record through RIS's rules
(:mod:`.via_ris`).

:class:`Format` is the list: its order is the order detection tries the sniffs in
(RIS first, so that every file syncd read as RIS is read as RIS), and adding a format
is adding its member here (a test checks that every member has its package and
every package its member).
"""

from __future__ import annotations

import importlib
import pathlib
from collections.abc import Iterator
from enum import StrEnum
from functools import cache
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # kept out of the import: the CLI reads Format for its options
    from syncd.formats.records import ConvertedRecord, ReadProblem
    from syncd.schema import Schema

__all__ = ["Format", "FormatPackage", "package"]


class Format(StrEnum):
    """A format syncd reads; the value is its package name under syncd.formats."""

    RIS = "ris"
    MEDLINE = "medline"
    WOS = "wos"
    REFWORKS = "refworks"
    BIBTEX = "bibtex"
    CSLJSON = "csljson"
    ENDNOTE_XML = "endnote_xml"
    PUBMED_XML = "pubmed_xml"
    CSV = "csv"

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value)


# What users call each format, for messages; a format missing here shows its name.
_LABELS = {
    "ris": "RIS",
    "medline": "MEDLINE/nbib",
    "wos": "Web of Science tagged",
    "refworks": "RefWorks tagged",
    "bibtex": "BibTeX",
    "csljson": "CSL-JSON",
    "endnote_xml": "EndNote XML",
    "pubmed_xml": "PubMed XML",
    "csv": "CSV (Scopus, Web of Science, Lens, Dimensions)",
}


class FormatPackage(Protocol):
    """What a format's package exports (see the module docstring)."""

    def sniff(self, head: str) -> str | None: ...

    def convert(
        self, path: pathlib.Path, schema: Schema
    ) -> Iterator[ConvertedRecord | ReadProblem]: ...


@cache
def package(fmt: Format) -> FormatPackage:
    """The package of a format (imported on first use)."""
    module: FormatPackage = importlib.import_module(f"syncd.formats.{fmt.value}")
    return module
