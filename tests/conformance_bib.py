"""Scoring converted records against Zotero's translator test cases, for any format.

The rules are those of ``tests/ris/test_conformance.py``: one point per expected
top-level field, creator, tag, note, attachment and Extra line reproduced exactly
(strings compared ignoring whitespace differences, tags sorted, notes as note HTML);
everything we output that Zotero does not must be explained by a DELIBERATE row, and
every row must still be needed. Zotero's harness reports the citation key as
``itemID``; the schema's field for it is ``citationKey``, so the two are compared. An
expected Extra line ``DOI: x``, ``PMID: x`` or ``PMCID: x`` is met by that field when
the item type has it (written before the schema gave those types the field: Zotero
itself moves such lines into the field, and the schema wins, per the README of
``translator-tests``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from syncd.ris.mapping import ConvertedRecord

# (case, item index or None for every item of the case, field, reason).
Deliberate = list[tuple[int, int | None, str, str]]

_SCORED_LISTS = ("creators", "tags", "notes", "attachments")
_IGNORED = frozenset({"seeAlso", "accessDate", "itemType"})
_RENAMED = {"itemID": "citationKey"}
_ID_FIELDS = ("DOI", "PMID", "PMCID")


def _ws(value: Any) -> str:
    return " ".join(str(value).split())


def _creator(c: dict[str, Any]) -> tuple[str, str, str]:
    if "name" in c:
        return (c["creatorType"], _ws(c["name"]), "")
    if c.get("fieldMode") == 1:
        return (c["creatorType"], _ws(c.get("lastName", "")), "")
    return (c["creatorType"], _ws(c.get("lastName", "")), _ws(c.get("firstName", "")))


def _attachment(a: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, _ws(v)) for k, v in a.items() if v is not None))


def _tag(t: Any) -> str:
    return _ws(t["tag"] if isinstance(t, dict) else t)


def _note(n: Any) -> str:
    return _ws(n["note"] if isinstance(n, dict) else n)


def _lists(
    item: dict[str, Any], notes: Sequence[Any], attachments: Sequence[Any]
) -> dict[str, Any]:
    return {
        "creators": [_creator(c) for c in item.get("creators", [])],
        "tags": sorted(_tag(t) for t in item.get("tags", [])),
        "notes": [_note(n) for n in notes],
        "attachments": [_attachment(a) for a in attachments],
    }


@dataclass
class Score:
    deliberate: Deliberate
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    used_rows: set[int] = field(default_factory=set)

    @property
    def share(self) -> float:
        return self.hits / self.total if self.total else 0.0

    def unused_rows(self) -> list[tuple[int, int | None, str, str]]:
        return [row for k, row in enumerate(self.deliberate) if k not in self.used_rows]

    def row(self, case: int, item: int, name: str) -> int | None:
        for k, (c, i, f, _) in enumerate(self.deliberate):
            if c == case and (i is None or i == item) and f == name:
                return k
        return None

    def summary(self) -> str:
        return f"conformance: {self.hits}/{self.total} = {self.share:.2%} of expected values"


def compare(case: int, index: int, exp: dict[str, Any], conv: ConvertedRecord, s: Score) -> None:
    """Score one converted record against Zotero's expected item."""
    where = f"case {case} item {index} ({exp['itemType']})"
    act = conv.item
    s.total += 1
    if act["itemType"] == exp["itemType"]:
        s.hits += 1
    else:
        s.misses.append(f"{where}: itemType {act['itemType']}")
    want_lists = _lists(exp, exp.get("notes", []), exp.get("attachments", []))
    got_lists = _lists(act, conv.notes, conv.attachments)
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
    expected = {_RENAMED.get(k, k): v for k, v in exp.items()}
    moved: set[str] = set()  # identifier fields that met an expected Extra line
    for name, value in expected.items():
        if name in _IGNORED or name in _SCORED_LISTS:
            continue
        row = s.row(case, index, name)
        if name == "extra":
            got_lines = [_ws(x) for x in str(act.get("extra", "")).split("\n") if x.strip()]
            for line in str(value).split("\n"):
                s.total += 1
                label, _, id_value = line.partition(":")
                if label in _ID_FIELDS and _ws(act.get(label, "")) == _ws(id_value):
                    s.hits += 1
                    moved.add(label)
                elif _ws(line) in got_lines:
                    s.hits += 1
                    got_lines.remove(_ws(line))
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
        if name in expected or name in moved or name in _IGNORED or name in _SCORED_LISTS:
            continue
        row = s.row(case, index, name)
        if row is None:
            s.unexplained.append(f"{where}: unexpected field {name}={act[name]!r:.80}")
        else:
            s.used_rows.add(row)
