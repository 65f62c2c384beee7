"""docs/cli.md and docs/rules.md are generated from the code; they must be current."""

from __future__ import annotations

import pytest
from conftest import ROOT

from provenance.docs_gen import documents


@pytest.mark.parametrize("name,text", sorted(documents().items()))
def test_generated_doc_is_current(name, text):
    committed = (ROOT / "docs" / name).read_text("utf-8")
    assert committed == text, f"docs/{name} is stale: run `python -m provenance.docs_gen docs`"


def test_cli_reference_covers_every_command():
    text = documents()["cli.md"]
    for cmd in ("provenance audit", "provenance report", "provenance rules check", "provenance export"):
        assert f"`{cmd}`" in text
