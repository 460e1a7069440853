"""Load: 50 files dropped at once, 20,000 records, into `syncd run`; the daemon's memory.

Prints the time to sync everything and the daemon's peak resident memory (VmHWM),
and compares it with a run of a tenth of the size in the same invocation: memory
must stay bounded (it grows with the library mirror, not with the files queued).

    .venv/bin/python benchmarks/load.py            # 50 files x 400 records
    .venv/bin/python benchmarks/load.py --files 10 --per-file 100
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path

from chaos import KEY, _config, _reports, _start
from measured import measured_on

from syncd.sandbox import Sandbox


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(files: int, per_file: int) -> tuple[float, float, int]:
    work = Path(tempfile.mkdtemp(prefix="syncd-load-"))
    inbox = work / "inbox"
    inbox.mkdir()
    sandbox = Sandbox()
    sandbox.start()
    try:
        sandbox.add_user_library(1)
        sandbox.add_key(KEY, user_id=1, user_write=True)
        cfg = _config(work, sandbox.url, inbox)
        proc = _start(cfg, work / "daemon.log")
        time.sleep(1.0)
        started = time.monotonic()
        for f in range(files):
            lines = []
            for i in range(per_file):
                n = f * per_file + i
                lines.append(
                    f"TY  - JOUR\nTI  - Load work {n}\nAU  - Author{n % 311}, B.\nPY  - 2023\n"
                    f"JO  - Journal of Load\nSP  - {n}-{n + 7}\nDO  - 10.7777/load.{n}\n"
                    "AB  - " + "An abstract of moderate length. " * 20 + "\nER  - "
                )
            (inbox / f"load{f:02}.ris").write_text("\n".join(lines) + "\n", encoding="utf-8")
        while _reports(inbox) < files:
            if proc.poll() is not None:
                raise SystemExit(f"the daemon exited: see {work / 'daemon.log'}")
            time.sleep(0.2)
        seconds = time.monotonic() - started
        rss = peak_rss_mib(proc.pid)
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
        items = sum(1 for i in sandbox.all_items("users/1") if i.get("itemType") != "note")
        return seconds, rss, items
    finally:
        sandbox.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--per-file", type=int, default=400)
    args = parser.parse_args()
    print(measured_on(), flush=True)
    small = run(max(1, args.files // 10), args.per_file)
    big = run(args.files, args.per_file)
    print("| run | records | items | seconds | records/s | daemon peak RSS (MiB) |")
    print("|---|---|---|---|---|---|")
    for name, (files, (seconds, rss, items)) in (
        ("small", (max(1, args.files // 10), small)),
        ("full", (args.files, big)),
    ):
        records = files * args.per_file
        print(
            f"| {name} | {records} | {items} | {seconds:.1f} "
            f"| {records / seconds:.0f} | {rss:.0f} |"
        )
    print(f"peak memory ratio full/small: {big[1] / small[1]:.2f}")
    return 0 if big[2] == args.files * args.per_file else 1


if __name__ == "__main__":
    sys.exit(main())
