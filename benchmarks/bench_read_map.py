"""Throughput and peak memory of syncd's RIS reader (+ mapping) against rispy 0.10.

Generates Scopus-style files (13 authors, abstract, two UR, DO, U2, C2, AN, SN, VL,
JO/JF, M1, KW, N1 Cited By / Export Date) of each requested size into a temporary
directory, written with the two-space ``TY  - `` form so rispy can read them too,
then measures each case in a fresh subprocess so peak RSS belongs to that case only:

* rispy: ``rispy.load`` parse only;
* syncd: ``read_file`` followed by ``syncd.formats.ris.mapping.map_record`` when that module
  exists (read only otherwise, with a note).

Each case runs ``--repeat`` times, the cases taking turns so that a busy spell on the
machine falls on all of them alike; the figure kept is each case's fastest run (as
``timeit`` does: slower runs measure the machine's other work, not the code) and its
largest peak RSS.

Usage: .venv/bin/python benchmarks/bench_read_map.py [--sizes 10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
from pathlib import Path

# The same vocabulary and names as the sync benchmarks' generated records.
from common import SURNAMES, WORDS, sentence
from measured import measured_on

ROOT = Path(__file__).resolve().parent.parent


def make_record(rng: random.Random, i: int) -> str:
    eid = 84864948206 + i
    doi = f"10.{1000 + i % 9000}/{rng.randrange(10**6)}.{i}"
    lines = ["TY  - JOUR", f"T1  - {sentence(rng, 14)}"]
    for _ in range(13):
        lines.append(f"AU  - {rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHKLM')}.")
    year = 1990 + i % 35
    lines += [f"PY  - {year}", f"Y1  - {year}"]
    abstract = " ".join(sentence(rng, 18) for _ in range(9))
    lines += [f"N2  - {abstract}", f"AB  - {abstract}"]
    lines += [
        # As Scopus writes its links today: the DOI and an md5 differ in every record.
        f"UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-{eid}"
        f"&doi={doi.replace('/', '%2f')}&partnerID=40&md5={rng.getrandbits(128):032x}",
        f"UR  - http://www.scopus.com/inward/citedby.url?scp={eid}&partnerID=8YFLogxK",
        f"U2  - {doi}",
        f"DO  - {doi}",
        "M3  - Article",
        f"C2  - {22829849 + i}",
        f"AN  - SCOPUS:{eid}",
        f"SN  - {1000 + i % 9000}-{2522 + i % 7000:04d}",
        f"VL  - {1 + i % 60}",
        "JO  - Clinical and Developmental Immunology",
        "JF  - Clinical and Developmental Immunology",
        f"M1  - {273291 + i}",
    ]
    lines += [f"KW  - {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)]
    lines += [f"N1  - Cited By :{i % 97}", "N1  - Export Date: 25 November 2026", "ER  - ", ""]
    return "\n".join(lines)


def generate(path: Path, n: int) -> None:
    rng = random.Random(n)
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in range(n):
            out.write(make_record(rng, i))


CHILD = r"""
import json, sys, time
from pathlib import Path
mode, path = sys.argv[1], sys.argv[2]
note = ""
# Imports and schema loading happen before the clock starts: only reading/mapping is timed.
if mode == "rispy":
    import rispy
    t0 = time.perf_counter()
    n = len(rispy.load(Path(path), encoding="utf-8"))
else:
    from syncd.formats.ris.reader import read_file
    from syncd.formats.records import RawRecord
    map_record = None
    if mode == "syncd-map":
        try:
            from syncd.formats.ris.mapping import map_record
            from syncd.schema import bundled_schema
            schema = bundled_schema()
        except ImportError:
            note = "syncd.formats.ris.mapping not available: read only"
    t0 = time.perf_counter()
    n = 0
    for item in read_file(path):
        if isinstance(item, RawRecord):
            if map_record is not None:
                map_record(item, schema)
            n += 1
elapsed = time.perf_counter() - t0
# VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's size (see peak.py).
with open("/proc/self/status") as status:
    peak_kib = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
print(json.dumps({"n": n, "seconds": elapsed, "peak_kib": peak_kib, "note": note}))
"""


def measure(mode: str, path: Path) -> dict[str, object]:
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated record counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (best is kept)")
    args = parser.parse_args()
    print(measured_on(), flush=True)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    modes = ("rispy", "syncd-read", "syncd-map")
    rows: list[tuple[int, float, dict[str, dict[str, object]]]] = []
    notes = set()
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"scopus_{n}.ris"
            generate(path, n)
            runs: dict[str, list[dict[str, object]]] = {mode: [] for mode in modes}
            for _ in range(args.repeat):
                for mode in modes:
                    runs[mode].append(measure(mode, path))
            results = {mode: best(runs[mode]) for mode in modes}
            for mode, r in results.items():
                if r["note"]:
                    notes.add(str(r["note"]))
                if r["n"] != n:
                    print(f"warning: {mode} read {r['n']} of {n} records", file=sys.stderr)
            rows.append((n, path.stat().st_size / 1e6, results))
            path.unlink()
    print(
        f"records/s (higher is better, best of {args.repeat} runs); ratio = syncd / rispy; "
        "peak RSS in MiB"
    )
    print(
        f"{'records':>8} {'MB':>6} "
        + " ".join(f"{m + ' rec/s':>16}" for m in modes)
        + f" {'read ratio':>10} {'map ratio':>9} "
        + " ".join(f"{m + ' MiB':>14}" for m in modes)
    )
    for n, size_mb, results in rows:
        rate = {m: n / _num(results[m]["seconds"]) for m in modes}
        peak = {m: _num(results[m]["peak_kib"]) / 1024 for m in modes}
        print(
            f"{n:>8} {size_mb:>6.1f} "
            + " ".join(f"{rate[m]:>16,.0f}" for m in modes)
            + f" {rate['syncd-read'] / rate['rispy']:>10.2f}"
            + f" {rate['syncd-map'] / rate['rispy']:>9.2f} "
            + " ".join(f"{peak[m]:>14.1f}" for m in modes)
        )
    if len(rows) >= 2:
        (n0, _, r0), (n1, _, r1) = rows[0], rows[-1]
        growth = ", ".join(
            f"{m} x{_num(r1[m]['peak_kib']) / _num(r0[m]['peak_kib']):.2f}" for m in modes
        )
        print(f"peak RSS growth {n0} -> {n1} records: {growth}")
    for note in sorted(notes):
        print(f"note: {note}")


def best(runs: list[dict[str, object]]) -> dict[str, object]:
    fastest = min(runs, key=lambda r: _num(r["seconds"]))
    return {**fastest, "peak_kib": max(_num(r["peak_kib"]) for r in runs)}


def _num(value: object) -> float:
    assert isinstance(value, int | float)
    return float(value)


if __name__ == "__main__":
    main()
