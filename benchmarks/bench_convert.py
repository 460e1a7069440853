"""``syncd convert`` as users run it: a whole process, file in, JSON lines out.

``bench_read_map.py`` times reading and mapping inside one process, with imports
before the clock and no output. This one times what a user waits for: starting the
interpreter, importing, reading, mapping and writing every record, until the
process exits. Beside it, in the same turns:

* peer: a process that parses the file with rispy 0.10 and writes one JSON line per
  record with ``json.dumps`` (the equal-work peer, without any mapping);
* rispy parse: a process that only parses the file with rispy;
* ``syncd convert --format json`` (one JSON array), whose output must hold the same
  items as the JSON lines.

Output goes to a file in the temporary directory, as ``syncd convert ... > out``
does. Peak RSS is each process's own (VmHWM, see ``peak.py``). Each case runs ``--repeat``
times, the cases taking turns; the fastest run of each is kept. Target: syncd
convert at least as fast as the peer on 20,000 records, and its peak RSS flat
(<= 1.2x) from the smallest to the largest size.

Usage: .venv/bin/python benchmarks/bench_convert.py [--sizes 10000,20000,100000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from bench_read_map import generate
from common import print_table
from measured import measured_on
from peak import run_measured

ROOT = Path(__file__).resolve().parent.parent
TARGET_SIZE = 20000

PEER = r"""
import json, sys
from pathlib import Path
import rispy
out = sys.stdout
for entry in rispy.load(Path(sys.argv[1]), encoding="utf-8"):
    out.write(json.dumps(entry, ensure_ascii=False) + "\n")
"""

PARSE = r"""
import sys
from pathlib import Path
import rispy
rispy.load(Path(sys.argv[1]), encoding="utf-8")
"""


def syncd_command(python: str = sys.executable) -> list[str]:
    """``syncd`` of the given interpreter's install, as ``python -m syncd`` (the console
    script does the same import and call; the module form lets the child report its
    own peak memory)."""
    return [python, "-m", "syncd"]


def commands(path: Path, other: str | None) -> dict[str, list[str]]:
    syncd = syncd_command()
    cases = {
        "syncd convert jsonl": [*syncd, "convert", "--format", "jsonl", str(path)],
        "syncd convert json": [*syncd, "convert", "--format", "json", str(path)],
        "peer (rispy+json)": [sys.executable, "-c", PEER, str(path)],
        "rispy parse": [sys.executable, "-c", PARSE, str(path)],
    }
    if other:
        python = str(Path(other).parent / "python")
        cases["--compare jsonl"] = [
            *syncd_command(python),
            "convert",
            "--format",
            "jsonl",
            str(path),
        ]
    return cases


def run(command: list[str], out: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one process writing its stdout to ``out``."""
    return run_measured(command, out, cwd=ROOT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,100000", help="comma-separated counts")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (best is kept)")
    parser.add_argument(
        "--compare",
        metavar="SYNCD",
        help="another build's syncd script (e.g. a checkout of an older commit), run in turns",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    print(measured_on())
    # records, case, wall s, records/s, vs peer, peak MiB
    rows: list[tuple[int, str, str, str, str, str]] = []
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        for n in sizes:
            path = Path(tmp) / f"scopus_{n}.ris"
            generate(path, n)
            cases = commands(path, args.compare)
            best: dict[str, tuple[float, float]] = {}
            for _ in range(args.repeat):
                for name, command in cases.items():
                    seconds, peak = run(command, Path(tmp) / "out")
                    was = best.get(name, (float("inf"), 0.0))
                    best[name] = (min(was[0], seconds), max(was[1], peak))
            path.unlink()
            peer = best["peer (rispy+json)"][0]
            peaks[n] = best["syncd convert jsonl"][1]
            for name, (seconds, peak) in best.items():
                rows.append(
                    (
                        n,
                        name,
                        f"{seconds:.2f}",
                        f"{n / seconds:,.0f}",
                        f"{peer / seconds:.2f}x",
                        f"{peak:.1f}",
                    )
                )
    print(
        f"\nwhole processes, output to a file, best of {args.repeat} taken in turns; "
        "vs peer = peer's time / this case's time (higher is faster)"
    )
    print_table(["records", "process", "wall s", "records/s", "vs peer", "peak MiB"], rows)
    if TARGET_SIZE in sizes:
        jsonl = next(r for r in rows if r[0] == TARGET_SIZE and r[1] == "syncd convert jsonl")
        ratio = float(jsonl[4].rstrip("x"))
        met = "yes" if ratio >= 1.0 else "NO"
        print(
            f"target: syncd convert >= 1.0x the peer at {TARGET_SIZE} records: {ratio:.2f}x {met}"
        )
    if len(peaks) >= 2:
        lo, hi = min(peaks), max(peaks)
        growth = peaks[hi] / peaks[lo]
        met = "yes" if growth <= 1.2 else "NO"
        print(
            f"target: peak RSS of syncd convert flat from {lo} to {hi} records: "
            f"{peaks[lo]:.1f} -> {peaks[hi]:.1f} MiB, x{growth:.2f} (<= 1.2x) {met}"
        )


if __name__ == "__main__":
    if not hasattr(os, "wait4"):
        raise SystemExit("needs os.wait4 (Linux, macOS) for each process's peak RSS")
    main()
