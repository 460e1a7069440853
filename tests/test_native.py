"""The compiled-module list (syncd/native.py, read by setup.py) and the build probe."""

from __future__ import annotations

import os
from pathlib import Path

from syncd import native

ROOT = Path(__file__).resolve().parent.parent


def test_every_module_to_compile_has_its_source_where_setup_looks_for_it() -> None:
    # setup.py turns each name into a path; a moved module would make the build
    # fall back to plain Python without a word.
    missing = [
        name
        for name in native.COMPILED_MODULES
        if not (ROOT / (name.replace(".", "/") + ".py")).is_file()
    ]
    assert missing == []


def test_build_kind_matches_where_the_modules_came_from() -> None:
    compiled = [native.is_compiled(name) for name in native.COMPILED_MODULES]
    expected = {True: "compiled (mypyc)", False: "pure Python"}
    assert native.build_kind() == (expected[compiled[0]] if len(set(compiled)) == 1 else "mixed")


def test_a_source_edited_after_the_build_is_reported_stale(tmp_path: Path) -> None:
    name = "syncd.formats.ris.mapping"
    if not native.is_compiled(name):
        assert name not in native.stale_modules()
        return
    source = Path(str(native._origin(name))).parent / "mapping.py"
    before = source.stat()
    try:
        os.utime(source, (before.st_atime, native._origin(name).stat().st_mtime + 10))
        assert name in native.stale_modules()
    finally:
        os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert name not in native.stale_modules()
