"""The SQLite file: schema by migrations, batched writes, reads for reports.

Markers and verdicts hold the latest audit of each document; re-auditing a
document replaces its rows inside one transaction, so a reader never sees a
document with half of its markers.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

import sqlite_utils
from sqlite_utils.migrations import Migrations

from .model import Failure, Result
from .packs import RuleSet

migrations = Migrations("provenance")


@migrations()
def m001_initial(db: sqlite_utils.Database) -> None:
    db.executescript(
        """
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            tool_version TEXT NOT NULL,
            rules_version TEXT NOT NULL,
            documents INTEGER NOT NULL DEFAULT 0,
            failures INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            options TEXT,
            packs TEXT
        );
        CREATE TABLE documents (
            id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            url TEXT,
            domain TEXT,
            title TEXT,
            lang TEXT,
            text TEXT NOT NULL,
            body TEXT NOT NULL,
            audited_at TEXT NOT NULL,
            rules_version TEXT,
            meta TEXT
        );
        CREATE TABLE markers (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            rule_id TEXT NOT NULL,
            category TEXT NOT NULL,
            entity TEXT NOT NULL,
            role TEXT,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            snippet TEXT NOT NULL,
            block TEXT
        );
        CREATE INDEX markers_document ON markers(document_id);
        CREATE INDEX markers_category_entity ON markers(category, entity);
        CREATE TABLE verdicts (
            document_id TEXT PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            provenance_class TEXT NOT NULL,
            score INTEGER NOT NULL,
            grade TEXT NOT NULL,
            reasons TEXT NOT NULL
        );
        CREATE INDEX verdicts_run ON verdicts(run_id);
        CREATE TABLE failures (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL REFERENCES runs(id),
            origin TEXT NOT NULL,
            reason TEXT NOT NULL
        );
        CREATE INDEX failures_run ON failures(run_id);
        CREATE TABLE outlets (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            country TEXT,
            domains TEXT,
            aliases TEXT,
            languages TEXT,
            owner TEXT,
            state_affiliated INTEGER NOT NULL DEFAULT 0,
            affiliation_source TEXT
        );
        CREATE TABLE rules (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL,
            category TEXT NOT NULL,
            entity TEXT,
            description TEXT,
            pack TEXT NOT NULL,
            version TEXT NOT NULL
        );
        """
    )


@migrations()
def m002_snapshots(db: sqlite_utils.Database) -> None:
    """Fetched pages exactly as received (gzip-compressed), for offline re-audits."""
    db.executescript(
        """
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL,
            final_url TEXT NOT NULL,
            status INTEGER NOT NULL,
            headers TEXT NOT NULL,
            content_type TEXT,
            charset TEXT,
            fetched_at TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL,
            document_id TEXT,
            body BLOB NOT NULL
        );
        CREATE INDEX snapshots_url ON snapshots(url, fetched_at);
        CREATE INDEX snapshots_final_url ON snapshots(final_url, fetched_at);
        """
    )


CATEGORIES = ("syndication", "agency", "citation", "mention", "image-credit", "boilerplate",
              "residue", "attribution")


@migrations()
def m003_store(db: sqlite_utils.Database) -> None:
    """Indexes for the common joins, FTS5 kept in step by triggers, packs per run, views."""
    # Correlated counts, one covering-index range each: looking up one document (or a page of
    # them) does not aggregate the whole markers table first.
    counts = ",\n".join(
        f"            (SELECT count(*) FROM markers m WHERE m.document_id = d.id"
        f" AND m.category = '{c}') AS {c.replace('-', '_')}" for c in CATEGORIES)
    db.executescript(
        f"""
        CREATE INDEX documents_domain ON documents(domain);
        CREATE INDEX documents_origin ON documents(origin);
        CREATE INDEX markers_document_category ON markers(document_id, category);
        CREATE INDEX markers_rule ON markers(rule_id);
        CREATE INDEX verdicts_class ON verdicts(provenance_class);

        CREATE TABLE run_packs (
            run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
            pack TEXT NOT NULL,
            kind TEXT NOT NULL,
            version TEXT NOT NULL,
            hash TEXT NOT NULL,
            path TEXT,
            header TEXT,
            PRIMARY KEY (run_id, pack)
        );

        CREATE VIRTUAL TABLE documents_fts USING fts5(
            title, text, content="documents", content_rowid="rowid",
            tokenize="unicode61 remove_diacritics 2");
        CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER documents_fts_update AFTER UPDATE OF title, text ON documents
            WHEN old.title IS NOT new.title OR old.text IS NOT new.text BEGIN
            INSERT INTO documents_fts(documents_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO documents_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        INSERT INTO documents_fts(documents_fts) VALUES ('rebuild');

        CREATE VIRTUAL TABLE markers_fts USING fts5(
            snippet, content="markers", content_rowid="id",
            tokenize="unicode61 remove_diacritics 2");
        CREATE TRIGGER markers_fts_insert AFTER INSERT ON markers BEGIN
            INSERT INTO markers_fts(rowid, snippet) VALUES (new.id, new.snippet);
        END;
        CREATE TRIGGER markers_fts_delete AFTER DELETE ON markers BEGIN
            INSERT INTO markers_fts(markers_fts, rowid, snippet) VALUES ('delete', old.id, old.snippet);
        END;
        CREATE TRIGGER markers_fts_update AFTER UPDATE OF snippet ON markers BEGIN
            INSERT INTO markers_fts(markers_fts, rowid, snippet) VALUES ('delete', old.id, old.snippet);
            INSERT INTO markers_fts(rowid, snippet) VALUES (new.id, new.snippet);
        END;
        INSERT INTO markers_fts(markers_fts) VALUES ('rebuild');

        CREATE VIEW document_summary AS
        SELECT d.id, d.origin, d.url, d.domain, d.title, d.lang,
            v.provenance_class, v.score, v.grade, v.run_id, d.audited_at,
            (SELECT count(*) FROM markers m WHERE m.document_id = d.id) AS markers,
{counts}
        FROM documents d
        LEFT JOIN verdicts v ON v.document_id = d.id;

        CREATE VIEW outlet_citations AS
        SELECT m.entity AS outlet_id, o.name AS outlet, o.type AS outlet_type, o.country,
            o.state_affiliated, count(*) AS citations,
            count(DISTINCT m.document_id) AS documents,
            sum(m.role = 'interview') AS interviews
        FROM markers m LEFT JOIN outlets o ON o.id = m.entity
        WHERE m.category = 'citation'
        GROUP BY m.entity;

        CREATE VIEW syndicated_documents AS
        SELECT m.document_id, d.origin, d.url, d.domain, d.title, m.entity AS wire,
            o.name AS wire_name, v.provenance_class, v.score, v.grade,
            count(*) AS wire_markers, min(m.start) AS evidence_start, m.snippet AS evidence
        FROM markers m
        JOIN documents d ON d.id = m.document_id
        LEFT JOIN outlets o ON o.id = m.entity
        LEFT JOIN verdicts v ON v.document_id = m.document_id
        WHERE m.category = 'syndication'
        GROUP BY m.document_id, m.entity;

        CREATE VIEW boilerplate_by_domain AS
        SELECT b.domain, b.kind, b.documents, b.markers, t.documents AS domain_documents,
            round(100.0 * b.documents / t.documents, 1) AS percent_of_domain
        FROM (
            SELECT d.domain, m.entity AS kind, count(DISTINCT m.document_id) AS documents,
                count(*) AS markers
            FROM markers m JOIN documents d ON d.id = m.document_id
            WHERE m.category = 'boilerplate'
            GROUP BY d.domain, m.entity
        ) b
        JOIN (SELECT domain, count(*) AS documents FROM documents GROUP BY domain) t
            ON t.domain IS b.domain;

        CREATE VIEW run_failures AS
        SELECT f.run_id, r.started_at, r.finished_at, r.tool_version, f.origin, f.reason
        FROM failures f JOIN runs r ON r.id = f.run_id;

        CREATE VIEW run_overview AS
        SELECT r.id AS run_id, r.started_at, r.finished_at,
            CASE WHEN r.finished_at IS NULL THEN 'unfinished' ELSE 'finished' END AS status,
            r.tool_version, r.rules_version, r.documents, r.unchanged, r.failures,
            (SELECT count(*) FROM verdicts v WHERE v.run_id = r.id) AS current_verdicts,
            (SELECT count(*) FROM run_packs p WHERE p.run_id = r.id) AS packs,
            r.options
        FROM runs r;
        """
    )


@migrations()
def m004_reuse(db: sqlite_utils.Database) -> None:
    """Text reuse (pairs, passages, clusters, reference texts) and person roles; see reuse.py."""
    db.executescript(
        """
        CREATE TABLE reuse_references (
            id TEXT PRIMARY KEY,
            origin TEXT NOT NULL,
            title TEXT,
            text TEXT NOT NULL,
            credits TEXT,
            against TEXT
        );
        CREATE TABLE reuse_pairs (
            id INTEGER PRIMARY KEY,
            a_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            b_id TEXT NOT NULL,
            b_kind TEXT NOT NULL,
            a_share REAL NOT NULL,
            b_share REAL NOT NULL,
            a_words INTEGER NOT NULL,
            b_words INTEGER NOT NULL,
            shared_words INTEGER NOT NULL,
            cluster_id INTEGER
        );
        CREATE INDEX reuse_pairs_a ON reuse_pairs(a_id);
        CREATE INDEX reuse_pairs_b ON reuse_pairs(b_id);
        CREATE TABLE reuse_passages (
            pair_id INTEGER NOT NULL REFERENCES reuse_pairs(id) ON DELETE CASCADE,
            a_start INTEGER NOT NULL,
            a_end INTEGER NOT NULL,
            b_start INTEGER NOT NULL,
            b_end INTEGER NOT NULL,
            words INTEGER NOT NULL
        );
        CREATE INDEX reuse_passages_pair ON reuse_passages(pair_id);
        CREATE TABLE reuse_clusters (
            cluster_id INTEGER NOT NULL,
            member_id TEXT NOT NULL,
            member_kind TEXT NOT NULL,
            PRIMARY KEY (cluster_id, member_id)
        );
        CREATE TABLE person_roles (
            id INTEGER PRIMARY KEY,
            document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            person TEXT NOT NULL,
            role TEXT NOT NULL,
            role_key TEXT NOT NULL,
            former INTEGER NOT NULL DEFAULT 0,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            snippet TEXT NOT NULL
        );
        CREATE INDEX person_roles_person ON person_roles(person);
        """
    )


@migrations()
def m005_fts_in_bulk(db: sqlite_utils.Database) -> None:
    """New rows are indexed by the writer, one INSERT ... SELECT per transaction.

    Measured (bench/store_fts.py): the per-row insert triggers cost 0.4 ms per
    document; indexing the same rows with one statement in the same
    transaction costs 0.05 ms, and the index is still right after every commit.
    The delete and update triggers stay: they fire rarely. The index on
    markers(document_id) goes: the (document_id, category) index answers the same
    lookups, and each index costs every marker insert a write.
    """
    db.executescript(
        """
        DROP TRIGGER IF EXISTS documents_fts_insert;
        DROP TRIGGER IF EXISTS markers_fts_insert;
        -- markers_document_category (document_id, category) serves every lookup by document
        DROP INDEX IF EXISTS markers_document;
        """
    )


def last_rowids(conn: sqlite3.Connection) -> tuple[int, int]:
    """The highest documents rowid and markers id: rows inserted after this call
    (in the same transaction) are exactly those above them."""
    doc = conn.execute("SELECT max(rowid) FROM documents").fetchone()[0] or 0
    mark = conn.execute("SELECT max(id) FROM markers").fetchone()[0] or 0
    return int(doc), int(mark)


def index_new_rows(conn: sqlite3.Connection, after: tuple[int, int]) -> None:
    """Add the documents and markers inserted since `last_rowids` to the full-text
    indexes; call inside the transaction that inserted them."""
    conn.execute("INSERT INTO documents_fts(rowid, title, text)"
                 " SELECT rowid, title, text FROM documents WHERE rowid > ?", (after[0],))
    conn.execute("INSERT INTO markers_fts(rowid, snippet)"
                 " SELECT id, snippet FROM markers WHERE id > ?", (after[1],))


WAL_AUTOCHECKPOINT = 10_000  # pages


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (and migrate) the file: WAL, a busy timeout, foreign keys on."""
    conn = sqlite3.connect(str(path), timeout=60, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 60000")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # checkpoint every ~40 MB of WAL instead of 4 MB: a page that many batches change (index
    # and full-text pages) is copied into the file once per checkpoint, and each checkpoint
    # waits for two fsyncs (bench/store_cost.py, docs/store.md)
    conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT}")
    conn.execute("PRAGMA foreign_keys = ON")
    # REPLACE deletes fire delete triggers (and so keep the FTS tables in step) only with this on.
    conn.execute("PRAGMA recursive_triggers = ON")
    db = sqlite_utils.Database(conn)
    migrate(db)
    return db


def migrate(db: sqlite_utils.Database) -> None:
    """Apply pending migrations under a write lock, so two audits starting at once on a new
    file do not both try to create the tables."""
    if not migrations.pending(db):
        return
    with _Transaction(db.conn):
        migrations.apply(db)


class Prepared(NamedTuple):
    """One audited document as the rows the writer inserts: made where the audit ran
    (a worker process), so the single writer only executes statements, and cheap to
    pass between processes (plain tuples, no objects to rebuild)."""

    id: str
    origin: str
    provenance_class: str
    score: int
    grade: str
    document: tuple[Any, ...]  # documents row without audited_at and rules_version
    markers: list[tuple[Any, ...]]
    verdict: tuple[Any, ...]  # verdicts row without document_id and run_id
    notes: tuple[str, ...]


# what `json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False)` and
# `json.dumps(obj, ensure_ascii=False)` do, without building an encoder per call
_META_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False).encode
_REASONS_JSON = json.JSONEncoder(ensure_ascii=False).encode


def prepare(result: Result) -> Prepared:
    doc, verdict = result.document, result.verdict
    doc_id = doc.id
    return Prepared(
        doc_id, doc.origin, verdict.provenance_class, verdict.score, verdict.grade,
        (doc_id, doc.origin, doc.url, doc.domain, doc.title, doc.lang, doc.text, doc.body,
         "{}" if type(doc.meta) is dict and not doc.meta else _META_JSON(doc.meta)),
        [(doc_id, m.rule_id, m.category, m.entity, m.role, m.start, m.end, m.snippet, m.block)
         for m in result.markers],
        (verdict.provenance_class, verdict.score, verdict.grade,
         _REASONS_JSON([x.as_dict() for x in verdict.reasons])),
        result.notes)


class Writer:
    """Collects results and writes them in batches, one transaction per batch."""

    def __init__(self, db: sqlite_utils.Database, ruleset: RuleSet, tool_version: str,
                 options: dict[str, Any] | None = None, batch: int = 500,
                 batch_chars: int = 1_000_000) -> None:
        self.db = db
        self.conn: sqlite3.Connection = db.conn
        self.ruleset = ruleset
        self.rules_version = ruleset.version  # a hash over all packs: compute it once
        # a batch ends after `batch` items or `batch_chars` characters of text, whichever
        # comes first: big web pages are written while later ones are still being audited,
        # and the pending batch never holds hundreds of megabytes
        self.batch = batch
        self.batch_chars = batch_chars
        self.pending: list[Result | Prepared | Failure] = []
        self.pending_chars = 0
        self.documents = 0
        self.failures = 0
        self.unchanged = 0
        with self._tx():
            # only documents of an earlier run with these rules can be unchanged
            self.earlier = self.conn.execute(
                "SELECT EXISTS (SELECT 1 FROM runs WHERE rules_version = ?)",
                (self.rules_version,)).fetchone()[0] == 1
            cur = self.conn.execute(
                "INSERT INTO runs (started_at, tool_version, rules_version, options, packs) "
                "VALUES (?, ?, ?, ?, ?)",
                (now(), tool_version, self.rules_version,
                 json.dumps(options or {}, sort_keys=True, default=str),
                 json.dumps(ruleset.packs, sort_keys=True)))
            self.run_id = int(cur.lastrowid or 0)
            self._write_run_packs()
            self._write_reference_tables()

    def _tx(self) -> Any:
        return _Transaction(self.conn)

    def _write_run_packs(self) -> None:
        """Version, content hash and header of every pack, registry and weight file in force."""
        self.conn.executemany(
            "INSERT INTO run_packs (run_id, pack, kind, version, hash, path, header)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self.run_id, key, key.split(":", 1)[0], info.get("version", ""), info.get("hash", ""),
              info.get("path"), json.dumps(pack_header(info.get("path")), sort_keys=True,
                                           ensure_ascii=False, default=str))
             for key, info in sorted(self.ruleset.packs.items())])

    def _write_reference_tables(self) -> None:
        self.conn.execute("DELETE FROM rules")
        self.conn.executemany(
            "INSERT INTO rules (id, kind, category, entity, description, pack, version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(r.id, r.kind, r.category, r.entity, r.description, r.pack, r.version)
             for r in self.ruleset.rules])
        self.conn.executemany(
            "INSERT OR REPLACE INTO outlets (id, name, type, country, domains, aliases, languages,"
            " owner, state_affiliated, affiliation_source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(o.id, o.name, o.type, o.country, json.dumps(list(o.domains)),
              json.dumps(list(o.aliases + o.strict_aliases), ensure_ascii=False),
              json.dumps(list(o.languages)), o.owner, int(o.state_affiliated),
              o.affiliation_source) for o in self.ruleset.outlets.values()])

    def is_unchanged(self, doc_id: str) -> bool:
        """Audited by an earlier run with the same rules. A copy met again in this
        run is audited again, so that the outcome does not depend on batching."""
        if not self.earlier:  # a first audit into a new file: no lookup per document
            return False
        row = self.conn.execute(
            "SELECT d.rules_version FROM documents d JOIN verdicts v ON v.document_id = d.id "
            "WHERE d.id = ? AND v.run_id != ?", (doc_id, self.run_id)).fetchone()
        return row is not None and row[0] == self.rules_version

    def add(self, item: Result | Prepared | Failure) -> None:
        self.pending.append(item)
        if isinstance(item, Prepared):
            self.pending_chars += len(item.document[6])
        elif isinstance(item, Result):
            self.pending_chars += len(item.document.text)
        if len(self.pending) >= self.batch or self.pending_chars >= self.batch_chars:
            self.flush()

    def skip(self) -> None:
        self.unchanged += 1

    def flush(self) -> None:
        """Write the pending items in one transaction, one `executemany` per table."""
        if not self.pending:
            return
        items, self.pending, self.pending_chars = self.pending, [], 0
        # failures, and notes on stored documents (what is missing), in the order met
        failed: list[tuple[int, str, str]] = []
        results: list[Prepared] = []
        failures = 0
        for item in items:
            if isinstance(item, Failure):
                failed.append((self.run_id, item.origin, item.reason))
                failures += 1
            else:
                rows = item if isinstance(item, Prepared) else prepare(item)
                results.append(rows)
                failed.extend((self.run_id, rows.origin, note) for note in rows.notes)
        # a document met twice in one batch: the last audit wins, as if written one by one
        latest = list({r.id: r for r in results}.values())
        stamp, version, run_id = now(), self.rules_version, self.run_id
        ids = [(r.id,) for r in latest]
        docs = [(*r.document[:8], stamp, version, r.document[8]) for r in latest]
        marks = [m for r in latest for m in r.markers]
        verdicts = [(r.id, run_id, *r.verdict) for r in latest]
        with self._tx():
            if failed:
                self.conn.executemany(
                    "INSERT INTO failures (run_id, origin, reason) VALUES (?, ?, ?)", failed)
            self.conn.executemany("DELETE FROM markers WHERE document_id = ?", ids)
            # re-audited documents keep their rowid (the update trigger re-indexes them)
            after = last_rowids(self.conn)
            self.conn.executemany(
                "INSERT INTO documents (id, origin, url, domain, title, lang, text, body, audited_at,"
                " rules_version, meta) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET origin=excluded.origin, url=excluded.url,"
                " domain=excluded.domain, title=excluded.title, lang=excluded.lang,"
                " text=excluded.text, body=excluded.body, audited_at=excluded.audited_at,"
                " rules_version=excluded.rules_version, meta=excluded.meta", docs)
            self.conn.executemany(
                'INSERT INTO markers (document_id, rule_id, category, entity, role, start, "end",'
                " snippet, block) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", marks)
            self.conn.executemany(
                "INSERT OR REPLACE INTO verdicts (document_id, run_id, provenance_class, score,"
                " grade, reasons) VALUES (?, ?, ?, ?, ?, ?)", verdicts)
            index_new_rows(self.conn, after)
            self.failures += failures
            self.documents += len(results)
            self._update_run(finished=False)

    def _update_run(self, finished: bool) -> None:
        self.conn.execute(
            "UPDATE runs SET documents = ?, failures = ?, unchanged = ?, finished_at = ?"
            " WHERE id = ?",
            (self.documents, self.failures, self.unchanged, now() if finished else None,
             self.run_id))

    def close(self, finished: bool = True) -> None:
        """Write what is pending; `finished=False` (Ctrl-C) keeps the run marked unfinished."""
        self.flush()
        with self._tx():
            self._update_run(finished=finished)


def pack_header(path: str | None) -> dict[str, Any]:
    """The head table of a pack file ([pack], [registry] or [verdict]): id, version,
    description, and for the outlet registry its sources and licence."""
    import tomllib

    from .packs import parse_toml

    if not path:
        return {}
    try:
        data = parse_toml(Path(path).read_bytes())
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}
    for head in ("pack", "registry", "verdict"):
        value = data.get(head)
        if isinstance(value, dict):
            return {k: v for k, v in value.items() if not isinstance(v, dict)}
    return {}


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, so that two writers queue instead of failing."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def __enter__(self) -> sqlite3.Connection:
        self.conn.execute("BEGIN IMMEDIATE")
        return self.conn

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.conn.execute("COMMIT")
        else:
            self.conn.execute("ROLLBACK")


# -- reads (reports, JSON) ----------------------------------------------------

def documents(db: sqlite_utils.Database, ids: Iterable[str] | None = None) -> Iterator[dict[str, Any]]:
    sql = ("SELECT d.*, v.provenance_class, v.score, v.grade, v.reasons, v.run_id"
           " FROM documents d LEFT JOIN verdicts v ON v.document_id = d.id")
    wanted = list(ids or [])
    if wanted:
        sql += " WHERE d.id IN ({})".format(",".join("?" * len(wanted)))
    sql += " ORDER BY d.origin, d.id"
    for row in db.query(sql, wanted):
        row["reasons"] = json.loads(row["reasons"] or "[]")
        yield row


def markers(db: sqlite_utils.Database, doc_id: str) -> list[dict[str, Any]]:
    return list(db.query(
        'SELECT rule_id, category, entity, role, start, "end", snippet, block FROM markers'
        ' WHERE document_id = ? ORDER BY start, "end", category, entity, rule_id', [doc_id]))


def outlets(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in db.query("SELECT * FROM outlets")}


def rules(db: sqlite_utils.Database) -> dict[str, dict[str, Any]]:
    return {row["id"]: row for row in db.query("SELECT * FROM rules")}
