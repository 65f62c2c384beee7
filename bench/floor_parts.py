"""How far the audit is from the floor, and how much of that the rules engine is.

The speed issue's target compares the audit with `bench/floor.py` (read the files,
one automaton, insert the matches). This runs, as whole processes interleaved round
after round, the floor, the audit as shipped, and the same audit with the rules
engine replaced by one that finds nothing (everything else as shipped: reading,
decoding, language id, the verdict, the contract's rows and full-text index), and
prints medians of CPU (user + system, children included) and wall time with the
ratios to the floor. The engine-less audit is what no set of rules can go below.

    python bench/floor_parts.py CORPUS [--rounds 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from process_ab import timed  # noqa: E402 - the sibling script, on the path just above

NO_ENGINE = """
import sys
from provenance import rules
def run(self, doc, dedupe=True):
    self.overruns = []
    return []
rules.Engine.run = run
from provenance.cli import main
sys.argv = ["provenance", *sys.argv[1:]]
main()
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=2)
    args = ap.parse_args(argv)
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "audit.db"
        audit = ["audit", args.corpus, "--db", str(db), "-q", "--no-reuse", "--jobs", str(args.jobs)]
        cases = {
            "floor": [py, str(HERE / "floor.py"), args.corpus, str(db)],
            "audit": [py, "-m", "provenance", *audit],
            "audit without engine": [py, "-c", NO_ENGINE, *audit],
        }
        samples: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for r in range(args.rounds):
            for name, cmd in cases.items():
                cpu, wall = timed(cmd, db)
                samples[name].append((cpu, wall))
                print(f"round {r + 1} {name}: cpu {cpu:.2f} s, wall {wall:.2f} s", flush=True)
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
           for k, v in samples.items()}
    fc, fw = med["floor"]
    print(f"\nmedians of {args.rounds} rounds, --jobs {args.jobs}; ratios to the floor")
    for name, (cpu, wall) in med.items():
        print(f"{name:22s} cpu {cpu:7.2f} s ({cpu / fc:5.1f}x)   wall {wall:7.2f} s ({wall / fw:5.1f}x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
