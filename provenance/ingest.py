"""Turn SOURCE arguments into `Source` records (bytes plus origin) or `Failure`s.

Sources: files (text, HTML, JSON Lines, WARC), folders walked recursively
(with include/exclude globs), http(s) URLs (fetched politely, see `fetch`, or
read back from stored snapshots when offline) and `-` for standard input.
Nothing here raises for a bad source: it becomes a `Failure` with a one-line
reason and the walk goes on.
"""

from __future__ import annotations

import gzip
import json
import os
import sys
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from pathlib import Path
from typing import Any, BinaryIO

from .model import Failure, Source

MAX_BYTES = 20 * 1024 * 1024  # per document, before decoding
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_KNOWN_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES


def _suffix(name: str) -> str:
    """`Path(name).suffix`, without building a Path for every file of a big folder."""
    i = name.rfind(".")
    return name[i:] if 0 < i < len(name) - 1 else ""
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
WARC_SUFFIXES = (".warc", ".warc.gz")
URL_BATCH = 32  # URLs fetched in parallel at a time; keeps memory bounded


@dataclass
class IngestOptions:
    """How sources are read; the defaults are those of `provenance audit`."""

    include: tuple[str, ...] = ()   # globs a file in a folder must match (name or relative path)
    exclude: tuple[str, ...] = ()   # globs that drop files and folders
    max_bytes: int = MAX_BYTES
    offline: bool = False           # URLs come from stored snapshots, never from the network
    fetch: Any = None               # fetch.FetchOptions; None means the defaults
    on_snapshot: Callable[[Any], None] | None = None       # called with each fresh fetch
    find_snapshot: Callable[[str], Any] | None = None      # URL -> stored Snapshot or None
    transport: Any = field(default=None, repr=False)       # an httpx transport, for tests


def iter_sources(specs: list[str], stdin: BinaryIO | None = None,
                 max_bytes: int = MAX_BYTES,
                 options: IngestOptions | None = None) -> Iterator[Source | Failure]:
    """Sources in the order given; folders are walked recursively in sorted order."""
    opts = options or IngestOptions(max_bytes=max_bytes)
    urls: list[str] = []
    fetcher = None
    try:
        for spec in specs:
            if spec.startswith(("http://", "https://")):
                urls.append(spec)
                if len(urls) >= URL_BATCH:
                    fetcher = fetcher or _fetcher(opts)
                    yield from _urls(urls, opts, fetcher)
                    urls = []
                continue
            if urls:
                fetcher = fetcher or _fetcher(opts)
                yield from _urls(urls, opts, fetcher)
                urls = []
            yield from _one(spec, stdin, opts)
        if urls:
            fetcher = fetcher or _fetcher(opts)
            yield from _urls(urls, opts, fetcher)
    finally:
        if fetcher is not None:
            fetcher.close()


def read_url_list(path: str | Path) -> list[str]:
    """The URLs of a `--urls` file: one per line; blank lines and # comments skipped."""
    text = Path(path).read_text(encoding="utf-8", errors="replace")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _one(spec: str, stdin: BinaryIO | None, opts: IngestOptions) -> Iterator[Source | Failure]:
    max_bytes = opts.max_bytes
    if spec == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield Failure("-", f"too large: over {max_bytes // (1024 * 1024)} MB")
        else:
            yield Source(origin="-", data=data, kind=sniff_kind("-", data))
        return
    path = Path(spec)
    if path.is_dir():
        yield from _walk(path, max_bytes, opts.include, opts.exclude)
    elif path.exists():
        yield from _file(path, spec, max_bytes)
    else:
        yield Failure(spec, "no such file or folder")


def _fetcher(opts: IngestOptions) -> Any:
    if opts.offline:
        return None
    from .fetch import Fetcher

    return Fetcher(opts.fetch, transport=opts.transport)


def _urls(urls: list[str], opts: IngestOptions, fetcher: Any) -> Iterator[Source | Failure]:
    if opts.offline:
        for url in urls:
            snap = opts.find_snapshot(url) if opts.find_snapshot else None
            yield snap.source(url) if snap is not None else Failure(url, "offline: no stored snapshot")
        return
    for item in fetcher.fetch_all(urls):
        if isinstance(item, Failure):
            yield item
            continue
        if opts.on_snapshot is not None:
            opts.on_snapshot(item)
        yield item.source(item.url)


def _file(path: Path, origin: str, max_bytes: int) -> Iterator[Source | Failure]:
    name = path.name.lower()
    if name.endswith(JSONL_SUFFIXES):
        yield from read_jsonl(path, origin, max_bytes)
    elif name.endswith(WARC_SUFFIXES):
        yield from read_warc(path, origin, max_bytes)
    else:
        yield read_file(path, origin, max_bytes)


def _wanted(rel: str, name: str, include: tuple[str, ...], known: bool) -> bool:
    if include:
        return any(fnmatch(name, g) or fnmatch(rel, g) for g in include)
    return known


def _excluded(rel: str, name: str, exclude: tuple[str, ...]) -> bool:
    return any(fnmatch(name, g) or fnmatch(rel, g) for g in exclude)


def walk_folder(root: Path, include: tuple[str, ...] = (),
                exclude: tuple[str, ...] = ()) -> Iterator[Path | Failure]:
    """The files of `root` an audit reads, unread, in order: sorted, hidden names
    skipped, `--include`/`--exclude` globs applied, symbolic-link loops reported.
    The local audit reads them; `distributed` plans tasks from the same list."""
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path) -> Iterator[Path | Failure]:
        try:
            st = folder.stat()
        except OSError as exc:
            yield Failure(str(folder), f"cannot open folder: {exc.strerror or exc}")
            return
        key = (st.st_dev, st.st_ino)
        if key in seen_dirs:
            yield Failure(str(folder), "symbolic-link loop: folder already visited")
            return
        seen_dirs.add(key)
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            yield Failure(str(folder), f"cannot list folder: {exc.strerror or exc}")
            return
        for entry in entries:
            if entry.name.startswith("."):
                continue
            path = Path(entry.path)
            # the relative path only matters to globs
            rel = path.relative_to(root).as_posix() if include or exclude else ""
            if exclude and _excluded(rel, entry.name, exclude):
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(path)
                continue
            lower = entry.name.lower()
            known = (_suffix(lower.removesuffix(".gz")) in _KNOWN_SUFFIXES
                     or lower.endswith(JSONL_SUFFIXES + WARC_SUFFIXES))
            if _wanted(rel, entry.name, include, known):
                yield path

    yield from walk(root)


def _walk(root: Path, max_bytes: int, include: tuple[str, ...] = (),
          exclude: tuple[str, ...] = ()) -> Iterator[Source | Failure]:
    for item in walk_folder(root, include, exclude):
        if isinstance(item, Failure):
            yield item
        else:
            yield from _file(item, str(item), max_bytes)


def read_file(path: Path, origin: str, max_bytes: int = MAX_BYTES) -> Source | Failure:
    try:
        with open(path, "rb") as fh:  # one open for the size check and the read
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return Failure(origin, f"too large: {size / 1048576:.1f} MB, the limit is "
                                       f"{max_bytes / 1048576:.0f} MB")
            data = _gunzip(fh, max_bytes) if path.name.lower().endswith(".gz") else fh.read()
    except _TooLarge:
        return Failure(origin, f"too large: over {max_bytes / 1048576:.0f} MB once decompressed")
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        return Failure(origin, f"not valid gzip: {exc or 'the file ends early'}")
    except PermissionError:
        return Failure(origin, "permission denied")
    except IsADirectoryError:
        return Failure(origin, "is a folder")
    except OSError as exc:
        return Failure(origin, f"cannot read: {exc.strerror or exc}")
    return Source(origin=origin, data=data, kind=sniff_kind(origin, data))


class _TooLarge(Exception):
    pass


def _gunzip(fh: Any, max_bytes: int) -> bytes:
    """A saved page compressed by a crawler (`page.html.gz`), read to at most `max_bytes`:
    a small file can unpack to gigabytes."""
    with gzip.GzipFile(fileobj=fh) as gz:
        data = gz.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _TooLarge
    return data


def sniff_kind(origin: str, data: bytes) -> str:
    """HTML by suffix, else by the first bytes; everything else is text."""
    name = origin.removesuffix(".gz").removesuffix(".GZ")
    base = name.rpartition("/")[2]
    # `Path(name).suffix`, without building a Path per document: the last part is the
    # Path's name unless it is empty or "." (which Path skips)
    suffix = (_suffix(base) if base and base != "." else Path(name).suffix).lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:256]:
        return "html"
    return "text"


NO_ARTICLE = "no 'text' or 'html' field"
NOT_ARTICLES = 20  # records without an article field, none with one: the file holds no articles


def read_jsonl(path: Path, origin: str, max_bytes: int = MAX_BYTES) -> Iterator[Source | Failure]:
    """One article per line: `text` or `html`, optional `url`, `title`, `published`.
    A broken line is a failure of its own; the other lines are still read. A file
    whose first records are JSON objects without an article field (a labels or
    metadata file lying in a folder of articles) is one failure, not one per line."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    n = 0
    seen_article = False
    held: list[Failure] = []  # records without an article field, before any article
    try:
        with opener(path, "rb") as fh:  # type: ignore[operator]
            for n, raw in enumerate(fh, 1):  # noqa: B007
                if not raw.strip():
                    continue
                item = _jsonl_item(raw, f"{origin}:{n}", max_bytes)
                if item is None:
                    continue
                if not seen_article and isinstance(item, Failure) and item.reason == NO_ARTICLE:
                    held.append(item)
                    if len(held) >= NOT_ARTICLES:
                        yield Failure(origin, f"not a file of articles: its first {NOT_ARTICLES} records "
                                              f"have no 'text' or 'html' field; skipped")
                        return
                    continue
                if isinstance(item, Source) and not seen_article:
                    seen_article = True
                    yield from held
                    held = []
                yield item
    except (OSError, EOFError, zlib.error) as exc:
        yield from held
        held = []
        yield Failure(f"{origin}:{n + 1}" if n else origin,
                      f"cannot read: {getattr(exc, 'strerror', None) or exc}")
    yield from held


def _jsonl_item(raw: bytes, origin: str, max_bytes: int) -> Source | Failure | None:
    if len(raw) > max_bytes:
        return Failure(origin, f"too large: over {max_bytes // (1024 * 1024)} MB")
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        return Failure(origin, f"not valid JSON: {getattr(exc, 'msg', exc)}")
    if not isinstance(obj, dict):
        return Failure(origin, "not a JSON object")
    html, text = obj.get("html"), obj.get("text")
    content = html if isinstance(html, str) and html.strip() else text
    if not isinstance(content, str) or not content.strip():
        return Failure(origin, NO_ARTICLE)
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    title = obj.get("title") if isinstance(obj.get("title"), str) else None
    published = obj.get("published") if isinstance(obj.get("published"), str) else None
    meta = {"published": published} if published else {}
    return Source(origin=origin, data=content.encode("utf-8"), kind="html" if content is html else "text",
                  url=url, charset="utf-8", title=title, published=published, meta=meta)


def read_warc(path: Path, origin: str, max_bytes: int = MAX_BYTES) -> Iterator[Source | Failure]:
    """HTML and text response records of a WARC file (needs the `warc` extra).
    A file cut off in the middle (an interrupted crawl) yields its complete
    records, then a failure that says where it ends."""
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        yield Failure(origin, "reading WARC files needs warcio: pip install 'provenance[warc]'")
        return
    n = 0
    try:
        with open(path, "rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response" or record.http_headers is None:
                    continue
                ctype = (record.http_headers.get_header("Content-Type") or "").lower()
                if not ctype.startswith(("text/html", "application/xhtml", "text/plain")):
                    continue
                n += 1
                url = record.rec_headers.get_header("WARC-Target-URI")
                rec_origin = f"{origin}#{n}"
                status = record.http_headers.get_statuscode()
                if not str(status).startswith("2"):
                    yield Failure(rec_origin, f"HTTP {status}")
                    continue
                data = record.content_stream().read(max_bytes + 1)
                if len(data) > max_bytes:
                    yield Failure(rec_origin, f"too large: over {max_bytes // (1024 * 1024)} MB")
                    continue
                if getattr(record.raw_stream, "limit", 0) > 0:  # fewer bytes than its Content-Length
                    yield Failure(rec_origin, "cannot read WARC: the file ends inside this record")
                    continue
                charset = None
                if "charset=" in ctype:
                    charset = ctype.split("charset=", 1)[1].split(";")[0].strip(" '\"")
                kind = "text" if ctype.startswith("text/plain") else "html"
                yield Source(origin=rec_origin, data=data, kind=kind, url=url, charset=charset,
                             content_type=ctype.split(";")[0],
                             meta={"warc": {"date": record.rec_headers.get_header("WARC-Date"),
                                            "status": status}})
    except Exception as exc:  # warcio on hostile bytes raises anything (AttributeError too)
        known = isinstance(exc, OSError | EOFError | ValueError | zlib.error) \
            or type(exc).__name__ == "ArchiveLoadFailed"
        reason = _first_line(exc) if known else f"malformed record ({type(exc).__name__})"
        cut = _gzip_cut(path)
        yield Failure(origin, f"cannot read WARC: the file is cut off after record {n}; what followed "
                              "is missing" if cut else f"cannot read WARC: {reason}")
        return
    if _gzip_cut(path):
        yield Failure(origin, f"cannot read WARC: the file is cut off after record {n}; what followed "
                              "is missing")


def _gzip_cut(path: Path) -> bool:
    """Whether a gzip file ends early. warcio stops quietly at a gzip member cut
    in half, so the records inside it would vanish without this check; reading
    the file once more costs little next to extracting its pages."""
    try:
        with open(path, "rb") as fh:
            if fh.read(2) != b"\x1f\x8b":
                return False
        with gzip.open(path, "rb") as gz:
            while gz.read(1 << 20):
                pass
    except (EOFError, OSError, zlib.error):
        return True
    return False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:200] if text else type(exc).__name__
