"""Scoring converted records against Zotero's own translator test cases.

The rules of tests/ris/test_conformance.py, for every format: one point per
expected top-level field, creator, tag, note and attachment (an expected Extra
one point per line) reproduced exactly, comparing strings without regard to
whitespace, tags sorted, ``accessDate``/``seeAlso``/``itemType`` aside (the type
scores one point of its own). Whatever we output that Zotero does not must be
explained by a DELIBERATE row ``(case, item or None, field, reason)``, and every
row must still be needed. An expected attachment without a path is a link whose
URL Zotero's harness removes: it is compared by title.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncd.convert import convert_file
from syncd.formats import Format
from syncd.ris.mapping import ConvertedRecord
from syncd.schema import bundled_schema

FIXTURES = Path(__file__).parent / "fixtures" / "translators"
THRESHOLD = 0.97
Row = tuple[int, int | None, str, str]
_SCORED_LISTS = ("creators", "tags", "notes", "attachments")
_IGNORED = frozenset({"seeAlso", "accessDate", "itemType"})


def cases(name: str) -> list[dict[str, Any]]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return list(data["cases"])


def convert_text(text: str, fmt: Format | None, suffix: str) -> list[ConvertedRecord]:
    """The records syncd converts ``text`` into, read as a file (detected unless ``fmt``)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"case{suffix}"
        path.write_text(text, encoding="utf-8")
        return [
            e for e in convert_file(path, bundled_schema(), fmt) if isinstance(e, ConvertedRecord)
        ]


def _ws(value: Any) -> str:
    return " ".join(str(value).split())


def _creator(c: dict[str, Any]) -> tuple[str, str, str]:
    if "name" in c:
        return (c["creatorType"], _ws(c["name"]), "")
    if c.get("fieldMode") == 1:
        return (c["creatorType"], _ws(c.get("lastName", "")), "")
    return (c["creatorType"], _ws(c.get("lastName", "")), _ws(c.get("firstName", "")))


def _tag(t: Any) -> str:
    return _ws(t["tag"] if isinstance(t, dict) else t)


def _attachment(a: dict[str, Any], by_title: bool) -> tuple[tuple[str, str], ...]:
    if by_title:
        return (("title", _ws(a.get("title", ""))),)
    return tuple(sorted((k, _ws(v)) for k, v in a.items() if v is not None and k != "snapshot"))


@dataclass
class Score:
    deliberate: list[Row]
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    used_rows: set[int] = field(default_factory=set)

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def row(self, case: int, item: int, name: str) -> int | None:
        for k, (c, i, f, _) in enumerate(self.deliberate):
            if c == case and (i is None or i == item) and f == name:
                return k
        return None

    def unused_rows(self) -> list[Row]:
        return [r for k, r in enumerate(self.deliberate) if k not in self.used_rows]

    def summary(self) -> str:
        return f"conformance: {self.hits}/{self.total} = {self.share:.2%} of expected values"


def _lists(exp: dict[str, Any], conv: ConvertedRecord) -> tuple[dict[str, list[Any]], ...]:
    by_title = all("path" not in a for a in exp.get("attachments", []))
    want = {
        "creators": [_creator(c) for c in exp.get("creators", [])],
        "tags": sorted(_tag(t) for t in exp.get("tags", [])),
        "notes": [_ws(n["note"] if isinstance(n, dict) else n) for n in exp.get("notes", [])],
        "attachments": [_attachment(a, by_title) for a in exp.get("attachments", [])],
    }
    got = {
        "creators": [_creator(c) for c in conv.item.get("creators", [])],
        "tags": sorted(_tag(t) for t in conv.item.get("tags", [])),
        "notes": [_ws(n) for n in conv.notes],
        "attachments": [_attachment(a, by_title) for a in conv.attachments],
    }
    return want, got


def compare(case: int, index: int, exp: dict[str, Any], conv: ConvertedRecord, s: Score) -> None:
    where = f"case {case} item {index} ({exp['itemType']})"
    act = conv.item
    s.total += 1
    if act["itemType"] == exp["itemType"]:
        s.hits += 1
    else:
        s.misses.append(f"{where}: itemType {act['itemType']}")
    want_lists, got_lists = _lists(exp, conv)
    for name in _SCORED_LISTS:
        row = s.row(case, index, name)
        if row is not None:
            s.used_rows.add(row)
            continue
        want, got = want_lists[name], got_lists[name]
        if name == "creators":
            for k, c in enumerate(want):
                s.total += 1
                if k < len(got) and got[k] == c:
                    s.hits += 1
                else:
                    s.misses.append(f"{where}: creator {k} {c} != {got[k : k + 1]}")
            extra = got[len(want) :]
        else:
            left = Counter(got)
            for value in want:
                s.total += 1
                if left[value] > 0:
                    left[value] -= 1
                    s.hits += 1
                else:
                    s.misses.append(f"{where}: {name} missing {str(value)[:80]}")
            extra = list(left.elements())
        if extra:
            s.unexplained.append(f"{where}: unexpected {name} {extra}")
    for name, value in exp.items():
        if name in _IGNORED or name in _SCORED_LISTS:
            continue
        row = s.row(case, index, name)
        if name == "extra":
            got_lines = [_ws(x) for x in str(act.get("extra", "")).split("\n") if x.strip()]
            for line in str(value).split("\n"):
                s.total += 1
                if _ws(line) in got_lines:
                    s.hits += 1
                    got_lines.remove(_ws(line))
                elif row is not None:
                    s.used_rows.add(row)
                    s.misses.append(f"{where}: extra line missing {line!r} (deliberate)")
                else:
                    s.misses.append(f"{where}: extra line missing {line!r}")
            if got_lines:
                if row is None:
                    s.unexplained.append(f"{where}: unexpected extra lines {got_lines}")
                else:
                    s.used_rows.add(row)
            continue
        if row is not None:
            s.used_rows.add(row)
            continue
        s.total += 1
        if _ws(act.get(name, "")) == _ws(value):
            s.hits += 1
        else:
            s.misses.append(f"{where}: {name} {value!r:.80} != {act.get(name)!r:.80}")
    for name in act:
        if name in exp or name in _IGNORED or name in _SCORED_LISTS:
            continue
        row = s.row(case, index, name)
        if row is None:
            s.unexplained.append(f"{where}: unexpected field {name}={act[name]!r:.80}")
        else:
            s.used_rows.add(row)


def score_cases(
    entries: Iterable[dict[str, Any]],
    convert: Callable[[str, int], list[ConvertedRecord]],
    deliberate: list[Row],
) -> Score:
    s = Score(deliberate)
    for case, entry in enumerate(entries):
        converted = convert(entry["input"], case)
        expected = entry["items"]
        assert len(converted) == len(expected), f"case {case}: record count"
        for index, (exp, conv) in enumerate(zip(expected, converted, strict=True)):
            compare(case, index, exp, conv, s)
    return s
