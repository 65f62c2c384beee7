"""Are the reuse step's results of two audit databases identical, row ids included?

    python bench/reuse_equality.py A.db B.db

Compares, row by row with their row ids, every row of reuse_pairs,
reuse_passages, reuse_clusters, reuse_references and person_roles, the copied
markers (`rule_id = 'reuse.copied'`, with their ids), the markers' full-text
index rows of those markers, and every verdict. Prints a count per table and
the first differences; exits 1 if anything differs. Tables are streamed in
row-id order and compared by hash and then row by row, so that two 20,000-document
databases compare in little memory.
"""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import zip_longest

QUERIES = {
    "reuse_pairs": "SELECT id, * FROM reuse_pairs ORDER BY id",
    "reuse_passages": "SELECT rowid, * FROM reuse_passages ORDER BY rowid",
    "reuse_clusters": "SELECT rowid, * FROM reuse_clusters ORDER BY rowid",
    "reuse_references": "SELECT rowid, * FROM reuse_references ORDER BY rowid",
    "person_roles": "SELECT id, * FROM person_roles ORDER BY id",
    "copied markers": "SELECT * FROM markers WHERE rule_id = 'reuse.copied' ORDER BY id",
    "copied markers (fts)": "SELECT f.rowid, f.snippet FROM markers_fts f JOIN markers m ON m.id = f.rowid"
                            " WHERE m.rule_id = 'reuse.copied' ORDER BY f.rowid",
    "all markers (ids)": "SELECT id, document_id, rule_id, start, \"end\" FROM markers ORDER BY id",
    "verdicts": "SELECT rowid, * FROM verdicts ORDER BY rowid",
}


def rows(path: str, sql: str) -> Iterator[tuple[object, ...]]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        yield from conn.execute(sql)
    finally:
        conn.close()


def digest(found: Iterable[tuple[object, ...]]) -> tuple[int, str]:
    """How many rows, and one hash over all of them in order (also used by store_equality)."""
    h, n = hashlib.sha256(), 0
    for row in found:
        h.update(repr(row).encode())
        n += 1
    return n, h.hexdigest()


def same_rows(name: str, first: Callable[[], Iterable[tuple[object, ...]]],
              second: Callable[[], Iterable[tuple[object, ...]]], width: int = 22) -> bool:
    """Print one line comparing two row streams (counts and hashes) and, when they
    differ, the first three differing rows; True when they are identical."""
    (na, ha), (nb, hb) = digest(first()), digest(second())
    ok = na == nb and ha == hb
    print(f"{name:{width}} {na:>10,} rows | {nb:>10,} rows | {'identical' if ok else 'DIFFERENT'}"
          f" | sha256 {ha[:16]}")
    if not ok:
        shown = 0
        for ra, rb in zip_longest(first(), second()):
            if ra != rb:
                print(f"    first: {str(ra)[:300]}\n    second: {str(rb)[:300]}")
                shown += 1
                if shown == 3:
                    break
    return ok


def compare(a: str, b: str) -> bool:
    same = True
    for name, sql in QUERIES.items():
        if not same_rows(name, lambda p=a, q=sql: rows(p, q), lambda p=b, q=sql: rows(p, q)):
            same = False
    return same


def main() -> None:
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(0 if compare(sys.argv[1], sys.argv[2]) else 1)


if __name__ == "__main__":
    main()
