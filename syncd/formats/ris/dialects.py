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
  electronic books and chapters) is the PMCID. On an Embase record
  (``DB - Embase``) C5 is the PMID. An M1 that is a copyright statement
  (SciFinder) is the rights, not the issue. Note lines that are citation counts
  (WoS ``Times Cited...``, Scopus ``Cited By``, PubMed Central cited-by), also
  as continuation lines of one N1, become one ``N citations (Database)`` Extra
  line per database; export and revision dates are dropped (_volatile_notes).
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
  ``Accession Number: ...; ...`` (kept as a note, as Zotero does); a ``PMID:
  <digits>`` in it (PsycInfo records) is the PMID.
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
from functools import lru_cache
from typing import Final

from syncd.formats.dates import parse_loose_date
from syncd.formats.names import initials_first_name, surname_initials
from syncd.formats.records import RawRecord
from syncd.formats.ris.mapping_tables import target_for
from syncd.formats.ris.tagged import Tagged, tagged
from syncd.identifiers import (
    normalize_pmcid,
    normalize_pmid,
    normalize_scopus_eid,
    normalize_wos,
)

DIALECTS: Final = (
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

_ZOTERO_DA_RE: Final = re.compile(r"^\d{4}/(?:\d{2})?/(?:\d{2})?/")
_ZOTERO_Y2_RE: Final = re.compile(r"^\d{4}/\d{2}/\d{2}/\d{1,2}:\d{2}:\d{2}")
_CITATION_KEY_RE: Final = re.compile(r"^[A-Za-z][\w:-]*\d{4}[a-z]?$")
_GS_TAGS: Final = frozenset(
    {"TY", "T1", "TI", "A1", "JO", "VL", "IS", "SP", "EP", "PY", "DA", "PB", "SN", "BT", "CY", "ET"}
)
# Labels Scopus writes in its N1 notes; used to split the one-line form.
_SCOPUS_N1_LABELS: Final = (
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
_SCOPUS_SPLIT_RE: Final = re.compile(
    r";\s+(?=(?:" + "|".join(re.escape(x) for x in _SCOPUS_N1_LABELS) + r")\s*:)"
)
# Scopus' own notes, seen alone in exports that carry no other Scopus marker.
_SCOPUS_NOTE_RE: Final = re.compile(r"^(?:Export\s+Date\s*:|Cited\s+By\s*:\s*\d+\s*(?:;|$))", re.I)
_SCOPUS_NOISE_RE: Final = re.compile(
    r"^(?:Correspondence\s+Address|CODEN|Publication\s+Stage|Open\s+Access)\s*:", re.I
)
_CITED_BY_RE: Final = re.compile(r"^Cited\s+By\s*:\s*(\d+)\s*$", re.IGNORECASE)
# The parts are stripped, so a greedy group ending in a non-space is the lazy
# ``(.+?)\s*$`` without its backtracking.
_EXPORT_DATE_RE: Final = re.compile(r"^Export\s+Date\s*:\s*(.*\S)$", re.IGNORECASE)
_PUBMED_ID_RE: Final = re.compile(r"^PubMed\s+ID\s*:\s*(\d+)\s*$", re.IGNORECASE)
# Citation counts exporters write in notes, one line each, by the database counted
# in. They change with every export: as notes they piled up (a new note per export),
# so they become one ``N citations (Database)`` Extra line per database, which the
# merge updates in place (syncd/core/merge.py, _CITATIONS), as Scopus' always was.
_COUNT_NOTES: Final = (
    (
        re.compile(
            r"^Times\s+Cited\s+in\s+Web\s+of\s+Science\s+Core\s+Collection\s*:\s*(\d+)$", re.I
        ),
        "Web of Science",
    ),
    (re.compile(r"^Times\s+Cited\s*:\s*(\d+)$", re.I), "Web of Science"),
    (re.compile(r"^Cited\s+By\s*:\s*(\d+)$", re.I), "Scopus"),
    (
        re.compile(
            r"^(?:Cited\s+(?:by\s+)?in\s+(?:PubMed\s+Central|PMC)|Cited\s+by\s+(?:PubMed\s+"
            r"Central|PMC)|(?:PubMed\s+Central|PMC)\s+cited\s+by)\s*:\s*(\d+)$",
            re.I,
        ),
        "PubMed Central",
    ),
)
# Notes dropped as export noise. Export and revision dates (ProQuest's "Date revised -
# ...", "Last updated - ...", WoS/Ovid/Scopus export dates) change on every export
# and would pile up a note per export; WoS' all-databases total and usage counts are
# further counts of the same platform (its Core Collection count is kept), and the
# cited reference count says nothing about the work's standing.
_NOISE_NOTE_RE: Final = re.compile(
    r"^(?:Total\s+Times\s+Cited|Cited\s+Reference\s+Count|Usage\s+Count\b[^:]*|"
    r"Export(?:ed)?\s+Date|Date\s+(?:of\s+)?Export(?:ed)?|Date\s+revised|Last\s+updated|"
    r"Last\s+revised|Date\s+updated|Update\s+Date)\s*(?:[:-]|$)",
    re.I,
)
_EXPORT_DATE_NOTE_RE: Final = re.compile(
    r"^(?:Export(?:ed)?\s+Date|Date\s+(?:of\s+)?Export(?:ed)?)\s*[:-]\s*(.*\S)", re.I
)
# Words one of the notes above holds (lowercased): a note without any is kept as is.
_VOLATILE_MARKS: Final = ("cited", "export", "revised", "updated", "update date", "usage count")
# First five letters (lowercased) of the N1 parts _scopus looks at.
_SCOPUS_HEADS: Final = frozenset({"cited", "expor", "pubme", "corre", "coden", "publi", "open "})
# The tags detection reads the first value of, or looks at every value of.
_FIRST_TAGS: Final = frozenset({"AN", "DB", "DP", "DO", "ID", "PB", "DA", "Y2", "TY", "UT", "VO"})
_MARK_TAGS: Final = _FIRST_TAGS | {"UR", "L2", "N1", "L1", "L4"}
_NOISE_HEADS: Final = frozenset({"corre", "coden", "publi", "open "})
_SCOPUS_TAGS: Final = frozenset({"C2", "M1", "C7", "UR", "U2", "AN", "N1", "A2"})
_ARTICLE_NUMBER_TYPES: Final = frozenset({"journalArticle", "conferencePaper", "magazineArticle"})
_COPYRIGHT_RE: Final = re.compile(r"^\s*(?:Copyright\b|\(C\)\s*\d{4}|\u00a9)", re.IGNORECASE)
# EBSCO writes the PMID inside its N1 (``Accession Number: ... PMID: 33343428.``).
_N1_PMID_RE: Final = re.compile(r"\bPMID:\s*(\d{1,9})\b")


def detect_dialect(record: RawRecord) -> str:
    """The exporter that wrote ``record`` (one of :data:`DIALECTS`)."""
    return detect_tagged(tagged(record))


def detect_tagged(fields: list[Tagged]) -> str:
    """:func:`detect_dialect` on the mapping's working copy of the fields."""
    return _detect(_Marks(fields))


class _Marks:
    """What detection looks at, gathered in one pass over the fields.

    Detection used to scan the record once per question (first AN, first DB...);
    one pass that keeps each tag's first value is most of the saving when the
    mapping runs on a whole export.
    """

    __slots__ = ("fields", "first", "internal_pdf", "n1", "urls")

    def __init__(self, fields: list[Tagged]) -> None:
        self.fields = fields
        first: dict[str, str] = {}
        urls: list[str] = []
        n1: list[str] = []
        internal_pdf = False
        for f in fields:
            tag = f.tag
            if tag not in _MARK_TAGS:
                continue
            if tag not in first:
                first[tag] = f.value
            if tag in _FIRST_TAGS:
                continue
            if tag == "UR" or tag == "L2":
                urls.append(f.value)
            elif tag == "N1":
                n1.append(f.value)
            elif f.value.lower().startswith("internal-pdf://"):  # L1, L4
                internal_pdf = True
        self.first = first
        self.urls = " ".join(urls).lower()
        self.n1 = n1
        self.internal_pdf = internal_pdf


def _detect(marks: _Marks) -> str:
    first = marks.first
    fields = marks.fields
    an = first.get("AN", "").strip()
    db = first.get("DB", "").lower()
    dp = first.get("DP", "").lower()
    urls = marks.urls
    doi = first.get("DO", "").lower()

    if an.upper().startswith("SCOPUS:") or "inward/record.url?scp=" in urls:
        return "pure"
    if db == "scopus" or an.startswith("2-s2.0-") or "scopus.com/inward/record.uri" in urls:
        return "scopus"
    if an.upper().startswith("WOS:") or "UT" in first:
        return "wos"
    # Scopus' notes alone are weaker marks than a WoS accession number.
    if any(_SCOPUS_NOTE_RE.match(value) for value in marks.n1):
        return "scopus"
    # Reference managers re-export records from every database, so their marks
    # (which are about the file, not the source) are checked before the sources'.
    if _is_zotero(marks):
        return "zotero"
    rid = first.get("ID", "").strip()
    if rid and _CITATION_KEY_RE.match(rid) and _alphabetical(fields):
        return "mendeley"
    if _is_endnote(marks, rid):
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
    if doi.startswith("10.1109/") or "ieeexplore" in urls or "VO" in first:
        return "ieee"
    pb = first.get("PB", "").lower()
    if doi.startswith("10.1145/") or "association for computing machinery" in pb:
        return "acm"
    tags = {f.tag for f in fields}
    if tags <= _GS_TAGS and "A1" in tags and ("T1" in tags or "TI" in tags):
        return "google_scholar"
    return "generic"


def _is_zotero(marks: _Marks) -> bool:
    if _ZOTERO_DA_RE.match(marks.first.get("DA", "")):
        return True
    if _ZOTERO_Y2_RE.match(marks.first.get("Y2", "")):
        return True
    return any(value.lstrip().startswith(("<p>", "<div")) for value in marks.n1)


def _is_endnote(marks: _Marks, rid: str) -> bool:
    first = marks.first
    if first.get("TY", "").strip().upper() == "EDBOOK":
        return True
    if marks.internal_pdf:
        return True
    return rid.isdigit() and ("DP" in first or "DB" in first)


def _alphabetical(fields: Sequence[Tagged]) -> bool:
    tags = [f.tag for f in fields if f.tag != "TY"]
    return len(tags) >= 3 and tags == sorted(tags)


class Prepared:
    """A record's fields after the dialect rewrites, and what the rewrites found.

    A plain class rather than a dataclass: under mypyc it compiles to a struct
    whose construction, once per record, costs a tenth of a dataclass's.
    """

    __slots__ = ("article_number", "citation_lines", "dropped", "fields", "found", "set_fields")

    def __init__(self, fields: list[Tagged]) -> None:
        self.fields = fields
        # Identifiers the rewrites read, by Identifiers attribute name; first one wins.
        self.found: dict[str, str] = {}
        self.article_number: str | None = None
        # One ``N citations (Database) [date]`` Extra line per database.
        self.citation_lines: list[str] = []
        self.set_fields: dict[str, str] = {}
        self.dropped: list[tuple[int, str]] = []  # (line, reason)


def prepare(
    fields: list[Tagged], dialect: str, item_type: str, *, abbreviation_field: bool = True
) -> Prepared:
    """Apply ``dialect``'s rewrites to a record's ``fields`` (pure; the list is not changed).

    ``abbreviation_field`` says whether ``item_type`` has a journalAbbreviation field.
    """
    out = Prepared(list(fields))
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
    elif dialect == "ebsco":
        _ebsco(out)
    elif dialect == "ieee":
        _ieee(out)
    elif dialect == "acm":
        out.fields = [
            Tagged("T3", f.value, f.line)
            if f.tag == "SE" and item_type in ("conferencePaper", "book", "bookSection")
            else f
            for f in out.fields
        ]
    elif dialect == "mendeley":
        _mendeley(out)
    if any(f.tag in ("C7", "JI", "C2", "C5", "M1") for f in out.fields):
        _c7_ji(out, item_type, abbreviation_field)
    if any(f.tag == "N1" for f in out.fields):
        _volatile_notes(out)
    return out


def _volatile_notes(out: Prepared) -> None:
    """Citation counts in notes become Extra lines, export noise is dropped (every
    dialect: a note's lines are judged one by one, the rest of the note stays)."""
    counts: dict[str, str] = {}
    export_date = ""
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag != "N1":
            kept.append(f)
            continue
        low = f.value.lower()
        if not any(mark in low for mark in _VOLATILE_MARKS):
            kept.append(f)
            continue
        rest: list[str] = []
        for line in f.value.split("\n"):
            text = line.strip()
            found = _count_of(text)
            if found is not None:
                counts.setdefault(found[0], found[1])
            elif _NOISE_NOTE_RE.match(text):
                if m := _EXPORT_DATE_NOTE_RE.match(text):
                    export_date = export_date or m.group(1)
                out.dropped.append((f.line, f"export noise: {text[:60]}"))
            else:
                rest.append(line)
        if any(line.strip() for line in rest):
            kept.append(f if len(rest) == f.value.count("\n") + 1 else _note(f, rest))
    out.fields = kept
    if counts:
        # Databases that already have their line (Scopus', from its own N1 rules).
        have = {line.partition("(")[2].partition(")")[0] for line in out.citation_lines}
        for database, number in counts.items():
            if database not in have:
                out.citation_lines.append(citation_line(number, database, export_date))


def _note(f: Tagged, lines: list[str]) -> Tagged:
    return Tagged("N1", "\n".join(lines).strip(), f.line)


def _count_of(text: str) -> tuple[str, str] | None:
    """(database, count) when a note line is a citation count."""
    if "ited" not in text:
        return None
    for pattern, database in _COUNT_NOTES:
        if m := pattern.match(text):
            return database, m.group(1)
    return None


def _add_id(out: Prepared, kind: str, value: str | None) -> None:
    # A plain dict here: building frozen Identifiers per find costs more than the find.
    if value and kind not in out.found:
        out.found[kind] = value


def _scopus(out: Prepared, item_type: str) -> None:
    fields = out.fields
    has_do = any(f.tag == "DO" for f in fields)
    article_number_type = item_type in _ARTICLE_NUMBER_TYPES
    kept: list[Tagged] = []
    export_date: str | None = None
    cited_by: str | None = None
    for f in fields:
        tag = f.tag
        if tag not in _SCOPUS_TAGS:
            kept.append(f)
            continue
        value = f.value
        if tag == "C2":
            pmid = normalize_pmid(value)
            if pmid:
                _add_id(out, "pmid", pmid)
                continue
        elif tag == "M1" or tag == "C7":
            if article_number_type and value:
                out.article_number = out.article_number or value
                continue
        elif tag == "UR":
            if "/inward/citedby." in value:
                out.dropped.append((f.line, "Scopus cited-by link (not the item's URL)"))
                continue
            if "scopus.com" in value:
                _add_id(out, "scopus_eid", normalize_scopus_eid(value))
        elif tag == "U2":
            if has_do or not value:
                continue
            has_do = True
            f = Tagged("DO", value, f.line)
        elif tag == "AN":
            _add_id(out, "scopus_eid", normalize_scopus_eid(value))
        elif tag == "A2":
            if item_type == "book":
                f = Tagged("A3", value, f.line)  # A3 is a book's editor
        else:  # N1
            rest: list[str] = []
            parts = _SCOPUS_SPLIT_RE.split(value) if ";" in value else [value]
            for part in parts:
                part = part.strip()
                if not part:
                    continue
                # Each pattern starts with its own label, so the first five letters
                # say which one can match (the others would fail on the label).
                head = part[:5].lower()
                if head not in _SCOPUS_HEADS:
                    rest.append(part)
                elif head == "cited" and (m := _CITED_BY_RE.match(part)):
                    cited_by = m.group(1)
                elif head == "expor" and (m := _EXPORT_DATE_RE.match(part)):
                    export_date = m.group(1)
                    out.dropped.append((f.line, "Scopus export date (export noise)"))
                elif head == "pubme" and (m := _PUBMED_ID_RE.match(part)):
                    _add_id(out, "pmid", normalize_pmid(m.group(1)))
                elif head in _NOISE_HEADS and _SCOPUS_NOISE_RE.match(part):
                    out.dropped.append((f.line, f"Scopus export detail: {part[:60]}"))
                else:
                    rest.append(part)
            if len(rest) != len(parts) or rest != parts:
                if not rest:
                    continue
                f = Tagged("N1", "; ".join(rest), f.line)
        kept.append(f)
    out.fields = kept
    if cited_by is not None:
        out.citation_lines.append(citation_line(cited_by, "Scopus", export_date))


def citation_line(count: str, database: str, export_date: str | None = None) -> str:
    """One citation count as its Extra line, ``12 citations (Scopus) [2024-01-05]``.

    Dated by the export's own date when it has one (so converting a file twice gives
    the same line), else undated; never by the conversion date. Every format writes
    its counts through here, so the merge (syncd/core/merge.py) updates them in place.
    """
    stamp = _date_stamp(export_date) if export_date else ""
    return f"{count} citations ({database}){stamp}"


@lru_cache(maxsize=64)  # one export date per file, as a rule
def _date_stamp(export_date: str) -> str:
    """`` [YYYY-MM-DD]`` for a Scopus export date, or "" when it is not a date."""
    day = parse_loose_date(export_date)
    return f" [{day[0]:04d}-{day[1]:02d}-{day[2]:02d}]" if day else ""


def _c7_ji(out: Prepared, item_type: str, abbreviation_field: bool) -> None:
    """Rules for every dialect: C7 (EndNote, Scopus, WoS), C2, C5, JI (WoS), M1.

    C7 on an article is its article number (EndNote's "Article Number", Scopus',
    WoS'); on EndNote's electronic books and chapters C7 is the PMCID. A C2 that
    reads ``PMC<digits>`` is the PMCID wherever Zotero gives C2 no field (it
    would drop it as unknown). JI is the ISO journal abbreviation, used when no
    J2 gives one; on a type without a journal abbreviation (a WoS chapter in a
    book series: ``JI - Ann.NY Acad.Sci.``) it only goes to Extra, because
    Zotero copies a journal abbreviation into the publication title, which is
    the book title there, and the series abbreviation replaced the book's title.
    Embase (Ovid, Embase.com) writes the PMID in C5, which Zotero drops. An M1
    holding a copyright statement (SciFinder writes ``M1 - Copyright (C) 2016
    U.S. National Library of Medicine.`` beside ``IS - 2``; Zotero would file it
    as the issue and drop the real one) is the record's rights, as CR is.
    """
    has_j2 = any(f.tag == "J2" for f in out.fields)
    c2_free = target_for(item_type, "C2") is None
    embase = any(f.tag == "DB" and "embase" in f.value.lower() for f in out.fields)
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag == "M1":
            if f.value[:1] in "C(\u00a9" and _COPYRIGHT_RE.match(f.value):
                # Rights, not Extra or a note: journal articles (and every other
                # type) have the field, and ProQuest's copyright lines go there too.
                kept.append(Tagged("CR", f.value, f.line))
                continue
        elif f.tag == "C5":
            if embase and (pmid := normalize_pmid(f.value)):
                _add_id(out, "pmid", pmid)
                continue
        elif f.tag == "C2":
            if c2_free and (pmcid := _pmcid_of(f.value)):
                _add_id(out, "pmcid", pmcid)
                continue
        elif f.tag == "C7" and f.value:
            if pmcid := _pmcid_of(f.value):
                _add_id(out, "pmcid", pmcid)
                continue
            if item_type in _ARTICLE_NUMBER_TYPES:
                out.article_number = out.article_number or f.value
                continue
        elif f.tag == "JI" and not has_j2:
            if abbreviation_field:
                kept.append(Tagged("J2", f.value, f.line))
            else:
                out.set_fields.setdefault("journalAbbreviation", f.value)
            continue
        kept.append(f)
    out.fields = kept


def _wos(out: Prepared) -> None:
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag in ("AN", "UT"):
            _add_id(out, "wos", normalize_wos(f.value))
            if f.tag == "UT":
                continue
        elif f.tag == "J9":
            out.dropped.append((f.line, "Web of Science 29-character source abbreviation"))
            continue
        kept.append(f)
    out.fields = kept


def _take_pubmed_ids(out: Prepared, f: Tagged) -> bool:
    """AN as the PMID (kept as a field too), C2 as the PMCID (consumed): the shape of
    PubMed-derived records. True when the field is consumed."""
    if f.tag == "AN" and normalize_pmid(f.value):
        _add_id(out, "pmid", normalize_pmid(f.value))
    elif f.tag == "C2" and f.value.upper().startswith("PMC"):
        _add_id(out, "pmcid", normalize_pmcid(f.value))
        return True
    return False


def _pmcid_of(value: str) -> str | None:
    """The PMCID a value spells out as ``PMC<digits>`` (bare digits are not one here:
    in C2/C7 they mean other things)."""
    return normalize_pmcid(value) if value.upper().startswith("PMC") else None


def _pubmed(out: Prepared) -> None:
    kept: list[Tagged] = []
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
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag in ("A1", "AU", "A2", "ED") and "," not in f.value:
            kept.append(Tagged(f.tag, surname_initials(f.value), f.line))
            continue
        if f.tag == "AN" and "medline" in db and normalize_pmid(f.value):
            _add_id(out, "pmid", normalize_pmid(f.value))
        if f.tag == "M1" and "embase" in db and item_type == "journalArticle":
            out.dropped.append((f.line, "Embase M1 holds affiliations, not an issue"))
            continue
        kept.append(f)
    out.fields = kept


def _proquest(out: Prepared) -> None:
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag == "N1" and f.value.startswith("Last updated - "):
            out.dropped.append((f.line, "ProQuest 'Last updated' stamp (export noise)"))
            continue
        if f.tag == "N1" and f.value.startswith("Copyright - "):
            kept.append(Tagged("CR", f.value[len("Copyright - ") :], f.line))
            continue
        kept.append(f)
    out.fields = kept


def _ebsco(out: Prepared) -> None:
    """The PMID in EBSCO's N1 (the note is kept whole, as Zotero keeps it)."""
    for f in out.fields:
        if f.tag == "N1" and "PMID:" in f.value and (m := _N1_PMID_RE.search(f.value)):
            _add_id(out, "pmid", normalize_pmid(m.group(1)))


def _ieee(out: Prepared) -> None:
    has_vl = any(f.tag == "VL" for f in out.fields)
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag == "VO":
            if not has_vl:
                kept.append(Tagged("VL", f.value, f.line))
            continue
        if f.tag in ("AU", "A1", "A2", "ED"):
            kept.append(Tagged(f.tag, initials_first_name(f.value), f.line))
            continue
        kept.append(f)
    out.fields = kept


def _mendeley(out: Prepared) -> None:
    kept: list[Tagged] = []
    for f in out.fields:
        if f.tag == "ID":
            out.set_fields["citationKey"] = f.value
            continue
        kept.append(f)
    out.fields = kept
