"""What a report shows, read from the SQLite file alone and independent of language
and format: numbered findings, their sentences, highlight spans, outlet rows,
score lines, caveats, discussion questions and corpus totals.

The Markdown (`report.py`) and HTML (`report_html.py`) renderers only word and
escape what this module decides, so both formats always say the same thing.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from . import store
from .verdict import marker_key

CATEGORY_ORDER = ("syndication", "agency", "citation", "attribution", "image-credit",
                  "boilerplate", "residue", "mention")
COUNTED = tuple(c for c in CATEGORY_ORDER if c != "mention")
_SLUG = re.compile(r"[^a-z0-9]+")
_LEFT = re.compile(r"(?:[.!?…][\"'“”»«)]*\s+|\n)")
_RIGHT = re.compile(r"(?:[.!?…][\"'“”»«)]*(?=\s|$)|\n)")
QUOTE_LIMIT = 240


@dataclass(frozen=True)
class Finding:
    """One marker, numbered from 1 in document order."""

    number: int
    category: str
    entity: str
    role: str | None
    rule_id: str
    start: int
    end: int
    snippet: str


@dataclass(frozen=True)
class Quote:
    """The sentence around a finding, cut into before / matched words / after."""

    before: str
    hit: str
    after: str
    cut_left: bool
    cut_right: bool


@dataclass(frozen=True)
class Highlight:
    """A span of the article to highlight: overlapping findings merged into one."""

    start: int
    end: int
    numbers: tuple[int, ...]
    category: str  # the first category in CATEGORY_ORDER among the merged findings


@dataclass(frozen=True)
class ScoreLine:
    dimension: str
    points: int
    key: str
    params: dict[str, Any]
    text: str
    numbers: tuple[int, ...]


@dataclass
class DocView:
    id: str
    slug: str
    origin: str
    url: str | None
    title: str
    lang: str | None
    text: str
    provenance_class: str
    score: int
    grade: str
    findings: list[Finding]
    class_reason: ScoreLine | None
    score_lines: list[ScoreLine]
    outlets: dict[str, dict[str, Any]] = field(repr=False, default_factory=dict)

    def by_category(self) -> list[tuple[str, list[Finding]]]:
        return [(c, [f for f in self.findings if f.category == c]) for c in CATEGORY_ORDER
                if any(f.category == c for f in self.findings)]

    def counts(self) -> Counter:
        return Counter(f.category for f in self.findings)

    def outlet_rows(self) -> list[Finding]:
        """Findings that name an outlet: citations and mentions, in text order."""
        return [f for f in self.findings if f.category in ("citation", "mention")]

    def outlet_name(self, entity: str) -> str:
        return str(self.outlets.get(entity, {}).get("name") or entity)

    def outlet_type(self, entity: str) -> str | None:
        return self.outlets.get(entity, {}).get("type")

    def entities(self, category: str) -> list[str]:
        """Distinct entities of a category, in order of first appearance."""
        seen: dict[str, None] = {}
        for f in self.findings:
            if f.category == category:
                seen.setdefault(f.entity, None)
        return list(seen)

    def names(self, category: str) -> list[str]:
        return [self.outlet_name(e) for e in self.entities(category) if e != "photographer"]


def slugs(rows: list[dict[str, Any]]) -> dict[str, str]:
    """Safe file names ([a-z0-9-] only), unique per document, stable for a database.

    The name is the origin's file stem plus the start of the content hash; a
    longer part of the hash is used if two documents would still collide.
    """
    out: dict[str, str] = {}
    taken: set[str] = {"index"}
    for row in sorted(rows, key=lambda r: (str(r.get("origin") or ""), r["id"])):
        origin = str(row.get("origin") or "")
        stem = re.split(r"[/\\]", origin.rstrip("/\\"))[-1].rsplit(".", 1)[0].lower()
        base = _SLUG.sub("-", stem).strip("-")[:60].strip("-") or "document"
        ident = _SLUG.sub("", str(row["id"]).lower()) or "0"
        for size in (8, 16, len(ident)):
            name = f"{base}-{ident[:size]}"
            if name not in taken:
                break
        else:
            n = 2
            while f"{name}-{n}" in taken:
                n += 1
            name = f"{name}-{n}"
        taken.add(name)
        out[row["id"]] = name
    return out


def quote(text: str, start: int, end: int, limit: int = QUOTE_LIMIT) -> Quote:
    """The sentence (or line) holding text[start:end], at most `limit` chars each side."""
    lo = max(0, start - limit)
    left = lo
    for m in _LEFT.finditer(text, lo, start):
        left = m.end()
    m = _RIGHT.search(text, end, min(len(text), end + limit))
    right = (m.end() if m and m.group() != "\n" else m.start()) if m else min(len(text), end + limit)
    return Quote(text[left:start], text[start:end], text[end:right],
                 cut_left=left == lo and lo > 0 and text[lo - 1] not in "\n",
                 cut_right=m is None and right < len(text))


def highlights(findings: list[Finding]) -> list[Highlight]:
    """Overlapping findings merged into non-overlapping spans, in text order."""
    out: list[Highlight] = []
    group: list[Finding] = []
    end = -1
    for f in sorted(findings, key=lambda f: (f.start, f.end, f.number)):
        if f.end <= f.start:
            continue
        if group and f.start < end:
            group.append(f)
            end = max(end, f.end)
            continue
        if group:
            out.append(_merge(group, end))
        group, end = [f], f.end
    if group:
        out.append(_merge(group, end))
    return out


def _merge(group: list[Finding], end: int) -> Highlight:
    cats = {f.category for f in group}
    first = next(c for c in CATEGORY_ORDER + tuple(sorted(cats)) if c in cats)
    return Highlight(group[0].start, end, tuple(sorted(f.number for f in group)), first)


def caveats(doc: DocView) -> list[str]:
    """Catalogue keys of what this report cannot tell, given what was found."""
    cats = doc.counts()
    keys = ["cannot.general"]
    for cat in ("syndication", "agency", "citation", "boilerplate"):
        if cats.get(cat):
            keys.append(f"cannot.{cat}")
    if not doc.findings:
        keys.append("cannot.nothing")
    keys.append("cannot.rules")
    return keys


def questions(doc: DocView) -> list[tuple[str, dict[str, list[str]]]]:
    """Three or four discussion questions, chosen from the findings, most telling first.

    Each is a catalogue key and the lists of names it mentions; the renderer
    words the lists in its language.
    """
    out: list[tuple[str, dict[str, list[str]]]] = []
    cats = doc.counts()
    entities = Counter(f"{f.category}.{f.entity}" for f in doc.findings)
    if cats.get("syndication"):
        out.append(("q.syndication", {"wires": doc.names("syndication")}))
    if cats.get("agency"):
        out.append(("q.agency", {"agencies": doc.names("agency")}))
    cited = doc.names("citation")
    if cited:
        key = "q.derivative" if doc.provenance_class == "derivative" else "q.citation"
        out.append((key, {"outlets": cited}))
    if entities.get("attribution.vague") or entities.get("attribution.anonymous"):
        out.append(("q.vague", {}))
    elif entities.get("attribution.official"):
        out.append(("q.official", {}))
    if entities.get("boilerplate.donation") or entities.get("boilerplate.membership"):
        out.append(("q.donation", {}))
    credits = doc.names("image-credit")
    if credits:
        out.append(("q.images", {"credits": credits}))
    if cats.get("residue"):
        out.append(("q.residue", {}))
    if not any(cats.get(c) for c in ("syndication", "agency", "citation", "mention")):
        out.insert(0, ("q.none", {}))
    for filler in ("q.check", "q.publisher"):
        if len(out) < 3:
            out.append((filler, {}))
    return out[:4]


def _score_line(reason: dict[str, Any], numbers: list[int]) -> ScoreLine:
    refs = tuple(numbers[i] for i in reason.get("markers", []) if 0 <= i < len(numbers))
    return ScoreLine(str(reason.get("dimension", "other")), int(reason.get("points", 0)),
                     str(reason.get("key") or ""), dict(reason.get("params") or {}),
                     str(reason.get("text", "")), refs)


def load_doc(row: dict[str, Any], marks: list[dict[str, Any]], slug: str,
             outlets: dict[str, dict[str, Any]]) -> DocView:
    """A document's view from its `store.documents` row and `store.markers` rows."""
    ordered = sorted(marks, key=marker_key)
    findings = [Finding(i + 1, m["category"], m["entity"], m.get("role"), m["rule_id"],
                        int(m["start"]), int(m["end"]), m["snippet"])
                for i, m in enumerate(ordered)]
    numbers = [f.number for f in findings]
    reasons = row.get("reasons") or []
    class_reason = None
    lines = []
    for r in reasons:
        if r.get("dimension") == "class":
            class_reason = _score_line(r, numbers)
        else:
            lines.append(_score_line(r, numbers))
    return DocView(
        id=row["id"], slug=slug, origin=str(row.get("origin") or ""), url=row.get("url"),
        title=str(row.get("title") or row.get("origin") or row["id"]), lang=row.get("lang"),
        text=row["text"], provenance_class=row["provenance_class"], score=int(row["score"]),
        grade=row["grade"], findings=findings, class_reason=class_reason, score_lines=lines,
        outlets=outlets)


@dataclass
class Corpus:
    docs: list[DocView]

    def class_counts(self) -> list[tuple[str, int]]:
        from .verdict import CLASSES

        counts = Counter(d.provenance_class for d in self.docs)
        return [(c, counts[c]) for c in CLASSES + tuple(sorted(set(counts) - set(CLASSES)))
                if counts.get(c)]

    def totals(self) -> list[tuple[str, int, int]]:
        """(category, findings, documents with at least one) for every counted category."""
        return [(c, sum(d.counts().get(c, 0) for d in self.docs),
                 sum(1 for d in self.docs if d.counts().get(c))) for c in COUNTED]

    def cited_outlets(self, top: int = 10) -> list[tuple[str, str, int, int]]:
        """(entity, name, citations, documents), most cited first, ties by id."""
        return self._ranked(("citation",), top)

    def wires(self) -> list[tuple[str, str, str, int, int]]:
        """(category, entity, name, findings, documents) for wires and agencies."""
        out = []
        for cat in ("syndication", "agency"):
            for entity, name, n, docs in self._ranked((cat,), None):
                out.append((cat, entity, name, n, docs))
        return out

    def _ranked(self, cats: tuple[str, ...], top: int | None) -> list[tuple[str, str, int, int]]:
        hits: Counter = Counter()
        docs: Counter = Counter()
        names: dict[str, str] = {}
        for d in self.docs:
            seen = set()
            for f in d.findings:
                if f.category in cats:
                    hits[f.entity] += 1
                    names[f.entity] = d.outlet_name(f.entity)
                    seen.add(f.entity)
            docs.update(seen)
        ranked = sorted(hits, key=lambda e: (-hits[e], -docs[e], e))
        return [(e, names[e], hits[e], docs[e]) for e in ranked[:top]]


def load(db: sqlite_utils.Database, ids: list[str] | None = None) -> Corpus:
    """Every audited document (or those in `ids`), ordered by origin and id."""
    outlets = store.outlets(db)
    rows = [r for r in store.documents(db, ids) if r.get("provenance_class")]
    names = slugs(rows)
    return Corpus([load_doc(r, store.markers(db, r["id"]), names[r["id"]], outlets)
                   for r in rows])


@dataclass(frozen=True)
class Piece:
    """A run of article text: plain (`mark` None) or highlighted; `last` ends its highlight."""

    text: str
    mark: Highlight | None = None
    last: bool = False


def paragraphs(text: str, findings: list[Finding]) -> list[list[Piece]]:
    """The article as paragraphs (its non-empty lines) cut into plain and highlighted runs.

    A highlight that crosses a line break is split; only its final piece
    carries the finding numbers, so each number appears once in the article.
    """
    marks = highlights(findings)
    out: list[list[Piece]] = []
    pos = 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if not line.strip():
            continue
        pieces: list[Piece] = []
        cur = start
        for h in marks:
            if h.end <= start or h.start >= end:
                continue
            a, b = max(h.start, start), min(h.end, end)
            if a > cur:
                pieces.append(Piece(text[cur:a]))
            pieces.append(Piece(text[a:b], h, h.end <= end))
            cur = b
        if cur < end:
            pieces.append(Piece(text[cur:end]))
        out.append(pieces)
    return out
