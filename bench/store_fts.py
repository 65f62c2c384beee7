"""Keeping FTS5 in step: three designs, timed on the same audited documents.

- `triggers`: per-row AFTER INSERT triggers (the design before migration m005);
- `per-transaction` (what the writer does): one INSERT ... SELECT of the rows each
  batch added, inside the batch's transaction, so the index is right after every commit;
- `rebuild`: no indexing during the run, FTS5 'rebuild' at the end (stale until then).

Audits a generated corpus once in memory, then times only the store. Alternates the
designs, several rounds, and reports medians and ratios.

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

INSERT_TRIGGERS = """
CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
    INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER markers_fts_insert AFTER INSERT ON markers BEGIN
    INSERT INTO markers_fts(rowid, snippet) VALUES (new.id, new.snippet);
END;
"""
MODES = ("triggers", "per-transaction", "rebuild")


def write_all(path: Path, results: list, ruleset: packs.RuleSet, mode: str) -> float:
    db = store.connect(path)
    if mode == "triggers":
        db.conn.executescript(INSERT_TRIGGERS)
    index = store.index_new_rows
    if mode != "per-transaction":
        store.index_new_rows = lambda conn, after: None  # type: ignore[assignment]
    try:
        start = time.perf_counter()
        writer = store.Writer(db, ruleset, __version__, {})
        for item in results:
            writer.add(item)
        writer.close()
        if mode == "rebuild":
            db.conn.execute("BEGIN IMMEDIATE")
            for table in ("documents_fts", "markers_fts"):
                db.conn.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
            db.conn.execute("COMMIT")
        elapsed = time.perf_counter() - start
    finally:
        store.index_new_rows = index
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
        times: dict[str, list[float]] = {m: [] for m in MODES}
        for i in range(rounds):
            order = MODES if i % 2 == 0 else MODES[::-1]
            for mode in order:
                times[mode].append(write_all(Path(tmp) / f"{mode}{i}.db", results, ruleset, mode))
    med = {k: statistics.median(v) for k, v in times.items()}
    ours = med["per-transaction"]
    lines = [f"store_fts: {n} documents, {markers} markers, {rounds} rounds (medians)"]
    lines += [f"  {m}: {med[m]:.3f} s, {med[m] / n * 1000:.3f} ms per document,"
              f" {med[m] / ours:.2f}x per-transaction" for m in MODES]
    lines += [f"  extraction + rules alone (once): {audit_s:.3f} s",
              "  all: " + ", ".join(f"{k}={[round(x, 3) for x in v]}" for k, v in times.items())]
    print("\n".join(lines))
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "store_fts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
