"""Block rules take a set lookup for plain ASCII lines: the markers must be exactly
those of the whole case-insensitive regex, whatever the characters of the line."""

from __future__ import annotations

import pytest
import regex
from conftest import text_doc

from provenance import packs
from provenance.rules import Engine
from provenance.textview import fold

RULESET = packs.load()
ENGINE = Engine(RULESET)
BLOCKS = [r for r in RULESET.rules if r.kind == "block"]

LINES = ["Home", "HOME", "home ", "Reviews", "REVIEWS", "Newsletters", "Newsletter", "Économie", "économie",
         "ÉCONOMIE", "Actualité", "Politics", "Politique", "Ho\u212ae", "\u017fports", "Sports", "\u0130nicio",
         "Inicio", "Share this article", "Comments (12)", "Zurück zur Übersicht", "---", "19.11.2019",
         "Read more:", "Wednesday, October 7, 2020", "Ｈｏｍｅ", "Volver arriba", "iniciar sesión"]


def _expected(text: str) -> set[str]:
    out = set()
    for rule in BLOCKS:
        alternation = "|".join(f"(?:{line})" for line in rule.spec["lines"])
        folded = fold(text.strip())
        if len(folded) <= rule.spec.get("max_chars", 80) and regex.compile(f"(?i:{alternation})").fullmatch(folded):
            out.add(rule.id)
    return out


@pytest.mark.parametrize("line", LINES)
def test_block_lines_match_as_the_whole_regex(line):
    found = {m.rule_id for m in ENGINE.run(text_doc(f"Ein Satz steht hier.\n{line}\nNoch ein Satz."))
             if m.rule_id in {r.id for r in BLOCKS}}
    assert found == _expected(line)
    assert _expected("Home") and _expected("Reviews") and _expected("économie")
