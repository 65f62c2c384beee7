"""Which rules cost most: the rules engine's time per document, attributed to each
pattern and credit rule and to the engine's stages.

The shipped engine is not touched: a subclass made here wraps its methods with
`time.perf_counter` (the wrapping costs a few tenths of a microsecond a call, so the
figures are a little above the plain engine's). Attributed are:

  rule <id>           a pattern or credit rule's regex scans (`_scan`, windows,
                      anchored tries and regions included) and, for credit rules,
                      turning the matches into markers (`_credit_markers`);
                      "chars" is how many characters its scans covered per document
  stage scan_lower    the automaton pass over the lower-case view (phrases, literals)
  stage candidates    which pattern rules may match, their windows
  stage lines         block and repeat rules, line by line (`_lines`)
  stage outlets       outlet roles (`_outlets`), of which:
  stage  outlets.role   the cue checks (`_role`, `_clause` included)
  stage other         the rest of `Engine.run` (text view, case automaton, markers, dedupe)

With --base REV the engine of that git revision (loaded as bench/engine_equality.py
does) runs interleaved with the current one over the same documents, and the
table shows both, so a rule's cost can be compared before and after a change.

Usage: python bench/rule_cost.py [--set corpus|shared|shared+url|html-bench] [--corpus PATH]
                                 [--runs 3] [--top 20] [--base REV]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from engine_equality import DEFAULT_SHARED, checkout, documents, load_package  # noqa: E402

DEFAULT_CORPUS = Path("/tmp/provenance-bench/corpus-2000")


def instrument(engine_cls: type) -> type:
    """A subclass of `engine_cls` that adds the seconds spent per rule and per stage to
    `self.cost` and the characters scanned per rule to `self.chars`."""

    class Timed(engine_cls):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.cost: dict[str, float] = defaultdict(float)
            self.chars: dict[str, int] = defaultdict(int)

        def _timed(self, key: str, fn: Callable[..., Any], *args: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return fn(*args)
            finally:
                self.cost[key] += time.perf_counter() - t0

        def run(self, doc: Any, dedupe: bool = True) -> Any:
            t0 = time.perf_counter()
            before = self._inner()
            out = super().run(doc, dedupe)
            spent = time.perf_counter() - t0
            inner = self._inner() - before
            self.cost["stage other"] += spent - inner
            self.cost["total"] += spent
            return out

        def _inner(self) -> float:
            """Seconds attributed so far to rules and top-level stages."""
            return sum(v for k, v in self.cost.items()
                       if k not in ("total", "stage other") and not k.startswith("stage  "))

        def _scan_lower(self, *args: Any) -> Any:
            return self._timed("stage scan_lower", super()._scan_lower, *args)

        def _candidates(self, *args: Any) -> Any:
            return self._timed("stage candidates", super()._candidates, *args)

        def _lines(self, *args: Any) -> Any:
            return self._timed("stage lines", lambda *a: list(super(Timed, self)._lines(*a)), *args)

        def _outlets(self, *args: Any) -> Any:
            return self._timed("stage outlets", super()._outlets, *args)

        def _role(self, *args: Any, **kwargs: Any) -> Any:
            # a sub-stage of outlets ("stage  " keeps it out of the sum)
            t0 = time.perf_counter()
            try:
                return super()._role(*args, **kwargs)
            finally:
                self.cost["stage  outlets.role"] += time.perf_counter() - t0

        def _scan(self, pattern: Any, view: Any, doc: Any, ridx: int,
                  windows: list[tuple[int, int]] | None = None) -> Any:
            rule_id = self.rules[ridx].id
            t0 = time.perf_counter()
            try:
                return super()._scan(pattern, view, doc, ridx, windows)
            finally:
                self.cost[f"rule {rule_id}"] += time.perf_counter() - t0
                self.chars[rule_id] += self._scanned(view, doc, ridx, windows)

        def _scanned(self, view: Any, doc: Any, ridx: int, windows: list[tuple[int, int]] | None) -> int:
            """Characters the regex covers, worked out as `_scan` does (anchored rules:
            counted as their tries)."""
            if ridx in self.anchored and windows is not None:
                return len(windows)
            rule_id = self.rules[ridx].id
            regions = self.regions.get(rule_id)
            spans = None
            if regions and "body" not in regions and (view.identity or hasattr(view, "view_span")):
                spans = [(b.start, b.end) for b in doc.blocks if b.kind in regions]
                if rule_id in self.windows:
                    spans = self._near_body_spans(doc, spans, self.windows[rule_id])
                if not view.identity:
                    spans = [view.view_span(s, e) for s, e in spans]
            if windows is not None:
                spans = windows if spans is None else [(max(s, ws), min(e, we)) for s, e in spans
                                                       for ws, we in windows if ws < e and s < we]
            return len(view.folded) if spans is None else sum(e - s for s, e in spans)

        def _credit_markers(self, doc: Any, view: Any, ridx: int, *args: Any) -> Any:
            key = f"rule {self.rules[ridx].id}"
            return self._timed(key, lambda *a: list(super(Timed, self)._credit_markers(*a)),
                               doc, view, ridx, *args)

    return Timed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", default="corpus", choices=["corpus", "shared", "shared+url", "html-bench"],
                    help="which documents: the generated corpus, ../shared/corpus (with original URLs), "
                         "or the extraction-benchmark pages")
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--base", default=None, help="git revision to time side by side with the current code")
    args = ap.parse_args(argv)

    engines: dict[str, Any] = {}
    if args.base:
        base_root = checkout(args.base)
        rules_mod, packs_mod = load_package(base_root, "provenance_base")
        engines["base"] = instrument(rules_mod.Engine)(packs_mod.load([base_root / "rules"], builtin=False))
    rules_mod, packs_mod = load_package(ROOT, "provenance_current")
    engines["current"] = instrument(rules_mod.Engine)(packs_mod.load([ROOT / "rules"], builtin=False))

    corpus = args.corpus if args.set == "corpus" else Path("/nonexistent")
    docs = documents(corpus, args.shared).get(args.set, [])
    if not docs:
        print(f"no documents in set {args.set}", file=sys.stderr)
        return 2
    labels = list(engines)
    runs: dict[str, list[dict[str, float]]] = {label: [] for label in labels}
    chars: dict[str, dict[str, int]] = {}
    for run in range(args.runs):
        for engine in engines.values():
            engine.cost.clear()
            engine.chars.clear()
        order = labels if run % 2 == 0 else labels[::-1]
        for _name, doc in docs:
            for label in order:
                engines[label].run(doc)
        for label in labels:
            runs[label].append({k: v * 1000 / len(docs) for k, v in engines[label].cost.items()})
            chars[label] = {k: v // len(docs) for k, v in engines[label].chars.items()}

    def median(label: str, key: str) -> float:
        return statistics.median(r.get(key, 0.0) for r in runs[label])

    keys = sorted({k for label in labels for r in runs[label] for k in r if k != "total"},
                  key=lambda k: -median("current", k))
    print(f"{len(docs)} documents ({args.set}); ms per document, median of {args.runs} runs"
          + (f"; base {args.base} interleaved" if args.base else ""))
    head = f"{'':<48}" + "".join(f"{label + ' ms':>12}{'chars':>8}" for label in labels)
    print(head + (f"{'ratio':>8}" if args.base else ""))
    for label in ("total",):
        print(f"{'engine total':<48}" + "".join(f"{median(lb, label):>12.4f}{'':>8}" for lb in labels)
              + (f"{median('base', 'total') / median('current', 'total'):>7.2f}x" if args.base else ""))
    shown = [k for k in keys if k.startswith("stage")] + [k for k in keys if k.startswith("rule")][:args.top]
    for key in shown:
        rid = key[5:]
        row = f"{key:<48}" + "".join(
            f"{median(lb, key):>12.4f}{(chars[lb].get(rid, '') if key.startswith('rule') else ''):>8}"
            for lb in labels)
        if args.base:
            cur = median("current", key)
            row += f"{median('base', key) / cur:>7.2f}x" if cur else f"{'':>8}"
        print(row)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
