"""Scoring converted records against Zotero's own translator test cases, for every format.

The rules of tests/formats/ris/test_conformance.py (Zotero's test harness compares that way):
one point per expected top-level field, creator, tag, note and attachment (an
expected Extra one point per line) reproduced exactly, comparing strings without
regard to whitespace, tags sorted, notes as note HTML, ``accessDate``/``seeAlso``/
``itemType`` aside (the type scores one point of its own). Whatever we output that
Zotero does not must be explained by a DELIBERATE row, and every row must still be
needed.

A DELIBERATE row is ``(case, item index or None for every item of the case, field,
reason)``: the expected value of that field is then not scored and whatever we
output there is accepted; for ``extra`` the expected lines are still scored and the
row admits the lines we add.

The formats' suites were written apart and differ in a few rules; :class:`Rules`
holds those differences, and TAGGED, BIB, RIS and XML are each suite's set.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncd.convert import convert_file
from syncd.formats import Format
from syncd.formats.records import ConvertedRecord, ReadProblem
from syncd.schema import Schema, bundled_schema

FIXTURES = Path(__file__).parent / "fixtures" / "translators"
THRESHOLD = 0.97
Row = tuple[int, int | None, str, str]
_SCORED_LISTS = ("creators", "tags", "notes", "attachments")
_IGNORED = frozenset({"seeAlso", "accessDate", "itemType"})
_ID_FIELDS = ("DOI", "PMID", "PMCID")


@dataclass(frozen=True)
class Rules:
    """How one format's suite compares, where the suites differ."""

    # Expected field -> the schema's field for it (Zotero's harness reports the
    # citation key as ``itemID``; the schema calls it ``citationKey``).
    renamed: Mapping[str, str] = field(default_factory=dict)
    # An expected Extra line ``DOI: x``/``PMID: x``/``PMCID: x`` is met by that field
    # when the item has it (written before the schema gave those types the field:
    # Zotero itself moves such lines into the field, and the schema wins, per the
    # README of ``translator-tests``).
    ids_in_fields: bool = False
    # Attachment keys left out of the comparison.
    attachment_keys_ignored: frozenset[str] = frozenset()
    # Expected attachments all without a path are links whose URL Zotero's harness
    # removes: they are compared by title.
    links_by_title: bool = False
    # Blank lines of an expected Extra score nothing.
    skip_blank_extra_lines: bool = False
    # A row on ``extra`` is also used up by an expected line we do not write.
    row_covers_missing_extra: bool = False


TAGGED = Rules(
    attachment_keys_ignored=frozenset({"snapshot"}),
    links_by_title=True,
    row_covers_missing_extra=True,
)
BIB = Rules(renamed={"itemID": "citationKey"}, ids_in_fields=True)
RIS = Rules()
XML = Rules(attachment_keys_ignored=frozenset({"url"}), skip_blank_extra_lines=True)


def load_cases(name: str, folder: Path = FIXTURES) -> list[dict[str, Any]]:
    data = json.loads((folder / name).read_text(encoding="utf-8"))
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


def _note(n: Any) -> str:
    return _ws(n["note"] if isinstance(n, dict) else n)


def _attachment(a: dict[str, Any], by_title: bool, rules: Rules) -> tuple[tuple[str, str], ...]:
    if by_title:
        return (("title", _ws(a.get("title", ""))),)
    ignored = rules.attachment_keys_ignored
    return tuple(sorted((k, _ws(v)) for k, v in a.items() if v is not None and k not in ignored))


@dataclass
class Score:
    deliberate: Sequence[Row]
    rules: Rules = TAGGED
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


def _lists(
    exp: dict[str, Any], conv: ConvertedRecord, rules: Rules
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    by_title = rules.links_by_title and all("path" not in a for a in exp.get("attachments", []))
    want: dict[str, list[Any]] = {
        "creators": [_creator(c) for c in exp.get("creators", [])],
        "tags": sorted(_tag(t) for t in exp.get("tags", [])),
        "notes": [_note(n) for n in exp.get("notes", [])],
        "attachments": [_attachment(a, by_title, rules) for a in exp.get("attachments", [])],
    }
    got: dict[str, list[Any]] = {
        "creators": [_creator(c) for c in conv.item.get("creators", [])],
        "tags": sorted(_tag(t) for t in conv.item.get("tags", [])),
        "notes": [_note(n) for n in conv.notes],
        "attachments": [_attachment(a, by_title, rules) for a in conv.attachments],
    }
    return want, got


def _compare_list(s: Score, where: str, name: str, want: list[Any], got: list[Any]) -> None:
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


def _compare_extra(
    s: Score, where: str, row: int | None, want: str, act: dict[str, Any], moved: set[str]
) -> None:
    rules = s.rules
    got_lines = [_ws(x) for x in str(act.get("extra", "")).split("\n") if x.strip()]
    for line in want.split("\n"):
        if rules.skip_blank_extra_lines and not line.strip():
            continue
        s.total += 1
        label, _, id_value = line.partition(":")
        if rules.ids_in_fields and label in _ID_FIELDS and _ws(act.get(label, "")) == _ws(id_value):
            s.hits += 1
            moved.add(label)
        elif _ws(line) in got_lines:
            s.hits += 1
            got_lines.remove(_ws(line))
        elif rules.row_covers_missing_extra and row is not None:
            s.used_rows.add(row)
            s.misses.append(f"{where}: extra line missing {line!r} (deliberate)")
        else:
            s.misses.append(f"{where}: extra line missing {line!r}")
    if got_lines:
        if row is None:
            s.unexplained.append(f"{where}: unexpected extra lines {got_lines}")
        else:
            s.used_rows.add(row)


def compare(case: int, index: int, exp: dict[str, Any], conv: ConvertedRecord, s: Score) -> None:
    """Score one converted record against Zotero's expected item."""
    where = f"case {case} item {index} ({exp['itemType']})"
    act = conv.item
    s.total += 1
    if act["itemType"] == exp["itemType"]:
        s.hits += 1
    else:
        s.misses.append(f"{where}: itemType {act['itemType']}")
    want_lists, got_lists = _lists(exp, conv, s.rules)
    for name in _SCORED_LISTS:
        row = s.row(case, index, name)
        if row is not None:
            s.used_rows.add(row)
            continue
        _compare_list(s, where, name, want_lists[name], got_lists[name])
    expected = {s.rules.renamed.get(k, k): v for k, v in exp.items()}
    moved: set[str] = set()  # identifier fields that met an expected Extra line
    for name, value in expected.items():
        if name in _IGNORED or name in _SCORED_LISTS:
            continue
        row = s.row(case, index, name)
        if name == "extra":
            _compare_extra(s, where, row, str(value), act, moved)
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


def score_cases(
    entries: Iterable[dict[str, Any]],
    convert: Callable[[str, int], list[ConvertedRecord]],
    deliberate: Sequence[Row],
    rules: Rules = TAGGED,
) -> Score:
    """Every case converted with ``convert(input, case)`` and scored.

    A case converting to another number of records than Zotero's is unexplained, so a
    changed record count cannot pass unnoticed.
    """
    s = Score(deliberate, rules)
    for case, entry in enumerate(entries):
        converted = convert(entry["input"], case)
        expected = entry["items"]
        if len(converted) != len(expected):
            s.unexplained.append(f"case {case}: {len(converted)} records, {len(expected)} expected")
        for index, (exp, conv) in enumerate(zip(expected, converted, strict=False)):
            compare(case, index, exp, conv, s)
    return s


class ConformanceChecks:
    """The three checks of every format's conformance suite.

    A suite subclasses this as ``TestConformance`` beside a ``score`` fixture (its
    cases scored by :func:`score_cases`); pytest runs the checks once per score.
    """

    def test_share_of_expected_fields_is_at_least_97_percent(self, score: Score) -> None:
        print(score.summary())
        for miss in score.misses:
            print("  miss:", miss)
        assert score.share >= THRESHOLD, score.summary() + "\n" + "\n".join(score.misses)

    def test_every_difference_is_deliberate(self, score: Score) -> None:
        assert score.unexplained == []

    def test_every_deliberate_row_is_needed(self, score: Score) -> None:
        assert score.unused_rows() == []


def score_package(
    cases: Iterable[dict[str, Any]],
    convert: Callable[[Path, Schema], Iterable[ConvertedRecord | ReadProblem]],
    suffix: str,
    deliberate: Sequence[Row],
    rules: Rules,
) -> Score:
    """:func:`score_cases` for a format package: each input written to a file named
    ``case<N><suffix>`` and read by the package's own ``convert`` (no detection)."""

    def run(text: str, case: int) -> list[ConvertedRecord]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"case{case}{suffix}"
            path.write_text(text, encoding="utf-8")
            return [e for e in convert(path, bundled_schema()) if isinstance(e, ConvertedRecord)]

    return score_cases(cases, run, deliberate, rules)
