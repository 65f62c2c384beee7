"""Helpers for the report tests: a database built from hand-made documents and markers,
and a CommonMark check of every report file."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from markdown_it import MarkdownIt

HOSTILE = (
    "Hostile <script>alert(1)</script> headline | with `ticks`\n\n"
    "Laut Reuters <img src=x onerror=alert(1)> ist [x](javascript:alert(1)) alles | gut | so.\n"
    "# Not a heading\n"
    "![pic](http://evil.example/p.png) and www.evil.example and https://evil.example/a?b=c\n"
    "```\ncode fence\n```\n"
    "1. not a list\n"
    "---\n"
    "    not code\n"
    "&lt;b&gt;entity&lt;/b&gt; and <https://evil.example> and a@b.example\n"
    "> not a quote, ~~not struck~~, $x$ not math, *not em*, __not strong__\n"
    "Jetzt spenden! Unterstützen Sie uns. Laut `Reuters`| hat <b>AFP</b> berichtet.\n"
)


def make_doc(text: str, origin: str, lang: str = "de", url: str | None = None,
             title: str | None = None):
    from provenance.model import Document

    return Document(id=hashlib.sha256(text.encode()).hexdigest()[:16], origin=origin, text=text,
                    body=text, title=title if title is not None else text.split("\n", 1)[0],
                    url=url, lang=lang)


def marker_at(text: str, needle: str, category: str, entity: str, role: str | None = None,
              nth: int = 0):
    from provenance.model import Marker

    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    return Marker(f"test.{category}.{entity}", category, entity, at, at + len(needle), needle,
                  role)


def build_db(path: Path, docs: list[tuple]) -> object:
    """A real SQLite file holding `docs`: (Document, [Marker]) pairs, with verdicts decided."""
    from provenance import __version__, packs, store
    from provenance.model import Result
    from provenance.verdict import decide

    ruleset = packs.load()
    db = store.connect(path)
    writer = store.Writer(db, ruleset, __version__, {})
    for doc, marks in docs:
        writer.add(Result(doc, tuple(marks), decide(doc, marks, ruleset.verdict)))
    writer.close()
    db.conn.execute("INSERT OR REPLACE INTO outlets (id, name, type) VALUES "
                    "('reuters', 'Reuters', 'agency'), ('afp', 'AFP | Agence <France>', 'agency')")
    return db


def hostile_docs() -> list[tuple]:
    text = HOSTILE
    doc = make_doc(text, "../../etc/pass wd<x>.txt", url="javascript:alert(1)")
    marks = [
        marker_at(text, "<script>alert(1)</script>", "residue", "widget"),
        marker_at(text, "Laut Reuters", "citation", "reuters", "cited"),
        marker_at(text, "[x](javascript:alert(1))", "attribution", "vague"),
        marker_at(text, "| gut |", "residue", "navigation"),
        marker_at(text, "```\ncode fence\n```", "residue", "widget"),
        marker_at(text, "Jetzt spenden!", "boilerplate", "donation"),
        marker_at(text, "`Reuters`|", "citation", "reuters", "cited"),
        marker_at(text, "<b>AFP</b>", "citation", "afp", "interview"),
        marker_at(text, "AFP", "mention", "afp", "mention"),
        marker_at(text, "www.evil.example", "residue", "navigation"),
    ]
    plain = "Plain title\n\n" + "Ein ganz gewöhnlicher Satz ohne jeden Befund. " * 12
    return [(doc, marks), (make_doc(plain, "../../etc/pass wd<x>.txt", lang="en"), [])]


MD = MarkdownIt("commonmark").enable("table")


def check_commonmark(path: Path, allowed_links: set[str] = frozenset()) -> list:
    """Parse a report; assert no raw HTML, no images, and only our own links. Returns tokens."""
    src = path.read_text("utf-8")
    tokens = MD.parse(src)
    for tok in _walk(tokens):
        assert tok.type not in ("html_block", "html_inline", "image"), (path, tok)
        if tok.type == "link_open":
            href = tok.attrs.get("href", "")
            assert re.fullmatch(r"[a-z0-9-]+\.md", str(href)) or href in allowed_links, (path, href)
    return tokens


def _walk(tokens):
    for tok in tokens:
        yield tok
        if tok.children:
            yield from _walk(tok.children)


def headings(tokens) -> list[tuple[str, str]]:
    out = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open":
            out.append((tok.tag, tokens[i + 1].content))
    return out


def table_shapes(tokens) -> list[tuple[int, ...]]:
    """For each table, the number of cells in every row (all equal in a sound table)."""
    shapes = []
    row = 0
    for tok in tokens:
        if tok.type == "table_open":
            shapes.append([])
        elif tok.type == "tr_open":
            row = 0
        elif tok.type in ("th_open", "td_open"):
            row += 1
        elif tok.type == "tr_close":
            shapes[-1].append(row)
    return [tuple(s) for s in shapes]
