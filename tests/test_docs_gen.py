"""docs/cli.md, docs/rules.md and docs/packs.md are generated from the code; they must be current."""

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


def test_every_pack_key_is_described():
    """docs/packs.md explains every key the loader accepts; a new key needs its line."""
    from provenance import packs

    keys = {*packs._COMMON_KEYS, *packs._CUE_KEYS}
    for kind_keys in packs._KIND_KEYS.values():
        keys |= set(kind_keys)
    assert keys <= set(packs.KEY_DOCS), sorted(keys - set(packs.KEY_DOCS))
    assert set(packs.KIND_DOCS) == packs.KINDS
    text = documents()["packs.md"]
    for key in ("require_person", "not_abbreviation", "window_before", "languages"):
        assert f"`{key}`" in text
