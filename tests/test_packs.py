"""Strict loading: every error names the file and the key, and exits 2 on the CLI."""

from __future__ import annotations

import pytest

from provenance import packs

GOOD = '''
[pack]
id = "example"
version = "1.0.0"
languages = ["en"]

[[rules]]
id = "example.newsletter-signup"
kind = "phrase"
category = "boilerplate"
entity = "newsletter"
phrases = ["sign up for our newsletter", "subscribe to our newsletter"]

[[rules]]
id = "example.newsletter-pattern"
kind = "pattern"
category = "boilerplate"
entity = "newsletter"
pattern = "(?i)\\\\bnewsletter\\\\b"
'''


def write(tmp_path, text, name="p.toml"):
    (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_contract_minimal_pack_loads(tmp_path):
    rs = packs.load([write(tmp_path, GOOD)])
    assert {"example.newsletter-signup", "example.newsletter-pattern"} <= {r.id for r in rs.rules}


@pytest.mark.parametrize("bad,key", [
    (GOOD.replace('kind = "phrase"', 'kind = "phrase"\nunknown = 1'), "rules[0] (example.newsletter-signup).unknown"),
    (GOOD.replace('category = "boilerplate"\nentity = "newsletter"\nphrases', 'entity = "newsletter"\nphrases'), ".category"),
    (GOOD.replace('(?i)', '(?i)('), ".pattern"),
    (GOOD.replace('id = "example.newsletter-pattern"', 'id = "example.newsletter-signup"'), ".id"),
    (GOOD.replace('version = "1.0.0"', ''), "pack.version"),
    (GOOD.replace('[pack]', '[pak]'), "(file)"),
    (GOOD.replace('kind = "pattern"', 'kind = "magic"'), ".kind"),
    (GOOD + "\n[extra]\nx = 1\n", "extra"),
    ("not = [toml", "(toml)"),
])
def test_invalid_pack_names_file_and_key(tmp_path, bad, key):
    write(tmp_path, bad)
    with pytest.raises(packs.PackError) as err:
        packs.load([tmp_path])
    assert str(tmp_path / "p.toml") in str(err.value)
    assert key in str(err.value)


def test_cli_exits_2_on_invalid_pack(run_cli, tmp_path):
    bad = tmp_path / "bad"
    bad.mkdir()
    write(bad, GOOD.replace('kind = "phrase"', 'kind = "phrase"\nfoo = "x"'))
    (tmp_path / "a.txt").write_text("Hello world, this is text.", encoding="utf-8")
    result = run_cli("audit", "a.txt", "--rules", str(bad))
    assert result.exit_code == 2
    assert "foo" in result.output and "p.toml" in result.output
    assert run_cli("rules", "check", str(bad)).exit_code == 2


def test_builtin_packs_are_valid_and_versioned(ruleset):
    assert len(ruleset.rules) >= 30
    assert len(ruleset.outlets) >= 300
    assert len(ruleset.version) == 16
    for needed in ("reuters", "ap", "afp", "dpa", "bbc", "wsj", "kyiv-independent", "chatham-house"):
        assert needed in ruleset.outlets


def test_user_pack_rules_run_in_audit(run_cli, tmp_path):
    user = tmp_path / "user"
    user.mkdir()
    write(user, GOOD.replace("subscribe to our newsletter", "join the mailing crew"))
    (tmp_path / "a.txt").write_text("Title\nPlease join the mailing crew today.", encoding="utf-8")
    result = run_cli("audit", "a.txt", "--rules", str(user), "--json", "-q")
    assert "example.newsletter-signup" in result.output


def test_cached_loads_still_reject_what_the_first_rejected(tmp_path, monkeypatch):
    """The start-up cache (parsed TOML, backtracking probes) never lets a bad pack through."""
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "cache"))
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "slow.toml").write_text(
        '[pack]\nid = "slow"\nversion = "1"\n\n[[rules]]\nid = "slow.rule"\nkind = "pattern"\n'
        'category = "residue"\nentity = "x"\npattern = "(a+)+$"\nmessage = "m"\nwhy = "w"\n'
        'examples.match = ["[[aaa]]"]\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(packs.PackError, match="catastrophic backtracking"):
            packs.load([folder], builtin=False)
    assert list((tmp_path / "cache").glob("regex-*.pickle"))
    # an edited pack is read afresh, not from the cache
    (folder / "slow.toml").write_text((folder / "slow.toml").read_text().replace("(a+)+$", "a+b"))
    assert [r.id for r in packs.load([folder], builtin=False).rules] == ["slow.rule"]


def test_an_unwritable_cache_changes_nothing(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("PROVENANCE_CACHE", str(blocker / "cache"))
    assert len(packs.load().rules) == len(packs.load().rules) > 50


def test_the_cache_forgets_old_entries(tmp_path, monkeypatch):
    import os
    import time

    from provenance import cache

    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path))
    old, fresh, other = tmp_path / "toml-old.pickle", tmp_path / "probe-new.pickle", tmp_path / "notes.txt"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    model = tmp_path / "langid-1-2"
    model.mkdir()
    (model / "pc.npy").write_bytes(b"x")
    past = time.time() - 91 * 86400
    for path in (old, other, model):
        os.utime(path, (past, past))
    # a model folder unused for 15 days goes (each new install of py3langid writes one),
    # one mapped 5 days ago stays
    unused, recent = tmp_path / "langid-3-4", tmp_path / "langid-5-6"
    for folder, days in ((unused, 15), (recent, 5)):
        folder.mkdir()
        (folder / "pc.npy").write_bytes(b"x")
        then = time.time() - days * 86400
        os.utime(folder, (then, then))
    assert cache.memo("toml", b"a new key", lambda: 42) == 42  # a miss writes, then prunes
    assert not old.exists() and not model.exists() and fresh.exists() and other.exists()
    assert not unused.exists() and recent.exists()
    assert cache.memo("toml", b"a new key", lambda: 0) == 42  # and the new entry is read back


OUTLET_PACK = """
[pack]
id = "cues"
version = "1.0.0"

[[rules]]
id = "cues.outlet"
kind = "outlet"
category = "citation"
examples.match = ["Selon [[Reuters]], le plan est mort."]
cues = [{ role = "cited", before = '(?i)\\\\bselon\\\\s+$', languages = LANGS }]
"""


@pytest.mark.parametrize("langs,ok", [('["fr"]', True), ('[]', False), ('"fr"', False), ('[1]', False)])
def test_cue_languages_must_be_a_list_of_codes(tmp_path, langs, ok):
    write(tmp_path, OUTLET_PACK.replace("LANGS", langs))
    if ok:
        assert packs.load([tmp_path], builtin=False).rules
    else:
        with pytest.raises(packs.PackError, match=r"cues\[0\]\.languages"):
            packs.load([tmp_path], builtin=False)
