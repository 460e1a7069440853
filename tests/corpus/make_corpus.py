"""Regenerate the reader's test corpus under tests/corpus/.

Run from the repository root: ``.venv/bin/python tests/corpus/make_corpus.py``.
The generated files are committed; this script keeps them reproducible.

* ``encodings/``: one small RIS export in many encodings and line-ending styles.
  Every file must read to ``expected_records(name)``: ``RECORDS`` for the Unicode
  encodings, ``WESTERN`` (no CJK, which Windows-1252 cannot encode) for the
  cp1252-based ones.
* ``malformed/``: small broken files; tests/formats/ris/test_reader_malformed.py holds the
  expected outcome of each. Big cases (a 10 MB line, a 10,000-author record) are
  generated at test time instead of being committed.
"""

from __future__ import annotations

import codecs
from pathlib import Path

HERE = Path(__file__).resolve().parent / "encodings"
MALFORMED_DIR = Path(__file__).resolve().parent / "malformed"

# A value with "\n" is written as a tag line plus continuation lines; the AB lines
# are short, so the reader joins them with a newline as Zotero does.
RECORDS: list[list[tuple[str, str]]] = [
    [
        ("TY", "JOUR"),
        ("TI", "Caf\u00e9 society \u2014 a study of M\u00fcnchen"),
        ("AU", "M\u00fcller, J\u00fcrgen"),
        ("AU", "Stra\u00dfer, Ren\u00e9e"),
        ("PY", "2012"),
        ("AB", "First line of the abstract.\nSecond line \u2014 with \u00e9."),
        ("KW", "na\u00efve"),
        ("KW", "\u00fcber"),
        ("JO", "Zeitschrift f\u00fcr Gr\u00f6\u00dfe"),
    ],
    [
        ("TY", "BOOK"),
        ("TI", "\u6f22\u5b57 and \u4e2d\u6587 titles"),
        ("AU", "\u5c71\u7530, \u592a\u90ce"),
        ("PB", "\u00c9ditions Gallimard"),
        ("N1", ""),
    ],
    [
        ("TY", "CHAP"),
        ("T1", "The \u00bfquestion\u00bf of \u20ac and \u00a3"),
        ("SP", "1\u201310"),
    ],
]


def _western(value: str) -> str:
    # Windows-1252 has no CJK: swap those characters for Latin-1 letters.
    return "".join(ch if ord(ch) < 0x3000 else "\u00e5" for ch in value)


WESTERN: list[list[tuple[str, str]]] = [
    [(tag, _western(value)) for tag, value in record] for record in RECORDS
]


def render(records: list[list[tuple[str, str]]], newline: str = "\n") -> str:
    out: list[str] = ["Provider: syncd test corpus", 'Content: text/plain; charset="x"', ""]
    for record in records:
        for tag, value in record:
            head, *rest = value.split("\n")
            out.append(f"{tag}  - {head}".rstrip() if head else f"{tag}  -")
            out.extend(rest)
        out.append("ER  - ")
        out.append("")
    return newline.join(out)


def files() -> dict[str, bytes]:
    full = render(RECORDS)
    west = render(WESTERN)
    crlf = render(RECORDS, "\r\n")
    result = {
        "utf8_lf.ris": full.encode("utf-8"),
        "utf8_crlf.ris": crlf.encode("utf-8"),
        "utf8_cr.ris": render(RECORDS, "\r").encode("utf-8"),
        "utf8_bom_crlf.ris": codecs.BOM_UTF8 + crlf.encode("utf-8"),
        "utf16le_bom_crlf.ris": codecs.BOM_UTF16_LE + crlf.encode("utf-16-le"),
        "utf16be_bom_lf.ris": codecs.BOM_UTF16_BE + full.encode("utf-16-be"),
        "utf16le_nobom_lf.ris": full.encode("utf-16-le"),
        "cp1252_crlf.ris": render(WESTERN, "\r\n").encode("cp1252"),
        "cp1252_lf.ris": west.encode("cp1252"),
    }
    # Mostly UTF-8 with one line in cp1252: only that line may change decoding.
    lines = west.split("\n")
    bad = next(i for i, line in enumerate(lines) if line.startswith("JO"))
    result["mixed_utf8_cp1252.ris"] = b"\n".join(
        line.encode("cp1252") if i == bad else line.encode("utf-8") for i, line in enumerate(lines)
    )
    # Line endings mixed within one file: LF, CRLF and CR in turn.
    ends = ("\n", "\r", "\r\n")  # a CR is never followed by an LF of its own
    lines = full.split("\n")
    mixed = "".join(line + ends[i % 3] for i, line in enumerate(lines[:-1])) + lines[-1]
    result["utf8_mixed_endings.ris"] = mixed.encode("utf-8")
    # Atypon puts U+2028 inside values: it must read as a space, not a line break.
    result["utf8_u2028.ris"] = full.replace("Caf\u00e9 society", "Caf\u00e9\u2028society").encode(
        "utf-8"
    )
    # Some files use U+2028 or U+2029 as their only line break.
    result["utf8_u2028_lines.ris"] = full.replace("\n", "\u2028").encode("utf-8")
    result["utf8_u2029_lines.ris"] = crlf.replace("\r\n", "\u2029").encode("utf-8")
    return result


def expected_records(name: str) -> list[list[tuple[str, str]]]:
    return WESTERN if name.startswith(("cp1252", "mixed")) else RECORDS


def _good(title: str, ty: str = "JOUR") -> str:
    return f"TY  - {ty}\nTI  - {title}\nAU  - Doe, Jane\nPY  - 2020\nER  - \n"


def malformed() -> dict[str, bytes]:
    g1, g2 = _good("First"), _good("Second")
    return {
        "empty.ris": b"",
        "whitespace_only.ris": b"  \n\t\r\n\n   \n",
        "binary_png.ris": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
        + bytes(range(256)),
        "random_bytes.ris": bytes(range(1, 256)) * 8,
        "bibtex.ris": b"@article{doe2020,\n  title = {A title},\n  author = {Doe, Jane},\n}\n",
        "medline.nbib": (
            b"PMID- 22829849\nOWN - NLM\nSTAT- MEDLINE\nTI  - A title.\nAU  - Wang D\n"
        ),
        "endnote.enw": b"%0 Journal Article\n%T A title\n%A Doe, Jane\n",
        "html_page.ris": b"<!DOCTYPE html>\n<html><body>Session expired</body></html>\n",
        "lowercase_only.ris": b"ty  - JOUR\nti  - lower\ner  - \n",
        "only_er.ris": b"ER  - \n\nER  -\n",
        "missing_er_at_end.ris": (g1 + "TY  - BOOK\nTI  - Last\n").encode(),
        "missing_er_between.ris": (
            b"TY  - JOUR\nTI  - First\n\nTY  - BOOK\nTI  - Second\nER  - \n"
        ),
        "nested_ty.ris": (
            "TY  - JOUR\nTI  - Outer\nAU  - Doe, J\nTY  - CHAP\nTI  - Inner\nER  - \n" + g2
        ).encode(),
        "er_without_record.ris": ("ER  - \n" + g1 + "ER  - \nER  - \n" + g2).encode(),
        "record_without_ty.ris": (g1 + "TI  - No type\nAU  - Roe, R\nER  - \n" + g2).encode(),
        "truncated_mid_line.ris": (g1 + "TY  - JOUR\nTI  - Cut off\nAU  - Smi").encode(),
        "nul_bytes.ris": (g1 + "TY  - JOUR\nTI  - Nul\x00led\x00 title\nER  - \n" + g2).encode(),
        "invalid_utf8_middle.ris": (
            g1.encode() + b"TY  - JOUR\nTI  - Bad \xff byte\nER  - \n" + g2.encode()
        ),
        "control_chars.ris": (g1 + "TY  - JOUR\nTI  - Bell\x07 and\x1b escape\nER  - \n").encode(),
        "crlf_cr_mixed.ris": (
            b"TY  - JOUR\r\nTI  - One\rAU  - Doe, J\nER  - \r\nTY  - BOOK\rER  - \r"
        ),
        "lowercase_tags.ris": ("TY  - JOUR\nTI  - Title\nau  - Doe, J\nER  - \n" + g2).encode(),
        "leading_space_tags.ris": (g1 + "  TY  - BOOK\n  TI  - Indented\n  ER  - \n" + g2).encode(),
        "header_before_ty.ris": (
            'Provider: Example\r\nDatabase: Scopus\r\nContent: text/plain; charset="UTF-8"\r\n\r\n'
            + g1.replace("\n", "\r\n")
        ).encode(),
        "garbage_between_records.ris": (
            g1 + "\n@article{x,\n  title = {BibTeX in the middle}\n}\n\n" + g2
        ).encode(),
        "tag_without_value.ris": b"TY  - JOUR\nTI  - Has empties\nAU  -\nN1  - \nPY  -\nER  -\n",
        "tag_forms.ris": b"TY -JOUR\nTI  -No space\nAU -  Doe, J  \nER  -\n",
        "concatenated_with_bom.ris": codecs.BOM_UTF8 + g1.encode() + codecs.BOM_UTF8 + g2.encode(),
        "trailing_text.ris": (g1 + "\nEF\nExported by Example 1.0\n").encode(),
        "truncated_utf16.ris": codecs.BOM_UTF16_LE + (g1 + g2).encode("utf-16-le")[:-1],
    }


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    for name, data in files().items():
        (HERE / name).write_bytes(data)
        print(f"wrote encodings/{name} ({len(data)} bytes)")
    MALFORMED_DIR.mkdir(parents=True, exist_ok=True)
    for name, data in malformed().items():
        (MALFORMED_DIR / name).write_bytes(data)
        print(f"wrote malformed/{name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
