"""JSON text in and out: orjson where it can, the standard library where it cannot.

orjson encodes the records ``syncd convert`` prints, the mirror's stored items and
the reports two to three times faster than ``json`` (``benchmarks/bench_convert.py``),
and its output is the same JSON content (compact separators, UTF-8 unescaped). It
refuses a few values ``json`` writes: lone surrogates, integers beyond 64 bits,
keys that are not strings. None comes out of the reader or the API, but a value
that does is written by ``json`` instead (as ASCII escapes, the same content), so
nothing that worked before fails now.
"""

from __future__ import annotations

import json
from typing import Any

import orjson


def dumps(value: Any, *, sort_keys: bool = False, indent: bool = False) -> bytes:
    """``value`` as UTF-8 JSON: compact, or indented by two spaces."""
    option = (orjson.OPT_SORT_KEYS if sort_keys else 0) | (orjson.OPT_INDENT_2 if indent else 0)
    try:
        return orjson.dumps(value, option=option)
    except TypeError:
        text = json.dumps(value, sort_keys=sort_keys, indent=2 if indent else None)
        return text.encode()


def dumps_str(value: Any, *, sort_keys: bool = False, indent: bool = False) -> str:
    """As :func:`dumps`, as text (for SQLite columns and ``click.echo``)."""
    return dumps(value, sort_keys=sort_keys, indent=indent).decode()


def loads(text: str | bytes) -> Any:
    """The value of JSON ``text``; what orjson refuses (NaN, escaped lone surrogates)
    is read by ``json``, which raises its own error for text that is not JSON."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)
