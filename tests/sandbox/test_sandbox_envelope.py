"""Derived item metadata: parsed dates and creator summaries (pure functions)."""

from __future__ import annotations

import pytest

from syncd.sandbox.envelope import creator_summary, parsed_date
from syncd.schema import bundled_schema


@pytest.mark.parametrize(
    ("raw", "parsed"),
    [
        ("2021-03-04", "2021-03-04"),
        ("2021/3/4", "2021-03-04"),
        ("2021-03", "2021-03"),
        ("March 2019", "2019-03"),
        ("Mar 5, 2019", "2019-03-05"),
        ("Sept 18, 2012", "2012-09-18"),
        ("18 September 2012", "2012-09-18"),
        ("Spring 2018", "2018"),
        ("1999", "1999"),
        ("2021-13-01", "2021"),
        ("n.d.", None),
        ("", None),
    ],
)
def test_parsed_date(raw: str, parsed: str | None) -> None:
    assert parsed_date(raw) == parsed


def _people(*names: str, ctype: str = "author") -> list[dict[str, str]]:
    return [{"creatorType": ctype, "firstName": "X", "lastName": n} for n in names]


def test_creator_summary_uses_the_primary_creator_type() -> None:
    schema = bundled_schema()
    book = {"itemType": "book", "creators": _people("Eddy", ctype="editor") + _people("Ames")}
    assert creator_summary(schema, book) == "Ames"
    assert creator_summary(schema, {"itemType": "book", "creators": _people("A", "B")}) == (
        "A and B"
    )
    three = {"itemType": "book", "creators": _people("A", "B", "C")}
    assert creator_summary(schema, three) == "A et al."
    editors_only = {"itemType": "book", "creators": _people("E", ctype="editor")}
    assert creator_summary(schema, editors_only) == "E"
    assert creator_summary(schema, {"itemType": "book", "creators": []}) is None
