"""Tag rewrites Zotero's RIS import applies before mapping: ProCite, EndNote, Citavi.

ProCite writes much of its data as ``N1 - Label: value`` notes; the rewrites
turn those back into real tags (section 7 of the mapping reference). Zotero
switches a file-wide "ProCite mode" on at the first such rewrite; because
:func:`syncd.formats.ris.mapping.map_record` sees one record at a time and must stay
pure, we decide the mode per record instead: a record is ProCite's when one of
its notes carries a ProCite label. For files that are ProCite throughout (every
ProCite record starts with ``N1 - Record ID:``) the result is the same.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from syncd.formats.ris.mapping_tables import IMPORT_ONLY, PRIMARY, Rule
from syncd.formats.ris.tagged import Tagged

_LABEL_RE: Final = re.compile(r"([A-Za-z,\s]+)\s*:\s*([\s\S]*)")
_ROLE_NOISE_RE: Final = re.compile(r"s\b|\.|\s+by\b|with an\s*")
_ROLE_SPLIT_RE: Final = re.compile(r"\s*(?:,|and)\s*")
_EXTENT_RE: Final = re.compile(r"^(\d+)\s*(pages?|p(?:p|gs?)?|vols?|volumes?)\.?$", re.IGNORECASE)
_PACKAGING_RE: Final = re.compile(r":\s*(pages?|p(?:p|gs?)?|vols?|volumes?)\.?\s*$", re.IGNORECASE)

_ROLES: Final = {
    "actor": "castMember",
    "author": "author",
    "cartographer": "cartographer",
    "composer": "composer",
    "composed": "composer",
    "director": "director",
    "directed": "director",
    "performer": "performer",
    "performed": "performer",
    "producer": "producer",
    "produced": "producer",
    "editor": "editor",
    "ed": "editor",
    "edited": "editor",
    "editor-in-chief": "editor",
    "compiler": "editor",
    "compiled": "editor",
    "collected": "editor",
    "assembled": "editor",
    "presenter": "presenter",
    "presented": "presenter",
    "translator": "translator",
    "translated": "translator",
    "introduction": "contributor",
}
_ROLE_LABELS: Final = frozenset(
    {
        "Artist Role",
        "Series Editor Role",
        "Cartographer Role",
        "Composer Role",
        "Producer Role",
        "Director Role",
        "Performer Role",
        "Author Role",
    }
)
_FIELD_LABELS: Final = {
    "Call Number": "callNumber",
    "Edition": "edition",
    "ISBN": "ISBN",
    "Language": "language",
    "Publisher Name": "publisher",
    "Series Title": "series",
    "Proceedings Title": "proceedingsTitle",
    "Page(s)": "pages",
    "Volume ID": "volume",
    "Issue ID": "issue",
    "Issue Identification": "issue",
    "Series Volume ID": "seriesNumber",
    "Scale": "scale",
    "Place of Publication": "place",
    "Histroy": "history",  # sic: ProCite's export filter misspells it
    "Size": "artworkSize",
}
_MODE_LABELS: Final = frozenset(
    {"Record ID", "Record Number", "Author, Subsidiary", "Author, Monographic"}
) | frozenset(_FIELD_LABELS)


def _rule_maps(rule: Rule, item_type: str, target: str) -> bool:
    if item_type in rule.by_type.get(target, ()):
        return True
    if rule.default != target or item_type in rule.exclude:
        return False
    return not any(item_type in types for types in rule.by_type.values())


@cache
def reverse_tag(item_type: str, target: str) -> str | None:
    """The RIS tag that maps to ``target`` for ``item_type`` (first in table order)."""
    for table in (PRIMARY, IMPORT_ONLY):
        for tag, rule in table.items():
            if _rule_maps(rule, item_type, target):
                return tag
    return None


def _label(f: Tagged) -> tuple[str, str] | None:
    if f.tag != "N1":
        return None
    m = _LABEL_RE.search(f.value.strip())
    return (m.group(1), m.group(2)) if m else None


def _fix_author(name: str) -> str:
    if "," in name or " " not in name.strip():
        return name
    name = name.strip()
    first, _, last = name.rpartition(" ")
    return f"{last}, {first}"


def _roles(text: str) -> list[str]:
    return _ROLE_SPLIT_RE.split(_ROLE_NOISE_RE.sub("", text.lower()))


def is_procite(fields: list[Tagged]) -> bool:
    for f in fields:
        if f.tag == "N1" and ":" in f.value:
            found = _label(f)
            if found is not None and found[0] in _MODE_LABELS:
                return True
    return False


def clean_procite(fields: list[Tagged], ty: str, item_type: str) -> list[Tagged]:
    """ProCite note labels turned back into tags; the ProCite type fixes applied."""
    mode = is_procite(fields)
    if not mode:
        return fields
    out = list(fields)
    if ty in ("CHAP", "BOOK"):
        out = [Tagged("ET", f.value, f.line) if f.tag == "VL" else f for f in out]
    extent: int | None = None
    packaging: int | None = None
    i = 0
    while i < len(out):
        found = _label(out[i])
        if found is None:
            i += 1
            continue
        label, value = found
        line = out[i].line
        if label in ("Author, Subsidiary", "Author, Monographic"):
            tags = {f.tag for f in out}
            tag = ("A3" if "A2" in tags else "A2") if "A1" in tags else "A1"
            names = re.split(r";\s*", value)
            # Only the first name is reordered, as Zotero does.
            new = [Tagged(tag, _fix_author(names[0]), line)]
            new += [Tagged(tag, n, line) for n in names[1:]]
            out[i : i + 1] = new
            i += len(new)
            continue
        if label in _ROLE_LABELS:
            added = _apply_roles(out, i, item_type, value)
            if added is None:
                i += 1
            else:
                del out[i + added]
                i += added
            continue
        if label in ("Record ID", "Record Number"):
            out[i] = Tagged("ID", value, line)
        elif label == "Notes":
            out[i] = Tagged("N1", value, line)
        elif label == "Connective Phrase":
            if value.strip().lower() == "in":
                del out[i]
                continue
        elif label == "Extent of Work":
            extent = i
        elif label == "Packaging Method":
            packaging = i
        elif label in _FIELD_LABELS:
            found_tag = reverse_tag(item_type, _FIELD_LABELS[label])
            if found_tag is not None:
                out[i] = Tagged(found_tag, value, line)
        i += 1
    if extent is not None:
        out = _apply_extent(out, extent, packaging, item_type)
    return _type_fixes(out, ty)


def _apply_roles(out: list[Tagged], at: int, item_type: str, text: str) -> int | None:
    """Retag the creator lines just before ``at``; None when nothing was changed.

    Returns how many lines were inserted (a role naming two creator types gives
    each preceding name one line per type).
    """
    tags: list[str] = []
    for role in _roles(text):
        ctype = _ROLES.get(role)
        if ctype is None:
            continue
        tag = reverse_tag(item_type, "creators/" + ctype)
        if tag is None:
            return None
        if tag not in tags:
            tags.append(tag)
    if not tags:
        return None
    j = at - 1
    if j < 0 or out[j].tag not in ("A1", "A2", "A3"):
        return None
    first_tag = out[j].tag
    added = 0
    while j >= 0 and out[j].tag == first_tag:
        src = out[j]
        out[j : j + 1] = [Tagged(t, src.value, src.line) for t in tags]
        added += len(tags) - 1
        j -= 1
    return added


def _apply_extent(
    out: list[Tagged], at: int, packaging: int | None, item_type: str
) -> list[Tagged]:
    found = _LABEL_RE.search(out[at].value.strip())
    if found is None:
        return out
    extent = found.group(2)
    units: str | None = None
    drop_packaging = False
    m = _EXTENT_RE.match(extent)
    if m:
        units = "numPages" if m.group(2)[0].lower() == "p" else "numberOfVolumes"
        extent = m.group(1)
    elif packaging is not None and extent.strip().isdigit():
        pm = _PACKAGING_RE.search(out[packaging].value)
        if pm:
            units = "numPages" if pm.group(1)[0].lower() == "p" else "numberOfVolumes"
            extent = extent.strip()
            drop_packaging = True
    if units is None:
        return out
    tag = reverse_tag(item_type, units)
    if tag is None:
        return out
    out = list(out)
    out[at] = Tagged(tag, extent, out[at].line)
    if drop_packaging and packaging is not None:
        del out[packaging]
    return out


def _retag(out: list[Tagged], src: str, dst: str) -> list[Tagged]:
    return [Tagged(dst, f.value, f.line) if f.tag == src else f for f in out]


def _type_fixes(out: list[Tagged], ty: str) -> list[Tagged]:
    if ty == "CHAP":
        # Title-like tags are put in order: first TI, then T2, then T3.
        order = ["TI", "T2", "T3"]
        fixed: list[Tagged] = []
        for f in out:
            if order and f.tag in ("TI", "T1", "T2", "T3"):
                fixed.append(Tagged(order.pop(0), f.value, f.line))
            else:
                fixed.append(f)
        out = fixed
    if ty == "BOOK":
        out = _retag(out, "IS", "VL")
    if ty in ("CHAP", "BOOK"):
        vls = [k for k, f in enumerate(out) if f.tag == "VL"]
        if len(vls) > 1:
            out[vls[0]] = Tagged("ET", out[vls[0]].value, out[vls[0]].line)
    if ty == "COMP":
        out = _retag(out, "IS", "ET")
    if ty == "BILL":
        out = _retag(_retag(_retag(out, "CY", "T2"), "VL", "M1"), "SP", "SE")
    if ty == "ART":
        out = _retag(out, "M1", "M3")
    return out


def clean_endnote(fields: list[Tagged], ty: str) -> list[Tagged]:
    """EndNote's edited books: every AU is an editor (retagged A3)."""
    if ty != "EDBOOK":
        return fields
    return _retag(fields, "AU", "A3")


def clean_citavi(fields: list[Tagged]) -> list[Tagged]:
    """Citavi's first H1+H2 pair becomes DP+CN (library catalog, call number)."""
    if not any(f.tag == "H1" or f.tag == "H2" for f in fields):
        return fields  # the usual case, decided without building the tag set
    tags = {f.tag for f in fields}
    if "CN" in tags or "DP" in tags:
        return fields
    out = list(fields)
    if "H1" not in tags:
        k = next(k for k, f in enumerate(out) if f.tag == "H2")
        out[k] = Tagged("CN", out[k].value, out[k].line)
        return out
    for k in range(len(out) - 1):
        if out[k].tag == "H1" and out[k + 1].tag == "H2":
            out[k] = Tagged("DP", out[k].value, out[k].line)
            out[k + 1] = Tagged("CN", out[k + 1].value, out[k + 1].line)
            break
    return out
