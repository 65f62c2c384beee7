"""Decoding and plain-text extraction."""

from __future__ import annotations

import pytest

from provenance.extract import ExtractError, decode, extract
from provenance.model import Source

GERMAN = "Die Bürger äußern sich über die Größe der Straße. Laut Reuters ist das so."


@pytest.mark.parametrize("codec", ["utf-8", "latin-1", "cp1252", "utf-16", "utf-8-sig"])
def test_decodes_common_encodings(codec):
    assert decode((GERMAN + " „Zitat“ – Ende" if codec in ("cp1252", "utf-8", "utf-16", "utf-8-sig") else GERMAN).encode(codec)).startswith("Die Bürger äußern")


def test_utf16_without_bom():
    assert decode(GERMAN.encode("utf-16-le")) == GERMAN


@pytest.mark.parametrize("data,reason", [
    (b"", "empty"), (b"   \n\t ", "empty"), (bytes(range(256)) * 20, "binary"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\xff" * 300, "binary"),
])
def test_refuses_non_text(data, reason):
    with pytest.raises(ExtractError) as err:
        decode(data)
    assert reason in str(err.value)


def test_nul_bytes_inside_text_are_dropped():
    assert decode(b"Hello\x00 world, this is text.") == "Hello world, this is text."


def test_plain_text_document():
    doc = extract(Source(origin="a.txt", data=b"Titel\r\n\r\nText hier."))
    assert doc.title == "Titel"
    assert doc.text == doc.body == "Titel\n\nText hier."
    assert len(doc.id) == 16


def test_bad_characters_are_counted_as_the_pattern_says():
    """The byte-level count behind the binary-data check equals the pattern's, on random
    text with controls, U+FFFD, lone surrogates and astral characters."""
    import random

    from provenance.extract import _BAD_CHARS, _bad_chars

    rng = random.Random(7)
    for _ in range(5000):
        text = "".join(chr(rng.choice((rng.randint(0, 40), rng.randint(0, 0x3000), 0xFFFD,
                                       rng.randint(0xD800, 0xDFFF), rng.randint(0x10000, 0x10FFF))))
                       for _ in range(rng.randint(0, 40)))
        assert _bad_chars(text) == len(_BAD_CHARS.findall(text)), repr(text)
