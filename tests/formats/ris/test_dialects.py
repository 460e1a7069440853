"""Exporter corpus: each file is detected as its exporter and maps to the right item."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from syncd.formats.records import ConvertedRecord, Field, RawRecord
from syncd.formats.ris.dialects import DIALECTS, detect_dialect
from syncd.formats.ris.mapping import map_record
from syncd.formats.ris.reader import read_file

CORPUS = Path(__file__).parents[2] / "corpus" / "exporters"
DOI = "10.1155/2012/273291"
TITLE_START = "Double allogenic mesenchymal stem cells"


def _convert(name: str) -> list[ConvertedRecord]:
    records = [r for r in read_file(CORPUS / name) if isinstance(r, RawRecord)]
    assert records, name
    return [map_record(r) for r in records]


def _extra(item: dict[str, Any]) -> list[str]:
    return str(item.get("extra", "")).splitlines()


def _names(item: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (c.get("lastName", c.get("name", "")), c.get("firstName", "")) for c in item["creators"]
    ]


EXPECTED_DIALECT = {
    "scopus.ris": "scopus",
    "pure.ris": "pure",
    "wos.ris": "wos",
    "pubmed.ris": "pubmed",
    "endnote.ris": "endnote",
    "mendeley.ris": "mendeley",
    "zotero.ris": "zotero",
    "ieee.ris": "ieee",
    "acm.ris": "acm",
    "ovid_embase.ris": "ovid",
    "ovid_psycinfo.ris": "ovid",
    "ebsco.ris": "ebsco",
    "proquest.ris": "proquest",
    "google_scholar.ris": "google_scholar",
    "generic.ris": "generic",
}


def test_corpus_covers_every_dialect() -> None:
    assert set(EXPECTED_DIALECT.values()) == set(DIALECTS)
    assert sorted(p.name for p in CORPUS.glob("*.ris")) == sorted(EXPECTED_DIALECT)


@pytest.mark.parametrize(("name", "dialect"), sorted(EXPECTED_DIALECT.items()))
def test_detected_dialect(name: str, dialect: str) -> None:
    for conv in _convert(name):
        assert conv.source.dialect == dialect


def test_scopus() -> None:
    article, paper = _convert("scopus.ris")
    item = article.item
    assert item["title"].startswith(TITLE_START)
    assert _names(item)[0] == ("Wang", "D.")
    assert item["DOI"] == DOI
    assert item["PMID"] == "22829849"  # from C2, which Zotero drops
    assert item["pages"] == "273291"  # C7 article number
    assert "issue" not in item
    assert item["ISSN"] == "1740-2522"  # from '17402522 (ISSN)'
    assert item["publicationTitle"] == "Clinical and Developmental Immunology"
    assert item["journalAbbreviation"] == "Clin. Dev. Immunol."
    assert "Scopus EID: 2-s2.0-84864948206" in _extra(item)
    assert "31 citations (Scopus) [2024-01-05]" in _extra(item)
    assert article.notes == ()  # export date, correspondence address and CODEN are noise
    assert item["url"].startswith("https://www.scopus.com/inward/record.uri?eid=2-s2.0-848649")
    # Old-style separate notes, and an SN holding both an ISSN and an ISBN.
    p = paper.item
    assert p["itemType"] == "conferencePaper"
    assert p["ISBN"] == "9781467310673"
    assert p["ISSN"] == "0270-5257"
    assert "4 citations (Scopus) [2020-03-12]" in _extra(p)
    assert paper.identifiers.scopus_eid == "2-s2.0-84864240817"
    assert paper.notes == ()


def test_pure() -> None:
    seed, second = _convert("pure.ris")
    assert seed.item["pages"] == "273291"
    assert seed.item["PMID"] == "22829849"
    s = second.item
    # With real pages, the article number cannot go to pages: kept in Extra.
    assert s["pages"] == "1021-1030"
    assert s["issue"] == "4"
    assert "Article Number: e38123" in _extra(s)
    assert s["url"] == "http://www.scopus.com/inward/record.url?scp=84901234567&partnerID=8YFLogxK"
    assert second.identifiers.scopus_eid == "2-s2.0-84901234567"
    assert s["DOI"] == "10.1002/art.38123"


def test_wos() -> None:
    (conv,) = _convert("wos.ris")
    item = conv.item
    assert conv.identifiers.wos == "WOS:000307286400001"
    assert "Web of Science ID: WOS:000307286400001" in _extra(item)
    assert item["archiveLocation"] == "WOS:000307286400001"
    assert item["pages"] == "273291"
    assert item["ISSN"] == "1740-2522, 1740-2530"
    assert "31 citations (Web of Science)" in _extra(item)
    assert conv.notes == ()
    assert item["publicationTitle"] == "CLINICAL & DEVELOPMENTAL IMMUNOLOGY"
    assert item["journalAbbreviation"] == "Clin. Dev. Immunol."  # JI, the ISO abbreviation


def test_pubmed() -> None:
    (conv,) = _convert("pubmed.ris")
    item = conv.item
    assert item["PMID"] == "22829849"
    assert item["PMCID"] == "PMC3399441"
    assert item["DOI"] == DOI
    assert item["ISSN"] == "1740-2530, 1740-2522"
    assert item["pages"] == "273291"
    assert "extra" not in item  # ET is the e-pub date, not an edition
    assert conv.identifiers.issn == ("1740-2530", "1740-2522")


def test_endnote() -> None:
    article, edited = _convert("endnote.ris")
    item = article.item
    assert item["PMID"] == "22829849"
    assert item["PMCID"] == "PMC3399441"
    assert item["ISSN"] == "1740-2530, 1740-2522"  # from '...(Electronic)&#xD;...(Linking)'
    assert item["publicationTitle"] == "Clin Dev Immunol"
    assert article.attachments == (
        {
            "title": "Wang-2012-Double allogenic mesenchymal",
            "path": "PDF/0857291364/Wang-2012-Double allogenic mesenchymal.pdf",
        },
    )
    assert article.notes == ("<p>Wang, Dandan<br/>Akiyama, Kentaro</p>",)
    assert edited.item["itemType"] == "book"
    assert {c["creatorType"] for c in edited.item["creators"]} == {"editor"}
    assert edited.identifiers.isbn == ("9780123749949",)


def test_mendeley() -> None:
    (conv,) = _convert("mendeley.ris")
    item = conv.item
    assert item["citationKey"] == "Wang2012"
    assert item["PMID"] == "22829849"  # from the PubMed link in UR
    assert item["DOI"] == DOI


def test_zotero() -> None:
    article, book = _convert("zotero.ris")
    assert article.item["date"] == "2012-07-17"
    assert article.item["accessDate"] == "2024-01-05T10:20:31Z"
    assert article.notes == ("<p>Compare with the 2010 single-transplant trial.</p>",)
    assert book.item["series"] == "Bibliothek des Eigentums"
    assert book.item["ISBN"] == "978-3-642-00230-4"  # clean ISBNs stay as written
    assert book.identifiers.isbn == ("9783642002304",)
    assert book.item["DOI"] == "10.1007/978-3-642-00230-4"


def test_ieee() -> None:
    paper, article = _convert("ieee.ris")
    assert _names(paper.item) == [("He", "K."), ("Zhang", "X."), ("Ren", "S."), ("Sun", "J.")]
    assert paper.item["itemType"] == "conferencePaper"
    assert paper.item["conferenceName"].startswith("2016 IEEE Conference on Computer Vision")
    assert paper.item["ISSN"] == "1063-6919"  # not ISBN, where Zotero files it
    assert "ISBN" not in paper.item
    assert paper.item["pages"] == "770-778"
    assert article.item["volume"] == "39"
    assert article.item["issue"] == "6"
    assert article.item["DOI"] == "10.1109/TPAMI.2016.2577031"


def test_acm() -> None:
    (conv,) = _convert("acm.ris")
    item = conv.item
    assert item["itemType"] == "conferencePaper"
    assert item["proceedingsTitle"].startswith("Proceedings of the 22nd ACM SIGKDD")
    assert item["series"] == "KDD '16"
    assert "section" not in item and "extra" not in item
    assert item["DOI"] == "10.1145/2939672.2939778"
    assert conv.identifiers.isbn == ("9781450342322",)
    assert item["pages"] == "1135-1144"


def test_ovid_embase() -> None:
    (conv,) = _convert("ovid_embase.ris")
    item = conv.item
    assert _names(item)[:2] == [("Wang", "D."), ("Akiyama", "K.")]
    assert "issue" not in item  # M1 holds affiliations in Embase
    assert item["DOI"] == DOI  # from a dx.doi.org URL in DO
    assert item["date"] == "2012"
    assert item["ISSN"] == "1740-2522, 1740-2530"
    assert item["archive"] == "Embase"
    assert any("affiliations" in p.message for p in conv.problems)


def test_ebsco() -> None:
    (conv,) = _convert("ebsco.ris")
    item = conv.item
    assert item["ISSN"] == "1740-2522"
    assert item["date"] == "2012-01"
    assert item["pages"] == "1-8"
    assert item["libraryCatalog"] == "EBSCOhost"
    assert conv.notes[0].startswith("<p>Accession Number: 79012345;")


def test_proquest() -> None:
    (conv,) = _convert("proquest.ris")
    item = conv.item
    assert item["DOI"] == DOI
    assert item["rights"].startswith("Copyright \u00a9 2012 Dandan Wang et al.")
    assert item["publisher"] == "John Wiley & Sons, Inc."
    assert conv.notes == ()  # 'Last updated' is noise, copyright went to rights


def test_google_scholar() -> None:
    (conv,) = _convert("google_scholar.ris")
    item = conv.item
    assert _names(item)[0] == ("Wang", "Dandan")
    assert item["publicationTitle"] == "Clinical and Developmental Immunology"
    assert item["pages"] == "273291"
    assert conv.identifiers.is_empty()


def test_generic() -> None:
    report, thesis = _convert("generic.ris")
    assert report.item["itemType"] == "report"
    assert report.item["reportNumber"] == "WHO/NMH/19.3"
    assert report.item["institution"] == "WHO Press"
    assert report.item["date"] == "2019-03-01"
    assert [t["tag"] for t in report.item["tags"]] == ["lupus", "guidelines", "treatment"]
    assert {"creatorType": "author", "name": "World Health Organization"} in report.item["creators"]
    assert thesis.item["thesisType"] == "PhD thesis"
    assert thesis.item["numPages"] == "214"
    assert thesis.item["DOI"] == "10.5555/THESIS.2015.42"


def _record(*pairs: tuple[str, str]) -> RawRecord:
    fields = tuple(Field(tag, value, n + 1) for n, (tag, value) in enumerate(pairs))
    return RawRecord.from_fields(fields, "t.ris", 1, len(pairs) + 1, 0)


@pytest.mark.parametrize(
    ("pairs", "dialect"),
    [
        ((("TY", "JOUR"), ("AN", "SCOPUS:123456789")), "pure"),
        ((("TY", "JOUR"), ("AN", "2-s2.0-123456789")), "scopus"),
        ((("TY", "JOUR"), ("N1", "Export Date: 1 May 2020")), "scopus"),
        ((("TY", "JOUR"), ("UT", "WOS:000307286400001")), "wos"),
        ((("TY", "JOUR"), ("DB", "MEDLINE")), "pubmed"),
        ((("TY", "JOUR"), ("L1", "internal-pdf://1/a.pdf")), "endnote"),
        ((("TY", "EDBOOK"), ("TI", "x")), "endnote"),
        ((("TY", "JOUR"), ("DO", "10.1109/5.771073")), "ieee"),
        ((("TY", "JOUR"), ("DA", "2020/01/02/")), "zotero"),
        ((("TY", "JOUR"), ("TI", "x"), ("AU", "Doe, J")), "generic"),
        ((), "generic"),
    ],
)
def test_detect_dialect_shapes(pairs: tuple[tuple[str, str], ...], dialect: str) -> None:
    assert detect_dialect(_record(*pairs)) == dialect
