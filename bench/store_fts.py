"""Keeping FTS5 in step: triggers on every write, or drop the triggers and rebuild in bulk?

Audits a generated corpus once in memory, then times only the store: writing all
results with the FTS triggers in place, against writing them without triggers and
running FTS5 'rebuild' on both indexes at the end. Alternates the two, several
rounds, and reports medians and their ratio.

    python bench/store_fts.py [DOCUMENTS] [ROUNDS]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from storecorpus import write_corpus  # noqa: E402

from provenance import __version__, packs, store  # noqa: E402
from provenance.audit import run  # noqa: E402

TRIGGERS = ("documents_fts_insert", "documents_fts_delete", "documents_fts_update",
            "markers_fts_insert", "markers_fts_delete", "markers_fts_update")


def write_all(path: Path, results: list, ruleset: packs.RuleSet, bulk: bool) -> float:
    db = store.connect(path)
    saved = {}
    if bulk:
        for name, sql in db.conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"):
            if name in TRIGGERS:
                saved[name] = sql
                db.conn.execute(f"DROP TRIGGER {name}")
    start = time.perf_counter()
    writer = store.Writer(db, ruleset, __version__, {}, batch=200)
    for item in results:
        writer.add(item)
    writer.close()
    if bulk:
        db.conn.execute("BEGIN IMMEDIATE")
        for table in ("documents_fts", "markers_fts"):
            db.conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        for sql in saved.values():
            db.conn.execute(sql)
        db.conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    for table in ("documents_fts", "markers_fts"):
        db.conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")
    db.conn.close()
    return elapsed


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    ruleset = packs.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        write_corpus(folder, n)
        start = time.perf_counter()
        results = list(run([str(folder)], ruleset))
        audit_s = time.perf_counter() - start
        markers = sum(len(r.markers) for r in results if hasattr(r, "markers"))
        times: dict[str, list[float]] = {"triggers": [], "bulk": []}
        for i in range(rounds):
            for mode in ("triggers", "bulk") if i % 2 == 0 else ("bulk", "triggers"):
                times[mode].append(write_all(Path(tmp) / f"{mode}{i}.db", results, ruleset,
                                             mode == "bulk"))
    med = {k: statistics.median(v) for k, v in times.items()}
    lines = [f"store_fts: {n} documents, {markers} markers, {rounds} rounds (medians)",
             f"  triggers (FTS kept in step on every write): {med['triggers']:.3f} s",
             f"  bulk (no triggers, FTS 'rebuild' at the end): {med['bulk']:.3f} s",
             f"  ratio triggers / bulk: {med['triggers'] / med['bulk']:.2f}",
             f"  extraction + rules alone (once): {audit_s:.3f} s; triggers add"
             f" {(med['triggers'] - med['bulk']) / n * 1000:.2f} ms per document, "
             f"{100 * (med['triggers'] - med['bulk']) / (audit_s + med['bulk']):.0f}% of a bulk-mode audit",
             "  all: " + ", ".join(f"{k}={[round(x, 3) for x in v]}" for k, v in times.items())]
    print("\n".join(lines))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "store_fts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
