"""Auditing on Dask: same rows as a local run, lost workers, rule checks, no Dask locally."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from distcorpus import make_corpus

from provenance import ingest
from provenance.distributed import DaskSession, Skipped, audit_partition, parse_address, plan
from provenance.model import Failure, Result, Source

ROOT = Path(__file__).resolve().parent.parent
N_DOCS = 250  # "a few hundred": enough for 16 tasks over 2 workers, small enough for CI


def expand(parts, stdin=None):
    """Origins in the order the partitions hand them out (strided parts interleaved)."""
    out = []
    for part in parts:
        for unit in part.units:
            items = unit.items if unit.spec is None else list(ingest.iter_sources([unit.spec]))
            out.extend(i.origin for n, i in enumerate(items) if unit.parts == 1 or n % unit.parts == unit.part)
    return out


# -- planning and the worker function: no cluster needed --------------------------

def test_plan_reads_the_same_sources_in_the_same_order_as_a_local_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    make_corpus(tmp_path / "in", 40)
    (tmp_path / "in" / "batch1" / "page.html").write_text("<html><body><p>Hallo (dpa)</p></body></html>")
    (tmp_path / "in" / "batch2" / "loop").symlink_to(tmp_path / "in" / "batch2")
    (tmp_path / "single.txt").write_text("Laut Reuters ist das so.\n")
    (tmp_path / "in" / "batch4" / "feed.jsonl").write_text(
        "".join(json.dumps({"text": f"Meldung {i} (dpa)"}) + "\n" for i in range(5)) + "{broken\n")
    (tmp_path / "in" / "batch4" / "skip-me.txt").write_text("excluded by a glob")
    specs = ["in", "missing.txt", "single.txt", "-", "in/batch3"]
    local = [i.origin for i in ingest.iter_sources(specs, stdin=_bytes_io(b"von stdin (AFP)"))]
    parts = plan(specs, stdin=_bytes_io(b"von stdin (AFP)"), files_per_task=7)
    assert expand(parts) == local
    assert any(o.endswith("feed.jsonl:6") for o in local)
    for globs in ({"exclude": ("skip-*", "day1")}, {"include": ("*.jsonl", "batch3/*/*.txt")}):
        opts = ingest.IngestOptions(**globs)
        local = [i.origin for i in ingest.iter_sources(specs, stdin=_bytes_io(b"x"), options=opts)]
        assert expand(plan(specs, stdin=_bytes_io(b"x"), files_per_task=5, options=opts)) == local
    assert len(parts) > 6 and [p.index for p in parts] == list(range(len(parts)))
    loop = [u for p in parts for u in p.units for i in u.items if "symbolic-link loop" in getattr(i, "reason", "")]
    assert loop, "the symlink loop is reported as a local run reports it"


def test_worker_function_skips_known_documents_and_keeps_failures(ruleset, tmp_path):
    make_corpus(tmp_path, 5)
    parts = plan([str(tmp_path)], files_per_task=100)
    assert len(parts) == 1
    first = audit_partition(parts[0], (), ruleset.version)
    results = [i for i in first if isinstance(i, Result)]
    assert len(results) == 5 and sum(isinstance(i, Failure) for i in first) == 2
    skip = frozenset(r.document.id for r in results[:3])
    again = audit_partition(parts[0], (), ruleset.version, skip)
    assert [type(i).__name__ for i in again].count("Skipped") == 3
    assert [_origin(i) for i in again] == [_origin(i) for i in first]
    with pytest.raises(Exception, match="has rules"):
        audit_partition(parts[0], (), "not-the-version")


def test_big_json_lines_file_is_split_into_strided_parts(tmp_path):
    lines = [json.dumps({"text": f"Artikel {i}\n\nLaut Reuters ist {i} so (dpa)."}) for i in range(23)]
    (tmp_path / "big.jsonl").write_text("\n".join(lines) + "\n")
    parts = plan([str(tmp_path / "big.jsonl")], part_bytes=300)
    assert len(parts) > 3 and len({p.group for p in parts}) == 1
    local = [i.origin for i in ingest.iter_sources([str(tmp_path / "big.jsonl")])]
    assert sorted(expand(parts)) == sorted(local)
    from provenance.distributed import DaskSession as S

    got = list(S._emit([[Failure(o, "x") for o in _stride(local, k, len(parts))] for k in range(len(parts))],
                       None, _Stats()))
    assert [g.origin for g in got] == local


def test_strided_parts_are_put_back_in_record_order():
    records = [f"r{i}" for i in range(11)]
    for n in (1, 2, 3, 4, 11, 13):
        parts = [[Failure(o, "x") for o in _stride(records, k, n)] for k in range(n)]
        got = list(DaskSession._emit(parts, None, _Stats()))
        assert [g.origin for g in got] == records


def test_emit_asks_the_local_skip_test_in_order(ruleset, tmp_path):
    make_corpus(tmp_path, 3, bad=False)
    items = audit_partition(plan([str(tmp_path)])[0], (), ruleset.version)
    asked: list[str] = []
    items.insert(1, Skipped("x.txt", "abc"))
    out = list(DaskSession._emit([items], lambda i: asked.append(i) or i != items[0].document.id, _Stats()))
    assert asked == [items[0].document.id, "abc", items[2].document.id, items[3].document.id]
    assert len(out) == 2


def test_parse_address():
    assert parse_address("local:3") == 3
    assert parse_address("tcp://10.0.0.1:8786") == "tcp://10.0.0.1:8786"
    for bad in ("local:0", "local:x", " "):
        with pytest.raises(ValueError):
            parse_address(bad)


def test_single_machine_path_never_imports_dask(tmp_path):
    make_corpus(tmp_path / "in", 3)
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from provenance.cli import cli\n"
        f"r = CliRunner().invoke(cli, ['audit', {str(tmp_path / 'in')!r}, '--db', {str(tmp_path / 'x.db')!r}, '-q'])\n"
        "assert r.exit_code == 0, r.output\n"
        "import provenance.distributed\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "[]"


# -- on a real LocalCluster (2 worker processes) ------------------------------------

distributed = pytest.importorskip("distributed", reason="needs the dask extra")


@pytest.fixture(scope="module")
def cluster():
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0", silence_logs=logging.CRITICAL) as lc:
        yield lc


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dist") / "in"
    make_corpus(folder, N_DOCS)
    return folder


def table_rows(db: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(db)
    return {
        "documents": conn.execute(
            "SELECT id, origin, url, domain, title, lang, text, body, rules_version, meta"
            " FROM documents ORDER BY id").fetchall(),
        "markers": conn.execute(
            'SELECT document_id, rule_id, category, entity, role, start, "end", snippet, block'
            " FROM markers ORDER BY id").fetchall(),
        "verdicts": conn.execute(
            "SELECT document_id, run_id, provenance_class, score, grade, reasons FROM verdicts"
            " ORDER BY document_id").fetchall(),
        "failures": conn.execute("SELECT run_id, origin, reason FROM failures ORDER BY id").fetchall(),
        "runs": conn.execute("SELECT documents, failures, unchanged, rules_version, packs FROM runs").fetchall(),
    }


def test_cluster_run_gives_exactly_the_rows_of_a_local_run(run_cli, cluster, corpus, tmp_path):
    local = run_cli("audit", str(corpus), "--db", "local.db", "-q", "--json")
    assert local.exit_code == 0
    dask = run_cli("audit", str(corpus), "--db", "dask.db", "--json",
                   "--dask", cluster.scheduler_address, "--dask-chunk", "16")
    assert dask.exit_code == 0, dask.output
    assert dask.stdout == local.stdout  # the same JSON Lines, in the same order
    a, b = table_rows(tmp_path / "local.db"), table_rows(tmp_path / "dask.db")
    assert len(a["documents"]) == N_DOCS and len(a["failures"]) == 2 and len(a["markers"]) > 500
    assert a == b
    assert "dask: 2 workers" in dask.stderr and f"{-(-(N_DOCS + 2) // 16)}/{-(-(N_DOCS + 2) // 16)} partitions" in dask.stderr
    options = json.loads(sqlite3.connect(tmp_path / "dask.db").execute("SELECT options FROM runs").fetchone()[0])
    assert options["dask"]["workers"] == 2 and options["dask"]["rules_checked"] is True
    assert options["dask"]["rules_version"] == a["runs"][0][3]

    again = run_cli("audit", str(corpus), "--db", "dask.db", "-q", "--dask", cluster.scheduler_address)
    assert again.exit_code == 0
    run2 = sqlite3.connect(tmp_path / "dask.db").execute(
        "SELECT documents, failures, unchanged FROM runs WHERE id = 2").fetchone()
    assert run2 == (0, 2, N_DOCS)
    assert table_rows(tmp_path / "dask.db")["markers"] == b["markers"]


def test_workers_with_other_rule_packs_are_refused(cluster, tmp_path, ruleset):
    from provenance import packs
    from provenance.distributed import DaskError

    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "mine.toml").write_text(
        '[pack]\nid = "mine"\nversion = "1.0.0"\n\n[[rules]]\nid = "mine.x"\nkind = "phrase"\n'
        'category = "boilerplate"\nentity = "newsletter"\nphrases = ["join our list"]\n')
    client_rules = packs.load([extra])
    with pytest.raises(DaskError, match=r"different rule packs.*pack:mine"):
        DaskSession(cluster.scheduler_address, client_rules, rules_dirs=())
    with DaskSession(cluster.scheduler_address, client_rules, rules_dirs=(extra,)) as ok:
        assert ok.workers == 2
    with pytest.raises(DaskError, match="no such|No such|does not exist|not a folder|cannot"):
        DaskSession(cluster.scheduler_address, ruleset, rules_dirs=(tmp_path / "absent",))


def test_strided_container_on_the_cluster_matches_a_local_run(cluster, ruleset, tmp_path):
    from provenance.audit import run

    lines = [json.dumps({"text": f"Artikel {i}\n\nLaut Reuters ist {i} so (dpa). Jetzt spenden!",
                         "url": f"https://example.org/{i}"}) for i in range(40)]
    big = tmp_path / "feed.jsonl"
    big.write_text("\n".join(lines[:20]) + "\nnot json\n" + "\n".join(lines[20:]) + "\n")
    local = list(run([str(big)], ruleset))
    with DaskSession(cluster.scheduler_address, ruleset, log=lambda line: None) as session:
        got = list(session.run([str(big)], part_bytes=700, progress=False))
        assert session.stats.partitions >= 4
    assert [_origin(i) for i in got] == [_origin(i) for i in local]
    assert [i.markers for i in got if isinstance(i, Result)] == [i.markers for i in local if isinstance(i, Result)]
    assert [i.verdict for i in got if isinstance(i, Result)] == [i.verdict for i in local if isinstance(i, Result)]


def test_killing_a_worker_mid_run_loses_no_document(cluster, corpus, ruleset):
    """Last in the file: the nanny restarts the killed worker, but the cluster has been shaken."""
    victims: list[int] = []

    def kill_one(stats) -> None:
        if victims or stats.done < 2:
            return
        busy = {w: keys for w, keys in session.client.processing().items() if keys}
        worker = sorted(busy)[0]
        pid = session.client.run(os.getpid, workers=[worker])[worker]
        victims.append(pid)
        os.kill(pid, signal.SIGKILL)

    with DaskSession(cluster.scheduler_address, ruleset, log=lambda line: None) as session:
        items = list(session.run([str(corpus)], files_per_task=8, on_partition=kill_one))
        assert victims, "a worker was killed while it had work"
        pids_after = set(session.client.run(os.getpid).values())
    assert victims[0] not in pids_after
    origins = [_origin(i) for i in items]
    assert len(origins) == len(set(origins)) == N_DOCS + 2
    assert sum(isinstance(i, Result) for i in items) == N_DOCS
    assert session.stats.lost == 0 and session.stats.done == session.stats.partitions


# -- helpers --------------------------------------------------------------------------

def _bytes_io(data: bytes):
    import io

    return io.BytesIO(data)


def _origin(item) -> str:
    return item.document.origin if isinstance(item, Result) else item.origin


def _stride(items, k, n):
    return [x for i, x in enumerate(items) if i % n == k]


class _Stats:
    skipped = failures = documents = 0


_ = Source  # the type the worker turns every unit into
