"""LaTeX in BibTeX values to plain Unicode text.

Hand-written: the libraries measured (see :mod:`syncd.formats.bibtex.reader`) were
either not installable beside pyzotero (bibtexparser 2 with pylatexenc, 3 ms a
record) or left commands in the text (bibtexparser 1.4's ``latex_to_unicode``).
What BibTeX exports hold is a small language: accents (``{\\"a}``, ``\\'{e}``,
``\\v c``), letter commands (``\\ss``, ``\\o``, ``\\i``), escaped specials (``\\&``,
``\\%``), font commands whose argument is the text (``\\textit{...}``), dashes
(``--``, ``---``), ``~`` as a no-break space, protective braces (``{{Title Case}}``)
and short math (``$\\Sigma^{0}$``, ``$_{2}$``). That is what this module reads.

Unlike Zotero's import, font commands give plain text rather than HTML (``<i>``,
``<b>``, ``<sup>``): syncd strips such markup from every other format, and the same
work must give the same title whichever format it comes from. Superscripts and
subscripts become Unicode characters where they all have one (``Σ⁰``), else plain.
An unknown command keeps its name as text, so nothing is silently lost.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

_ACCENTS: Final = {
    "`": "\u0300",
    "'": "\u0301",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    "u": "\u0306",
    ".": "\u0307",
    '"': "\u0308",
    "r": "\u030a",
    "H": "\u030b",
    "v": "\u030c",
    "d": "\u0323",
    "c": "\u0327",
    "k": "\u0328",
    "b": "\u0331",
    "t": "\u0361",
}
_SYMBOLS: Final = {
    "ss": "ß",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "o": "ø",
    "O": "Ø",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "\u0131",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "dj": "đ",
    "DJ": "Đ",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "textendash": "\u2013",
    "textemdash": "\u2014",
    "textquotesingle": "'",
    "textquotedbl": '"',
    "textquoteleft": "\u2018",
    "textquoteright": "\u2019",
    "textquotedblleft": "\u201c",
    "textquotedblright": "\u201d",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textdegree": "°",
    "textregistered": "®",
    "texttrademark": "™",
    "textcopyright": "©",
    "copyright": "©",
    "textellipsis": "…",
    "ldots": "…",
    "dots": "…",
    "textbullet": "•",
    "textperiodcentered": "·",
    "textsection": "§",
    "S": "§",
    "P": "¶",
    "textmu": "µ",
    "texteuro": "€",
    "pounds": "£",
    "textsterling": "£",
    "guillemotleft": "«",
    "guillemotright": "»",
    "textexclamdown": "¡",
    "textquestiondown": "¿",
    "backslash": "\\",
    "times": "\u00d7",
    "pm": "±",
    "mp": "∓",
    "cdot": "·",
    "infty": "∞",
    "le": "≤",
    "leq": "≤",
    "ge": "≥",
    "geq": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "\u223c",
    "rightarrow": "→",
    "to": "→",
    "leftarrow": "←",
    "degree": "°",
    "prime": "\u2032",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "sqrt": "√",
    "in": "∈",
    "circ": "∘",
    "quad": " ",
    "qquad": " ",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "relax": "",
    "noopsort": "",
    "/": "",
}
_GREEK: Final = [
    "alpha",
    "beta",
    "gamma",
    "delta",
    "epsilon",
    "zeta",
    "eta",
    "theta",
    "iota",
    "kappa",
    "lambda",
    "mu",
    "nu",
    "xi",
    "omicron",
    "pi",
    "rho",
    "sigma",
    "tau",
    "upsilon",
    "phi",
    "chi",
    "psi",
    "omega",
]
for _k, _name in enumerate(_GREEK):
    _SYMBOLS[_name] = chr(0x3B1 + _k + (1 if _k >= 17 else 0))
    _SYMBOLS[_name.capitalize()] = chr(0x391 + _k + (1 if _k >= 17 else 0))
_SYMBOLS.update({"varepsilon": "ε", "vartheta": "ϑ", "varphi": "φ", "varsigma": "ς"})
# Commands whose argument is the text itself (fonts, boxes, links, case protection).
_TEXT_COMMANDS: Final = frozenset(
    [
        "textit",
        "textbf",
        "textsc",
        "textrm",
        "textsf",
        "texttt",
        "textup",
        "textsl",
        "textmd",
        "textnormal",
        "emph",
        "mathrm",
        "mathit",
        "mathbf",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathnormal",
        "text",
        "mbox",
        "hbox",
        "url",
        "href",
        "uppercase",
        "lowercase",
        "MakeUppercase",
        "MakeLowercase",
        "ensuremath",
        "bm",
        "boldsymbol",
        "textsuperscript",
        "textsubscript",
        "enquote",
    ]
)
# Font switches: ``{\\em text}``, ``{\\bf text}``: the switch goes, the text stays.
_SWITCHES: Final = frozenset(
    ["em", "it", "bf", "sc", "rm", "sf", "tt", "sl", "up", "normalfont", "itshape", "bfseries"]
)
_ESCAPED: Final = frozenset("&%$#_{}")
_SUPER: Final = dict(zip("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ", strict=True))
_SUB: Final = dict(zip("0123456789+-=()aeox", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓ", strict=True))
_SPACES_RE: Final = re.compile(r"\s+")
_SPECIAL_RE: Final = re.compile(r"[\\{}$~^_]|--")
_TOKEN_RE: Final = re.compile(r"\\(?:[A-Za-z]+\*?|.)|[{}$~^_]|-{2,3}", re.DOTALL)


def decode(value: str) -> str:
    """``value`` (raw LaTeX) as text: commands resolved, braces gone, spaces collapsed."""
    if len(value) <= 64:
        return _decode_short(value)
    return _decode(value)


@lru_cache(maxsize=8192)  # names, initials, journals and keywords repeat across an export
def _decode_short(value: str) -> str:
    return _decode(value)


def _decode(value: str) -> str:
    if _SPECIAL_RE.search(value) is None:
        return " ".join(value.split())  # what _SPACES_RE does below, in C
    text = _Decoder(value).run()
    if not text.isascii():
        text = unicodedata.normalize("NFC", text)
    return _SPACES_RE.sub(" ", text).strip()


def decode_verbatim(value: str) -> str:
    """A URL, DOI or path: escaped specials unescaped and braces dropped, nothing else
    (no dashes, no ``~``: they are part of addresses)."""
    if "\\" not in value and "{" not in value and "}" not in value:
        return value.strip()
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value) and value[i + 1] in _ESCAPED | {"~", "\\"}:
            out.append(value[i + 1])
            i += 2
            continue
        if ch not in "{}":
            out.append(ch)
        i += 1
    return "".join(out).strip()


class _Decoder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.math = False

    def run(self) -> str:
        return self._until(len(self.text))

    def _until(self, end: int) -> str:
        out: list[str] = []
        text = self.text
        while self.pos < end:
            m = _TOKEN_RE.search(text, self.pos, end)
            if m is None:
                out.append(text[self.pos : end])
                self.pos = end
                break
            out.append(text[self.pos : m.start()])
            self.pos = m.end()
            out.append(self._token(m.group(), end))
        return "".join(out)

    def _token(self, tok: str, end: int) -> str:
        if tok in ("{", "}"):
            return ""
        if tok == "$":
            self.math = not self.math
            return ""
        if tok == "~":
            return "\u00a0"
        if tok in ("^", "_"):
            if not self.math:
                return tok
            arg = self._argument(end)
            table = _SUPER if tok == "^" else _SUB
            if arg and all(c in table for c in arg):
                return "".join(table[c] for c in arg)
            return arg
        if tok == "--":
            return "\u2013"
        if tok == "---":
            return "\u2014"
        return self._command(tok[1:], end)

    def _command(self, name: str, end: int) -> str:
        if name in _ESCAPED:
            return name
        if name == "\\":
            return " "
        if name in (" ", ",", ";", ":", "!", ">"):
            return " " if name != "!" else ""
        if name in _ACCENTS:
            if name == "~" and (self.pos >= end or self.text[self.pos].isspace()):
                return "\u223c"  # a tilde with nothing under it: the operator, as Zotero
            base = self._argument(end)
            if not base:
                return _ACCENTS[name] if name not in "'`^~\".=" else name
            if base[0] == "\u0131":  # ``\'{\i}``: the accent takes the dot's place
                base = "i" + base[1:]
            return base[0] + _ACCENTS[name] + base[1:]
        name = name.rstrip("*")
        if name in _SYMBOLS:
            self._skip_empty_group(end)
            self._skip_space_after_word(end)
            return _SYMBOLS[name]
        if name in _TEXT_COMMANDS:
            if name in ("href",):
                self._argument(end)  # the address; the text follows
            return self._argument(end)
        if name in _SWITCHES:
            self._skip_space_after_word(end)
            return ""
        return name

    def _skip_empty_group(self, end: int) -> None:
        if self.text.startswith("{}", self.pos) and self.pos + 2 <= end:
            self.pos += 2

    def _skip_space_after_word(self, end: int) -> None:
        # A space after a control word only ends the word (``\\ss e`` is "ße").
        if self.pos < end and self.text[self.pos] == " ":
            self.pos += 1

    def _argument(self, end: int) -> str:
        """The next argument: a braced group (decoded) or one character."""
        text = self.text
        while self.pos < end and text[self.pos] == " ":
            self.pos += 1
        if self.pos >= end:
            return ""
        if text[self.pos] == "{":
            close = _matching(text, self.pos, end)
            start = self.pos + 1
            saved = self.pos
            self.pos = start
            inner = self._until(close)
            self.pos = close + 1 if close < end else end
            if saved == close:
                return ""
            return inner
        if text[self.pos] == "\\":
            m = _TOKEN_RE.match(text, self.pos, end)
            if m is not None:
                self.pos = m.end()
                return self._token(m.group(), end)
        ch = text[self.pos]
        self.pos += 1
        return ch


def _matching(text: str, start: int, end: int) -> int:
    """Offset of the brace closing the one at ``start`` (``end`` when it never closes)."""
    depth = 0
    i = start
    while i < end:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return end
