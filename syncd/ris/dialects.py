"""Exporter dialects of RIS: detecting the source of a record and its tag quirks.

Every exporter bends RIS its own way, and Zotero's import only knows EndNote,
ProCite, Citavi and RefMan. This module owns the *record shapes* we rely on to
recognise an exporter and the rewrites that make its records mean what the
exporter meant. Detection looks at one record only (no file headers survive the
reader), so each rule below names the tags and values that trigger it.

Shapes relied on (from exports of each service; if a service changes its
format, the record falls back to ``generic`` and Zotero's own rules apply).
Detection checks the database marks of Pure, Scopus and WoS first, then the
reference managers (Zotero, Mendeley, EndNote: they re-export records of any
origin, so their marks describe the file better), then the other databases:

* **pure** (Elsevier Pure research portals exporting a Scopus-sourced record):
  ``AN - SCOPUS:<digits>`` or a ``scopus.com/inward/record.url?scp=`` link,
  with T1/JO/JF/Y1 tags. C2 = PubMed ID; M1 = article number; U2 = DOI copy;
  the second UR is the ``inward/citedby.url`` link. The citation count becomes
  one Extra line ``12 citations (Scopus) [2024-01-05]``, dated by the record's
  own Export Date note so that converting a file twice gives the same line
  (undated when the record has no Export Date; never the conversion date).
* **scopus** (Scopus' own export): ``DB - Scopus``, or ``AN - 2-s2.0-...``,
  or a ``scopus.com/inward/record.uri?eid=`` link, or (minimal exports with
  none of these) an ``N1 - Export Date: ...`` or ``N1 - Cited By :10`` note.
  C2 = PubMed ID; C7 = article number; ``N1 - Cited By: 12`` / ``Cited By :10``
  is the citation count (one Extra line, dated as for pure); ``N1 - Export
  Date: ...`` is export noise. Newer exports put all of these in one N1
  separated by ``; `` (``Export Date: ...; Cited By: 5; PubMed ID: ...; CODEN:
  ...``); Correspondence Address, CODEN, Publication Stage and Open Access
  parts are dropped as export detail, the rest stays a note. AD holds
  affiliations (dropped, as Zotero does). A2 holds the editors, also on books
  (where Zotero would make them series editors).
* **wos** (Web of Science): ``AN - WOS:<UT>`` (or a ``UT`` tag); C7 = article
  number (Zotero drops C7); J9 = the 29-char abbreviation (dropped as noise);
  JI = the ISO abbreviation (journalAbbreviation); ``N1 - Times Cited in Web of
  Science Core Collection: 31`` becomes ``31 citations (Web of Science)`` in
  Extra, the other count lines are noise.
* **every dialect**: C7 on an article is its article number (EndNote writes
  "Article Number" there too) and goes to ``pages`` when the record has none,
  else to an ``Article Number:`` Extra line; ``C7 - PMC...`` (EndNote's
  electronic books and chapters) is the PMCID.
* **pubmed**: PubMed itself offers no RIS (its "Citation manager" download is
  the MEDLINE/.nbib format), so PubMed records reach RIS through converters:
  reference managers' PubMed connections and scripts built on E-utilities.
  What they agree on, and what we rely on: a pubmed.ncbi.nlm.nih.gov (or
  ncbi.nlm.nih.gov/pubmed) link in UR, or ``DB - PubMed``/``MEDLINE``;
  ``AN - <pmid>``; ``C2 - PMC<digits>`` when there is a PMCID; often two SN
  lines (electronic and print ISSN); ET holding the electronic publication
  date (``2012/07/17``), not an edition.
* **ovid** (Ovid: Embase, MEDLINE): a ``ovidsp.ovid.com`` link or
  ``DP - Ovid Technologies``. In Embase records M1 holds affiliation text,
  not an issue; in Ovid MEDLINE (``DB - Ovid MEDLINE(R)``...) AN is the PMID.
  Names come as ``Wang D.`` (surname, initials, no comma); Zotero would keep
  each as one single-field name, we split them.
* **ebsco**: ``DP - EBSCOhost`` or an ``ebscohost.com`` link; N1 carries
  ``Accession Number: ...; ...`` (kept as a note, as Zotero does).
* **proquest**: a ``proquest.com`` link or ``DB - ProQuest...``; ``N1 - Last
  updated - <date>`` is noise; ``N1 - Copyright - ...`` goes to rights.
* **ieee** (IEEE Xplore): a ``10.1109/`` DOI, an ``ieeexplore`` link, or the
  non-standard ``VO`` tag (a copy of VL). Names come as ``A. B. Smith``
  without a comma, which Zotero would keep as one single-field name; we split
  them into last/first.
* **acm** (ACM Digital Library): a ``10.1145/`` DOI or ``PB - Association for
  Computing Machinery``; BT holds the proceedings title (Zotero's backup
  publication-title rule handles it) and SE the series (``CHI '20``), which
  goes to ``series`` instead of an invalid ``section``.
* **mendeley** (Mendeley Desktop/Reference Manager): ``ID`` is a citation key
  (``Wang2012``) and the tags come in alphabetical order. ID -> citationKey
  (Zotero ignores ID).
* **zotero**: ``DA`` in Zotero's ``YYYY/MM/DD/`` form with its trailing slash,
  a ``Y2`` with ``/hh:mm:ss``, or HTML notes (``N1 - <p>``).
* **endnote**: ``internal-pdf://`` links, ``TY - EDBOOK``, or a numeric ``ID``
  (EndNote's record number) together with DP/DB. Zotero's rules already are
  EndNote's (M1 issue, M3 DOI...). A record EndNote fetched from PubMed
  (``DP - NLM``) has the PMID in AN and the PMCID in C2.
* **google_scholar**: only T1/A1/JO/VL/IS/SP/EP/PY/DA/PB/SN/BT/CY/ET tags, with A1
  authors and nothing else (no AB, KW, UR, DO).
* **generic**: anything else; Zotero's rules apply unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from syncd.identifiers import (
    normalize_pmcid,
    normalize_pmid,
    normalize_scopus_eid,
    normalize_wos,
)
from syncd.ris.mapping_values import initials_first_name, parse_loose_date, surname_initials
from syncd.ris.records import Field, RawRecord

DIALECTS = (
    "scopus",
    "pure",
    "wos",
    "pubmed",
    "endnote",
    "mendeley",
    "zotero",
    "ieee",
    "acm",
    "ovid",
    "ebsco",
    "proquest",
    "google_scholar",
    "generic",
)

_ZOTERO_DA_RE = re.compile(r"^\d{4}/(?:\d{2})?/(?:\d{2})?/")
_ZOTERO_Y2_RE = re.compile(r"^\d{4}/\d{2}/\d{2}/\d{1,2}:\d{2}:\d{2}")
_CITATION_KEY_RE = re.compile(r"^[A-Za-z][\w:-]*\d{4}[a-z]?$")
_GS_TAGS = frozenset(
    {"TY", "T1", "TI", "A1", "JO", "VL", "IS", "SP", "EP", "PY", "DA", "PB", "SN", "BT", "CY", "ET"}
)
# Labels Scopus writes in its N1 notes; used to split the one-line form.
_SCOPUS_N1_LABELS = (
    "Export Date",
    "Cited By",
    "Cited by",
    "Correspondence Address",
    "CODEN",
    "PubMed ID",
    "Funding details",
    "Funding text",
    "Funding Details",
    "Funding Text",
    "References",
    "Language of Original Document",
    "Chemicals/CAS",
    "Tradenames",
    "Manufacturers",
    "Sequences",
    "Molecular Sequence Numbers",
    "Conference code",
    "Conference name",
    "Art. No.",
    "Publication Stage",
    "Open Access",
)
_SCOPUS_SPLIT_RE = re.compile(
    r";\s+(?=(?:" + "|".join(re.escape(x) for x in _SCOPUS_N1_LABELS) + r")\s*:)"
)
# Scopus' own notes, seen alone in exports that carry no other Scopus marker.
_SCOPUS_NOTE_RE = re.compile(r"^(?:Export\s+Date\s*:|Cited\s+By\s*:\s*\d+\s*(?:;|$))", re.I)
_SCOPUS_NOISE_RE = re.compile(
    r"^(?:Correspondence\s+Address|CODEN|Publication\s+Stage|Open\s+Access)\s*:", re.I
)
_CITED_BY_RE = re.compile(r"^Cited\s+By\s*:\s*(\d+)\s*$", re.IGNORECASE)
_EXPORT_DATE_RE = re.compile(r"^Export\s+Date\s*:\s*(.+?)\s*$", re.IGNORECASE)
_PUBMED_ID_RE = re.compile(r"^PubMed\s+ID\s*:\s*(\d+)\s*$", re.IGNORECASE)
_WOS_TIMES_CITED_RE = re.compile(
    r"^Times\s+Cited\s+in\s+Web\s+of\s+Science\s+Core\s+Collection\s*:\s*(\d+)\s*$", re.I
)
_WOS_NOISE_RE = re.compile(
    r"^(?:Total\s+Times\s+Cited|Cited\s+Reference\s+Count|Usage\s+Count\b[^:]*)\s*:", re.I
)
# First five letters (lowercased) of the N1 parts _scopus looks at.
_SCOPUS_HEADS = frozenset({"cited", "expor", "pubme", "corre", "coden", "publi", "open "})
_SCOPUS_TAGS = frozenset({"C2", "M1", "C7", "UR", "U2", "AN", "N1", "A2"})
_ARTICLE_NUMBER_TYPES = frozenset({"journalArticle", "conferencePaper", "magazineArticle"})


def _has(record: RawRecord, tag: str) -> bool:
    return any(f.tag == tag for f in record.fields)


def detect_dialect(record: RawRecord) -> str:
    """The exporter that wrote ``record`` (one of :data:`DIALECTS`)."""
    fields = record.fields
    an = (record.first("AN") or "").strip()
    db = (record.first("DB") or "").lower()
    dp = (record.first("DP") or "").lower()
    urls = " ".join(f.value for f in fields if f.tag in ("UR", "L2")).lower()
    doi = (record.first("DO") or "").lower()

    if an.upper().startswith("SCOPUS:") or "inward/record.url?scp=" in urls:
        return "pure"
    if db == "scopus" or an.startswith("2-s2.0-") or "scopus.com/inward/record.uri" in urls:
        return "scopus"
    if any(f.tag == "N1" and _SCOPUS_NOTE_RE.match(f.value) for f in fields):
        return "scopus"
    if an.upper().startswith("WOS:") or _has(record, "UT"):
        return "wos"
    # Reference managers re-export records from every database, so their marks
    # (which are about the file, not the source) are checked before the sources'.
    if _is_zotero(record):
        return "zotero"
    rid = (record.first("ID") or "").strip()
    if rid and _CITATION_KEY_RE.match(rid) and _alphabetical(fields):
        return "mendeley"
    if _is_endnote(record, rid):
        return "endnote"
    if "ovid" in dp or "ovidsp." in urls or "ovid.com" in urls:
        return "ovid"
    if "pubmed.ncbi.nlm.nih.gov" in urls or "ncbi.nlm.nih.gov/pubmed" in urls:
        return "pubmed"
    if db in ("pubmed", "medline") or db.startswith("pubmed"):
        return "pubmed"
    if "ebscohost" in dp or "ebscohost.com" in urls:
        return "ebsco"
    if "proquest" in db or "proquest.com" in urls or "proquest" in dp:
        return "proquest"
    if doi.startswith("10.1109/") or "ieeexplore" in urls or _has(record, "VO"):
        return "ieee"
    pb = (record.first("PB") or "").lower()
    if doi.startswith("10.1145/") or "association for computing machinery" in pb:
        return "acm"
    tags = {f.tag for f in fields}
    if tags <= _GS_TAGS and "A1" in tags and ("T1" in tags or "TI" in tags):
        return "google_scholar"
    return "generic"


def _is_zotero(record: RawRecord) -> bool:
    da = record.first("DA") or ""
    y2 = record.first("Y2") or ""
    if _ZOTERO_DA_RE.match(da) or _ZOTERO_Y2_RE.match(y2):
        return True
    return any(
        f.tag == "N1" and f.value.lstrip().startswith(("<p>", "<div")) for f in record.fields
    )


def _is_endnote(record: RawRecord, rid: str) -> bool:
    ty = (record.first("TY") or "").strip().upper()
    if ty == "EDBOOK":
        return True
    if any(
        f.tag in ("L1", "L4") and f.value.lower().startswith("internal-pdf://")
        for f in record.fields
    ):
        return True
    return rid.isdigit() and (_has(record, "DP") or _has(record, "DB"))


def _alphabetical(fields: Sequence[Field]) -> bool:
    tags = [f.tag for f in fields if f.tag != "TY"]
    return len(tags) >= 3 and tags == sorted(tags)


@dataclass
class Prepared:
    """A record's fields after the dialect rewrites, and what the rewrites found."""

    fields: list[Field]
    # Identifiers the rewrites read, by Identifiers attribute name; first one wins.
    found: dict[str, str] = field(default_factory=dict)
    article_number: str | None = None
    citation_line: str | None = None
    set_fields: dict[str, str] = field(default_factory=dict)
    dropped: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)


def prepare(record: RawRecord, dialect: str, item_type: str) -> Prepared:
    """Apply ``dialect``'s rewrites to ``record``'s fields (pure)."""
    out = Prepared(list(record.fields))
    if dialect in ("scopus", "pure"):
        _scopus(out, item_type)
    elif dialect == "wos":
        _wos(out)
    elif dialect == "pubmed":
        _pubmed(out)
    elif dialect == "ovid":
        _ovid(out, item_type)
    elif dialect == "endnote":
        _endnote(out)
    elif dialect == "proquest":
        _proquest(out)
    elif dialect == "ieee":
        _ieee(out)
    elif dialect == "acm":
        out.fields = [
            Field("T3", f.value, f.line)
            if f.tag == "SE" and item_type in ("conferencePaper", "book", "bookSection")
            else f
            for f in out.fields
        ]
    elif dialect == "mendeley":
        _mendeley(out)
    if any(f.tag in ("C7", "JI") for f in out.fields):
        _c7_ji(out, item_type)
    return out


def _add_id(out: Prepared, kind: str, value: str | None) -> None:
    # A plain dict here: building frozen Identifiers per find costs more than the find.
    if value and kind not in out.found:
        out.found[kind] = value


def _scopus(out: Prepared, item_type: str) -> None:
    fields = out.fields
    tags = [f.tag for f in fields]
    picked = [(i, fields[i]) for i, tag in enumerate(tags) if tag in _SCOPUS_TAGS]
    # position -> its replacement, None to drop it; untouched fields stay as they are.
    changes: dict[int, Field | None] = {}
    has_do = "DO" in tags
    export_date: str | None = None
    cited_by: str | None = None
    for i, f in picked:
        tag, value = f.tag, f.value
        if tag == "C2":
            pmid = normalize_pmid(value)
            if pmid:
                _add_id(out, "pmid", pmid)
                changes[i] = None
        elif tag in ("M1", "C7"):
            if item_type in _ARTICLE_NUMBER_TYPES and value:
                out.article_number = out.article_number or value
                changes[i] = None
        elif tag == "UR":
            if "/inward/citedby." in value:
                out.dropped.append((f.line, "Scopus cited-by link (not the item's URL)"))
                changes[i] = None
            elif "scopus.com" in value:
                _add_id(out, "scopus_eid", normalize_scopus_eid(value))
        elif tag == "U2":
            changes[i] = None if has_do or not value else Field("DO", value, f.line)
            has_do = has_do or bool(value)
        elif tag == "AN":
            _add_id(out, "scopus_eid", normalize_scopus_eid(value))
        elif tag == "A2":
            if item_type == "book":
                changes[i] = Field("A3", value, f.line)  # A3 is a book's editor
        else:  # N1
            rest: list[str] = []
            parts = _SCOPUS_SPLIT_RE.split(value) if ";" in value else [value]
            for part in parts:
                part = part.strip()
                if not part:
                    continue
                if part[:5].lower() not in _SCOPUS_HEADS:
                    rest.append(part)
                elif m := _CITED_BY_RE.match(part):
                    cited_by = m.group(1)
                elif m := _EXPORT_DATE_RE.match(part):
                    export_date = m.group(1)
                    out.dropped.append((f.line, "Scopus export date (export noise)"))
                elif m := _PUBMED_ID_RE.match(part):
                    _add_id(out, "pmid", normalize_pmid(m.group(1)))
                elif _SCOPUS_NOISE_RE.match(part):
                    out.dropped.append((f.line, f"Scopus export detail: {part[:60]}"))
                else:
                    rest.append(part)
            if len(rest) != len(parts) or rest != parts:
                changes[i] = Field("N1", "; ".join(rest), f.line) if rest else None
    if changes:
        new = list(fields)
        for i in sorted(changes, reverse=True):
            replacement = changes[i]
            if replacement is None:
                del new[i]
            else:
                new[i] = replacement
        out.fields = new
    if cited_by is not None:
        day = parse_loose_date(export_date) if export_date else None
        stamp = f" [{day[0]:04d}-{day[1]:02d}-{day[2]:02d}]" if day else ""
        out.citation_line = f"{cited_by} citations (Scopus){stamp}"


def _c7_ji(out: Prepared, item_type: str) -> None:
    """Rules for every dialect: C7 (EndNote, Scopus, WoS) and JI (WoS) carry data.

    C7 on an article is its article number (EndNote's "Article Number", Scopus',
    WoS'); on EndNote's electronic books and chapters C7 is the PMCID. JI is the
    ISO journal abbreviation, used when no J2 gives one.
    """
    has_j2 = any(f.tag == "J2" for f in out.fields)
    kept: list[Field] = []
    for f in out.fields:
        if f.tag == "C7" and f.value:
            if f.value.upper().startswith("PMC") and normalize_pmcid(f.value):
                _add_id(out, "pmcid", normalize_pmcid(f.value))
                continue
            if item_type in _ARTICLE_NUMBER_TYPES:
                out.article_number = out.article_number or f.value
                continue
        elif f.tag == "JI" and not has_j2:
            kept.append(Field("J2", f.value, f.line))
            continue
        kept.append(f)
    out.fields = kept


def _wos(out: Prepared) -> None:
    kept: list[Field] = []
    for f in out.fields:
        if f.tag in ("AN", "UT"):
            _add_id(out, "wos", normalize_wos(f.value))
            if f.tag == "UT":
                continue
        elif f.tag == "J9":
            out.dropped.append((f.line, "Web of Science 29-character source abbreviation"))
            continue
        elif f.tag == "N1":
            if m := _WOS_TIMES_CITED_RE.match(f.value):
                out.citation_line = f"{m.group(1)} citations (Web of Science)"
                continue
            if _WOS_NOISE_RE.match(f.value):
                out.dropped.append((f.line, "Web of Science count (export noise)"))
                continue
        kept.append(f)
    out.fields = kept


def _take_pubmed_ids(out: Prepared, f: Field) -> bool:
    """AN as the PMID (kept as a field too), C2 as the PMCID (consumed): the shape of
    PubMed-derived records. True when the field is consumed."""
    if f.tag == "AN" and normalize_pmid(f.value):
        _add_id(out, "pmid", normalize_pmid(f.value))
    elif f.tag == "C2" and f.value.upper().startswith("PMC"):
        _add_id(out, "pmcid", normalize_pmcid(f.value))
        return True
    return False


def _pubmed(out: Prepared) -> None:
    kept: list[Field] = []
    for f in out.fields:
        if _take_pubmed_ids(out, f):
            continue
        if f.tag == "ET":
            out.dropped.append((f.line, "PubMed electronic publication date (not an edition)"))
            continue
        kept.append(f)
    out.fields = kept


def _endnote(out: Prepared) -> None:
    dp = next((f.value for f in out.fields if f.tag == "DP"), "")
    if dp.strip().upper() != "NLM":
        return
    # A record EndNote fetched from PubMed: AN is the PMID, C2 the PMCID.
    out.fields = [f for f in out.fields if not _take_pubmed_ids(out, f)]


def _ovid(out: Prepared, item_type: str) -> None:
    db = next((f.value.lower() for f in out.fields if f.tag == "DB"), "")
    kept: list[Field] = []
    for f in out.fields:
        if f.tag in ("A1", "AU", "A2", "ED") and "," not in f.value:
            kept.append(Field(f.tag, surname_initials(f.value), f.line))
            continue
        if f.tag == "AN" and "medline" in db and normalize_pmid(f.value):
            _add_id(out, "pmid", normalize_pmid(f.value))
        if f.tag == "M1" and "embase" in db and item_type == "journalArticle":
            out.dropped.append((f.line, "Embase M1 holds affiliations, not an issue"))
            continue
        kept.append(f)
    out.fields = kept


def _proquest(out: Prepared) -> None:
    kept: list[Field] = []
    for f in out.fields:
        if f.tag == "N1" and f.value.startswith("Last updated - "):
            out.dropped.append((f.line, "ProQuest 'Last updated' stamp (export noise)"))
            continue
        if f.tag == "N1" and f.value.startswith("Copyright - "):
            kept.append(Field("CR", f.value[len("Copyright - ") :], f.line))
            continue
        kept.append(f)
    out.fields = kept


def _ieee(out: Prepared) -> None:
    has_vl = any(f.tag == "VL" for f in out.fields)
    kept: list[Field] = []
    for f in out.fields:
        if f.tag == "VO":
            if not has_vl:
                kept.append(Field("VL", f.value, f.line))
            continue
        if f.tag in ("AU", "A1", "A2", "ED"):
            kept.append(Field(f.tag, initials_first_name(f.value), f.line))
            continue
        kept.append(f)
    out.fields = kept


def _mendeley(out: Prepared) -> None:
    kept: list[Field] = []
    for f in out.fields:
        if f.tag == "ID":
            out.set_fields["citationKey"] = f.value
            continue
        kept.append(f)
    out.fields = kept
