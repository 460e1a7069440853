"""The daemon: from a file renamed into its folder to the item in Zotero, and its idle CPU.

Starts a sandbox (in this process) and ``syncd run`` (a child process) watching one
folder, with the shipped ``[daemon]`` defaults (``settle`` 2 s). After one warm-up
file (the first sync loads the mirror), it drops ``--files`` one-record files, one
at a time: each is written under a temporary name outside the folder, renamed in,
and the clock runs from the rename to the moment the item is in the sandbox's store.
The API time of each file is what the sandbox spent answering that file's requests
(its handler timed here, plus the injected latency per request); the daemon's own
share is the rest. A median well under ``settle`` shows a renamed-in file is taken
on its rename event, not after the settle wait.

Then the daemon sits idle for ``--idle-seconds`` and its CPU time is read from
``/proc/<pid>/stat`` (utime + stime) before and after.

Targets: median daemon share <= 0.5 s; idle CPU <= 1% of one core.

Usage: .venv/bin/python benchmarks/bench_daemon.py [--files 20] [--idle-seconds 60]
"""

from __future__ import annotations

import argparse
import datetime
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common import (
    KEY,
    LIBRARY,
    HandlerClock,
    print_table,
    sandbox,
    scopus_record,
    seed_library,
)
from measured import measured_on

from syncd.sandbox import FaultPlan, Sandbox

ROOT = Path(__file__).resolve().parent.parent
SETTLE = 2.0  # the shipped default, written out so the figure says what it was run with


def write_config(tmp: Path, url: str, inbox: Path) -> Path:
    config = tmp / "config.toml"
    config.write_text(
        f"""
[zotero]
library_type = "user"
library_id = 1
base_url = "{url}"

[state]
path = "{tmp / "state.sqlite"}"

[daemon]
settle = {SETTLE}

[[watch]]
path = "{inbox}"
""",
        encoding="utf-8",
    )
    return config


def item_count(sb: Sandbox) -> int:
    lib = sb.store.require_library(LIBRARY)
    with sb.store.lock:
        return len(lib.items)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str, poll: float) -> None:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if predicate():
            return
        time.sleep(poll)
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")


def cpu_seconds(pid: int) -> float:
    # Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drop(staging: Path, inbox: Path, name: str, text: str) -> float:
    part = staging / f"{name}.part"
    part.write_text(text, encoding="utf-8")
    began = time.perf_counter()
    os.rename(part, inbox / name)
    return began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=20, help="one-record files to time")
    parser.add_argument("--idle-seconds", type=float, default=60.0, help="idle CPU window")
    parser.add_argument("--items", type=int, default=2000, help="items already in the library")
    parser.add_argument("--latency-ms", type=int, default=0, help="added to every response")
    args = parser.parse_args()
    print(measured_on(), flush=True)

    with tempfile.TemporaryDirectory(prefix="syncd-bench-") as tmp_name, sandbox() as sb:
        tmp = Path(tmp_name)
        inbox, staging = tmp / "inbox", tmp / "staging"
        inbox.mkdir()
        staging.mkdir()
        seed_library(sb, args.items)
        clock = HandlerClock(sb.api.handle)
        sb.api.handle = clock  # type: ignore[method-assign]
        sb.faults = FaultPlan(latency_ms=args.latency_ms)
        config = write_config(tmp, sb.url, inbox)
        log_path = tmp / "daemon.log"
        env = {**os.environ, "ZOTERO_API_KEY": KEY}
        env.pop("NOTIFY_SOCKET", None)
        with log_path.open("wb") as log_file:
            daemon = subprocess.Popen(
                [sys.executable, "-m", "syncd", "--config", str(config), "run"],
                env=env,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
            try:
                run(args, sb, clock, daemon, inbox, staging, log_path)
            except TimeoutError as exc:
                tail = log_path.read_text(errors="replace").splitlines()[-30:]
                raise SystemExit(f"{exc}; the daemon's log ends:\n" + "\n".join(tail)) from None
            finally:
                stop(daemon)


def run(
    args: Any,
    sb: Sandbox,
    clock: HandlerClock,
    daemon: subprocess.Popen[bytes],
    inbox: Path,
    staging: Path,
    log_path: Path,
) -> None:
    def started() -> bool:
        if daemon.poll() is not None:
            raise SystemExit(f"the daemon exited early:\n{log_path.read_text()}")
        return b"watching" in log_path.read_bytes()

    wait_until(started, 60, "the daemon to start watching", 0.05)
    before = item_count(sb)
    drop(staging, inbox, "warm-up.ris", scopus_record(0, prefix="warm"))
    wait_until(lambda: item_count(sb) > before, 120, "the warm-up file's item", 0.01)
    time.sleep(1.0)  # let the warm-up run finish its bookkeeping

    totals: list[float] = []
    api: list[float] = []
    requests: list[int] = []
    for i in range(args.files):
        target = item_count(sb) + 1
        began = drop(staging, inbox, f"alert-{i:02}.ris", scopus_record(i, prefix="d"))
        wait_until(lambda: item_count(sb) >= target, 60, f"the item of file {i}", 0.002)  # noqa: B023
        took = time.perf_counter() - began
        n, handled = clock.since(began)
        totals.append(took)
        api.append(handled + n * args.latency_ms / 1000)
        requests.append(n)
        # The next file goes in once this one's run is over, as "one at a time" means.
        time.sleep(0.5)
    own = [t - a for t, a in zip(totals, api, strict=True)]

    idle_from = cpu_seconds(daemon.pid)
    time.sleep(args.idle_seconds)
    idle_cpu = cpu_seconds(daemon.pid) - idle_from
    idle_share = 100 * idle_cpu / args.idle_seconds

    print(f"\ndaemon, {args.files} one-record files, settle {SETTLE} s, {datetime.date.today()}")
    print_table(
        ["figure", "median", "min", "max", "target", "met"],
        [
            _row("file renamed in -> item in Zotero, s", totals, None),
            _row("  of which API time, s", api, None),
            _row("  daemon's own share, s", own, 0.5),
            [
                "requests per file",
                statistics.median(requests),
                min(requests),
                max(requests),
                "",
                "",
            ],
            [
                f"idle CPU over {args.idle_seconds:.0f} s, % of one core",
                f"{idle_share:.2f}",
                "",
                "",
                "<= 1",
                "yes" if idle_share <= 1.0 else "NO",
            ],
        ],
    )
    taken_at_once = statistics.median(totals) < SETTLE
    print(
        f"renamed-in files taken on the rename event (median below settle {SETTLE} s): "
        + ("yes" if taken_at_once else "NO")
    )


def _row(name: str, values: list[float], target: float | None) -> list[object]:
    median = statistics.median(values)
    met = "" if target is None else ("yes" if median <= target else "NO")
    return [
        name,
        f"{median:.3f}",
        f"{min(values):.3f}",
        f"{max(values):.3f}",
        "" if target is None else f"<= {target}",
        met,
    ]


def stop(daemon: subprocess.Popen[bytes]) -> None:
    if daemon.poll() is None:
        daemon.send_signal(signal.SIGTERM)
        try:
            daemon.wait(30)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(10)


if __name__ == "__main__":
    main()
