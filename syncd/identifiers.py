"""Persistent identifiers of a bibliographic record: parsing, normalising, placing.

This module owns the canonical form of every identifier syncd matches records on
(DOI, Scopus EID, PubMed ID, PMCID, Web of Science UT, ISBN, ISSN), how to find
them on an item that already lives in a Zotero library, and which Extra lines
syncd writes for those that have no field of their own.

Canonical forms: DOIs lowercase (DOIs are case-insensitive by definition, so
matching must be too); EIDs ``2-s2.0-<digits>``; PMIDs bare digits without
leading zeros; PMCIDs ``PMC<digits>``; WoS ``WOS:<15 chars>`` uppercased; ISBNs
as 13 digits (ISBN-10 converted) after checksum validation; ISSNs ``NNNN-NNNC``
after checksum validation. A value that fails validation is not an identifier.

Extra lines follow the ``Label: value`` convention Zotero itself reads
("DOI:", "PMID:", "PMCID:"); EID and WoS UT use labels of our own, because
Zotero has no convention for them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final
from urllib.parse import unquote

from syncd.schema import Schema

# `10.` + registrant (4+ digits, optional sub-parts) + `/` + suffix. The registrant
# may be absent (`10/abc` short DOIs), as Zotero's own cleaner allows.
_DOI_RE: Final = re.compile(r"(?<![0-9A-Za-z])10(?:\.\d{4,}(?:\.\d+)*)?/\S+")
_DOI_TRAILING: Final = ".,;:"
_BRACKETS: Final = {")": "(", "]": "[", "}": "{", ">": "<"}

_EID_RE: Final = re.compile(r"2-s2\.0-(\d{6,})", re.IGNORECASE)
_SCOPUS_PREFIX_RE: Final = re.compile(r"^\s*SCOPUS(?:_ID)?\s*:\s*(\d{6,})\s*$", re.IGNORECASE)
_SCOPUS_URL_RE: Final = re.compile(r"[?&](?:eid=2-s2\.0-|scp=)(\d{6,})", re.IGNORECASE)

_PMID_URL_RE: Final = re.compile(
    r"(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih\.gov/pubmed/|europepmc\.org/(?:abstract|article)/MED/)"
    r"(\d{1,9})\b",
    re.IGNORECASE,
)
_PMID_LABEL_RE: Final = re.compile(
    r"^\s*(?:PMID|PM|PubMed(?:\s+ID)?|MEDLINE)\s*:?\s*(\d{1,9})\s*$", re.I
)
_PMCID_RE: Final = re.compile(r"\bPMC\s*(\d{1,9})\b", re.IGNORECASE)
_PMC_URL_RE: Final = re.compile(r"/pmc/articles/(PMC\d+)", re.IGNORECASE)

_WOS_RE: Final = re.compile(r"\b(?:WOS|ISI)\s*:\s*([A-Z0-9]{15})\b", re.IGNORECASE)
_WOS_BARE_RE: Final = re.compile(r"^\s*(000\d{12}|A\d{4}[A-Z0-9]{10})\s*$", re.IGNORECASE)

_ISBN_CANDIDATE_RE: Final = re.compile(r"(?:97[89][\s-]?)?(?:\d[\s-]?){9}[\dXx]")
_ISBN_SEPARATORS_RE: Final = re.compile(r"[\s-]")
_SPACES_RE: Final = re.compile(r"\s+")
_ISSN_RE: Final = re.compile(r"\b(\d{4})\s*[-\u2010-\u2015]?\s*(\d{3}[\dXx])\b")

# Extra line labels. Lookups are case- and spacing-insensitive (see _EXTRA_LINE_RE).
EXTRA_LABELS: Final = {
    "doi": "DOI",
    "pmid": "PMID",
    "pmcid": "PMCID",
    "scopus_eid": "Scopus EID",
    "wos": "Web of Science ID",
}
# Accession numbers of databases without an identifier kind of their own.
_AN_URL_RE: Final = re.compile(r"[?&;]AN=([A-Za-z0-9][A-Za-z0-9.:-]*)", re.IGNORECASE)
_DB_URL_RE: Final = re.compile(r"[?&;]db=([A-Za-z0-9]+)", re.IGNORECASE)
_DOCVIEW_RE: Final = re.compile(r"proquest\.com/.*?docview/(\d{5,})", re.IGNORECASE)
_ACCESSION_RE: Final = re.compile(r"^[A-Za-z]{0,3}[0-9][0-9.-]{3,}[0-9A-Za-z]?$")
_DB_RANGE_RE: Final = re.compile(r"[<(\[].*$")
_DB_WORD_RE: Final = re.compile(r"[^a-z0-9]+")
# Database names as exporters write them (DB, DP or an EBSCO db code), folded to
# one name per database so that one database's numbers meet whatever platform
# exported them (APA's PsycInfo numbers are the same on Ovid, EBSCO and ProQuest).
_DATABASES: Final = (
    ("embase", "embase"),
    ("emed", "embase"),
    ("psyc", "psycinfo"),
    ("psyh", "psycinfo"),
    ("cinahl", "cinahl"),
    ("cin20", "cinahl"),
    ("proquest", "proquest"),
    ("eric", "eric"),
)
# Platforms, not databases: their name says nothing about whose number AN is.
_PLATFORMS: Final = ("ebsco", "ovid")
# PubMed/MEDLINE numbers are PMIDs, found as such.
_PMID_DATABASES: Final = ("pubmed", "medline", "nlm")

_EXTRA_LINE_RE: Final = re.compile(
    r"^\s*(doi|pmid|pmcid|scopus\s*eid|eid|web\s*of\s*science\s*id|wos\s*id|wos|ut)\s*:\s*(.+?)\s*$",
    re.IGNORECASE,
)


class Identifiers:
    """The identifiers known for one record, each in canonical form or None.

    Immutable by convention and compared by value. Written out rather than a
    frozen dataclass: under mypyc a dataclass is built through a Python-level
    ``__init__``, and one is built per mapped record and per library item.
    """

    __slots__ = ("doi", "isbn", "issn", "pmcid", "pmid", "scopus_eid", "wos")

    def __init__(
        self,
        doi: str | None = None,
        scopus_eid: str | None = None,
        pmid: str | None = None,
        pmcid: str | None = None,
        wos: str | None = None,
        isbn: tuple[str, ...] = (),
        issn: tuple[str, ...] = (),
    ) -> None:
        self.doi = doi
        self.scopus_eid = scopus_eid
        self.pmid = pmid
        self.pmcid = pmcid
        self.wos = wos
        self.isbn = isbn
        self.issn = issn

    def _key(
        self,
    ) -> tuple[
        str | None, str | None, str | None, str | None, str | None, tuple[str, ...], tuple[str, ...]
    ]:
        return (self.doi, self.scopus_eid, self.pmid, self.pmcid, self.wos, self.isbn, self.issn)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Identifiers) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Identifiers(doi={self.doi!r}, scopus_eid={self.scopus_eid!r}, pmid={self.pmid!r}, "
            f"pmcid={self.pmcid!r}, wos={self.wos!r}, isbn={self.isbn!r}, issn={self.issn!r})"
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "doi": self.doi,
            "scopus_eid": self.scopus_eid,
            "pmid": self.pmid,
            "pmcid": self.pmcid,
            "wos": self.wos,
            "isbn": list(self.isbn),
            "issn": list(self.issn),
        }

    def merged(self, other: Identifiers) -> Identifiers:
        """These identifiers with the gaps filled from ``other`` (ours win)."""
        return Identifiers(
            doi=self.doi or other.doi,
            scopus_eid=self.scopus_eid or other.scopus_eid,
            pmid=self.pmid or other.pmid,
            pmcid=self.pmcid or other.pmcid,
            wos=self.wos or other.wos,
            isbn=_union(self.isbn, other.isbn) if other.isbn else self.isbn,
            issn=_union(self.issn, other.issn) if other.issn else self.issn,
        )

    def is_empty(self) -> bool:
        return (
            not (self.doi or self.scopus_eid or self.pmid or self.pmcid or self.wos or self.isbn)
            and not self.issn
        )


def _union(a: tuple[str, ...], b: Iterable[str]) -> tuple[str, ...]:
    out = list(a)
    for x in b:
        if x not in out:
            out.append(x)
    return tuple(out)


def clean_doi(text: str) -> str | None:
    """The DOI in ``text`` with its case preserved, as Zotero's cleaner finds it.

    URLs are percent-decoded first (``https://doi.org/10.1000/x%2F1``); a trailing
    ``.``/``,``/``;``/``:`` and an unbalanced closing bracket are trimmed. None when
    there is no DOI.
    """
    if not text:
        return None
    if "%" in text:
        text = unquote(text)
    if "10" not in text or "/" not in text:
        return None  # the pattern needs both; most non-DOI values fail here
    m = _DOI_RE.search(text)
    if m is None:
        return None
    doi = m.group(0)
    while doi:
        last = doi[-1]
        unbalanced = last in _BRACKETS and doi.count(_BRACKETS[last]) < doi.count(last)
        if last in _DOI_TRAILING or last in "\"'" or unbalanced:
            doi = doi[:-1]
        else:
            break
    if "/" not in doi or doi.endswith("/"):
        return None
    return doi


def normalize_doi(text: str) -> str | None:
    """Canonical (lowercase) DOI found in ``text``, or None."""
    doi = clean_doi(text)
    return doi.lower() if doi else None


def normalize_scopus_eid(text: str) -> str | None:
    """``2-s2.0-<digits>`` from an EID, ``SCOPUS:<digits>`` or a Scopus URL."""
    if not text:
        return None
    if text[:7] == "SCOPUS:" and len(text) >= 13 and text[7:].isdecimal():
        # Pure's "AN - SCOPUS:<digits>": what the patterns below find, without them.
        return "2-s2.0-" + text[7:]
    # Every EID holds "2-", and a SCOPUS: prefix starts with an s after any spaces
    # (long s, U+017F, matches too, case-insensitively): the patterns need not run
    # otherwise.
    start = text[:1]
    m = (
        (_EID_RE.search(text) if "2-" in text else None)
        or (_SCOPUS_PREFIX_RE.match(text) if start in "sS\u017f" or start.isspace() else None)
        or _SCOPUS_URL_RE.search(text)
    )
    if m is None:
        return None
    return f"2-s2.0-{m.group(1)}"


def normalize_pmid(text: str) -> str | None:
    """PubMed ID (digits, no leading zeros) from a bare number, a label or a URL."""
    if not text:
        return None
    s = text.strip()
    if s.isdigit():
        digits = s
    else:
        m = _PMID_LABEL_RE.match(s) or _PMID_URL_RE.search(s)
        if m is None:
            return None
        digits = m.group(1)
    if len(digits) > 9:
        return None
    digits = digits.lstrip("0")
    return digits or None


def normalize_pmcid(text: str) -> str | None:
    """``PMC<digits>`` from ``PMC1234567``, ``pmc 1234567``, a PMC URL or bare digits."""
    if not text:
        return None
    s = text.strip()
    m = _PMCID_RE.search(s)
    if m is not None:
        digits = m.group(1)
    elif s.isdigit():
        digits = s
    else:
        return None
    digits = digits.lstrip("0")
    return f"PMC{digits}" if digits else None


def normalize_wos(text: str) -> str | None:
    """``WOS:<UT>`` from ``WOS:000123456789012``, ``ISI:...`` or a bare 15-char UT."""
    if not text:
        return None
    m = _WOS_RE.search(text) or _WOS_BARE_RE.match(text)
    if m is None:
        return None
    return "WOS:" + m.group(1).upper()


def _isbn10_ok(d: str) -> bool:
    total = sum((10 - i) * (10 if c in "Xx" else int(c)) for i, c in enumerate(d))
    return total % 11 == 0


def _isbn13_check(d12: str) -> str:
    total = sum(int(c) * (1 if i % 2 == 0 else 3) for i, c in enumerate(d12))
    return str((10 - total % 10) % 10)


def _isbn_from_digits(digits: str) -> str | None:
    if len(digits) == 13 and digits.isdigit():
        if digits[:3] in ("978", "979") and _isbn13_check(digits[:12]) == digits[12]:
            return digits
        return None
    if len(digits) == 10 and digits[:9].isdigit() and _isbn10_ok(digits):
        core = "978" + digits[:9]
        return core + _isbn13_check(core)
    return None


def normalize_isbn(text: str) -> str | None:
    """First valid ISBN in ``text`` as 13 digits (ISBN-10 converted), or None."""
    found = all_isbns(text)
    return found[0] if found else None


def all_isbns(text: str) -> tuple[str, ...]:
    """Every valid ISBN in ``text``, as 13 digits, in order, without repeats."""
    if len(text) < 10:
        return ()  # a candidate is at least ten characters (an ISSN line, say)
    out: list[str] = []
    for m in _ISBN_CANDIDATE_RE.finditer(text):
        digits = _ISBN_SEPARATORS_RE.sub("", m.group(0))
        isbn = _isbn_from_digits(digits)
        if isbn and isbn not in out:
            out.append(isbn)
    return tuple(out)


def _issn_ok(d: str) -> bool:
    total = 0
    for i in range(7):
        total += int(d[i]) * (8 - i)
    check = (11 - total % 11) % 11
    return d[7] in "Xx" if check == 10 else d[7] == str(check)


def normalize_issn(text: str) -> str | None:
    """First valid ISSN in ``text`` as ``NNNN-NNNC`` (checksum validated), or None."""
    found = all_issns(text)
    return found[0] if found else None


def all_issns(text: str) -> tuple[str, ...]:
    """Every valid ISSN in ``text``, canonical form, in order, without repeats."""
    if not text:
        return ()
    if (
        len(text) == 9
        and text[4] == "-"
        and text[:4].isdecimal()
        and text[5:8].isdecimal()
        and (text[8].isdecimal() or text[8] in "Xx")
    ):
        # Already canonical (how most exports write it): the one match the pattern
        # would find is the whole text.
        d = text[:4] + text[5:8] + text[8].upper()
        return (d[:4] + "-" + d[4:],) if _issn_ok(d) else ()
    out: list[str] = []
    for m in _ISSN_RE.finditer(text):
        d = m.group(1) + m.group(2).upper()
        if _issn_ok(d):
            issn = f"{d[:4]}-{d[4:]}"
            if issn not in out:
                out.append(issn)
    return tuple(out)


def identifiers_from_extra(extra: str) -> Identifiers:
    """Identifiers written as ``Label: value`` lines in an Extra field."""
    ids = Identifiers()
    if not extra:
        return ids
    for line in extra.splitlines():
        m = _EXTRA_LINE_RE.match(line)
        if m is None:
            continue
        label = _SPACES_RE.sub("", m.group(1).lower())
        value = m.group(2)
        if label == "doi":
            ids = ids.merged(Identifiers(doi=normalize_doi(value)))
        elif label == "pmid":
            ids = ids.merged(Identifiers(pmid=normalize_pmid(value)))
        elif label == "pmcid":
            ids = ids.merged(Identifiers(pmcid=normalize_pmcid(value)))
        elif label in ("scopuseid", "eid"):
            ids = ids.merged(Identifiers(scopus_eid=normalize_scopus_eid(value)))
        else:
            ids = ids.merged(Identifiers(wos=normalize_wos(value)))
    return ids


def identifiers_from_url(url: str) -> Identifiers:
    """Identifiers a URL carries: a doi.org DOI, a Scopus EID, a PubMed/PMC id."""
    if not url:
        return Identifiers()
    low = url.lower()
    doi = None
    if "doi.org/" in low:
        doi = normalize_doi(url[low.index("doi.org/") + len("doi.org/") :])
    eid = normalize_scopus_eid(url) if "scopus.com" in low else None
    pmid = None
    m = _PMID_URL_RE.search(url)
    if m is not None:
        pmid = normalize_pmid(m.group(1))
    pmcid = None
    m = _PMC_URL_RE.search(url)
    if m is not None:
        pmcid = normalize_pmcid(m.group(1))
    return Identifiers(doi=doi, scopus_eid=eid, pmid=pmid, pmcid=pmcid)


def identifiers_from_item(data: Mapping[str, Any]) -> Identifiers:
    """Identifiers of an item as the Web API returns its ``data``.

    Real fields come first (DOI, PMID, PMCID, ISBN, ISSN), then the Extra lines,
    then what Zotero's own RIS import leaves in archiveLocation (``SCOPUS:...``,
    ``2-s2.0-...``, ``WOS:...``, or a PMID when archive/libraryCatalog name
    PubMed, MEDLINE or NLM), then the URL.
    """

    def text(name: str) -> str:
        value = data.get(name)
        return value if isinstance(value, str) else ""

    ids = Identifiers(
        doi=normalize_doi(text("DOI")),
        pmid=normalize_pmid(text("PMID")),
        pmcid=normalize_pmcid(text("PMCID")),
        isbn=all_isbns(text("ISBN")),
        issn=all_issns(text("ISSN")),
    )
    ids = ids.merged(identifiers_from_extra(text("extra")))
    loc = text("archiveLocation")
    if loc:
        ids = ids.merged(Identifiers(scopus_eid=normalize_scopus_eid(loc), wos=normalize_wos(loc)))
        # Zotero's import of a PubMed-sourced RIS leaves AN (the PMID) here, with
        # DB/DP naming PubMed; a bare number anywhere else is some other accession.
        source = f"{text('archive')} {text('libraryCatalog')}".lower()
        if loc.strip().isdigit() and ("pubmed" in source or "medline" in source or "nlm" in source):
            ids = ids.merged(Identifiers(pmid=normalize_pmid(loc)))
    return ids.merged(identifiers_from_url(text("url")))


def _database_name(label: str) -> str | None:
    """One name per database for a DB/DP label or an EBSCO db code, or None."""
    low = _DB_RANGE_RE.sub("", label.lower()).strip()
    if not low:
        return None
    for marker in _PMID_DATABASES:
        if marker in low:
            return "pubmed"
    for marker, name in _DATABASES:
        if marker in low:
            return name
    for platform in _PLATFORMS:
        if platform in low:
            return None
    return _DB_WORD_RE.sub("-", low).strip("-") or None


def accession_number(data: Mapping[str, Any]) -> str | None:
    """``<database>:<number>``: the record number a database gave a record, or None.

    Read where Zotero's RIS import puts it (AN in ``archiveLocation``, DB in
    ``archive``, DP in ``libraryCatalog``) and from EBSCO (``db=...&AN=...``) and
    ProQuest (``docview/<number>``) links. Scopus EIDs, WoS UTs and PubMed's
    numbers are left out: they are found as those identifiers.
    """

    def text(name: str) -> str:
        value = data.get(name)
        return value.strip() if isinstance(value, str) else ""

    loc = text("archiveLocation")
    label = text("archive") or text("libraryCatalog")
    url = text("url")
    db: str | None = None
    if label:
        db = _database_name(label)
    if db is None and url:
        m = _DB_URL_RE.search(url)
        if m is not None and "ebsco" in url.lower():
            db = _database_name(m.group(1))
        elif "proquest.com" in url.lower():
            db = "proquest"
    if db is None or db == "pubmed":
        return None
    number = loc
    if number and (normalize_scopus_eid(number) or normalize_wos(number)):
        return None
    if not number and url:
        m = _AN_URL_RE.search(url) or _DOCVIEW_RE.search(url)
        if m is not None:
            number = m.group(1)
    if not number or _ACCESSION_RE.match(number) is None:
        return None
    return db + ":" + number.upper()


def doi_variant(doi: str) -> str:
    """``doi`` with the slashes after its prefix collapsed: PubMed writes some DOIs
    as ``10.1037//0022-3514...``, the publisher as ``10.1037/0022-3514...``."""
    head, sep, tail = doi.partition("/")
    if not sep:
        return doi
    return head + "/" + tail.lstrip("/")


def extra_lines(
    ids: Identifiers, item_type: str, schema: Schema, fields: frozenset[str] | None = None
) -> list[str]:
    """The identifier lines syncd writes into Extra for an item of ``item_type``.

    DOI, PMID and PMCID only when the type has no field for them (Zotero reads
    these labels back into the field if the type gains one); the Scopus EID and
    the WoS UT always, as Zotero has no field for either. ``fields``, when the
    caller has it at hand, is the type's field set (saves the schema lookups).
    """
    has = schema.fields_for(item_type) if fields is None and schema.has_type(item_type) else fields
    lines: list[str] = []
    for label, value, name in (
        (EXTRA_LABELS["doi"], ids.doi, "DOI"),
        (EXTRA_LABELS["pmid"], ids.pmid, "PMID"),
        (EXTRA_LABELS["pmcid"], ids.pmcid, "PMCID"),
    ):
        if value and (has is None or name not in has):
            lines.append(label + ": " + value)
    if ids.scopus_eid:
        lines.append(EXTRA_LABELS["scopus_eid"] + ": " + ids.scopus_eid)
    if ids.wos:
        lines.append(EXTRA_LABELS["wos"] + ": " + ids.wos)
    return lines


def with_doi(ids: Identifiers, doi: str | None) -> Identifiers:
    """``ids`` with the DOI replaced (used when a later, better source wins)."""
    return Identifiers(doi, ids.scopus_eid, ids.pmid, ids.pmcid, ids.wos, ids.isbn, ids.issn)
