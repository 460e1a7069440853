"""A malformed corpus for each tagged format, read through ``convert_file`` as the
daemon reads it: every file has a clear outcome (records read, with problems that
name the line, or one InputError for the file), and good records beside bad ones
are still read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from syncd.convert import convert_file
from syncd.errors import InputError
from syncd.formats import Format
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import bundled_schema


def medline(n: int, extra: str = "") -> str:
    return (
        f"PMID- 3100000{n}\nOWN - NLM\nTI  - Good MEDLINE record {n} with a title that\n"
        f"      goes on.\nFAU - Doe, Jane\nAU  - Doe J\nDP  - 2020 Jan\n{extra}\n"
    )


def wos(n: int, end: str = "ER\n\n") -> str:
    return (
        f"PT J\nAU Doe, J\nAF Doe, Jane\nTI Good WoS record {n} with a title that\n"
        f"   goes on\nPY 2020\nUT WOS:00000000000000{n}\n{end}"
    )


def refworks(n: int) -> str:
    return f"RT Journal Article\nA1 Doe,Jane\nT1 Good RefWorks record {n}\nYR 2020\n\n"


WOS_HEAD = "FN Clarivate Analytics Web of Science\nVR 1.0\n"


@dataclass(frozen=True)
class Case:
    data: bytes
    titles: tuple[str, ...] = ()  # the records that must be read, by title prefix
    says: str = ""  # a problem (or the error) must say this
    error: bool = False  # the file as a whole is refused (InputError)
    fmt: Format | None = None  # named instead of detected


CORPUS: dict[str, Case] = {
    # -- MEDLINE ---------------------------------------------------------------------
    "medline-truncated": Case(
        (medline(1) + medline(2))[:-40].encode(),
        ("Good MEDLINE record 1", "Good MEDLINE record 2"),
    ),
    "medline-cp1252": Case(
        medline(1).replace("Doe, Jane", "Dö, Jané").encode("cp1252"),
        ("Good MEDLINE record 1",),
        "read as Windows-1252",
    ),
    "medline-with-wos-inside": Case(
        (medline(1) + "\n" + wos(2) + "\n" + medline(3)).encode(),
        ("Good MEDLINE record 1", "Good MEDLINE record 3"),
        "skipped text that is not MEDLINE",
    ),
    "medline-record-without-title": Case(
        (medline(1) + "OWN - NLM\nSTAT- MEDLINE\n\n" + medline(3)).encode(),
        ("Good MEDLINE record 1", "Good MEDLINE record 3"),
        "hold no title or identifier",
    ),
    "medline-nul-and-controls": Case(
        medline(1).replace("Good", "Go\x00o\x07d").encode(),
        ("Good MEDLINE record 1",),
        "control character",
    ),
    "medline-empty-named": Case(b"", error=True, says="no MEDLINE records", fmt=Format.MEDLINE),
    # -- Web of Science --------------------------------------------------------------
    "wos-truncated": Case(
        (WOS_HEAD + wos(1) + wos(2))[:-30].encode(),
        ("Good WoS record 1", "Good WoS record 2"),
        "has no ER line",
    ),
    "wos-missing-er": Case(
        (WOS_HEAD + wos(1, end="") + wos(2) + "EF\n").encode(),
        ("Good WoS record 1", "Good WoS record 2"),
        "has no ER line",
    ),
    "wos-cp1252": Case(
        (WOS_HEAD + wos(1).replace("Doe, Jane", "Dö, Jané")).encode("cp1252"),
        ("Good WoS record 1",),
        "read as Windows-1252",
    ),
    "wos-with-medline-inside": Case(
        (WOS_HEAD + wos(1) + medline(2) + wos(3) + "EF\n").encode(),
        ("Good WoS record 1", "Good WoS record 3"),
        "skipped text that is not Web of Science",
    ),
    "wos-utf16": Case((WOS_HEAD + wos(1) + "EF\n").encode("utf-16"), ("Good WoS record 1",)),
    "wos-header-only-named": Case(
        WOS_HEAD.encode(), error=True, says="no Web of Science records", fmt=Format.WOS
    ),
    # -- RefWorks --------------------------------------------------------------------
    "refworks-truncated": Case(
        (refworks(1) + refworks(2))[:-12].encode(), ("Good RefWorks record 1", "Good RefWorks")
    ),
    "refworks-cp1252": Case(
        refworks(1).replace("Doe,Jane", "Dö,Jané").encode("cp1252"),
        ("Good RefWorks record 1",),
        "read as Windows-1252",
    ),
    "refworks-preamble-and-junk-between": Case(
        (
            "Refworks Export Tagged Format\n\nRT=Reference Type\n"
            + refworks(1)
            + "%%% not a tag %%%\n"
            + refworks(2)
        ).encode(),
        ("Good RefWorks record 1", "Good RefWorks record 2"),
    ),
    "refworks-legend-only-named": Case(
        b"Refworks Export Tagged Format\nRT=Reference Type\n",
        error=True,
        says="no RefWorks records",
        fmt=Format.REFWORKS,
    ),
    # -- no format at all --------------------------------------------------------------
    "binary": Case(b"\x89PNG\r\n\x1a\n" + bytes(range(256)), error=True, says="binary data"),
}


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_each_malformed_file_has_a_clear_outcome(tmp_path: Path, name: str) -> None:
    case = CORPUS[name]
    path = tmp_path / name
    path.write_bytes(case.data)
    records: list[ConvertedRecord] = []
    problems: list[ReadProblem] = []
    try:
        for entry in convert_file(path, bundled_schema(), case.fmt):
            (records if isinstance(entry, ConvertedRecord) else problems).append(entry)  # type: ignore[arg-type]
    except InputError as exc:
        assert case.error, f"{name}: refused: {exc}"
        assert case.says in str(exc)
        return
    assert not case.error, f"{name}: read, but should have been refused"
    titles = [r.item.get("title", "") for r in records]
    assert len(titles) == len(case.titles), titles
    for title, prefix in zip(titles, case.titles, strict=True):
        assert title.startswith(prefix), (title, prefix)
    if case.says:
        assert any(case.says in p.message for p in problems), [str(p) for p in problems]
    for problem in problems:
        assert problem.file == str(path)
        assert problem.line is not None or problem.severity == "info"


def test_a_record_over_the_size_limit_is_skipped_and_the_next_one_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("syncd.formats.tagged.MAX_RECORD_CHARS", 2000)
    huge = medline(1, "AB  - start\n" + "      more text of the abstract\n" * 200)
    path = tmp_path / "huge.nbib"
    path.write_text(huge + medline(2), encoding="utf-8")
    entries = list(convert_file(path, bundled_schema()))
    records = [e for e in entries if isinstance(e, ConvertedRecord)]
    assert [r.item["title"][:21] for r in records] == ["Good MEDLINE record 2"]
    (error,) = [e for e in entries if isinstance(e, ReadProblem) and e.severity == "error"]
    assert error.line == 1 and "larger than" in error.message
