"""Does `provenance.langid` give py3langid's answers, to the bit? And how much faster is it?

Compares `provenance.langid`'s identifier (the model mapped from the start-up
cache, scored with the float32 copy of the feature table) with py3langid's own
`classify` (language AND score, exact float equality) on:
  - the generated corpus (default /tmp/provenance-bench/corpus-2000; make it with
    `python bench/corpus.py`), each article's text as the audit extracts it;
  - every document of ../shared/corpus (text and HTML, extracted);
  - the 157 pages of ../shared/extraction-benchmark: the cleaned bodies of its
    ground truth and the bodies the audit extracts;
each at the 400-character sample `extract.detect_lang` classifies and at full
length; and `--random` strings mixing scripts (Latin, accents, combining marks,
Cyrillic, Greek, CJK, Arabic, Hebrew, Devanagari, emoji, control characters, lone
surrogates, digits and punctuation, some all upper case, some empty).

Then `--runs` interleaved rounds time `classify` per document on the 400-character
samples of the generated articles and of the extracted benchmark pages, three
ways in one process: "old" (main's identifier: the mapped float16 table),
"new" (this module's), and py3langid's own in-memory model. Medians and ratios.

Usage: python bench/langid_equality.py [--corpus PATH] [--shared PATH] [--random 20000] [--runs 5]
Exit status 1 when any answer differs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_CORPUS = Path("/tmp/provenance-bench/corpus-2000")
DEFAULT_SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent)
                       if (p / "shared" / "corpus").is_dir()), ROOT.parent / "shared")
SAMPLE = 400  # extract.LANG_SAMPLE, checked in main()

# (first, last) code points of each script the random strings draw from
RANGES = {
    "ascii": [(0x20, 0x7E)], "latin": [(0xC0, 0x24F), (0x1E00, 0x1EFF)], "combining": [(0x300, 0x36F)],
    "cyrillic": [(0x400, 0x4FF)], "greek": [(0x370, 0x3FF)], "cjk": [(0x4E00, 0x9FFF), (0x3040, 0x30FF)],
    "arabic": [(0x600, 0x6FF)], "hebrew": [(0x590, 0x5FF)], "devanagari": [(0x900, 0x97F)],
    "emoji": [(0x1F300, 0x1F64F), (0x1F900, 0x1F9FF), (0x200D, 0x200D), (0xFE0F, 0xFE0F)],
    "control": [(0x0, 0x1F), (0x7F, 0x9F)], "surrogate": [(0xD800, 0xDFFF)],
}


def random_texts(n: int, seed: int = 7) -> list[str]:
    """Strings mixing 1-4 scripts, words of 1-12 characters, 0-700 characters long."""
    rng = random.Random(seed)
    names = list(RANGES)
    out = ["", " ", "\n", "ALL UPPER CASE TEXT", "\udc80", "\U0001F600" * 3]
    while len(out) < n:
        scripts = rng.sample(names, rng.randint(1, 4))
        length = rng.choice((0, 1, 2, 5, 20, 80, 200, 400, 700))
        chars: list[str] = []
        while len(chars) < length:
            lo, hi = rng.choice(RANGES[rng.choice(scripts)])
            chars.extend(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 12)))
            chars.append(rng.choice(" \n.,"))
        text = "".join(chars[:length])
        out.append(text.upper() if rng.random() < 0.1 else text)
    return out


def document_sets(corpus: Path, shared: Path) -> dict[str, list[str]]:
    """Texts as the audit sees them, by set."""
    from provenance.extract import ExtractError, extract
    from provenance.ingest import read_file
    from provenance.model import Failure, Source

    sets: dict[str, list[str]] = {}

    def add(name: str, source: Any) -> None:
        if isinstance(source, Failure):
            return
        try:
            doc = extract(source)
        except ExtractError:
            return
        sets.setdefault(name, []).append(doc.body or doc.text)

    if corpus.is_dir():
        for path in sorted(corpus.rglob("*.txt")):
            add("generated", read_file(path, str(path)))
    labels = shared / "corpus" / "labels.jsonl"
    if labels.is_file():
        for line in labels.read_text(encoding="utf-8").splitlines():
            if line.strip():
                doc = json.loads(line)["doc"]
                add("shared-corpus", read_file(shared / "corpus" / doc, doc))
    bench = shared / "extraction-benchmark"
    if (bench / "ground-truth.json").is_file():
        truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
        sets["bench-truth"] = [v["articleBody"] for _, v in sorted(truth.items())]
    for path in sorted((bench / "html").glob("*.html.gz")):
        add("bench-extracted", Source(origin=path.name, data=gzip.decompress(path.read_bytes()), kind="html"))
    return sets


def compare(mine: Any, library: Any, texts: list[str]) -> tuple[int, int, int, float]:
    """(compared, languages differing, scores differing, max abs score difference)."""
    lang_diff = score_diff = 0
    worst = 0.0
    for text in texts:
        (a, x), (b, y) = mine.classify(text), library.classify(text)
        lang_diff += a != b
        if x != y:
            score_diff += 1
            worst = max(worst, abs(x - y))
    return len(texts), lang_diff, score_diff, worst


def timing(identifiers: dict[str, Any], samples: dict[str, list[str]], runs: int) -> dict[str, dict[str, float]]:
    """Median µs of CPU (this process) per classify, per sample set and identifier; rounds
    interleaved. CPU time, not wall time: other processes on a busy machine inflate the latter."""
    seen: dict[tuple[str, str], list[float]] = {}
    for _ in range(runs):
        for set_name, texts in samples.items():
            for name, ident in identifiers.items():
                start = time.process_time()
                for text in texts:
                    ident.classify(text)
                seen.setdefault((set_name, name), []).append((time.process_time() - start) / len(texts) * 1e6)
    return {s: {n: statistics.median(seen[s, n]) for n in identifiers} for s in samples}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--random", type=int, default=20000, help="number of random strings")
    ap.add_argument("--runs", type=int, default=5, help="timing rounds (0: none)")
    args = ap.parse_args(argv)

    import numpy as np
    from py3langid import langid as library

    from provenance import extract, langid

    assert extract.LANG_SAMPLE == SAMPLE
    langid.classify("warm up: build or map the cache")
    mine = langid._IDENTIFIER
    reference = library.LanguageIdentifier.from_model_file(library.MODEL_FILE)
    folder = langid._cache_folder()
    print(f"cache {folder}; table {mine.nb_ptc.dtype} (py3langid's: {reference.nb_ptc.dtype})")

    sets = document_sets(args.corpus, args.shared)
    failed = False
    total = [0, 0, 0]
    worst = 0.0
    cases = [(f"{name} {label}", [t[:cut] if cut else t for t in texts])
             for name, texts in sets.items() for label, cut in ((f"[:{SAMPLE}]", SAMPLE), ("full", None))]
    cases.append((f"random x{args.random}", random_texts(args.random)))
    for name, texts in cases:
        n, langs, scores, diff = compare(mine, reference, texts)
        print(f"{name:28s} compared {n:6d}  languages differing {langs}  scores differing {scores}"
              + (f" (max abs {diff:g})" if scores else ""))
        total = [total[0] + n, total[1] + langs, total[2] + scores]
        worst = max(worst, diff)
        failed |= bool(langs or scores)
    print(f"{'total':28s} compared {total[0]:6d}  languages differing {total[1]}  scores differing {total[2]}"
          + (f" (max abs {worst:g})" if total[2] else ""))

    if args.runs > 0:
        arrays = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                  for name in langid._ARRAYS}
        identifiers = {"old": langid._identifier(arrays, arrays["ptc"]), "new": mine, "py3langid": reference}
        samples = {name: [t[:SAMPLE] for t in sets[name]] for name in ("generated", "bench-extracted")
                   if sets.get(name)}
        result = timing(identifiers, samples, args.runs)
        print(f"\nclassify, µs per document, medians of {args.runs} interleaved rounds:")
        for set_name, row in result.items():
            print(f"  {set_name:16s} ({len(samples[set_name])} samples): "
                  + ", ".join(f"{k} {v:.1f}" for k, v in row.items())
                  + f"; old/new {row['old'] / row['new']:.2f}x, py3langid/new {row['py3langid'] / row['new']:.2f}x")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
