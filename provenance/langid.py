"""py3langid's language model, mapped from the cache in 0.01 s instead of loaded in 0.7 s.

py3langid ships its model LZMA-compressed and decompresses it in every new
process: 0.7 s, more than the whole audit of a hundred articles, and 68 MB
of private memory in each worker. The first load here stores the
decompressed arrays as `.npy` files in the user's cache folder (see
`cache`); later processes map them read-only, so the pages are shared
between processes and read only where used. The identifier is py3langid's
own class, built from the same arrays (the transition table as a memoryview
of the mapped file, which indexes as fast as the stdlib array it replaces),
so the answers are the library's. Anything unexpected (an unwritable
folder, a py3langid whose model layout changed) falls back to py3langid's
own loader.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from .cache import cache_dir, enabled, prune

_IDENTIFIER: Any = None
_ARRAYS = ("ptc", "pc", "classes", "nextmove", "nextmove_row", "out_feat")


def classify(text: str) -> str:
    """The language code py3langid gives `text`."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = _load()
    return str(_IDENTIFIER.classify(text)[0])


def _cache_folder() -> Path:
    from py3langid import langid

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    stat = model.stat()  # a new py3langid or model gets a new folder
    return cache_dir() / f"langid-{stat.st_size}-{int(stat.st_mtime)}"


def _load() -> Any:
    from py3langid import langid

    if not enabled():
        return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    try:
        folder = _cache_folder()
        if folder.is_dir():
            return _mapped(folder)
    except Exception:  # noqa: BLE001 - a damaged cache or a changed py3langid: use the library's way
        pass
    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    try:
        _store(identifier, folder)
    except Exception:  # noqa: BLE001 - no cache (read-only home, full disk): the next process loads slowly
        pass
    return identifier


def _mapped(folder: Path) -> Any:
    import numpy as np
    from py3langid import langid

    a = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
    return langid.LanguageIdentifier(
        a["ptc"], a["pc"], a["classes"].tolist(), _view(a["nextmove"]), a["out_feat"].tolist(),
        tk_row=_view(a["nextmove_row"]))


def _view(arr: Any) -> memoryview:
    """A flat memoryview of unsigned integers over a mapped array (no copy)."""
    return memoryview(arr).cast("B").cast(arr.dtype.char)


def _store(identifier: Any, folder: Path) -> None:
    """Write the arrays into a new folder and rename it into place, so a process that
    reads at the same time sees all of them or none; a stale or broken folder is replaced."""
    import numpy as np

    arrays = {
        "ptc": np.asarray(identifier.nb_ptc), "pc": np.asarray(identifier.nb_pc),
        "classes": np.array(identifier.nb_classes),
        "nextmove": np.frombuffer(identifier.tk_nextmove, dtype=_dtype(identifier.tk_nextmove)),
        "nextmove_row": np.frombuffer(identifier.tk_row, dtype=_dtype(identifier.tk_row)),
        "out_feat": np.array(identifier.tk_output, dtype=np.int32),
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{folder.name}.", suffix=".tmp"))
    try:
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", arr, allow_pickle=False)
        if folder.exists():  # damaged: its files did not load
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    prune(folder.parent)


def _dtype(arr: Any) -> str:
    return f"=u{arr.itemsize}"  # native order, as the stdlib array holds it
