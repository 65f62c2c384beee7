"""bench/store_equality.py: two audits of the same input compare equal; any change to a
stored row, a full-text index or the schema is reported (tests never read ../shared)."""

from __future__ import annotations

import importlib.util
import sqlite3
import sys

import pytest
from conftest import ROOT
from storecorpus import write_corpus

from provenance.audit import audit

_spec = importlib.util.spec_from_file_location("store_equality", ROOT / "bench" / "store_equality.py")
store_equality = importlib.util.module_from_spec(_spec)
sys.modules["store_equality"] = store_equality
_spec.loader.exec_module(store_equality)


@pytest.fixture()
def two(tmp_path):
    folder = tmp_path / "corpus"
    write_corpus(folder, 40)
    paths = []
    for name in ("a.db", "b.db"):
        audit([str(folder)], db=tmp_path / name)
        paths.append(str(tmp_path / name))
    return paths


def test_two_audits_of_the_same_input_are_identical(two, capsys):
    assert store_equality.compare(*two)
    out = capsys.readouterr().out
    assert "DIFFERENT" not in out and "markers_fts (terms)" in out


@pytest.mark.parametrize("sql", [
    "UPDATE markers SET snippet = snippet || 'x' WHERE id = 3",  # the update trigger re-indexes
    "UPDATE verdicts SET score = score + 1 WHERE rowid = 2",
    "UPDATE documents SET rules_version = 'other' WHERE rowid = 1",
    "CREATE INDEX extra ON markers(start)",
])
def test_a_changed_row_or_schema_is_reported(two, sql, capsys):
    conn = sqlite3.connect(two[1])
    conn.execute(sql)
    conn.commit()
    conn.close()
    assert not store_equality.compare(*two)
    assert "DIFFERENT" in capsys.readouterr().out


def test_a_stale_full_text_index_is_reported(two, capsys):
    conn = sqlite3.connect(two[1])
    # written behind the index's back: content and index now disagree
    conn.execute("DROP TRIGGER markers_fts_update")
    conn.execute("UPDATE markers SET snippet = 'zzzunique' WHERE id = 1")
    conn.commit()
    conn.close()
    assert not store_equality.compare(*two)
    assert "FAILED" in capsys.readouterr().out
