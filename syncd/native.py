"""Which build of the mapping is running: compiled by mypyc (setup.py) or plain Python.

An editable install compiles the modules in place, and Python then imports the
``.so`` next to each ``.py``: an edit to the source has no effect until the
package is built again. :func:`stale_modules` finds that case, so the test suite
and the benchmarks can refuse to measure code other than the one on disk.
"""

from __future__ import annotations

import importlib
import importlib.machinery
from pathlib import Path

# The modules setup.py compiles with mypyc (it reads this list from this file's
# source: keep it a plain literal). The pure core on the read+map path: only modules
# that no test monkeypatches and that use nothing mypyc refuses belong here; the
# reader stays Python because its hot path already runs as C-level map() calls
# (compiling it gained under 10%).
COMPILED_MODULES = (
    "syncd.formats.build",
    "syncd.formats.dates",
    "syncd.formats.markup",
    "syncd.formats.names",
    "syncd.formats.records",
    "syncd.formats.ris.dialects",
    "syncd.formats.ris.mapping",
    "syncd.formats.ris.mapping_cleaners",
    "syncd.formats.ris.mapping_ids",
    "syncd.formats.ris.mapping_tables",
    "syncd.formats.ris.mapping_values",
    "syncd.formats.ris.tagged",
    "syncd.identifiers",
    "syncd.zotero.stored",
)


def _origin(name: str) -> Path:
    return Path(str(importlib.import_module(name).__file__))


def is_compiled(name: str) -> bool:
    """True when module ``name`` was imported from a C extension."""
    return _origin(name).name.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))


def build_kind() -> str:
    """``"compiled (mypyc)"``, ``"pure Python"`` or ``"mixed"`` for the modules above."""
    kinds = {is_compiled(name) for name in COMPILED_MODULES}
    if kinds == {True}:
        return "compiled (mypyc)"
    return "pure Python" if kinds == {False} else "mixed"


def stale_modules() -> list[str]:
    """Compiled modules whose ``.py`` source changed after they were built."""
    stale = []
    for name in COMPILED_MODULES:
        origin = _origin(name)
        if not is_compiled(name):
            continue
        source = origin.parent / (name.rpartition(".")[2] + ".py")
        if source.exists() and source.stat().st_mtime > origin.stat().st_mtime:
            stale.append(name)
    return stale
