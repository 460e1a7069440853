"""Requests per sync against the local sandbox, next to the fewest a sync could make.

Seeds a library (default 20,000 items), then runs three syncs with one state
database: an export of new records (default 5,000), the same export again, and the
export with 1% of its records changed. For each it prints the requests the sandbox
logged, by kind, and the lower bound: the mirror refresh (a full load is one page per
100 items; an incremental refresh at least one request) plus ceil(creates/50) +
ceil(updates/50) writes. Targets: at most 1.05x the bound; the unchanged re-sync at
most 3 requests.

Usage: .venv/bin/python benchmarks/bench_sync_requests.py [--items 20000] [--records 5000]
"""

from __future__ import annotations

import argparse
import datetime

from common import KINDS, by_kind, print_table, scenario
from measured import measured_on


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000, help="items already in the library")
    parser.add_argument("--records", type=int, default=5000, help="records in the export")
    parser.add_argument(
        "--changed", type=float, default=0.01, help="share of records changed in the third sync"
    )
    args = parser.parse_args()
    print(measured_on(), flush=True)
    runs = scenario(items=args.items, records=args.records, changed_share=args.changed)

    print(
        f"\nrequests per sync, {args.items} items + {args.records} records, {datetime.date.today()}"
    )
    headers = ["sync", *KINDS, "reads", "writes", "total", "bound", "ratio", "target", "met"]
    rows = []
    for n, run in enumerate(runs):
        kinds = by_kind(run.log)
        reads = sum(1 for r in run.log if r.kind == "read")
        total = len(run.log)
        bound = run.bound.requests
        if n == 1:
            target, met = "<= 3 requests", total <= 3
        else:
            target, met = "<= 1.05x bound", total <= 1.05 * bound
        rows.append(
            [
                run.name,
                *(kinds.get(k, 0) for k in KINDS),
                reads,
                total - reads,
                total,
                bound,
                f"{total / bound:.3f}",
                target,
                "yes" if met else "NO",
            ]
        )
    print_table(headers, rows)
    print("\noutcomes:")
    for run in runs:
        print(f"  {run.name}: " + ", ".join(f"{k} {v}" for k, v in run.counts.items() if v))


if __name__ == "__main__":
    main()
