"""The engine's shortcuts give what the plain way gives: identity views, folded lines
taken from the view, and one automaton for lower-case phrases and prefilter literals."""

from __future__ import annotations

import re

from conftest import example_texts, text_doc
from hypothesis import given, settings
from hypothesis import strategies as st

from provenance.prefilter import prefilter_text
from provenance.rules import Engine
from provenance.textview import _DROP, _FOLD, TextView, fold

_OLD_DROP_OR_SPACE_RUN = re.compile("[" + re.escape(_DROP) + "]|  ")
_ALPHABET = list(_FOLD) + list(_DROP) + list("ab äß\n İ.:|»")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60))
def test_identity_iff_nothing_to_drop_or_collapse(text):
    simple = text.translate(str.maketrans(_FOLD))
    view = TextView(text)
    assert view.identity == (_OLD_DROP_OR_SPACE_RUN.search(simple) is None)


class _Folding:
    """A view that claims not to be the identity, so that `_lines` folds each line."""

    identity = False

    def __init__(self, view: TextView) -> None:
        self.folded = view.folded


def _block_lines(ruleset):
    return example_texts(r for r in ruleset.rules if r.kind in ("block", "repeat"))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_lines_from_an_identity_view_are_the_folded_lines(ruleset, data):
    """`_lines` on an identity view slices `view.folded`; the same markers as `fold` per line."""
    engine = Engine(ruleset)
    lines = _block_lines(ruleset)
    assert lines
    noise = st.text(alphabet=[c for c in _ALPHABET if c not in _DROP], max_size=20)
    pieces = data.draw(st.lists(st.one_of(st.sampled_from(lines), noise,
                                          st.tuples(noise, st.sampled_from(lines), noise).map("".join)),
                                min_size=1, max_size=8))
    text = "\n".join(pieces * data.draw(st.integers(1, 2)))  # repeats for the repeat rule
    doc = text_doc(text)
    view = TextView(text)
    assert list(engine._lines(doc, view)) == list(engine._lines(doc, _Folding(view)))
    if view.identity:
        pos = 0
        for raw in text.split("\n"):
            stripped = raw.strip()
            s = pos + raw.find(stripped)
            assert view.folded[s:s + len(stripped)] == fold(stripped)
            pos += len(raw) + 1


def test_block_lines_are_found_through_the_view(ruleset):
    engine = Engine(ruleset)
    lines = _block_lines(ruleset)
    text = "\n".join(f"\u201c{line}\u201d" if i % 2 else line for i, line in enumerate(lines))
    doc = text_doc(text)
    view = TextView(text)
    assert view.identity
    found = list(engine._lines(doc, view))
    assert found  # the examples do match
    assert found == list(engine._lines(doc, _Folding(view)))


def test_literals_are_found_where_prefilter_text_differs(ruleset):
    """A text with "İ" makes `prefilter_text` differ from `view.lower`: literals then get a
    pass of their own over the mapped text, and the markers are those without prefilter."""
    fast, slow = Engine(ruleset), Engine(ruleset, prefilter=False)
    texts = example_texts((r for r in ruleset.rules if r.kind in ("pattern", "credit", "phrase")),
                          no_match=False)
    checked = 0
    for text in texts:
        for variant in (text, "İstanbul. " + text, text.replace("i", "ı", 1)):
            doc = text_doc(variant)
            view = TextView(variant)
            assert fast.run(doc) == slow.run(doc), variant
            checked += prefilter_text(view.lower) is not view.lower
    assert checked > len(texts) // 2


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=60), st.integers(0, 60), st.integers(0, 60))
def test_view_span_holds_exactly_the_kept_characters_of_a_text_span(text, a, b):
    """`view_span` maps a block of the text into the view: the view characters inside it
    are those that come from the block, and no others."""
    view = TextView(text)
    s, e = min(a, b, len(text)), min(max(a, b), len(text))
    vs, ve = view.view_span(s, e)
    for i in range(len(view.folded)):
        origin = view.span(i, i + 1)[0]
        assert (vs <= i < ve) == (s <= origin < e)


def test_region_rules_scan_their_blocks_in_a_view_that_is_not_the_identity(ruleset):
    """Caption and navigation rules scan only their blocks, also when runs of spaces or soft
    hyphens make view offsets differ from the text's: the same markers as in the same page
    without them."""
    from conftest import blocks_doc

    engine = Engine(ruleset)
    parts = [("nav", "Follow us on Twitter"), ("heading", "Minister tritt zurück"),
             ("body", "Der Minister trat am Montag zurück, wie die Regierung mitteilte. " * 4),
             ("caption", "Der Minister vor der Presse. Delil Souleiman /AFP"),
             ("caption", "Foto: Max Muster/dpa"),
             ("body", "Die Opposition begrüßte den Schritt. Laut Außenministerium ist alles gut.")]
    spaced = [(kind, chunk.replace(" ", "  ").replace("Minister", "Minis\u00adter")) for kind, chunk in parts]
    plain_doc, spaced_doc = blocks_doc(parts), blocks_doc(spaced)
    assert TextView(plain_doc.text).identity and not TextView(spaced_doc.text).identity

    held = {r.id for r in ruleset.rules if "regions" in r.spec and "body" not in r.spec["regions"]}

    def seen(doc):
        return sorted((m.rule_id, m.entity, m.block, fold(m.snippet)) for m in engine.run(doc)
                      if m.rule_id in held)

    found = seen(spaced_doc)
    assert {m[0] for m in found} >= {"image-credit.caption-tail", "boilerplate.social-follow.button"}
    assert found == seen(plain_doc)
