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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from setuptools import setup
from setuptools.command.build_ext import build_ext

# The pure core on the read+map path. Only modules that no test monkeypatches and
# that use nothing mypyc refuses belong here; the reader stays Python because its
# hot path already runs as C-level map() calls (compiling it gained under 10%).
COMPILED = [
    "syncd/formats/records.py",
    "syncd/formats/build.py",
    "syncd/formats/dates.py",
    "syncd/formats/markup.py",
    "syncd/formats/names.py",
    "syncd/identifiers.py",
    "syncd/formats/ris/dialects.py",
    "syncd/formats/ris/mapping.py",
    "syncd/formats/ris/mapping_cleaners.py",
    "syncd/formats/ris/mapping_ids.py",
    "syncd/formats/ris/mapping_tables.py",
    "syncd/formats/ris/mapping_values.py",
    "syncd/formats/ris/tagged.py",
    "syncd/zotero/stored.py",
]


def _say(message: str) -> None:
    """A progress line the person installing sees.

    pip runs this build in a subprocess and keeps its output to itself unless
    asked for ``-v``, so a minute of compiling looked like a hang. The line goes to
    the terminal pip was started from when there is one, else to stderr (shown by
    ``pip -v`` and in build logs).
    """
    line = f"syncd: {message}\n"
    try:
        with open("/dev/tty", "w") as tty:
            tty.write(line)
            return
    except OSError:
        pass
    sys.stderr.write(line)
    sys.stderr.flush()


def _jobs() -> int:
    """Compiler processes at once: ``SYNCD_BUILD_JOBS``, else one per CPU."""
    wanted = os.environ.get("SYNCD_BUILD_JOBS", "")
    return max(1, int(wanted)) if wanted.isdigit() else max(1, os.cpu_count() or 1)


class OptionalBuildExt(build_ext):
    """Fall back to the pure-Python modules when the C build fails.

    The compiled modules share one runtime library, so a half-built set would not
    import: on any failure every output already written is removed again.
    """

    failed = False

    def build_extension(self, ext: Any) -> None:
        """Compile the C files of one extension in parallel, saying which is done.

        setuptools compiles an extension's sources one after another (its ``-j``
        runs whole extensions in parallel, and nearly all the C is in one: the
        shared library of the group). mypyc writes one C file per module
        (``multi_file``), so these compile side by side; linking stays one step.
        """
        compiler = self.compiler
        serial = compiler.compile
        sources = list(ext.sources)
        done: list[str] = []
        lock = threading.Lock()

        def one(source: str, **kwargs: Any) -> list[str]:
            began = time.monotonic()
            objects: list[str] = serial([source], **kwargs)
            with lock:
                done.append(source)
                count = len(done)
            took = time.monotonic() - began
            _say(f"compiled {Path(source).name} ({count}/{len(sources)}, {took:.0f} s)")
            return objects

        def parallel(files: list[str], **kwargs: Any) -> list[str]:
            if len(files) < 2:
                return list(serial(files, **kwargs))
            with ThreadPoolExecutor(max_workers=_jobs()) as pool:
                parts = list(pool.map(lambda f: one(f, **kwargs), files))
            return [obj for part in parts for obj in part]

        if len(sources) > 1:
            _say(f"compiling {len(sources)} C files of {ext.name}, {_jobs()} at a time")
        compiler.compile = parallel
        try:
            super().build_extension(ext)
        finally:
            compiler.compile = serial

    def run(self) -> None:
        began = time.monotonic()
        try:
            super().run()
            if self.extensions:
                _say(f"C extensions built in {time.monotonic() - began:.0f} s")
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


# pip runs this file three times (build requirements, metadata, the build itself);
# only the last needs the C modules, and mypyc translating them for the first two
# was time spent twice for nothing.
_METADATA_COMMANDS = frozenset({"egg_info", "dist_info", "sdist"})


def _metadata_only() -> bool:
    """True when setup.py was asked for metadata only (no command that builds)."""
    words = {arg for arg in sys.argv[1:] if not arg.startswith("-")}
    builds = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}
    return bool(words & _METADATA_COMMANDS) and not words & builds


def _ext_modules() -> list[Any]:
    if _metadata_only():
        return []
    if os.environ.get("SYNCD_PURE_PYTHON"):
        _remove_inplace_builds()
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("syncd: mypyc is not available; installing plain Python", file=sys.stderr)
        _remove_inplace_builds()
        return []
    _say(
        f"translating {len(COMPILED)} modules to C with mypyc, then compiling them "
        "(a minute or two; SYNCD_PURE_PYTHON=1 installs plain Python instead)"
    )
    began = time.monotonic()
    try:
        # multi_file: one C file per module, so build_extension can compile them
        # in parallel (one large file would keep a single core busy).
        modules = list(
            mypycify(COMPILED, opt_level="3", group_name="syncd_native", multi_file=True)
        )
        _say(f"mypyc translated the modules in {time.monotonic() - began:.0f} s")
        return modules
    except (Exception, SystemExit) as exc:  # mypyc exits on a type error
        print(f"syncd: mypyc refused the modules ({exc}); installing plain Python", file=sys.stderr)
        _remove_inplace_builds()
        return []


setup(ext_modules=_ext_modules(), cmdclass={"build_ext": OptionalBuildExt})
