"""One work written as each export syncd reads, for the sync-level tests.

MEDLINE, Web of Science tagged and RefWorks follow the samples of
``tests/sync/test_sync_tagged_formats.py``; BibTeX and CSL-JSON those of
``tests/formats/test_bib_csl_sync.py`` (Scopus's BibTeX, a citation tool's CSL-JSON).

Every file carries the same facts the way its exporter writes them (Scopus RIS with
its ``Cited By`` note and EID, PubMed with a lower-case journal title, Web of
Science with capitals, Lens with ``First Last`` names...).
"""

from __future__ import annotations

import json
from pathlib import Path

TITLE = "Forecasting influenza with ensembles"
DOI = "10.1234/tests.2020.12"
EID = "2-s2.0-85080000001"
PMID = "31000001"
LINK = f"https://www.scopus.com/inward/record.uri?eid={EID}&partnerID=40&md5=abc"
ABSTRACT = "We forecast influenza with ensembles of models."


def scopus_ris() -> str:
    return (
        "TY  - JOUR\nAU  - Doe, Jane\nAU  - Roe, Richard\n"
        f"TI  - {TITLE}\nT2  - Journal of Tests\nJ2  - J. Tests\nPY  - 2020\nVL  - 12\n"
        f"IS  - 3\nSP  - 101\nEP  - 110\nDO  - {DOI}\nUR  - {LINK}\nAB  - {ABSTRACT}\n"
        "KW  - influenza\nKW  - forecasting\nSN  - 00359254\nLA  - English\n"
        f"C2  - {PMID}\nN1  - Cited By: 42\nDB  - Scopus\nM3  - Article\nER  - \n"
    )


def endnote_xml() -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><xml><records><record>'
        '<source-app name="EndNote" version="20.1">EndNote</source-app>'
        '<ref-type name="Journal Article">17</ref-type><contributors><authors>'
        "<author>Doe, Jane</author><author>Roe, Richard</author></authors></contributors>"
        f"<titles><title>{TITLE}</title><secondary-title>Journal of Tests</secondary-title>"
        "</titles><periodical><full-title>Journal of Tests</full-title>"
        "<abbr-1>J. Tests</abbr-1></periodical><pages>101-110</pages><volume>12</volume>"
        "<number>3</number><keywords><keyword>influenza</keyword></keywords>"
        "<dates><year>2020</year></dates><isbn>0035-9254</isbn>"
        f"<electronic-resource-num>{DOI}</electronic-resource-num>"
        f"<abstract>{ABSTRACT}</abstract><language>English</language>"
        f"<urls><web-urls><url>{LINK.replace('&', '&amp;')}</url></web-urls></urls>"
        "</record></records></xml>\n"
    )


def pubmed_xml() -> str:
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
        '1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
        f"<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>{PMID}</PMID>"
        '<Article><Journal><ISSN IssnType="Print">0035-9254</ISSN><JournalIssue>'
        "<Volume>12</Volume><Issue>3</Issue><PubDate><Year>2020</Year></PubDate>"
        "</JournalIssue><Title>Journal of tests</Title><ISOAbbreviation>J. Tests"
        f"</ISOAbbreviation></Journal><ArticleTitle>{TITLE}.</ArticleTitle>"
        "<Pagination><MedlinePgn>101-10</MedlinePgn></Pagination>"
        f"<Abstract><AbstractText>{ABSTRACT}</AbstractText></Abstract>"
        "<AuthorList><Author><LastName>Doe</LastName><ForeName>Jane</ForeName></Author>"
        "<Author><LastName>Roe</LastName><ForeName>Richard</ForeName></Author></AuthorList>"
        "<Language>English</Language></Article></MedlineCitation><PubmedData><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{PMID}</ArticleId><ArticleId IdType="doi">{DOI}'
        "</ArticleId></ArticleIdList></PubmedData></PubmedArticle></PubmedArticleSet>\n"
    )


def scopus_csv() -> str:
    return (
        "\ufeffAuthors,Author full names,Author(s) ID,Title,Year,Source title,Volume,Issue,"
        "Art. No.,Page start,Page end,Cited by,DOI,Link,Abstract,Author Keywords,ISSN,"
        "PubMed ID,Language of Original Document,Abbreviated Source Title,Document Type,"
        "Source,EID\n"
        f'"Doe, J.; Roe, R.","Doe, Jane (1); Roe, Richard (2)","1; 2","{TITLE}","2020",'
        f'"Journal of Tests","12","3","","101","110","42","{DOI}","{LINK}","{ABSTRACT}",'
        f'"influenza","00359254","{PMID}","English","J. Tests","Article","Scopus","{EID}"\n'
    )


def wos_tab() -> str:
    columns = [
        "PT",
        "AU",
        "AF",
        "TI",
        "SO",
        "LA",
        "DT",
        "AB",
        "TC",
        "Z9",
        "SN",
        "JI",
        "PY",
        "VL",
        "IS",
        "BP",
        "EP",
        "DI",
        "PM",
        "UT",
    ]
    values = [
        "J",
        "Doe, J; Roe, R",
        "Doe, Jane; Roe, Richard",
        TITLE,
        "JOURNAL OF TESTS",
        "English",
        "Article",
        ABSTRACT,
        "17",
        "19",
        "0035-9254",
        "J. Tests",
        "2020",
        "12",
        "3",
        "101",
        "110",
        DOI,
        PMID,
        "WOS:000510000000001",
    ]
    return "\t".join(columns) + "\n" + "\t".join(values) + "\n"


def lens_csv() -> str:
    return (
        "Lens ID,Title,Date Published,Publication Year,Publication Type,Source Title,ISSNs,"
        "Author/s,Abstract,Volume,Issue Number,Start Page,End Page,PMID,DOI,"
        "Citing Works Count\n"
        f"000-111-222-333-444,{TITLE},,2020,journal article,Journal of Tests,00359254,"
        f"Jane Doe; Richard Roe,{ABSTRACT},12,3,101,110,{PMID},{DOI},21\n"
    )


def dimensions_csv() -> str:
    return (
        '"About the data: Exported on Nov 15, 2026."\n'
        '"Rank","Publication ID","DOI","PMID","Title","Abstract","Source title","ISSN",'
        '"PubYear","Volume","Issue","Pagination","Publication Type","Authors","Times cited"\n'
        f'"1","pub.1120000001","{DOI}","{PMID}","{TITLE}","{ABSTRACT}","Journal of Tests",'
        '"0035-9254","2020","12","3","101-110","article","Doe, Jane; Roe, Richard","25"\n'
    )


def medline() -> str:
    return (
        f"PMID- {PMID}\nOWN - NLM\nSTAT- MEDLINE\nIS  - 0035-9254 (Print)\nVI  - 12\n"
        f"IP  - 3\nDP  - 2020 Mar\nTI  - {TITLE}.\nPG  - 101-10\nLID - {DOI} [doi]\n"
        f"AB  - {ABSTRACT}\nFAU - Doe, Jane\nAU  - Doe J\nFAU - Roe, Richard\nAU  - Roe R\n"
        "LA  - eng\nPT  - Journal Article\nTA  - J Tests\nJT  - Journal of tests\n"
        f"MH  - Influenza, Human/*epidemiology\nAID - {DOI} [doi]\n"
        "SO  - J Tests. 2020 Mar;12(3):101-10.\n\n"
    )


def wos_tagged() -> str:
    return (
        "FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nAU Doe, J\n   Roe, R\n"
        f"AF Doe, Jane\n   Roe, Richard\nTI {TITLE}\nSO JOURNAL OF TESTS\nLA English\n"
        f"DT Article\nDE influenza; forecasting\nAB {ABSTRACT}\nTC 17\nZ9 19\n"
        "SN 0035-9254\nJ9 J TESTS\nJI J. Tests\nPD MAR\nPY 2020\nVL 12\nIS 3\nBP 101\n"
        f"EP 110\nDI {DOI}\nPM {PMID}\nUT WOS:000510000000001\nER\n\nEF\n"
    )


def refworks() -> str:
    return (
        "RT Journal Article\nSR Electronic(1)\nA1 Doe,Jane\nA1 Roe,Richard\n"
        f"T1 {TITLE}\nJF Journal of Tests\nYR 2020\nVO 12\nIS 3\nSP 101\nOP 110\n"
        f"DO {DOI}\n"
    )


def bibtex() -> str:
    return (
        "@ARTICLE{Doe2020,\n  author = {Doe, Jane and Roe, Richard},\n"
        f"  title = {{{TITLE}}},\n  year = {{2020}},\n  journal = {{Journal of Tests}},\n"
        "  volume = {12},\n  number = {3},\n  pages = {101-110},\n"
        f"  doi = {{{DOI}}},\n  url = {{{LINK}}},\n  abstract = {{{ABSTRACT}}},\n"
        "  author_keywords = {influenza; forecasting},\n  issn = {00359254},\n"
        f"  pmid = {{{PMID}}},\n  language = {{English}},\n"
        "  abbrev_source_title = {J. Tests},\n  type = {Article},\n  source = {Scopus},\n"
        "  note = {Cited by: 42; All Open Access}\n}\n"
    )


def csljson() -> str:
    item = {
        "id": "Doe2020",
        "type": "article-journal",
        "title": TITLE,
        "author": [
            {"family": "Doe", "given": "Jane"},
            {"family": "Roe", "given": "Richard"},
        ],
        "issued": {"date-parts": [[2020]]},
        "container-title": "Journal of Tests",
        "volume": "12",
        "issue": "3",
        "page": "101-110",
        "DOI": DOI,
        "PMID": PMID,
        "ISSN": "0035-9254",
        "language": "English",
        "journalAbbreviation": "J. Tests",
        "abstract": ABSTRACT,
        "note": f"Scopus EID: {EID}",
    }
    return json.dumps([item])


WRITERS = {
    "endnote.xml": endnote_xml,
    "pubmed.xml": pubmed_xml,
    "scopus.csv": scopus_csv,
    "wos.txt": wos_tab,
    "lens.csv": lens_csv,
    "dimensions.csv": dimensions_csv,
    "pubmed.nbib": medline,
    "savedrecs.txt": wos_tagged,
    "refworks.txt": refworks,
    "scopus.bib": bibtex,
    "items.json": csljson,
}


def write(folder: Path, name: str) -> Path:
    text = scopus_ris() if name == "scopus.ris" else WRITERS[name]()
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
