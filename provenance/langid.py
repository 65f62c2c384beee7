"""py3langid's language model, loaded in 0.04 s instead of 0.7 s.

py3langid ships its model LZMA-compressed and decompresses it in every new
process: 0.7 s, more than the whole audit of a hundred articles. The first
load here stores the decompressed arrays in the user's cache folder
(see `cache`), and later processes read them from there. The
identifier is py3langid's own class, built from the same arrays, so the
answers are the library's. Anything unexpected (an unwritable folder, a
py3langid whose model layout changed) falls back to py3langid's own loader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .cache import cache_dir, enabled, write_atomic

_IDENTIFIER: Any = None


def classify(text: str) -> str:
    """The language code py3langid gives `text`."""
    global _IDENTIFIER
    if _IDENTIFIER is None:
        _IDENTIFIER = _load()
    return str(_IDENTIFIER.classify(text)[0])


def _cache_file() -> Path:
    from py3langid import langid

    model = Path(langid.MODEL_DIR) / langid.MODEL_FILE
    stat = model.stat()  # a new py3langid or model gets a new file
    return cache_dir() / f"langid-{stat.st_size}-{int(stat.st_mtime)}.npz"


def _load() -> Any:
    from py3langid import langid

    if not enabled():
        return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    try:
        path = _cache_file()
        if path.is_file():
            return _from_arrays(path)
    except Exception:  # noqa: BLE001 - a damaged cache or a changed py3langid: use the library's way
        pass
    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    try:
        _store(identifier, path)
    except Exception:  # noqa: BLE001 - no cache (read-only home, full disk): the next process loads slowly
        pass
    return identifier


def _from_arrays(path: Path) -> Any:
    import numpy as np
    from py3langid import langid
    from py3langid.modelio import _to_array

    with np.load(path, allow_pickle=False) as data:
        return langid.LanguageIdentifier(
            data["ptc"], data["pc"], data["classes"].tolist(), _to_array(data["nextmove"]),
            data["out_feat"].tolist(), tk_row=_to_array(data["nextmove_row"]))


def _store(identifier: Any, path: Path) -> None:
    import numpy as np

    write_atomic(path, lambda out: np.savez(
        out, ptc=identifier.nb_ptc, pc=identifier.nb_pc, classes=np.array(identifier.nb_classes),
        nextmove=np.frombuffer(identifier.tk_nextmove, dtype=_dtype(identifier.tk_nextmove)),
        nextmove_row=np.frombuffer(identifier.tk_row, dtype=_dtype(identifier.tk_row)),
        out_feat=np.array(identifier.tk_output, dtype=np.int32)))


def _dtype(arr: Any) -> str:
    return f"=u{arr.itemsize}"  # native order, as the stdlib array holds it
