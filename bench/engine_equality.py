"""Same markers, less time: the rules engine of a git revision against the current one.

Both engines run in one process, document by document, interleaved (the base
revision's `provenance` package is loaded under another name from a `git
archive` of that revision, with that revision's own rules/), over the same
`Document`s made by the current extractor:

  (a) the synthetic corpus (default /tmp/speed/bench/corpus-2000, made by bench/corpus.py),
  (b) every document of ../shared/corpus (html/*.html, text/*.txt), with and
      without the original URL of its label (the publisher changes roles),
  (c) the pages of ../shared/extraction-benchmark/html/*.html.gz.

Markers are compared as (rule_id, category, entity, role, start, end, block)
per document; every difference is printed. Times are the engine's alone
(`Engine.run`), per document, the median of `--runs` runs, side by side.

Usage: python bench/engine_equality.py [--base main] [--runs 3] [--corpus PATH] [--shared PATH]
Exit status 1 when any marker differs.
"""

from __future__ import annotations

import argparse
import gzip
import importlib
import importlib.util
import json
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent)
                       if (p / "shared" / "corpus").is_dir()), ROOT.parent / "shared")
DEFAULT_CORPUS = Path("/tmp/speed/bench/corpus-2000")
Key = tuple[str, str, str, str | None, int, int, str]


def checkout(rev: str) -> Path:
    """`provenance/` and `rules/` of `rev`, unpacked once into a cache folder."""
    sha = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    dest = Path(tempfile.gettempdir()) / f"engine-equality-{sha[:12]}"
    if not (dest / "provenance" / "rules.py").is_file():
        dest.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "archive", "--format=tar", sha, "provenance", "rules"],
                                 cwd=ROOT, check=True, capture_output=True).stdout
        with tarfile.open(fileobj=__import__("io").BytesIO(archive)) as tar:
            tar.extractall(dest, filter="data")
    return dest


def load_package(root: Path, name: str) -> tuple[ModuleType, ModuleType]:
    """The `rules` and `packs` modules of the package in `root/provenance`, imported as `name`."""
    init = root / "provenance" / "__init__.py"
    spec = importlib.util.spec_from_file_location(name, init,
                                                  submodule_search_locations=[str(init.parent)])
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return importlib.import_module(f"{name}.rules"), importlib.import_module(f"{name}.packs")


def documents(corpus: Path, shared: Path) -> dict[str, list[tuple[str, Any]]]:
    """Named sets of (name, Document), made once by the current extractor."""
    sys.path.insert(0, str(ROOT))
    from provenance.extract import ExtractError, extract
    from provenance.ingest import read_file
    from provenance.model import Failure, Source

    sets: dict[str, list[tuple[str, Any]]] = {}

    def add(set_name: str, name: str, source: Any) -> None:
        if isinstance(source, Failure):
            return
        try:
            sets.setdefault(set_name, []).append((name, extract(source)))
        except ExtractError:
            pass

    if corpus.is_dir():
        for path in sorted(corpus.rglob("*.txt")):
            add("corpus", str(path.relative_to(corpus)), read_file(path, str(path)))
    labels_file = shared / "corpus" / "labels.jsonl"
    if labels_file.is_file():
        sys.path.insert(0, str(ROOT / "bench"))
        from evaluate import original_url

        labels = [json.loads(line) for line in labels_file.read_text(encoding="utf-8").splitlines()
                  if line.strip()]
        for label in labels:
            source = read_file(shared / "corpus" / label["doc"], label["doc"])
            add("shared", label["doc"], source)
            if not isinstance(source, Failure):
                add("shared+url", label["doc"], replace(source, url=original_url(label)))
    for path in sorted((shared / "extraction-benchmark" / "html").glob("*.html.gz")):
        add("html-bench", path.name, Source(origin=path.name, data=gzip.decompress(path.read_bytes()),
                                            kind="html"))
    return sets


def keys(markers: list[Any]) -> list[Key]:
    return sorted((m.rule_id, m.category, m.entity, m.role, m.start, m.end, m.block) for m in markers)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="main", help="git revision to compare against")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--show", type=int, default=20, help="differences printed per set")
    args = ap.parse_args(argv)

    base_root = checkout(args.base)
    base_rules, base_packs = load_package(base_root, "provenance_base")
    cur_rules, cur_packs = load_package(ROOT, "provenance_current")
    base = base_rules.Engine(base_packs.load([base_root / "rules"], builtin=False))
    cur = cur_rules.Engine(cur_packs.load([ROOT / "rules"], builtin=False))
    sets = documents(args.corpus, args.shared)

    differing = 0
    print(f"base {args.base} ({base_root.name}) vs current ({ROOT}); engine ms/doc, median of {args.runs} runs")
    print(f"{'set':<12}{'docs':>6}{'markers':>9}{'diff docs':>11}{'base ms':>10}{'current ms':>12}{'ratio':>8}")
    for set_name, docs in sets.items():
        times: dict[str, list[float]] = {"base": [], "current": []}
        out: dict[str, list[list[Key]]] = {"base": [], "current": []}
        for run in range(args.runs):
            spent = {"base": 0.0, "current": 0.0}
            results: dict[str, list[list[Key]]] = {"base": [], "current": []}
            order = [("base", base), ("current", cur)]
            if run % 2:
                order.reverse()
            for _name, doc in docs:
                for label, engine in order:
                    t0 = time.perf_counter()
                    markers = engine.run(doc)
                    spent[label] += time.perf_counter() - t0
                    results[label].append(keys(markers) + [("overrun", o, "", None, 0, 0, "")
                                                          for o in engine.overruns])
            for label in spent:
                times[label].append(spent[label] * 1000 / max(1, len(docs)))
            out = results
        diff_docs = [(name, b, c) for (name, _), b, c in zip(docs, out["base"], out["current"], strict=True)
                     if b != c]
        differing += len(diff_docs)
        b_ms, c_ms = statistics.median(times["base"]), statistics.median(times["current"])
        n_markers = sum(len(c) for c in out["current"])
        print(f"{set_name:<12}{len(docs):>6}{n_markers:>9}{len(diff_docs):>11}{b_ms:>10.3f}{c_ms:>12.3f}"
              f"{b_ms / c_ms if c_ms else 0:>7.2f}x")
        for name, b, c in diff_docs[:args.show]:
            bs, cs = set(b), set(c)
            for k in sorted(bs - cs):
                print(f"    {name}: only base:    {k}")
            for k in sorted(cs - bs):
                print(f"    {name}: only current: {k}")
            if bs == cs:
                print(f"    {name}: same markers, different multiplicity")
    print("IDENTICAL markers in every document" if not differing else f"{differing} documents differ")
    return 1 if differing else 0


if __name__ == "__main__":
    raise SystemExit(main())
