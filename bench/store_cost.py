"""What the single writer costs, per statement, and what its settings change.

Audits a corpus once (in this process, `--jobs 1`) into the rows the writer
receives (`store.Prepared`, cached as a pickle next to the corpus), then times
only the writer over them: `store.connect` on a new file, `Writer`, every
`add`, `close`. Variants (batch size, pragmas) run interleaved, several
rounds, medians. `--profile` also times each statement kind once (a timing
wrapper around the connection: the figures include its small overhead).

    python bench/store_cost.py /tmp/provenance-bench/corpus-2000 --runs 5
    python bench/store_cost.py /tmp/provenance-bench/corpus-20000 --runs 3 --profile \\
        --variants base,batch2000
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import pickle
import resource
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from provenance import __version__, packs, store  # noqa: E402
from provenance.model import Failure  # noqa: E402

# name -> (Writer keyword arguments, PRAGMAs run after connect)
VARIANTS: dict[str, tuple[dict[str, Any], list[str]]] = {
    "base": ({}, []),
    "batch2000": ({"batch": 2000, "batch_chars": 8_000_000}, []),
    "batch5000": ({"batch": 5000, "batch_chars": 20_000_000}, []),
    "ckpt10000": ({}, ["PRAGMA wal_autocheckpoint = 10000"]),
    "ckpt1000": ({}, ["PRAGMA wal_autocheckpoint = 1000"]),  # SQLite's default, main before
    "ckpt4000": ({}, ["PRAGMA wal_autocheckpoint = 4000"]),
    "sync-full": ({}, ["PRAGMA synchronous = FULL"]),
    "ckpt-off": ({}, ["PRAGMA wal_autocheckpoint = 0"]),
    "cache16m": ({}, ["PRAGMA cache_size = -16384"]),
    "cache32m": ({}, ["PRAGMA cache_size = -32768"]),
    "cache64m": ({}, ["PRAGMA cache_size = -65536"]),
    "mmap256m": ({}, ["PRAGMA mmap_size = 268435456"]),
    "tempmem": ({}, ["PRAGMA temp_store = MEMORY"]),
    "sync-off": ({}, ["PRAGMA synchronous = OFF"]),
    "page8k": ({}, []),
    "page16k": ({}, []),
    "noidx": ({}, []),
    "batch1000": ({"batch": 1000, "batch_chars": 4_000_000}, []),
}
# set before the file exists
PAGE_SIZE = {"page8k": 8192, "page16k": 16384}
# secondary indexes a bulk load could build at the end (markers_document_category stays:
# the writer's DELETE by document uses it)
DEFERRABLE = ("markers_category_entity", "markers_rule", "documents_domain", "documents_origin",
              "verdicts_class", "verdicts_run")


def prepared_rows(corpus: Path) -> list[store.Prepared | Failure]:
    """The writer's input for `corpus`, audited once and cached (keyed by the rules)."""
    from provenance.parallel import run

    ruleset = packs.load()
    key = hashlib.sha256(f"{corpus.resolve()}|{ruleset.version}|{__version__}".encode()).hexdigest()
    cache = Path(tempfile.gettempdir()) / f"provenance-store-cost-{key[:16]}.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())
    items = list(run([str(corpus)], ruleset, jobs=1, prepared=True))
    cache.write_bytes(pickle.dumps(items, protocol=pickle.HIGHEST_PROTOCOL))
    return items


class TimedConnection:
    """Forwards to a sqlite3 connection and adds up the time of each statement kind."""

    def __init__(self, conn: Any, totals: dict[str, float]) -> None:
        self._conn = conn
        self._totals = totals

    def _kind(self, sql: str) -> str:
        words = " ".join(sql.split()[:3])
        if sql.startswith("INSERT INTO") and "_fts" in sql.split("(")[0]:
            return "fts " + sql.split()[2].split("(")[0]
        return words[:40]

    def execute(self, sql: str, *args: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._conn.execute(sql, *args)
        finally:
            self._totals[self._kind(sql)] += time.perf_counter() - start

    def executemany(self, sql: str, rows: Any) -> Any:
        start = time.perf_counter()
        try:
            return self._conn.executemany(sql, rows)
        finally:
            self._totals[self._kind(sql)] += time.perf_counter() - start

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def write_all(path: Path, items: list[Any], ruleset: packs.RuleSet, kwargs: dict[str, Any],
              pragmas: list[str], totals: dict[str, float] | None = None, page_size: int = 0,
              defer: bool = False) -> tuple[float, float]:
    """Wall and CPU seconds (user + system) for one whole write of `items` into a new file
    (connect and migrations included)."""
    gc.collect()
    start, cpu = time.perf_counter(), _cpu()
    if page_size:
        import sqlite3

        conn = sqlite3.connect(path)
        conn.execute(f"PRAGMA page_size = {page_size}")
        conn.execute("PRAGMA journal_mode = WAL")
        conn.close()
    db = store.connect(path)
    for pragma in pragmas:
        db.conn.execute(pragma)
    saved: list[str] = []
    if defer:
        saved = [sql for (sql,) in db.conn.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND name IN ({})".format(
                ",".join("?" * len(DEFERRABLE))), DEFERRABLE)]
        db.conn.executescript("".join(f"DROP INDEX {n};" for n in DEFERRABLE))
    writer = store.Writer(db, ruleset, __version__, {}, **kwargs)
    if totals is not None:
        writer.conn = TimedConnection(writer.conn, totals)  # type: ignore[assignment]
    for item in items:
        writer.add(item)
    writer.close()
    if saved:
        db.conn.executescript("BEGIN;" + ";".join(saved) + ";COMMIT;")
    db.conn.close()  # the last checkpoint happens here
    return time.perf_counter() - start, _cpu() - cpu


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def variant(name: str) -> tuple[dict[str, Any], list[str]]:
    """`a+b` combines variants a and b."""
    kwargs: dict[str, Any] = {}
    pragmas: list[str] = []
    for part in name.split("+"):
        if part.startswith("drop:"):  # attribution only: the file then lacks that index
            pragmas.append(f"DROP INDEX {part[5:]}")
            continue
        kwargs |= VARIANTS[part][0]
        pragmas += VARIANTS[part][1]
    return kwargs, pragmas


def rounds(names: list[str], runs: int) -> Iterator[str]:
    for i in range(runs):
        yield from (names if i % 2 == 0 else names[::-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--variants", default="base", help="comma-separated: " + ",".join(VARIANTS))
    ap.add_argument("--profile", action="store_true", help="time each statement kind (base)")
    ap.add_argument("--work", type=Path, default=None, help="folder for the files [a temp dir]")
    ap.add_argument("--out", type=Path, default=None, help="append the figures to this file")
    args = ap.parse_args()
    names = args.variants.split(",")
    ruleset = packs.load()
    items = prepared_rows(args.corpus)
    docs = sum(1 for x in items if isinstance(x, store.Prepared))
    marks = sum(len(x.markers) for x in items if isinstance(x, store.Prepared))
    with tempfile.TemporaryDirectory(dir=args.work) as tmp:
        times: dict[str, list[float]] = defaultdict(list)
        cpus: dict[str, list[float]] = defaultdict(list)
        for i, name in enumerate(rounds(names, args.runs)):
            path = Path(tmp) / f"{name}-{i}.db"
            kwargs, pragmas = variant(name)
            page_size = max([PAGE_SIZE.get(part, 0) for part in name.split("+")])
            wall, cpu = write_all(path, items, ruleset, kwargs, pragmas, page_size=page_size,
                                  defer="noidx" in name.split("+"))
            times[name].append(wall)
            cpus[name].append(cpu)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        totals: dict[str, float] = defaultdict(float)
        if args.profile:
            write_all(Path(tmp) / "profile.db", items, ruleset, {}, [], totals)
    base = statistics.median(times[names[0]])
    base_cpu = statistics.median(cpus[names[0]])
    lines = [f"store_cost: {args.corpus.name}: {docs} documents, {marks} markers,"
             f" {args.runs} rounds (medians of the whole write; ratios to {names[0]})"]
    for name in names:
        med, cpu = statistics.median(times[name]), statistics.median(cpus[name])
        lines.append(f"  {name}: wall {med:.3f} s ({med / docs * 1000:.4f} ms/doc, {med / base:.3f}x)"
                     f", cpu {cpu:.3f} s ({cpu / docs * 1000:.4f} ms/doc, {cpu / base_cpu:.3f}x)"
                     f"  wall={[round(t, 2) for t in times[name]]}"
                     f" cpu={[round(t, 2) for t in cpus[name]]}")
    if totals:
        lines.append("  per statement kind (one profiled base run, ms per document):")
        for kind, secs in sorted(totals.items(), key=lambda kv: -kv[1]):
            lines.append(f"    {secs / docs * 1000:7.4f}  {kind}")
        lines.append(f"    {sum(totals.values()) / docs * 1000:7.4f}  all statements")
    text = "\n".join(lines)
    print(text)
    if args.out:
        with args.out.open("a", encoding="utf-8") as fh:
            fh.write(text + "\n")


if __name__ == "__main__":
    main()
