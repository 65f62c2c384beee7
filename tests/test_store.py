"""The SQLite file: migrations, keys, indexes, full-text search, views, runs,
incremental re-audits, and durability under kill -9 and two writers."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SEEDS
from storecorpus import write_corpus

from provenance import corpus, packs, store
from provenance.model import Document, Marker, Reason, Result, Verdict


@pytest.fixture
def seeds_db(run_cli, tmp_path) -> sqlite3.Connection:
    result = run_cli("audit", str(SEEDS), str(tmp_path / "missing.txt"), "--db", "s.db", "-q")
    assert result.exit_code == 0
    return sqlite3.connect(tmp_path / "s.db")


def marker_rows(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        'SELECT document_id, rule_id, category, entity, role, start, "end", snippet, block'
        ' FROM markers ORDER BY document_id, start, "end", rule_id, entity').fetchall()


def fts_ok(conn: sqlite3.Connection) -> None:
    """FTS5's own check that the index matches its content table exactly."""
    for table in ("documents_fts", "markers_fts"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def audit_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "provenance", "audit", *args, "-q"]


# -- schema --------------------------------------------------------------------

def test_migrations_are_recorded_once(tmp_path):
    path = tmp_path / "m.db"
    store.connect(path).conn.close()
    store.connect(path).conn.close()
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names[0] == "m001_initial" and "m003_store" in names
    assert len(names) == len(set(names)) == len(store.migrations._migrations)


def test_an_older_file_is_brought_up_to_date(tmp_path):
    import sqlite_utils

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(path)
    store.migrations.apply(old, stop_before="m003_store")
    old.conn.execute("INSERT INTO documents (id, origin, text, body, audited_at) VALUES"
                     " ('d1', 'a.txt', 'Laut Kyodo alles gut', 'x', 'now')")
    old.conn.execute("INSERT INTO markers (document_id, rule_id, category, entity, start, \"end\","
                     " snippet) VALUES ('d1', 'r', 'citation', 'kyodo', 5, 10, 'Kyodo')")
    old.conn.commit()
    old.conn.close()
    conn = store.connect(path).conn
    assert conn.execute("SELECT rowid FROM documents_fts WHERE documents_fts MATCH 'kyodo'"
                        ).fetchall() == conn.execute("SELECT rowid FROM documents").fetchall()
    assert conn.execute("SELECT count(*) FROM markers_fts WHERE markers_fts MATCH 'kyodo'").fetchone()[0] == 1
    assert conn.execute("SELECT citation FROM document_summary").fetchone()[0] == 1
    fts_ok(conn)


def test_pragmas_and_foreign_keys(tmp_path):
    db = store.connect(tmp_path / "p.db")
    conn = db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 10000
    # synchronous NORMAL (1): in WAL mode a process crash loses no commit (test below)
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == store.WAL_AUTOCHECKPOINT
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO markers (document_id, rule_id, category, entity, start, \"end\","
                     " snippet) VALUES ('nope', 'r', 'c', 'e', 0, 1, 'x')")
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute("INSERT INTO verdicts VALUES ('nope', 99, 'original', 50, 'C', '[]')")


@pytest.mark.parametrize("sql, index", [
    ("SELECT * FROM markers WHERE document_id = 'x'", "markers_document_category"),
    ("SELECT * FROM markers WHERE category = 'citation' AND entity = 'reuters'",
     "markers_category_entity"),
    ("SELECT * FROM documents WHERE domain = 'example.org'", "documents_domain"),
    ("SELECT * FROM verdicts WHERE provenance_class = 'original'", "verdicts_class"),
    ("SELECT * FROM verdicts WHERE run_id = 3", "verdicts_run"),
    ("SELECT * FROM markers WHERE rule_id = 'x'", "markers_rule"),
    ("SELECT * FROM failures WHERE run_id = 3", "failures_run"),
])
def test_common_lookups_use_an_index(tmp_path, sql, index):
    conn = store.connect(tmp_path / "i.db").conn
    plan = " ".join(str(r[-1]) for r in conn.execute("EXPLAIN QUERY PLAN " + sql))
    assert "SCAN" not in plan and "INDEX" in plan, plan
    assert conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?",
                        (index,)).fetchone()


# -- full-text search ----------------------------------------------------------

def test_fts_finds_documents_and_snippets(seeds_db):
    conn = seeds_db
    fts_ok(conn)
    hits = conn.execute(
        "SELECT d.origin FROM documents_fts JOIN documents d ON d.rowid = documents_fts.rowid"
        " WHERE documents_fts MATCH 'seaprwire'").fetchall()
    assert [Path(h[0]).name for h in hits] == ["003_1c3c3d0787c00a5b.txt"]
    snippets = conn.execute(
        "SELECT m.snippet FROM markers_fts JOIN markers m ON m.id = markers_fts.rowid"
        " WHERE markers_fts MATCH 'seaprwire'").fetchall()
    assert snippets and all("SeaPRwire" in s[0] for s in snippets)


def test_fts_follows_updates_and_deletes(seeds_db, tmp_path):
    conn = store.connect(tmp_path / "s.db").conn  # foreign keys and recursive triggers on
    doc_id = conn.execute("SELECT document_id FROM markers WHERE category = 'syndication'").fetchone()[0]
    conn.execute("UPDATE documents SET text = 'zyxwordneu only' WHERE id = ?", (doc_id,))
    assert conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'text:seaprwire'"
                        ).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM documents_fts WHERE documents_fts MATCH 'zyxwordneu'"
                        ).fetchone()[0] == 1
    conn.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
    assert conn.execute("SELECT count(*) FROM markers WHERE document_id = ?", (doc_id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM markers_fts WHERE markers_fts MATCH 'seaprwire'"
                        ).fetchone()[0] == 0
    fts_ok(conn)


def test_force_reaudit_keeps_fts_in_step(run_cli, seeds_db, tmp_path):
    before = marker_rows(seeds_db)
    run_cli("audit", str(SEEDS), "--db", "s.db", "-q", "--force")
    conn = sqlite3.connect(tmp_path / "s.db")
    assert marker_rows(conn) == before
    assert conn.execute("SELECT count(*) FROM markers_fts").fetchone()[0] == len(before)
    fts_ok(conn)


# -- views -----------------------------------------------------------------------

def test_document_summary_counts_match_markers(seeds_db):
    conn = seeds_db
    conn.row_factory = sqlite3.Row
    rows = conn.execute("SELECT * FROM document_summary").fetchall()
    assert len(rows) == 5
    for row in rows:
        counts = dict(conn.execute(
            "SELECT replace(category, '-', '_'), count(*) FROM markers WHERE document_id = ?"
            " GROUP BY category", (row["id"],)).fetchall())
        for col in ("syndication", "agency", "citation", "mention", "image_credit", "boilerplate",
                    "residue", "attribution"):
            assert row[col] == counts.get(col, 0)
        assert row["markers"] == sum(counts.values())
        assert row["provenance_class"] and row["grade"] in "ABCDE"


def test_syndication_boilerplate_and_failure_views(seeds_db):
    conn = seeds_db
    synd = conn.execute("SELECT origin, wire, evidence FROM syndicated_documents").fetchall()
    assert [(Path(o).name, w) for o, w, _ in synd] == [("003_1c3c3d0787c00a5b.txt", "seaprwire")]
    assert "SeaPRwire" in synd[0][2]
    kinds = {r[0]: r[1:] for r in conn.execute(
        "SELECT kind, documents, domain_documents, percent_of_domain FROM boilerplate_by_domain")}
    assert "donation" in kinds and kinds["donation"][1] == 5
    assert kinds["donation"][2] == round(100 * kinds["donation"][0] / 5, 1)
    failed = conn.execute("SELECT run_id, origin, reason FROM run_failures").fetchall()
    assert len(failed) == 1 and failed[0][1].endswith("missing.txt")
    overview = conn.execute(
        "SELECT status, documents, failures, current_verdicts, packs FROM run_overview").fetchall()
    assert overview == [("finished", 5, 1, 5, overview[0][4])] and overview[0][4] >= 7


def test_outlet_citations_view_joins_the_registry(tmp_path):
    db = store.connect(tmp_path / "o.db")
    conn = db.conn
    conn.execute("INSERT INTO outlets (id, name, type, country) VALUES ('kyodo', 'Kyodo', 'agency', 'JP')")
    conn.execute("INSERT INTO documents (id, origin, text, body, audited_at) VALUES"
                 " ('d1', 'a', 'told Kyodo', 'told Kyodo', 'now'), ('d2', 'b', 'x', 'x', 'now')")
    conn.executemany(
        "INSERT INTO markers (document_id, rule_id, category, entity, role, start, \"end\", snippet)"
        " VALUES (?, 'r', 'citation', ?, ?, 0, 1, 't')",
        [("d1", "kyodo", "interview"), ("d1", "kyodo", "cited"), ("d2", "kyodo", "cited"),
         ("d2", "unlisted", "cited")])
    rows = conn.execute("SELECT outlet_id, outlet, outlet_type, country, citations, documents,"
                        " interviews FROM outlet_citations ORDER BY outlet_id").fetchall()
    assert rows == [("kyodo", "Kyodo", "agency", "JP", 3, 2, 1),
                    ("unlisted", None, None, None, 1, 1, 0)]


# -- runs ------------------------------------------------------------------------

def test_run_records_every_pack_and_verdicts_name_it(seeds_db, ruleset):
    conn = seeds_db
    run_id, tool, rules_version, options = conn.execute(
        "SELECT id, tool_version, rules_version, options FROM runs").fetchone()
    from provenance import __version__

    assert tool == __version__ and rules_version == ruleset.version
    assert json.loads(options)["force"] is False
    packs = {r[0]: r[1:] for r in conn.execute(
        "SELECT pack, kind, version, hash, header FROM run_packs WHERE run_id = ?", (run_id,))}
    assert set(packs) == set(ruleset.packs)
    for key, info in ruleset.packs.items():
        kind, version, digest, header = packs[key]
        assert (kind, version, digest) == (key.split(":")[0], info["version"], info["hash"])
        assert json.loads(header).get("version") == info["version"]
    assert {r[0] for r in conn.execute("SELECT DISTINCT run_id FROM verdicts")} == {run_id}


def _pack(folder: Path, version: str, phrase: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / "extra.toml").write_text(
        f'[pack]\nid = "extra"\nversion = "{version}"\nlanguages = ["de"]\n\n'
        f'[[rules]]\nid = "extra.word"\nkind = "phrase"\ncategory = "residue"\n'
        f'entity = "widget"\nphrases = ["{phrase}"]\n', encoding="utf-8")


def test_unchanged_skipped_changed_rules_reaudit_force_all(run_cli, tmp_path):
    rules = tmp_path / "rules"
    _pack(rules, "1.0.0", "Generalsekretär")
    run_cli("audit", str(SEEDS), "--db", "r.db", "--rules", str(rules), "-q")
    run_cli("audit", str(SEEDS), "--db", "r.db", "--rules", str(rules), "-q")
    _pack(rules, "1.1.0", "Rutte")
    run_cli("audit", str(SEEDS), "--db", "r.db", "--rules", str(rules), "-q")
    run_cli("audit", str(SEEDS), "--db", "r.db", "--rules", str(rules), "-q", "--force")
    conn = sqlite3.connect(tmp_path / "r.db")
    runs = conn.execute("SELECT id, documents, unchanged FROM runs ORDER BY id").fetchall()
    assert [r[1:] for r in runs] == [(5, 0), (0, 5), (5, 0), (5, 0)]
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    assert {r[0] for r in conn.execute("SELECT run_id FROM verdicts")} == {4}
    assert conn.execute("SELECT count(*) FROM markers WHERE rule_id = 'extra.word'"
                        " AND snippet = 'Generalsekretär'").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM markers WHERE rule_id = 'extra.word'").fetchone()[0] > 0
    changed = conn.execute(
        "SELECT p.pack, old.version, p.version FROM run_packs p JOIN run_packs old"
        " ON old.pack = p.pack AND old.run_id = 2 WHERE p.run_id = 3 AND old.hash IS NOT p.hash").fetchall()
    assert changed == [("pack:extra", "1.0.0", "1.1.0")]


def _result(doc_id: str, text: str, markers: list[Marker]) -> Result:
    doc = Document(id=doc_id, origin=f"{doc_id}.txt", text=text, body=text, title="T")
    verdict = Verdict("original", 60, "C", (Reason("x", 0, "r"),))
    return Result(doc, tuple(markers), verdict)


def test_a_batch_also_ends_at_its_size_in_characters(tmp_path, ruleset):
    """Big pages are written as they come, not held until 500 of them are pending."""
    db = store.connect(tmp_path / "b.db")
    writer = store.Writer(db, ruleset, "test", batch=500, batch_chars=100)
    count = lambda: db.conn.execute("SELECT count(*) FROM documents").fetchone()[0]  # noqa: E731
    writer.add(store.prepare(_result("d1", "x" * 60, [])))
    assert count() == 0 and writer.pending_chars == 60
    writer.add(_result("d2", "y" * 60, []))
    assert count() == 2 and writer.pending_chars == 0 and not writer.pending
    writer.add(_result("d3", "z" * 10, []))
    writer.close()
    assert count() == 3


def test_reaudit_replaces_markers_and_verdict_in_one_transaction(tmp_path, ruleset):
    db = store.connect(tmp_path / "t.db")
    writer = store.Writer(db, ruleset, "test", batch=10)
    text = "Alpha Beta Gamma"
    writer.add(_result("d1", text, [Marker("r1", "residue", "widget", 0, 5, "Alpha")]))
    writer.close()
    writer = store.Writer(db, ruleset, "test", batch=10)
    good = Marker("r2", "residue", "widget", 6, 10, "Beta")
    bad = Marker("r3", "residue", "widget", 11, 16, None)  # type: ignore[arg-type]  # NOT NULL
    writer.add(_result("d1", text, [good, bad]))
    with pytest.raises(sqlite3.IntegrityError):
        writer.flush()
    conn = sqlite3.connect(tmp_path / "t.db")
    assert conn.execute("SELECT rule_id FROM markers").fetchall() == [("r1",)]
    assert conn.execute("SELECT run_id FROM verdicts").fetchall() == [(1,)]
    writer.add(_result("d1", text, [good]))
    writer.close()
    assert conn.execute("SELECT rule_id FROM markers").fetchall() == [("r2",)]
    assert conn.execute("SELECT run_id FROM verdicts").fetchall() == [(2,)]
    fts_ok(conn)


# -- durability --------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_2000(tmp_path_factory) -> tuple[Path, list[tuple]]:
    """2,000 small articles and the markers of one uninterrupted audit of them."""
    from provenance.audit import audit

    base = tmp_path_factory.mktemp("kill")
    folder = base / "corpus"
    write_corpus(folder, 2000)
    audit([str(folder)], db=base / "ref.db")
    ref = store.connect(base / "ref.db")
    corpus.run(ref, packs.load())  # the reuse step, as `provenance audit` runs it
    return folder, marker_rows(ref.conn)


def _count(path: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_kill_9_part_way_then_resume(corpus_2000, run_cli, tmp_path):
    folder, reference = corpus_2000
    path = tmp_path / "k.db"
    proc = subprocess.Popen(audit_cmd(str(folder), "--db", str(path)), cwd=tmp_path)
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        stored = _count(path) if path.exists() else 0
        if stored >= 200:
            break
        time.sleep(0.02)
    assert proc.poll() is None, "the audit ended before it could be interrupted"
    proc.kill()  # SIGKILL: no cleanup, no final commit
    proc.wait()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    before = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
    assert 0 < before < 2000, "the audit was not interrupted part-way"
    # what a reader saw committed survives the kill (until a checkpoint it lives only in the WAL)
    assert before >= stored
    assert conn.execute("SELECT finished_at FROM runs").fetchone()[0] is None
    conn.close()

    result = run_cli("audit", str(folder), "--db", str(path), "-q")  # the same command again
    assert result.exit_code == 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    fts_ok(conn)
    assert conn.execute("SELECT count(*), count(DISTINCT origin) FROM documents").fetchone() == (2000, 2000)
    assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 2000
    assert marker_rows(conn) == reference
    second = conn.execute("SELECT documents, unchanged, finished_at FROM runs WHERE id = 2").fetchone()
    assert second[0] + second[1] == 2000 and second[1] >= before and second[2]


def test_ctrl_c_keeps_what_was_audited(corpus_2000, tmp_path):
    folder, reference = corpus_2000
    path = tmp_path / "c.db"
    # Ctrl-C as in a terminal, even when this test runner was started with SIGINT ignored
    # (a child inherits "ignore", and Python then installs no KeyboardInterrupt handler)
    proc = subprocess.Popen(audit_cmd(str(folder), "--db", str(path)), cwd=tmp_path,
                            stderr=subprocess.DEVNULL,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None and _count(path) < 200:
        time.sleep(0.02)
    assert proc.poll() is None, "the audit ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=60) != 0
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    stored = {r[0] for r in conn.execute("SELECT id FROM documents")}
    assert 200 <= len(stored) < 2000
    assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] == len(stored)
    assert marker_rows(conn) == [m for m in reference if m[0] in stored]
    run = conn.execute("SELECT documents, finished_at FROM runs").fetchone()
    assert run == (len(stored), None)  # counted, and honestly marked unfinished


def test_two_audits_writing_at_once(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_corpus(a, 300, start=0)
    write_corpus(b, 300, start=240)  # 60 articles in both folders
    path = tmp_path / "two.db"
    procs = [subprocess.Popen(audit_cmd(str(f), "--db", str(path)), cwd=tmp_path,
                              stderr=subprocess.PIPE) for f in (a, b)]
    errors = [p.communicate(timeout=300)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], errors
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    fts_ok(conn)
    ids = {r[0] for r in conn.execute("SELECT id FROM documents")}
    assert len(ids) == 540
    assert conn.execute("SELECT count(*) FROM verdicts").fetchone()[0] == 540
    runs = conn.execute("SELECT documents + unchanged, finished_at FROM runs").fetchall()
    assert [r[0] for r in runs] == [300, 300] and all(r[1] for r in runs)
    # every document's markers are those of one clean audit: nothing lost, nothing doubled
    from provenance.audit import audit

    audit([str(a), str(b)], db=tmp_path / "ref.db")
    assert marker_rows(conn) == marker_rows(sqlite3.connect(tmp_path / "ref.db"))
