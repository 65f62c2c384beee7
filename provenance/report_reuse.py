"""Report sections for text reuse and person-role conflicts, made from the SQLite file alone.

`report.py` appends these to each document's report and to `index.md`; an
empty string means there is nothing to say, so reports without reuse stay as
they were.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from .consistency import conflicts
from .report import md_escape
from .report_i18n import percent, t

QUOTE_CHARS = 320


def _has_tables(db: sqlite_utils.Database) -> bool:
    return "reuse_pairs" in db.table_names()


def excerpt(text: str, start: int, end: int, limit: int = QUOTE_CHARS) -> str:
    """A passage, shortened in the middle when long, escaped for Markdown."""
    passage = text[start:end]
    if len(passage) > limit:
        head = passage[: limit * 2 // 3].rsplit(" ", 1)[0]
        tail = passage[-limit // 3:].split(" ", 1)[-1]
        return f"{md_escape(head)} … {md_escape(tail)}"
    return md_escape(passage)


def _member(db: sqlite_utils.Database, member_id: str, kind: str) -> dict[str, Any]:
    table = "documents" if kind == "document" else "reuse_references"
    rows = list(db.query(f"SELECT * FROM {table} WHERE id = ?", [member_id]))
    return rows[0] if rows else {"id": member_id, "origin": member_id, "text": "", "title": None}


def _credits(db: sqlite_utils.Database, member_id: str, kind: str) -> list[str]:
    if kind == "reference":
        row = _member(db, member_id, kind)
        return [f"{c}: {e}" for c, e in json.loads(row.get("credits") or "[]")]
    return [f"{r['category']}: {r['entity']}" for r in db.query(
        "SELECT DISTINCT category, entity FROM markers WHERE document_id = ? AND category IN"
        " ('syndication', 'agency') AND (role IS NULL OR role != 'copied') ORDER BY 1, 2",
        [member_id])]


def _label(row: dict[str, Any], kind: str, names: dict[str, str], lang: str) -> str:
    title = md_escape((row.get("title") or row.get("origin") or row["id"])[:80])
    if kind == "document" and row["id"] in names:
        return f"[{title}]({names[row['id']]}.md)"
    origin = str(row.get("origin") or "").replace("`", "")
    return t(lang, "reuse.reference", title=title, origin=origin)


def document_section(db: sqlite_utils.Database, doc_id: str, names: dict[str, str],
                     lang: str = "en") -> str:
    """What this document shares with others: partner, shares both ways, passages quoted."""
    if not _has_tables(db):
        return ""
    pairs = list(db.query(
        "SELECT * FROM reuse_pairs WHERE a_id = ? OR (b_id = ? AND b_kind = 'document')"
        " ORDER BY max(a_share, b_share) DESC, id", [doc_id, doc_id]))
    if not pairs:
        return ""
    me = _member(db, doc_id, "document")
    lines = [f"## {t(lang, 'reuse.title')}", "", t(lang, "reuse.intro"), ""]
    for p in pairs:
        mine_a = p["a_id"] == doc_id
        other_id, other_kind = (p["b_id"], p["b_kind"]) if mine_a else (p["a_id"], "document")
        other = _member(db, other_id, other_kind)
        my_share, other_share = (p["a_share"], p["b_share"]) if mine_a else (p["b_share"], p["a_share"])
        credits = _credits(db, other_id, other_kind)
        lines.append(f"### {_label(other, other_kind, names, lang)}")
        lines.append("")
        lines.append("- " + t(lang, "reuse.share", mine=percent(lang, my_share),
                              words=p["shared_words"], theirs=percent(lang, other_share)))
        if credits:
            lines.append("- " + t(lang, "reuse.credited", credits=md_escape(", ".join(credits))))
        if p["cluster_id"]:
            lines.append("- " + t(lang, "reuse.cluster", cluster=p["cluster_id"]))
        lines.append("")
        passages = list(db.query("SELECT * FROM reuse_passages WHERE pair_id = ? ORDER BY a_start",
                                 [p["id"]]))
        for n, x in enumerate(passages, 1):
            mine = (x["a_start"], x["a_end"]) if mine_a else (x["b_start"], x["b_end"])
            theirs = (x["b_start"], x["b_end"]) if mine_a else (x["a_start"], x["a_end"])
            lines.append(t(lang, "reuse.passage", n=n, words=x["words"],
                           here=f"{mine[0]}–{mine[1]}", there=f"{theirs[0]}–{theirs[1]}",
                           quote=excerpt(me["text"], *mine)))
        lines.append("")
    return "\n".join(lines)


def clusters_section(db: sqlite_utils.Database, names: dict[str, str], lang: str = "en") -> str:
    if not _has_tables(db):
        return ""
    rows = list(db.query("SELECT * FROM reuse_clusters ORDER BY cluster_id, member_kind, member_id"))
    if not rows:
        return ""
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["cluster_id"], []).append(r)
    cols = [t(lang, f"clusters.col.{c}") for c in ("cluster", "texts", "credits", "members")]
    lines = [f"## {t(lang, 'clusters.title')}", "", t(lang, "clusters.intro"), "",
             "| " + " | ".join(cols) + " |", "|---|---|---|---|"]
    for cid, members in groups.items():
        credits = sorted({c for m in members for c in _credits(db, m["member_id"], m["member_kind"])})
        labels = [_label(_member(db, m["member_id"], m["member_kind"]), m["member_kind"], names, lang)
                  for m in members]
        lines.append(f"| {cid} | {len(members)} | {md_escape(', '.join(credits)) or '—'} | "
                     f"{'; '.join(labels)} |")
    lines.append("")
    return "\n".join(lines)


def roles_section(db: sqlite_utils.Database, names: dict[str, str], lang: str = "en") -> str:
    if "person_roles" not in db.table_names():
        return ""
    found = conflicts(db.query('SELECT * FROM person_roles ORDER BY person, document_id, start'))
    if not found:
        return ""
    lines = [f"## {t(lang, 'roles.title')}", "", t(lang, "roles.intro"), ""]
    for c in found:
        lines.append("### " + t(lang, "roles.heading", person=md_escape(c["person"]),
                                a=c["a_key"], b=c["b_key"]))
        lines.append("")
        for side in ("a", "b"):
            for r in c[side][:5]:
                doc = _member(db, r["document_id"], "document")
                lines.append(f"- {c[side + '_key']}: “{md_escape(r['snippet'])}” — "
                             f"{_label(doc, 'document', names, lang)}")
        lines.append("")
    return "\n".join(lines)


def index_sections(db: sqlite_utils.Database, names: dict[str, str], lang: str = "en") -> str:
    """The corpus-level sections of index.md."""
    parts = [s for s in (clusters_section(db, names, lang), roles_section(db, names, lang)) if s]
    return ("\n" + "\n".join(parts)) if parts else ""


def document_sections(db: sqlite_utils.Database, doc_id: str, names: dict[str, str],
                      lang: str = "en") -> str:
    section = document_section(db, doc_id, names, lang)
    return ("\n" + section) if section else ""
