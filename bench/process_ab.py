"""Whole audits of another revision and of this checkout, interleaved, as processes.

`bench/engine_equality.py` times the rules engine alone; this times what a user
runs: `provenance audit CORPUS --jobs 1 --no-reuse -q` with start-up, language
identification and the writer included. The base revision is unpacked with `git
archive` and installed into its own virtual environment once (kept in the temp
folder, keyed by commit), then both run in turn, round after round; the figures
are medians of CPU (user + system, `os.wait4`) and wall time. On a shared host
the ratio of CPU medians is the firm figure.

Usage: python bench/process_ab.py CORPUS [--base REV] [--rounds 5] [--current PROVENANCE]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def base_executable(rev: str) -> Path:
    """`provenance` of `rev`, installed once into a virtual environment of its own."""
    sha = subprocess.run(["git", "rev-parse", rev], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout.strip()
    home = Path(tempfile.gettempdir()) / f"process-ab-{sha[:12]}"
    exe = home / "venv" / "bin" / "provenance"
    if exe.is_file():
        return exe
    shutil.rmtree(home, ignore_errors=True)
    (home / "src").mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", sha], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(home / "src", filter="data")
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    subprocess.run([str(home / "venv" / "bin" / "pip"), "install", "-q", str(home / "src")], check=True)
    return exe


def timed(cmd: list[str], db: Path) -> tuple[float, float]:
    """CPU (user + system, waited-for children included) and wall seconds of `cmd`,
    run after removing `db` and its WAL files so that it writes a new file."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    if status != 0:
        raise SystemExit(f"{cmd[:3]} exited with status {status}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start


def run_once(exe: str, corpus: str, db: Path) -> tuple[float, float]:
    """CPU and wall seconds of one audit into a new file."""
    return timed([exe, "audit", corpus, "--db", str(db), "--jobs", "1", "--no-reuse", "-q"], db)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("corpus")
    ap.add_argument("--base", default="main")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--current", default=shutil.which("provenance") or "provenance",
                    help="the provenance executable of this checkout")
    args = ap.parse_args(argv)
    exes = {"base": str(base_executable(args.base)), "current": args.current}
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in exes}
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            for name, exe in exes.items():
                cpu, wall = run_once(exe, args.corpus, Path(tmp) / f"{name}.db")
                samples[name].append((cpu, wall))
                print(f"round {r + 1} {name}: cpu {cpu:.2f} s, wall {wall:.2f} s", flush=True)
    med = {k: (statistics.median(c for c, _ in v), statistics.median(w for _, w in v))
           for k, v in samples.items()}
    for name, (cpu, wall) in med.items():
        print(f"{name}: median cpu {cpu:.2f} s, wall {wall:.2f} s")
    print(f"current / base: cpu {med['current'][0] / med['base'][0]:.3f}x, "
          f"wall {med['current'][1] / med['base'][1]:.3f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
