"""Audit on a Dask cluster with the same code as a local run, one writer at home.

Why this shape:

- The client plans *partitions* of sources without reading documents: files
  of folders (workers read them from a shared file system, so bytes never pass
  through the client) and, for big JSON Lines / WARC containers, strided parts
  of one file. What only the client can read (standard input, URLs, which go
  through one polite fetcher) is read on the client and shipped as `Source`s.
  Every worker turns its part into `Source`s with `ingest.iter_sources`, so a
  new source kind there needs no change here.
- Each worker process loads and compiles the rule packs once (a cached
  `Auditor`) and checks that its `RuleSet.version` is the client's: a run never
  mixes rule versions.
- Results (`Result` / `Failure`, plain picklable dataclasses) come back and are
  yielded in exactly the order of a local run, so the caller feeds them to the
  same `store.Writer` and the database gets the same rows.
- Dask retries the tasks of a lost worker on another one; a partition that
  still cannot be done becomes `Failure`s naming its files, never silence.

Importing this module imports nothing from Dask: `distributed` is imported
only when a session starts, so the single-machine path never loads it.
"""

from __future__ import annotations

import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from . import ingest
from .model import Failure, Result, Source
from .packs import RuleSet

FILES_PER_TASK = 50           # files read and audited by one task
SOURCES_PER_TASK = 50         # client-read sources shipped in one task
PART_BYTES = 64 * 1024 * 1024  # a JSON Lines / WARC file is split into parts of about this size
RETRIES = 2                   # extra attempts for a task that raised (lost workers are retried by Dask)
PROGRESS_EVERY = 2.0          # seconds between progress lines


class DaskError(Exception):
    """The run cannot go on: no cluster, or workers with different rule packs."""


@dataclass(frozen=True)
class Unit:
    """One piece of work: a file that the worker reads, or items read on the client.

    `part`/`parts` select every `parts`-th record (from `part`) of a container
    file, so one big JSON Lines or WARC file can feed several workers.
    """

    spec: str | None = None
    items: tuple[Source | Failure, ...] = ()
    part: int = 0
    parts: int = 1

    @property
    def label(self) -> str:
        if self.spec is None:
            return ", ".join(i.origin for i in self.items[:3]) + (" ..." if len(self.items) > 3 else "")
        return self.spec if self.parts == 1 else f"{self.spec} (records {self.part} mod {self.parts})"


@dataclass(frozen=True)
class Partition:
    """The units of one task; `group` ties the strided parts of one container together."""

    index: int
    group: int
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class Skipped:
    """A document already in the database with the current rules (not re-audited)."""

    origin: str
    document_id: str


Item = Result | Failure | Skipped


# -- planning (client side, reads no documents) --------------------------------

def plan(specs: list[str], stdin: BinaryIO | None = None, files_per_task: int = FILES_PER_TASK,
         part_bytes: int = PART_BYTES, max_bytes: int = ingest.MAX_BYTES,
         options: ingest.IngestOptions | None = None) -> list[Partition]:
    """Cut SOURCE arguments into partitions, in the order a local run reads them.

    `options` are the local run's ingest options: folder globs apply to the
    walk here; URLs and standard input are read here with them (one polite
    fetcher, snapshots stored by the caller's callbacks).
    """
    opts = options or ingest.IngestOptions(max_bytes=max_bytes)
    groups: list[list[Unit]] = []   # each inner list: consecutive units of one kind
    pending: list[Unit] = []
    client_specs: list[str] = []
    client_items: list[Source | Failure] = []

    def flush_client() -> None:
        if client_specs:
            client_items.extend(ingest.iter_sources(client_specs, stdin=stdin, options=opts))
            client_specs.clear()
        for i in range(0, len(client_items), SOURCES_PER_TASK):
            groups.append([Unit(items=tuple(client_items[i:i + SOURCES_PER_TASK]))])
        client_items.clear()

    def flush_files() -> None:
        for i in range(0, len(pending), files_per_task):
            groups.append(pending[i:i + files_per_task])
        pending.clear()

    def add_file(path: Path, spec: str) -> None:
        flush_client()
        parts = _parts(path, part_bytes)
        if parts == 1:
            pending.append(Unit(spec=spec))
            return
        flush_files()
        groups.append([Unit(spec=spec, part=k, parts=parts) for k in range(parts)])

    for spec in specs:
        local = spec != "-" and not spec.startswith(("http://", "https://"))
        path = Path(spec)
        if local and path.is_dir():
            for entry in list_folder(path, opts.include, opts.exclude):
                if isinstance(entry, Failure):
                    flush_files()
                    client_items.append(entry)
                else:
                    add_file(entry, str(entry))
        elif local and path.is_file():
            add_file(path, spec)
        else:  # standard input, URLs, missing paths: read (or fail) once, here
            flush_files()
            client_specs.append(spec)
    flush_files()
    flush_client()
    return _number(groups)


def _number(groups: list[list[Unit]]) -> list[Partition]:
    out: list[Partition] = []
    for g, units in enumerate(groups):
        if len(units) > 1 and units[0].parts > 1:  # strided parts: one task each
            out.extend(Partition(len(out) + k, g, (u,)) for k, u in enumerate(units))
        else:
            out.append(Partition(len(out), g, tuple(units)))
    return out


def _parts(path: Path, part_bytes: int) -> int:
    """How many strided parts a container file is read in (1 for a plain document)."""
    if not path.name.lower().endswith(ingest.JSONL_SUFFIXES + ingest.WARC_SUFFIXES):
        return 1
    try:
        size = path.stat().st_size
    except OSError:
        return 1
    return max(1, -(-size // max(1, part_bytes)))


def list_folder(root: Path, include: tuple[str, ...] = (),
                exclude: tuple[str, ...] = ()) -> Iterator[Path | Failure]:
    """The files `ingest.iter_sources` would read from `root`, in its order, unread."""
    return ingest.walk_folder(root, include, exclude)


# -- the worker side -------------------------------------------------------------

_AUDITORS: dict[tuple[str, ...], Any] = {}
_AUDITORS_LOCK = threading.Lock()


def worker_auditor(rules_dirs: tuple[str, ...]) -> Any:
    """This worker process's `Auditor`: packs loaded and compiled once, then reused.

    Process-wide, so the rule check (run on the worker's event-loop thread) and
    the tasks (run on its executor threads) share it; `Engine.run` keeps no state
    between calls, so threads may share it too.
    """
    with _AUDITORS_LOCK:
        auditor = _AUDITORS.get(rules_dirs)
        if auditor is None:
            from .audit import Auditor
            from .packs import load

            auditor = _AUDITORS[rules_dirs] = Auditor(load([Path(p) for p in rules_dirs]))
        return auditor


def worker_rules(rules_dirs: tuple[str, ...]) -> dict[str, Any]:
    """What a worker loaded: the rules version and each pack's hash (or the error)."""
    try:
        ruleset = worker_auditor(rules_dirs).ruleset
    except Exception as exc:  # a pack folder missing on this worker, a bad pack
        return {"version": None, "error": f"{type(exc).__name__}: {exc}", "packs": {}}
    return {"version": ruleset.version, "error": None,
            "packs": {k: v["hash"] for k, v in ruleset.packs.items()}}


def audit_partition(part: Partition, rules_dirs: tuple[str, ...], expected_version: str,
                    skip: frozenset[str] | None = None, max_bytes: int = ingest.MAX_BYTES) -> list[Item]:
    """Run on a worker: exactly one item per source of the partition, in order."""
    info = worker_rules(rules_dirs)
    if info["version"] != expected_version:
        raise DaskError(f"worker {_worker_name()} has rules {info['version'] or info['error']}, "
                        f"the client has {expected_version}")
    auditor = worker_auditor(rules_dirs)
    out: list[Item] = []
    for unit in part.units:
        items = unit.items if unit.spec is None else ingest.iter_sources([unit.spec], max_bytes=max_bytes)
        for i, item in enumerate(items):
            if unit.parts > 1 and i % unit.parts != unit.part:
                continue
            if isinstance(item, Failure):
                out.append(item)
                continue
            if skip:
                from .extract import document_id

                doc_id = document_id(item.data)
                if doc_id in skip:
                    out.append(Skipped(item.origin, doc_id))
                    continue
            out.append(auditor.audit_source(item))
    return out


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().address)
    except (ImportError, ValueError):
        return f"pid {os.getpid()}"


# -- the client side -------------------------------------------------------------

def parse_address(address: str) -> int | str:
    """`local:N` -> N (workers to start here); anything else is a scheduler address."""
    if address.startswith("local:") or address == "local":
        n = address.partition(":")[2] or str(os.cpu_count() or 1)
        if not n.isdigit() or int(n) < 1:
            raise ValueError(f"--dask {address!r}: local:N needs a whole number of workers >= 1")
        return int(n)
    if not address.strip():
        raise ValueError("--dask needs a scheduler address (tcp://host:8786) or local:N")
    return address


@dataclass
class Progress:
    """Counts for the progress line and the run's record."""

    partitions: int = 0
    done: int = 0
    documents: int = 0
    failures: int = 0
    skipped: int = 0
    lost: int = 0
    started: float = field(default_factory=time.monotonic)

    def line(self, workers: int) -> str:
        rate = self.documents / max(1e-9, time.monotonic() - self.started)
        return (f"dask: {self.done}/{self.partitions} partitions, {self.documents} audited, "
                f"{self.skipped} unchanged, {self.failures} failed, {rate:.1f} docs/s, "
                f"{workers} workers")


class DaskSession:
    """A connection to a Dask cluster (or a local one it starts) for audit runs."""

    def __init__(self, address: str, ruleset: RuleSet, rules_dirs: tuple[str, ...] | list[str] = (),
                 log: Callable[[str], None] | None = None) -> None:
        target = parse_address(address)
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:
            raise DaskError("--dask needs Dask: pip install 'provenance[dask]'") from exc
        self.ruleset = ruleset
        self.rules_dirs = tuple(str(Path(p).resolve()) for p in rules_dirs)
        self.log = log or (lambda line: print(line, file=sys.stderr, flush=True))
        self.cluster: Any = None
        try:
            if isinstance(target, int):
                import logging

                self.cluster = LocalCluster(n_workers=target, threads_per_worker=1, processes=True,
                                            dashboard_address=":0", silence_logs=logging.CRITICAL)
                self.client = Client(self.cluster)
            else:
                self.client = Client(target, timeout="30s")
        except (OSError, TimeoutError) as exc:
            self.close()
            raise DaskError(f"cannot reach the Dask scheduler at {address}: {exc}") from exc
        self.address = address
        try:
            self.workers = self.check_rules()
        except BaseException:
            self.close()
            raise

    def check_rules(self) -> int:
        """Every worker must load packs identical to the client's; returns the worker count."""
        found = self.client.run(worker_rules, self.rules_dirs)
        if not found:
            raise DaskError(f"the Dask cluster at {self.address} has no workers")
        bad = {w: r for w, r in found.items() if r["version"] != self.ruleset.version}
        if bad:
            mine = {k: v["hash"] for k, v in self.ruleset.packs.items()}
            lines = []
            for worker, info in sorted(bad.items()):
                if info["error"]:
                    lines.append(f"{worker}: {info['error']}")
                    continue
                differ = sorted(k for k in set(mine) | set(info["packs"]) if mine.get(k) != info["packs"].get(k))
                lines.append(f"{worker}: rules {info['version']}, packs differ: {', '.join(differ)}")
            raise DaskError(f"workers have different rule packs than this client "
                            f"(rules {self.ruleset.version}): " + "; ".join(lines))
        return len(found)

    @property
    def info(self) -> dict[str, Any]:
        """What goes into `runs.options["dask"]`."""
        return {"address": self.address, "scheduler": self.client.scheduler.address,
                "workers": self.workers, "threads": sum(self.client.nthreads().values()),
                "rules_version": self.ruleset.version, "rules_checked": True}

    def run(self, specs: list[str], stdin: BinaryIO | None = None,
            wanted: Callable[[str], bool] | None = None, skip: frozenset[str] | None = None,
            files_per_task: int = FILES_PER_TASK, part_bytes: int = PART_BYTES,
            max_bytes: int = ingest.MAX_BYTES, progress: bool = True,
            on_partition: Callable[[Progress], None] | None = None,
            options: ingest.IngestOptions | None = None) -> Iterator[Result | Failure]:
        """Audit `specs` on the cluster; yield items in the order of a local run.

        `wanted(doc_id)` is the local run's skip test, asked here in the same order;
        `skip` is the set of ids known unchanged when the run began, sent to the
        workers so that they do not audit them again.
        """
        from distributed import as_completed

        if options is not None:
            max_bytes = options.max_bytes
        parts = plan(specs, stdin=stdin, files_per_task=files_per_task, part_bytes=part_bytes,
                     max_bytes=max_bytes, options=options)
        stats = Progress(partitions=len(parts))
        self.stats = stats
        if not parts:
            return
        token = uuid.uuid4().hex[:8]
        skip_ref = self.client.scatter([skip], broadcast=True, hash=False)[0] if skip else None
        futures: dict[Any, Partition] = {}
        done: dict[int, list[Item]] = {}
        queue = iter(parts)
        window = max(4, 3 * sum(self.client.nthreads().values()))
        pending = as_completed()

        def submit_more() -> None:
            for part in queue:
                fut = self.client.submit(
                    audit_partition, part, self.rules_dirs, self.ruleset.version, skip_ref, max_bytes,
                    key=f"provenance-audit-{token}-{part.index}", pure=False, retries=RETRIES)
                futures[fut] = part
                pending.add(fut)
                if len(futures) >= window:
                    return

        groups: dict[int, list[Partition]] = {}
        for part in parts:
            groups.setdefault(part.group, []).append(part)
        next_group = 0
        last_line = 0.0
        submit_more()
        try:
            for fut in pending:
                part = futures.pop(fut)
                done[part.index] = self._collect(fut, part, stats)
                stats.done += 1
                submit_more()
                if on_partition is not None:
                    on_partition(stats)
                while next_group in groups and all(p.index in done for p in groups[next_group]):
                    members = groups.pop(next_group)
                    yield from self._emit([done.pop(p.index) for p in members], wanted, stats)
                    next_group += 1
                now = time.monotonic()
                if progress and (now - last_line >= PROGRESS_EVERY or stats.done == stats.partitions):
                    last_line = now
                    self.log(stats.line(len(self.client.nthreads())))
        finally:
            for fut in list(futures):
                fut.cancel()
            if skip_ref is not None:
                skip_ref.release()

    def _collect(self, fut: Any, part: Partition, stats: Progress) -> list[Item]:
        """The partition's items; a task that failed for good becomes failures, not a gap."""
        try:
            return list(fut.result())
        except DaskError:
            raise
        except Exception as exc:  # KilledWorker, a crash in extraction code, ...
            stats.lost += 1
            reason = f"lost on the Dask cluster: {type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
            return [Failure(u.label, reason) for u in part.units]

    @staticmethod
    def _emit(results: list[list[Item]], wanted: Callable[[str], bool] | None,
              stats: Progress) -> Iterator[Result | Failure]:
        if len(results) == 1:
            ordered: Iterator[Item] = iter(results[0])
        else:  # strided parts of one container: record i is part i % n, position i // n
            ordered = (r[j] for j in range(max(map(len, results))) for r in results if j < len(r))
        for item in ordered:
            if isinstance(item, Skipped):
                stats.skipped += 1
                if wanted is not None:
                    wanted(item.document_id)  # the caller counts it as unchanged
                continue
            if isinstance(item, Failure):
                stats.failures += 1
                yield item
                continue
            if wanted is not None and not wanted(item.document.id):
                stats.skipped += 1
                continue
            stats.documents += 1
            yield item

    def close(self) -> None:
        client, cluster = getattr(self, "client", None), self.cluster
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()

    def __enter__(self) -> DaskSession:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def unchanged_ids(db: Any, rules_version: str) -> frozenset[str]:
    """Ids of documents already audited with these rules (what `--force` would redo)."""
    return frozenset(row[0] for row in db.conn.execute(
        "SELECT d.id FROM documents d JOIN verdicts v ON v.document_id = d.id"
        " WHERE d.rules_version = ?", (rules_version,)))
