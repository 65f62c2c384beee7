"""`provenance explore`: Datasette metadata, canned queries, and a live Datasette."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from conftest import SEEDS

from provenance import catalog


@pytest.fixture
def audited(run_cli, tmp_path):
    assert run_cli("audit", str(SEEDS), "--db", "seeds.db", "-q").exit_code == 0
    return tmp_path / "seeds.db"


def test_metadata_describes_everything_and_cans_the_queries(run_cli, audited, tmp_path):
    result = run_cli("explore", "--db", str(audited), "--write-metadata", "meta.json")
    assert result.exit_code == 0
    meta = json.loads((tmp_path / "meta.json").read_text(encoding="utf-8"))
    db = meta["databases"]["seeds"]
    conn = sqlite3.connect(audited)
    shadow = catalog.shadow_tables(conn)
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type IN"
                                   " ('table', 'view') AND name NOT LIKE 'sqlite_%'"):
        if name in shadow:
            continue
        assert db["tables"][name]["description"], name
        cols = [r[1] for r in conn.execute("SELECT * FROM pragma_table_info(?)", (name,))]
        assert set(cols) == set(db["tables"][name]["columns"]), name
    assert len(db["queries"]) >= 12
    assert db["tables"]["documents"]["fts_table"] == "documents_fts"
    header = catalog.registry_info(conn)
    outlets = db["tables"]["outlets"]["description"]
    for source in header.get("sources", []):
        assert str(source) in outlets
    if "licence" in header:
        assert db["tables"]["outlets"]["license"] == header["licence"]
    else:
        assert "names no licence" in outlets


def test_registry_sources_and_licence_reach_the_metadata(run_cli, tmp_path):
    rules = tmp_path / "reg"
    rules.mkdir()
    (rules / "extra_outlets.toml").write_text(
        '[registry]\nversion = "2"\nlicence = "CC BY 4.0"\n'
        'sources = ["Wikidata (P31 news agency)", "Media Ownership Monitor"]\n\n'
        '[[outlets]]\nid = "testwire-news"\nname = "Testwire News"\ntype = "agency"\n',
        encoding="utf-8")
    assert run_cli("audit", str(SEEDS), "--db", "r.db", "--rules", str(rules), "-q").exit_code == 0
    run_cli("explore", "--db", "r.db", "--write-metadata", "m.json")
    outlets = json.loads((tmp_path / "m.json").read_text())["databases"]["r"]["tables"]["outlets"]
    assert outlets["license"] == "CC BY 4.0"
    assert "Wikidata (P31 news agency); Media Ownership Monitor" in outlets["description"]


def test_every_canned_query_runs(audited):
    conn = sqlite3.connect(audited)
    results = {}
    for q in catalog.queries():
        cur = conn.execute(q["sql"], q.get("example", {}))
        results[q["name"]] = cur.fetchall()
    assert [r[1] for r in results["class_by_domain"]] == [5]
    assert len(results["search_documents"]) == 5  # every seed is about NATO
    evidence = results["search_evidence"]
    assert evidence and all("newsletter" in r[-1].lower() for r in evidence)
    assert len(evidence) == conn.execute(
        "SELECT count(*) FROM markers WHERE snippet LIKE '%newsletter%'").fetchone()[0]
    assert results["wires_and_sites"][0][:2] == ("seaprwire", 1)
    assert results["stale_documents"] == []


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, deadline: float) -> object:
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                return json.loads(resp.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_datasette_serves_a_view_as_json(audited, tmp_path):
    pytest.importorskip("datasette")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "provenance", "explore", "--db", str(audited), "--port", str(port)],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}/seeds"
        deadline = time.monotonic() + 60
        rows = _get_json(f"{base}/document_summary.json?_shape=array", deadline)
        assert isinstance(rows, list) and len(rows) == 5
        assert {r["provenance_class"] for r in rows} >= {"press-release"}
        canned = _get_json(f"{base}/wires_and_sites.json?_shape=array", deadline)
        assert canned[0]["wire"] == "seaprwire"
        search = _get_json(f"{base}/documents.json?_search=seaprwire&_shape=array", deadline)
        assert len(search) == 1
        meta = _get_json(f"http://127.0.0.1:{port}/-/metadata.json", deadline)
        assert "document_summary" in meta["databases"]["seeds"]["tables"]
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0  # stopped by SIGTERM, Datasette child and its metadata cleaned up
