"""Exports naming files and links, and what the sandbox then holds (issue 20 tests)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from sync_helpers import LIBRARY


def pdf(path: Path, tag: str) -> bytes:
    data = b"%PDF-1.5\n" + tag.encode() + os.urandom(3000) + b"\n%%EOF\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return data


def record(doi: str, *links: str) -> str:
    lines = ["TY  - JOUR", f"TI  - Paper {doi}", "AU  - Doe, Jane", "PY  - 2022", f"DO  - {doi}"]
    lines += links
    return "\n".join([*lines, "ER  - ", ""])


def children(sandbox: Any, parent: str, library: str = LIBRARY) -> list[dict[str, Any]]:
    return [
        i
        for i in sandbox.all_items(library)
        if i.get("itemType") == "attachment" and i.get("parentItem") == parent
    ]


def three_pdfs_and_a_link(folder: Path) -> tuple[Path, dict[str, bytes]]:
    files = {
        "a.pdf": pdf(folder / "a.pdf", "a"),
        "b.pdf": pdf(folder / "papers" / "b.pdf", "b"),
        "c.pdf": pdf(folder / "c.pdf", "c"),
    }
    export = folder / "export.ris"
    export.write_text(
        record(
            "10.5555/att",
            "L1  - a.pdf",
            "L1  - papers/b.pdf",
            f"L1  - {folder / 'c.pdf'}",
            "L2  - https://example.org/paper/full.html",
        ),
        encoding="utf-8",
    )
    return export, files


def regular(sandbox: Any) -> list[dict[str, Any]]:
    return [
        i for i in sandbox.all_items(LIBRARY) if i.get("itemType") not in ("note", "attachment")
    ]
