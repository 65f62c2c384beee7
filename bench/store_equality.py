"""Do two audit databases hold the same data, table by table, row by row, in order?

    python bench/store_equality.py A.db B.db [--ignore-pack-paths]

Compares the schema (every table, index, trigger and view as SQL) and every
row of every ordinary table in rowid order, rowids included. Left out, because
they differ between any two runs by nature: the time columns
(`documents.audited_at`, `runs.started_at`, `runs.finished_at`,
`_sqlite_migrations.applied_at`) and `runs.options` (it names the --db file).
The full-text indexes are compared by their logical content, every (term,
row, column, offset) through `fts5vocab` 'instance' tables, and each must pass
FTS5's `integrity-check`; their shadow tables (`*_fts_data`, `*_fts_idx`, ...)
are left out because how FTS5 splits an index into segments depends on the
size of the transactions that wrote it, not on what it holds. Exits 1 if
anything differs. `--ignore-pack-paths` also leaves out where the pack files
were (`run_packs.path`, and `runs.packs`, whose hashes and versions
`run_packs` holds too), for files written by two checkouts. Streams rows and compares digests, so large files compare in
little memory.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from reuse_equality import same_rows  # noqa: E402 - the sibling script, on the path just above

SKIP_COLUMNS = {
    "documents": {"audited_at"},
    "runs": {"started_at", "finished_at", "options"},
    "_sqlite_migrations": {"applied_at"},
}
FTS = ("documents_fts", "markers_fts")


def _open(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    return conn


PACK_PATHS = {"run_packs": {"path"}, "runs": {"packs"}}


def queries(path: str, ignore_pack_paths: bool = False) -> dict[str, str]:
    """Name -> SQL for every comparable part of the file at `path`."""
    conn = _open(path)
    try:
        tables = [name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
        out = {"schema": "SELECT type, name, tbl_name, sql FROM sqlite_master"
                         " WHERE name NOT LIKE 'sqlite_autoindex%' ORDER BY type, name"}
        for table in tables:
            if any(table.startswith(f + "_") for f in FTS):
                continue  # FTS5 shadow tables: compared through fts5vocab below
            cols = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')
                    if r[1] not in SKIP_COLUMNS.get(table, set())
                    and not (ignore_pack_paths and r[1] in PACK_PATHS.get(table, set()))]
            without_rowid = conn.execute(
                "SELECT sql LIKE '%WITHOUT ROWID%' FROM sqlite_master WHERE name = ?",
                (table,)).fetchone()[0]
            key = "" if without_rowid else "rowid, "
            order = ", ".join(f'"{c}"' for c in cols) if without_rowid else "rowid"
            out[table] = f'SELECT {key}{", ".join(chr(34) + c + chr(34) for c in cols)}' \
                         f' FROM "{table}" ORDER BY {order}'
        for fts in FTS:
            out[f"{fts} (terms)"] = (f"SELECT term, doc, col, offset FROM temp.{fts}_vocab"
                                     " ORDER BY term, doc, col, offset")
        return out
    finally:
        conn.close()


def rows(path: str, sql: str) -> Iterator[tuple[object, ...]]:
    conn = _open(path)
    try:
        for fts in FTS:
            conn.execute(f"CREATE VIRTUAL TABLE temp.{fts}_vocab USING fts5vocab(main, {fts}, instance)")
        yield from conn.execute(sql)
    finally:
        conn.close()




def fts_ok(path: str) -> bool:
    """FTS5's own check that each index matches its content table."""
    conn = sqlite3.connect(path)
    try:
        for fts in FTS:
            conn.execute(f"INSERT INTO {fts}({fts}, rank) VALUES ('integrity-check', 1)")
        return conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    except sqlite3.DatabaseError as exc:
        print(f"{path}: {exc}")
        return False
    finally:
        conn.close()


def compare(a: str, b: str, ignore_pack_paths: bool = False) -> bool:
    same = True
    qa, qb = queries(a, ignore_pack_paths), queries(b, ignore_pack_paths)
    if qa.keys() != qb.keys():
        print(f"tables differ: {sorted(qa.keys() ^ qb.keys())}")
        same = False
    for name in (n for n in qa if n in qb):
        if qa[name] != qb[name]:
            print(f"{name}: columns differ")
            same = False
            continue
        if not same_rows(name, lambda q=qa[name]: rows(a, q), lambda q=qb[name]: rows(b, q), width=28):
            same = False
    for path in (a, b):
        ok = fts_ok(path)
        print(f"integrity-check (SQLite and FTS5) {path}: {'ok' if ok else 'FAILED'}")
        same = same and ok
    return same


def main() -> None:
    args = [a for a in sys.argv[1:] if a != "--ignore-pack-paths"]
    if len(args) != 2:
        sys.exit(__doc__)
    sys.exit(0 if compare(*args, ignore_pack_paths=len(args) < len(sys.argv) - 1) else 1)


if __name__ == "__main__":
    main()
