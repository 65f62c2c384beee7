"""A normalised view of a text with a map back to the original offsets.

Rules match on the view (typographic quotes and dashes folded, every run of
spaces one space, line breaks kept so that a match never spans two lines or
blocks, soft hyphens and zero-width characters gone), and
markers are reported in offsets of the original text, so that evidence
quotes exactly what the document says.
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left

_FOLD = {
    # quotes
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
    "\u00bb": '"', "\u2033": '"', "\u2018": "'", "\u2019": "'", "\u201a": "'",
    "\u201b": "'", "\u2039": "'", "\u203a": "'", "\u2032": "'", "\u00b4": "'",
    "`": "'",
    # dashes and minus signs
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
    "\u2015": "-", "\u2212": "-", "\ufe58": "-", "\ufe63": "-", "\uff0d": "-",
    # spaces
    "\t": " ", "\r": "\n", "\x0b": " ", "\x0c": " ", "\u00a0": " ",
    "\u1680": " ", "\u2000": " ", "\u2001": " ", "\u2002": " ", "\u2003": " ",
    "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2007": " ", "\u2008": " ",
    "\u2009": " ", "\u200a": " ", "\u2028": "\n", "\u2029": "\n", "\u202f": " ",
    "\u205f": " ", "\u3000": " ", "\x85": "\n",
}
_DROP = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_SPACE_RUN = re.compile(r" {2,}")
# what `_fold_with_map` rewrites: runs of spaces and dropped characters, but lone spaces
_DROP_OR_SPACES = re.compile("[" + re.escape(_DROP) + " ]{2,}|[" + re.escape(_DROP) + "]")


_FOLD_MAP = {**_FOLD, **{c: "" for c in _DROP}}
# str.translate looks every character up in a dict when the text is not ASCII;
# a regex finds the few characters to change at C speed (same result)
_FOLD_CHARS = re.compile("[" + "".join(re.escape(c) for c in _FOLD) + "]")
_FOLD_OR_DROP_CHARS = re.compile("[" + "".join(re.escape(c) for c in _FOLD_MAP) + "]")


def _replace(m: re.Match[str]) -> str:
    return _FOLD_MAP[m.group()]


def fold(text: str) -> str:
    """The character folding alone, for short strings such as phrases."""
    text = _FOLD_OR_DROP_CHARS.sub(_replace, text)
    if "  " in text:
        text = _SPACE_RUN.sub(" ", text)
    return text.strip()


class TextView:
    """`folded` keeps case, `lower` is its lower-case twin of equal length."""

    __slots__ = ("text", "folded", "lower", "_pos")

    def __init__(self, text: str) -> None:
        self.text = text
        simple = _FOLD_CHARS.sub(_replace, text)
        # nothing to drop and no run of spaces: substring tests run at C speed, where
        # a regex alternation tried at every character cost half of the view
        if "  " not in simple and not any(c in simple for c in _DROP):
            self.folded = simple
            self._pos: array | None = None  # identity map
        else:
            self.folded, self._pos = _fold_with_map(simple)
        lower = self.folded.lower()
        if len(lower) != len(self.folded):  # e.g. "İ" lowers to two characters
            lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in self.folded)
        self.lower = lower

    @property
    def identity(self) -> bool:
        """True when offsets in the view are offsets in the text."""
        return self._pos is None

    def view_span(self, start: int, end: int) -> tuple[int, int]:
        """The view's [start, end) holding the characters of the text's [start, end)
        that the view keeps (the inverse of `span`, for blocks of the text)."""
        if self._pos is None:
            return start, end
        return bisect_left(self._pos, start), bisect_left(self._pos, end)

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Original [start, end) of the view's [start, end)."""
        if self._pos is None:
            return start, end
        if end <= start:
            o = self._pos[start] if start < len(self._pos) else len(self.text)
            return o, o
        return self._pos[start], self._pos[end - 1] + 1


def _fold_with_map(simple: str) -> tuple[str, array]:
    """Drop `_DROP` characters and collapse runs of spaces, with the offset in
    `simple` of every character kept. A run of spaces and dropped characters
    becomes its first space (or nothing when it has none); the text between
    runs is copied, and its offsets added, at C speed."""
    out: list[str] = []
    pos = array("l")
    last = 0
    for m in _DROP_OR_SPACES.finditer(simple):
        start, end = m.span()
        if start > last:
            out.append(simple[last:start])
            pos.extend(range(last, start))
        space = simple.find(" ", start, end)
        if space >= 0:
            out.append(" ")
            pos.append(space)
        last = end
    out.append(simple[last:])
    pos.extend(range(last, len(simple)))
    return "".join(out), pos
