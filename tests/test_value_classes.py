"""Every hand-written value class compares all of its slots.

The classes built once per record on the compiled path (setup.py, syncd/native.py)
are written out instead of declared as dataclasses, so their ``__eq__`` and
``__hash__`` name the slots by hand: a slot added to ``__slots__`` and forgotten
there would make two different records equal without a word. The classes are found
by looking (a class of syncd that defines ``__eq__`` and is not a dataclass) and
their slots are read from the class, so a new class or a new slot is covered
without editing this file (a new class only needs a sample below).
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Callable
from typing import Any

import pytest

import syncd
from syncd.formats.records import ConvertedRecord, RawRecord, ReadProblem, SourceRef
from syncd.identifiers import Identifiers
from syncd.sync.store import StoredBase


def _source() -> SourceRef:
    return SourceRef("a.ris", 4, 9, 1, "scopus")


def _problem() -> ReadProblem:
    return ReadProblem("a.ris", 7, "a value moved to Extra", "warning")


def _identifiers() -> Identifiers:
    return Identifiers(
        doi="10.1000/x",
        scopus_eid="2-s2.0-84864948206",
        pmid="22829849",
        pmcid="PMC3398512",
        wos="WOS:000307000000001",
        isbn=("9780306406157",),
        issn=("1740-2522",),
    )


def _raw() -> RawRecord:
    return RawRecord(("TY", "TI"), ("JOUR", "A title"), (4, 5), "a.ris", 4, 6, 1)


def _converted() -> ConvertedRecord:
    return ConvertedRecord(
        {"itemType": "journalArticle", "title": "A title"},
        ("<p>a note</p>",),
        ({"path": "a.pdf"},),
        _identifiers(),
        _source(),
        (_problem(),),
    )


# One instance of each class, every slot filled (each call builds a fresh one).
SAMPLES: dict[type, Callable[[], Any]] = {
    SourceRef: _source,
    ReadProblem: _problem,
    Identifiers: _identifiers,
    RawRecord: _raw,
    ConvertedRecord: _converted,
}


def _hand_written_value_classes() -> set[type]:
    found = set()
    for module in pkgutil.walk_packages(syncd.__path__, "syncd."):
        if module.name.endswith("__main__"):
            continue
        for cls in vars(importlib.import_module(module.name)).values():
            if (
                inspect.isclass(cls)
                and cls.__module__ == module.name
                and "__eq__" in cls.__dict__
                and not dataclasses.is_dataclass(cls)
            ):
                found.add(cls)
    return found


def _slots(cls: type) -> tuple[str, ...]:
    # Plain Python keeps __slots__; a class compiled by mypyc lists its attributes
    # in __mypyc_attrs__ instead.
    names = cls.__dict__.get("__slots__") or cls.__dict__.get("__mypyc_attrs__")
    assert names, f"{cls.__name__} declares no slots"
    return tuple(name for name in names if not name.startswith("__"))


def _other(value: Any) -> Any:
    """A value of the same type as ``value`` that is not equal to it."""
    if type(value) in SAMPLES:
        first = _slots(type(value))[0]
        return _with(value, first, _other(getattr(value, first)))
    if isinstance(value, str):
        return value + "-other"
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1
    if isinstance(value, tuple) and value:
        return (*value, value[0])
    if isinstance(value, dict):
        return {**value, "other": "value"}
    raise TypeError(f"no other value for {value!r}: give _other a case for its type")


def _with(instance: Any, slot: str, value: Any) -> Any:
    changed = SAMPLES[type(instance)]()
    for name in _slots(type(instance)):
        setattr(changed, name, getattr(instance, name))
    setattr(changed, slot, value)
    return changed


CASES = [(cls, slot) for cls in SAMPLES for slot in _slots(cls)]


def _name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


# Classes with their own __eq__ that is not slot by slot, each with why.
NOT_SLOT_WISE: dict[type, str] = {
    StoredBase: "a JSON text decoded on first use: equal as the mapping it holds, "
    "its second slot is a cache of the first",
}


def test_every_hand_written_value_class_has_a_sample() -> None:
    found = _hand_written_value_classes() - set(NOT_SLOT_WISE)
    assert sorted(map(_name, found)) == sorted(map(_name, SAMPLES))


def test_a_stored_base_equals_the_mapping_it_holds_and_no_other() -> None:
    base = StoredBase('{"title": "A", "date": "2020"}')
    assert base == StoredBase('{"date": "2020", "title": "A"}')
    assert base == {"title": "A", "date": "2020"}
    assert base != StoredBase('{"title": "B", "date": "2020"}')


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_two_instances_built_alike_are_equal(cls: type) -> None:
    a, b = SAMPLES[cls](), SAMPLES[cls]()
    assert a == b
    try:
        hashes = {hash(a), hash(b)}
    except TypeError:  # unhashable by design (ConvertedRecord holds a dict)
        return
    assert len(hashes) == 1


@pytest.mark.parametrize(("cls", "slot"), CASES, ids=[f"{c.__name__}.{s}" for c, s in CASES])
def test_two_instances_differing_in_one_slot_are_unequal(cls: type, slot: str) -> None:
    sample = SAMPLES[cls]()
    changed = _with(sample, slot, _other(getattr(sample, slot)))
    assert getattr(changed, slot) != getattr(sample, slot)
    assert (sample == changed) is False
