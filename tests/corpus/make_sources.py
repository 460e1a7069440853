"""Regenerate tests/corpus/sources/: one search's results as three databases export them.

Run from the repository root: ``.venv/bin/python tests/corpus/make_sources.py``.
The generated files are committed; this script keeps them reproducible.

The same 20 works (``WORKS``), spelled as each database spells them, as found when
syncing a Scopus and a PubMed export of one search alternately (issue 14):

- ``scopus-search.ris``: all 20; initials (``Smith, P.J.``), the year only, the
  journal in title case, titles without a final period, the EID in the URL, the
  PubMed ID in C2, ``Cited By`` in N1, a copyright line after the abstract.
- ``pubmed-search.ris``: 16 of them; full given names, a full date (or year and
  month), the journal in PubMed's lower case, titles with a final period, no DOI on
  works 3, 8 and 13 (found by their PMID), MeSH keywords, PMCIDs.
- ``wos-search.ris``: 12 of them; given names with a middle initial, the year, the
  journal and every other title in ALL CAPS, the WoS UT in AN, times cited in N1.
"""

from __future__ import annotations

from pathlib import Path
from typing import TypedDict

OUT = Path(__file__).resolve().parent / "sources"

PEOPLE = [
    ("Smith", "Paul James"),
    ("Nakamura", "Keiko"),
    ("Okafor", "Chinedu"),
    ("Larsen", "Ingrid Marie"),
    ("Moreau", "Jean-Luc"),
    ("Fischer", "Anna"),
    ("Costa", "Rafael"),
]
TOPICS = [
    "loot boxes",
    "sports betting advertising",
    "online casino self-exclusion",
    "problem gambling screening",
    "gambling harm in adolescents",
    "lottery participation",
    "cognitive distortions in slot machine play",
    "gambling disorder treatment outcomes",
    "financial stress and gambling",
    "esports wagering",
    "gambling and suicidality",
    "near-miss effects",
    "daily fantasy sports",
    "responsible gambling messages",
    "gambling among older adults",
    "pathways model of problem gambling",
    "gambling venue density",
    "family impacts of gambling",
    "machine learning for risk detection",
    "gambling policy evaluation",
]


class Work(TypedDict):
    """One work as the three databases share it (each spells it its own way)."""

    title: str
    authors: list[tuple[str, str]]
    year: str
    month: str
    day: str
    volume: str
    issue: str
    pages: tuple[str, str]
    doi: str
    eid: str
    pmid: str
    pmcid: str
    ut: str
    abstract: str


WORKS: list[Work] = [
    {
        "title": f"A longitudinal study of {topic} in a national cohort",
        "authors": [PEOPLE[(i + j) % len(PEOPLE)] for j in range(2 + i % 2)],
        "year": str(2015 + i % 8),
        "month": f"{1 + i % 12:02d}",
        "day": f"{1 + (7 * i) % 28:02d}",
        "volume": str(30 + i % 8),
        "issue": str(1 + i % 4),
        "pages": (f"{100 + 10 * i}", f"{109 + 10 * i}"),
        "doi": f"10.1007/s10899-0{i:02d}-0{i:03d}-x",
        "eid": f"2-s2.0-85{i:09d}",
        "pmid": f"3{i:07d}",
        "pmcid": f"PMC8{i:06d}",
        "ut": f"WOS:000{i:09d}",
        "abstract": f"Background: {topic} matter. Methods: a cohort of {1000 + i} adults. "
        "Results: effects were small but consistent. Conclusions: policy should follow.",
    }
    for i, topic in enumerate(TOPICS)
]
PUBMED_WORKS = [i for i in range(20) if i % 5 != 4]
WOS_WORKS = [i for i in range(20) if i % 5 in (0, 1, 2)]
NO_DOI_IN_PUBMED = {3, 8, 13}


def _initials(given: str) -> str:
    return "".join(f"{part[0]}." for part in given.replace("-", " ").split())


def scopus(i: int) -> list[tuple[str, str]]:
    w = WORKS[i]
    first, last = w["pages"]
    lines = [("TY", "JOUR")]
    lines += [("AU", f"{ln}, {_initials(fn)}") for ln, fn in w["authors"]]
    lines += [
        ("TI", w["title"]),
        ("PY", w["year"]),
        ("T2", "Journal of Gambling Studies"),
        ("VL", w["volume"]),
        ("IS", w["issue"]),
        ("SP", first),
        ("EP", last),
        ("DO", w["doi"]),
        (
            "UR",
            f"https://www.scopus.com/inward/record.uri?eid={w['eid']}&doi="
            f"{w['doi'].replace('/', '%2f')}&partnerID=40",
        ),
        ("AB", f"{w['abstract']} © {w['year']}, The Author(s)."),
        ("KW", "gambling"),
        ("PB", "Springer"),
        ("SN", "10505350 (ISSN)"),
        ("C2", w["pmid"]),
        ("J2", "J. Gambl. Stud."),
        ("LA", "English"),
        ("M3", "Article"),
        ("DB", "Scopus"),
        ("N1", f"Export Date: 05 January 2024; Cited By: {3 + i}"),
    ]
    return lines


def pubmed(i: int) -> list[tuple[str, str]]:
    w = WORKS[i]
    first, last = w["pages"]
    date = f"{w['year']}/{w['month']}" + (f"/{w['day']}" if i % 2 else "")
    lines = [("TY", "JOUR"), ("DB", "PubMed")]
    lines += [("AU", f"{ln}, {fn}") for ln, fn in w["authors"]]
    lines += [
        ("T1", f"{w['title']}."),
        ("LA", "eng"),
        ("SN", "1573-3602"),
        ("Y1", date),
        ("JF", "Journal of gambling studies"),
        ("JA", "J Gambl Stud"),
        ("VL", w["volume"]),
        ("IS", w["issue"]),
        ("SP", f"{first}-{last}"),
        ("AB", w["abstract"]),
        ("KW", "Humans"),
        ("KW", "Gambling/psychology"),
        ("UR", f"https://pubmed.ncbi.nlm.nih.gov/{w['pmid']}"),
    ]
    if i not in NO_DOI_IN_PUBMED:
        lines.append(("DO", w["doi"]))
    lines += [("AN", w["pmid"]), ("C2", w["pmcid"])]
    return lines


def wos(i: int) -> list[tuple[str, str]]:
    w = WORKS[i]
    first, last = w["pages"]
    title = w["title"].upper() if i % 2 == 0 else w["title"]
    lines = [("TY", "JOUR")]
    lines += [
        ("AU", f"{ln}, {fn.split()[0]} {_initials(fn)[2:]}".rstrip()) for ln, fn in w["authors"]
    ]
    lines += [
        ("TI", title),
        ("T2", "JOURNAL OF GAMBLING STUDIES"),
        ("LA", "English"),
        ("AB", w["abstract"]),
        ("PB", "SPRINGER"),
        ("SN", "1050-5350"),
        ("J9", "J GAMBL STUD"),
        ("JI", "J. Gambl. Stud."),
        ("PY", w["year"]),
        ("VL", w["volume"]),
        ("IS", w["issue"]),
        ("SP", first),
        ("EP", last),
        ("DO", w["doi"]),
        ("AN", w["ut"]),
        ("N1", f"Times Cited in Web of Science Core Collection:  {i + 1}"),
    ]
    return lines


def render(records: list[list[tuple[str, str]]]) -> str:
    out = []
    for record in records:
        out.append("\n".join(f"{tag}  - {value}" for tag, value in record) + "\nER  - \n")
    return "\n".join(out)


def main() -> None:
    OUT.mkdir(exist_ok=True)
    files = {
        "scopus-search.ris": [scopus(i) for i in range(20)],
        "pubmed-search.ris": [pubmed(i) for i in PUBMED_WORKS],
        "wos-search.ris": [wos(i) for i in WOS_WORKS],
    }
    for name, records in files.items():
        (OUT / name).write_text(render(records), encoding="utf-8")


if __name__ == "__main__":
    main()
