"""Tables and views as CSV or JSON Lines, for people who work in pandas or R.

Rows stream from SQLite to the file, so a large audit exports in constant
memory. In JSON Lines, columns that hold JSON text (reasons, meta, options...)
become real nested values; in CSV they stay JSON text.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from typing import IO, Any

from . import catalog

FORMATS = ("csv", "jsonl")
# Internal bookkeeping that nobody asks for unless they name it.
HIDDEN = {"_sqlite_migrations"}


def names(conn: sqlite3.Connection, include_hidden: bool = False) -> list[str]:
    """Tables and views that can be exported, tables first, in schema order."""
    shadow = catalog.shadow_tables(conn)
    out = []
    for kind in ("table", "view"):
        for name, sql in conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%'"
                " ORDER BY rowid", (kind,)):
            if name in shadow or (sql or "").startswith("CREATE VIRTUAL TABLE"):
                continue
            if name in HIDDEN and not include_hidden:
                continue
            out.append(name)
    return out


def json_columns(name: str) -> set[str]:
    return set(catalog.described().get(name, {}).get("json", []))


def rows(conn: sqlite3.Connection, name: str) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    """Column names and a row iterator; tables in rowid order, views by their first column."""
    is_view = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ?", (name,)).fetchone()
    quoted = '"' + name.replace('"', '""') + '"'
    order = "1" if is_view else "rowid"
    cur = conn.execute(f"SELECT * FROM {quoted} ORDER BY {order}")
    return [d[0] for d in cur.description], iter(cur)


def write(conn: sqlite3.Connection, name: str, fmt: str, out: IO[str]) -> int:
    """Write one table or view to `out`; returns the number of rows."""
    columns, it = rows(conn, name)
    count = 0
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in it:
            writer.writerow(["" if v is None else v for v in row])
            count += 1
        return count
    if fmt != "jsonl":
        raise ValueError(f"unknown format {fmt!r}")
    nested = [i for i, c in enumerate(columns) if c in json_columns(name)]
    for row in it:
        values = list(row)
        for i in nested:
            if isinstance(values[i], str):
                try:
                    values[i] = json.loads(values[i])
                except ValueError:
                    pass
        out.write(json.dumps(dict(zip(columns, values, strict=True)), ensure_ascii=False) + "\n")
        count += 1
    return count
