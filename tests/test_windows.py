"""Rule windows: a rule's regex runs only around its literals, with the same matches."""

from __future__ import annotations

import pytest
from conftest import text_doc

from provenance import packs
from provenance.prefilter import leading_literals
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


def engines(tmp_path, pattern: str, window: int, sides: str = "") -> tuple[Engine, Engine]:
    """The same rule without and with a window (`sides`: more keys, e.g. window_before)."""
    out = []
    for i, extra in enumerate(("", f"window = {window}\n{sides}")):
        folder = tmp_path / str(i)
        folder.mkdir(exist_ok=True)
        (folder / "p.toml").write_text(PACK.format(pattern=pattern, extra=extra), encoding="utf-8")
        out.append(Engine(packs.load([folder], builtin=False)))
    return out[0], out[1]


def spans(engine: Engine, text: str) -> list[tuple[int, int]]:
    return [(m.start, m.end) for m in engine.run(text_doc(text))]


def test_match_reaching_the_window_edge(tmp_path):
    # the match ends exactly `window` characters after its literal: still whole
    plain, windowed = engines(tmp_path, r"[0-9]{3} Ministerium \d{10}", 11)
    assert windowed.literal_windows and not windowed.anchored
    text = "x" * 300 + " 123 Ministerium 0123456789 " + "y" * 300
    assert spans(windowed, text) == spans(plain, text) == [(301, 327)]


def test_lookahead_beyond_a_too_small_window_is_cut(tmp_path):
    # the window is the rule author's promise: too small, and a lookahead is truncated
    plain, windowed = engines(tmp_path, r"\w+ Kreml(?= [^\n]{0,40}sagte)", 10)
    text = "Der Kreml hat am Montag in Moskau sagte"
    assert spans(plain, text) == [(0, 9)]
    assert spans(windowed, text) == []


def test_overlapping_windows_are_merged():
    assert _merge_windows([(50, 55), (10, 15), (30, 32)], 10, 10, 100) == [(0, 65)]
    assert _merge_windows([(10, 15), (35, 40)], 10, 10, 100) == [(0, 50)]  # touching at 25
    assert _merge_windows([(10, 15), (30, 32)], 10, 10, 100) == [(0, 42)]
    assert _merge_windows([(10, 15), (60, 62)], 10, 10, 65) == [(0, 25), (50, 65)]


def test_before_and_after_sides_of_a_window():
    assert _merge_windows([(50, 55)], 5, 20, 100) == [(45, 75)]
    assert _merge_windows([(10, 15), (40, 45)], 0, 25, 100) == [(10, 70)]  # touching at 40
    assert _merge_windows([(10, 15), (50, 55)], 0, 25, 100) == [(10, 40), (50, 80)]


def test_window_sides_narrow_the_scan_and_keep_matches(tmp_path):
    # the match starts 3 characters before its literal (" ministerium ") and ends 10 after it
    pattern = r"\d{3} Ministerium \d{10}"
    plain, windowed = engines(tmp_path, pattern, 100, "window_before = 3\nwindow_after = 10")
    assert windowed.literal_windows == {0: (3, 10)}
    text = "x" * 300 + " 123 Ministerium 0123456789 " + "y" * 300
    assert spans(windowed, text) == spans(plain, text) == [(301, 327)]
    # one character too few on either side and the match is cut: the sides are the rule's promise
    for sides in ("window_before = 2", "window_after = 9"):
        (tmp_path / sides[:13]).mkdir()
        _plain, narrow = engines(tmp_path / sides[:13], pattern, 100, sides)
        assert spans(narrow, text) == []


def test_match_spanning_two_literal_windows(tmp_path):
    # the first literal's window alone is too short for the match; merged with the
    # second's it holds it
    plain, windowed = engines(tmp_path, r"[A-Z]\w* (?:Bundesregierung|Kreml)\b[^.\n]*\.", 20)
    assert not windowed.anchored
    text = "a" * 100 + " Die Bundesregierung und bald auch der Kreml." + "b" * 100
    first_end = text.index("Bundesregierung") + len("Bundesregierung")
    found = spans(windowed, text)
    assert found == spans(plain, text) == [(101, 145)]
    assert found[0][1] > first_end + 20


def test_lookbehind_sees_before_the_window_start(tmp_path):
    # the window starts after "laut ", yet the lookbehind still reads it
    plain, windowed = engines(tmp_path, r"(?<=\blaut )\w+ Ministerium", 5)
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
    (folder / "p.toml").write_text(PACK.format(pattern=r"[A-Z]oto: \w+", extra='window = 20\nregions = ["caption"]'),
                                   encoding="utf-8")
    engine = Engine(packs.load([folder], builtin=False))
    from provenance.model import Block, Document

    text = "Foto: Eins im Text.\nFoto: Zwei\n"
    doc = Document(id="d", origin="d", text=text, body=text, title=None, url=None, domain=None,
                   lang="de", blocks=(Block("body", 0, 20), Block("caption", 20, 31)))
    assert [m.snippet for m in engine.run(doc)] == ["Foto: Zwei"]


@pytest.mark.parametrize("pattern,extra,key,problem", [
    (r"\w+ \d+", "window = 50", "window", "no provable required literals"),
    (r"Ministerium", "window = 0", "window", "positive"),
    (r"Ministerium", "window_before = 5", "window_before", "needs `window`"),
    (r"Ministerium", "window = 9\nwindow_after = -1", "window_after", "0 or a positive"),
    (r"Ministerium", "window = 9\nwindow_before = true", "window_before", "must be"),
])
def test_loader_rejects_bad_window(tmp_path, pattern, extra, key, problem):
    (tmp_path / "p.toml").write_text(PACK.format(pattern=pattern, extra=extra), encoding="utf-8")
    with pytest.raises(packs.PackError) as err:
        packs.load([tmp_path], builtin=False)
    assert str(tmp_path / "p.toml") in str(err.value)
    assert f"(win.rule).{key}" in str(err.value) and problem in str(err.value)


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
    plain.literal_windows, plain.anchored = {}, set()
    text = ("Laut dem Bundesgesundheitsministerium sind die Zahlen gestiegen. " + "Wort " * 80 +
            "Das ukrainische Außenministerium erklärte am Dienstag, dass " + "x " * 60 +
            "nach Angaben westlicher Verbündeter\nFoto: Max Muster/dpa\nFolgen Sie uns auf Telegram")
    assert windowed.run(text_doc(text)) == plain.run(text_doc(text))


# -- anchored rules: every match starts with a literal, tried only where one occurs --

@pytest.mark.parametrize("pattern,expected", [
    (r"(?m)(?:^|(?<=\s))(?:Von |By )\p{Lu}", ["by ", "von "]),
    (r"(?i)\bdpa:\d+", ["dpa:"]),
    (r"(?:©|\(c\)|Copyright)\s*\d{4}", ["(c)", "copyright", "©"]),
    (r"Élysée|Kreml", ["kreml", "élysée"]),
])
def test_leading_literals(pattern, expected):
    assert leading_literals(pattern) == expected


@pytest.mark.parametrize("pattern", [
    r"ab?c", r"(?:abc)?def", r"x*abc", r"(?<=x)abc|d", r"(?i:abc)", r"\w+ said", r"(?x)abc", r"a",
    r"(?:^|x)abc", r"(?=a)*abc",
])
def test_leading_literals_refuses_what_it_cannot_prove(pattern):
    assert leading_literals(pattern) is None


def test_anchored_rule_matches_as_finditer(tmp_path):
    # "Von A Von B" holds two hits; the second lies inside the first match and is skipped
    pattern = r"(?m)(?:^|(?<=\s))(?:Von |By )\p{Lu}[\p{L} ]*"
    plain, anchored = engines(tmp_path, pattern, 10)
    plain.anchored, plain.unfiltered = set(), {0}  # scanned whole, as without literals
    assert anchored.anchored == {0}
    for text in ("Von Anna Von Bert.\nxVon Carl, By Dora", "By\nVon Emil", "Revon Fritz"):
        assert spans(anchored, text) == spans(plain, text)
    assert spans(anchored, "Von Anna Von Bert.") == [(0, 17)]


def test_vague_attribution_rule_is_anchored_and_matches_as_finditer():
    """The vague pattern is written so that the engine proves every match starts with a
    literal; tried only there, it finds what a scan of the whole text finds."""
    import regex

    engine = Engine(packs.load())
    ridx = next(i for i, r in enumerate(engine.rules) if r.id == "attribution.vague.pattern")
    assert ridx in engine.anchored
    pattern = regex.compile(engine.rules[ridx].spec["pattern"])
    texts = ["Er bestätigte frühere inoffizielle Berichte amerikanischer Medien und Berichte lokaler Sender.",
             "inoffiziellen Berichten zufolge, Berichte der Zeitungen, INOFFIZIELLE BERICHTE DER MEDIEN",
             "Some say so. They have some say in it. According to some reports, SOME SAY no.",
             "nach Angaben westlicher Verbündeter, according to media reports from Reuters, "
             "according to analysts"]
    for text in texts:
        found = sorted((m.start, m.end) for m in engine.run(text_doc(text))
                       if m.rule_id == "attribution.vague.pattern")
        assert found == [m.span() for m in pattern.finditer(text)]
        assert found
