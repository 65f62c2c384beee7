"""The cached language model gives py3langid's own answers, and never breaks detection."""

from __future__ import annotations

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
    assert {p.name for p in files[0].iterdir()} == {f"{n}.npy" for n in langid._ARRAYS}
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    loaded = []
    real = langid._mapped
    monkeypatch.setattr(langid, "_mapped", lambda path: loaded.append(path) or real(path))
    assert [langid.classify(t) for t in TEXTS] == expected
    assert loaded == files


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
