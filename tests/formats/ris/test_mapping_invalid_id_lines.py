"""An Extra identifier line that holds no valid identifier stays in Extra: it has not
moved into the type's field (found through BibTeX's ``pmid = {P123456}``)."""

from __future__ import annotations

from ris_helpers import convert_text


def test_a_refman_pmid_link_that_is_no_pmid_stays_an_extra_line() -> None:
    (rec,) = convert_text("TY  - JOUR\nTI  - T\nUR  - PM:P123456\nER  - \n")
    assert "PMID" not in rec.item
    assert "PMID: P123456" in rec.item["extra"].splitlines()


def test_a_refman_pmid_link_that_is_a_pmid_fills_the_field() -> None:
    (rec,) = convert_text("TY  - JOUR\nTI  - T\nUR  - PM:123456\nER  - \n")
    assert rec.item["PMID"] == "123456"
    assert "extra" not in rec.item
