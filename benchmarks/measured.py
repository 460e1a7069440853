"""The line every benchmark prints first: which code it measured, and how it was built.

A figure in RESULTS.md or the README is only worth its commit: the code moves on
(new readers, a redesigned merge) and an old figure must not pass for a new one.
"""

from __future__ import annotations

import datetime
import os
import platform
import subprocess
from pathlib import Path

import syncd
from syncd.native import build_kind

# The tree the syncd being measured was imported from (a benchmark run with another
# checkout's interpreter, to compare two commits, names that checkout's commit).
ROOT = Path(syncd.__file__).resolve().parent.parent


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    except OSError:
        return ""
    return done.stdout.strip()


def measured_on() -> str:
    """Date, commit (and whether syncd/ had uncommitted changes), build, Python, CPUs."""
    commit = _git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", "syncd", "setup.py")
    where = f"commit {commit}" + (" + uncommitted changes to syncd/" if dirty else "")
    return (
        f"measured {datetime.date.today()} at {where}, {build_kind()} build, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
    )
