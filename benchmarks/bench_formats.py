"""Whole-process read + map speed and peak memory of ``syncd convert`` per input format.

For each format, generated exports of the same works (13 authors, an abstract,
keywords, identifiers) are converted by a fresh ``python -m syncd convert --format
jsonl FILE`` process with its output thrown away; the figure is that process's wall
time (start-up, detection, reading, mapping, JSON) and its peak RSS (the child's
own VmHWM, Linux). Where a format has a reference parser it runs the
same way, parse only (rispy for RIS); MEDLINE, Web of Science and RefWorks tagged
have no maintained one (see syncd/formats/tagged.py).

Speed is measured on ``--speed`` records (20,000), memory at each of ``--sizes``
(10,000 and 100,000): flat memory means the reader streams. Each case runs
``--repeat`` times, taking turns; the fastest run and the largest peak are kept.

Adding a format: write ``gen_<name>(rng, i) -> str`` (one record) and add it to
GENERATORS, and its reference parser, if any, to REFERENCES.

Usage: .venv/bin/python benchmarks/bench_formats.py [--formats ris,medline] [--speed 20000]
       [--sizes 10000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench_read_map import make_record as gen_ris
from common import SURNAMES, WORDS, sentence
from measured import measured_on
from peak import run_measured

ROOT = Path(__file__).resolve().parent.parent


def _authors(rng: random.Random) -> list[tuple[str, str]]:
    return [(rng.choice(SURNAMES), rng.choice("ABCDEFGHKLM")) for _ in range(13)]


def gen_medline(rng: random.Random, i: int) -> str:
    lines = [f"PMID- {22829849 + i}", "OWN - NLM", "STAT- MEDLINE", "IS  - 1740-2522 (Electronic)"]
    lines += [f"VI  - {1 + i % 60}", f"IP  - {1 + i % 12}", f"DP  - {1990 + i % 35} Jul"]
    lines += [f"TI  - {sentence(rng, 9)}", f"      {sentence(rng, 5)}"]
    lines += [f"PG  - {100 + i % 900}-{10 + i % 89}", f"LID - 10.{1000 + i % 9000}/{i} [doi]"]
    abstract = [sentence(rng, 12) for _ in range(12)]
    lines += [f"AB  - {abstract[0]}"] + [f"      {a}" for a in abstract[1:]]
    for last, first in _authors(rng):
        lines += [f"FAU - {last}, {first}", f"AU  - {last} {first}"]
    lines += ["LA  - eng", "PT  - Journal Article", "TA  - Clin Dev Immunol"]
    lines += ["JT  - Clinical and developmental immunology"]
    lines += [f"MH  - {rng.choice(WORDS).title()}/*{rng.choice(WORDS)}" for _ in range(4)]
    lines += [f"PMC - PMC{3400000 + i}", "SO  - Clin Dev Immunol. 2012;2012:273291.", "", ""]
    return "\n".join(lines)


def gen_wos(rng: random.Random, i: int) -> str:
    authors = _authors(rng)
    lines = ["PT J", f"AU {authors[0][0]}, {authors[0][1]}"]
    lines += [f"   {last}, {first}" for last, first in authors[1:]]
    lines += [f"TI {sentence(rng, 9)}", f"   {sentence(rng, 5)}"]
    lines += ["SO CLINICAL AND DEVELOPMENTAL IMMUNOLOGY", "LA English", "DT Article"]
    lines += ["DE " + "; ".join(f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4))]
    abstract = [sentence(rng, 12) for _ in range(12)]
    lines += [f"AB {abstract[0]}"] + [f"   {a}" for a in abstract[1:]]
    lines += [f"TC {i % 97}", f"Z9 {i % 97 + 1}", "SN 1740-2522", "PD JUL"]
    lines += [f"PY {1990 + i % 35}", f"VL {1 + i % 60}", f"AR {273291 + i}"]
    lines += [f"DI 10.{1000 + i % 9000}/{i}", f"UT WOS:{308000000000 + i:015d}", "ER", "", ""]
    return "\n".join(lines)


def gen_refworks(rng: random.Random, i: int) -> str:
    lines = ["RT Journal Article", "SR Electronic(1)", f"ID {i}"]
    lines += [f"A1 {last},{first}." for last, first in _authors(rng)]
    lines += [f"T1 {sentence(rng, 14)}", "JF Clinical and Developmental Immunology"]
    lines += [f"YR {1990 + i % 35}", "FD Jul", f"VO {1 + i % 60}", f"IS {1 + i % 12}"]
    lines += [f"SP {100 + i % 900}", f"OP {200 + i % 900}"]
    lines += [f"K1 {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)]
    lines += [f"AB {' '.join(sentence(rng, 18) for _ in range(9))}", "SN 1740-2522"]
    lines += [f"DO 10.{1000 + i % 9000}/{i}", "LA English", "", ""]
    return "\n".join(lines)


GENERATORS: dict[str, Callable[[random.Random, int], str]] = {
    "ris": gen_ris,
    "medline": gen_medline,
    "wos": gen_wos,
    "refworks": gen_refworks,
}
HEADERS = {"wos": "FN Clarivate Analytics Web of Science\nVR 1.0\n"}
FOOTERS = {"wos": "EF\n"}
# Reference parsers, parse only, as a child process's code (argv[1] is the file).
REFERENCES = {
    "ris": (
        "rispy",
        "import sys, rispy; from pathlib import Path; rispy.load(Path(sys.argv[1]), "
        "encoding='utf-8')",
    ),
}


def generate(fmt: str, path: Path, n: int) -> None:
    rng = random.Random(n)
    make = GENERATORS[fmt]
    with path.open("w", encoding="utf-8", newline="\n") as out:
        out.write(HEADERS.get(fmt, ""))
        for i in range(n):
            out.write(make(rng, i))
        out.write(FOOTERS.get(fmt, ""))


def run(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one child process."""
    return run_measured(argv, cwd=ROOT)


def syncd_argv(path: Path) -> list[str]:
    return [sys.executable, "-m", "syncd", "convert", "--format", "jsonl", str(path)]


def measure(argvs: dict[str, list[str]], repeat: int) -> dict[str, tuple[float, float]]:
    runs: dict[str, list[tuple[float, float]]] = {name: [] for name in argvs}
    for _ in range(repeat):
        for name, argv in argvs.items():
            runs[name].append(run(argv))
    return {name: (min(r[0] for r in rs), max(r[1] for r in rs)) for name, rs in runs.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--formats", default=",".join(GENERATORS))
    parser.add_argument("--speed", type=int, default=20_000, help="records for the speed run")
    parser.add_argument("--sizes", default="10000,100000", help="record counts for memory")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(measured_on(), flush=True)
    formats = [f for f in args.formats.split(",") if f]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    from syncd.native import build_kind

    print(
        f"whole process, best of {args.repeat}; rec/s = records / wall seconds; "
        f"syncd build: {build_kind()}"
    )
    print(f"{'format':<10} {'records':>8} {'syncd rec/s':>12} {'reference':>22} {'ratio':>6}")
    with tempfile.TemporaryDirectory(prefix="syncd-bench-formats-") as tmp:
        for fmt in formats:
            path = Path(tmp) / f"{fmt}_{args.speed}.txt"
            generate(fmt, path, args.speed)
            argvs = {"syncd": syncd_argv(path)}
            ref = REFERENCES.get(fmt)
            if ref:
                argvs[ref[0]] = [sys.executable, "-c", ref[1], str(path)]
            result = measure(argvs, args.repeat)
            rate = args.speed / result["syncd"][0]
            ref_text, ratio = "(none maintained)", ""
            if ref:
                ref_rate = args.speed / result[ref[0]][0]
                ref_text = f"{ref[0]} {ref_rate:,.0f}"
                ratio = f"{rate / ref_rate:.2f}"
            print(f"{fmt:<10} {args.speed:>8} {rate:>12,.0f} {ref_text:>22} {ratio:>6}")
            path.unlink()
        print(f"\npeak RSS (MiB) of the syncd process at {', '.join(map(str, sizes))} records")
        for fmt in formats:
            peaks = []
            for n in sizes:
                path = Path(tmp) / f"{fmt}_{n}.txt"
                generate(fmt, path, n)
                peaks.append(measure({"syncd": syncd_argv(path)}, 1)["syncd"][1])
                path.unlink()
            growth = f"x{peaks[-1] / peaks[0]:.2f}" if len(peaks) > 1 else ""
            print(f"{fmt:<10} " + " ".join(f"{p:>8.1f}" for p in peaks) + f"   {growth}")


if __name__ == "__main__":
    main()
