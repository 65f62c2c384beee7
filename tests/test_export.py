"""`provenance export`: tables and views as CSV or JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest
from conftest import SEEDS


@pytest.fixture
def audited(run_cli, tmp_path):
    assert run_cli("audit", str(SEEDS), "--db", "e.db", "-q").exit_code == 0
    return sqlite3.connect(tmp_path / "e.db")


def test_csv_of_one_view_to_stdout(run_cli, audited):
    result = run_cli("export", "--db", "e.db", "--table", "document_summary")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    db_rows = audited.execute("SELECT id, provenance_class, score, markers FROM document_summary"
                              " ORDER BY id").fetchall()
    got = sorted((r["id"], r["provenance_class"], int(r["score"]), int(r["markers"])) for r in rows)
    assert got == db_rows


def test_markers_round_trip_exactly_in_csv(run_cli, audited):
    result = run_cli("export", "--db", "e.db", "--table", "markers", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    db_rows = audited.execute('SELECT document_id, start, "end", snippet FROM markers ORDER BY id').fetchall()
    assert [(r["document_id"], int(r["start"]), int(r["end"]), r["snippet"]) for r in rows] == db_rows


def test_jsonl_nests_json_columns(run_cli, audited):
    result = run_cli("export", "--db", "e.db", "--table", "verdicts", "--format", "jsonl")
    objs = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objs) == 5
    assert all(isinstance(o["reasons"], list) for o in objs)
    assert all(isinstance(o["score"], int) for o in objs)
    run = json.loads(run_cli("export", "--db", "e.db", "--table", "runs", "--format", "jsonl").stdout)
    assert isinstance(run["options"], dict) and isinstance(run["packs"], dict)


def test_every_table_and_view_to_a_folder(run_cli, audited, tmp_path):
    result = run_cli("export", "--db", "e.db", "--format", "jsonl", "--out", "out")
    assert result.exit_code == 0
    files = {p.stem: p for p in (tmp_path / "out").iterdir()}
    expected = {"runs", "documents", "markers", "verdicts", "failures", "outlets", "rules",
                "run_packs", "document_summary", "outlet_citations", "syndicated_documents",
                "boilerplate_by_domain", "run_failures", "run_overview"}
    assert expected <= set(files)
    assert not any(name.endswith(("_fts", "_data", "_idx")) or name.startswith("_") for name in files)
    for name in expected:
        lines = files[name].read_text(encoding="utf-8").splitlines()
        assert len(lines) == audited.execute(f"SELECT count(*) FROM {name}").fetchone()[0]


def test_one_table_to_a_file(run_cli, audited, tmp_path):
    result = run_cli("export", "--db", "e.db", "--table", "documents", "--out", "docs.csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader((tmp_path / "docs.csv").open(encoding="utf-8", newline="")))
    text = dict(audited.execute("SELECT id, text FROM documents").fetchall())
    assert {r["id"]: r["text"] for r in rows} == text  # newlines and quotes survive


def test_unknown_table_is_a_usage_error(run_cli, audited):
    from click.testing import CliRunner

    from provenance.cli import cli

    result = CliRunner().invoke(cli, ["export", "--db", "e.db", "--table", "nope"])
    assert result.exit_code == 2
    assert "no table or view 'nope'" in result.output and "document_summary" in result.output
