"""`$...$` in titles and abstracts as MathML, made at build time: `$\\nabla^2$DFT` reads as math, not as
dollar signs and backslashes, with no script and no web font in the reader's browser.

latex2mathml (a well-kept pure-Python converter) writes the MathML; its output is not trusted as it is:
`\\text{<b>}` would pass markup through and `\\href`/`\\style` attributes. So the output is parsed as XML
and written again from an allow-list of MathML presentation elements and attributes, every text escaped.
A formula that does not parse, uses a command the converter does not know, or holds anything outside the
list stays the source text, escaped. Only pages use this: feeds, search, BibTeX and email keep the text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import markupsafe
from latex2mathml.converter import convert

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
MAX_FORMULA = 300
"""Longer `$...$` spans are left as text: titles and abstracts hold short inline formulas, and the bound
keeps a stranger's snapshot from making the converter's work (or its recursion) large."""
MAX_FORMULAS = 40
"""At most this many formulas of one text are converted; the rest stay text."""

# An inline formula as pandoc reads one: `$` then a non-space, up to a `$` after a non-space that is not
# followed by a digit, on one line; `\$` is a dollar sign. So "$5 and $10" is money, not math.
_FORMULA = re.compile(r"(?<![\\$])\$(?=[^\s$])((?:[^$\n\\]|\\.){1,LIMIT}?)(?<=[^\s\\])\$(?![\d$])"
                      .replace("LIMIT", str(MAX_FORMULA)))

_ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt",
    "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle", "mpadded", "mphantom",
    "menclose", "mfenced"))
_ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "fence", "separator", "form", "lspace", "rspace", "accent",
    "accentunder", "movablelimits", "largeop", "symmetric", "minsize", "maxsize", "columnalign",
    "columnspacing", "rowspacing", "columnlines", "rowlines", "frame", "width", "height", "depth",
    "linethickness", "displaystyle", "scriptlevel", "notation", "align", "rowalign", "open", "close",
    "separators"))
_SAFE_VALUE = re.compile(r"[\w .%+-]{0,40}")


class _Unsafe(Exception):
    """The converter's output holds something outside the allow-list: show the source instead."""


@lru_cache(maxsize=8192)
def formula_markup(latex: str) -> str:
    """The MathML of one formula (without its dollars), or "" when it is not shown as math."""
    try:
        return "".join(_write(ET.fromstring(convert(latex)), top=True))
    except Exception:  # noqa: BLE001 - _Unsafe, a ParseError, and the many kinds (RecursionError too) the converter raises
        return ""


def _write(node: ET.Element, top: bool = False) -> list[str]:
    namespace, _, tag = node.tag.rpartition("}")
    if namespace != "{" + MATHML_NS or tag not in _ELEMENTS or (tag == "math") != top:
        raise _Unsafe(tag)
    attributes = "".join(f' {name}="{markupsafe.escape(value)}"' for name, value in sorted(node.attrib.items())
                         if name in _ATTRIBUTES and _SAFE_VALUE.fullmatch(value)
                         and (name, value) != ("display", "inline"))  # inline is the default
    if top:
        attributes = f' xmlns="{MATHML_NS}"' + attributes
    text = node.text or ""
    if tag == "mi" and text.startswith("\\"):  # a command the converter did not know, shown as its name
        raise _Unsafe(text)
    out = [f"<{tag}{attributes}>", str(markupsafe.escape(text))]
    for child in node:
        out += _write(child)
        out.append(str(markupsafe.escape(child.tail or "")))
    out.append(f"</{tag}>")
    return out


def with_math(text: str) -> markupsafe.Markup:
    """`text` escaped, its inline `$...$` formulas as MathML where they convert cleanly."""
    if "$" not in text:
        return markupsafe.escape(text)
    out: list[str] = []
    last = 0
    for count, match in enumerate(_FORMULA.finditer(text)):
        if count >= MAX_FORMULAS:
            break
        mathml = formula_markup(match.group(1))
        if mathml:
            out += [str(markupsafe.escape(text[last:match.start()])), mathml]
            last = match.end()
    out.append(str(markupsafe.escape(text[last:])))
    return markupsafe.Markup("".join(out))
