"""BibTeX entry -> Zotero item, as Zotero's BibTeX import maps it (pure).

Types and fields follow Zotero's ``BibTeX.js`` import: ``@article`` a journal
article, ``@inproceedings`` a conference paper, ``@phdthesis``/``@mastersthesis`` a
thesis with its type, ``@misc`` a document, ``@online``/``@electronic`` a web page;
``journal``/``booktitle`` the publication title (``fjournal`` the full title, the
``journal`` then its abbreviation), ``school``/``institution``/``publisher`` the
publisher, ``number`` the issue (the report or series number where the type has
one), ``year``/``month``/``day`` the date, ``keywords`` tags split on ``,``/``;``,
``note`` a child note, ``file`` attachments (JabRef, Zotero and Mendeley forms),
``lccn``/``mrnumber``/``zmnumber``/``eprint`` labelled Extra lines, and the
identifiers (``doi``, ``pmid``, ``pmcid``, ``isbn``, ``issn``) where RIS records put
them. The item is then finished by :func:`syncd.formats.build.build_record`, as RIS
records are.

Deliberate differences from Zotero's import, each so that a work read from BibTeX
and from another format is one item and a re-sync writes nothing: titles are plain
text (no ``<i>``/``<sup>``: see :mod:`.latex`); a page range written ``--`` or with
an en dash is written ``-``, as RIS's SP/EP give it; fields the type lacks go to
Extra as ``Label: value``, as for RIS.

Exporters: Scopus (``source = {Scopus}`` or a scopus.com link) writes its citation
count and export details in ``note`` (``Cited by: 12; All Open Access...``): read
with the Scopus RIS rules (one ``12 citations (Scopus)`` Extra line, details
dropped), ``pubmed_id`` is the PMID, ``art_number`` the article number,
``author_keywords`` tags, ``abbrev_source_title`` the journal abbreviation, and the
EID comes from the link. In every export a note that is a citation count becomes
that Extra line, and one that is ``PMID: ...`` an identifier.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from bibtexparser.customization import InvalidName, splitname

from syncd.formats.bibtex.latex import decode, decode_verbatim
from syncd.formats.bibtex.reader import BibEntry
from syncd.formats.build import build_record
from syncd.formats.dates import access_date, parse_loose_date
from syncd.formats.markup import note_html
from syncd.formats.names import creator
from syncd.formats.records import ConvertedRecord, ReadProblem, SourceRef
from syncd.formats.ris.dialects import prepare
from syncd.formats.ris.tagged import Tagged
from syncd.identifiers import normalize_pmcid, normalize_pmid, normalize_scopus_eid
from syncd.schema import Schema

TYPES: Final = {
    "article": "journalArticle",
    "book": "book",
    "booklet": "book",
    "manual": "book",
    "proceedings": "book",
    "collection": "book",
    "mvbook": "book",
    "periodical": "book",
    "inbook": "bookSection",
    "incollection": "bookSection",
    "inreference": "encyclopediaArticle",
    "inproceedings": "conferencePaper",
    "conference": "conferencePaper",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "unpublished": "manuscript",
    "misc": "document",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "patent": "patent",
    "dataset": "dataset",
    "software": "computerProgram",
    "standard": "standard",
    "preprint": "preprint",
}
DEFAULT_TYPE: Final = "document"
_THESIS_TYPES: Final = {"phdthesis": "PhD Thesis", "mastersthesis": "Master's Thesis"}
# BibTeX field -> Zotero (base) field, values read as text.
_TEXT_FIELDS: Final = {
    "title": "title",
    "address": "place",
    "chapter": "section",
    "edition": "edition",
    "type": "type",
    "series": "series",
    "volume": "volume",
    "copyright": "rights",
    "shorttitle": "shortTitle",
    "abstract": "abstractNote",
    "language": "language",
    "school": "publisher",
    "institution": "publisher",
    "publisher": "publisher",
    "organization": "publisher",
    "issue": "issue",
    "pagetotal": "numPages",
    "numpages": "numPages",
    "abbrev_source_title": "journalAbbreviation",
    "journalabbreviation": "journalAbbreviation",
    "shortjournal": "journalAbbreviation",
}
# BibTeX field -> Extra label (Zotero's labels for identifiers it has no field for).
_EXTRA_FIELDS: Final = {
    "lccn": "LCCN",
    "mrnumber": "MR",
    "zmnumber": "Zbl",
    "location": "event-place",
}
_CREATORS: Final = {"author": "author", "editor": "editor", "translator": "translator"}
_NUMBER_FIELDS: Final = {
    "report": "reportNumber",
    "patent": "patentNumber",
    "book": "seriesNumber",
    "bookSection": "seriesNumber",
    "thesis": "seriesNumber",
}
# A lowercase word before the comma is a particle ("von Hicks, M."): splitname's job.
_SPLITNAME_NEEDED_RE: Final = re.compile(r"[{}\\]|(?:^|\s)[a-z][^,]*,")
_AND_RE: Final = re.compile(r"\s+and\s+", re.IGNORECASE)
_KEYWORD_SPLIT_RE: Final = re.compile(r"\s*[,;]\s*")
_RANGE_RE: Final = re.compile(r"(?<=\w)\s*(?:-{2,3}|[\u2013\u2014]|\s-\s)\s*(?=\w)")
_MONTH_RE: Final = re.compile(r"^\s*(\d{1,2})\s*$")
_EID_NOTE_RE: Final = re.compile(r"^\s*(?:Scopus\s+)?EID\s*:\s*(2-s2\.0-\d+)\s*$", re.I)
_ID_NOTE_RE: Final = re.compile(r"^\s*(PMID|PMCID|DOI)\s*:\s*(\S+)\s*$", re.IGNORECASE)
_SCOPUS_PARTS_RE: Final = re.compile(r"\s*;\s+")
_OPEN_ACCESS_RE: Final = re.compile(
    r"^\s*(?:(?:All|Gold|Green|Bronze|Hybrid Gold|Hybrid)\s+)?Open Access"
    r"(?:\s*,\s*(?:(?:All|Gold|Green|Bronze|Hybrid Gold|Hybrid)\s+)?Open Access)*\s*$",
    re.IGNORECASE,
)
_FILE_SPLIT_RE: Final = re.compile(r"(?<!\\);")
_FILE_PART_RE: Final = re.compile(r"(?<!\\):")
_MIME: Final = {"pdf": "application/pdf", "html": "text/html", "htm": "text/html"}
# Scopus BibTeX fields that are export detail (affiliations are dropped as the
# Scopus RIS rules drop AD).
_DROPPED: Final = frozenset(
    {
        "affiliations",
        "affiliation",
        "correspondence_address",
        "correspondence_address1",
        "coden",
        "publication_stage",
        "source",
        "document_type",
        "timestamp",
        "biburl",
        "bibsource",
        "owner",
        "crossref",
        "mendeley-groups",
        "file",
        "keywords",
        "author_keywords",
        "mendeley-tags",
        "urldate",
        "date",
        "year",
        "month",
        "day",
        "journal",
        "journaltitle",
        "fjournal",
        "booktitle",
        "pages",
        "number",
        "doi",
        "url",
        "howpublished",
        "isbn",
        "issn",
        "pmid",
        "pubmed_id",
        "pmcid",
        "note",
        "annote",
        "eprint",
        "eprinttype",
        "archiveprefix",
        "art_number",
        "eid",
        "funding_details",
        "funding_text",
        "references",
        "chemicals_cas",
        "tradenames",
        "manufacturers",
        "sponsors",
        "page_count",
        "abbrev",
        "acmid",
        "urn",
        "collaboration",
    }
)


def dialect_of(entry: BibEntry) -> str:
    """``bibtex/<exporter>`` when the entry shows its exporter, else ``bibtex``."""
    source = (entry.value("source") or "").strip().lower()
    url = (entry.value("url") or "").lower()
    if source == "scopus" or "scopus.com" in url:
        return "bibtex/scopus"
    return "bibtex"


def map_entry(entry: BibEntry, file: str, schema: Schema) -> ConvertedRecord:
    """Convert one BibTeX entry into a Zotero item (pure; see the module docstring).

    Each step adds to the fields, Extra lines, identifiers and problems the steps
    before it gathered; the order matters where a later step fills only what the
    earlier ones left empty (an article number goes to pages only when there are none).
    """
    problems: list[ReadProblem] = []
    item_type = _item_type(entry, schema, file, problems)
    dialect = dialect_of(entry)

    def text(name: str) -> str:
        raw = entry.value(name)
        return decode(raw) if raw else ""

    fields, extra = _named_fields(entry, file, problems)
    _type_field(entry, item_type, fields, schema, file, problems)
    if dialect == "bibtex/scopus" and text("source"):
        fields["archive"] = text("source")  # where Scopus RIS's DB puts it
    _publication(entry, fields, text)
    _numbers_and_dates(item_type, fields, text)
    _links(entry, fields, extra)
    creators = _creators(entry, problems, file)
    tags = _tags(entry)
    found = _identifiers(entry, fields, extra, text)
    notes, citation_lines = _notes(entry, dialect, item_type, extra, found, problems, file)
    numbers = [decode_verbatim(v) for v in (entry.value("isbn"), entry.value("issn")) if v]
    if numbers and entry.value("isbn"):
        fields["ISBN"] = decode_verbatim(entry.value("isbn") or "")
    if entry.value("issn"):
        fields["ISSN"] = decode_verbatim(entry.value("issn") or "")
    if entry.key:
        fields["citationKey"] = entry.key
    source = SourceRef(file, entry.line, entry.end_line, entry.index, dialect)
    return build_record(
        item_type,
        fields,
        creators,
        source,
        schema,
        tags=tags,
        notes=notes,
        attachments=_attachments(entry),
        extra=extra,
        standard_numbers=numbers,
        found=found,
        citation_lines=citation_lines,
        problems=problems,
        end_rules=True,
    )


def _item_type(entry: BibEntry, schema: Schema, file: str, problems: list[ReadProblem]) -> str:
    """The entry type's Zotero item type; an unknown one is read as the default, said."""
    item_type = TYPES.get(entry.entry_type, DEFAULT_TYPE)
    if not schema.has_type(item_type):
        item_type = DEFAULT_TYPE
    if entry.entry_type not in TYPES:
        problems.append(
            ReadProblem(
                file,
                entry.line,
                f"unknown entry type @{entry.entry_type}, read as {item_type}",
                "warning",
            )
        )
    return item_type


def _named_fields(
    entry: BibEntry, file: str, problems: list[ReadProblem]
) -> tuple[dict[str, str], list[str]]:
    """The fields that map by name alone (to a field, or to an Extra line); a field no
    step reads is reported dropped."""
    fields: dict[str, str] = {}
    extra: list[str] = []
    for name, (raw, _) in entry.fields.items():
        target = _TEXT_FIELDS.get(name)
        if target is not None:
            value = decode(raw)
            if value and not fields.get(target):
                fields[target] = value
        elif name in _EXTRA_FIELDS:
            value = decode(raw)
            if value:
                extra.append(f"{_EXTRA_FIELDS[name]}: {value}")
        elif name not in _DROPPED and name not in _CREATORS:
            problems.append(
                ReadProblem(file, entry.fields[name][1], f"field {name} dropped", "info")
            )
    return fields, extra


def _type_field(
    entry: BibEntry,
    item_type: str,
    fields: dict[str, str],
    schema: Schema,
    file: str,
    problems: list[ReadProblem],
) -> None:
    if entry.entry_type in _THESIS_TYPES and not fields.get("type"):
        fields["type"] = _THESIS_TYPES[entry.entry_type]
    if "type" in fields and not schema.resolve_field(item_type, "type"):
        # Scopus' ``type = {Article}`` is its document type: no field of an article.
        dropped = fields.pop("type")
        problems.append(ReadProblem(file, entry.line, f"type dropped: {dropped}", "info"))


def _numbers_and_dates(item_type: str, fields: dict[str, str], text: Callable[[str], str]) -> None:
    number = text("number")
    if number:
        fields[_NUMBER_FIELDS.get(item_type, "issue")] = number
    pages = text("pages")
    if pages:
        fields["pages"] = _RANGE_RE.sub("-", pages)
    date = _date(text("date"), text("year"), text("month"), text("day"))
    if date:
        fields["date"] = date
    urldate = text("urldate")
    if urldate:
        fields["accessDate"] = access_date(urldate) or ""


def _identifiers(
    entry: BibEntry, fields: dict[str, str], extra: list[str], text: Callable[[str], str]
) -> dict[str, str]:
    """PMID, PMCID and Scopus EID read from their fields; what is no valid one, an
    e-print and a second article number, as Extra lines."""
    found: dict[str, str] = {}
    for name, kind in (("pmid", "pmid"), ("pubmed_id", "pmid"), ("pmcid", "pmcid")):
        id_raw = entry.value(name)
        if id_raw:
            value = decode_verbatim(id_raw)
            # A PMID field holds the number alone; "P123456" is kept as text (as Zotero).
            pmid = normalize_pmid(value) if value.isdigit() else None
            norm = pmid if kind == "pmid" else normalize_pmcid(value)
            if norm:
                found.setdefault(kind, norm)
            else:
                extra.append(f"{kind.upper()}: {value}")
    eprint = text("eprint")
    if eprint:
        kind = text("eprinttype") or text("archiveprefix") or "eprint"
        extra.append(f"{'arXiv' if kind.lower() == 'arxiv' else kind}: {eprint}")
    article_number = text("art_number")
    eid = text("eid")  # Scopus writes its EID here; biblatex an article number
    if eid.lower().startswith("2-s2.0-"):
        found.setdefault("scopus_eid", normalize_scopus_eid(eid) or "")
    elif eid:
        article_number = article_number or eid
    if article_number:
        if not fields.get("pages"):
            fields["pages"] = article_number
        else:
            extra.append(f"Article Number: {article_number}")
    return found


def _publication(entry: BibEntry, fields: dict[str, str], text: Callable[[str], str]) -> None:
    journal = text("journal") or text("journaltitle")
    full = text("fjournal")
    if full:
        fields["publicationTitle"] = full
        if journal and journal != full:
            fields.setdefault("journalAbbreviation", journal)
    elif journal:
        fields["publicationTitle"] = journal
    booktitle = text("booktitle")
    if booktitle and not fields.get("publicationTitle"):
        if entry.entry_type in ("proceedings", "book", "collection", "mvbook"):
            if not fields.get("title"):
                fields["title"] = booktitle
        else:
            fields["publicationTitle"] = booktitle


def _date(date: str, year: str, month: str, day: str) -> str:
    if date:
        return date
    if not year:
        return ""
    m = _MONTH_RE.match(month)
    number = int(m.group(1)) if m else parse_loose_date(f"1 {month} 2000") if month else None
    if isinstance(number, tuple):
        number = number[1]
    if not number or not 1 <= number <= 12:
        return year if not month else f"{month} {year}"
    out = f"{year}-{number:02d}"
    if day.isdigit() and 1 <= int(day) <= 31:
        out += f"-{int(day):02d}"
    return out


def _links(entry: BibEntry, fields: dict[str, str], extra: list[str]) -> None:
    url = entry.value("url")
    if url:
        fields["url"] = decode_verbatim(url)
    howpublished = entry.value("howpublished")
    if howpublished:
        value = decode_verbatim(howpublished)
        if value.lower().startswith(("http://", "https://", "ftp://")):
            fields.setdefault("url", value)
        else:
            extra.append("Published: " + decode(howpublished))
    doi = entry.value("doi")
    if doi:
        fields["DOI"] = decode_verbatim(doi)


def _creators(entry: BibEntry, problems: list[ReadProblem], file: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, creator_type in _CREATORS.items():
        raw = entry.value(name)
        if not raw:
            continue
        for part in _split_names(raw):
            creator = _creator(part, creator_type)
            if creator is not None:
                out.append(creator)
            elif part.strip():
                problems.append(
                    ReadProblem(file, entry.fields[name][1], f"unreadable {name} name: {part}")
                )
    return out


def _split_names(raw: str) -> list[str]:
    """``raw`` split on `` and `` outside braces."""
    if "{" not in raw:
        return [p.strip() for p in _AND_RE.split(raw) if p.strip() and p.strip() != "others"]
    out: list[str] = []
    depth = 0
    start = 0
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch in " \t\n":
            m = _AND_RE.match(raw, i)
            if m is not None:
                out.append(raw[start:i])
                start = i = m.end()
                continue
        i += 1
    out.append(raw[start:])
    return [p.strip() for p in out if p.strip() and p.strip().lower() != "others"]


def _creator(raw: str, creator_type: str) -> dict[str, Any] | None:
    if raw.startswith("{") and raw.endswith("}") and _one_group(raw):
        name = decode(raw)
        return {"creatorType": creator_type, "name": name} if name else None
    if not _has_top_level_comma(raw):
        # "First von Last" without a comma: as Zotero, the last word is the last name
        # and the rest the first name ("American Rights at Work": "Work").
        words = _words(raw)
        last = decode(words[-1]) if words else ""
        first = decode(" ".join(words[:-1]))
    elif raw.count(",") == 1 and not _SPLITNAME_NEEDED_RE.search(raw):
        # "Last, First" with no braces, commands or particles (most names): what
        # splitname gives, without it.
        last_raw, _, first_raw = raw.partition(",")
        last, first = decode(last_raw), decode(first_raw)
    else:
        try:
            parts = splitname(raw, strict_mode=False)
        # StopIteration: splitname's own next() on a name ending in a backslash.
        except (InvalidName, IndexError, ValueError, StopIteration):
            return creator(decode(raw), creator_type)
        last = decode(" ".join(parts.get("von", []) + parts.get("last", [])))
        first = decode(" ".join(parts.get("first", [])))
        jr = decode(" ".join(parts.get("jr", [])))
        if jr:
            first = f"{first}, {jr}" if first else jr
    if not last:
        return {"creatorType": creator_type, "name": first} if first else None
    if not first:
        return {"creatorType": creator_type, "name": last}
    return {"creatorType": creator_type, "firstName": first, "lastName": last}


def _has_top_level_comma(raw: str) -> bool:
    if "{" not in raw:
        return "," in raw
    depth = 0
    for ch in raw:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            return True
    return False


def _words(raw: str) -> list[str]:
    """``raw`` split on whitespace outside braces."""
    words: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in raw:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch.isspace() and depth <= 0:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(ch)
    if current:
        words.append("".join(current))
    return words


def _one_group(raw: str) -> bool:
    depth = 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0 and i != len(raw) - 1:
                return False
    return True


def _tags(entry: BibEntry) -> list[str]:
    tags: list[str] = []
    for name in ("keywords", "author_keywords", "mendeley-tags"):
        raw = entry.value(name)
        if raw:
            for tag in _KEYWORD_SPLIT_RE.split(decode(raw)):
                if tag and tag not in tags:
                    tags.append(tag)
    return tags


def _notes(
    entry: BibEntry,
    dialect: str,
    item_type: str,
    extra: list[str],
    found: dict[str, str],
    problems: list[ReadProblem],
    file: str,
) -> tuple[list[str], list[str]]:
    """Child notes, and citation lines, of ``note``/``annote``, read by the RIS note rules.

    Scopus writes one note of ``; ``-separated parts (``Cited by: 12; All Open
    Access, Gold Open Access``): each part is judged as one Scopus RIS note line, and
    the open-access flags are dropped as the RIS rules drop ``Open Access:``."""
    tagged: list[Tagged] = []
    for name in ("note", "annote"):
        found_value = entry.fields.get(name)
        if found_value is None:
            continue
        value = decode(found_value[0])
        m = _ID_NOTE_RE.match(value)
        eid = _EID_NOTE_RE.match(value)
        if m is not None:
            extra.append(f"{m.group(1).upper()}: {m.group(2)}")
        elif eid is not None:
            found.setdefault("scopus_eid", normalize_scopus_eid(eid.group(1)) or "")
        elif value and dialect == "bibtex/scopus":
            for part in _SCOPUS_PARTS_RE.split(value):
                if _OPEN_ACCESS_RE.match(part):
                    what = f"dropped: Scopus open-access flags ({part.strip()})"
                    problems.append(ReadProblem(file, found_value[1], what, "info"))
                elif part.strip():
                    tagged.append(Tagged("N1", part.strip(), found_value[1]))
        elif value:
            tagged.append(Tagged("N1", value, found_value[1]))
    if not tagged:
        return [], []
    prep = prepare(tagged, "scopus" if dialect == "bibtex/scopus" else "generic", item_type)
    for kind, value in prep.found.items():
        found.setdefault(kind, value)
    notes = [note_html(f.value) for f in prep.fields if f.tag == "N1" and f.value.strip()]
    return notes, list(prep.citation_lines)


def _attachments(entry: BibEntry) -> list[dict[str, str]]:
    """The ``file`` field: ``title:path:type`` items separated by ``;`` (JabRef and
    Zotero), ``:path:type`` (Mendeley, with ``$\\backslash$`` for ``\\``)."""
    raw = entry.value("file")
    if not raw:
        return []
    raw = raw.replace("$\\backslash$", "\\")
    out: list[dict[str, str]] = []
    for item in _FILE_SPLIT_RE.split(raw):
        parts = _FILE_PART_RE.split(item)
        if len(parts) > 3:
            continue  # an old Zotero link with its drive colon unescaped: not a path
        if len(parts) < 2:
            parts = ["", item, ""]
        title, kind = parts[0], parts[-1] if len(parts) >= 3 else ""
        path = ":".join(parts[1:-1]) if len(parts) >= 3 else parts[1]
        path = _unescape_path(path)
        if not path:
            continue
        attachment = {"title": decode(title) or "Attachment", "path": path}
        mime = kind if "/" in kind else _MIME.get(kind.lower().strip())
        if mime:
            attachment["mimeType"] = mime
        out.append(attachment)
    return out


def _unescape_path(path: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\" and i + 1 < len(path) and not path[i + 1].isalnum():
            out.append(path[i + 1])
            i += 2
            continue
        if ch not in "{}":
            out.append(ch)
        i += 1
    text = "".join(out).strip()
    if len(text) > 1 and text[0] == ":" and text[1] != "\\":
        text = text[1:]
    return text
