"""Identifiers of a mapped RIS record, and the DOI/ISSN/ISBN fields they fill.

Split from :mod:`syncd.formats.ris.mapping`: after Zotero's rules have run, this part
collects the identifiers from everywhere the record offers them (the mapped
fields, what the dialect rewrites found, Extra lines, the URL, DOI-only values
of M3/U2/L3/ID, every SN line) and tidies the fields that hold them.
"""

from __future__ import annotations

import re
from typing import Final

from syncd.formats.ris.mapping_tables import target_for
from syncd.formats.ris.tagged import Tagged
from syncd.identifiers import (
    Identifiers,
    all_isbns,
    all_issns,
    clean_doi,
    identifiers_from_extra,
    identifiers_from_url,
    normalize_doi,
    normalize_scopus_eid,
    normalize_wos,
)


def _doi_sources(record: list[Tagged]) -> str | None:
    """A DOI from the tags exporters put one in when DO is missing."""
    for f in record:
        tag, value = f.tag, f.value.strip()
        if tag in ("M3", "U2", "L3", "ID") and value:
            doi = clean_doi(value)
            if doi and _is_whole_doi(value, doi):
                return doi
        elif tag == "UR" and "doi.org/" in value.lower():
            found = identifiers_from_url(value).doi
            if found:
                return clean_doi(value[value.lower().index("doi.org/") + 8 :])
    return None


def _is_whole_doi(value: str, doi: str) -> bool:
    """True when ``value`` is nothing but a DOI (maybe as doi: or a doi.org URL)."""
    low = value.lower().strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if low.startswith(prefix):
            low = low[len(prefix) :].strip()
    return low.startswith(doi.lower())


def record_identifiers(
    fields: dict[str, str],
    extra: list[str],
    sn: list[str],
    item_type: str,
    record: list[Tagged],
    found: dict[str, str],
    has: frozenset[str],
) -> Identifiers:
    """Every identifier of a mapped record; DOI/ISSN/ISBN fields completed in place.

    ``found`` holds what the dialect rewrites already read (C2 PMIDs, EIDs...)
    by Identifiers attribute name;
    ``fields`` are the mapped fields (Zotero names), ``extra`` the Extra lines
    from the record (RefMan's ``PMID:`` lines), ``sn`` every SN value, ``has``
    the type's fields.
    """
    doi = fields.get("DOI") or _doi_sources(record)
    if doi and not fields.get("DOI"):
        fields["DOI"] = doi
    ids = dict(found)
    if doi:
        ids.setdefault("doi", normalize_doi(doi) or "")
    an = fields.get("archiveLocation", "")
    an_upper = an[:7].upper()
    if an_upper.startswith(("SCOPUS", "2-S2.0")):
        ids.setdefault("scopus_eid", normalize_scopus_eid(an) or "")
    elif an_upper.startswith(("WOS:", "ISI:")):
        ids.setdefault("wos", normalize_wos(an) or "")
    more: list[Identifiers] = []
    if extra:
        more.append(identifiers_from_extra("\n".join(extra)))
    url = fields.get("url", "").lower()
    if (
        ("doi.org" in url and not ids.get("doi"))
        or ("scopus" in url and not ids.get("scopus_eid"))
        or ("ncbi" in url or "europepmc" in url)
    ):
        more.append(identifiers_from_url(fields["url"]))
    for other in more:
        for name in ("doi", "scopus_eid", "pmid", "pmcid", "wos"):
            if not ids.get(name) and getattr(other, name):
                ids[name] = getattr(other, name)
    isbn, issn = _standard_numbers(fields, sn, item_type, has, extra)
    return Identifiers(
        doi=ids.get("doi") or None,
        scopus_eid=ids.get("scopus_eid") or None,
        pmid=ids.get("pmid") or None,
        pmcid=ids.get("pmcid") or None,
        wos=ids.get("wos") or None,
        isbn=isbn,
        issn=issn,
    )


_CLEAN_ISBN_RE: Final = re.compile(r"^[\dXx\s-]+$")
# An SN line made of ISSNs alone (``1873-6327 0306-4603``, maybe labelled
# ``(Print)``): the digits of two ISSNs side by side read as an ISBN-10
# (9781873632703), so such a line is never searched for ISBNs.
_ISSNS_ONLY_RE: Final = re.compile(
    r"^(?:\s*\d{4}-?\d{3}[\dXx](?:\s*\((?:print|electronic|online|linking)\))?[\s,;]*)+$",
    re.IGNORECASE,
)


def _standard_numbers(
    fields: dict[str, str], sn: list[str], item_type: str, has: frozenset[str], extra: list[str]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """ISBNs and ISSNs of the record; the ISBN/ISSN fields tidied from them.

    Zotero files SN by item type alone and keeps it verbatim, so an ISSN lands
    in ISBN (``SN - 1063-6919`` on a conference paper) and extra SN lines are
    lost. We read every SN line by content: valid ISSNs all go to ISSN in
    canonical form, and an ISBN field that holds more than ISBNs (``02705257
    (ISSN); 9781467310673 (ISBN)``) is reduced to its ISBNs.
    """
    sn_target = target_for(item_type, "SN")
    isbn: tuple[str, ...] = ()
    issn: tuple[str, ...] = ()
    for value in sn:
        issns = all_issns(value)
        issn += tuple(x for x in issns if x not in issn)
        if issns and len(value) > 9 and _ISSNS_ONLY_RE.match(value):
            continue
        isbn += tuple(x for x in all_isbns(value) if x not in isbn)
    if sn_target not in ("ISBN", "ISSN"):
        return isbn, issn
    if issn and "ISSN" in has:
        fields["ISSN"] = ", ".join(issn)
    elif isbn and sn_target == "ISSN" and "ISBN" not in has and fields.get("ISSN"):
        # Only ISBNs on a type with an ISSN field alone (a journal issue sold as a
        # book): Zotero files the ISBN as the ISSN; it goes to Extra instead.
        del fields["ISSN"]
        extra.append("ISBN: " + ", ".join(isbn))
    current = fields.get("ISBN")
    if current is not None and "ISBN" in has:
        if isbn:
            if not _CLEAN_ISBN_RE.match(current):
                fields["ISBN"] = ", ".join(isbn)
        elif issn and "ISSN" in has:
            del fields["ISBN"]
    return isbn, issn
