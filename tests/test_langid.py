"""The cached language model gives py3langid's own answers, and never breaks detection."""

from __future__ import annotations

import random

import numpy as np
import py3langid
import pytest

from provenance import langid

TEXTS = [
    "Die Bundesregierung hat am Montag neue Zahlen zur Inflation vorgelegt.",
    "The government published new inflation figures on Monday, officials said.",
    "Le gouvernement a publié lundi de nouveaux chiffres sur l'inflation.",
    "El Gobierno publicó el lunes nuevas cifras de inflación, según fuentes oficiales.",
    "Il governo ha pubblicato lunedì nuovi dati sull'inflazione.",
]


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    return tmp_path / "cache"


def test_first_load_writes_the_cache_and_the_next_reads_it(fresh, monkeypatch):
    expected = [py3langid.classify(t)[0] for t in TEXTS]
    assert [langid.classify(t) for t in TEXTS] == expected
    files = [p for p in fresh.glob("langid-*") if p.is_dir()]
    assert len(files) == 1 and not list(fresh.glob("*.tmp"))
    assert {p.name for p in files[0].iterdir()} == {f"{n}.npy" for n in (*langid._ARRAYS, langid.WIDE)}
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    loaded = []
    real = langid._mapped
    monkeypatch.setattr(langid, "_mapped", lambda path: loaded.append(path) or real(path))
    assert [langid.classify(t) for t in TEXTS] == expected
    assert loaded == files


def test_mapping_the_model_marks_its_folder_as_used(fresh, monkeypatch):
    """`cache.prune` deletes model folders by the time a process last mapped them."""
    import os
    import time

    langid.classify(TEXTS[0])
    (folder,) = fresh.glob("langid-*")
    long_ago = time.time() - 30 * 86400
    os.utime(folder, (long_ago, long_ago))
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    langid.classify(TEXTS[1])
    assert folder.stat().st_mtime > time.time() - 3600


def test_a_damaged_cache_falls_back_to_the_library(fresh, monkeypatch):
    langid.classify(TEXTS[0])
    (folder,) = fresh.glob("langid-*")
    (folder / "nextmove.npy").write_bytes(b"not a numpy array")
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    assert [langid.classify(t) for t in TEXTS] == [py3langid.classify(t)[0] for t in TEXTS]
    langid._IDENTIFIER = None
    assert langid.classify(TEXTS[1]) == "en"  # the damaged file was replaced by a good one


def test_an_unwritable_cache_folder_still_detects(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv("PROVENANCE_CACHE", str(blocker / "cache"))
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    assert langid.classify(TEXTS[0]) == "de"


def test_the_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv("PROVENANCE_CACHE", "off")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    assert langid.classify(TEXTS[1]) == "en"
    assert not list(tmp_path.rglob("*"))  # nothing written, not even a folder named "off"


def _random_texts(n: int) -> list[str]:
    """Strings mixing scripts, control characters, lone surrogates and emoji; some all
    upper case (py3langid lower-cases those), some with combining marks (it applies NFC)."""
    rng = random.Random(3)
    ranges = [(0x20, 0x7E), (0xC0, 0x24F), (0x300, 0x36F), (0x400, 0x4FF), (0x4E00, 0x9FFF),
              (0x600, 0x6FF), (0x1F300, 0x1F64F), (0x0, 0x1F), (0xD800, 0xDFFF), (0x900, 0x97F)]
    out = []
    for _ in range(n):
        picked = rng.sample(ranges, rng.randint(1, 3))
        chars = []
        for _ in range(rng.choice((1, 3, 10, 40))):
            lo, hi = rng.choice(picked)
            chars.extend(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 10)))
            chars.append(" ")
        text = "".join(chars)[: rng.choice((5, 50, 400, 2000))]
        out.append(text.upper() if rng.random() < 0.15 else text)
    return out


WORDS = ("the government said on monday that new figures would follow die regierung hat am "
         "montag neue zahlen vorgelegt le gouvernement a publié lundi de nouveaux chiffres "
         "el gobierno publicó nuevas cifras il governo ha pubblicato nuovi dati").split()


def _word_texts(n: int) -> list[str]:
    rng = random.Random(5)
    return [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 80))) for _ in range(n)]


def test_the_widened_table_gives_the_librarys_languages_and_scores_to_the_bit(fresh):
    langid.classify("load")
    mine = langid._IDENTIFIER
    assert mine.nb_ptc.dtype == np.float32  # the fast path is the one under test
    texts = [*TEXTS, *_random_texts(300), *_word_texts(200)]
    assert [mine.classify(t) for t in texts] == [py3langid.classify(t) for t in texts]


def test_empty_text_and_text_without_features_score_like_the_library(fresh):
    langid.classify("load")
    for text in ("", " ", "a", "!!!", "\x00\x01"):
        lang, score = langid._IDENTIFIER.classify(text)
        assert (lang, score) == py3langid.classify(text)
        assert score == py3langid.langid.RAW_FLOOR  # no feature at all: the library's floor
    assert langid.classify("") == py3langid.classify("")[0]


def test_a_table_that_fails_the_check_is_not_kept_and_the_library_table_is_used(fresh, monkeypatch):
    monkeypatch.setattr(langid, "_widened", lambda ptc: ptc.astype(np.float32) * np.float32(1.001))
    assert [langid.classify(t) for t in TEXTS] == [py3langid.classify(t)[0] for t in TEXTS]
    (folder,) = fresh.glob("langid-*")
    assert (folder / langid.NO_WIDE).is_file() and not (folder / f"{langid.WIDE}.npy").exists()
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    langid.classify("load")
    assert langid._IDENTIFIER.nb_ptc.dtype == np.float16  # the mapped library table
    texts = _random_texts(50)
    assert [langid._IDENTIFIER.classify(t) for t in texts] == [py3langid.classify(t) for t in texts]


def test_a_model_whose_table_is_not_float16_gets_no_widened_copy():
    assert langid._widened(np.zeros((2, 3), np.float64)) is None
    assert langid._widened(np.zeros((2, 3), np.float32)) is None
    wide = langid._widened(np.array([[1.5, -2.25]], np.float16))
    assert wide.dtype == np.float32 and wide.tolist() == [[1.5, -2.25]]


def test_a_cache_written_before_the_widened_table_is_rewritten(fresh, monkeypatch):
    langid.classify(TEXTS[0])
    (folder,) = fresh.glob("langid-*")
    (folder / f"{langid.WIDE}.npy").unlink()  # the layout an older version wrote
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    assert [langid.classify(t) for t in TEXTS] == [py3langid.classify(t)[0] for t in TEXTS]
    assert (folder / f"{langid.WIDE}.npy").is_file()
    assert langid._IDENTIFIER.nb_ptc.dtype == np.float32
