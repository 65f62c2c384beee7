"""CPU per document of each step outside the rules engine, another revision against this checkout.

`bench/engine_equality.py` times the rules engine and `bench/process_ab.py` whole
processes; this times the steps around the engine one by one, in-process, over
the same documents: reading the files (`ingest`), decoding, `extract` (language
identification included), language identification alone, `verdict.decide` (on
the engine's markers), `store.prepare` and the per-document `limits.deadline`.
The base revision runs from its own virtual environment (installed once, as
`process_ab.py` does); the two alternate process by process, round after round,
and the figures are medians of microseconds per document.

Usage: python bench/pipe_cost.py CORPUS [--base REV] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

STAGES = ("walk", "decode", "extract", "lang", "decide", "prepare", "deadline")


def measure(corpus: str, repeats: int) -> dict[str, float]:
    """Median µs per document of each stage, `repeats` times over the corpus in this process."""
    from provenance import extract, ingest, limits, packs, store, verdict
    from provenance.audit import Auditor
    from provenance.model import Source

    ruleset = packs.load([])
    auditor = Auditor(ruleset)
    auditor.warm_up()
    sources = [s for s in ingest.iter_sources([corpus]) if isinstance(s, Source)]
    docs = [extract.extract(s) for s in sources]
    found = [auditor.markers(d) for d in docs]
    results = [auditor.audit_document(d) for d in docs]

    def deadlines() -> None:
        for _ in sources:
            with limits.deadline(300.0):
                pass

    steps = {
        "walk": lambda: sum(1 for _ in ingest.iter_sources([corpus])),
        "decode": lambda: [extract.clean_text(extract.decode(s.data, s.charset)) for s in sources],
        "extract": lambda: [extract.extract(s) for s in sources],
        "lang": lambda: [extract.detect_lang(d.text) for d in docs],
        "decide": lambda: [verdict.decide(d, m, ruleset.verdict) for d, m in zip(docs, found, strict=True)],
        "prepare": lambda: [store.prepare(r) for r in results],
        "deadline": deadlines,
    }
    samples: dict[str, list[float]] = {k: [] for k in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.process_time()
            step()
            samples[name].append((time.process_time() - start) / len(sources) * 1e6)
    return {k: statistics.median(v) for k, v in samples.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--base", default="main")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=3, help="passes over the corpus per process")
    ap.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # one process's share
    args = ap.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.corpus, args.repeats)))
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from process_ab import base_executable

    pythons = {"base": str(base_executable(args.base).parent / "python"), "current": sys.executable}
    samples: dict[str, list[dict[str, float]]] = {k: [] for k in pythons}
    for r in range(args.rounds):
        for name, python in pythons.items():
            # from a neutral folder, so that the base's python imports its own installed copy
            out = subprocess.run([python, str(Path(__file__).resolve()), args.corpus, "--measure",
                                  "--repeats", str(args.repeats)], check=True, capture_output=True,
                                 text=True, cwd="/").stdout
            samples[name].append(json.loads(out))
            print(f"round {r + 1} {name}: " + ", ".join(f"{k} {v:.1f}" for k, v in samples[name][-1].items()),
                  flush=True)
    print(f"{'µs per document':<16} {'base':>8} {'current':>8}  ratio")
    for stage in STAGES:
        base = statistics.median(s[stage] for s in samples["base"])
        cur = statistics.median(s[stage] for s in samples["current"])
        print(f"{stage:<16} {base:8.1f} {cur:8.1f}  {base / cur:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
