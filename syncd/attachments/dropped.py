"""Documents dropped beside an export that belong to one of its records.

A file in the export's own folder (not below it) with a document extension belongs
to a record when its name, without the extension and ignoring case, is

- the export's own name, when the export holds one record (``paper.ris`` and
  ``paper.pdf``);
- the record's DOI with ``/`` as ``_`` (``10.1016_j.foo.2020.01.001.pdf``), its PMID
  (``12345678.pdf``) or its Scopus EID (``2-s2.0-85012345678.pdf``).

Matching is pure; listing the folder is the caller's. Such a file is then read under
the same rules as any path an export names (:mod:`syncd.attachments.admit`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import PurePath

from syncd.attachments.refs import AttachmentRef, RefKind
from syncd.identifiers import Identifiers

DOC_EXTENSIONS = frozenset({".pdf", ".epub", ".djvu", ".html", ".htm"})


def stems_for(ids: Identifiers, export_name: str, one_record: bool) -> list[str]:
    """The lower-case names (without extension) a dropped file of this record may have."""
    stems = []
    if one_record:
        stems.append(PurePath(export_name).stem.lower())
    if ids.doi:
        stems.append(ids.doi.lower().replace("/", "_"))
    if ids.pmid:
        stems.append(ids.pmid.lower())
    if ids.scopus_eid:
        stems.append(ids.scopus_eid.lower())
    return [s for s in dict.fromkeys(stems) if s]


def matching(stems: Iterable[str], names: Iterable[str]) -> list[str]:
    """Of the folder's file ``names``, the documents named by one of ``stems``."""
    wanted = set(stems)
    found = []
    for name in sorted(names):
        path = PurePath(name)
        if path.suffix.lower() in DOC_EXTENSIONS and path.stem.lower() in wanted:
            found.append(name)
    return found


def matching_candidates(names: Iterable[str]) -> list[str]:
    """Of the folder's file ``names``, those :func:`matching` may pick (documents)."""
    return [n for n in names if PurePath(n).suffix.lower() in DOC_EXTENSIONS]


def dropped_refs(names: Iterable[str]) -> list[AttachmentRef]:
    return [AttachmentRef(RefKind.FILE, n, PurePath(n).stem, n) for n in names]


def list_folder(folder: str) -> list[str]:
    """Names of the entries directly in ``folder`` (none if it cannot be listed)."""
    try:
        with os.scandir(folder) as entries:
            return [e.name for e in entries if not e.name.startswith(".")]
    except OSError:
        return []
