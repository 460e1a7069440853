"""Wall time of a sync at real-world latency, next to the time its requests alone need.

The same three syncs as ``bench_sync_requests.py`` (new records into a seeded
library, the same export again, 1% changed), with the sandbox holding every
response for ``--latency-ms`` (default 50). The ideal is computed from the sandbox's
request log: consecutive reads four at a time (the client keeps up to four in
flight), every write on its own, each costing the latency and nothing else. Target:
wall time at most 1.3x that ideal. Printed beside it: the CPU time of the syncing
process (all threads) and the time the sandbox spent in its request handler, which
is what lies between the wall time and the ideal.

Two ideals are printed, both labelled. "ideal (latency)" is the issue's: the
requests' latency only, as if the server answered in no time. "ideal + server"
adds the time the sandbox spent in its handler: on this machine the sandbox runs
on the client's own cores and one interpreter (its handling of concurrent reads
is serialised by the GIL), so that time is the server's, and no client can hide
it. The target is judged against the latency-only ideal, as the issue states it;
the second one says how much of what is left is the sandbox's own work.

After the three syncs of one process, the unchanged re-sync is run again as a
fresh ``syncd sync`` process (start-up and loading the index from the state
database included), as users run it: labelled "fresh process".

Usage: .venv/bin/python benchmarks/bench_sync_latency.py [--items 20000] [--records 5000]
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import tempfile
import time
from pathlib import Path

from bench_convert import syncd_command
from common import FRESH, ideal_seconds, print_table, scenario, user_env, write_export
from measured import measured_on

TARGET = 1.3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000, help="items already in the library")
    parser.add_argument("--records", type=int, default=5000, help="records in the export")
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share of records changed in the third sync"
    )
    parser.add_argument("--latency-ms", type=int, default=50, help="added to every response")
    parser.add_argument(
        "--fresh-runs",
        type=int,
        default=3,
        help="unchanged re-syncs as fresh `syncd sync` processes (best of; 0: none)",
    )
    args = parser.parse_args()
    print(measured_on(), flush=True)
    latency = args.latency_ms / 1000
    runs = scenario(
        items=args.items,
        records=args.records,
        changed_share=args.changed,
        latency_ms=args.latency_ms,
        fresh_runs=args.fresh_runs,
    )

    today = datetime.date.today()
    print(
        f"\nwall time at {args.latency_ms} ms a response, "
        f"{args.items} items + {args.records} records, {today}"
    )
    headers = ["sync", "reads", "writes", "wall s", "ideal (latency) s", "ratio", "target", "met"]
    headers += ["ideal + server s", "ratio", "client CPU s", "sandbox s"]
    rows = []
    for run in runs:
        reads = sum(1 for r in run.log if r.kind == "read")
        ideal = ideal_seconds(run.log, latency)
        ratio = run.seconds / ideal if ideal else float("inf")
        served = ideal + run.sandbox_seconds
        rows.append(
            [
                run.name,
                reads,
                len(run.log) - reads,
                f"{run.seconds:.2f}",
                f"{ideal:.2f}",
                f"{ratio:.2f}",
                f"<= {TARGET}x",
                "yes" if ratio <= TARGET else "NO",
                f"{served:.2f}",
                f"{run.seconds / served:.2f}",
                f"{run.client_cpu:.2f}",
                f"{run.sandbox_seconds:.2f}",
            ]
        )
    print_table(headers, rows)
    print(
        "target judged against the ideal (latency): the issue's definition. The ideal + "
        "server adds the sandbox's handler time, which on this machine runs on the client's "
        "cores: server time no client can hide (for reference, not the target)."
    )
    convert = convert_times(args.records)
    resync_target("in one session", runs[1].seconds, runs[1].client_cpu, convert, latency)
    fresh = [run for run in runs if run.name == FRESH]
    if fresh:
        resync_target(
            "fresh `syncd sync` process", fresh[0].seconds, fresh[0].client_cpu, convert, latency
        )


def convert_times(records: int) -> tuple[float, float]:
    """``syncd convert`` of the re-synced export as a whole process, best of 3:
    (wall, user + system CPU)."""
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp:
        export = write_export(Path(tmp) / "export-again.ris", range(records))
        walls, cpus = [], []
        for _ in range(3):
            began = time.perf_counter()
            proc = subprocess.Popen(
                [*syncd_command(), "convert", "--format", "jsonl", str(export)],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=user_env(),
            )
            _, _, usage = os.wait4(proc.pid, 0)
            proc.returncode = 0
            walls.append(time.perf_counter() - began)
            cpus.append(usage.ru_utime + usage.ru_stime)
    return min(walls), min(cpus)


def resync_target(
    label: str, resync: float, resync_cpu: float, convert: tuple[float, float], latency: float
) -> None:
    """The unchanged re-sync against ``syncd convert`` of the same export, run as a
    whole process: target convert + 2 round trips + 0.3 s.

    Printed twice: by wall time, and by CPU time (the re-sync's client CPU against
    the convert process's user + system time). On a machine that other work keeps
    busy, wall time is mostly waiting for a core and the CPU comparison is the one
    that says what the code costs. ``label`` says how the re-sync ran: in the
    session of the syncs before (no start-up, the index in memory) or as a fresh
    process (the convert's start-up is in both then).
    """
    convert_wall, convert_cpu = convert
    target = convert_wall + 2 * latency + 0.3
    print(
        f"unchanged re-sync, {label}, by wall time: {resync:.2f} s; syncd convert of the "
        f"same file (whole process, best of 3) {convert_wall:.2f} s; target <= "
        f"{convert_wall:.2f} + 2 x {latency:.2f} + 0.3 = {target:.2f} s: "
        f"{'yes' if resync <= target else 'NO'}"
    )
    # Round trips cost no CPU: the CPU target is the convert's CPU + 0.3 s.
    target = convert_cpu + 0.3
    print(
        f"unchanged re-sync, {label}, by CPU time: {resync_cpu:.2f} s; syncd convert's CPU "
        f"{convert_cpu:.2f} s; target <= {convert_cpu:.2f} + 0.3 = {target:.2f} s: "
        f"{'yes' if resync_cpu <= target else 'NO'}"
    )


if __name__ == "__main__":
    main()
