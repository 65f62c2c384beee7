"""The golden test: an audit of seeds/ meets tests/seeds_expected.toml exactly."""

from __future__ import annotations

import sqlite3
import tomllib
from pathlib import Path

import pytest
from conftest import SEEDS

EXPECTED = tomllib.loads((Path(__file__).parent / "seeds_expected.toml").read_text("utf-8"))
CATEGORY_KEYS = {
    "citations": "citation", "syndication": "syndication", "agencies": "agency",
    "image_credits": "image-credit", "boilerplate": "boilerplate",
}


@pytest.fixture(scope="module")
def audited(tmp_path_factory):
    from click.testing import CliRunner

    from provenance.cli import cli

    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    result = CliRunner().invoke(cli, ["audit", str(SEEDS), "--db", str(db), "-q"])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn


def _doc(conn, name):
    return conn.execute("SELECT * FROM documents WHERE origin LIKE ?", (f"%{name}",)).fetchone()


@pytest.mark.parametrize("spec", EXPECTED["document"], ids=lambda s: s["file"])
def test_seed_meets_expectations(audited, spec):
    doc = _doc(audited, spec["file"])
    assert doc is not None
    assert doc["lang"] == spec["lang"]
    marks = audited.execute("SELECT * FROM markers WHERE document_id = ?", (doc["id"],)).fetchall()
    for key, category in CATEGORY_KEYS.items():
        found = {m["entity"] for m in marks if m["category"] == category}
        want = set(spec[key])
        if key == "image_credits":
            found.discard("photographer")
            want.discard("photographer")
        assert found == want, f"{key}: {sorted(found)} != {sorted(want)}"
    if "residue" in spec:
        has_residue = any(m["category"] == "residue" for m in marks)
        assert has_residue == spec["residue"]
    verdict = audited.execute("SELECT * FROM verdicts WHERE document_id = ?", (doc["id"],)).fetchone()
    assert verdict["provenance_class"] == spec["provenance_class"]
    text = doc["text"]
    for ev in spec["evidence"]:
        at = text.lower().find(ev["text"].lower())
        assert at >= 0, ev
        end = at + len(ev["text"])
        covering = [m for m in marks if m["category"] == ev["category"]
                    and ("entity" not in ev or m["entity"] == ev["entity"])
                    and m["start"] < end and at < m["end"]]
        assert covering, f"no {ev['category']} marker over {ev['text']!r}"


def test_every_snippet_is_its_span(audited):
    rows = audited.execute(
        'SELECT m.snippet, substr(d.text, m.start + 1, m."end" - m.start) AS span'
        " FROM markers m JOIN documents d ON d.id = m.document_id").fetchall()
    assert rows
    assert all(r["snippet"] == r["span"] for r in rows)


def test_chatham_house_is_a_mention(audited):
    doc = _doc(audited, "000_25ac17db236d4821.txt")
    rows = audited.execute("SELECT category FROM markers WHERE document_id = ? AND entity = ?",
                           (doc["id"], "chatham-house")).fetchall()
    assert [r["category"] for r in rows] == ["mention"]


def test_no_rule_names_a_seed():
    rules_dir = Path(__file__).resolve().parent.parent / "rules"
    names = [p.stem for p in SEEDS.glob("*.txt")]
    for pack in rules_dir.glob("*.toml"):
        text = pack.read_text("utf-8")
        assert not any(n in text for n in names), pack
