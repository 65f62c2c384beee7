"""Markdown reports, made from the SQLite file alone so they can be re-made any time."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import sqlite_utils

from . import store

CATEGORY_ORDER = ("syndication", "agency", "citation", "attribution", "image-credit",
                  "boilerplate", "residue", "mention")
CATEGORY_TITLES = {
    "syndication": "Press-release or paid-content wire",
    "agency": "News-agency copy",
    "citation": "Outlets cited as sources",
    "attribution": "How claims are attributed",
    "image-credit": "Image credits",
    "boilerplate": "Calls to action and page chrome",
    "residue": "Scraping residue",
    "mention": "Outlets mentioned without being a source",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-!|~])")
_SLUG = re.compile(r"[^a-z0-9]+")


def md_escape(text: str) -> str:
    """Article text never becomes Markdown or HTML structure in a report."""
    text = " ".join(text.split())
    text = text.replace("&", "&amp;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def slug(row: dict[str, Any]) -> str:
    """A safe file name, unique per document (the id is part of it)."""
    base = Path(str(row.get("origin") or "")).stem.lower() or "document"
    base = _SLUG.sub("-", base).strip("-")[:60] or "document"
    return f"{base}-{row['id'][:8]}"


def sentence_around(text: str, start: int, end: int, limit: int = 240) -> tuple[str, str, str]:
    """The sentence (or line) that holds the evidence, split around it."""
    left = max(text.rfind("\n", 0, start), max(text.rfind(". ", 0, start), -1))
    left = left + 1 if left >= 0 else 0
    if text[left:left + 1] == " ":
        left += 1
    right_candidates = [i for i in (text.find("\n", end), text.find(". ", end)) if i >= 0]
    right = min(right_candidates) + 1 if right_candidates else len(text)
    left = max(left, start - limit)
    right = min(right, end + limit)
    return text[left:start], text[start:end], text[end:right]


def quote(text: str, start: int, end: int) -> str:
    before, hit, after = sentence_around(text, start, end)
    lead = "…" if before and not before[:1].isupper() else ""
    return f"{lead}{md_escape(before)}**{md_escape(hit)}**{md_escape(after)}"


def document_report(row: dict[str, Any], marks: list[dict[str, Any]],
                    outlets: dict[str, dict[str, Any]]) -> str:
    text = row["text"]
    title = md_escape(row.get("title") or row["origin"])
    lines = [f"# {title}", ""]
    lines.append(f"- Origin: `{row['origin'].replace('`', '')}`")
    if row.get("url"):
        lines.append(f"- Link: <{row['url'].replace('>', '%3E')}>")
    lines.append(f"- Language: {row.get('lang') or 'unknown'}; document id `{row['id']}`")
    lines.append("")
    lines.append(f"**Verdict: {row['provenance_class']} · score {row['score']}/100 · "
                 f"grade {row['grade']}**")
    lines.append("")
    reasons = row.get("reasons") or []
    if reasons and reasons[0].get("dimension") == "class":
        lines.append(f"Why this class: {md_escape(reasons[0]['text'])}.")
        lines.append("")
    lines.append("## What we found")
    lines.append("")
    by_cat: dict[str, list[dict[str, Any]]] = {}
    for m in marks:
        by_cat.setdefault(m["category"], []).append(m)
    if not marks:
        lines.append("No provenance markers were found.")
        lines.append("")
    for cat in CATEGORY_ORDER:
        items = by_cat.get(cat)
        if not items:
            continue
        lines.append(f"### {CATEGORY_TITLES[cat]} ({len(items)})")
        lines.append("")
        for m in items:
            who = m["entity"] + (f", {m['role']}" if m.get("role") else "")
            lines.append(f"- `{who}`: {quote(text, m['start'], m['end'])}")
        lines.append("")
    cites = [m for m in marks if m["category"] in ("citation", "mention")]
    if cites:
        lines.append("## Outlets named")
        lines.append("")
        lines.append("| outlet | type | role | quote |")
        lines.append("|---|---|---|---|")
        for m in cites:
            o = outlets.get(m["entity"], {})
            lines.append(f"| {md_escape(o.get('name') or m['entity'])} | {o.get('type') or ''} | "
                         f"{m.get('role') or ''} | {quote(text, m['start'], m['end'])} |")
        lines.append("")
    lines.append("## Score")
    lines.append("")
    lines.append("| dimension | points | because of |")
    lines.append("|---|---|---|")
    for r in reasons[1:]:
        lines.append(f"| {r['dimension']} | {r['points']:+d} | {md_escape(r['text'])} |")
    lines.append(f"| **total** | **{row['score']}** | base and the points above, kept within 0–100 |")
    lines.append("")
    lines.append("## What this report cannot tell")
    lines.append("")
    lines.append("Markers show how a text presents its origin and sources. A wire disclaimer "
                 "proves paid distribution, not who wrote the text; a cited outlet may have "
                 "been quoted correctly or not; a call for donations is a business model, not "
                 "a flaw. The verdict is a starting point for reading, not a judgement of truth.")
    lines.append("")
    return "\n".join(lines)


def index_report(rows: list[dict[str, Any]], counts: dict[str, Counter],
                 names: dict[str, str]) -> str:
    lines = ["# Provenance audit", "", f"{len(rows)} documents.", ""]
    cats = [c for c in CATEGORY_ORDER if c != "mention"]
    lines.append("| document | class | score | grade | " + " | ".join(cats) + " |")
    lines.append("|---|---|---|---|" + "---|" * len(cats))
    totals: Counter = Counter()
    for row in rows:
        c = counts.get(row["id"], Counter())
        totals.update(c)
        title = md_escape((row.get("title") or row["origin"])[:80])
        lines.append(f"| [{title}]({names[row['id']]}.md) | {row['provenance_class']} | "
                     f"{row['score']} | {row['grade']} | " + " | ".join(str(c.get(k, 0)) for k in cats) + " |")
    lines.append("")
    lines.append("Totals: " + ", ".join(f"{k} {totals.get(k, 0)}" for k in cats) + ".")
    lines.append("")
    return "\n".join(lines)


def write_reports(db: sqlite_utils.Database, out: Path, ids: list[str] | None = None) -> list[Path]:
    """One Markdown file per document and `index.md`; returns the files written."""
    from . import report_reuse

    out.mkdir(parents=True, exist_ok=True)
    outlets = store.outlets(db)
    rows = [r for r in store.documents(db, ids) if r.get("provenance_class")]
    names = {r["id"]: slug(r) for r in rows}
    written: list[Path] = []
    counts: dict[str, Counter] = {}
    for row in rows:
        marks = store.markers(db, row["id"])
        counts[row["id"]] = Counter(m["category"] for m in marks)
        path = _inside(out, names[row["id"]] + ".md")
        path.write_text(document_report(row, marks, outlets)
                        + report_reuse.document_sections(db, row["id"], names), encoding="utf-8")
        written.append(path)
    index = _inside(out, "index.md")
    index.write_text(index_report(rows, counts, names) + report_reuse.index_sections(db, names),
                     encoding="utf-8")
    written.append(index)
    return written


def _inside(folder: Path, name: str) -> Path:
    path = (folder / name).resolve()
    if path.parent != folder.resolve():
        raise ValueError(f"report path {name!r} would leave {folder}")
    return path
