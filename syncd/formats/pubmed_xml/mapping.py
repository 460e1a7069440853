"""One ``PubmedArticle`` or ``PubmedBookArticle`` -> Zotero item, as Zotero's PubMed XML
import maps it (translators repository, ``PubMed XML.js``, lastUpdated 2026-05-21).

Articles: a preprint when PubMed's publication type says so (D000076942), else a
journal article; the title without its final period; MEDLINE's abbreviated page
ranges written out (``132-42`` -> ``132-142``), the ``pii`` location when there are
no pages; the journal title with a trailing ``(Place)`` moved to place and title-cased
when it reads as sentence case; the ISO abbreviation (else the MEDLINE one); dates
from PubDate's Year/Month/Day as ISO, or MedlineDate as written; authors (editors
when the list says so), names cleaned as ``cleanAuthor`` does and all-capital names
title-cased, a CollectiveName as one field; MeSH descriptors and keywords as tags;
abstract sections joined, each with its label; PMID, PMCID and DOI from the
citation and its ArticleIdList. Books and chapters: title, book title, edition,
series, volume, place, publisher, authors of chapter and book, rights, ISBN, the
Bookshelf accession as call number and its page as URL.

Deliberate differences: no "PubMed entry" / "Printable HTML" link attachments (syncd
writes no attachments; the PMID identifies the entry); the PMID, PMCID and DOI go to
their fields where the type has them, else to Extra lines (``PMID: ...``), as for
every format; affiliations and grants are not kept (neither are they in Zotero).
"""

from __future__ import annotations

import re
from typing import Any, Final
from xml.etree.ElementTree import Element

from syncd.formats.build import build_record
from syncd.formats.dates import MONTHS
from syncd.formats.names import capitalize_title, clean_author
from syncd.formats.pages import expand_pages
from syncd.formats.records import ConvertedRecord, SourceRef
from syncd.formats.xml_records import XmlRecord
from syncd.identifiers import clean_doi, normalize_pmcid, normalize_pmid
from syncd.schema import Schema

_PLACE_RE: Final = re.compile(r" \(([^)]+)\)$")
_TWO_CAPS_RE: Final = re.compile(r"\b[A-Z]{2}")
_PREPRINT_UI: Final = "D000076942"


def text(element: Element | None, path: str | None = None) -> str:
    """Text of ``element`` (or its first ``path`` descendant), inline markup included."""
    if element is not None and path is not None:
        element = element.find(path)
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _all_text(element: Element | None, path: str) -> str:
    """Every ``path`` match's text joined as Zotero's xpathText joins them."""
    if element is None:
        return ""
    return ", ".join(t for t in (text(e) for e in element.findall(path)) if t)


def pub_date(pub: Element | None) -> str:
    """A PubDate as ISO (``2008-02``, ``2015-08-01``), or its MedlineDate as written."""
    if pub is None:
        return ""
    year, month, day = text(pub, "Year"), text(pub, "Month"), text(pub, "Day")
    if not year:
        return text(pub, "MedlineDate")
    number = int(month) if month.isdigit() else MONTHS.get(month[:3].lower(), 0)
    if not 1 <= number <= 12:
        return year
    if day.isdigit() and 1 <= int(day) <= 31:
        return f"{year}-{number:02d}-{int(day):02d}"
    return f"{year}-{number:02d}"


def journal_title(title: str) -> tuple[str, str]:
    """(title, place) as Zotero makes them from a MEDLINE journal title."""
    title = " ".join(title.split())
    place = ""
    m = _PLACE_RE.search(title)
    if m is not None:
        place = m.group(1)
        title = title[: m.start()]
    acronym = _TWO_CAPS_RE.search(title) is not None
    if not (acronym and (title.upper() != title or " " not in title)):
        title = capitalize_title(title)
    return title.replace(" : ", ": "), place


def creators(lists: list[Element]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for author_list in lists:
        kind = "editor" if author_list.get("Type") == "editors" else "author"
        for author in author_list.findall("Author"):
            last = text(author, "LastName")
            first = text(author, "FirstName") or text(author, "ForeName")
            suffix = text(author, "Suffix")
            if suffix and first:
                first += ", " + suffix
            if first or last:
                c = clean_author(f"{last}, {first}", kind)
                if c is None:
                    continue
                for part in ("lastName", "firstName", "name"):
                    value = c.get(part)
                    if value and value.upper() == value:
                        c[part] = capitalize_title(value)
                out.append(c)
            elif collective := text(author, "CollectiveName"):
                out.append({"creatorType": kind, "name": collective})
    return out


def _abstract(article: Element) -> str:
    parts: list[str] = []
    for section in article.findall("Abstract/AbstractText"):
        paragraph = text(section)
        if paragraph:
            paragraph += "\n"
        label = section.get("Label")
        if label and label != "UNLABELLED":
            paragraph = f"{label}: {paragraph}"
        parts.append(paragraph)
    return "".join(parts)


def _title(element: Element, *paths: str) -> str:
    for path in paths:
        title = text(element, path)
        if title:
            return title[:-1] if title.endswith(".") else title
    return ""


def map_article(rec: XmlRecord, schema: Schema, file: str) -> ConvertedRecord:
    """Convert one ``PubmedArticle`` (pure; see the module docstring)."""
    root = rec.element
    citation = root.find("MedlineCitation")
    if citation is None:
        citation = Element("MedlineCitation")
    article = citation.find("Article")
    if article is None:
        article = Element("Article")
    preprint = any(
        t.get("UI") == _PREPRINT_UI for t in article.findall("PublicationTypeList/PublicationType")
    )
    item_type = "preprint" if preprint and schema.has_type("preprint") else "journalArticle"
    fields: dict[str, str] = {"title": _title(article, "ArticleTitle", "VernacularTitle")}
    pages = text(article, "Pagination/MedlinePgn")
    pii = text(article, "ELocationID[@EIdType='pii']")
    if pages:
        fields["pages"] = expand_pages(pages)
    if item_type == "preprint":
        fields["archiveID"] = pii
    elif not pages:
        fields["pages"] = pii
    numbers: list[str] = []
    journal = article.find("Journal")
    if journal is not None:
        issn = text(journal, "ISSN")
        if issn:
            numbers.append(issn)
            fields["ISSN"] = issn
        abbreviation = text(journal, "ISOAbbreviation") or text(
            citation, "MedlineJournalInfo/MedlineTA"
        )
        fields["journalAbbreviation"] = abbreviation
        title = text(journal, "Title")
        if title:
            fields["publicationTitle"], place = journal_title(title)
            if place:
                fields["place"] = place
        if item_type == "preprint":
            fields["repository"] = fields.pop("publicationTitle", "")
            fields.pop("journalAbbreviation", None)
        issue = journal.find("JournalIssue")
        if issue is not None:
            fields["volume"] = text(issue, "Volume")
            fields["issue"] = text(issue, "Issue")
            fields["date"] = pub_date(issue.find("PubDate"))
    fields["language"] = _all_text(article, "Language")
    tags = [text(m, "DescriptorName") for m in citation.findall("MeshHeadingList/MeshHeading")]
    tags += [text(k) for k in citation.findall("KeywordList/Keyword")]
    fields["abstractNote"] = _abstract(article)
    found: dict[str, str] = {}
    ids = root.find("PubmedData/ArticleIdList")
    doi = clean_doi(text(ids, "ArticleId[@IdType='doi']")) if ids is not None else None
    if doi:
        fields["DOI"] = doi
    pmcid = normalize_pmcid(text(ids, "ArticleId[@IdType='pmc']")) if ids is not None else None
    if pmcid:
        found["pmcid"] = pmcid
    pmid = normalize_pmid(text(citation, "PMID"))
    if pmid:
        found["pmid"] = pmid
    source = SourceRef(file, rec.line, rec.end_line, rec.index, "pubmed_xml")
    return build_record(
        item_type,
        fields,
        creators(article.findall("AuthorList")),
        source,
        schema,
        tags=tags,
        standard_numbers=numbers,
        found=found,
    )


def map_book(rec: XmlRecord, schema: Schema, file: str) -> ConvertedRecord:
    """Convert one ``PubmedBookArticle`` (a book, or a chapter when it has its own title)."""
    document = rec.element.find("BookDocument")
    if document is None:
        document = Element("BookDocument")
    book = document.find("Book")
    if book is None:
        book = Element("Book")
    chapter = _title(document, "ArticleTitle")
    item_type = "bookSection" if chapter else "book"
    fields: dict[str, str] = {}
    book_title = _title(book, "BookTitle")
    if chapter:
        fields["title"] = chapter
        fields["publicationTitle"] = book_title
    else:
        fields["title"] = book_title
    fields["date"] = text(book, "PubDate/Year")
    fields["edition"] = text(book, "Edition")
    fields["series"] = text(book, "CollectionTitle")
    fields["volume"] = text(book, "Volume")
    fields["place"] = text(book, "Publisher/PublisherLocation")
    fields["publisher"] = text(book, "Publisher/PublisherName")
    fields["language"] = _all_text(document, "Language")
    fields["abstractNote"] = text(document, "Abstract/AbstractText")
    fields["rights"] = text(document, "Abstract/CopyrightInformation")
    isbn = text(book, "Isbn")
    numbers = [isbn] if isbn else []
    fields["ISBN"] = isbn
    people = creators(document.findall("AuthorList")) if chapter else []
    people += creators(book.findall("AuthorList"))
    found: dict[str, str] = {}
    pmid = normalize_pmid(text(document, "PMID"))
    if pmid:
        found["pmid"] = pmid
    accession = text(document, "ArticleIdList/ArticleId[@IdType='bookaccession']")
    if accession:
        fields["callNumber"] = accession
        if pmid:
            fields["url"] = f"http://www.ncbi.nlm.nih.gov/books/{accession}/"
    source = SourceRef(file, rec.line, rec.end_line, rec.index, "pubmed_xml")
    return build_record(
        item_type,
        fields,
        people,
        source,
        schema,
        standard_numbers=numbers,
        found=found,
    )
