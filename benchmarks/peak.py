"""A child process's wall time and its own peak resident memory.

Each child prints its high-water mark (VmHWM) as it exits. The kernel's ru_maxrss of
a child is no use: Linux starts it at the parent's size when it forks and keeps it
through exec, so no child could show less than the benchmark driver (45 MiB, having
imported syncd). The wrapper runs ``-m module args`` or ``-c code args`` as Python
would; its own cost is one ``runpy`` call, the same for every case.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

_PEAK_WRAPPER = r"""
import atexit, runpy, sys
def _peak():
    with open("/proc/self/status") as status:
        kib = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    sys.stderr.write(f"\npeak-kib {kib}\n")
atexit.register(_peak)
mode, target, *rest = sys.argv[1:]
if mode == "-m":
    sys.argv = [target, *rest]
    runpy.run_module(target, run_name="__main__", alter_sys=True)
else:
    sys.argv = ["-c", *rest]
    exec(compile(target, "<reference>", "exec"), {"__name__": "__main__"})
"""


def run_measured(
    argv: list[str], out: Path | None = None, cwd: Path | None = None
) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of ``python -m ...`` or ``python -c ...``
    (``argv[0]`` the interpreter), its stdout to ``out`` (else discarded). Exit
    status 1 ("some records failed") is accepted; a crash is not."""
    measured = [argv[0], "-c", _PEAK_WRAPPER, *argv[1:]]
    with open(out or os.devnull, "wb") as sink:
        t0 = time.perf_counter()
        proc = subprocess.Popen(measured, stdout=sink, stderr=subprocess.PIPE, cwd=cwd)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, _ = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1) or b"Traceback" in err:
        raise SystemExit(f"{argv[:4]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    peaks = [line for line in err.splitlines() if line.startswith(b"peak-kib ")]
    return elapsed, int(peaks[-1].split()[1]) / 1024
