"""HTML -> `Document` with labelled blocks (first version: visible text, one block per line)."""

from __future__ import annotations

from .extract import ExtractError, clean_text, decode, detect_lang, document_id, registered_domain
from .model import Block, Document, Source

_CHROME = {"nav": "nav", "footer": "footer", "aside": "aside", "header": "nav", "figcaption": "caption"}


def extract_html(source: Source) -> Document:
    from bs4 import BeautifulSoup

    html = decode(source.data, source.charset)
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "template", "svg", "head"]):
        title_tag = tag.find("title") if tag.name == "head" else None
        if title_tag is not None:
            soup.attrs["data-title"] = title_tag.get_text(" ", strip=True)
        tag.decompose()
    lines: list[tuple[str, str]] = []
    for el in soup.find_all(["p", "h1", "h2", "h3", "h4", "li", "figcaption", "td", "blockquote", "div", "span", "a"]):
        if el.find(["p", "h1", "h2", "h3", "h4", "li", "figcaption", "td", "blockquote", "div"]):
            continue
        text = " ".join(el.get_text(" ", strip=True).split())
        if not text:
            continue
        kind = "body"
        for parent in el.parents:
            if parent.name in _CHROME:
                kind = _CHROME[parent.name]
                break
        if el.name == "figcaption":
            kind = "caption"
        elif el.name in ("h1", "h2", "h3", "h4") and kind == "body":
            kind = "heading"
        lines.append((kind, text))
    if not lines:
        raise ExtractError("no text in the page")
    parts, blocks, pos = [], [], 0
    for kind, line in lines:
        line = clean_text(line)
        parts.append(line)
        blocks.append(Block(kind, pos, pos + len(line)))
        pos += len(line) + 1
    text = "\n".join(parts)
    body = "\n".join(text[b.start:b.end] for b in blocks if b.kind in ("body", "heading"))
    title = soup.attrs.get("data-title") or (lines[0][1] if lines else None)
    return Document(
        id=document_id(source.data), origin=source.origin, text=text, body=body or text,
        title=str(title) if title else None, url=source.url,
        domain=registered_domain(source.url), lang=detect_lang(body or text),
        blocks=tuple(blocks), meta=dict(source.meta),
    )
