"""bench/evaluate.py on a small labelled corpus made here (tests never read ../shared)."""

from __future__ import annotations

import importlib.util
import json
import sys

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("evaluate", ROOT / "bench" / "evaluate.py")
evaluate = importlib.util.module_from_spec(_spec)
sys.modules["evaluate"] = evaluate
_spec.loader.exec_module(evaluate)

DOCS = {
    "text/001.txt": ("Laut Reuters stieg der Preis. Das sagte ein Sprecher der Zeitung Bild am Sonntag, "
                     "wie die Nachrichtenagentur berichtete. Die Stadt plant neue Wege.", ["reuters"]),
    "text/002.txt": ("The council met on Monday, the mayor told CNN in an interview. "
                     "According to Bloomberg, the plan costs more.", ["bloomberg"]),
}


@pytest.fixture()
def corpus(tmp_path):
    root = tmp_path / "corpus"
    (root / "text").mkdir(parents=True)
    with (root / "labels.jsonl").open("w", encoding="utf-8") as fh:
        for doc, (text, cited) in DOCS.items():
            (root / doc).write_text(text, encoding="utf-8")
            lang = "de" if doc.endswith("001.txt") else "en"
            fh.write(json.dumps({"doc": doc, "lang": lang, "syndication": [], "agencies": [],
                                 "cited_outlets": cited, "boilerplate": [], "image_credit": False,
                                 "residue": False}) + "\n")
    return root


def test_precision_and_recall_per_language(corpus):
    report = evaluate.evaluate(corpus)
    cited = report["categories"]["cited_outlets"]
    assert cited["de"]["tp"] == 1 and cited["de"]["fn"] == 0
    # "told CNN in an interview" is a citation the label leaves out: a false positive here
    assert cited["en"] == {"tp": 1, "fp": 1, "fn": 0, "precision": 0.5, "recall": 1.0}
    assert "FP text/002.txt cnn" in report["errors"]["cited_outlets"]


def test_a_review_adds_quoted_labels_and_says_so(corpus, tmp_path, capsys):
    review = tmp_path / "review.toml"
    review.write_text('[[add]]\ndoc = "text/002.txt"\ncategory = "cited_outlets"\nvalue = "cnn"\n'
                      'quote = "the mayor told CNN in an interview"\nwhy = "an interview counts"\n')
    out = tmp_path / "out.json"
    assert evaluate.main([str(corpus), "--review", str(review), "--json", str(out)]) == 0
    assert "with 1 reviewed additions" in capsys.readouterr().out
    report = json.loads(out.read_text())
    assert report["categories"]["cited_outlets"]["en"]["precision"] == 1.0
    assert report["review"] == ["text/002.txt cited_outlets +cnn"]


def test_a_review_quote_must_be_in_the_document(corpus, tmp_path, capsys):
    review = tmp_path / "review.toml"
    review.write_text('[[add]]\ndoc = "text/002.txt"\ncategory = "cited_outlets"\nvalue = "cnn"\n'
                      'quote = "CNN reported"\nwhy = "invented"\n')
    assert evaluate.main([str(corpus), "--review", str(review), "--json", str(tmp_path / "o.json")]) == 2
    assert "quote not found" in capsys.readouterr().err
