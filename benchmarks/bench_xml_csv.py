"""Read + map speed and peak memory of the EndNote XML, PubMed XML and CSV readers.

Generates files of each requested size (records like the RIS benchmark's: 13
authors, an abstract of nine sentences, keywords, DOI, PMID, ISSN, citation count)
in each format, then measures each case in a fresh process so its peak RSS is its
own, the cases taking turns ``--repeat`` times (the fastest run is kept, the largest
peak):

* ``<format> read+map``: the format's ``convert(path, schema)`` to the last item
  (the whole of what ``syncd convert`` does for the file but printing);
* ``<format> parse only``: the reference parser alone over the same file: for the
  XML formats defusedxml's parser with the same target (records built, then
  dropped), for CSV the standard ``csv`` module's ``DictReader``.

Each process's wall time from start to exit is reported too ("process s"), imports
and schema loading included. Peak memory is the process's own high-water mark
(``VmHWM``, Linux).

Usage: .venv/bin/python benchmarks/bench_xml_csv.py [--sizes 10000,20000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypedDict
from xml.sax.saxutils import escape

from common import JOURNALS, SURNAMES, WORDS, sentence
from measured import measured_on

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("endnote_xml", "pubmed_xml", "csv")


class Work(TypedDict):
    """One generated record, before a format spells it."""

    title: str
    authors: list[tuple[str, str]]
    abstract: str
    keywords: list[str]
    journal: str
    year: str
    volume: str
    doi: str
    pmid: str
    eid: str
    cited: str
    pages: str


def _work(rng: random.Random, i: int) -> Work:
    return {
        "title": sentence(rng, 14),
        "authors": [(rng.choice(SURNAMES), rng.choice("ABCDEFGHKLM")) for _ in range(13)],
        "abstract": " ".join(sentence(rng, 18) for _ in range(9)),
        "keywords": [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)],
        "journal": JOURNALS[i % len(JOURNALS)],
        "year": str(1990 + i % 35),
        "volume": str(1 + i % 60),
        "doi": f"10.{1000 + i % 9000}/{rng.randrange(10**6)}.{i}",
        "pmid": str(22829849 + i),
        "eid": f"2-s2.0-{84864948206 + i}",
        "cited": str(i % 97),
        "pages": f"{1 + i % 300}-{12 + i % 300}",
    }


def _escaped(w: Work) -> Work:
    """The work with its text escaped for XML (the author and keyword lists as they are)."""
    return {
        "title": escape(w["title"]),
        "authors": w["authors"],
        "abstract": escape(w["abstract"]),
        "keywords": w["keywords"],
        "journal": escape(w["journal"]),
        "year": escape(w["year"]),
        "volume": escape(w["volume"]),
        "doi": escape(w["doi"]),
        "pmid": escape(w["pmid"]),
        "eid": escape(w["eid"]),
        "cited": escape(w["cited"]),
        "pages": escape(w["pages"]),
    }


def endnote_record(w: Work) -> str:
    authors = "".join(
        f'<author><style face="normal" font="default" size="100%">{a}, {b}.</style></author>'
        for a, b in w["authors"]
    )
    keywords = "".join(f"<keyword>{k}</keyword>" for k in w["keywords"])
    return (
        '<record><source-app name="EndNote" version="20.1">EndNote</source-app>'
        '<ref-type name="Journal Article">17</ref-type>'
        f"<contributors><authors>{authors}</authors></contributors><titles><title>"
        f'<style face="normal" font="default" size="100%">{w["title"]}</style></title>'
        f"<secondary-title>{w['journal']}</secondary-title></titles><periodical>"
        f"<full-title>{w['journal']}</full-title></periodical><pages>{w['pages']}</pages>"
        f"<volume>{w['volume']}</volume><keywords>{keywords}</keywords><dates><year>"
        f"{w['year']}</year></dates><isbn>1740-2522</isbn><accession-num>{w['eid']}"
        f"</accession-num><electronic-resource-num>{w['doi']}</electronic-resource-num>"
        f"<abstract>{w['abstract']}</abstract></record>\n"
    )


def pubmed_record(w: Work) -> str:
    authors = "".join(
        f"<Author><LastName>{a}</LastName><ForeName>{b}</ForeName><Initials>{b}</Initials>"
        "<AffiliationInfo><Affiliation>Department of Tests, University of Tests."
        "</Affiliation></AffiliationInfo></Author>"
        for a, b in w["authors"]
    )
    mesh = "".join(
        f'<MeshHeading><DescriptorName UI="D000001">{k}</DescriptorName></MeshHeading>'
        for k in w["keywords"]
    )
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE"><PMID Version="1">{w["pmid"]}'
        '</PMID><Article PubModel="Print"><Journal><ISSN IssnType="Electronic">1740-2522'
        f"</ISSN><JournalIssue><Volume>{w['volume']}</Volume><Issue>2</Issue><PubDate>"
        f"<Year>{w['year']}</Year><Month>Feb</Month></PubDate></JournalIssue><Title>"
        f"{w['journal']}</Title><ISOAbbreviation>J Tests</ISOAbbreviation></Journal>"
        f"<ArticleTitle>{w['title']}</ArticleTitle><Pagination><MedlinePgn>{w['pages']}"
        f"</MedlinePgn></Pagination><Abstract><AbstractText>{w['abstract']}</AbstractText>"
        f'</Abstract><AuthorList CompleteYN="Y">{authors}</AuthorList><Language>eng'
        f"</Language></Article><MeshHeadingList>{mesh}</MeshHeadingList></MedlineCitation>"
        f'<PubmedData><ArticleIdList><ArticleId IdType="pubmed">{w["pmid"]}</ArticleId>'
        f'<ArticleId IdType="doi">{w["doi"]}</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle>\n"
    )


SCOPUS_HEADER = (
    "Authors,Author full names,Author(s) ID,Title,Year,Source title,Volume,Issue,Art. No.,"
    "Page start,Page end,Page count,Cited by,DOI,Link,Abstract,Author Keywords,"
    "Index Keywords,ISSN,PubMed ID,Language of Original Document,Document Type,Source,EID\n"
)


def csv_record(w: Work) -> str:
    pairs = w["authors"]
    short = "; ".join(f"{a}, {b}." for a, b in pairs)
    full = "; ".join(f"{a}, {b}. ({57190000000 + k})" for k, (a, b) in enumerate(pairs))
    start, end = str(w["pages"]).split("-")
    link = f"https://www.scopus.com/inward/record.uri?eid={w['eid']}&partnerID=40&md5=0"
    keywords = "; ".join(w["keywords"])
    cells = [
        short, full, "1; 2", w["title"], w["year"], w["journal"], w["volume"], "2", "",
        start, end, "12", w["cited"], w["doi"], link, w["abstract"], keywords, keywords,
        "17402522", w["pmid"], "English", "Article", "Scopus", w["eid"],
    ]  # fmt: skip
    return ",".join('"' + str(c).replace('"', '""') + '"' for c in cells) + "\n"


WRITERS: dict[str, tuple[str, str, Callable[[Work], str], str]] = {
    "endnote_xml": (
        '<?xml version="1.0" encoding="UTF-8"?>\n<xml><records>\n',
        "",
        endnote_record,
        "</records></xml>\n",
    ),
    "pubmed_xml": (
        '<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle,'
        ' 1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
        "<PubmedArticleSet>\n",
        "",
        pubmed_record,
        "</PubmedArticleSet>\n",
    ),
    "csv": ("\ufeff" + SCOPUS_HEADER, "", csv_record, ""),
}


def generate(fmt: str, path: Path, n: int) -> None:
    head, _, record, tail = WRITERS[fmt]
    rng = random.Random(n)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(head)
        for i in range(n):
            work = _work(rng, i)
            out.write(record(work if fmt == "csv" else _escaped(work)))
        out.write(tail)


CHILD = r"""
import json, sys, time
start = time.perf_counter()
from pathlib import Path
fmt, mode, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
if mode == "map":
    import importlib
    from syncd.formats.records import ConvertedRecord
    from syncd.schema import bundled_schema
    convert = importlib.import_module(f"syncd.formats.{fmt}").convert
    schema = bundled_schema()
    t0 = time.perf_counter()
    n = sum(1 for e in convert(path, schema) if isinstance(e, ConvertedRecord))
elif fmt == "csv":
    import csv
    csv.field_size_limit(16 << 20)
    t0 = time.perf_counter()
    with path.open(encoding="utf-8-sig", newline="") as f:
        n = sum(1 for _ in csv.DictReader(f))
else:
    from defusedxml.ElementTree import DefusedXMLParser
    from syncd.formats.xml_records import _Target
    tags = frozenset({"record"} if fmt == "endnote_xml" else {"PubmedArticle"})
    t0 = time.perf_counter()
    holder = []
    target = _Target(tags, lambda: holder[0].parser.CurrentLineNumber)
    parser = DefusedXMLParser(target=target, forbid_dtd=False)
    holder.append(parser)
    n = 0
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            parser.feed(block)
            n += len(target.done)
            target.done.clear()
    parser.close()
    n += len(target.done)
elapsed = time.perf_counter() - t0
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent through fork and
# exec, so every child would report at least the benchmark's own peak.
with open("/proc/self/status") as status:
    peak_kib = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
print(json.dumps({"n": n, "seconds": elapsed, "peak_kib": peak_kib,
                  "process": time.perf_counter() - start}))
"""


def measure(fmt: str, mode: str, path: Path) -> dict[str, float]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, fmt, mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    result["process"] = time.perf_counter() - started
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,100000", help="record counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (best is kept)")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    print(measured_on(), flush=True)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    formats = [f for f in args.formats.split(",") if f in FORMATS]
    print(
        f"best of {args.repeat}; rec/s of reading+mapping ('map') and of the reference "
        "parser alone ('parse'); ratio = map / parse; peak RSS in MiB"
    )
    print(
        f"{'format':<12} {'records':>8} {'MB':>6} {'map rec/s':>10} {'parse rec/s':>11} "
        f"{'ratio':>6} {'map MiB':>8} {'parse MiB':>9} {'process s':>9}"
    )
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        for fmt in formats:
            for n in sizes:
                path = Path(tmp) / f"{fmt}_{n}.dat"
                generate(fmt, path, n)
                runs: dict[str, list[dict[str, float]]] = {"map": [], "parse": []}
                for _ in range(args.repeat):
                    for mode in runs:
                        runs[mode].append(measure(fmt, mode, path))
                best = {
                    mode: {
                        **min(rs, key=lambda r: r["seconds"]),
                        "peak_kib": max(r["peak_kib"] for r in rs),
                    }
                    for mode, rs in runs.items()
                }
                for mode, r in best.items():
                    if r["n"] != n:
                        print(f"warning: {fmt} {mode} read {r['n']} of {n}", file=sys.stderr)
                rate = {mode: n / r["seconds"] for mode, r in best.items()}
                print(
                    f"{fmt:<12} {n:>8} {path.stat().st_size / 1e6:>6.1f} {rate['map']:>10,.0f} "
                    f"{rate['parse']:>11,.0f} {rate['map'] / rate['parse']:>6.2f} "
                    f"{best['map']['peak_kib'] / 1024:>8.1f} "
                    f"{best['parse']['peak_kib'] / 1024:>9.1f} {best['map']['process']:>9.2f}",
                    flush=True,
                )
                path.unlink()


if __name__ == "__main__":
    main()
