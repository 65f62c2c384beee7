"""The command line as the contract describes it."""

from __future__ import annotations

import json
import sqlite3

from conftest import SEEDS


def test_help_lists_commands(run_cli):
    result = run_cli("--help")
    assert result.exit_code == 0
    for cmd in ("audit", "report", "rules"):
        assert cmd in result.output


def test_audit_folder_with_bad_files_goes_on(run_cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
    (folder / "latin1.txt").write_bytes("Laut Reuters äußerte sich der Minister zur Lage. Für Sie ausgewählt".encode("latin-1"))
    (folder / "cp1252.txt").write_bytes("„Zitat“ – laut Bloomberg ist das so.".encode("cp1252"))
    result = run_cli("audit", "in", "--db", "out.db", "--json")
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    errors = {x["origin"].rsplit("/", 1)[-1]: x["error"] for x in lines if "error" in x}
    assert set(errors) == {"empty.txt", "binary.txt"}
    assert all("\n" not in e for e in errors.values())
    conn = sqlite3.connect(tmp_path / "out.db")
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 2
    assert conn.execute("SELECT count(*) FROM failures").fetchone()[0] == 2
    text = conn.execute("SELECT text FROM documents WHERE origin LIKE '%latin1.txt'").fetchone()[0]
    assert "äußerte" in text
    run = conn.execute("SELECT documents, failures, finished_at FROM runs").fetchone()
    assert run[0] == 2 and run[1] == 2 and run[2]


def test_json_lines_follow_the_contract(run_cli):
    result = run_cli("audit", str(SEEDS / "003_1c3c3d0787c00a5b.txt"), "--json", "-q")
    obj = json.loads(result.stdout.strip())
    assert set(obj) >= {"id", "origin", "url", "domain", "title", "lang", "verdict", "markers"}
    assert obj["verdict"]["provenance_class"] == "press-release"
    m = obj["markers"][0]
    assert set(m) >= {"rule_id", "category", "entity", "role", "start", "end", "snippet"}
    assert m["snippet"] == "(SeaPRwire) –"


def test_stdin_source(run_cli):
    result = run_cli("audit", "-", "--json", "-q", input="Titel\nLaut Reuters ist das so, sagte er am Montag in Berlin.")
    obj = json.loads(result.stdout)
    assert obj["origin"] == "-"
    assert any(m["entity"] == "reuters" and m["category"] == "citation" for m in obj["markers"])


def test_missing_source_is_recorded(run_cli, tmp_path):
    result = run_cli("audit", "nope.txt", "--db", "x.db", "-q")
    assert result.exit_code == 0
    conn = sqlite3.connect(tmp_path / "x.db")
    assert conn.execute("SELECT reason FROM failures").fetchone()[0] == "no such file or folder"


def test_reaudit_replaces_and_skips_unchanged(run_cli, tmp_path):
    run_cli("audit", str(SEEDS), "--db", "r.db", "-q")
    run_cli("audit", str(SEEDS), "--db", "r.db", "-q")
    conn = sqlite3.connect(tmp_path / "r.db")
    assert conn.execute("SELECT count(*) FROM documents").fetchone()[0] == 5
    assert conn.execute("SELECT unchanged FROM runs ORDER BY id DESC").fetchone()[0] == 5
    before = conn.execute("SELECT count(*) FROM markers").fetchone()[0]
    run_cli("audit", str(SEEDS), "--db", "r.db", "-q", "--force")
    assert conn.execute("SELECT count(*) FROM markers").fetchone()[0] == before


def test_report_command_writes_files(run_cli, tmp_path):
    run_cli("audit", str(SEEDS), "--db", "r.db", "-q")
    result = run_cli("report", "--db", "r.db", "--out", "rep")
    assert result.exit_code == 0
    files = sorted(p.name for p in (tmp_path / "rep").iterdir())
    assert "index.md" in files and len(files) == 6


def test_rules_commands(run_cli):
    listed = run_cli("rules", "list")
    assert listed.exit_code == 0 and "syndication.seaprwire.disclaimer" in listed.output
    shown = run_cli("rules", "show", "syndication.seaprwire.disclaimer")
    assert shown.exit_code == 0 and "Drittanbieter" in shown.output
    assert run_cli("rules", "show", "no.such.rule").exit_code == 2
    tested = run_cli("rules", "test")
    assert tested.exit_code == 0 and " 0 failed" in tested.output
    assert run_cli("rules", "check").exit_code == 0
