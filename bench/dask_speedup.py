"""Speed-up of 2 local Dask workers over 1 (and over the plain local loop).

    .venv/bin/python bench/dask_speedup.py [--docs 1200] [--rounds 3]

Generates an article corpus (tests/distcorpus.py), starts two LocalClusters
(1 and 2 worker processes, one thread each), warms both up, then runs the
three ways interleaved, round after round in rotating order, and takes
medians: the machine is shared, so only side-by-side ratios mean anything.
Also measures the per-document costs the paper estimate in
docs/distributed.md starts from: audit of text and of HTML pages on one
core, and the one writer's rate into SQLite. Writes bench/results/dask.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from distcorpus import make_corpus  # noqa: E402

from provenance import __version__, packs, store  # noqa: E402
from provenance.audit import Auditor, run  # noqa: E402
from provenance.distributed import DaskSession  # noqa: E402
from provenance.ingest import iter_sources  # noqa: E402
from provenance.model import Result, Source  # noqa: E402


def html_page(text: str) -> bytes:
    """A news page around a generated article: nav, body paragraphs, footer."""
    paras = "".join(f"<p>{p}</p>" for p in text.split("\n\n")[1:])
    title = text.split("\n", 1)[0]
    return (f"<!doctype html><html><head><title>{title}</title></head><body>"
            f"<nav><a href='/'>Start</a> <a href='/politik'>Politik</a></nav>"
            f"<article><h1>{title}</h1>{paras}</article>"
            f"<footer><p>Newsletter</p><a href='/impressum'>Impressum</a></footer>"
            f"</body></html>").encode()


def per_doc_costs(folder: Path, ruleset: packs.RuleSet, sample: int) -> dict[str, float]:
    auditor = Auditor(ruleset)
    sources = [s for s in iter_sources([str(folder)]) if isinstance(s, Source)][:sample]
    out: dict[str, float] = {}
    for kind, items in (("text", sources),
                        ("html", [Source(s.origin + ".html", html_page(s.data.decode()), kind="html")
                                  for s in sources])):
        auditor.audit_source(items[0])  # lazy models (language detection) loaded outside the clock
        t = time.perf_counter()
        results = [auditor.audit_source(s) for s in items]
        out[f"audit_{kind}_ms"] = 1000 * (time.perf_counter() - t) / len(items)
        if kind == "text":
            kept = [r for r in results if isinstance(r, Result)]
    t = time.perf_counter()
    pickle.loads(pickle.dumps(kept, protocol=5))
    out["result_pickle_roundtrip_ms"] = 1000 * (time.perf_counter() - t) / len(kept)
    out["result_pickle_bytes"] = len(pickle.dumps(kept, protocol=5)) / len(kept)
    with tempfile.TemporaryDirectory() as tmp:
        db = store.connect(Path(tmp) / "w.db")
        writer = store.Writer(db, ruleset, __version__, {})
        t = time.perf_counter()
        for r in kept:
            writer.add(r)
        writer.close()
        out["write_ms"] = 1000 * (time.perf_counter() - t) / len(kept)
        db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        out["db_bytes_per_doc"] = (Path(tmp) / "w.db").stat().st_size / len(kept)
    out["text_bytes_per_doc"] = statistics.mean(len(s.data) for s in sources)
    return out


def _worker_cpu(session: DaskSession) -> float:
    """CPU seconds used so far by all worker processes (contention does not inflate it)."""
    return sum(session.client.run(time.process_time).values())


def real_page_costs(ruleset: packs.RuleSet) -> dict[str, Any]:
    """Audit cost of the real pages in ../shared/corpus (absent in CI: then nothing)."""
    root = next((p for p in (HERE.parent.parent / "shared" / "corpus", Path("/work/shared/corpus"))
                 if p.is_dir()), None)
    if root is None:
        return {}
    auditor = Auditor(ruleset)
    out: dict[str, Any] = {"corpus": str(root)}
    for kind in ("html", "text"):
        sources = [s for s in iter_sources([str(root / kind)]) if isinstance(s, Source)]
        if not sources:
            continue
        auditor.audit_source(sources[0])
        rounds = []
        for _ in range(3):
            t = time.perf_counter()
            for src in sources:
                auditor.audit_source(src)
            rounds.append(1000 * (time.perf_counter() - t) / len(sources))
        out[f"{kind}_pages"] = len(sources)
        out[f"{kind}_bytes_per_page"] = statistics.mean(len(s.data) for s in sources)
        out[f"audit_{kind}_ms"] = statistics.median(rounds)
        kept = [r for r in (auditor.audit_source(s) for s in sources) if isinstance(r, Result)]
        out[f"{kind}_result_pickle_bytes"] = len(pickle.dumps(kept, protocol=5)) / len(kept)
        with tempfile.TemporaryDirectory() as tmp:
            db = store.connect(Path(tmp) / "w.db")
            writer = store.Writer(db, ruleset, __version__, {})
            for r in kept:
                writer.add(r)
            writer.close()
            db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            out[f"{kind}_db_bytes_per_doc"] = (Path(tmp) / "w.db").stat().st_size / len(kept)
    return out


def estimate(costs: dict[str, Any], cpu: dict[str, dict[str, float]], docs: int) -> dict[str, Any]:
    """The paper estimate of docs/distributed.md, from the figures measured above.

    worker core-seconds = N x cost per document x worker overhead / efficiency (0.9 for
    the tail of the run); the client (results in, one writer) caps the rate at
    1 / (client CPU per document + write cost).
    """
    overhead = cpu["dask-1-worker"]["workers"] / cpu["local"]["client"]
    client_ms = 1000 * cpu["dask-2-workers"]["client"] / docs + costs["write_ms"]
    ceiling = 1000 / client_ms
    real = costs.get("real_pages", {})
    kinds = {k: real[f"audit_{k}_ms"] for k in ("html", "text") if f"audit_{k}_ms" in real}
    kinds.setdefault("text", costs["audit_text_ms"])
    out: dict[str, Any] = {"worker_overhead": overhead, "client_ms_per_doc": client_ms,
                           "client_ceiling_docs_per_s": ceiling, "efficiency": 0.9, "cases": []}
    for kind, ms in kinds.items():
        core_s = ms / 1000 * overhead / 0.9
        for n in (10_000_000, 100_000_000):
            case: dict[str, Any] = {"kind": kind, "audit_ms": ms, "documents": n,
                                    "core_hours": n * core_s / 3600,
                                    "client_bound_hours": n / ceiling / 3600,
                                    "max_useful_workers": int(ceiling * core_s)}
            for workers in (16, 64, 256, 1024):
                case[f"hours_with_{workers}_workers"] = max(n * core_s / workers, n / ceiling) / 3600
            for hours in (24, 8):
                need = -(-int(n * core_s) // (hours * 3600))
                case[f"workers_for_{hours}h"] = need if need <= case["max_useful_workers"] else None
            out["cases"].append(case)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--docs", type=int, default=1200)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=50, help="files per task")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "dask.json")
    args = ap.parse_args()

    ruleset = packs.load()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "corpus"
        make_corpus(folder, args.docs, bad=False)
        costs = per_doc_costs(folder, ruleset, sample=min(300, args.docs))
        costs["real_pages"] = real_page_costs(ruleset)
        load_before = os.getloadavg()
        t = time.perf_counter()
        one = DaskSession("local:1", ruleset, log=lambda line: None)
        start_1 = time.perf_counter() - t
        t = time.perf_counter()
        two = DaskSession("local:2", ruleset, log=lambda line: None)
        start_2 = time.perf_counter() - t
        logging.getLogger("distributed").setLevel(logging.CRITICAL)

        cpu: dict[str, list[dict[str, float]]] = {"local": [], "dask-1-worker": [], "dask-2-workers": []}

        def local() -> int:
            c = time.process_time()
            n = sum(1 for i in run([str(folder)], ruleset) if isinstance(i, Result))
            cpu["local"].append({"client": time.process_time() - c})
            return n

        def on(session: DaskSession, name: str) -> int:
            # a LocalCluster's scheduler runs in this (the client's) process: "client" counts both
            w0, c0 = _worker_cpu(session), time.process_time()
            n = sum(1 for i in session.run([str(folder)], files_per_task=args.chunk, progress=False)
                    if isinstance(i, Result))
            cpu[name].append({"workers": _worker_cpu(session) - w0, "client": time.process_time() - c0})
            return n

        ways = {"local": local, "dask-1-worker": lambda: on(one, "dask-1-worker"),
                "dask-2-workers": lambda: on(two, "dask-2-workers")}
        for name, fn in ways.items():  # warm-up: imports, packs, language model in every process
            assert fn() == args.docs, name
        for runs in cpu.values():
            runs.clear()  # warm-up runs are not counted
        times: dict[str, list[float]] = {name: [] for name in ways}
        names = list(ways)
        for r in range(args.rounds):
            for name in names[r % len(names):] + names[:r % len(names)]:
                t = time.perf_counter()
                n = ways[name]()
                times[name].append(time.perf_counter() - t)
                assert n == args.docs, (name, n)
                print(f"round {r + 1}: {name}: {times[name][-1]:.2f} s", file=sys.stderr)
        one.close()
        two.close()
        load_after = os.getloadavg()

    med = {name: statistics.median(ts) for name, ts in times.items()}
    result = {
        "command": "python bench/dask_speedup.py " + " ".join(sys.argv[1:]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": load_before, "load_average_after": load_after,
                    "note": "shared by several sessions while measuring; runs interleaved, medians"},
        "docs": args.docs, "rounds": args.rounds, "files_per_task": args.chunk,
        "seconds": times, "median_seconds": med,
        "docs_per_second": {k: args.docs / v for k, v in med.items()},
        "speedup_2_over_1_worker": med["dask-1-worker"] / med["dask-2-workers"],
        "speedup_2_workers_over_local": med["local"] / med["dask-2-workers"],
        "dask_1_worker_overhead_over_local": med["dask-1-worker"] / med["local"],
        "cpu_note": "process CPU seconds per run; for dask, client includes the scheduler (same process)",
        "cpu_seconds_median": {name: {part: statistics.median(r[part] for r in runs) for part in runs[0]}
                               for name, runs in cpu.items()},
        "estimate": estimate(costs, {n: {p: statistics.median(r[p] for r in runs) for p in runs[0]}
                                     for n, runs in cpu.items()}, args.docs),
        "cluster_start_seconds": {"local:1": start_1, "local:2": start_2},
        "per_document": costs,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("median_seconds", "speedup_2_over_1_worker", "cpu_seconds_median",
                                             "speedup_2_workers_over_local", "per_document")}, indent=2))


if __name__ == "__main__":
    main()
