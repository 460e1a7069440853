"""Scoring EndNote XML, PubMed XML and CSV records against expected items.

The rules are those of ``tests/ris/test_conformance.py`` (Zotero's test harness
compares that way): ``accessDate``, ``seeAlso`` and ``itemType`` are not compared as
fields, tags are compared sorted, strings ignoring whitespace differences, notes as
note HTML, attachments as their keys. One point per expected top-level field,
creator, tag, note and attachment (an expected Extra counts one point per line).
What we output that Zotero does not must be explained by a DELIBERATE row, and
every row must still be needed.

A DELIBERATE row is ``(case, item index or None for every item of the case, field,
reason)``: the expected value of that field is then not scored and whatever we
output there is accepted; for ``extra`` the expected lines are still scored and the
row only admits the lines we add.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncd.ris.mapping import ConvertedRecord

FIXTURES = Path(__file__).parent / "fixtures" / "translators"
THRESHOLD = 0.97
Deliberate = tuple[int, int | None, str, str]
_SCORED_LISTS = ("creators", "tags", "notes", "attachments")
_IGNORED = frozenset({"seeAlso", "accessDate", "itemType"})


def _ws(value: Any) -> str:
    return " ".join(str(value).split())


def _creator(c: dict[str, Any]) -> tuple[str, str, str]:
    if "name" in c:
        return (c["creatorType"], _ws(c["name"]), "")
    if c.get("fieldMode") == 1:
        return (c["creatorType"], _ws(c.get("lastName", "")), "")
    return (c["creatorType"], _ws(c.get("lastName", "")), _ws(c.get("firstName", "")))


def _attachment(a: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, _ws(v)) for k, v in a.items() if v is not None and k != "url"))


def _note(n: Any) -> str:
    return _ws(n["note"] if isinstance(n, dict) else n)


def _lists(item: dict[str, Any], notes: Sequence[Any], attachments: Sequence[Any]) -> Any:
    return {
        "creators": [_creator(c) for c in item.get("creators", [])],
        "tags": sorted(_ws(t["tag"] if isinstance(t, dict) else t) for t in item.get("tags", [])),
        "notes": [_note(n) for n in notes],
        "attachments": [_attachment(a) for a in attachments],
    }


@dataclass
class Score:
    deliberate: Sequence[Deliberate]
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

    def unused_rows(self) -> list[Deliberate]:
        return [r for k, r in enumerate(self.deliberate) if k not in self.used_rows]

    def compare(self, case: int, index: int, exp: dict[str, Any], conv: ConvertedRecord) -> None:
        where = f"case {case} item {index} ({exp['itemType']})"
        act = conv.item
        self.total += 1
        if act["itemType"] == exp["itemType"]:
            self.hits += 1
        else:
            self.misses.append(f"{where}: itemType {act['itemType']}")
        want_lists = _lists(exp, exp.get("notes", []), exp.get("attachments", []))
        got_lists = _lists(act, conv.notes, conv.attachments)
        for name in _SCORED_LISTS:
            row = self.row(case, index, name)
            if row is not None:
                self.used_rows.add(row)
                continue
            self._compare_list(where, name, want_lists[name], got_lists[name])
        for name, value in exp.items():
            if name in _IGNORED or name in _SCORED_LISTS:
                continue
            row = self.row(case, index, name)
            if name == "extra":
                self._compare_extra(where, row, str(value), str(act.get("extra", "")))
                continue
            if row is not None:
                self.used_rows.add(row)
                continue
            self.total += 1
            if _ws(act.get(name, "")) == _ws(value):
                self.hits += 1
            else:
                self.misses.append(f"{where}: {name} {value!r:.80} != {act.get(name)!r:.80}")
        for name in act:
            if name in exp or name in _IGNORED or name in _SCORED_LISTS:
                continue
            row = self.row(case, index, name)
            if row is None:
                self.unexplained.append(f"{where}: unexpected field {name}={act[name]!r:.80}")
            else:
                self.used_rows.add(row)

    def _compare_list(self, where: str, name: str, want: list[Any], got: list[Any]) -> None:
        if name == "creators":
            for k, c in enumerate(want):
                self.total += 1
                if k < len(got) and got[k] == c:
                    self.hits += 1
                else:
                    self.misses.append(f"{where}: creator {k} {c} != {got[k : k + 1]}")
            extra = got[len(want) :]
        else:
            left = Counter(got)
            for value in want:
                self.total += 1
                if left[value] > 0:
                    left[value] -= 1
                    self.hits += 1
                else:
                    self.misses.append(f"{where}: {name} missing {str(value)[:80]}")
            extra = list(left.elements())
        if extra:
            self.unexplained.append(f"{where}: unexpected {name} {extra}")

    def _compare_extra(self, where: str, row: int | None, want: str, got: str) -> None:
        got_lines = [_ws(x) for x in got.split("\n") if x.strip()]
        for line in want.split("\n"):
            if not line.strip():
                continue
            self.total += 1
            if _ws(line) in got_lines:
                self.hits += 1
                got_lines.remove(_ws(line))
            else:
                self.misses.append(f"{where}: extra line missing {line!r}")
        if got_lines:
            if row is None:
                self.unexplained.append(f"{where}: unexpected extra lines {got_lines}")
            else:
                self.used_rows.add(row)


def load_cases(name: str, folder: Path = FIXTURES) -> list[dict[str, Any]]:
    cases: list[dict[str, Any]] = json.loads((folder / name).read_text(encoding="utf-8"))["cases"]
    return cases


def score_cases(
    name: str,
    deliberate: Sequence[Deliberate],
    convert: Callable[[str, int], list[ConvertedRecord]],
    folder: Path = FIXTURES,
) -> Score:
    """Every case of fixture ``name`` converted with ``convert(input, case)`` and scored.

    Records extra to Zotero's expected items (unexpected records) count as misses
    of their own so a changed record count cannot pass unnoticed.
    """
    s = Score(deliberate)
    for case, entry in enumerate(load_cases(name, folder)):
        converted = convert(entry["input"], case)
        expected = entry["items"]
        if len(converted) != len(expected):
            s.unexplained.append(f"case {case}: {len(converted)} records, {len(expected)} expected")
        for index, (exp, conv) in enumerate(zip(expected, converted, strict=False)):
            s.compare(case, index, exp, conv)
    return s
