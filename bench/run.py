"""The speed benchmark: one command, figures in bench/results/speed.json.

    python bench/run.py                   # full: 2,000 and 20,000 docs, 5,000 extra rules, 3 runs
    python bench/run.py --quick           # smoke test: 200 and 2,000 docs, 1 run

Every measurement is a whole process (start-up included), timed by wall
clock and by CPU time (`os.wait4`, so worker processes count), with its
peak resident memory. The cases run interleaved, round after round, and the
report gives medians, so that load from other processes on a shared machine
hits all cases alike; ratios are taken between medians of the same round
structure. Inputs are generated (bench/corpus.py) into --work and reused.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.corpus import write_corpus, write_rules  # noqa: E402

TIME = Path("/usr/bin/time")


def measure(cmd: list[str], log: Path) -> dict[str, float]:
    """Run `cmd` to completion; wall seconds, CPU seconds (with children), peak MB.

    The peak comes from /usr/bin/time when present: a child forked from this
    (large) Python process would otherwise count this process's pages as its own.
    """
    peak_file = log.with_suffix(".peak")
    wrapped = [str(TIME), "-f", "%M", "-o", str(peak_file), *cmd] if TIME.exists() else cmd
    with log.open("wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(wrapped, stdout=subprocess.DEVNULL, stderr=err, cwd=ROOT)
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # interrupted: do not leave the measured process running
            proc.kill()
            proc.wait()
            raise
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{log.read_text()[-2000:]}")
    peak_kb = float(peak_file.read_text().split()[-1]) if TIME.exists() else usage.ru_maxrss
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "peak_mb": peak_kb / 1024}


def corpus(work: Path, n: int) -> Path:
    out = work / f"corpus-{n}"
    done = out / ".complete"
    if not done.exists():
        write_corpus(out, n)
        done.write_text("ok")
    return out


def html_pages(work: Path, source: Path | None) -> Path | None:
    """The extraction benchmark's pages, unpacked (the audit reads .html, not .html.gz)."""
    if source is None or not (source / "html").is_dir():
        return None
    out = work / "html"
    out.mkdir(parents=True, exist_ok=True)
    for gz in sorted((source / "html").glob("*.html.gz")):
        target = out / gz.name[:-3]
        if not target.exists():
            target.write_bytes(gzip.decompress(gz.read_bytes()))
    return out


def find_shared() -> Path | None:
    for cand in (ROOT.parent / "shared", ROOT.parent.parent / "shared", Path("/work/shared")):
        if (cand / "extraction-benchmark").is_dir():
            return cand / "extraction-benchmark"
    return None


def main() -> None:
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="200 and 2,000 docs, one run")
    ap.add_argument("--small", type=int, default=2000)
    ap.add_argument("--large", type=int, default=20000)
    ap.add_argument("--extra-rules", type=int, default=5000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--help-runs", type=int, default=10)
    ap.add_argument("--work", type=Path, default=Path("/tmp/provenance-bench"))
    ap.add_argument("--html", type=Path, default=None, help="extraction-benchmark folder")
    ap.add_argument("--no-html", action="store_true")
    ap.add_argument("--cases", default="", help="comma-separated case names to run (default: all)")
    ap.add_argument("--out", type=Path, default=HERE / "results" / "speed.json")
    args = ap.parse_args()
    if args.quick:
        args.small, args.large, args.runs, args.help_runs = 200, 2000, 1, 3

    load_start = [round(x, 2) for x in os.getloadavg()]
    work = args.work
    work.mkdir(parents=True, exist_ok=True)
    small, large = corpus(work, args.small), corpus(work, args.large)
    extra = write_rules(work / f"rules-{args.extra_rules}", args.extra_rules)
    html = None if args.no_html else html_pages(work, args.html or find_shared())
    try:
        import trafilatura  # noqa: F401
        has_trafilatura = True
    except ImportError:
        has_trafilatura = False

    py = sys.executable
    cli = [py, "-m", "provenance"]
    db = work / "bench.db"

    def audit(src: Path, jobs: int, *more: str, reuse: bool = False) -> list[str]:
        # the per-document pipeline, files -> SQLite; the corpus-wide reuse step (on by
        # default in the CLI) is timed by the *_reuse case and by bench/reuse.py
        return [*cli, "audit", str(src), "--db", str(db), "-q", "--jobs", str(jobs),
                *([] if reuse else ["--no-reuse"]), *more]

    cases: dict[str, list[str]] = {
        "floor_large": [py, str(HERE / "floor.py"), str(large), str(db)],
        "floor_large_extra": [py, str(HERE / "floor.py"), str(large), str(db), "--rules", str(extra)],
        "audit_large_j1": audit(large, 1),
        "audit_large_j1_extra": audit(large, 1, "--rules", str(extra)),
        "audit_large_j2": audit(large, 2),
        "audit_small_j1": audit(small, 1),
        "audit_small_j2": audit(small, 2),
        "audit_small_j2_reuse": audit(small, 2, reuse=True),
    }
    if html is not None:
        cases["audit_html_j1"] = audit(html, 1)
        cases["audit_html_j2"] = audit(html, 2)
        if has_trafilatura:
            cases["trafilatura_html"] = [py, str(HERE / "trafilatura_alone.py"), str(html)]
    quick_cases = {
        "python_pass": [py, "-c", "pass"],
        "help": [*cli, "--help"],
        "rules_list": [*cli, "rules", "list"],
    }
    if args.cases:
        wanted = set(args.cases.split(","))
        cases = {k: v for k, v in cases.items() if k in wanted}
        quick_cases = {k: v for k, v in quick_cases.items() if k in wanted}
    samples: dict[str, list[dict[str, float]]] = {k: [] for k in [*cases, *quick_cases]}
    log = work / "last.log"
    for rnd in range(args.runs):
        for name, cmd in cases.items():
            for f in work.glob("bench.db*"):
                f.unlink()
            samples[name].append(measure(cmd, log))
            print(f"round {rnd + 1} {name}: {samples[name][-1]['wall']:.2f} s", file=sys.stderr)
        for _ in range(args.help_runs):
            for name, cmd in quick_cases.items():
                samples[name].append(measure(cmd, log))

    med = {name: {k: round(statistics.median(s[k] for s in runs), 4) for k in ("wall", "cpu", "peak_mb")}
           for name, runs in samples.items()}

    def docs_per_s(case: str, n: int) -> float | None:
        return round(n / med[case]["wall"], 1) if case in med else None

    def ratio(a: str, b: str, key: str = "wall") -> float | None:
        if a not in med or b not in med:
            return None
        return round(med[a][key] / med[b][key], 3)

    figures = {
        "docs_per_s_large_j1": docs_per_s("audit_large_j1", args.large),
        "docs_per_s_large_j2": docs_per_s("audit_large_j2", args.large),
        "docs_per_s_large_j1_extra": docs_per_s("audit_large_j1_extra", args.large),
        "audit_vs_floor_j1": ratio("audit_large_j1", "floor_large"),
        "audit_vs_floor_j2": ratio("audit_large_j2", "floor_large"),
        "audit_vs_floor_j1_cpu": ratio("audit_large_j1", "floor_large", "cpu"),
        "extra_rules_cost": ratio("audit_large_j1_extra", "audit_large_j1"),
        "extra_rules_cost_cpu": ratio("audit_large_j1_extra", "audit_large_j1", "cpu"),
        "peak_mb_small_j1": med.get("audit_small_j1", {}).get("peak_mb"),
        "peak_mb_large_j1": med.get("audit_large_j1", {}).get("peak_mb"),
        "peak_memory_large_vs_small": ratio("audit_large_j1", "audit_small_j1", "peak_mb"),
        "reuse_step_cost_small_j2": ratio("audit_small_j2_reuse", "audit_small_j2"),
        "jobs2_speedup_text": ratio("audit_large_j1", "audit_large_j2"),
        "jobs2_speedup_text_small": ratio("audit_small_j1", "audit_small_j2"),
        "jobs2_speedup_html": ratio("audit_html_j1", "audit_html_j2"),
        "jobs2_cpu_overhead_text": ratio("audit_large_j2", "audit_large_j1", "cpu"),
        "jobs2_cpu_overhead_html": ratio("audit_html_j2", "audit_html_j1", "cpu"),
        "help_wall_s": med.get("help", {}).get("wall"),
        "help_cpu_s": med.get("help", {}).get("cpu"),
        "python_pass_wall_s": med.get("python_pass", {}).get("wall"),
        "python_pass_cpu_s": med.get("python_pass", {}).get("cpu"),
        "rules_list_wall_s": med.get("rules_list", {}).get("wall"),
        "html_audit_vs_trafilatura_j1": ratio("audit_html_j1", "trafilatura_html"),
    }
    result = {
        "command": " ".join(["python", "bench/run.py", *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": {"cores": os.cpu_count(), "python": platform.python_version(),
                    "load_average_at_start": load_start,
                    "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
        "inputs": {"small_docs": args.small, "large_docs": args.large, "extra_rules": args.extra_rules,
                   "html_pages": len(list(html.glob("*.html"))) if html else 0, "runs": args.runs,
                   "trafilatura": has_trafilatura},
        "figures": figures,
        "medians": med,
        "samples": samples,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
