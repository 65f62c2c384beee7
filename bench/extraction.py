"""Body F1 and speed of HTML extraction on the article-extraction benchmark.

Side by side in one process, several interleaved runs, medians:
  - trafilatura alone: `extract(html, fast=True, include_comments=False)`, the
    benchmark's reference;
  - provenance extraction alone (`extract_html`: body + chrome + metadata);
  - the whole audit: extraction, rules, verdict and writing to SQLite.

Usage: python bench/extraction.py [--bench ../shared/extraction-benchmark] [--runs 5]
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

    def run_trafilatura() -> list[str]:
        return [trafilatura.extract(data, fast=True, include_comments=False) or ""
                for _, data in pages]

    def run_extract() -> list[str]:
        return [extract_html(s).body for s in sources]

    def run_audit() -> int:
        with tempfile.TemporaryDirectory() as tmp:
            db = store.connect(Path(tmp) / "bench.db")
            writer = store.Writer(db, ruleset, __version__, {})
            for s in sources:
                writer.add(auditor.audit_source(s))
            writer.close()
            n = writer.documents
            db.conn.close()
        return n

    times: dict[str, list[float]] = {"trafilatura": [], "extract": [], "audit": []}
    outputs: dict[str, list[str]] = {}
    audited = 0
    for i in range(args.runs):
        for name, fn in (("trafilatura", run_trafilatura), ("extract", run_extract),
                         ("audit", run_audit)):
            t0 = time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t0)
            if i == 0 and name != "audit":
                outputs[name] = out  # type: ignore[assignment]
            elif name == "audit":
                audited = out  # type: ignore[assignment]
        print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1]:.2f}s" for k, v in times.items()),
              file=sys.stderr)

    med = {k: statistics.median(v) for k, v in times.items()}
    n = len(pages)
    gold = [truth[k]["articleBody"] for k, _ in pages]
    result = {
        "pages": n,
        "runs": args.runs,
        "documents_audited": audited,
        "f1": {"trafilatura": prf(list(zip(outputs["trafilatura"], gold, strict=True))),
               "provenance_body": prf(list(zip(outputs["extract"], gold, strict=True)))},
        "median_seconds": {k: round(v, 3) for k, v in med.items()},
        "pages_per_second": {k: round(n / v, 1) for k, v in med.items()},
        "ratio_to_trafilatura": {k: round(v / med["trafilatura"], 2) for k, v in med.items()},
        "all_seconds": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "trafilatura_version": trafilatura.__version__ if hasattr(trafilatura, "__version__") else None,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: result[k] for k in ("f1", "pages_per_second", "ratio_to_trafilatura")},
                     indent=2))


if __name__ == "__main__":
    main()
