"""The committed sample reports in reports/ are what the code makes from the seeds."""

from __future__ import annotations

from conftest import ROOT, SEEDS


def test_committed_reports_are_current(tmp_path):
    from click.testing import CliRunner

    from provenance.cli import cli

    db = tmp_path / "seeds.db"
    out = tmp_path / "reports"
    r = CliRunner().invoke(cli, ["audit", str(SEEDS), "--db", str(db), "-q", "--report", str(out)])
    assert r.exit_code == 0, r.output
    made = {p.name: p.read_text("utf-8").replace(str(SEEDS), "seeds") for p in out.iterdir()}
    committed = {p.name: p.read_text("utf-8") for p in (ROOT / "reports").glob("*.md")}
    assert made.keys() == committed.keys(), "run `make reports` (see README) and commit reports/"
    for name in made:
        assert made[name] == committed[name], f"reports/{name} is stale: regenerate it"
