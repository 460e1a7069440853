"""Time and request count of the library mirror refresh against the local sandbox.

Seeds a sandbox library through its store API, then measures a full load (with 1 and
with 4 requests in flight, optionally with per-request latency to stand in for the
network) and an incremental refresh after one edit and one deletion.

Usage: .venv/bin/python benchmarks/bench_mirror.py [--items 20000] [--latency-ms 0]
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path

from measured import measured_on

from syncd.library.mirror import refresh_mirror
from syncd.sandbox import FaultPlan, Sandbox
from syncd.state import StateDB
from syncd.zotero.client import ZoteroClient

KEY = "bench-key-00000000000000000"
LIB = "users/1"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--latency-ms", type=int, default=0)
    args = parser.parse_args()
    print(measured_on(), flush=True)

    with Sandbox() as sb, tempfile.TemporaryDirectory() as tmp:
        sb.add_user_library(1)
        sb.add_key(KEY, user_id=1)
        started = time.perf_counter()
        keys = [
            sb.user_create(
                LIB,
                {"itemType": "journalArticle", "title": f"Article {i}", "DOI": f"10.1000/b.{i}"},
            )
            for i in range(args.items)
        ]
        print(f"seeded {args.items} items in {time.perf_counter() - started:.2f}s")
        sb.faults = FaultPlan(latency_ms=args.latency_ms)
        budget = math.ceil(args.items / 100) + 1
        client = ZoteroClient(sb.url, "user", 1, KEY)
        for concurrency in (1, 4):
            with StateDB.open(Path(tmp) / f"c{concurrency}.db") as db:
                sb.clear_log()
                started = time.perf_counter()
                stats = refresh_mirror(client, db, concurrency=concurrency)
                took = time.perf_counter() - started
                print(
                    f"full load, {concurrency} in flight: {took:.2f}s, "
                    f"{sb.count()} requests (budget {budget}), {stats.items} items"
                )
                sb.user_edit(LIB, keys[1], {"title": f"edited {concurrency}"})
                sb.user_delete(LIB, keys[2 + concurrency])
                sb.clear_log()
                started = time.perf_counter()
                stats = refresh_mirror(client, db)
                took = time.perf_counter() - started
                print(
                    f"incremental after 1 edit + 1 delete: {took * 1000:.0f}ms, "
                    f"{sb.count()} requests, {stats.changed} changed, {stats.deleted} deleted"
                )
        client.close()


if __name__ == "__main__":
    main()
