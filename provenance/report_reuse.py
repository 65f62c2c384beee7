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


def _label(row: dict[str, Any], kind: str, names: dict[str, str]) -> str:
    title = md_escape((row.get("title") or row.get("origin") or row["id"])[:80])
    if kind == "document" and row["id"] in names:
        return f"[{title}]({names[row['id']]}.md)"
    origin = str(row.get("origin") or "").replace("`", "")
    return f"{title} (reference `{origin}`)"


def document_section(db: sqlite_utils.Database, doc_id: str, names: dict[str, str]) -> str:
    """What this document shares with others: partner, shares both ways, passages quoted."""
    if not _has_tables(db):
        return ""
    pairs = list(db.query(
        "SELECT * FROM reuse_pairs WHERE a_id = ? OR (b_id = ? AND b_kind = 'document')"
        " ORDER BY max(a_share, b_share) DESC, id", [doc_id, doc_id]))
    if not pairs:
        return ""
    me = _member(db, doc_id, "document")
    lines = ["## Text reuse", ""]
    lines.append("Passages this text shares with other texts (boilerplate such as cookie notices, "
                 "footers and navigation lines is left out). Shares count words.")
    lines.append("")
    for p in pairs:
        mine_a = p["a_id"] == doc_id
        other_id, other_kind = (p["b_id"], p["b_kind"]) if mine_a else (p["a_id"], "document")
        other = _member(db, other_id, other_kind)
        my_share, other_share = (p["a_share"], p["b_share"]) if mine_a else (p["b_share"], p["a_share"])
        credits = _credits(db, other_id, other_kind)
        lines.append(f"### {_label(other, other_kind, names)}")
        lines.append("")
        lines.append(f"- {my_share:.0%} of this text ({p['shared_words']} words) is shared with it; "
                     f"that is {other_share:.0%} of the other text.")
        if credits:
            lines.append(f"- The other text is credited to {md_escape(', '.join(credits))}.")
        if p["cluster_id"]:
            lines.append(f"- Reuse cluster {p['cluster_id']}.")
        lines.append("")
        passages = list(db.query("SELECT * FROM reuse_passages WHERE pair_id = ? ORDER BY a_start",
                                 [p["id"]]))
        for n, x in enumerate(passages, 1):
            mine = (x["a_start"], x["a_end"]) if mine_a else (x["b_start"], x["b_end"])
            theirs = (x["b_start"], x["b_end"]) if mine_a else (x["a_start"], x["a_end"])
            lines.append(f"{n}. {x['words']} words, here at {mine[0]}–{mine[1]}, there at "
                         f"{theirs[0]}–{theirs[1]}: “{excerpt(me['text'], *mine)}”")
        lines.append("")
    return "\n".join(lines)


def clusters_section(db: sqlite_utils.Database, names: dict[str, str]) -> str:
    if not _has_tables(db):
        return ""
    rows = list(db.query("SELECT * FROM reuse_clusters ORDER BY cluster_id, member_kind, member_id"))
    if not rows:
        return ""
    groups: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        groups.setdefault(r["cluster_id"], []).append(r)
    lines = ["## Reuse clusters", "",
             "Texts joined by shared passages (each pair verified word by word).", "",
             "| cluster | texts | credited to | members |", "|---|---|---|---|"]
    for cid, members in groups.items():
        credits = sorted({c for m in members for c in _credits(db, m["member_id"], m["member_kind"])})
        labels = [_label(_member(db, m["member_id"], m["member_kind"]), m["member_kind"], names)
                  for m in members]
        lines.append(f"| {cid} | {len(members)} | {md_escape(', '.join(credits)) or '—'} | "
                     f"{'; '.join(labels)} |")
    lines.append("")
    return "\n".join(lines)


def roles_section(db: sqlite_utils.Database, names: dict[str, str]) -> str:
    if "person_roles" not in db.table_names():
        return ""
    found = conflicts(db.query('SELECT * FROM person_roles ORDER BY person, document_id, start'))
    if not found:
        return ""
    lines = ["## People named with conflicting roles", "",
             "The same name with roles that cannot both be current: a stale title, a mix-up, "
             "or two people of one name. Check which is right.", ""]
    for c in found:
        lines.append(f"### {md_escape(c['person'])}: {c['a_key']} or {c['b_key']}")
        lines.append("")
        for side in ("a", "b"):
            for r in c[side][:5]:
                doc = _member(db, r["document_id"], "document")
                lines.append(f"- {c[side + '_key']}: “{md_escape(r['snippet'])}” — "
                             f"{_label(doc, 'document', names)}")
        lines.append("")
    return "\n".join(lines)


def index_sections(db: sqlite_utils.Database, names: dict[str, str]) -> str:
    """The corpus-level sections of index.md."""
    parts = [s for s in (clusters_section(db, names), roles_section(db, names)) if s]
    return ("\n" + "\n".join(parts)) if parts else ""


def document_sections(db: sqlite_utils.Database, doc_id: str, names: dict[str, str]) -> str:
    section = document_section(db, doc_id, names)
    return ("\n" + section) if section else ""
