"""Planted copies are found with the right share and passages; shared boilerplate is not reuse."""

from __future__ import annotations

import importlib.util
import os
import re
import sqlite3
import sys

import pytest
from conftest import ROOT

_spec = importlib.util.spec_from_file_location("synth", ROOT / "bench" / "synth.py")
synth = importlib.util.module_from_spec(_spec)
sys.modules["synth"] = synth
_spec.loader.exec_module(synth)

WORD = re.compile(r"\w+")


def _write(folder, docs):
    folder.mkdir()
    for name, text in docs.items():
        (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory):
    from click.testing import CliRunner

    from provenance.cli import cli

    tmp = tmp_path_factory.mktemp("reuse")
    docs, planted = synth.corpus(80, sites=4, press_releases=4, seed=7)
    _write(tmp / "corpus", docs)
    db = tmp / "r.db"
    r = CliRunner().invoke(cli, ["audit", str(tmp / "corpus"), "--db", str(db), "-q"])
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    return conn, docs, planted


def _id(conn, name):
    return conn.execute("SELECT id FROM documents WHERE origin LIKE ?", (f"%{name}",)).fetchone()[0]


def _pair(conn, x, y):
    return conn.execute("SELECT * FROM reuse_pairs WHERE (a_id = ? AND b_id = ?) OR (a_id = ? AND b_id = ?)",
                        (x, y, y, x)).fetchone()


def _content_words(text):
    """Words outside the site chrome lines the generator adds (what reuse should count)."""
    chrome = set()
    for site in range(50):
        head, tail = synth.site_chrome(site)
        chrome.update(head + tail)
    return sum(len(WORD.findall(ln)) for ln in text.split("\n") if ln and ln not in chrome)


def test_every_planted_copy_is_found_with_its_share_and_passages(planted_db):
    conn, docs, planted = planted_db
    assert len(planted) == 8
    for p in planted:
        cid, sid = _id(conn, p.copy), _id(conn, p.source)
        pair = _pair(conn, cid, sid)
        assert pair is not None, p
        copy_side = "a" if pair["a_id"] == cid else "b"
        share = pair[f"{copy_side}_share"]
        copied_words = sum(len(WORD.findall(par)) for par in p.copied)
        expected = copied_words / _content_words(docs[p.copy])
        if p.kind == "disclaimer-kept":  # copied with its disclaimer, which repeats across
            assert share >= 0.9, (p, share)  # the corpus and so counts as boilerplate
        elif p.kind == "edited":  # one word in 15 replaced: those words are not counted as shared
            assert expected * 0.8 <= share <= expected, (p, share, expected)
        else:
            assert share == pytest.approx(expected, abs=0.03), (p, share, expected)
        text = conn.execute("SELECT text FROM documents WHERE id = ?", (cid,)).fetchone()[0]
        passages = conn.execute("SELECT * FROM reuse_passages WHERE pair_id = ?", (pair["id"],)).fetchall()
        spans = [(x[f"{copy_side}_start"], x[f"{copy_side}_end"]) for x in passages]
        found = " ".join(text[s:e] for s, e in sorted(spans))
        for par in p.copied:  # each copied paragraph lies inside the reported passages
            words = WORD.findall(par)
            covered = sum(1 for w in set(words) if w in found)
            floor = 0.85 if p.kind == "edited" else 0.97  # an edited word at a paragraph's edge stays out
            assert covered >= floor * len(set(words)), (p.kind, par[:60])
        if p.kind in ("whole", "partial"):  # verbatim: passage text is the copied text
            for s, e in spans:
                assert any(text[s:e] in par for par in "\n\n".join(p.copied).split("\n\n")) or \
                    text[s:e] in "\n\n".join(p.copied)


def test_copies_without_disclaimer_become_press_releases(planted_db):
    conn, docs, planted = planted_db
    for p in planted:
        cid = _id(conn, p.copy)
        marks = conn.execute("SELECT * FROM markers WHERE document_id = ? AND role = 'copied'",
                             (cid,)).fetchall()
        text = conn.execute("SELECT text FROM documents WHERE id = ?", (cid,)).fetchone()[0]
        for m in marks:
            assert m["snippet"] == text[m["start"]:m["end"]]
            assert (m["category"], m["entity"], m["rule_id"]) == ("syndication", "seaprwire", "reuse.copied")
        cls = conn.execute("SELECT provenance_class FROM verdicts WHERE document_id = ?", (cid,)).fetchone()[0]
        if p.kind == "disclaimer-kept":
            assert not marks  # credited itself: nothing to add
            assert cls == "press-release"
        elif p.kind in ("whole", "edited"):
            assert marks
            assert cls == "press-release"
        else:  # a partial copy is evidence, but not "mostly a press release"
            assert marks
            assert cls != "press-release"


def test_unrelated_articles_sharing_boilerplate_are_not_reuse(planted_db):
    conn, docs, planted = planted_db
    involved = {_id(conn, n) for p in planted for n in (p.copy, p.source)}
    rows = conn.execute("SELECT a_id, b_id FROM reuse_pairs").fetchall()
    assert rows
    stray = [tuple(r) for r in rows if not {r[0], r[1]} <= involved]
    assert stray == []
    clusters = conn.execute("SELECT count(DISTINCT cluster_id) FROM reuse_clusters").fetchone()[0]
    assert clusters == 4  # one per press release


def test_boilerplate_only_pairs_need_no_corpus_statistics():
    """Two pages sharing a long cookie notice and footer, and nothing else."""
    from provenance.reuse import Item, analyze

    w = synth.Writer(3)
    cookie = ("Wir verwenden Cookies und ähnliche Technologien, um Inhalte zu personalisieren, "
              "Werbung anzupassen und zu messen und das Nutzererlebnis zu verbessern. Wenn Sie auf "
              "Akzeptieren klicken oder die Seite weiter nutzen, stimmen Sie der Verwendung zu.")
    items = []
    for i in range(2):
        text = "\n".join([cookie, *w.article(4)])
        cookie_at = text.index("Wir verwenden Cookies")
        items.append(Item(id=str(i), kind="document", origin=f"{i}.txt", text=text,
                          chrome=((cookie_at, cookie_at + 21),)))
    assert analyze(items).pairs == []
    bare = [Item(id=x.id, kind=x.kind, origin=x.origin, text=x.text) for x in items]
    assert len(analyze(bare).pairs) == 1  # without the marker the notice would count


def test_html_chrome_is_not_reuse(tmp_path, run_cli):
    w = synth.Writer(5)
    footer = " ".join(w.sentence() for _ in range(6))
    folder = tmp_path / "html"
    folder.mkdir()
    for i in range(2):
        body = "".join(f"<p>{p}</p>" for p in w.article(4))
        (folder / f"{i}.html").write_text(
            f"<html><body><nav><p>{footer}</p></nav><article>{body}</article>"
            f"<footer><p>{footer}</p></footer></body></html>", encoding="utf-8")
    r = run_cli("audit", str(folder), "--db", "h.db", "-q")
    assert r.exit_code == 0
    assert sqlite3.connect(tmp_path / "h.db").execute("SELECT count(*) FROM reuse_pairs").fetchone()[0] == 0


def test_against_folder_and_database(tmp_path, run_cli):
    docs, planted = synth.corpus(30, sites=3, press_releases=2, seed=11)
    refs = {n: t for n, t in docs.items() if n.startswith("pr")}
    corpus = {n: t for n, t in docs.items() if not n.startswith("pr")}
    _write(tmp_path / "refs", refs)
    _write(tmp_path / "corpus", corpus)
    r = run_cli("audit", "corpus", "--db", "c.db", "--against", "refs", "-q", "--report", "out")
    assert r.exit_code == 0, r.output
    conn = sqlite3.connect(tmp_path / "c.db")
    got = {(a, b) for a, b in conn.execute(
        "SELECT d.origin, r.origin FROM reuse_pairs p JOIN documents d ON d.id = p.a_id"
        " JOIN reuse_references r ON r.id = p.b_id WHERE p.b_kind = 'reference'")}
    want = {(f"corpus/{p.copy}", f"refs/{p.source}") for p in planted}
    assert {(a.split("/")[-1], b.split("/")[-1]) for a, b in got} == \
        {(a.split("/")[-1], b.split("/")[-1]) for a, b in want}
    whole = next(p for p in planted if p.kind == "whole")
    report = next((tmp_path / "out" / "en").glob(f"{whole.copy[:-4]}*.md")).read_text("utf-8")
    assert "## Text reuse" in report and "seaprwire" in report.lower()
    index = (tmp_path / "out" / "en" / "index.md").read_text("utf-8")
    assert "## Reuse clusters" in index
    # the references as an audit database give the same pairs
    r = run_cli("audit", "refs", "--db", "refs.db", "-q")
    r = run_cli("reuse", "--db", "c.db", "--against", "refs.db", "-q")
    assert r.exit_code == 0, r.output
    again = {(a, b) for a, b in conn.execute(
        "SELECT d.origin, r.origin FROM reuse_pairs p JOIN documents d ON d.id = p.a_id"
        " JOIN reuse_references r ON r.id = p.b_id")}
    assert again == got
    classes = dict(conn.execute("SELECT d.origin, v.provenance_class FROM verdicts v"
                                " JOIN documents d ON d.id = v.document_id"))
    assert classes[f"corpus/{whole.copy}"] == "press-release"


def test_reuse_again_replaces_results(planted_db, tmp_path):
    conn, docs, planted = planted_db
    counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
              for t in ("reuse_pairs", "reuse_passages", "markers")]
    from provenance import corpus, packs, store

    path = conn.execute("PRAGMA database_list").fetchone()[2]
    db = store.connect(path)
    corpus.run(db, packs.load())
    again = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
             for t in ("reuse_pairs", "reuse_passages", "markers")]
    assert again == counts


def test_verdict_follows_copied_markers_only_above_the_share(ruleset):
    from conftest import text_doc

    from provenance.model import Marker
    from provenance.verdict import copied_share, decide

    w = synth.Writer(9)
    text = "\n".join(w.article(4))
    doc = text_doc(text)
    half = text.index(" ", len(text) * 2 // 3)

    def copied(end):
        return [Marker("reuse.copied", "agency", "dpa", 0, end, text[:end], role="copied")]

    assert copied_share(doc, copied(half)) > 0.5
    v = decide(doc, copied(half), ruleset.verdict)
    assert v.provenance_class == "agency-copy"
    assert "copied" in v.reasons[0].text
    small = text.index(" ", len(text) // 5)
    assert decide(doc, copied(small), ruleset.verdict).provenance_class != "agency-copy"


def test_no_reuse_skips_the_corpus_step(tmp_path, run_cli):
    from conftest import SEEDS

    assert run_cli("audit", str(SEEDS), "--db", "n.db", "-q", "--no-reuse").exit_code == 0
    conn = sqlite3.connect(tmp_path / "n.db")
    assert conn.execute("SELECT count(*) FROM person_roles").fetchone()[0] == 0
    assert run_cli("reuse", "--db", "n.db", "-q").exit_code == 0
    assert conn.execute("SELECT count(*) FROM person_roles").fetchone()[0] > 0


def test_copied_markers_are_in_the_full_text_index(planted_db):
    conn, _docs, _planted = planted_db
    copied = conn.execute("SELECT count(*) FROM markers WHERE role = 'copied'").fetchone()[0]
    assert copied
    for mid, snippet in conn.execute("SELECT id, snippet FROM markers WHERE role = 'copied'"):
        word = re.findall(r"\w{4,}", snippet)[0]
        found = [r[0] for r in conn.execute(
            "SELECT rowid FROM markers_fts WHERE markers_fts MATCH ?", (f'"{word}"',))]
        assert mid in found
    for table in ("documents_fts", "markers_fts"):
        conn.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


def test_shingle_hashes_are_the_same_in_every_process():
    """Python salts string hashes per process; the shingle sample must not depend on it,
    or two runs over the same files find different pairs."""
    import subprocess

    code = ("from provenance import reuse; c = reuse.Corpus([], reuse.Settings());"
            "print(c.shingles('die stadt plant einen neuen radweg entlang des flusses'.split()))")
    outputs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout
               for seed in ("1", "2", "3")}
    assert len(outputs) == 1 and outputs.pop().startswith("[")


def _templated(n: int, seed: int = 3) -> list:
    """Texts drawn from one small pool of sentences: every text shares passages with most others,
    the shape of a templated or wire-heavy crawl, which made the candidate pairs quadratic."""
    import random

    from provenance.reuse import Item

    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    pool = [" ".join(rng.choice(words) for _ in range(14)) + "." for _ in range(40)]
    items = []
    for i in range(n):
        lines = [" ".join(rng.sample(pool, 3)) for _ in range(8)]
        credits = frozenset({("agency", "dpa")}) if i == n - 1 else frozenset()
        items.append(Item(id=str(i), kind="document", origin=f"{i:04d}.txt", text="\n".join(lines),
                          credits=credits))
    return items


def test_candidates_stay_linear_when_every_text_shares_with_every_other():
    from provenance import reuse

    items = _templated(300)
    settings = reuse.Settings()
    analysis = reuse.analyze(items, settings)
    # without the bounds nearly all 44,850 pairs were candidates
    assert 0 < analysis.candidates <= settings.max_partners * len(items)
    assert len(analysis.pairs) <= analysis.candidates
    # the strongest candidates of a text come first among its partners: a credited text is one
    credited = len(items) - 1
    partners = {p.a if p.b == credited else p.b for p in analysis.pairs if credited in (p.a, p.b)}
    assert len(partners) >= settings.max_partners
    assert len(analysis.clusters) == 1


def test_every_text_is_verified_against_the_credited_text_it_shares_most_with():
    from provenance import reuse

    items = _templated(120, seed=5)
    copy = items[10]  # the credited last text copies text 10 whole: its strongest partner
    items[-1] = reuse.Item(id=items[-1].id, kind="document", origin=items[-1].origin,
                           text=copy.text + "\n" + items[-1].text, credits=items[-1].credits)
    analysis = reuse.analyze(items, reuse.Settings(max_partners=1))
    pair = [p for p in analysis.pairs if {p.a, p.b} == {10, len(items) - 1}]
    assert pair and pair[0].shared_words >= len(copy.text.split())
    marks = reuse.copied_markers(analysis)
    assert any(m.document_id == "10" and m.entity == "dpa" for m in marks)


def _result(analysis):
    from provenance import reuse

    pairs = [(p.a, p.b, p.a_share, p.b_share, p.a_words, p.b_words, p.shared_words, p.passages)
             for p in analysis.pairs]
    return pairs, analysis.clusters, analysis.candidates, list(reuse.copied_markers(analysis))


def test_verifying_a_few_texts_at_a_time_changes_nothing():
    """Verification holds the texts of one batch only; how the pairs are cut into batches
    must not change any pair, passage or marker."""
    from provenance import reuse

    docs, planted = synth.corpus(60, sites=3, press_releases=3, seed=4)
    items = [reuse.Item(id=n, kind="document", origin=n, text=t,
                        credits=frozenset({("syndication", "seaprwire")}) if "(SeaPRwire)" in t else frozenset())
             for n, t in docs.items()] + _templated(80)
    whole = _result(reuse.analyze(items))
    assert whole[0] and whole[3]
    for batch in (2, 3, 17):
        assert _result(reuse.analyze(items, batch=batch)) == whole


def test_texts_streamed_from_the_database_give_the_same_analysis(planted_db):
    """The corpus step reads texts from SQLite a batch at a time (items hold no text);
    the analysis equals the one over every text held in memory."""
    from provenance import corpus, reuse

    path = planted_db[0].execute("PRAGMA database_list").fetchone()[2]
    conn = sqlite3.connect(path)
    texts = corpus.DbTexts(conn)
    texts.BATCH = 7
    in_memory = corpus._items_from_db(conn, "document")
    assert all(item.text == "" for item in texts.items)
    read = [item for _, item in texts.read(range(len(texts)))]
    assert [(x.id, x.text, x.body, x.domain, x.credits, sorted(x.chrome)) for x in read] == \
        [(x.id, x.text, x.body, x.domain, x.credits, sorted(x.chrome)) for x in in_memory]
    assert any(x.chrome for x in read) and any(x.credits for x in read)
    assert _result(reuse.analyze(texts, batch=5)) == _result(reuse.analyze(in_memory))
