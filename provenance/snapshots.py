"""Fetched pages kept in the SQLite file, so that an audit can be re-run
`--offline` and a researcher can see exactly which bytes were analysed."""

from __future__ import annotations

import gzip
import hashlib
import json

import sqlite_utils

from .extract import document_id
from .fetch import Snapshot


def save(db: sqlite_utils.Database, snap: Snapshot) -> None:
    """Store one fetch in its own short transaction."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO snapshots (url, final_url, status, headers, content_type, charset,"
            " fetched_at, size, sha256, document_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (snap.url, snap.final_url, snap.status, json.dumps(snap.headers, sort_keys=True),
             snap.content_type, snap.charset, snap.fetched_at, len(snap.body),
             hashlib.sha256(snap.body).hexdigest(), document_id(snap.body),
             gzip.compress(snap.body, compresslevel=6, mtime=0)))
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def latest(db: sqlite_utils.Database, url: str) -> Snapshot | None:
    """The newest snapshot of `url`, asked for under that URL or reached at it."""
    row = db.conn.execute(
        "SELECT url, final_url, status, headers, content_type, charset, fetched_at, body"
        " FROM snapshots WHERE url = ? OR final_url = ? ORDER BY fetched_at DESC, id DESC LIMIT 1",
        (url, url)).fetchone()
    if row is None:
        return None
    return Snapshot(url=row[0], final_url=row[1], status=row[2], headers=json.loads(row[3]),
                    content_type=row[4], charset=row[5], fetched_at=row[6],
                    body=gzip.decompress(row[7]))
