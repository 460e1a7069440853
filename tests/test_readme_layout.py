"""README's layout table matches the tree: every module of syncd has its row, every
module of a package is named in its package's row, and every path named exists."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "syncd"
# The sandbox is the test double of Zotero's servers: its row says what it is, not
# every module it is made of.
SUMMARISED = {"sandbox"}


def _rows() -> list[tuple[list[str], str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Layout\n", 1)[1].split("\n## ", 1)[0]
    rows = []
    for line in section.splitlines():
        cells = line.split(" | ")
        if line.startswith("| `") and len(cells) >= 2:
            rows.append((re.findall(r"`([^`]+)`", cells[0]), " | ".join(cells[1:])))
    return rows


def _named(text: str) -> list[str]:
    return re.findall(r"`([^`/ ]+\.py)`", text)


def test_every_module_and_package_of_syncd_has_a_row() -> None:
    paths = {p for names, _ in _rows() for p in names}
    missing = [
        f"syncd/{p.name}" + ("/" if p.is_dir() else "")
        for p in sorted(PACKAGE.iterdir())
        if (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
        or (p.is_dir() and (p / "__init__.py").exists())
    ]
    assert [m for m in missing if m not in paths] == []


def test_every_module_of_a_package_is_named_in_its_row() -> None:
    unnamed = []
    for names, text in _rows():
        for name in names:
            folder = ROOT / name
            if not name.startswith("syncd/") or not name.endswith("/") or folder.name in SUMMARISED:
                continue
            listed = _named(text)
            for module in sorted(folder.glob("*.py")):
                if module.name == "__init__.py":
                    continue
                if not any(fnmatch(module.name, pattern) for pattern in listed):
                    unnamed.append(f"{name}{module.name}")
    assert unnamed == []


def test_every_path_the_table_names_exists() -> None:
    gone = [p for names, _ in _rows() for p in names if not (ROOT / p).exists()]
    assert gone == []
