"""The normalised view: folding, and offsets that map back to the original text."""

from __future__ import annotations

import random

from provenance.textview import _DROP, TextView, _fold_with_map


def _reference_fold(text: str) -> tuple[str, list[int]]:
    """Character by character: drop `_DROP`, keep a space only after a kept non-space."""
    out: list[str] = []
    pos: list[int] = []
    prev_space = False
    for i, ch in enumerate(text):
        if ch in _DROP or (ch == " " and prev_space):
            continue
        prev_space = ch == " "
        out.append(ch)
        pos.append(i)
    return "".join(out), pos


def test_fold_with_map_matches_the_character_by_character_definition():
    rng = random.Random(11)
    alphabet = ["a", "b", " ", " ", "\u00ad", "\u200b", "\ufeff", "\n", "é"]
    for _ in range(20_000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 24)))
        folded, pos = _fold_with_map(text)
        assert (folded, list(pos)) == _reference_fold(text), repr(text)


def test_view_offsets_point_at_the_original_words():
    text = "Laut\u00ad Reu\u00adters  \u201eheute\u201c \u2013 so   die\u200b Agentur"
    view = TextView(text)
    assert view.folded == 'Laut Reuters "heute" - so die Agentur'
    start = view.folded.index("Reuters")
    s, e = view.span(start, start + len("Reuters"))
    assert text[s:e] == "Reu\u00adters"
