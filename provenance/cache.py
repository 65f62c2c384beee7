"""A per-user cache for work that every process would otherwise repeat at start-up.

Parsing the rule packs (0.35 s of TOML), probing every pattern for catastrophic
backtracking (0.4 s) and decompressing the language model (0.7 s) give the
same answer for the same bytes each time. Entries are keyed by a hash of
their inputs, the Python version and this package's version, so an edited
pack or an upgrade never reads a stale entry. The folder is `$PROVENANCE_CACHE`,
else `$XDG_CACHE_HOME/provenance`, else `~/.cache/provenance`; `PROVENANCE_CACHE=off` turns the cache off. When
it cannot be written, everything still works, only slower. Entries older than
90 days are deleted whenever a new one is written, so the folder does not grow
for ever as packs are edited and versions change.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from . import __version__

T = TypeVar("T")
# a new Python or a new version of this package never reads an older entry
_CONTEXT = f"{sys.version}\0{__version__}\0".encode()


def enabled() -> bool:
    return os.environ.get("PROVENANCE_CACHE", "").lower() != "off"


def cache_dir() -> Path:
    if os.environ.get("PROVENANCE_CACHE"):
        return Path(os.environ["PROVENANCE_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "provenance"


def memo(kind: str, key: bytes, compute: Callable[[], T]) -> T:
    """`compute()`, or its pickled result from an earlier process with the same `key`."""
    if not enabled():
        return compute()
    digest = hashlib.sha256(_CONTEXT + key).hexdigest()[:32]
    path = cache_dir() / f"{kind}-{digest}.pickle"
    try:
        with path.open("rb") as f:
            return pickle.load(f)  # type: ignore[no-any-return]
    except Exception:  # noqa: BLE001 - missing, damaged or unreadable: compute it
        pass
    value = compute()
    try:
        write_atomic(path, lambda out: pickle.dump(value, out, protocol=pickle.HIGHEST_PROTOCOL))
    except Exception:  # noqa: BLE001 - read-only home, full disk: the next process computes again
        pass
    return value


MAX_AGE_DAYS = 90
# a mapped language model is 125 MB and each install of py3langid writes a new one; the
# folder's time is touched whenever a process maps it (langid.py), so this is time unused
MODEL_MAX_AGE_DAYS = 14


def prune(folder: Path, max_age_days: float = MAX_AGE_DAYS) -> None:
    """Delete entries written more than `max_age_days` ago (edited packs and old versions
    leave entries nobody reads again; one still in use is simply written anew), and
    language-model folders no process has mapped for `MODEL_MAX_AGE_DAYS`."""
    now = time.time()
    limit = now - max_age_days * 86400
    model_limit = now - min(max_age_days, MODEL_MAX_AGE_DAYS) * 86400
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir() and entry.name.startswith("langid-"):  # a mapped model (langid.py)
                if entry.stat().st_mtime < model_limit:
                    shutil.rmtree(entry.path, ignore_errors=True)
                continue
            if entry.stat().st_mtime >= limit:
                continue
            if entry.name.endswith((".pickle", ".npz", ".tmp")):
                os.unlink(entry.path)
        except OSError:
            pass


def write_atomic(path: Path, write: Callable[[Any], None]) -> None:
    """Write through a temporary file and rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            write(out)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    prune(path.parent)  # only after a miss, so not on every start-up
