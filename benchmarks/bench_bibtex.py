"""Throughput and peak memory of syncd's BibTeX and CSL-JSON readers (+ mapping)
against the reference parsers: bibtexparser (parse only) and ``json.load``/ijson.

Generates Scopus-style records (13 authors, some with LaTeX accents, a ``{{Title
Case}}`` title, abstract, keywords, DOI, ISSN, a scopus.com link, a ``Cited by``
note, a month macro and an ``@string`` journal) of each requested size, as BibTeX
and as a CSL-JSON array, then measures each case in a fresh subprocess so peak RSS
belongs to that case only:

* bibtexparser: ``bibtexparser.parse_file`` (2.x) or ``bibtexparser.load`` (1.x),
  parse only, in ``--reference-python`` (syncd's environment holds 1.4.4, the one
  pyzotero allows; point this at an environment with bibtexparser 2 to compare it);
* syncd-bibtex: ``syncd.formats.bibtex.convert``, every item written out as a JSON
  line (to /dev/null), as ``syncd convert --format jsonl`` does;
* json.load / ijson: the whole array loaded / ``ijson.items`` streamed (in
  ``--reference-python``, when ijson is there), parse only;
* syncd-csljson: ``syncd.formats.csljson.convert`` with JSON lines written out.

Reference cases run at ``--reference-sizes`` only (bibtexparser 1.4 takes about
4 ms a record). Each case runs ``--repeat`` times, taking turns; the fastest time and
the largest peak RSS are kept.

Usage: .venv/bin/python benchmarks/bench_bibtex.py [--sizes 10000,20000,100000]
       [--reference-sizes 20000] [--reference-python /path/to/python] [--repeat 1]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from measured import measured_on

ROOT = Path(__file__).resolve().parent.parent
_ACCENTED = ['M{\\"u}ller', "Eli{\\'a}{\\v{s}}", "Ba{\\'n}ka", "{\\O}stergaard", "He{\\ss}"]


def _record(rng: random.Random, i: int) -> dict[str, object]:
    # Imported here: the reference cases run this file in an environment without syncd.
    from common import SURNAMES, WORDS, sentence

    names = [
        (rng.choice(_ACCENTED) if k == 0 else rng.choice(SURNAMES), rng.choice("ABCDEFGHKLM") + ".")
        for k in range(13)
    ]
    return {
        "key": f"rec{i}",
        "title": sentence(rng, 14),
        "names": names,
        "year": 1990 + i % 35,
        "volume": str(1 + i % 80),
        "issue": str(1 + i % 12),
        "pages": f"{i % 900 + 1}--{i % 900 + 12}",
        "doi": f"10.{1000 + i % 9000}/{rng.randrange(10**6)}.{i}",
        "eid": 84864948206 + i,
        "abstract": " ".join(sentence(rng, 18) for _ in range(9)),
        "keywords": [rng.choice(WORDS) for _ in range(5)],
        "cited": rng.randrange(200),
    }


def write_bibtex(path: Path, n: int) -> None:
    rng = random.Random(n)
    with path.open("w", encoding="utf-8") as out:
        out.write('@string{cdi = "Clinical and Developmental Immunology"}\n\n')
        for i in range(n):
            r = _record(rng, i)
            authors = " and ".join(f"{last}, {first}" for last, first in r["names"])  # type: ignore[attr-defined]
            out.write(
                f"@ARTICLE{{{r['key']},\n"
                f"  author = {{{authors}}},\n"
                f"  title = {{{{{r['title']}}}}},\n"
                f"  year = {{{r['year']}}},\n  month = mar,\n  journal = cdi,\n"
                f"  volume = {{{r['volume']}}},\n  number = {{{r['issue']}}},\n"
                f"  pages = {{{r['pages']}}},\n  doi = {{{r['doi']}}},\n"
                f"  url = {{https://www.scopus.com/inward/record.uri?eid=2-s2.0-{r['eid']}"
                "&partnerID=40},\n"
                f"  abstract = {{{r['abstract']}}},\n"
                f"  author_keywords = {{{'; '.join(r['keywords'])}}},\n"  # type: ignore[arg-type]
                "  issn = {17402522},\n  source = {Scopus},\n"
                f"  note = {{Cited by: {r['cited']}; All Open Access, Gold Open Access}}\n}}\n\n"
            )


def write_csljson(path: Path, n: int) -> None:
    rng = random.Random(n)
    with path.open("w", encoding="utf-8") as out:
        out.write("[\n")
        for i in range(n):
            r = _record(rng, i)
            item = {
                "id": r["key"],
                "type": "article-journal",
                "title": r["title"],
                "author": [{"family": last, "given": first} for last, first in r["names"]],  # type: ignore[attr-defined]
                "issued": {"date-parts": [[r["year"], 3]]},
                "container-title": "Clinical and Developmental Immunology",
                "volume": r["volume"],
                "issue": r["issue"],
                "page": str(r["pages"]).replace("--", "-"),
                "DOI": r["doi"],
                "ISSN": "1740-2522",
                "abstract": r["abstract"],
                "note": f"Scopus EID: 2-s2.0-{r['eid']}\n{r['cited']} citations (Scopus)",
            }
            out.write(("  " if i == 0 else ", ") + json.dumps(item) + "\n")
        out.write("]\n")


# --- the measured cases, run in a child process -----------------------------------


def _peak_rss_mib() -> float:
    # VmHWM, not ru_maxrss: Linux starts a child's ru_maxrss at the driver's size when
    # it forks (the driver imports syncd: 45 MiB) and keeps it through exec.
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024


def _case_bibtexparser(path: str) -> int:
    import bibtexparser

    if hasattr(bibtexparser, "parse_file"):
        return len(bibtexparser.parse_file(path).entries)
    from bibtexparser.bparser import BibTexParser

    with open(path, encoding="utf-8") as f:
        return len(bibtexparser.load(f, parser=BibTexParser(common_strings=True)).entries)


def _case_syncd(path: str, fmt: str) -> int:
    import importlib

    from syncd.formats.records import ConvertedRecord
    from syncd.schema import bundled_schema

    module = importlib.import_module(f"syncd.formats.{fmt}")
    n = 0
    with open("/dev/null", "w", encoding="utf-8") as sink:
        for entry in module.convert(Path(path), bundled_schema()):
            if isinstance(entry, ConvertedRecord):
                sink.write(json.dumps(entry.as_json()) + "\n")
                n += 1
    return n


def _case_json_load(path: str) -> int:
    with open(path, encoding="utf-8") as f:
        return len(json.load(f))


def _case_ijson(path: str) -> int:
    import ijson  # type: ignore[import-not-found]

    with open(path, "rb") as f:
        return sum(1 for _ in ijson.items(f, "item"))


def child(case: str, path: str) -> None:
    start = time.perf_counter()
    if case == "bibtexparser":
        n = _case_bibtexparser(path)
    elif case == "syncd-bibtex":
        n = _case_syncd(path, "bibtex")
    elif case == "syncd-csljson":
        n = _case_syncd(path, "csljson")
    elif case == "json.load":
        n = _case_json_load(path)
    else:
        n = _case_ijson(path)
    seconds = time.perf_counter() - start
    print(json.dumps({"records": n, "seconds": seconds, "rss_mib": _peak_rss_mib()}))


# --- the driver ---------------------------------------------------------------------


def _run(python: str, case: str, path: Path) -> dict[str, float] | None:
    proc = subprocess.run(
        [python, __file__, "--child", case, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PYTHONPATH": f"{ROOT}:{ROOT / 'benchmarks'}", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    if proc.returncode != 0:
        print(f"  {case}: failed ({proc.stderr.strip().splitlines()[-1:]})", file=sys.stderr)
        return None
    result: dict[str, float] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def _version(python: str, module: str) -> str:
    proc = subprocess.run(
        [python, "-c", f"import importlib.metadata as m; print(m.version({module!r}))"],
        capture_output=True,
        text=True,
        check=False,
    )
    return proc.stdout.strip() or "absent"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,100000")
    parser.add_argument("--reference-sizes", default="20000")
    parser.add_argument("--reference-python", default=sys.executable)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--child", nargs=2, metavar=("CASE", "FILE"))
    args = parser.parse_args()
    print(measured_on(), flush=True)
    if args.child:
        child(*args.child)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    ref_sizes = {int(s) for s in args.reference_sizes.split(",") if s}
    ref = args.reference_python
    print(
        f"bibtexparser {_version(ref, 'bibtexparser')}, ijson {_version(ref, 'ijson')} (in {ref})"
    )
    print("| case | records | seconds | records/s | peak RSS MiB |")
    print("| --- | --- | --- | --- | --- |")
    with tempfile.TemporaryDirectory() as tmp:
        for n in sorted(set(sizes) | ref_sizes):
            bib, csl = Path(tmp) / f"{n}.bib", Path(tmp) / f"{n}.json"
            write_bibtex(bib, n)
            write_csljson(csl, n)
            cases: list[tuple[str, str, Path]] = []
            if n in sizes:
                cases += [
                    (sys.executable, "syncd-bibtex", bib),
                    (sys.executable, "syncd-csljson", csl),
                ]
            if n in ref_sizes:
                cases += [(ref, "bibtexparser", bib), (ref, "json.load", csl), (ref, "ijson", csl)]
            best: dict[str, dict[str, float]] = {}
            for _ in range(args.repeat):
                for python, case, path in cases:
                    got = _run(python, case, path)
                    if got is None:
                        continue
                    old = best.get(case)
                    if old is None or got["seconds"] < old["seconds"]:
                        rss = max(got["rss_mib"], old["rss_mib"] if old else 0.0)
                        best[case] = {**got, "rss_mib": rss}
            for case, r in best.items():
                rate = r["records"] / r["seconds"] if r["seconds"] else 0.0
                print(
                    f"| {case} | {int(r['records']):,} | {r['seconds']:.2f} | {rate:,.0f} |"
                    f" {r['rss_mib']:.0f} |"
                )
            bib.unlink()
            csl.unlink()


if __name__ == "__main__":
    main()
