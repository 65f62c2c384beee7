"""HTML -> `Document`: the article body and the page chrome as labelled blocks.

The body comes from trafilatura (the field's reference extractor, F1 0.96 on
the article-extraction benchmark); the chrome comes from one selectolax
(lexbor) pass over the page, line by line, each line labelled by the element
it sits in (nav, footer, aside, caption, comments). The chrome is kept
because a donation box or a newsletter form is evidence, not noise.

`Document.text` is laid out as: chrome before the article, the heading, the
body (exactly trafilatura's text, so `Document.body` is locatable in `text`),
then the chrome after the article. Every part is a `Block`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from itertools import accumulate
from typing import Any
from urllib.parse import urljoin, urlsplit

from .extract import ExtractError, clean_text, decode, detect_lang, document_id, registered_domain
from .model import Block, Document, Link, Source

# Elements that end a line of text; everything else is inline.
_BLOCK_TAGS = frozenset(
    "address article aside blockquote body br dd details dialog div dl dt fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary "
    "table tbody td tfoot th thead tr ul legend option".split())
# `picture` is not skipped: it normally holds only <source> and <img>, but some sites put
# the picture's caption and credit inside it ("afp.com/Michael Regan"), and browsers show them
_SKIP_TAGS = frozenset("script style noscript template svg head iframe select object canvas "
                       "math video audio map".split())
# Elements whose tag alone gives the region of everything inside.
_TAG_REGION = {"nav": "nav", "header": "nav", "footer": "footer", "aside": "aside",
               "figcaption": "caption", "figure": "caption", "picture": "caption", "menu": "nav"}
_ROLE_REGION = {"navigation": "nav", "banner": "nav", "contentinfo": "footer",
                "complementary": "aside", "menu": "nav", "menubar": "nav"}
# class/id words that name a region; checked on block elements only (speed).
_CLASS_REGION = [
    (re.compile(r"comment|disqus|discussion|leserkommentar|kommentare", re.I), "comments"),
    (re.compile(r"(?:^|[-_ ])(?:caption|credits?|bildunterschrift|legende|photo-?credit)(?:$|[-_ ])",
                re.I), "caption"),
    (re.compile(r"(?:^|[-_ ])(?:nav|navbar|navigation|menu|breadcrumbs?|masthead|topbar)(?:$|[-_ ])",
                re.I), "nav"),
    (re.compile(r"(?:^|[-_ ])(?:footer|site-?footer|colophon)(?:$|[-_ ])", re.I), "footer"),
    (re.compile(r"(?:^|[-_ ])(?:sidebar|aside|related|teaser|widget|promo|newsletter|recommend\w*)"
                r"(?:$|[-_ ])", re.I), "aside"),
]
_CREDIT_INLINE = frozenset(("span", "small", "cite"))
# "article__author-credit" is the byline's agency credit, not a picture credit
_BYLINE_CLASS = re.compile(r"author|byline|autor", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_ARTICLE_TYPES = {"NewsArticle", "Article", "ReportageNewsArticle", "AnalysisNewsArticle",
                  "BlogPosting", "OpinionNewsArticle", "ReviewNewsArticle", "Report",
                  "BackgroundNewsArticle", "LiveBlogPosting", "TechArticle", "ScholarlyArticle"}
_WS = re.compile(r"\s+")
CHROME_KINDS = ("nav", "footer", "aside", "caption", "comments")


def html_charset(source: Source) -> str | None:
    """The charset to try first: HTTP's, else the page's own `<meta>`.

    A declaration that is not UTF-8 on bytes that are valid, non-ASCII UTF-8
    is overruled: such bytes are almost never another encoding by accident,
    and servers that send a stale `charset=iso-8859-1` are common.
    """
    declared = source.charset
    if not declared:
        m = _META_CHARSET.search(source.data[:4096])
        declared = m.group(1).decode("ascii", "replace") if m else None
    if declared and declared.lower().replace("_", "-") not in ("utf-8", "utf8"):
        try:
            source.data.decode("utf-8")
        except UnicodeDecodeError:
            return declared
        if not source.data.isascii():
            return "utf-8"
    return declared


def extract_html(source: Source) -> Document:
    """Decode, find the body with trafilatura and the chrome with selectolax."""
    from selectolax.lexbor import LexborHTMLParser

    html = _shallow(decode(source.data, html_charset(source)))
    tree = LexborHTMLParser(html)
    meta = _metadata(tree)
    body_text = _body(html)
    lines = _lines(tree)
    text, blocks, body = _layout(lines, body_text, meta.get("heading"))
    if not text.strip():
        raise ExtractError("no text in the page")
    page_url = meta.get("canonical") or source.url
    if page_url and source.url and not urlsplit(page_url).scheme:
        page_url = urljoin(source.url, page_url)
    if page_url and not page_url.startswith(("http://", "https://")):
        page_url = source.url
    links = _links(tree, source.url or page_url)
    doc_meta = dict(source.meta)
    doc_meta.update({k: v for k, v in meta.items() if v and k != "heading"})
    doc_meta["links"] = len(links)
    title = source.title or meta.get("title") or meta.get("heading")
    # 800 characters identify a language reliably at a quarter of the default sample's cost
    lang = detect_lang((body or text)[:800]) or meta.get("html_lang")
    return Document(
        id=document_id(source.data), origin=source.origin, text=text, body=body,
        title=title, url=page_url or source.url, domain=registered_domain(page_url or source.url),
        lang=lang, blocks=tuple(blocks), links=tuple(links), meta=doc_meta,
    )


# -- nesting ---------------------------------------------------------------------

MAX_DEPTH = 256  # libxml2's own HTML limit, so trafilatura and selectolax see the same page
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)([^>]*)>")
# no nesting: void elements, and those an opening tag of the same kind closes implicitly
_FLAT_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr "
                       "p li dt dd option optgroup rb rt rp".split())
# the tags of `_TAG` whose attributes do not end in "/", by name ("/div" for closing ones)
_NESTING_TAG = re.compile(r"<(/?[A-Za-z][A-Za-z0-9:-]*)[^>]*(?<!/)>")


class _NestStep(dict[str, int]):
    """Tag name -> +1 (opens a level), -1 (closes one) or 0 (does not nest)."""

    def __missing__(self, name: str) -> int:
        step = 0 if name.lstrip("/").lower() in _FLAT_TAGS else -1 if name[0] == "/" else 1
        if len(self) < 10_000:  # tag names are few on real pages; random ones are not kept
            self[name] = step
        return step


_NEST_STEP = _NestStep()
_TEMPLATE = re.compile(r"<template\b.*?</template\s*>", re.I | re.S)
_WALK_DEPTH = 400  # deeper subtrees (misnesting can still build them) are read as plain text


def _shallow(html: str, limit: int = MAX_DEPTH) -> str:
    """Drop the tags nested deeper than `limit`, keeping their text.

    Pages nested thousands of levels deep are hostile: lexbor's tree builder is
    quadratic in the depth of block elements (200,000 nested `<div>`s take
    minutes in C code, which no timer interrupts) and walking such a tree
    overflows the stack. Normal pages are returned unchanged after one
    `findall` and a bound on the depth computed at C speed.
    """
    # +1 per opening tag, -1 per closing tag, 0 for tags that do not nest; the
    # depth is their running sum floored at 0, which is at most the sum's
    # highest value minus its lowest (when below 0)
    sums = list(accumulate(map(_NEST_STEP.__getitem__, _NESTING_TAG.findall(html))))
    if not sums or max(sums) - min(0, min(sums)) <= limit:
        return html
    out: list[str] = []
    pos = depth = 0
    for m in _TAG.finditer(html):
        slash, name, attrs = m.groups()
        if attrs.endswith("/") or name.lower() in _FLAT_TAGS:
            continue
        if not slash:
            depth += 1
        if depth > limit:
            out.append(html[pos:m.start()])
            pos = m.end()
        if slash:
            depth = depth - 1 if depth else 0
    out.append(html[pos:])
    return "".join(out)


# -- body ----------------------------------------------------------------------

def _body(html: str) -> str:
    """trafilatura's article text, one paragraph per line; empty when it finds none."""
    import trafilatura

    if "<template" in html or "<TEMPLATE" in html:  # inert markup: never shown, never the article
        html = _TEMPLATE.sub("", html)
    try:
        out = trafilatura.extract(html, fast=True, include_comments=False, include_tables=True,
                                  deduplicate=False)
    except (ValueError, TypeError, AssertionError):  # trafilatura on pathological markup
        out = None
    if not out:
        return ""
    return "\n".join(ln for ln in (" ".join(raw.split())
                                   for raw in clean_text(out).split("\n")) if ln)


# -- chrome ---------------------------------------------------------------------

class _Tags:
    """lexbor's numeric ids of the tags the walk tells apart: comparing ints is
    cheaper than building every node's tag name. Standard tags have fixed ids;
    custom elements get large, per-document ones that match none of these."""

    def __init__(self) -> None:
        from selectolax.lexbor import LexborHTMLParser

        doc = LexborHTMLParser("")

        def ids(names: Iterable[str]) -> frozenset[int]:
            return frozenset(doc.create_node(n).tag_id for n in names)

        text = LexborHTMLParser("<p>x</p>").css_first("p").child
        self.text = text.tag_id if text is not None else 2
        # the node types (PIs, end of file, text, document, comments, doctype) have the
        # ids below the first element's, "a"
        self.first_element = doc.create_node("a").tag_id
        self.block = ids(_BLOCK_TAGS)
        self.skip = ids(_SKIP_TAGS)
        self.credit = ids(_CREDIT_INLINE)
        self.article = ids(("article", "main"))
        self.h1 = doc.create_node("h1").tag_id
        self.caption = ids(("figure", "figcaption"))
        self.plain = ids(("div", "p", "span", "small"))
        self.header = doc.create_node("header").tag_id
        self.region = {doc.create_node(n).tag_id: r for n, r in _TAG_REGION.items()}
        if max(self.block | self.skip | self.credit | set(self.region)) > 65535:
            raise RuntimeError("selectolax: a standard tag without a standard id")


_TAG_IDS: _Tags | None = None


def _tag_ids() -> _Tags:
    global _TAG_IDS
    if _TAG_IDS is None:
        _TAG_IDS = _Tags()
    return _TAG_IDS


def _lines(tree: Any) -> list[tuple[str, str]]:
    """Every visible line of the page in document order, with its region
    ("page" when no chrome element holds it; "heading" for an h1 outside chrome).

    One iterative depth-first walk (no recursion, so no stack to overflow);
    block elements end lines, chrome elements set the region of what they hold.
    """
    lines: list[tuple[str, str]] = []
    if tree.body is None:
        return lines
    ids = _tag_ids()
    _CLASS_INFO.clear()
    text_id, first_element, block, skip, credit, article_ids, h1 = (
        ids.text, ids.first_element, ids.block, ids.skip, ids.credit, ids.article, ids.h1)
    cur: list[str] = []
    cur_region = "page"

    def flush() -> None:
        """End the current line: its text, spaces collapsed, goes to `lines` under its region."""
        line = " ".join("".join(cur).split())
        cur.clear()
        if line:
            lines.append((cur_region, line))

    # (iterator, region, inside an article, depth, what to do on leaving)
    stack: list[tuple[Any, str, bool, int, int]] = []
    it = tree.body.iter(include_text=True)
    region, article, depth, leave = "page", False, 0, _STAY
    while True:
        for child in it:
            tid = child.tag_id
            if tid == text_id:
                if cur_region != region:
                    if cur:
                        flush()
                    cur_region = region
                cur.append(child.text_content)
                continue
            if tid < first_element or tid in skip:
                continue
            if tid in block:
                inner = _region(child, tid, region, article, ids)
                if tid == h1 and inner == "page":
                    inner = "heading"
                inner_article, then = article or tid in article_ids, _FLUSH
            elif tid in credit:
                names = child.attributes.get("class") or ""
                if region != "caption" and _is_caption(names):
                    inner, inner_article, then = "caption", article, _FLUSH
                elif names and _class_info(names)[2]:
                    # "<span>Hillel Italie</span><span>The Associated Press</span>"
                    cur.append(" ")
                    inner, inner_article, then = region, article, _SPACE
                else:
                    inner, inner_article, then = region, article, _STAY
            else:
                inner, inner_article, then = region, article, _STAY
            if then == _FLUSH and cur:
                flush()
            if depth + 1 > _WALK_DEPTH:  # read as plain text
                if cur_region != inner:
                    if cur:
                        flush()
                    cur_region = inner
                cur.append(child.text(deep=True, separator=" "))
                if then == _FLUSH and cur:
                    flush()
                elif then == _SPACE:
                    cur.append(" ")
                continue
            stack.append((it, region, article, depth, leave))
            it = child.iter(include_text=True)
            region, article, depth, leave = inner, inner_article, depth + 1, then
            break
        else:
            if leave == _FLUSH and cur:
                flush()
            elif leave == _SPACE:
                cur.append(" ")
            if not stack:
                break
            it, region, article, depth, leave = stack.pop()
    if cur:
        flush()
    return lines


_STAY, _FLUSH, _SPACE = 0, 1, 2  # on leaving an element: nothing, end the line, a space


def _region(node: Any, tid: int, outer: str, article: bool, ids: _Tags) -> str:
    """The region of a block element: its parent's, unless it names its own.
    Captions win over any region (a picture credit is one wherever it is); a
    `<header>` inside an article is the article's header, not the site banner."""
    if tid in ids.caption:
        return "caption"
    if outer == "caption" or (outer != "page" and tid not in ids.plain):
        return outer
    region = ids.region.get(tid)
    if region:
        return "page" if tid == ids.header and article else region
    attrs = node.attributes
    if outer == "page":
        role = attrs.get("role")
        if role and role in _ROLE_REGION:
            return _ROLE_REGION[role]
    klass, ident = attrs.get("class"), attrs.get("id")
    names = f"{klass} {ident}" if klass and ident else klass or ident
    if names:
        name = _class_info(names)[0]
        if name and (outer == "page" or name == "caption"):
            return name
    return outer


_CLASS_INFO: dict[str, tuple[str | None, bool, bool]] = {}  # per page: `_lines` empties it
# a word every pattern of `_CLASS_REGION` and `_BYLINE_CLASS` needs: a class string
# without any (two thirds of them) names nothing
_CLASS_WORDS = ("comment", "disqus", "discussion", "kommentar", "caption", "credit",
                "bildunterschrift", "legende", "nav", "menu", "breadcrumb", "masthead", "topbar",
                "footer", "colophon", "sidebar", "aside", "related", "teaser", "widget", "promo",
                "newsletter", "recommend", "author", "byline", "autor")
_NOTHING: tuple[str | None, bool, bool] = (None, False, False)


def _class_info(names: str) -> tuple[str | None, bool, bool]:
    """For a class (and id) string: the region it names, whether it names a
    caption, whether it names a byline. Cached: a page repeats its classes."""
    info = _CLASS_INFO.get(names)
    if info is not None:
        return info
    if names.isascii():  # where lower() and the patterns' re.I agree
        low = names.lower()
        for word in _CLASS_WORDS:
            if word in low:
                break
        else:
            _CLASS_INFO[names] = _NOTHING
            return _NOTHING
    byline = _BYLINE_CLASS.search(names) is not None
    region = None
    for pattern, name in _CLASS_REGION:
        if pattern.search(names):
            if name == "caption" and byline:
                continue
            region = name
            break
    caption = not byline and _CLASS_REGION[1][0].search(names) is not None
    info = _CLASS_INFO[names] = (region, caption, byline)
    return info


def _is_caption(names: str) -> bool:
    return bool(names) and _class_info(names)[1]


def _layout(lines: list[tuple[str, str]], body_text: str,
            heading: str | None) -> tuple[str, list[Block], str]:
    """Join chrome lines, the heading and the body into one text with blocks.

    Page lines that trafilatura kept are the body; the others are chrome
    ("aside" unless an element named their region). Captions stay captions
    even when trafilatura kept them, so picture credits are found there.
    """
    body_lines = body_text.split("\n") if body_text else []
    captions = {line for region, line in lines if region == "caption"}
    if captions:
        body_lines = [ln for ln in body_lines if ln not in captions]
    body = "\n".join(body_lines)
    body_set = set(body_lines)
    parts: list[tuple[str, str]] = []
    insert_at: int | None = None
    have_heading = False
    for region, line in lines:
        in_body = line in body_set or (len(line) >= 40 and line in body)
        if region == "heading":
            if in_body:
                if insert_at is None:
                    insert_at = len(parts)
                continue
            if not have_heading:
                have_heading = True
                if insert_at is None:
                    parts.append(("heading", line))
                    continue
            region = "aside"
        elif region == "page":
            if in_body:
                if insert_at is None:
                    insert_at = len(parts)
                continue
            region = "aside"
        elif region != "caption" and in_body:
            if insert_at is None:
                insert_at = len(parts)
            continue
        parts.append((region, line))
    if not have_heading and heading and heading not in body_set:
        parts.insert(0, ("heading", heading))
        if insert_at is not None:
            insert_at += 1
    if body:
        if insert_at is None:
            insert_at = next((i + 1 for i, (r, _) in enumerate(parts) if r == "heading"), len(parts))
        headings = {line for region, line in lines if region == "heading"}
        if len(body_lines) > 1 and body_lines[0] in headings:
            # trafilatura kept the title: label it, the body string stays contiguous
            parts[insert_at:insert_at] = [("heading", body_lines[0]),
                                          ("body", "\n".join(body_lines[1:]))]
        else:
            parts.insert(insert_at, ("body", body))
    out: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for region, chunk in parts:
        chunk = clean_text(chunk)
        if blocks and blocks[-1].kind == region:
            last = blocks[-1]
            blocks[-1] = Block(region, last.start, pos + len(chunk))
        else:
            blocks.append(Block(region, pos, pos + len(chunk)))
        out.append(chunk)
        pos += len(chunk) + 1
    text = "\n".join(out)
    return text, blocks, body if body else text


# -- metadata and links -----------------------------------------------------------

def _metadata(tree: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    named: dict[str, str] = {}
    for node in tree.css("meta"):
        attrs = node.attributes
        key = (attrs.get("property") or attrs.get("name") or attrs.get("itemprop") or "").lower()
        content = attrs.get("content")
        if key and content and key not in named:
            named[key] = " ".join(content.split())
    title_node = tree.css_first("title")
    page_title = " ".join(title_node.text().split()) if title_node is not None else None
    h1 = tree.css_first("h1")
    meta["heading"] = " ".join(h1.text().split()) if h1 is not None else None
    meta["title"] = named.get("og:title") or named.get("twitter:title") or page_title or None
    meta["site_name"] = named.get("og:site_name") or named.get("application-name")
    canonical = tree.css_first('link[rel="canonical"]')
    meta["canonical"] = (canonical.attributes.get("href") if canonical is not None else None) \
        or named.get("og:url")
    html = tree.css_first("html")
    meta["html_lang"] = (html.attributes.get("lang") or "").split("-")[0].lower() or None \
        if html is not None else None
    meta["published"] = (named.get("article:published_time") or named.get("datepublished")
                         or named.get("date") or named.get("dc.date") or named.get("pubdate")
                         or named.get("sailthru.date"))
    meta["modified"] = (named.get("article:modified_time") or named.get("datemodified")
                        or named.get("og:updated_time") or named.get("last-modified"))
    bylines = [named[k] for k in ("author", "article:author", "byl", "dc.creator") if named.get(k)]
    for node in tree.css('[rel="author"], [class*="byline"], [itemprop="author"]'):
        name = " ".join(node.text().split())
        if name and len(name) < 120:
            bylines.append(name)
    ld = _json_ld(tree)
    if ld:
        meta["json_ld"] = ld
        for name in ld.get("author", []):
            bylines.append(name)
        meta["published"] = meta["published"] or ld.get("datePublished")
        meta["modified"] = meta["modified"] or ld.get("dateModified")
        meta["site_name"] = meta["site_name"] or ld.get("publisher")
        meta["title"] = meta["title"] or ld.get("headline")
    meta["bylines"] = list(dict.fromkeys(b for b in bylines if not b.startswith("http")))[:10]
    return meta


def _json_ld(tree: Any) -> dict[str, Any]:
    """The fields of the first NewsArticle/Article object in the page's JSON-LD."""
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            data = json.loads(node.text(), strict=False)
        except (ValueError, RecursionError):
            continue
        for item in _ld_items(data):
            types = item.get("@type")
            types = set(types) if isinstance(types, list) else {types}
            if types & _ARTICLE_TYPES:
                out: dict[str, Any] = {"type": sorted(t for t in types if isinstance(t, str))[0]}
                for key in ("headline", "datePublished", "dateModified", "isBasedOn"):
                    value = _ld_name(item.get(key))
                    if value:
                        out[key] = value[0] if len(value) == 1 else value
                for key in ("author", "sourceOrganization", "publisher"):
                    names = _ld_name(item.get(key))
                    if names:
                        out[key] = names if key == "author" else names[0]
                return out
    return {}


def _ld_items(data: Any, depth: int = 0) -> list[dict[str, Any]]:
    if depth > 4:
        return []
    if isinstance(data, list):
        return [i for d in data for i in _ld_items(d, depth + 1)]
    if isinstance(data, dict):
        return [data] + _ld_items(data.get("@graph"), depth + 1) if "@graph" in data else [data]
    return []


def _ld_name(value: Any) -> list[str]:
    """Names (or URLs) from a JSON-LD value that may be a string, object or list."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        name = value.get("name") or value.get("url") or value.get("@id")
        return _ld_name(name) if isinstance(name, str | list) else []
    if isinstance(value, list):
        return [n for v in value[:20] for n in _ld_name(v)]
    return []


def _links(tree: Any, base: str | None) -> list[Link]:
    links: list[Link] = []
    domains: dict[str, str | None] = {}  # one suffix-list lookup per host, not per link
    origin = _origin(base) if base else None
    for node in tree.css("a[href]"):
        href = (node.attrs.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        if base and not href.startswith(("http://", "https://")):
            if origin and _PLAIN_ROOTED.match(href):
                href = origin + href  # what urljoin gives, at a tenth of its cost
            else:
                try:
                    href = urljoin(base, href)
                except ValueError:
                    continue
        domain = None
        if href.startswith(("http://", "https://")):
            host = href.split("/", 3)[2]
            if host not in domains:
                domains[host] = registered_domain("http://" + host)
            domain = domains[host]
        text = " ".join(node.text().split())
        links.append(Link(href=href, text=text, domain=domain))
    return links


# A path from the site's root that urljoin returns unchanged after the origin: one
# leading "/" (not "//"), no dot segments ("/." anywhere falls back), no ";" params,
# no characters urljoin strips or drops, no empty query or fragment.
_PLAIN_ROOTED = re.compile(r"/(?![/.])(?:[^.;?#\t\r\n]|(?<!/)\.)*"
                           r"(?:\?[^?#\t\r\n]+)?(?:#[^\t\r\n]+)?\Z")


def _origin(base: str) -> str | None:
    """"https://host" of an http(s) base URL, to which rooted paths are appended."""
    try:
        parts = urlsplit(base)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}"
