"""Bytes -> `Document`: decode, refuse what is not text, find title and language.

Plain text keeps every character (markers point into it); its blocks are the
whole text as body. HTML goes to `extract_html`, which keeps page chrome as
separately labelled blocks because boilerplate is evidence.
"""

from __future__ import annotations

import codecs
import hashlib
import re
import unicodedata

from .model import Document, Source

MAX_TEXT_CHARS = 20_000_000
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")  # controls but \t \n \f \r; U+FFFD
_CONTROL_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13, 0)]
_CONTROL_DELETE = bytes(_CONTROL_BYTES)


class ExtractError(Exception):
    """A source that is not usable text; the message is the one-line reason."""


def document_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def decode(data: bytes, declared: str | None = None) -> str:
    """Declared charset, then BOMs and UTF-8, then detection; refuse binary data."""
    if not data or data.isspace():  # `not data.strip()`, without copying the bytes
        raise ExtractError("empty: no text")
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF32_LE, "utf-32"),
                       (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _checked(data.decode(codec, errors="replace"))
    sample = data[:100_000]
    controls = len(sample) - len(sample.translate(None, _CONTROL_DELETE))
    nul = data.count(0)
    if controls > max(8, len(sample) // 50) and _utf16_without_bom(data) is None:
        raise ExtractError("binary data, not text")
    if nul:
        utf16 = _utf16_without_bom(data)
        if utf16 is not None:
            return _checked(utf16)
        if nul > max(1, len(data) // 100):
            raise ExtractError("binary data, not text")
        data = data.replace(b"\x00", b"")
    if declared:
        try:
            return _checked(data.decode(_codec(declared)))
        except (LookupError, UnicodeDecodeError):
            pass  # a wrong declaration is common; fall through to detection
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:  # the common case: the text's UTF-8 bytes are `data`, no need to encode it again
        return _checked(text, data if len(data) <= _CHECKED_CHARS else None)
    mostly_utf8 = _mostly_utf8(data)
    if mostly_utf8 is not None:
        return _checked(mostly_utf8)
    western = _western(data)
    if western is not None:
        return _checked(western)
    from charset_normalizer import from_bytes

    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        try:
            return _checked(data.decode(best.encoding))
        except (LookupError, UnicodeDecodeError):
            pass
    raise ExtractError("cannot decode: not UTF-8 and no character set detected")


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xf4][\x80-\xbf]{1,3}")


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a truncated download, a bad copy): keep it
    as UTF-8 and mark the broken bytes, rather than read it all as cp1252."""
    if not _UTF8_MULTIBYTE.search(data):
        return None
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return text if bad <= max(2, len(text) // 200) else None


def _western(data: bytes) -> str | None:
    """Windows-1252 (a superset of printable Latin-1) when the result reads as
    Western European text; short German or French texts fool statistical
    detectors, while cp1252 mojibake of other scripts is mostly non-ASCII letters."""
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        return None
    letters = [c for c in text[:100_000] if c.isalpha()]
    if not letters:
        return None
    non_ascii = sum(1 for c in letters if ord(c) > 127)
    return text if non_ascii <= 0.3 * len(letters) else None


def _codec(name: str) -> str:
    name = name.strip().strip("'\"").lower()
    if name in ("iso-8859-1", "latin-1", "latin1", "us-ascii", "ascii"):
        return "cp1252"  # what browsers do, per the WHATWG encoding standard
    return codecs.lookup(name).name


def _utf16_without_bom(data: bytes) -> str | None:
    even, odd = data[0::2], data[1::2]
    if len(data) < 4:
        return None
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        codec = "utf-16-le"
    elif even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        codec = "utf-16-be"
    else:
        return None
    return data.decode(codec, errors="replace")


_BAD_BYTES = bytes([*range(0x00, 0x09), 0x0b, *range(0x0e, 0x20)])  # `_BAD_CHARS` but U+FFFD


def _bad_chars(sample: str) -> int:
    """How many characters of `_BAD_CHARS` `sample` holds, counted on its UTF-8
    bytes at C speed: those controls are their own bytes there, U+FFFD is EF BF BD."""
    return _bad_bytes(sample.encode("utf-8", "surrogatepass"))


def _bad_bytes(data: bytes) -> int:
    return len(data) - len(data.translate(None, _BAD_BYTES)) + data.count(b"\xef\xbf\xbd")


_CHECKED_CHARS = 100_000  # characters looked at for binary data


def _checked(text: str, utf8: bytes | None = None) -> str:
    """`text` unless it looks binary or holds nothing; `utf8`, when given, is the UTF-8
    encoding of the whole `text` (a text of at most `_CHECKED_CHARS` characters)."""
    sample = text[:_CHECKED_CHARS]
    bad = _bad_chars(sample) if utf8 is None else _bad_bytes(utf8)
    if sample and bad > max(2, len(sample) // 50):
        raise ExtractError("binary data, not text")
    if not text or text.isspace():
        raise ExtractError("empty: only whitespace")
    return text


def clean_text(text: str) -> str:
    """NFC, Unix newlines, no NULs: a stable text that offsets can point into."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    return unicodedata.normalize("NFC", text)


LANG_SAMPLE = 400  # characters; py3langid's cost is linear in them. On the labelled corpus
# (80 documents), the 157 extraction-benchmark bodies (12 languages) and 2,000 synthetic
# articles, 400 give the same answers as 3,000, at less than half the cost of 1,000


def detect_lang(text: str) -> str | None:
    sample = text[:LANG_SAMPLE]
    letters = 0
    for c in sample:  # stop counting at 20: this runs once per document
        if c.isalpha():
            letters += 1
            if letters >= 20:
                break
    else:
        return None
    from .langid import classify

    return classify(sample)


def extract(source: Source, max_chars: int = MAX_TEXT_CHARS) -> Document:
    """A `Document` from any source; `ExtractError` (one-line reason) when unusable
    or when its text is longer than `max_chars`."""
    if source.kind == "html":
        from .extract_html import extract_html

        doc = extract_html(source)
        check_size(len(doc.text), max_chars)
        return doc
    return extract_text(source, max_chars)


def check_size(chars: int, max_chars: int) -> None:
    if chars > max_chars:
        raise ExtractError(f"too large: {chars:,} characters of text, the limit is "
                           f"{max_chars:,} (--max-chars)")


def extract_text(source: Source, max_chars: int = MAX_TEXT_CHARS) -> Document:
    text = clean_text(decode(source.data, source.charset))
    if not text.strip():  # e.g. a BOM followed by NULs only
        raise ExtractError("empty: no text")
    check_size(len(text), max_chars)
    title = source.title or first_line(text)
    if title and len(title) > 300:
        title = title[:300].rsplit(" ", 1)[0] + "…"
    return Document(
        id=document_id(source.data), origin=source.origin, text=text, body=text,
        title=title, url=source.url, domain=registered_domain(source.url),
        lang=detect_lang(text), meta=dict(source.meta),
    )


_NON_SPACE = re.compile(r"\S")  # `\s` is `str.isspace` for str patterns, as `strip` uses


def first_line(text: str) -> str | None:
    """The first line that is not blank, stripped (None when there is none): found by one
    search for a non-space character instead of splitting the whole text into lines."""
    m = _NON_SPACE.search(text)
    if m is None:
        return None
    end = text.find("\n", m.start())
    return text[text.rfind("\n", 0, m.start()) + 1:end if end >= 0 else len(text)].strip()


def registered_domain(url: str | None) -> str | None:
    if not url:
        return None
    return _extractor()(url).top_domain_under_public_suffix or None


_EXTRACTOR = None


def _extractor():  # type: ignore[no-untyped-def]
    """tldextract with its bundled suffix list: never fetched at run time."""
    global _EXTRACTOR
    if _EXTRACTOR is None:
        import tldextract

        _EXTRACTOR = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    return _EXTRACTOR
