"""Property-based tests: on arbitrary text the engine never raises, every span is
exact and the output is deterministic; decoding arbitrary bytes either gives a
document or a one-line reason."""

from __future__ import annotations

from conftest import text_doc
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from provenance import packs
from provenance.extract import ExtractError, decode
from provenance.rules import Engine
from provenance.textview import TextView

ENGINE = Engine(packs.load())
PIECES = st.sampled_from([
    "Laut Reuters", " (dpa) ", "Folgen Sie uns auf Telegram", "\u00ad", "\u00a0", "\n", "  ",
    "„Spiegel“", "Foto: Max Muster/dpa", "(SeaPRwire) –", "nach oben", "İ", "ß", "\u200b", "told the BBC",
    "Abonnieren Sie unseren Newsletter", "\r\n", "\t", "—", "Wie die BBC jedoch betont,",
])
TEXTS = st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=30).map("".join)
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(TEXTS)
def test_engine_spans_exact_and_deterministic(text):
    doc = text_doc(text)
    first = ENGINE.run(doc)
    for m in first:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.snippet
    assert ENGINE.run(doc) == first


@SETTINGS
@given(TEXTS, st.integers(0, 200), st.integers(0, 200))
def test_textview_maps_back_inside_the_text(text, a, b):
    view = TextView(text)
    assert len(view.lower) == len(view.folded)
    s, e = sorted((min(a, len(view.folded)), min(b, len(view.folded))))
    os_, oe = view.span(s, e)
    assert 0 <= os_ <= oe <= len(text)


@SETTINGS
@given(st.binary(max_size=2000))
def test_decode_never_raises_anything_else(data):
    try:
        text = decode(data)
    except ExtractError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert text.strip()
