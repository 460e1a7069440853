"""Throughput of the sandbox for item reads, over keep-alive HTTP/1.1 from N client threads.

Uses a bare ``http.client`` connection per thread (no pyzotero, no httpx) so the figure
is the server's, not a client library's. Prints requests per second for single-item
reads (``GET /users/1/items/<key>``) and for 25-item pages (``GET /users/1/items``).

    .venv/bin/python benchmarks/bench_sandbox.py [--items 1000] [--threads 4] [--seconds 3]
"""

from __future__ import annotations

import argparse
import http.client
import random
import threading
import time

from syncd.sandbox import Sandbox

KEY = "bench-key-000000000000000000"


def _worker(
    port: int, paths: list[str], stop_at: float, counts: list[int], slot: int, seed: int
) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Zotero-API-Key": KEY, "Zotero-API-Version": "3"}
    done = 0
    while time.perf_counter() < stop_at:
        conn.request("GET", rng.choice(paths), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
        done += 1
    conn.close()
    counts[slot] = done


def run(port: int, paths: list[str], threads: int, seconds: float) -> float:
    counts = [0] * threads
    start = time.perf_counter()
    stop_at = start + seconds
    workers = [
        threading.Thread(target=_worker, args=(port, paths, stop_at, counts, i, i))
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    with Sandbox() as sb:
        sb.add_user_library(1)
        sb.add_key(KEY, user_id=1)
        keys = [
            sb.user_create(
                "users/1",
                {
                    "itemType": "journalArticle",
                    "title": f"Benchmark article {i}",
                    "creators": [
                        {"creatorType": "author", "firstName": "Ada", "lastName": f"Author{i}"}
                    ],
                    "date": "2024-05-06",
                    "DOI": f"10.5555/bench.{i}",
                },
            )
            for i in range(args.items)
        ]
        single = [f"/users/1/items/{k}" for k in keys]
        pages = [f"/users/1/items?start={s}" for s in range(0, args.items, 25)]
        print(f"library: {args.items} items; client threads: {args.threads}; keep-alive")
        rate = run(sb.port, single, args.threads, args.seconds)
        print(f"single-item reads: {rate:8.0f} req/s")
        rate = run(sb.port, pages, args.threads, args.seconds)
        print(f"25-item page reads: {rate:8.0f} req/s")


if __name__ == "__main__":
    main()
