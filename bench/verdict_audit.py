"""Lay out the verdict of every audited page for a hand audit of its provenance class.

`view` prints, per document of an audit database: line of the JSONL input, URL, title,
class, score, grade, the reasons (which markers moved which dimension, with their
snippets), the first characters of the body and the evidence markers (syndication,
agency, citation, attribution) with their snippets. `table` compares the classes in the
database with hand judgments (`bench/verdict_judged.tsv`: JSONL line, judged class, URL,
note) and prints the confusion table and the pages where the two differ.

    python bench/citation_audit.py build /tmp/verdict.jsonl
    provenance audit /tmp/verdict.jsonl --db /tmp/verdict.db --no-reuse -q
    python bench/verdict_audit.py view /tmp/verdict.db [--class original] [--body 400]
    python bench/verdict_audit.py table /tmp/verdict.db [--judged bench/verdict_judged.tsv]
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JUDGED = ROOT / "bench" / "verdict_judged.tsv"
CLASSES = ("press-release", "agency-copy", "derivative", "original", "undetermined")
EVIDENCE = ("syndication", "agency", "citation", "attribution")


def _line(origin: str) -> int:
    """The JSONL line number of an origin such as `/tmp/verdict.jsonl:12` (0 when none)."""
    tail = origin.rsplit(":", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _rows(db: Path) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute(
        "select d.id, d.origin, d.url, d.title, d.body, v.provenance_class, v.score, v.grade,"
        " v.reasons from documents d join verdicts v on v.document_id = d.id")]
    marks: dict[str, list[dict]] = {}
    for m in con.execute("select * from markers"):
        marks.setdefault(m["document_id"], []).append(dict(m))
    from provenance.verdict import marker_key
    for r in rows:
        r["markers"] = sorted(marks.get(r["id"], []), key=marker_key)
        r["line"] = _line(r["origin"])
    return sorted(rows, key=lambda r: (r["line"], r["origin"]))


def _short(s: str, n: int = 90) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[:n - 1] + "…"


def view(db: Path, only: str | None = None, body: int = 400, tail: int = 160) -> None:
    """Print one block per document (optionally of one class only)."""
    for r in _rows(db):
        if only and r["provenance_class"] != only:
            continue
        ms = r["markers"]
        print(f"=== #{r['line']} {r['provenance_class']} {r['score']} {r['grade']}  {r['url']}")
        print(f"    title: {_short(r['title'] or '', 120)}")
        for reason in json.loads(r["reasons"]):
            snips = ", ".join(repr(_short(ms[i]["snippet"], 40)) for i in reason["markers"][:4])
            more = f" (+{len(reason['markers']) - 4})" if len(reason["markers"]) > 4 else ""
            print(f"    [{reason['dimension']}] {reason['points']:+d} {reason.get('text', reason['key'])}"
                  f"{': ' + snips + more if snips else ''}")
        print(f"    body ({len(r['body'].split())} words): {_short(r['body'], body)}")
        print(f"    body end: …{' '.join(r['body'][-tail:].split())}")
        for m in ms:
            if m["category"] in EVIDENCE:
                print(f"    - {m['category']}/{m['entity']} role={m['role']} block={m.get('block')}: "
                      f"{_short(m['snippet'], 80)!r}")
        print()


def load_judged(path: Path) -> dict[int, tuple[str, str, str]]:
    """JSONL line -> (judged class, URL, note) from the tab-separated judgments file."""
    judged: dict[int, tuple[str, str, str]] = {}
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.startswith("#"):
            continue
        line, cls, url, note = (raw.split("\t") + ["", "", ""])[:4]
        if cls not in CLASSES:
            raise ValueError(f"{path}: line {line}: unknown class {cls!r}")
        judged[int(line)] = (cls, url, note)
    return judged


def confusion(rows: list[dict], judged: dict[int, tuple[str, str, str]]) -> Counter:
    """(judged, ours) -> pages; pages without a judgment are left out."""
    return Counter((judged[r["line"]][0], r["provenance_class"]) for r in rows if r["line"] in judged)


def table(db: Path, judged_path: Path) -> None:
    """Print the confusion table (rows: judged class, columns: our class) and the misses."""
    rows = _rows(db)
    judged = load_judged(judged_path)
    for r in rows:
        if r["line"] in judged and judged[r["line"]][1] not in ("", str(r["url"])):
            raise ValueError(f"line {r['line']}: URL {r['url']} differs from the judgment's")
    cm = confusion(rows, judged)
    head = "| judged \\ ours | " + " | ".join(CLASSES) + " | total |"
    print(head)
    print("|" + "---|" * (len(CLASSES) + 2))
    for j in CLASSES:
        cells = [cm.get((j, o), 0) for o in CLASSES]
        print(f"| {j} | " + " | ".join(str(c) for c in cells) + f" | {sum(cells)} |")
    agree = sum(v for (j, o), v in cm.items() if j == o)
    total = sum(cm.values())
    print(f"\nagree {agree}/{total}; unjudged {len(rows) - total}")
    for r in rows:
        j = judged.get(r["line"])
        if j and j[0] != r["provenance_class"]:
            print(f"#{r['line']} judged {j[0]}, ours {r['provenance_class']}: {r['url']} — {j[2]}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    v = sub.add_parser("view")
    v.add_argument("db", type=Path)
    v.add_argument("--class", dest="only", choices=CLASSES)
    v.add_argument("--body", type=int, default=400, help="characters of the body shown")
    v.add_argument("--tail", type=int, default=160, help="characters of the body's end shown")
    t = sub.add_parser("table")
    t.add_argument("db", type=Path)
    t.add_argument("--judged", type=Path, default=JUDGED)
    args = parser.parse_args(argv)
    if args.cmd == "view":
        view(args.db, args.only, args.body, args.tail)
    else:
        table(args.db, args.judged)
    return 0


if __name__ == "__main__":
    sys.exit(main())
