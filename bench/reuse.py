"""Reuse detection at scale: synthetic corpora with planted copies, recall and time.

    python bench/reuse.py 10000 30000 100000 [--minhash 10000] [--out bench/reuse-results.md]

For each size: an in-memory corpus (bench/synth.py: ~2 % press releases, each
copied once whole, in part, lightly edited, or with its disclaimer), then
`provenance.reuse.analyze` (shingle index + exact verification). Recall is the
share of planted (copy, press release) pairs found. With --minhash, the same
corpus also goes through datasketch MinHash-LSH for comparison (candidates only).
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import synth  # noqa: E402

from provenance import reuse  # noqa: E402


def items_of(docs: dict[str, str]) -> list[reuse.Item]:
    items = []
    for name, text in docs.items():
        credits = frozenset({("syndication", "seaprwire")}) if "(SeaPRwire)" in text else frozenset()
        at = text.find("Wir verwenden Cookies")  # what the cookie-consent rule would mark
        chrome = ((at, at + 21),) if at >= 0 else ()
        items.append(reuse.Item(id=name, kind="document", origin=name, text=text,
                                credits=credits, chrome=chrome))
    return items


def recall(found: set[frozenset[str]], planted: list[synth.Planted]) -> tuple[float, dict[str, float]]:
    by_kind: dict[str, list[bool]] = {}
    for p in planted:
        by_kind.setdefault(p.kind, []).append(frozenset((p.copy, p.source)) in found)
    hits = [h for v in by_kind.values() for h in v]
    return sum(hits) / len(hits), {k: sum(v) / len(v) for k, v in sorted(by_kind.items())}


def run_index(n: int, seed: int) -> dict[str, object]:
    t0 = time.perf_counter()
    docs, planted = synth.corpus(n, seed=seed)
    items = items_of(docs)
    t1, c1 = time.perf_counter(), time.process_time()
    analysis = reuse.analyze(items)
    t2, c2 = time.perf_counter(), time.process_time()
    found = {frozenset((items[p.a].id, items[p.b].id)) for p in analysis.pairs}
    total, kinds = recall(found, planted)
    true_pairs = {frozenset((p.copy, p.source)) for p in planted}
    siblings = {frozenset((p.copy, q.copy)) for p in planted for q in planted
                if p.source == q.source and p.copy != q.copy}
    extra = len(found - true_pairs - siblings)
    sibling_found = len(found & siblings)
    words = sum(len(t.split()) for t in docs.values())
    return {"n": n, "words": words, "planted": len(planted), "generate_s": t1 - t0,
            "analyze_s": t2 - t1, "cpu_s": c2 - c1, "siblings": sibling_found, "candidates": analysis.candidates, "pairs": len(analysis.pairs),
            "other_pairs": extra, "recall": total, "by_kind": kinds,
            "clusters": len(analysis.clusters)}


def run_minhash(n: int, seed: int, threshold: float = 0.2, num_perm: int = 128) -> dict[str, object]:
    from datasketch import MinHash, MinHashLSH

    docs, planted = synth.corpus(n, seed=seed)
    items = items_of(docs)
    corpus = reuse.Corpus(items)
    t0, c0 = time.perf_counter(), time.process_time()
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sigs = []
    for i in range(len(items)):
        m = MinHash(num_perm=num_perm)
        keys = set(corpus.shingles(corpus.tokens(i).norm))
        m.update_batch([k.to_bytes(8, "little", signed=True) for k in keys])
        lsh.insert(str(i), m)
        sigs.append(m)
    found = set()
    for i, m in enumerate(sigs):
        for j in lsh.query(m):
            if int(j) != i:
                found.add(frozenset((items[i].id, items[int(j)].id)))
    t1, c1 = time.perf_counter(), time.process_time()
    total, kinds = recall(found, planted)
    return {"n": n, "minhash_s": t1 - t0, "cpu_s": c1 - c0, "candidates": len(found), "recall": total, "by_kind": kinds}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="+", type=int)
    ap.add_argument("--minhash", type=int, nargs="*", default=[])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "reuse.md")
    args = ap.parse_args()
    lines = ["# bench/reuse.py", "", f"`python bench/reuse.py {' '.join(sys.argv[1:])}` on "
             f"{platform.machine()}, Python {platform.python_version()} (shared 2-core machine).", "",
             "| documents | words | planted copies | analyze s (wall) | CPU s | candidates | verified pairs | "
             "recall | recall by kind | copy-copy pairs | stray pairs |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for n in args.sizes:
        r = run_index(n, args.seed)
        kinds = ", ".join(f"{k} {v:.2f}" for k, v in r["by_kind"].items())
        lines.append(f"| {n:,} | {r['words']:,} | {r['planted']} | {r['analyze_s']:.1f} | {r['cpu_s']:.1f} | "
                     f"{r['candidates']:,} | {r['pairs']:,} | {r['recall']:.3f} | {kinds} | "
                     f"{r['siblings']} | {r['other_pairs']} |")
        print(lines[-1], flush=True)
    if args.minhash:
        lines += ["", "MinHash-LSH (datasketch, 128 permutations, threshold 0.2) on the same corpora, "
                  "candidates only (no verification):", "",
                  "| documents | MinHash-LSH s (wall) | CPU s | candidates | candidate recall | by kind |",
                  "|---|---|---|---|---|---|"]
        for n in args.minhash:
            r = run_minhash(n, args.seed)
            kinds = ", ".join(f"{k} {v:.2f}" for k, v in r["by_kind"].items())
            lines.append(f"| {n:,} | {r['minhash_s']:.1f} | {r['cpu_s']:.1f} | {r['candidates']:,} | {r['recall']:.3f} | {kinds} |")
            print(lines[-1], flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += ["", f"Peak memory of the process: {peak:.0f} MB.", ""]
    args.out.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
