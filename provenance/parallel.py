"""`--jobs N`: audit sources in worker processes, results back in source order.

The main process walks the sources (streaming: files are read one at a time),
sends them in small chunks to N workers, and yields the results in exactly
the order a one-process run would, so the single writer in the main process
stores the same rows. Each worker compiles the rules once. At most a few
chunks per worker are in flight, so memory does not grow with the corpus.
Inputs that fit in one chunk are audited in the main process: starting
workers would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import chain
from typing import Any, BinaryIO

from .audit import Auditor
from .extract import MAX_TEXT_CHARS
from .ingest import IngestOptions, iter_sources
from .limits import DEFAULT_MAX_SECONDS
from .model import Failure, Result, Source
from .packs import RuleSet
from .store import Prepared, prepare

CHUNK = 16  # sources per task: enough to make the cost of passing them small
CHUNK_BYTES = 64 * 1024  # ... or fewer, when they add up to this
IN_FLIGHT = 4  # chunks per worker queued at any time

_AUDITOR: Auditor | None = None


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def run(sources: list[str], ruleset: RuleSet, jobs: int | None = None,
        stdin: BinaryIO | None = None, on_source: Callable[[Source], bool] | None = None,
        ingest: IngestOptions | None = None, chunk: int = CHUNK, max_chars: int = MAX_TEXT_CHARS,
        max_seconds: float | None = DEFAULT_MAX_SECONDS,
        prepared: bool = False) -> Iterator[Result | Prepared | Failure]:
    """Like `audit.run`, with `jobs` worker processes (default: one per core).
    Reading (and fetching) stays in this process; workers extract and audit
    (each task in its worker's main thread, so the per-document time limit applies).
    With `prepared`, results come as the rows the writer inserts (`store.Prepared`):
    the workers build them, and rows cost the one writer less to receive than objects."""
    limits = {"max_chars": max_chars, "max_seconds": max_seconds}
    jobs = default_jobs() if jobs is None else max(1, jobs)
    items = _wanted(iter_sources(sources, stdin=stdin, options=ingest), on_source)
    chunks = _chunks(items, chunk)
    first = next(chunks, None)
    if first is None:
        return
    second = next(chunks, None) if jobs > 1 else None
    if second is None:  # one process: nothing to share out
        auditor = Auditor(ruleset, **limits)
        for part in chain([first], chunks):
            yield from (_audit(auditor, item, prepared) for item in part)
        return
    yield from _pooled(ruleset, jobs, _chain(first, second, chunks), limits, prepared)


def _pooled(ruleset: RuleSet, jobs: int, chunks: Iterator[list[Source | Failure]],
            limits: dict[str, Any] | None = None,
            prepared: bool = False) -> Iterator[Result | Prepared | Failure]:
    global _AUDITOR
    if "fork" in multiprocessing.get_all_start_methods():
        # workers inherit the compiled rules (and the loaded language model)
        _AUDITOR = Auditor(ruleset, **(limits or {}))
        _AUDITOR.warm_up()
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_watch_parent, initargs=(os.getpid(),))
    else:
        pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_init, initargs=(ruleset, os.getpid(), limits))
    # a worker that dies (killed, out of memory) raises BrokenProcessPool here
    # instead of leaving the run waiting for ever
    pending: deque[Future[list[Result | Prepared | Failure]]] = deque()
    try:
        for part in chunks:
            pending.append(pool.submit(_work, part, prepared))
            while len(pending) >= jobs * IN_FLIGHT:
                yield from pending.popleft().result()
        while pending:
            yield from pending.popleft().result()
    except BaseException:
        # Ctrl-C, a failed write, a run abandoned part-way (GeneratorExit): results not yet
        # received are not stored anyway, so stop the workers now rather than wait for them.
        # Waiting is also where an interrupted executor can hang on its own locks.
        _stop_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        _AUDITOR = None


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in list((getattr(pool, "_processes", None) or {}).values()):
        try:
            proc.terminate()
        except (OSError, ValueError, AttributeError):  # already gone
            pass


def _init(ruleset: RuleSet, parent: int, limits: dict[str, Any] | None = None) -> None:
    global _AUDITOR
    _AUDITOR = Auditor(ruleset, **(limits or {}))
    _watch_parent(parent)


def _watch_parent(parent: int) -> None:
    """End this worker when the main process is gone (killed with SIGKILL, say):
    a forked worker holds both ends of its task pipe and would wait for ever."""
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="watch-parent").start()


def _work(part: list[Source | Failure], prepared: bool = False) -> list[Result | Prepared | Failure]:
    assert _AUDITOR is not None, "worker started without rules"
    return [_audit(_AUDITOR, item, prepared) for item in part]


def _audit(auditor: Auditor, item: Source | Failure,
           prepared: bool = False) -> Result | Prepared | Failure:
    if isinstance(item, Failure):
        return item
    result = auditor.audit_source(item)
    return prepare(result) if prepared and isinstance(result, Result) else result


def _wanted(items: Iterable[Source | Failure], on_source: Callable[[Source], bool] | None
            ) -> Iterator[Source | Failure]:
    for item in items:
        if isinstance(item, Failure) or on_source is None or on_source(item):
            yield item


def _chunks(items: Iterator[Source | Failure], size: int,
            max_bytes: int = CHUNK_BYTES) -> Iterator[list[Source | Failure]]:
    """Up to `size` sources, fewer when they are big: one slow chunk of large
    HTML pages would otherwise leave the other workers idle at the end."""
    part: list[Source | Failure] = []
    held = 0
    for item in items:
        part.append(item)
        held += len(item.data) if isinstance(item, Source) else 0
        if len(part) >= size or held >= max_bytes:
            yield part
            part, held = [], 0
    if part:
        yield part


def _chain(first: list[Source | Failure], second: list[Source | Failure],
           rest: Iterator[list[Source | Failure]]) -> Iterator[list[Source | Failure]]:
    yield first
    yield second
    yield from rest
