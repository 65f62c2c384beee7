"""Turn SOURCE arguments into `Source` records (bytes plus origin) or `Failure`s.

Nothing here raises for a bad source: a file that cannot be read becomes a
`Failure` with a one-line reason and the walk goes on.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .model import Failure, Source

MAX_BYTES = 20 * 1024 * 1024  # per document, before decoding
TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def iter_sources(specs: list[str], stdin: BinaryIO | None = None,
                 max_bytes: int = MAX_BYTES) -> Iterator[Source | Failure]:
    """Sources in the order given; folders are walked recursively in sorted order."""
    for spec in specs:
        if spec == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            data = stream.read(max_bytes + 1)
            if len(data) > max_bytes:
                yield Failure("-", f"too large: over {max_bytes // (1024 * 1024)} MB")
            else:
                yield Source(origin="-", data=data, kind=sniff_kind("-", data))
            continue
        if spec.startswith(("http://", "https://")):
            yield Failure(spec, "URLs are not supported by this build")
            continue
        path = Path(spec)
        if path.is_dir():
            yield from _walk(path, max_bytes)
        elif path.exists():
            yield read_file(path, spec, max_bytes)
        else:
            yield Failure(spec, "no such file or folder")


def _walk(root: Path, max_bytes: int) -> Iterator[Source | Failure]:
    seen_dirs: set[tuple[int, int]] = set()

    def walk(folder: Path) -> Iterator[Source | Failure]:
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
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                yield from walk(path)
            elif path.suffix.lower() in TEXT_SUFFIXES | HTML_SUFFIXES:
                yield read_file(path, str(path), max_bytes)

    yield from walk(root)


def read_file(path: Path, origin: str, max_bytes: int = MAX_BYTES) -> Source | Failure:
    try:
        size = path.stat().st_size
        if size > max_bytes:
            return Failure(origin, f"too large: {size / 1048576:.1f} MB, the limit is "
                                   f"{max_bytes / 1048576:.0f} MB")
        data = path.read_bytes()
    except PermissionError:
        return Failure(origin, "permission denied")
    except IsADirectoryError:
        return Failure(origin, "is a folder")
    except OSError as exc:
        return Failure(origin, f"cannot read: {exc.strerror or exc}")
    return Source(origin=origin, data=data, kind=sniff_kind(origin, data))


def sniff_kind(origin: str, data: bytes) -> str:
    """HTML by suffix, else by the first bytes; everything else is text."""
    suffix = Path(origin).suffix.lower()
    if suffix in HTML_SUFFIXES:
        return "html"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:256]:
        return "html"
    return "text"
