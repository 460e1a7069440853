"""Build hook: compile the RIS mapping with mypyc, or install it as plain Python.

Why compile at all: reading and mapping an export must keep up with rispy's
parse-only rate (issue 2), and the mapping is many small string steps per field
that CPython interprets slowly. mypyc turns these already strictly typed modules
into C extensions with no change to their source or behaviour (the whole test
suite runs against the compiled build). It is the tool mypy and black ship
themselves with, so nothing here is hand-written that a library already does.

Compiling needs a C compiler and the Python headers. Without them, or with
``SYNCD_PURE_PYTHON=1`` in the environment, the same modules install as plain
Python: slower, otherwise identical. ``syncd.native.build_kind()`` tells which.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The pure core on the read+map path. Only modules that no test monkeypatches and
# that use nothing mypyc refuses belong here; the reader stays Python because its
# hot path already runs as C-level map() calls (compiling it gained under 10%).
COMPILED = [
    "syncd/ris/records.py",
    "syncd/identifiers.py",
    "syncd/ris/dialects.py",
    "syncd/ris/mapping.py",
    "syncd/ris/mapping_cleaners.py",
    "syncd/ris/mapping_ids.py",
    "syncd/ris/mapping_tables.py",
    "syncd/ris/mapping_values.py",
    "syncd/ris/tagged.py",
    "syncd/zotero/stored.py",
]


class OptionalBuildExt(build_ext):
    """Fall back to the pure-Python modules when the C build fails.

    The compiled modules share one runtime library, so a half-built set would not
    import: on any failure every output already written is removed again.
    """

    failed = False

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # any compiler failure means: go pure
            self.failed = True
            for ext in self.extensions:
                path = self.get_ext_fullpath(ext.name)
                if os.path.exists(path):
                    os.remove(path)
            print(
                f"syncd: compiling the mapping failed ({exc}); installing it as plain "
                "Python, which is slower but behaves the same",
                file=sys.stderr,
            )

    def get_outputs(self) -> list[str]:
        return [] if self.failed else list(super().get_outputs())


def _remove_inplace_builds() -> None:
    """An earlier editable build left .so files beside the sources: they would win."""
    root = Path(__file__).resolve().parent
    for path in COMPILED:
        source = root / path
        for built in source.parent.glob(source.stem + ".*.so"):
            built.unlink()
    for built in root.glob("syncd_native__mypyc.*.so"):
        built.unlink()


def _ext_modules() -> list[Any]:
    if os.environ.get("SYNCD_PURE_PYTHON"):
        _remove_inplace_builds()
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("syncd: mypyc is not available; installing plain Python", file=sys.stderr)
        _remove_inplace_builds()
        return []
    try:
        return list(mypycify(COMPILED, opt_level="3", group_name="syncd_native"))
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error
        print(f"syncd: mypyc refused the modules ({exc}); installing plain Python", file=sys.stderr)
        _remove_inplace_builds()
        return []


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
