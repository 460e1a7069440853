"""Shared pieces of the sync benchmarks: a seeded sandbox, Scopus-style exports,
a sync session against it, and reading the sandbox's request log.

The export generator is written here rather than imported from ``bench_read_map``
because the sync benchmarks need to change chosen records between two exports while
every other byte stays the same; the records look alike (Scopus fields, 13 authors,
abstract, keywords, "Cited By" notes) so the two benchmarks measure similar input.
"""

from __future__ import annotations

import json
import math
import multiprocessing
import os
import random
import subprocess
import tempfile
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable, Collection, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from syncd.app import open_session
from syncd.config import Config
from syncd.sandbox import FaultPlan, Sandbox
from syncd.sandbox.protocol import Request, Response
from syncd.sandbox.server import RequestRecord
from syncd.sync.session import SyncInput, SyncSession
from syncd.zotero.retry import RetryPolicy

KEY = "bench-key-00000000000000000"
USER_ID = 1
LIBRARY = f"users/{USER_ID}"
SEED = 20261125
READ_WIDTH = 4  # reads the client keeps in flight
ITEMS_PER_PAGE = 100
OBJECTS_PER_WRITE = 50

WORDS = [
    "cell",
    "stem",
    "therapy",
    "lupus",
    "trial",
    "immune",
    "response",
    "clinical",
    "patients",
    "disease",
    "remission",
    "transplantation",
    "safety",
    "efficacy",
    "serum",
    "marker",
    "cohort",
    "randomised",
    "analysis",
    "outcome",
    "relapse",
    "activity",
    "index",
    "dose",
    "weight",
    "protein",
    "receptor",
    "signalling",
    "pathway",
]
SURNAMES = [
    "Wang",
    "Akiyama",
    "Zhang",
    "Yamaza",
    "Li",
    "Feng",
    "Hua",
    "Liu",
    "Xu",
    "Chen",
    "Shi",
    "Sun",
    "Müller",
    "Dubois",
]
JOURNALS = ("Clinical and Developmental Immunology", "Journal of Immunology", "Cell Reports")


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def scopus_record(i: int, *, changed: bool = False, prefix: str = "s") -> str:
    """One Scopus-style RIS record; its content depends only on ``i`` (and ``changed``,
    which gives it new pages and a revised abstract, as a corrected export would)."""
    rng = random.Random(f"{SEED}-{prefix}-{i}")
    # Every identifier depends on the prefix, so exports made with different
    # prefixes never match each other's items.
    offset = zlib.crc32(prefix.encode()) % 997 * 1_000_000
    eid = 84864948206 + offset + i
    doi = f"10.{1000 + i % 9000}/{prefix}.{i}"
    lines = ["TY  - JOUR", f"T1  - {sentence(rng, 14)}"]
    lines += [f"AU  - {rng.choice(SURNAMES)}, {rng.choice('ABCDEFGHKLM')}." for _ in range(13)]
    year = 1990 + i % 35
    abstract = " ".join(sentence(rng, 18) for _ in range(9))
    if changed:
        abstract += " Corrected version."
    journal = JOURNALS[i % len(JOURNALS)]
    first_page = 100 + i % 900 + (1000 if changed else 0)
    lines += [
        f"PY  - {year}",
        f"AB  - {abstract}",
        f"UR  - https://www.scopus.com/inward/record.uri?eid=2-s2.0-{eid}&partnerID=40",
        f"DO  - {doi}",
        "M3  - Article",
        f"C2  - {22829849 + offset + i}",
        f"AN  - SCOPUS:{eid}",
        f"SN  - {1000 + i % 9000}-{2522 + i % 7000:04d}",
        f"VL  - {1 + i % 60}",
        f"IS  - {1 + i % 12}",
        f"SP  - {first_page}",
        f"EP  - {first_page + 11}",
        f"T2  - {journal}",
        f"J2  - {journal[:12]}.",
        "LA  - English",
        "DB  - Scopus",
    ]
    lines += [f"KW  - {rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(4)]
    lines += [f"N1  - Cited By :{i % 97}", "N1  - Export Date: 25 November 2026", "ER  - ", ""]
    return "\n".join(lines)


def write_export(
    path: Path, indices: Sequence[int], changed: Collection[int] = (), prefix: str = "s"
) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for i in indices:
            out.write(scopus_record(i, changed=i in changed, prefix=prefix))
            out.write("\n")
    return path


def seed_library(sb: Sandbox, n: int) -> None:
    """``n`` journal articles that the exports do not match (other DOIs and titles)."""
    rng = random.Random(SEED)
    for i in range(n):
        sb.user_create(
            LIBRARY,
            {
                "itemType": "journalArticle",
                "title": f"{sentence(rng, 10)} ({i})",
                "creators": [
                    {"creatorType": "author", "lastName": rng.choice(SURNAMES), "firstName": "A."}
                    for _ in range(3)
                ],
                "publicationTitle": rng.choice(JOURNALS),
                "date": str(1990 + i % 35),
                "DOI": f"10.9999/lib.{i}",
                "volume": str(1 + i % 60),
            },
        )


@contextmanager
def sandbox() -> Iterator[Sandbox]:
    """A started sandbox (127.0.0.1, free port) with one user library and a write key."""
    sb = Sandbox()
    sb.add_user_library(USER_ID)
    sb.add_key(KEY, user_id=USER_ID, user_write=True)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@dataclass(frozen=True)
class Run:
    """One sync of the scenario, with what the sandbox saw of it."""

    name: str
    seconds: float
    counts: dict[str, int]
    log: list[RequestRecord]
    bound: Bound
    client_cpu: float  # CPU seconds of the syncing process, all its threads
    sandbox_seconds: float  # time the sandbox spent in its request handler


def scenario(
    *,
    items: int,
    records: int,
    changed_share: float,
    latency_ms: int = 0,
    quiet: bool = False,
    fresh_runs: int = 0,
) -> list[Run]:
    """Seed a library of ``items``, then sync ``records`` new records into it, the same
    export again, and the export with ``changed_share`` of its records changed.

    ``fresh_runs``: then sync the last export that many times more, each in a
    ``syncd sync`` process of its own as a user runs it (start-up, loading the
    library index from the state database, output): the best of them is one more
    run, named :data:`FRESH`. The three syncs before share one process, which
    keeps the index in memory as the daemon does.
    """
    step = max(1, round(1 / changed_share)) if changed_share > 0 else 0
    changed = set(range(0, records, step)) if step else set()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp, sandbox() as sb:
        started = time.perf_counter()
        seed_library(sb, items)
        if not quiet:
            print(f"seeded {items} items in {time.perf_counter() - started:.1f}s", flush=True)
        first = write_export(Path(tmp) / "export.ris", range(records))
        again = write_export(Path(tmp) / "export-again.ris", range(records))
        edited = write_export(Path(tmp) / "export-edited.ris", range(records), changed)
        sb.faults = FaultPlan(latency_ms=latency_ms)
        clock = HandlerClock(sb.api.handle)
        sb.api.handle = clock  # type: ignore[method-assign]
        plan = (
            ("new records", first, Bound(max(1, math.ceil(items / ITEMS_PER_PAGE)), records, 0)),
            ("same export again", again, Bound(1, 0, 0)),
            (f"{len(changed)} records changed", edited, Bound(1, 0, len(changed))),
        )
        # The syncs run in a child process: the sandbox's request handling then has
        # its own interpreter, as the real server has its own machine, instead of
        # sharing this one's GIL with the client it serves.
        ctx = multiprocessing.get_context("spawn")
        ours, theirs = ctx.Pipe()
        child = ctx.Process(target=_sync_worker, args=(sb.url, Path(tmp) / "state.sqlite", theirs))
        child.start()
        try:
            for name, path, bound in plan:
                sb.clear_log()
                began = time.perf_counter()
                ours.send(path)
                seconds, counts, cpu = ours.recv()
                served = clock.since(began)[1]
                runs.append(Run(name, seconds, counts, sb.log, bound, cpu, served))
                if not quiet:
                    print(f"{name}: {seconds:.1f}s, {counts}", flush=True)
            ours.send(None)
            child.join(60)
        finally:
            if child.is_alive():
                child.kill()
                child.join()
        if fresh_runs:
            runs.append(_fresh_resync(sb, clock, Path(tmp), edited, fresh_runs, quiet))
    return runs


FRESH = "same export, fresh process"


def user_env(**extra: str) -> dict[str, str]:
    """The environment of a ``syncd`` process as a user's shell gives it: Python
    may cache the modules' bytecode, as every install does (this workplace sets
    PYTHONDONTWRITEBYTECODE, and a fresh process then compiled the modules changed
    since the last build on every start: about 0.1 s that no user pays)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, **extra}


def _fresh_resync(
    sb: Sandbox, clock: HandlerClock, tmp: Path, export: Path, times: int, quiet: bool
) -> Run:
    """The best of ``times`` unchanged re-syncs of ``export``, each a whole
    ``syncd sync`` process (the CLI, as users run it) against the state the
    session left."""
    from bench_convert import syncd_command  # the benchmarks' folder is on sys.path

    config = tmp / "config.toml"
    config.write_text(
        f'[zotero]\nlibrary_type = "user"\nlibrary_id = {USER_ID}\nbase_url = "{sb.url}"\n'
        f'[state]\npath = "{tmp / "state.sqlite"}"\n',
        encoding="utf-8",
    )
    env = user_env(ZOTERO_API_KEY=KEY)
    best: Run | None = None
    for _ in range(times):
        sb.clear_log()
        began = time.perf_counter()
        proc = subprocess.Popen(
            [*syncd_command(), "--config", str(config), "sync", "--json", str(export)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdout is not None
        out = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - began
        if proc.returncode != 0:
            raise RuntimeError(f"syncd sync exited {proc.returncode}")
        summary = json.loads(out)
        counts = {k: v for k, v in summary.items() if isinstance(v, int)}
        served = clock.since(began)[1]
        cpu = usage.ru_utime + usage.ru_stime
        run = Run(FRESH, seconds, counts, sb.log, Bound(1, 0, 0), cpu, served)
        if not quiet:
            print(f"{FRESH}: {seconds:.1f}s, {counts}", flush=True)
        if best is None or run.seconds < best.seconds:
            best = run
    assert best is not None
    return best


def _sync_worker(url: str, state: Path, conn: Connection) -> None:
    """Child process: one session, one sync per path received, until None."""
    config = Config(library_type="user", library_id=USER_ID, base_url=url, state_path=state)
    with open_session(config, api_key=KEY, policy=RetryPolicy()) as s:
        while (path := conn.recv()) is not None:
            conn.send(_timed_sync(s, path))


def _timed_sync(s: SyncSession, path: Path) -> tuple[float, dict[str, int], float]:
    """One sync's wall time, counts and CPU time. Its report is freed after the
    clock stops, when this returns: held in the loop, each report was freed while
    the next sync was timed, which a daemon does after each file instead."""
    began, cpu = time.perf_counter(), time.process_time()
    report = s.sync([SyncInput(path)])
    took = time.perf_counter() - began
    return took, report.counts(), time.process_time() - cpu


class HandlerClock:
    """Wraps the sandbox's request handler to add up the time spent in it."""

    def __init__(self, handle: Callable[[Request], Response]) -> None:
        self._handle = handle
        self._lock = threading.Lock()
        self.spent: list[tuple[float, float]] = []  # (finished at, seconds)

    def __call__(self, req: Request) -> Response:
        began = time.perf_counter()
        try:
            return self._handle(req)
        finally:
            now = time.perf_counter()
            with self._lock:
                self.spent.append((now, now - began))

    def since(self, moment: float) -> tuple[int, float]:
        """Requests handled since ``moment`` (perf_counter) and the time they took."""
        with self._lock:
            done = [s for at, s in self.spent if at >= moment]
        return len(done), sum(done)


# -- the request log -----------------------------------------------------------------

KINDS = ("items pages", "versions", "itemKey", "deleted", "POST items", "collections", "other")


def request_kind(r: RequestRecord) -> str:
    path = r.path.rstrip("/")
    if path.endswith("/collections") or "/collections/" in path:
        return "collections"
    if path.endswith("/deleted"):
        return "deleted"
    if path.endswith("/items") and r.method == "POST":
        return "POST items"
    if path.endswith("/items") and r.method == "GET":
        if r.query.get("format") == "versions":
            return "versions"
        if "itemKey" in r.query:
            return "itemKey"
        return "items pages"
    return "other"


def by_kind(log: Sequence[RequestRecord]) -> Counter[str]:
    return Counter(request_kind(r) for r in log)


def ideal_seconds(log: Sequence[RequestRecord], latency: float) -> float:
    """Time the log's requests need at ``latency`` each, nothing else counted: reads
    in a row go ``READ_WIDTH`` at a time, every write waits for the one before."""
    total = 0.0
    reads = 0
    for r in sorted(log, key=lambda r: r.time):
        if r.kind == "read":
            reads += 1
            continue
        total += math.ceil(reads / READ_WIDTH) * latency + latency
        reads = 0
    return total + math.ceil(reads / READ_WIDTH) * latency


@dataclass(frozen=True)
class Bound:
    """The fewest requests a sync can make: its mirror refresh plus full write batches."""

    mirror: int
    creates: int
    updates: int

    @property
    def requests(self) -> int:
        return (
            self.mirror
            + math.ceil(self.creates / OBJECTS_PER_WRITE)
            + math.ceil(self.updates / OBJECTS_PER_WRITE)
        )


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    for row in cells:
        padded = [c.rjust(w) for c, w in zip(row, widths, strict=True)]
        padded[0] = row[0].ljust(widths[0])
        print("  ".join(padded))


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)
