"""Every rule's own examples, one parametrised test; and engine behaviour."""

from __future__ import annotations

import pytest
from conftest import text_doc

from provenance import packs
from provenance.rules import Engine
from provenance.ruletest import check_rule

RULESET = packs.load()
ENGINE = Engine(RULESET)
CASES = [(rule, res) for rule in RULESET.rules for res in check_rule(ENGINE, rule)]


@pytest.mark.parametrize("rule,res", CASES, ids=[f"{r.id}:{x.kind}:{i}" for i, (r, x) in enumerate(CASES)])
def test_rule_example(rule, res):
    assert res.ok, f"{res.rule_id} [{res.kind}] {res.text!r}: {res.detail}"


def test_every_rule_has_examples():
    missing = [r.id for r in RULESET.rules if not r.examples["match"]]
    assert not missing


def test_phrases_match_across_typography():
    text = "Wir sagen: Abonnieren\u00a0Sie unseren  News\u00adletter \u2013 danke."
    marks = ENGINE.run(text_doc(text))
    hit = [m for m in marks if m.entity == "newsletter"]
    assert hit and all(text[m.start:m.end] == m.snippet for m in hit)
    assert hit[0].snippet.startswith("Abonnieren") and hit[0].snippet.endswith("letter")


def test_phrases_are_whole_words():
    assert not [m for m in ENGINE.run(text_doc("Supportus and Follow usual rules")) if m.category == "boilerplate"]


def test_agency_in_picture_credit_is_an_image_credit():
    marks = ENGINE.run(text_doc("Der Minister.\nFoto: Max Muster/dpa\nText."))
    assert {m.category for m in marks if m.entity == "dpa"} == {"image-credit", "mention"}


def test_self_citation_is_not_a_citation():
    doc = text_doc("Laut Reuters steigt der Preis.", domain="reuters.com")
    marks = ENGINE.run(doc)
    assert [(m.category, m.role) for m in marks if m.entity == "reuters"] == [("mention", "self")]


def test_output_is_deterministic():
    text = "Laut Reuters und wie die BBC berichtet, folgen Sie uns auf Telegram.\nnach oben"
    assert ENGINE.run(text_doc(text)) == ENGINE.run(text_doc(text))
