"""bench/verdict_audit.py: hand judgments load strictly and the confusion table counts them."""

from __future__ import annotations

import importlib.util

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("verdict_audit", ROOT / "bench" / "verdict_audit.py")
verdict_audit = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(verdict_audit)
JUDGED, confusion, load_judged = verdict_audit.JUDGED, verdict_audit.confusion, verdict_audit.load_judged


def test_judgments_load_and_count(tmp_path):
    path = tmp_path / "j.tsv"
    path.write_text("# comment\n1\toriginal\thttps://a.example/x\t\n2\tderivative\t\tshort item\n",
                    encoding="utf-8")
    judged = load_judged(path)
    assert judged == {1: ("original", "https://a.example/x", ""), 2: ("derivative", "", "short item")}
    rows = [{"line": 1, "provenance_class": "original"}, {"line": 2, "provenance_class": "original"},
            {"line": 3, "provenance_class": "agency-copy"}]
    assert confusion(rows, judged) == {("original", "original"): 1, ("derivative", "original"): 1}
    path.write_text("1\tnews\t\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown class 'news'"):
        load_judged(path)


def test_shipped_judgments_are_valid():
    judged = load_judged(JUDGED)
    assert len(judged) == 237 and set(judged) == set(range(1, 238))
