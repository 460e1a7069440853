"""Throughput of the sandbox for item reads, over keep-alive HTTP/1.1.

Clients are bare ``http.client`` connections (no pyzotero, no httpx) so the figure is
the server's, not a client library's. They run in separate processes by default
(``--processes``), so client work does not compete with the server for the GIL;
``--processes 0`` runs them as threads of the server's own process instead. Prints
requests per second for single-item reads (``GET /users/1/items/<key>``) and for
25-item pages (``GET /users/1/items?start=N``).

    .venv/bin/python benchmarks/bench_sandbox.py [--items 1000] [--processes 2]
        [--threads 2] [--seconds 3]
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import random
import threading
import time
from typing import Any

from measured import measured_on

from syncd.sandbox import Sandbox

KEY = "bench-key-000000000000000000"


def _client_thread(port: int, paths: list[str], stop_at: float, seed: int, out: list[int]) -> None:
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Zotero-API-Key": KEY, "Zotero-API-Version": "3"}
    done = 0
    while time.time() < stop_at:
        conn.request("GET", rng.choice(paths), headers=headers)
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}")
        done += 1
    conn.close()
    out.append(done)


def _client_threads(port: int, paths: list[str], stop_at: float, threads: int, seed: int) -> int:
    counts: list[int] = []
    workers = [
        threading.Thread(target=_client_thread, args=(port, paths, stop_at, seed + i, counts))
        for i in range(threads)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return sum(counts)


def _client_process(args: tuple[int, list[str], float, int, int], queue: Any) -> None:
    queue.put(_client_threads(*args))


def run(port: int, paths: list[str], processes: int, threads: int, seconds: float) -> float:
    start = time.time()
    stop_at = start + seconds
    if processes == 0:
        total = _client_threads(port, paths, stop_at, threads, 0)
    else:
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        procs = [
            ctx.Process(
                target=_client_process,
                args=((port, paths, stop_at, threads, 100 * i), queue),
            )
            for i in range(processes)
        ]
        for p in procs:
            p.start()
        total = sum(queue.get() for _ in procs)
        for p in procs:
            p.join()
    return total / (time.time() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2, help="client threads per process")
    parser.add_argument("--seconds", type=float, default=3.0)
    args = parser.parse_args()
    print(measured_on(), flush=True)
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
        where = f"{args.processes} processes" if args.processes else "in-process"
        print(f"library: {args.items} items; clients: {where} x {args.threads} threads, keep-alive")
        rate = run(sb.port, single, args.processes, args.threads, args.seconds)
        print(f"single-item reads:  {rate:8.0f} req/s")
        rate = run(sb.port, pages, args.processes, args.threads, args.seconds)
        print(f"25-item page reads: {rate:8.0f} req/s")


if __name__ == "__main__":
    main()
