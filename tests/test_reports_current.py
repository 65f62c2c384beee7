"""The committed sample reports in reports/ are what the code makes from the seeds.

Regenerate them from the repository root with the README's command:
`provenance audit seeds --db provenance.db --report reports`.
"""

from __future__ import annotations

import os

from conftest import ROOT, SEEDS


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_committed_reports_are_current(tmp_path, monkeypatch):
    import shutil

    from click.testing import CliRunner

    from provenance.cli import cli

    shutil.copytree(SEEDS, tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)  # origins are relative ("seeds/…"), as in the README command
    r = CliRunner().invoke(cli, ["audit", "seeds", "--db", "provenance.db", "-q",
                                 "--report", "reports"])
    assert r.exit_code == 0, r.output
    made = _tree(tmp_path / "reports")
    committed = _tree(ROOT / "reports")
    assert {os.path.dirname(k) for k in made} == {"en", "de"}
    assert made.keys() == committed.keys(), \
        "run `provenance audit seeds --db provenance.db --report reports` and commit reports/"
    for name in made:
        assert made[name] == committed[name], f"reports/{name} is stale: regenerate it"
