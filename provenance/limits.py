"""Per-document limits: a wall-clock budget for extraction and rules.

One pathological page (a parser stuck on odd markup, a slow extractor path)
must not stall a run of thousands. `deadline(seconds)` arms a POSIX interval
timer (SIGALRM) around one document; when it fires, `DocumentTimeout` is
raised inside whatever Python code is running and the document becomes a
failure "took over N s". It costs two system calls per document.

Limits of the guard, on purpose: it works in the main thread of a POSIX
process only (elsewhere, e.g. a worker thread or Windows, the document's time
is measured afterwards and an overrun is still reported, just not cut short),
and a single long call into C code (lxml parsing, one regex step) is
interrupted only when it returns to Python. Rule regexes have their own
per-pattern timeout in `rules`.
"""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

try:  # the C functions: `signal.signal` wraps them to convert handlers to and from enums,
    # which raises and catches two exceptions per call with a Python handler (~8 µs a document)
    from _signal import getsignal as _getsignal
    from _signal import signal as _set_handler
except ImportError:  # not CPython
    _getsignal, _set_handler = signal.getsignal, signal.signal

RETRY_SECONDS = 0.05  # after an overrun, the alarm repeats until the document stops
DEFAULT_MAX_SECONDS = 300.0  # generous (a dense 20 MB text needs minutes on a slow machine); stops hangs


class DocumentTimeout(BaseException):
    """Raised when a document's budget runs out. A BaseException, so that the
    broad `except Exception` blocks of third-party extractors do not swallow it."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"took over {seconds:g} s; stopped (limit: --max-seconds)")
        self.seconds = seconds


def _can_interrupt() -> bool:
    """SIGALRM is ours to use: POSIX, the main thread, and no handler installed
    from outside Python (e.g. libFuzzer's own timeout) that we would clobber."""
    return (hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
            and _getsignal(signal.SIGALRM) is not None)


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Raise `DocumentTimeout` if the block runs longer than `seconds` (None or 0: no limit)."""
    if not seconds or seconds <= 0:
        yield
        return
    if not _can_interrupt():
        started = time.monotonic()
        yield
        if time.monotonic() - started > seconds:
            raise DocumentTimeout(seconds)
        return
    armed = [True]
    fired = [False]

    def on_alarm(signum: int, frame: object) -> None:
        if armed[0]:
            fired[0] = True
            # again shortly, in case this one is swallowed (see below); the block's exit disarms
            signal.setitimer(signal.ITIMER_REAL, RETRY_SECONDS)
            raise DocumentTimeout(seconds)

    previous = _set_handler(signal.SIGALRM, on_alarm)
    started = time.monotonic()
    old_timer = signal.setitimer(signal.ITIMER_REAL, seconds)
    swallowed = False
    try:
        yield
        # The handler ran but its exception never arrived: it was raised inside a `__del__`
        # or a garbage-collection callback (a regex match object freed mid-scan), where
        # Python prints and ignores exceptions. The document still overran.
        swallowed = fired[0]
    finally:
        try:
            armed[0] = False
        finally:  # runs even if an alarm lands just before the line above
            signal.setitimer(signal.ITIMER_REAL, 0)
            _set_handler(signal.SIGALRM, previous)
            if old_timer[0] > 0:  # someone else's timer was running: give back what is left
                left = max(0.001, old_timer[0] - (time.monotonic() - started))
                signal.setitimer(signal.ITIMER_REAL, left, old_timer[1])
    if swallowed:
        raise DocumentTimeout(seconds)
