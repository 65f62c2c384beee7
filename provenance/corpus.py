"""The corpus step: analyses that need every document at once, run after the per-document audit.

It reads the documents and their markers from the SQLite file (and optional
reference texts), finds text reuse (`reuse.py`) and people named with
conflicting roles (`consistency.py`), and writes the results back in one
transaction: reuse tables, `copied` markers, and the verdicts those markers
change. Running it again replaces its previous results.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlite_utils

from . import consistency, reuse, store
from .model import Document, Marker
from .packs import RuleSet
from .store import _Transaction
from .verdict import decide

_KEPT = reuse.CREDIT_CATEGORIES + reuse.CHROME_CATEGORIES


@dataclass(frozen=True)
class Summary:
    documents: int
    references: int
    candidates: int
    pairs: int
    clusters: int
    copied_markers: int
    verdicts_changed: int
    person_roles: int
    failures: tuple[str, ...] = ()


_MARKS = ('SELECT document_id, category, entity, start, "end" FROM markers WHERE category IN'
          " ({}) AND (role IS NULL OR role != 'copied')")


def _items_from_db(conn: sqlite3.Connection, kind: str) -> list[reuse.Item]:
    """Every document with its text, in memory: for reference databases (`--against`)."""
    credits: dict[str, set[tuple[str, str]]] = defaultdict(set)
    chrome: dict[str, list[tuple[int, int]]] = defaultdict(list)
    marks = conn.execute(_MARKS.format(",".join("?" * len(_KEPT))), _KEPT)
    for doc_id, category, entity, start, end in marks:
        if category in reuse.CREDIT_CATEGORIES:
            credits[doc_id].add((category, entity))
        else:
            chrome[doc_id].append((start, end))
    rows = conn.execute("SELECT id, origin, text, CASE WHEN body = text THEN NULL ELSE body END,"
                        " domain, title FROM documents ORDER BY origin, id")
    return [reuse.Item(id=r[0], kind=kind, origin=r[1], text=r[2], body=r[3], domain=r[4],
                       credits=frozenset(credits.get(r[0], ())), chrome=tuple(chrome.get(r[0], ())),
                       title=r[5]) for r in rows]


class DbTexts(reuse.Texts):
    """The documents of an audit database for `reuse.analyze`, read a batch at a time.

    Only what the analysis needs of every document stays in memory (id, domain,
    wire and agency credits: the items carry no text); the texts, bodies and
    chrome markers are read again whenever the analysis asks for them, so the
    corpus step's memory does not grow with the corpus's text. Reference items
    given as `extra` come after the documents and stay in memory."""

    BATCH = 500  # rows per query

    def __init__(self, conn: sqlite3.Connection, extra: Iterable[reuse.Item] = ()) -> None:
        self.conn = conn
        credits: dict[str, set[tuple[str, str]]] = defaultdict(set)
        cats = reuse.CREDIT_CATEGORIES
        for doc_id, category, entity, _, _ in conn.execute(_MARKS.format(",".join("?" * len(cats))), cats):
            credits[doc_id].add((category, entity))
        self.rowids = array("q")
        domains: dict[str, str] = {}
        items = []
        for rowid, doc_id, origin, domain in conn.execute(
                "SELECT rowid, id, origin, domain FROM documents ORDER BY origin, id"):
            self.rowids.append(rowid)
            items.append(reuse.Item(id=doc_id, kind="document", origin=origin, text="",
                                    domain=domain and domains.setdefault(domain, domain),
                                    credits=frozenset(credits.get(doc_id, ()))))
        self.documents = len(items)
        known = {it.id for it in items}
        for ref in extra:  # a reference already in the corpus is that document
            if ref.id not in known:
                items.append(ref)
                known.add(ref.id)
        super().__init__(items)

    def read(self, indices: Iterable[int]) -> Iterator[tuple[int, reuse.Item]]:
        chunk: list[int] = []
        for i in indices:
            if i >= self.documents:
                yield from self._rows(chunk)
                chunk = []
                yield i, self.items[i]
                continue
            chunk.append(i)
            if len(chunk) == self.BATCH:
                yield from self._rows(chunk)
                chunk = []
        yield from self._rows(chunk)

    def _rows(self, chunk: list[int]) -> Iterator[tuple[int, reuse.Item]]:
        if not chunk:
            return
        rowids = [self.rowids[i] for i in chunk]
        marks = ",".join("?" * len(rowids))
        rows = {r[0]: r[1:] for r in self.conn.execute(
            "SELECT rowid, text, CASE WHEN body = text THEN NULL ELSE body END FROM documents"
            f" WHERE rowid IN ({marks})", rowids)}
        ids = [self.items[i].id for i in chunk]
        chrome: dict[str, list[tuple[int, int]]] = defaultdict(list)
        cats = reuse.CHROME_CATEGORIES
        for doc_id, _, _, start, end in self.conn.execute(
                _MARKS.format(",".join("?" * len(cats))) + f" AND document_id IN ({','.join('?' * len(ids))})",
                (*cats, *ids)):
            chrome[doc_id].append((start, end))
        for i, rowid, doc_id in zip(chunk, rowids, ids, strict=True):
            text, body = rows[rowid]
            stub = self.items[i]
            yield i, reuse.Item(id=doc_id, kind=stub.kind, origin=stub.origin, text=text, body=body,
                                domain=stub.domain, credits=stub.credits,
                                chrome=tuple(chrome.get(doc_id, ())))


def load_references(path: Path, ruleset: RuleSet) -> tuple[list[reuse.Item], list[str]]:
    """Reference texts from a folder or file (audited here, not stored) or another audit database."""
    if path.is_file() and path.read_bytes()[:16] == b"SQLite format 3\x00":
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return _items_from_db(conn, "reference"), []
        except sqlite3.DatabaseError as exc:
            return [], [f"{path}: not an audit database ({exc})"]
        finally:
            conn.close()
    from .audit import Auditor
    from .ingest import iter_sources
    from .model import Failure

    auditor = Auditor(ruleset)
    items, failures = [], []
    for source in iter_sources([str(path)]):
        result = source if isinstance(source, Failure) else auditor.audit_source(source)
        if isinstance(result, Failure):
            failures.append(f"{result.origin}: {result.reason}")
            continue
        doc = result.document
        items.append(reuse.Item(
            id=doc.id, kind="reference", origin=doc.origin, text=doc.text,
            body=None if doc.body == doc.text else doc.body, domain=doc.domain, title=doc.title,
            credits=frozenset((m.category, m.entity) for m in result.markers
                              if m.category in reuse.CREDIT_CATEGORIES),
            chrome=tuple((m.start, m.end) for m in result.markers
                         if m.category in reuse.CHROME_CATEGORIES)))
    return items, failures


def run(db: sqlite_utils.Database, ruleset: RuleSet, against: list[Path] | tuple[Path, ...] = (),
        settings: reuse.Settings | None = None,
        log: Callable[[str], None] | None = None, batch: int = 2000) -> Summary:
    """Analyse the whole database (and the references) and store the results.

    Results are written as they are found, never all held: verified pairs, their
    passages and person roles go to TEMP tables a batch at a time (outside the
    write lock, which concurrent audits need), and one transaction then replaces
    the reuse tables from them, adds the copied markers (read back per copying
    document) and revises the verdicts. What stays in memory grows with pairs
    (two indices each), not with passages or markers."""
    conn: sqlite3.Connection = db.conn
    failures: list[str] = []
    against_of: dict[str, str] = {}
    references: list[reuse.Item] = []
    for path in against:
        refs, bad = load_references(Path(path), ruleset)
        failures += bad
        for ref in refs:
            against_of.setdefault(ref.id, str(path))
        references += refs
    texts = DbTexts(conn, references)
    items, n_docs = texts.items, texts.documents
    stage = _Stage(conn)
    try:
        corp = reuse.Corpus(texts, settings)
        cands = reuse.candidates(corp)
        edges_a, edges_b = array("q"), array("q")  # every verified pair, for the clusters
        for p in reuse.verified(corp, cands, batch):
            edges_a.append(p.a)
            edges_b.append(p.b)
            if items[p.a].id != items[p.b].id:
                stage.add_pair(items, p)
        del corp
        stage.flush()
        clusters = reuse.clusters_of(len(items), zip(edges_a, edges_b, strict=True))
        del edges_a, edges_b
        stage.add_roles((item.id, r) for _, item in texts.read(range(n_docs))
                        for r in consistency.find_roles(item.text))
        with _Transaction(conn):
            before = {r[0] for r in conn.execute(
                "SELECT DISTINCT document_id FROM markers WHERE rule_id = ?", (reuse.COPIED_RULE,))}
            for table in ("reuse_passages", "reuse_pairs", "reuse_clusters", "reuse_references",
                          "person_roles"):
                conn.execute(f"DELETE FROM {table}")
            conn.execute("DELETE FROM markers WHERE rule_id = ?", (reuse.COPIED_RULE,))
            for cid, members in enumerate(clusters, 1):
                conn.executemany("INSERT INTO temp.stage_cluster_of (item, cluster_id) VALUES (?, ?)",
                                 [(m, cid) for m in members])
                conn.executemany("INSERT INTO reuse_clusters (cluster_id, member_id, member_kind)"
                                 " VALUES (?, ?, ?)", [(cid, items[m].id, items[m].kind) for m in members])
            for i in sorted(stage.used_refs):
                ref = items[i]
                conn.execute("INSERT INTO reuse_references (id, origin, title, text, credits, against)"
                             " VALUES (?, ?, ?, ?, ?, ?)",
                             (ref.id, ref.origin, ref.title, ref.text,
                              json.dumps(sorted(ref.credits)), against_of.get(ref.id)))
            first = conn.execute("SELECT coalesce(max(id), 0) FROM reuse_pairs").fetchone()[0]
            conn.execute(
                "INSERT INTO reuse_pairs (id, a_id, b_id, b_kind, a_share, b_share, a_words, b_words,"
                " shared_words, cluster_id) SELECT ? + p.seq, p.a_id, p.b_id, p.b_kind, p.a_share,"
                " p.b_share, p.a_words, p.b_words, p.shared_words, c.cluster_id FROM temp.stage_pairs p"
                " LEFT JOIN temp.stage_cluster_of c ON c.item = p.a ORDER BY p.seq", (first,))
            conn.execute(
                "INSERT INTO reuse_passages (pair_id, a_start, a_end, b_start, b_end, words)"
                " SELECT ? + seq, a_start, a_end, b_start, b_end, words FROM temp.stage_passages"
                " ORDER BY rowid", (first,))
            after = store.last_rowids(conn)
            copied = 0
            changed = set(before)

            def marker_rows() -> Iterator[tuple[Any, ...]]:
                nonlocal copied
                for c in stage.copied_markers(items, texts, first):  # one text's markers at a time
                    copied += 1
                    changed.add(c.document_id)
                    yield (c.document_id, reuse.COPIED_RULE, c.category, c.entity, c.start, c.end, c.snippet)

            conn.executemany(
                'INSERT INTO markers (document_id, rule_id, category, entity, role, start, "end",'
                " snippet, block) VALUES (?, ?, ?, ?, 'copied', ?, ?, ?, 'body')", marker_rows())
            store.index_new_rows(conn, after)
            conn.execute(
                'INSERT INTO person_roles (document_id, person, role, role_key, former, start, "end",'
                ' snippet) SELECT document_id, person, role, role_key, former, start, "end", snippet'
                " FROM temp.stage_roles ORDER BY rowid")
            for doc_id in sorted(changed):
                _redecide(conn, doc_id, ruleset)
    finally:
        stage.drop()
    summary = Summary(n_docs, len(items) - n_docs, len(cands[0]), stage.pairs, len(clusters), copied,
                      len(changed), stage.roles, tuple(failures))
    if log:
        for line in failures:
            log(f"reference failed: {line}")
    return summary


class _Stage:
    """The step's results as they are found, in TEMP tables of the connection (on disk,
    not in memory, and outside the database file): the transaction that replaces the
    reuse tables copies them over in the order they came, so row ids are those of
    writing each row as it was found. Per pair, only its two indices stay in memory
    (`copied_markers` reads the passages back per copying document)."""

    FLUSH = 4096  # rows (pairs and passages) written at once: about a megabyte of tuples

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.drop()
        conn.executescript(
            """
            CREATE TEMP TABLE stage_pairs (seq INTEGER PRIMARY KEY, a INTEGER, a_id TEXT, b_id TEXT,
                b_kind TEXT, a_share REAL, b_share REAL, a_words INTEGER, b_words INTEGER,
                shared_words INTEGER);
            CREATE TEMP TABLE stage_passages (seq INTEGER, a_start INTEGER, a_end INTEGER,
                b_start INTEGER, b_end INTEGER, words INTEGER);
            CREATE TEMP TABLE stage_roles (document_id TEXT, person TEXT, role TEXT, role_key TEXT,
                former INTEGER, start INTEGER, "end" INTEGER, snippet TEXT);
            CREATE TEMP TABLE stage_cluster_of (item INTEGER PRIMARY KEY, cluster_id INTEGER);
            """)
        self.pairs = self.roles = 0
        self.a, self.b = array("q"), array("q")  # the pair numbered seq is (a[seq - 1], b[seq - 1])
        self.used_refs: set[int] = set()
        self._pair_rows: list[tuple[Any, ...]] = []
        self._passage_rows: list[tuple[int, ...]] = []

    def add_pair(self, items: list[reuse.Item], p: reuse.Pair) -> None:
        self.pairs += 1
        self.a.append(p.a)
        self.b.append(p.b)
        b = items[p.b]
        if b.kind == "reference":
            self.used_refs.add(p.b)
        self._pair_rows.append((self.pairs, p.a, items[p.a].id, b.id, b.kind, p.a_share, p.b_share,
                                p.a_words, p.b_words, p.shared_words))
        self._passage_rows += [(self.pairs, x.a_start, x.a_end, x.b_start, x.b_end, x.words)
                               for x in p.passages]
        if len(self._pair_rows) + len(self._passage_rows) >= self.FLUSH:
            self.flush()

    def flush(self) -> None:
        self.conn.executemany("INSERT INTO temp.stage_pairs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                              self._pair_rows)
        self.conn.executemany("INSERT INTO temp.stage_passages VALUES (?, ?, ?, ?, ?, ?)", self._passage_rows)
        self._pair_rows, self._passage_rows = [], []

    def add_roles(self, roles: Iterable[tuple[str, consistency.Role]]) -> None:
        def rows() -> Iterator[tuple[Any, ...]]:
            for doc_id, r in roles:
                self.roles += 1
                yield doc_id, r.person, r.role, r.role_key, int(r.former), r.start, r.end, r.snippet

        self.conn.executemany("INSERT INTO temp.stage_roles VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows())

    def copied_markers(self, items: list[reuse.Item], texts: reuse.Texts, first: int) -> Iterator[reuse.Copied]:
        """`reuse.copied_markers` for the staged pairs: the copying links (two ints each)
        sorted by copying document id, and each pair's passages read back when its
        copier comes (`first` + seq is the pair's id in reuse_pairs)."""
        import numpy as np

        dst, seq = array("q"), array("q")
        for n, (a, b) in enumerate(zip(self.a, self.b, strict=True), 1):
            for _, d, _ in reuse.copy_links(items, a, b):
                dst.append(d)
                seq.append(n)
        if not dst:
            return
        rank = np.empty(len(items), dtype=np.int64)
        rank[sorted(range(len(items)), key=lambda i: items[i].id)] = np.arange(len(items))
        d, q = np.frombuffer(dst, dtype=np.int64), np.frombuffer(seq, dtype=np.int64)
        order = np.argsort(rank[d], kind="stable")
        d, q = d[order], q[order]
        del dst, seq, order
        starts = np.flatnonzero(np.r_[True, d[1:] != d[:-1]])
        where = dict(zip(d[starts].tolist(), zip(starts.tolist(), np.r_[starts[1:], len(d)].tolist(),
                                                   strict=True), strict=True))

        def spans(target: int) -> Iterator[tuple[int, list[tuple[int, int]]]]:
            lo, hi = where[target]
            for n in q[lo:hi].tolist():
                a, b = self.a[n - 1], self.b[n - 1]
                flip = target == b
                cols = "b_start, b_end" if flip else "a_start, a_end"
                rows = self.conn.execute(f"SELECT {cols} FROM reuse_passages WHERE pair_id = ? ORDER BY rowid",
                                         (first + n,)).fetchall()
                yield (a if flip else b), rows

        yield from reuse.copied_from(items, texts, d[starts].tolist(), spans)

    def drop(self) -> None:
        for table in ("stage_pairs", "stage_passages", "stage_roles", "stage_cluster_of"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")


def _redecide(conn: sqlite3.Connection, doc_id: str, ruleset: RuleSet) -> None:
    """The verdict again from all the document's markers, now including the copied ones."""
    row = conn.execute("SELECT id, origin, text, body, title, url, domain, lang FROM documents"
                       " WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return
    doc = Document(id=row[0], origin=row[1], text=row[2], body=row[3], title=row[4], url=row[5],
                   domain=row[6], lang=row[7])
    marks = [Marker(rule_id=r[0], category=r[1], entity=r[2], role=r[3], start=r[4], end=r[5],
                    snippet=r[6], block=r[7] or "body")
             for r in conn.execute(
                 'SELECT rule_id, category, entity, role, start, "end", snippet, block FROM markers'
                 ' WHERE document_id = ? ORDER BY start, "end", category, entity, rule_id', (doc_id,))]
    v = decide(doc, marks, ruleset.verdict)
    conn.execute("UPDATE verdicts SET provenance_class = ?, score = ?, grade = ?, reasons = ?"
                 " WHERE document_id = ?",
                 (v.provenance_class, v.score, v.grade,
                  json.dumps([r.as_dict() for r in v.reasons], ensure_ascii=False), doc_id))


def describe(summary: Summary) -> str:
    return (f"reuse: {summary.documents} documents, {summary.references} references, "
            f"{summary.pairs} reuse pairs in {summary.clusters} clusters, "
            f"{summary.copied_markers} copied markers, {summary.verdicts_changed} verdicts revised; "
            f"{summary.person_roles} person roles")


def as_dict(summary: Summary) -> dict[str, Any]:
    return summary.__dict__ | {"failures": list(summary.failures)}
