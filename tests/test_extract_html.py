"""HTML extraction: body and chrome as labelled blocks, metadata, links, and
what the rules make of them."""

from __future__ import annotations

import json

import pytest
from localserver import ARTICLE

from provenance.extract import ExtractError, extract
from provenance.extract_html import html_charset
from provenance.model import Source


def html_doc(html: str | bytes, url: str | None = None, charset: str | None = None):
    data = html.encode("utf-8") if isinstance(html, str) else html
    return extract(Source(origin="page.html", data=data, kind="html", url=url, charset=charset))


def block_text(doc, kind: str) -> list[str]:
    return [doc.text[b.start:b.end] for b in doc.blocks if b.kind == kind]


def test_body_and_chrome_are_separate_blocks():
    doc = html_doc(ARTICLE)
    assert block_text(doc, "heading") == ["Council approves the new bridge"]
    assert "Home Reuters World" in block_text(doc, "nav")
    footer = "\n".join(block_text(doc, "footer"))
    assert "Sign up for our newsletter" in footer and "Imprint" in footer
    assert "According to Reuters" in doc.body and "newsletter" not in doc.body
    assert doc.body in doc.text  # the body is locatable in the analysed text
    # blocks tile the text in order and never overlap
    for a, b in zip(doc.blocks, doc.blocks[1:], strict=False):
        assert a.end < b.start
    assert doc.blocks[-1].end == len(doc.text)


def test_a_caption_inside_a_picture_element_is_a_caption(auditor):
    """Some sites put the caption and credit inside <picture>; browsers show them."""
    page = ("<html><body><article><h1>Leicester beat Chelsea</h1>"
            "<picture><source srcset='a.webp'><img src='a.jpg' alt=''>"
            "<div class='illustration__caption'><p>Two players fight for the ball.</p>"
            "<p class='credits'>afp.com/Michael Regan</p></div></picture>"
            "<p>Leicester won 2-0 on Saturday and moved up to second place in the table, "
            "two points behind the leaders, after a strong second half.</p>"
            "<p>The coach praised the team's patience after a slow start to the season.</p>"
            "</article></body></html>")
    doc = html_doc(page)
    assert any("afp.com/Michael Regan" in t for t in block_text(doc, "caption"))
    marks = auditor.audit_document(doc).markers
    assert {(m.category, m.entity) for m in marks if m.snippet == "afp.com"} == {("image-credit", "afp")}


def test_chrome_evidence_and_outlets_in_menus(auditor):
    result = auditor.audit_document(html_doc(ARTICLE))
    by = {(m.category, m.entity, m.block) for m in result.markers}
    assert ("boilerplate", "newsletter", "footer") in by
    assert ("boilerplate", "social-follow", "footer") in by
    assert ("citation", "reuters", "body") in by
    assert ("mention", "reuters", "nav") in by  # an outlet named in the menu is not a citation
    assert not any(m.category == "citation" and m.block != "body" for m in result.markers)
    for m in result.markers:
        assert result.document.text[m.start:m.end] == m.snippet


def test_domain_from_canonical_url_makes_self_citations_self(auditor):
    page = ARTICLE.replace("https://www.example-news.com/2024/bridge",
                           "https://www.reuters.com/world/bridge-idUS123")
    doc = html_doc(page)
    assert doc.url == "https://www.reuters.com/world/bridge-idUS123" and doc.domain == "reuters.com"
    roles = {m.role for m in auditor.audit_document(doc).markers if m.entity == "reuters"}
    assert "cited" not in roles and "self" in roles


def test_fetched_url_is_used_without_canonical():
    page = ARTICLE.replace('<link rel="canonical" href="https://www.example-news.com/2024/bridge">', "")
    doc = html_doc(page, url="https://news.example.co.uk/a/b")
    assert doc.url == "https://news.example.co.uk/a/b" and doc.domain == "example.co.uk"
    assert {lk.href for lk in doc.links} >= {"https://news.example.co.uk/world",
                                             "https://www.reuters.com/"}
    assert {lk.domain for lk in doc.links} == {"example.co.uk", "reuters.com"}


def test_metadata_and_json_ld():
    ld = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Example"},
        {"@type": "NewsArticle", "headline": "Bridge approved",
         "author": [{"@type": "Person", "name": "Jane Roe"}, {"name": "John Doe"}],
         "publisher": {"@type": "Organization", "name": "Example News"},
         "datePublished": "2024-03-01T10:00:00Z", "dateModified": "2024-03-02T08:00:00Z",
         "isBasedOn": "https://www.reuters.com/x", "sourceOrganization": {"name": "Reuters"}}]}
    page = ARTICLE.replace("</head>", '<meta property="og:site_name" content="Example News">'
                           '<script type="application/ld+json">' + json.dumps(ld) + "</script>"
                           '<script type="application/ld+json">{broken</script></head>')
    doc = html_doc(page)
    assert doc.title == "Council approves the new bridge"
    assert doc.lang == "en"
    meta = doc.meta
    assert meta["site_name"] == "Example News"
    assert meta["canonical"] == "https://www.example-news.com/2024/bridge"
    assert meta["published"] == "2024-03-01T10:00:00Z" and meta["modified"] == "2024-03-02T08:00:00Z"
    assert meta["bylines"] == ["Jane Roe", "John Doe"]
    assert meta["json_ld"]["type"] == "NewsArticle"
    assert meta["json_ld"]["isBasedOn"] == "https://www.reuters.com/x"
    assert meta["json_ld"]["sourceOrganization"] == "Reuters"
    assert meta["json_ld"]["publisher"] == "Example News"


def test_captions_and_comments_are_labelled(auditor):
    page = ARTICLE.replace(
        "<p>The mayor said",
        '<figure><img src="b.jpg"><figcaption>The old bridge. Photo: Reuters</figcaption></figure>'
        "<p>The mayor said").replace(
        "</article>", '</article><section id="comments"><p>Great news for our district, '
        "finally! says reader Tom</p></section>")
    doc = html_doc(page)
    assert any("Photo: Reuters" in t for t in block_text(doc, "caption"))
    assert "Photo: Reuters" not in doc.body
    assert any("Great news" in t for t in block_text(doc, "comments"))
    markers = auditor.audit_document(doc).markers
    credit = [m for m in markers if m.category == "image-credit"]
    assert credit and credit[0].block == "caption" and credit[0].entity == "reuters"


def test_page_charset_from_meta_when_http_gives_none():
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=windows-1251">'
            '</head><body><p>Привет, мир! Это проверка кодировки страницы.</p></body></html>')
    data = page.encode("cp1251")
    assert html_charset(Source(origin="x", data=data, kind="html")).lower() == "windows-1251"
    assert "Привет, мир!" in html_doc(data).text


def test_utf8_bytes_overrule_a_wrong_declaration():
    data = "<html><body><p>Größe und Straße</p></body></html>".encode()
    assert html_charset(Source(origin="x", data=data, kind="html", charset="iso-8859-1")) == "utf-8"


def test_page_without_text_is_a_failure():
    with pytest.raises(ExtractError):
        html_doc("<html><head><title></title></head><body><script>x()</script></body></html>")


def _reference_depth(html: str) -> int:
    """The nesting depth `_shallow` guards, computed the plain way: tag by tag."""
    from provenance.extract_html import _FLAT_TAGS, _TAG

    depth = peak = 0
    for slash, name, attrs in _TAG.findall(html):
        if attrs.endswith("/") or name.lower() in _FLAT_TAGS:
            continue
        depth = (depth - 1 if depth else 0) if slash else depth + 1
        peak = max(peak, depth)
    return peak


def test_depth_guard_keeps_pages_within_the_limit_and_cuts_deeper_ones():
    """Random tag soup (stray closers, self-closing and void tags, `<` in attribute
    values): a page is returned unchanged exactly when its depth is within the limit;
    a deep page comes back no deeper than the limit, its text kept."""
    import random

    from provenance.extract_html import _shallow

    rng = random.Random(4)
    pieces = ["<div>", "</div>", "<p>", "</p>", "<br>", "<div/>", "<img alt='</div>'>", "<SPAN>",
              "</span>", "<a href='x/'>", "<x-y>", "</x-y>", "text", "<", ">", "/", "<i", "</b"]
    for _ in range(3000):
        html = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 60)))
        limit = rng.randint(0, 6)
        out = _shallow(html, limit)
        assert (out == html) == (_reference_depth(html) <= limit), html
    deep = "<div><p>" * 500 + "Laut Reuters" + "</p></div>" * 500
    assert _reference_depth(_shallow(deep)) == 256 and "Laut Reuters" in _shallow(deep)


def test_chrome_walk_reads_very_deep_trees_as_text():
    """A tree deeper than the walk goes (misnesting the depth guard cannot see) is read
    as text, in order, without recursion."""
    from selectolax.lexbor import LexborHTMLParser

    from provenance.extract_html import _lines

    html = ("<p>Before.</p>" + "<div><span class='byline'>" * 1500 + "Laut Reuters steigen die Preise."
            + "</span></div>" * 1500 + "<footer>Imprint</footer>")
    lines = _lines(LexborHTMLParser(html))
    assert lines == [("page", "Before."), ("page", "Laut Reuters steigen die Preise."),
                     ("footer", "Imprint")]


def test_rooted_links_are_joined_as_urljoin_joins_them():
    """The shortcut for "/path" links gives urljoin's answer wherever it applies, on
    random paths with dot segments, params, empty queries and stripped characters."""
    import random
    from urllib.parse import urljoin

    from provenance.extract_html import _PLAIN_ROOTED, _origin

    rng = random.Random(5)
    alphabet = ["/", "a", ".", "..", "?", "#", ";", "=", "%20", "\t", "\n", "x.html", " ", "\\", "é"]
    bases = ["https://example.com/a/b.html", "http://u:p@Example.com:80/x/", "https://example.com",
             "https://example.com/a;p?q#f"]
    shortcut = 0
    for _ in range(20_000):
        href = ("/" + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))).strip()
        base = rng.choice(bases)
        if href and _PLAIN_ROOTED.match(href):
            shortcut += 1
            assert _origin(base) + href == urljoin(base, href), (base, href)
    assert shortcut > 5_000
    assert _origin("ftp://example.com/") is None and _origin("http://[::1/") is None
