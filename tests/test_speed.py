"""Speed work must not change results: prefilter, folding, --jobs, batched writes, lazy imports."""

from __future__ import annotations

import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import regex
from conftest import ROOT, SEEDS, example_texts, text_doc
from hypothesis import given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(ROOT))

from bench.corpus import article, write_corpus, write_rules  # noqa: E402
from provenance.prefilter import prefilter_text, required_literals  # noqa: E402
from provenance.textview import _DROP, _FOLD, TextView, fold  # noqa: E402

# -- required literals ----------------------------------------------------------


@pytest.mark.parametrize("pattern, expected", [
    (r"\(SeaPRwire\)(?:\s*-)?", ["(seaprwire)"]),
    (r"\((?:BUSINESS WIRE|Business Wire)\)", ["business wire"]),
    (r"(?i)\bnach Angaben (?:\w+ ){0,2}Kreise\b|\baccording to\b", ["according to", "nach angaben "]),
    (r"abcd?e", ["abc"]),             # an optional character ends the literal
    (r"x(?:foo|ba)y", None),          # "ba" is too short to rely on
    (r"(?:foo)?barbaz", ["barbaz"]),  # an optional group is skipped
    (r"(?=abc)\w+", None),            # lookarounds are not relied on
    (r"[abc]def", ["def"]),
    (r"a{,3}bcd}", ["bcd}"]),       # a lone brace is a literal
])
def test_required_literals(pattern, expected):
    assert required_literals(pattern) == expected


@pytest.mark.parametrize("pattern", [
    "(?x)abc def", "(?f)strasse", "(?V1)abc[[a-z]--[b]]", r"\x41bcdef", "abc|de", "abc{x}def",
    r"[[:alpha:]]abc", r"abc\Lname", "(?P<n>abc", "abc)",
])
def test_required_literals_refuses_what_it_cannot_prove(pattern):
    assert required_literals(pattern) is None


def test_prefilter_text_folds_what_regex_folds():
    # regex's case-insensitive "i" matches "İ", "I" matches "ı", "s" matches "ſ"
    for pattern, text in (("(?i)kiss", "KİSS"), ("(?i)KISS", "kıss"), ("(?i)kiss", "Kiſs")):
        assert regex.search(pattern, text)
        lits = required_literals(pattern)
        assert any(lit in prefilter_text(TextView(text).lower) for lit in lits)


def _pattern_rules(ruleset):
    return [r for r in ruleset.rules if r.kind in ("pattern", "credit")]


def _examples(ruleset):
    return example_texts(_pattern_rules(ruleset))


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_prefilter_never_hides_a_match(ruleset, data):
    """Whenever a pattern matches, one of its literals is in the prefilter text."""
    examples = _examples(ruleset)
    pieces = data.draw(st.lists(st.one_of(
        st.sampled_from(examples),
        st.text(alphabet="aAbBİıſsSkK()/-.: \n'\"„“–", max_size=30)), min_size=1, max_size=4))
    text = " ".join(pieces)
    view = TextView(text)
    present = prefilter_text(view.lower)
    for rule in _pattern_rules(ruleset):
        lits = required_literals(rule.spec["pattern"])
        if lits is None:
            continue
        if regex.compile(rule.spec["pattern"]).search(view.folded):
            assert any(lit in present for lit in lits), (rule.id, text)


def _docs(tmp_path):
    from provenance.extract import extract
    from provenance.ingest import iter_sources

    corpus = write_corpus(tmp_path / "corpus", 120, seed=3)
    return [extract(s) for s in iter_sources([str(SEEDS), str(corpus)])]


def test_prefilter_changes_no_marker(ruleset, tmp_path):
    from provenance.rules import Engine

    fast, slow = Engine(ruleset), Engine(ruleset, prefilter=False)
    docs = _docs(tmp_path) + [text_doc(t) for t in _examples(ruleset)]
    assert sum(len(fast.run(d)) for d in docs) > 0
    for doc in docs:
        assert fast.run(doc) == slow.run(doc), doc.origin


# -- folding ----------------------------------------------------------------------

_OLD_TABLE = str.maketrans({**_FOLD, **{c: None for c in _DROP}})


def _old_fold(text: str) -> str:
    return re.sub(r" {2,}", " ", text.translate(_OLD_TABLE)).strip()


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list(_FOLD) + list(_DROP) + list("ab äß\n İ"), max_size=60))
def test_fold_same_as_translate(text):
    assert fold(text) == _old_fold(text)
    view = TextView(text)
    assert view.folded == re.sub(" {2,}", " ", text.translate(_OLD_TABLE))


# -- --jobs -------------------------------------------------------------------------

def _tables(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    return {
        "documents": conn.execute("SELECT id, origin, url, domain, title, lang, text, body, rules_version,"
                                  " meta FROM documents ORDER BY id").fetchall(),
        "markers": conn.execute('SELECT document_id, rule_id, category, entity, role, start, "end",'
                                " snippet, block FROM markers ORDER BY id").fetchall(),
        "verdicts": conn.execute("SELECT document_id, provenance_class, score, grade, reasons"
                                 " FROM verdicts ORDER BY document_id").fetchall(),
        "failures": conn.execute("SELECT origin, reason FROM failures ORDER BY id").fetchall(),
        "runs": conn.execute("SELECT documents, failures, unchanged FROM runs").fetchall(),
    }


def test_jobs_two_gives_the_same_rows_as_one(run_cli, tmp_path, monkeypatch):
    from provenance import parallel

    corpus = write_corpus(tmp_path / "corpus", 90, seed=5)
    shutil.copytree(SEEDS, corpus / "seeds")
    (corpus / "0000" / "broken.txt").write_bytes(b"\x00\x01\x02" * 500)
    (corpus / "0000" / "copy.txt").write_bytes((corpus / "0000" / "000001.txt").read_bytes())
    pooled = []
    real = parallel._pooled
    monkeypatch.setattr(parallel, "_pooled", lambda *a: pooled.append(1) or real(*a))
    outputs = {}
    for jobs in ("1", "2"):
        db = tmp_path / f"j{jobs}.db"
        result = run_cli("audit", str(corpus), "--db", str(db), "-q", "--jobs", jobs, "--json")
        assert result.exit_code == 0, result.output
        outputs[jobs] = result.output
    assert pooled == [1]  # --jobs 2 really used workers, --jobs 1 did not
    one, two = _tables(tmp_path / "j1.db"), _tables(tmp_path / "j2.db")
    assert len(one["markers"]) > 500
    assert one["failures"] and one["runs"] == [(96, 1, 0)]
    assert one == two
    assert outputs["1"] == outputs["2"]


def test_second_run_skips_unchanged_and_duplicates_are_stable(run_cli, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    for name in ("a.txt", "b.txt"):  # the same bytes twice: one document, the last origin
        (corpus / name).write_text(article(__import__("random").Random(1), 1), encoding="utf-8")
    db = tmp_path / "x.db"
    assert run_cli("audit", str(corpus), "--db", str(db), "-q").exit_code == 0
    assert run_cli("audit", str(corpus), "--db", str(db), "-q").exit_code == 0
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT origin FROM documents").fetchall() == [(str(corpus / "b.txt"),)]
    assert conn.execute("SELECT documents, unchanged FROM runs ORDER BY id").fetchall() == [(2, 0), (0, 2)]


def test_writer_batches_keep_the_last_copy(ruleset, tmp_path):
    from provenance import store
    from provenance.audit import Auditor
    from provenance.model import Failure, Source

    auditor = Auditor(ruleset)
    text = (SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]).read_bytes()
    items = [auditor.audit_source(Source(origin=o, data=text)) for o in ("first", "second")]
    db = store.connect(tmp_path / "w.db")
    writer = store.Writer(db, ruleset, "test", batch=10)
    for item in (items[0], Failure("bad", "why"), items[1]):
        writer.add(item)
    writer.close()
    conn = db.conn
    assert conn.execute("SELECT origin FROM documents").fetchall() == [("second",)]
    assert conn.execute("SELECT count(*) FROM markers").fetchone()[0] == len(items[1].markers)
    assert conn.execute("SELECT documents, failures FROM runs").fetchone() == (2, 1)


# -- bench inputs and start-up -------------------------------------------------------

def test_bench_inputs_are_deterministic_and_valid(tmp_path):
    from provenance import packs

    a = write_corpus(tmp_path / "a", 30, seed=9)
    b = write_corpus(tmp_path / "b", 30, seed=9)
    files = sorted(p.relative_to(a) for p in a.rglob("*.txt"))
    assert len(files) == 30
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    rules = write_rules(tmp_path / "rules", 300)
    extra = [r for r in packs.load([rules]).rules if r.pack == "bench-extra"]
    assert len(extra) == 300 and all(r.kind == "phrase" for r in extra)


def test_floor_script_stores_matches(tmp_path):
    corpus = write_corpus(tmp_path / "c", 20)
    db = tmp_path / "floor.db"
    subprocess.run([sys.executable, str(ROOT / "bench" / "floor.py"), str(corpus), str(db)], check=True)
    assert sqlite3.connect(db).execute("SELECT count(*) FROM matches").fetchone()[0] > 20


@pytest.mark.parametrize("args", [["--help"], ["rules", "list"]])
def test_light_commands_do_not_import_heavy_modules(args):
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "provenance", *args],
                          capture_output=True, text=True, cwd=ROOT, check=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    heavy = {"httpx", "bs4", "sqlite_utils", "tldextract", "py3langid", "numpy", "charset_normalizer",
             "lxml", "trafilatura", "ahocorasick_rs"}
    assert not imported & heavy, imported & heavy


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_workers_end_when_the_main_process_is_killed(tmp_path):
    import os
    import signal
    import time

    corpus = write_corpus(tmp_path / "corpus", 3000, seed=2)
    proc = subprocess.Popen([sys.executable, "-m", "provenance", "audit", str(corpus), "--db",
                             str(tmp_path / "k.db"), "-q", "--jobs", "2"], cwd=ROOT)
    children: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(children) < 2 and proc.poll() is None:
        path = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        children = [int(x) for x in path.read_text().split()] if path.exists() else []
        time.sleep(0.05)
    assert len(children) >= 2, "the workers did not start"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 10
    alive = children
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [c for c in alive if Path(f"/proc/{c}").exists()
                 and "Z" not in Path(f"/proc/{c}/stat").read_text().split()[2]]
    for c in alive:  # do not leave them behind if the test fails
        os.kill(c, signal.SIGKILL)
    assert not alive, "workers outlived the killed main process"
