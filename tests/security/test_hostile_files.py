"""Hostile and malformed files dropped into a watched folder.

Each file ends with a clear outcome (synced with its good records, set aside in
failed/ with a reason, or left alone), the daemon never stops, and good records
beside bad ones are still synced. The reader's own malformed corpus is in
tests/formats/ris/; this is what the daemon makes of such files.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from daemon_helpers import DaemonProcess, wait_for, write_config

GOOD = (
    "TY  - JOUR\nTI  - Good record {n}\nAU  - Doe, Jane\nPY  - 2020\nDO  - 10.4242/good{n}\n"
    "ER  - \n"
)


def good(n: int) -> str:
    return GOOD.format(n=n)


# name -> (content or a writer, expected outcome, what the outcome must say, good DOIs synced)
# A writer's result is ignored (Path.write_bytes returns the count it wrote).
Writer = Callable[[Path], object]
CASES: dict[str, tuple[bytes | Writer, str, str, set[str]]] = {}


def case(
    name: str, content: bytes | Writer, outcome: str, says: str = "", dois: set[str] | None = None
) -> None:
    CASES[name] = (content, outcome, says, dois or set())


n = iter(range(1000))
case("png.ris", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "failed", "binary")
case("empty.ris", b"", "failed", "empty")
case("blank.ris", b"\n\n   \n\t\n", "failed", "")
case("refs.ris", b"%0 Journal Article\n%T A\n%D 2020\n", "failed", "EndNote/Refer")
case("refs.bib", b"@article{key,\n  title = {A},\n  year = 2020\n}\n", "processed")
case("pubmed.nbib", b"PMID- 12345678\nOWN - NLM\nTI  - A title\n", "processed")
i = next(n)
case(
    "savedrecs.txt",
    f"FN Clarivate Analytics Web of Science\nVR 1.0\nPT J\nTI Good record {i}\nDI 10.4242/good{i}"
    "\nER\n\nPT J\nTI A record cut off\n".encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
case("words.txt", b"Dear colleague,\nplease find attached the references.\n", "failed", "")
case("only-er.ris", b"ER  - \nER  - \n", "failed", "")
i = next(n)
case(
    "no-er-at-end.ris",
    good(i).replace("ER  - \n", "").encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i, j = next(n), next(n)
case(
    "nested-ty.ris",
    (good(i).replace("ER  - \n", "") + good(j)).encode(),
    "processed",
    "",
    {f"10.4242/good{i}", f"10.4242/good{j}"},
)
i, j = next(n), next(n)
case(
    "garbage-between.ris",
    (good(i) + "%%% garbage %%%\n\x01\x02 nonsense\n" + good(j)).encode(),
    "processed",
    "",
    {f"10.4242/good{i}", f"10.4242/good{j}"},
)
i = next(n)
case(
    "nul-bytes.ris",
    good(i).replace("Good", "Go\x00od").encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i = next(n)
case(
    "bad-utf8.ris",
    good(i).encode().replace(b"Good", b"G\xe9\xff\xfeod"),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i = next(n)
case(
    "controls.ris",
    good(i).replace("Good", "G\x07\x1b[31mood").encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i = next(n)
case("utf16.ris", good(i).encode("utf-16"), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("crlf.ris", good(i).replace("\n", "\r\n").encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("cr-only.ris", good(i).replace("\n", "\r").encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case(
    "lowercase-tags.ris", ("ty  - JOUR\n" + good(i)).encode(), "processed", "", {f"10.4242/good{i}"}
)
i = next(n)
case(
    "many-authors.ris",
    good(i)
    .replace("AU  - Doe, Jane\n", "".join(f"AU  - Author{k}, A.\n" for k in range(3000)))
    .encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i, j = next(n), next(n)
case(
    "huge-field.ris",
    (good(i).replace("PY  - 2020", "AB  - " + "x" * 70_000 + "\nPY  - 2020") + good(j)).encode(),
    "processed",
    "",
    {f"10.4242/good{i}", f"10.4242/good{j}"},
)
i = next(n)
case(
    "long-title-line.ris",
    good(i).replace("Good record", "Good " + "word " * 3000 + "record").encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i = next(n)
case("name with spaces.ris", good(i).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("$(touch pwned);x.ris", good(i).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("new\nline.ris", good(i).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("ünïcödé-名前.ris", good(i).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("`backticks` & 'quotes'.ris", good(i).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case(
    "no-ty.ris", good(i).replace("TY  - JOUR\n", "").encode(), "processed", "", {f"10.4242/good{i}"}
)
i = next(n)
case(
    "header-before.ris",
    ("Provider: Example\nDatabase: Example\nContent: text/plain\n\n" + good(i)).encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i = next(n)
case("bom.ris", ("\ufeff" + good(i)).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case(
    "one-space.ris", good(i).replace("  - ", " - ").encode(), "processed", "", {f"10.4242/good{i}"}
)
i = next(n)
case("trailing-junk.ris", (good(i) + "\x00" * 100).encode(), "processed", "", {f"10.4242/good{i}"})
case(
    "too-big.ris",
    lambda p: p.write_bytes((good(999) * 40_000).encode()),
    "failed",
    "over the limit",
)
case("truncated.ris", good(next(n)).encode()[:25], "processed", "", set())
case("html.ris", b"<!DOCTYPE html><html><body>Sign in to continue</body></html>", "failed", "")
case("json.ris", b'{"items": [{"title": "x"}]}', "failed", "")
case("zip.ris", b"PK\x03\x04" + bytes(200), "failed", "binary")
case("gzip.ris", b"\x1f\x8b\x08\x00" + bytes(200), "failed", "binary")
case("pdf.ris", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "failed", "")
case("xml.ris", b"<?xml version='1.0'?><records><record/></records>", "failed", "")
i = next(n)
case(
    "tabs.ris",
    good(i).replace("TI  - ", "TI  - \t").encode(),
    "processed",
    "",
    {f"10.4242/good{i}"},
)
i = next(n)
case("ris.TXT", good(i).encode(), "processed", "", {f"10.4242/good{i}"})
i = next(n)
case("no-extension", good(i).encode(), "processed", "", {f"10.4242/good{i}"})


def test_hostile_files_each_get_a_clear_outcome(sandbox: Any, tmp_path: Path) -> None:
    assert len(CASES) >= 40
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # Files left without their last ER wait this long, then are taken with a warning.
    cfg = write_config(tmp_path, sandbox, inbox, incomplete=4)
    cfg.write_text(cfg.read_text().replace("retry = 0.2", "retry = 0.2\nmax_file_mb = 1"))
    outside = tmp_path / "outside.ris"
    outside.write_text(good(900), encoding="utf-8")
    daemon = DaemonProcess(cfg, tmp_path)
    try:
        daemon.wait_ready()
        # Not taken: a symlink out of the folder, a folder named like a file, temp names.
        (inbox / "link-out.ris").symlink_to(outside)
        (inbox / "folder.ris").mkdir()
        (inbox / "partial.ris.part").write_text(good(901), encoding="utf-8")
        for name, (content, _, _, _) in CASES.items():
            path = inbox / name
            if callable(content):
                content(path)
            else:
                path.write_bytes(content)
        # A file that disappears before it is taken.
        gone = inbox / "vanishing.ris"
        gone.write_text(good(902), encoding="utf-8")
        gone.unlink()

        def settled() -> bool:
            return all(
                (inbox / "processed" / f"{name}.report.json").exists()
                or (inbox / "failed" / f"{name}.error.txt").exists()
                for name in CASES
            )

        wait_for(settled, 180, "every hostile file handled")
        assert daemon.proc.poll() is None, "the daemon stopped"
    finally:
        assert daemon.stop() == 0
    wrong = []
    for name, (_, outcome, says, _) in CASES.items():
        if outcome == "failed":
            error = inbox / "failed" / f"{name}.error.txt"
            if not error.exists():
                wrong.append(f"{name}: expected failed/")
            elif says and says not in error.read_text():
                wrong.append(f"{name}: error file does not say {says!r}: {error.read_text()!r}")
            elif "What to do" not in error.read_text():
                wrong.append(f"{name}: error file gives no advice")
        elif not (inbox / "processed" / f"{name}.report.json").exists():
            wrong.append(f"{name}: expected processed/")
    assert not wrong, "\n".join(wrong)
    dois = {str(i.get("DOI")) for i in sandbox.all_items("users/1") if i.get("itemType") != "note"}
    for name, (_, _, _, expected) in CASES.items():
        assert expected <= dois, f"{name}: good records missing: {expected - dois}"
    for left in ("link-out.ris", "folder.ris", "partial.ris.part"):
        assert (inbox / left).exists() or (inbox / left).is_symlink(), f"{left} was taken"
    assert "10.4242/good900" not in dois and "10.4242/good901" not in dois
    assert outside.read_text() == good(900)
    huge = (inbox / "processed" / "huge-field.ris.report.txt").read_text()
    # A value past the API's limit no longer costs the record: it is cut, with a warning.
    assert "abstractNote cut to the API's limit" in huge
    assert os.listdir(inbox / "processed")
