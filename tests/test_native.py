"""The compiled-module list and the build probe (syncd/native.py, setup.py)."""

from __future__ import annotations

import ast
import os
from pathlib import Path

from syncd import native

ROOT = Path(__file__).resolve().parent.parent


def _setup_compiled() -> list[str]:
    tree = ast.parse((ROOT / "setup.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "COMPILED":
            return [ast.literal_eval(elt) for elt in node.value.elts]  # type: ignore[attr-defined]
    raise AssertionError("setup.py has no COMPILED list")


def test_setup_compiles_exactly_the_modules_native_knows() -> None:
    paths = _setup_compiled()
    names = [p.removesuffix(".py").replace("/", ".") for p in paths]
    assert sorted(names) == sorted(native.COMPILED_MODULES)


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
