"""Body F1 and speed of HTML extraction on the article-extraction benchmark.

Side by side in one process, several runs, medians:
  - trafilatura alone: `extract(html, fast=True, include_comments=False)`, the
    benchmark's reference;
  - provenance extraction alone (`extract_html`: body + chrome + metadata);
  - the whole audit: extraction, rules, verdict and writing to SQLite (opening
    the database and closing the run included).

By default each run times the three in turn over all pages (trafilatura on
every page, then extraction, then the audit). `--interleave page` times them
page by page instead (trafilatura, extraction and audit of page 1, then page
2 ...), so that the load of a shared machine, which changes over seconds,
weighs on the three alike; it also leaves each one's caches colder, which
favours neither side consistently, so its figures are not comparable with the
default's. Wall-clock time is the figure; the process's CPU time is reported
beside it (it ignores other processes, but also the audit's waits for disk).

Usage: python bench/extraction.py [--bench ../shared/extraction-benchmark] [--runs 5]
                                 [--interleave run|page]
Writes bench/results/extraction.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = next((p / "shared" / "extraction-benchmark" for p in (ROOT.parent, ROOT.parent.parent)
                      if (p / "shared" / "extraction-benchmark").is_dir()),
                     ROOT.parent / "shared" / "extraction-benchmark")
_TOKEN = re.compile(r"\w+")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall(text.lower())
    return Counter(tuple(tokens[i:i + n]) for i in range(max(0, len(tokens) - n + 1)))


def prf(pairs: list[tuple[str, str]]) -> dict[str, float]:
    """The benchmark's metric: per-page shingle precision/recall, averaged, then F1."""
    ps, rs = [], []
    for extracted, truth in pairs:
        got, want = shingles(extracted), shingles(truth)
        shared = sum((got & want).values())
        n_got, n_want = sum(got.values()), sum(want.values())
        ps.append(shared / n_got if n_got else (1.0 if not n_want else 0.0))
        rs.append(shared / n_want if n_want else 1.0)
    p, r = statistics.mean(ps), statistics.mean(rs)
    return {"precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r) if p + r else 0.0, 4)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--interleave", choices=("run", "page"), default="run")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "extraction.json")
    args = ap.parse_args()

    import trafilatura

    from provenance import __version__, packs, store
    from provenance.audit import Auditor
    from provenance.extract_html import extract_html
    from provenance.model import Source

    truth = json.loads((args.bench / "ground-truth.json").read_text())
    pages = []
    for path in sorted((args.bench / "html").glob("*.html.gz")):
        key = path.name.split(".")[0]
        pages.append((key, gzip.decompress(path.read_bytes())))
    sources = [Source(origin=f"{k}.html", data=data, kind="html") for k, data in pages]
    ruleset = packs.load()
    auditor = Auditor(ruleset)

    names = ("trafilatura", "extract", "audit")
    times: dict[str, list[float]] = {k: [] for k in names}
    cpu: dict[str, list[float]] = {k: [] for k in names}
    outputs: dict[str, list[str]] = {"trafilatura": [], "extract": []}
    audited = 0
    clock, cpu_clock = time.perf_counter, time.process_time

    def timed(name: str, fn: Any, *args: Any) -> Any:
        t0, c0 = clock(), cpu_clock()
        out = fn(*args)
        wall[name] += clock() - t0
        used[name] += cpu_clock() - c0
        return out

    def run_trafilatura(data: bytes) -> str:
        return trafilatura.extract(data, fast=True, include_comments=False) or ""

    def run_extract(source: Source) -> str:
        return extract_html(source).body

    def run_audit(writer: Any, source: Source) -> None:
        writer.add(auditor.audit_source(source))

    for i in range(args.runs):
        wall = dict.fromkeys(names, 0.0)
        used = dict.fromkeys(names, 0.0)
        with tempfile.TemporaryDirectory() as tmp:
            if args.interleave == "run":
                texts = [timed("trafilatura", run_trafilatura, data) for _, data in pages]
                bodies = [timed("extract", run_extract, source) for source in sources]
            db = timed("audit", store.connect, Path(tmp) / "bench.db")
            writer = timed("audit", store.Writer, db, ruleset, __version__, {})
            if args.interleave == "run":
                for source in sources:
                    timed("audit", run_audit, writer, source)
            else:
                texts, bodies = [], []
                for (_, data), source in zip(pages, sources, strict=True):
                    texts.append(timed("trafilatura", run_trafilatura, data))
                    bodies.append(timed("extract", run_extract, source))
                    timed("audit", run_audit, writer, source)
            timed("audit", writer.close)
            audited = writer.documents
            db.conn.close()
        if i == 0:
            outputs["trafilatura"], outputs["extract"] = texts, bodies
        for k in names:
            times[k].append(wall[k])
            cpu[k].append(used[k])
        print(f"run {i + 1}: " + ", ".join(f"{k} {times[k][-1]:.2f}s (cpu {cpu[k][-1]:.2f}s)"
                                           for k in names), file=sys.stderr)

    med = {k: statistics.median(v) for k, v in times.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpu.items()}
    n = len(pages)
    gold = [truth[k]["articleBody"] for k, _ in pages]
    result = {
        "pages": n,
        "runs": args.runs,
        "interleave": args.interleave,
        "documents_audited": audited,
        "f1": {"trafilatura": prf(list(zip(outputs["trafilatura"], gold, strict=True))),
               "provenance_body": prf(list(zip(outputs["extract"], gold, strict=True)))},
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "pages_per_second": {k: round(n / v, 1) for k, v in med.items()},
        "ratio_to_trafilatura": {k: round(v / med["trafilatura"], 2) for k, v in med.items()},
        "all_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "median_cpu_seconds": {k: round(v, 3) for k, v in med_cpu.items()},
        "ratio_to_trafilatura_cpu": {k: round(v / med_cpu["trafilatura"], 2) for k, v in med_cpu.items()},
        "trafilatura_version": trafilatura.__version__ if hasattr(trafilatura, "__version__") else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("f1", "pages_per_second", "ratio_to_trafilatura",
                                             "ratio_to_trafilatura_cpu")},
                     indent=2))


if __name__ == "__main__":
    main()
