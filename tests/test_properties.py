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


# -- HTML ------------------------------------------------------------------------

TAGS = st.sampled_from(["p", "div", "nav", "footer", "aside", "figure", "figcaption", "h1", "article",
                        "main", "script", "style", "span", "table", "tr", "td", "li", "ul", "header",
                        "template", "svg", "a", "br", "b", "select", "option", "title", "meta", "head",
                        "body", "html", "noscript", "iframe", "textarea", "pre", "math", "small"])
ATTRS = st.sampled_from(["", ' class="caption"', ' class="newsletter"', ' role="navigation"',
                         ' id="comments"', ' href="https://www.reuters.com/x"', ' charset="koi8-r"',
                         ' class="byline"', ' rel="author"', ' property="og:title" content="T"',
                         ' type="application/ld+json"', " class='", ' a=">'])
HTML_LEAF = st.one_of(PIECES, st.text(max_size=30),
                      st.sampled_from(["&amp;", "&#0;", "&#x110000;", "&nbsp;", "<!--", "-->", "<?pi ?>",
                                       "<!DOCTYPE html>", "</p>", "</div>", "<![CDATA[x]]>", "<", ">"]))


def _element(children):
    return st.tuples(TAGS, ATTRS, st.lists(children, max_size=5), st.booleans()).map(
        lambda t: f"<{t[0]}{t[1]}>{''.join(t[2])}" + (f"</{t[0]}>" if t[3] else ""))


HTML = st.recursive(HTML_LEAF, _element, max_leaves=40)
HTML_SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))


@HTML_SETTINGS
@given(HTML, st.sampled_from([None, "utf-8", "iso-8859-1", "shift_jis", "bogus"]))
def test_html_extraction_never_raises_and_spans_are_exact(html, charset):
    from provenance.extract_html import extract_html
    from provenance.model import Source

    source = Source(origin="p.html", data=html.encode("utf-8", "surrogatepass"), kind="html",
                    charset=charset)
    try:
        doc = extract_html(source)
    except ExtractError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert doc.text.strip() and doc.body in doc.text
    for block in doc.blocks:
        assert 0 <= block.start <= block.end <= len(doc.text)
    found = ENGINE.run(doc)
    for m in found:
        assert doc.text[m.start:m.end] == m.snippet
    again = extract_html(source)
    assert (again.text, again.blocks, again.body, again.title) == (doc.text, doc.blocks, doc.body, doc.title)
    assert ENGINE.run(again) == found
