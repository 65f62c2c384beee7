"""Rule windows: a rule's regex runs only around its literals, with the same matches."""

from __future__ import annotations

import pytest
from conftest import text_doc

from provenance import packs
from provenance.rules import Engine, _merge_windows

PACK = '''
[pack]
id = "win"
version = "1.0.0"

[[rules]]
id = "win.rule"
kind = "pattern"
category = "attribution"
entity = "official"
pattern = '{pattern}'
{extra}
'''


def engines(tmp_path, pattern: str, window: int) -> tuple[Engine, Engine]:
    """The same rule without and with a window (and an engine without any prefilter)."""
    out = []
    for i, extra in enumerate(("", f"window = {window}")):
        folder = tmp_path / str(i)
        folder.mkdir(exist_ok=True)
        (folder / "p.toml").write_text(PACK.format(pattern=pattern, extra=extra), encoding="utf-8")
        out.append(Engine(packs.load([folder], builtin=False)))
    return out[0], out[1]


def spans(engine: Engine, text: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in engine.run(text_doc(text))]


def test_match_reaching_the_window_edge(tmp_path):
    # the match ends exactly `window` characters after its literal: still whole
    plain, windowed = engines(tmp_path, r"Ministerium \d{10}", 11)
    assert windowed.literal_windows
    text = "x" * 300 + " Ministerium 0123456789 " + "y" * 300
    assert spans(windowed, text) == spans(plain, text) == [(301, 323)]


def test_lookahead_beyond_a_too_small_window_is_cut(tmp_path):
    # the window is the rule author's promise: too small, and a lookahead is truncated
    plain, windowed = engines(tmp_path, r"Kreml(?= [^\n]{0,40}sagte)", 10)
    text = "Der Kreml hat am Montag in Moskau sagte"
    assert spans(plain, text) == [(4, 9)]
    assert spans(windowed, text) == []


def test_overlapping_windows_are_merged():
    assert _merge_windows([(50, 55), (10, 15), (30, 32)], 10, 100) == [(0, 65)]
    assert _merge_windows([(10, 15), (35, 40)], 10, 100) == [(0, 50)]  # touching at 25
    assert _merge_windows([(10, 15), (30, 32)], 10, 100) == [(0, 42)]
    assert _merge_windows([(10, 15), (60, 62)], 10, 65) == [(0, 25), (50, 65)]


def test_match_spanning_two_literal_windows(tmp_path):
    # each literal's window alone is too short for the match; merged they hold it
    plain, windowed = engines(tmp_path, r"Bundesregierung.{0,30}?Kreml", 20)
    text = "a" * 100 + " Bundesregierung und der Kreml " + "b" * 100
    assert spans(windowed, text) == spans(plain, text) == [(101, 130)]


def test_lookbehind_sees_before_the_window_start(tmp_path):
    # the window starts after "laut ", yet the lookbehind still reads it
    plain, windowed = engines(tmp_path, r"(?<=\blaut )dem Ministerium", 5)
    text = "z" * 50 + " laut dem Ministerium, " + "w" * 50
    assert spans(windowed, text) == spans(plain, text) == [(56, 71)]
    # and a word boundary at the window start is judged on the character before it
    plain, windowed = engines(tmp_path, r"\b\w*ministerium", 5)
    text = "Das Bundesministerium sagte"
    assert spans(plain, text) == [(4, 21)]
    assert spans(windowed, text) == []  # "Bundes" is 6 characters: the window must be wider


def test_window_is_clipped_to_region_blocks(tmp_path):
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "p.toml").write_text(PACK.format(pattern=r"Foto: \w+", extra='window = 20\nregions = ["caption"]'),
                                   encoding="utf-8")
    engine = Engine(packs.load([folder], builtin=False))
    from provenance.model import Block, Document

    text = "Foto: Eins im Text.\nFoto: Zwei\n"
    doc = Document(id="d", origin="d", text=text, body=text, title=None, url=None, domain=None,
                   lang="de", blocks=(Block("body", 0, 20), Block("caption", 20, 31)))
    assert [m.snippet for m in engine.run(doc)] == ["Foto: Zwei"]


@pytest.mark.parametrize("pattern,window,problem", [
    (r"\w+ \d+", 50, "no provable required literals"),
    (r"Ministerium", 0, "positive"),
])
def test_loader_rejects_bad_window(tmp_path, pattern, window, problem):
    (tmp_path / "p.toml").write_text(PACK.format(pattern=pattern, extra=f"window = {window}"),
                                     encoding="utf-8")
    with pytest.raises(packs.PackError) as err:
        packs.load([tmp_path], builtin=False)
    assert str(tmp_path / "p.toml") in str(err.value)
    assert "(win.rule).window" in str(err.value) and problem in str(err.value)


def test_cli_exits_2_on_window_without_literals(run_cli, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "p.toml").write_text(PACK.format(pattern=r"\w+ \d+", extra="window = 50"), encoding="utf-8")
    result = run_cli("rules", "check", str(bad))
    assert result.exit_code == 2
    assert "window" in result.output and "p.toml" in result.output


def test_builtin_windowed_rules_match_as_without_windows():
    ruleset = packs.load()
    windowed = Engine(ruleset)
    assert windowed.literal_windows
    plain = Engine(ruleset)
    plain.literal_windows = {}
    text = ("Laut dem Bundesgesundheitsministerium sind die Zahlen gestiegen. " + "Wort " * 80 +
            "Das ukrainische Außenministerium erklärte am Dienstag, dass " + "x " * 60 +
            "nach Angaben westlicher Verbündeter\nFoto: Max Muster/dpa\nFolgen Sie uns auf Telegram")
    assert windowed.run(text_doc(text)) == plain.run(text_doc(text))
