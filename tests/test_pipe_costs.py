"""The cheaper per-document steps outside the rules engine give exactly what the
plain versions they replaced gave (docs/speed.md, "Outside the engine")."""

from __future__ import annotations

import json
import random
import re
import signal
from pathlib import Path

import numpy as np
import pytest

from provenance import extract, langid, limits, store, verdict
from provenance.ingest import sniff_kind
from provenance.model import Document, Marker, Reason, Result, Verdict

_WORD = re.compile(r"\w+")
# word characters of several scripts, digits, "_", spaces of every kind, punctuation, marks
ALPHABET = ["a", "Z", "é", "ß", "中", "ж", "٣", "_", "1", " ", "\n", "\t", "\xa0", "\u2028",
            "\u3000", ".", ",", "-", "'", "’", "\u00ad", "\u200b", "\u0301", "😀", "\x1c", "\x85"]


def _random_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randint(0, 40))) for _ in range(n)]


def _count_words_loop(text: str, limit: int) -> int:  # the loop it replaced
    n = 0
    for _ in _WORD.finditer(text):
        n += 1
        if n >= limit:
            break
    return n


def _lead_length_loop(body: str, share: float, min_words: int) -> int:
    end = 0
    for n, m in enumerate(_WORD.finditer(body), 1):
        if n > min_words:
            break
        end = m.end()
    return max(int(len(body) * share), end)


@pytest.mark.parametrize("limit", [-1, 0, 1, 2, 3, 7, 40])
def test_word_counts_and_lead_lengths_equal_the_loops(limit):
    texts = [*_random_texts(3000), "", "a", "a b", "__", "x" * 50, " ".join(["wort"] * 60)]
    for text in texts:
        assert verdict._count_words(text, limit) == _count_words_loop(text, limit), (text, limit)
        assert verdict._lead_length(text, 0.25, limit) == _lead_length_loop(text, 0.25, limit), text


def test_first_line_equals_splitting_the_text():
    texts = [*_random_texts(5000, seed=11), "", "\n", " \n\t\n", "title", "\n\n  A title \nbody"]
    for text in texts:
        assert extract.first_line(text) == next(
            (ln.strip() for ln in text.split("\n") if ln.strip()), None), repr(text)


@pytest.mark.parametrize("text", [
    "plain text, nothing odd",
    "Text mit Umlauten: äöü ß " * 20,
    "controls \x01\x02\x03\x04 in a short text",
    "\x01" * 30 + "mostly controls",
    "replacement characters \ufffd\ufffd\ufffd",
    "\ufffd" * 40 + "x",
    "a few \x07 bells \x1b and \x0b tabs " * 10,
])
def test_the_utf8_shortcut_of_the_binary_check_decides_as_the_text_does(text):
    data = text.encode("utf-8")
    outcomes = []
    for utf8 in (None, data):
        try:
            outcomes.append(extract._checked(text, utf8))
        except extract.ExtractError as exc:
            outcomes.append(str(exc))
    assert outcomes[0] == outcomes[1]
    assert extract._bad_bytes(data) == extract._bad_chars(text)


def test_decoding_long_texts_still_checks_the_first_characters_only():
    text = "ok " * 40_000 + "\x01" * 5_000  # binary tail beyond the checked sample
    assert extract.decode(text.encode("utf-8")) == text


@pytest.mark.parametrize("origin", [
    "a.html", "A.HTM", "dir/page.xhtml.gz", "dir/page.HTML.GZ", "notes.txt", "x", "", ".", "/",
    "a/.", "a/..", ".html", "dir/.html", "a.b/", "a.b/.", "https://example.org/a.html?q=1",
    "https://example.org/story", "-", "a.", "a..html", "dir.html/file",
])
def test_sniff_kind_reads_the_suffix_as_pathlib_does(origin):
    suffix = Path(origin.removesuffix(".gz").removesuffix(".GZ")).suffix.lower()
    expected = "html" if suffix in {".html", ".htm", ".xhtml"} else "text"
    assert sniff_kind(origin, b"plain words") == expected


def test_prepared_rows_hold_the_json_that_json_dumps_writes():
    reasons = (Reason("base", 50, "starting score 50", (), "base", {}),
               Reason("sources", -10, "1 × «Agentur»", (0,), "points.agency", {"count": 1}))
    for meta in ({}, {"published": "2024-01-01", "b": "ä", "a": Path("x")}, {"warc": {"z": 1, "a": None}}):
        doc = Document(id="d1", origin="o", text="t", body="t", title=None, url=None, domain=None,
                       lang="de", meta=meta)
        marker = Marker("r", "agency", "dpa", 0, 1, "t")
        rows = store.prepare(Result(doc, (marker,), Verdict("agency-copy", 40, "D", reasons), ()))
        assert rows.document[8] == json.dumps(meta, sort_keys=True, default=str, ensure_ascii=False)
        assert rows.verdict[3] == json.dumps([r.as_dict() for r in reasons], ensure_ascii=False)


def test_the_deadline_gives_back_a_python_handler_and_still_fires():
    calls = []

    def mine(signum, frame):
        calls.append(signum)

    before = signal.signal(signal.SIGALRM, mine)
    try:
        with limits.deadline(5):
            pass
        assert signal.getsignal(signal.SIGALRM) is mine
        with pytest.raises(limits.DocumentTimeout), limits.deadline(0.05):
            while True:
                pass
        assert signal.getsignal(signal.SIGALRM) is mine and calls == []
    finally:
        signal.signal(signal.SIGALRM, before)


def test_the_mapped_language_model_is_scored_through_plain_arrays(monkeypatch, tmp_path):
    monkeypatch.setenv("PROVENANCE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    langid.classify("written once")
    monkeypatch.setattr(langid, "_IDENTIFIER", None)
    langid.classify("then mapped")
    ident = langid._IDENTIFIER
    assert type(ident.nb_ptc) is np.ndarray and type(ident.nb_pc) is np.ndarray
    assert isinstance(ident.nb_ptc.base, np.memmap)  # a view of the mapping, not a copy
