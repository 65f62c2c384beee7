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

The cache also holds the feature table widened from float16 to float32
(`ptc32`), which the identifier scores with instead. py3langid's score is
`log1p(counts) @ table[features]`; numpy computes a float32 @ float16 product
by first casting the float16 rows to float32 (exact: every float16 is a
float32) and then running the float32 kernel, and that cast was 50 of the
70 microseconds the scoring took per 400-character sample. With the rows
already float32 the kernel gets the same operands in the same order, so the
scores are bit-identical (bench/langid_equality.py compares 24,788
texts, and every new cache checks a few texts before it keeps the table).
A model whose table is not float16 gets no widened copy.
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
WIDE = "ptc32"  # the feature table as float32 (see the module docstring)
NO_WIDE = "no-ptc32"  # marker file instead of it: the table is not float16, or it failed the check
CHECK_TEXTS = (  # scored both ways before a widened table is kept
    "The government published new inflation figures on Monday, officials said.",
    "Die Bundesregierung hat am Montag neue Zahlen zur Inflation vorgelegt.",
    "Правительство в понедельник опубликовало новые данные об инфляции.",
    "政府周一公布了新的通胀数据。", "الحكومة نشرت أرقام التضخم الجديدة يوم الاثنين",
    "ÉTÉ 2024 : LES CHIFFRES", "x", "",
)


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
            identifier = _mapped(folder)
            _touch(folder)
            return identifier
    except Exception:  # noqa: BLE001 - a damaged cache or a changed py3langid: use the library's way
        pass
    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    try:
        _store(identifier, folder)
        return _mapped(folder)
    except Exception:  # noqa: BLE001 - no cache (read-only home, full disk): the next process loads slowly
        pass
    return identifier


def _touch(folder: Path) -> None:
    """Mark the folder as used now: `cache.prune` deletes model folders that no process
    has mapped for `cache.MODEL_MAX_AGE_DAYS` (each new install of py3langid makes one)."""
    try:
        os.utime(folder)
    except OSError:
        pass


def _mapped(folder: Path) -> Any:
    import numpy as np

    a = {name: np.load(folder / f"{name}.npy", mmap_mode="r", allow_pickle=False) for name in _ARRAYS}
    table = a["ptc"]
    if not (folder / NO_WIDE).is_file():  # the marker: checked, and no widened table
        # missing in a folder written before the widened table existed: raises, so the
        # folder is written anew
        wide = np.load(folder / f"{WIDE}.npy", mmap_mode="r", allow_pickle=False)
        if wide.dtype != np.float32 or wide.shape != table.shape:
            raise ValueError("widened feature table of the wrong type or shape")
        table = wide
    # plain ndarray views of the same mappings: indexing an `np.memmap` goes through its
    # Python-level `__getitem__` and `__array_finalize__`; the same bytes, so the same scores
    a["pc"] = a["pc"].view(np.ndarray)
    return _identifier(a, table.view(np.ndarray))


def _identifier(a: dict[str, Any], table: Any) -> Any:
    from py3langid import langid

    return langid.LanguageIdentifier(
        table, a["pc"], a["classes"].tolist(), _view(a["nextmove"]), a["out_feat"].tolist(),
        tk_row=_view(a["nextmove_row"]))


def _widened(ptc: Any) -> Any:
    """The float16 feature table as float32 (exact), or None for any other dtype
    (narrowing a float64 table would change the scores)."""
    import numpy as np

    return ptc.astype(np.float32) if ptc.dtype == np.float16 else None


def _same_scores(arrays: dict[str, Any], wide: Any) -> bool:
    """Whether the widened table gives exactly the library's answers on `CHECK_TEXTS`
    (a guard against a py3langid or numpy that scores differently)."""
    plain, fast = _identifier(arrays, arrays["ptc"]), _identifier(arrays, wide)
    return all(plain.classify(t) == fast.classify(t) for t in CHECK_TEXTS)


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
    wide = _widened(arrays["ptc"])
    keep = wide is not None and _same_scores(arrays, wide)
    if keep:
        arrays[WIDE] = wide
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f"{folder.name}.", suffix=".tmp"))
    try:
        for name, arr in arrays.items():
            np.save(tmp / f"{name}.npy", arr, allow_pickle=False)
        if not keep:
            (tmp / NO_WIDE).touch()
        if folder.exists():  # damaged: its files did not load
            shutil.rmtree(folder, ignore_errors=True)
        os.rename(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    prune(folder.parent)


def _dtype(arr: Any) -> str:
    return f"=u{arr.itemsize}"  # native order, as the stdlib array holds it
