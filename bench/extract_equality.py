"""Does a change to HTML extraction change its output? Page by page, field by field.

Extracts the 157 pages of the extraction benchmark (no URL, as in
bench/extraction.py) and the HTML pages of the labelled corpus (with their
original URL, as `bench/evaluate.py --urls` does) twice: with this checkout's
code and with another checkout's (default: `main`, checked out in a temporary
git worktree). Each side runs in its own subprocess so the two `provenance`
packages never mix. Every `Document` field is compared: text, body, title,
url, domain, lang, blocks (kinds and spans), links, meta, or the failure reason.

Usage: python bench/extract_equality.py [--base REF | --base-dir DIR] [--show 5]
Exit status 1 when any page differs.
"""

from __future__ import annotations

import argparse
import gzip
import json
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = next((p / "shared" for p in (ROOT.parent, ROOT.parent.parent)
               if (p / "shared" / "extraction-benchmark").is_dir()), ROOT.parent / "shared")
FIELDS = ("text", "body", "title", "url", "domain", "lang", "blocks", "links", "meta")


def pages(shared: Path) -> list[tuple[str, bytes, str | None]]:
    """(name, bytes, url) of every page to compare."""
    out: list[tuple[str, bytes, str | None]] = []
    for path in sorted((shared / "extraction-benchmark" / "html").glob("*.html.gz")):
        out.append((f"bench/{path.name}", gzip.decompress(path.read_bytes()), None))
    corpus = shared / "corpus"
    labels = corpus / "labels.jsonl"
    if labels.is_file():
        sys.path.insert(0, str(ROOT / "bench"))
        from evaluate import original_url

        for line in labels.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            label = json.loads(line)
            if label["doc"].lower().endswith((".html", ".htm")):
                out.append((f"corpus/{label['doc']}", (corpus / label["doc"]).read_bytes(),
                            original_url(label)))
    return out


def extract_all(pages_file: str, out_file: str) -> None:
    """Run in a subprocess whose `sys.path` starts at the checkout to measure."""
    from provenance.extract import ExtractError, extract
    from provenance.model import Source

    with open(pages_file, "rb") as fh:
        todo = pickle.load(fh)
    results: dict[str, Any] = {}
    for name, data, url in todo:
        try:
            doc = extract(Source(origin=name.rsplit("/", 1)[-1], data=data, kind="html", url=url))
        except ExtractError as exc:
            results[name] = {"failure": str(exc)}
            continue
        results[name] = {f: _plain(getattr(doc, f)) for f in FIELDS}
    with open(out_file, "wb") as fh:
        pickle.dump(results, fh)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    return value


def _run_side(checkout: Path, pages_file: str, out_file: str) -> dict[str, Any]:
    code = (f"import sys; sys.path.insert(0, {str(checkout)!r}); "
            f"sys.path.insert(1, {str(ROOT / 'bench')!r}); "
            f"import extract_equality as e; e.extract_all({pages_file!r}, {out_file!r})")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=checkout)
    with open(out_file, "rb") as fh:
        return pickle.load(fh)


def _first_difference(a: Any, b: Any) -> str:
    if isinstance(a, str) and isinstance(b, str):
        i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
        return f"at {i}: base {a[max(0, i - 40):i + 60]!r} / new {b[max(0, i - 40):i + 60]!r}"
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"length {len(a)} -> {len(b)}"
        i = next(i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y)
        return f"item {i}: {a[i]!r} -> {b[i]!r}"
    if isinstance(a, dict) and isinstance(b, dict):
        keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
        return "; ".join(f"{k}: {a.get(k)!r} -> {b.get(k)!r}" for k in keys)[:400]
    return f"{a!r} -> {b!r}"[:400]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", default="main", help="git ref to compare against")
    ap.add_argument("--base-dir", type=Path, help="an existing checkout to compare against")
    ap.add_argument("--shared", type=Path, default=SHARED)
    ap.add_argument("--show", type=int, default=5, help="differences shown per field")
    args = ap.parse_args()

    todo = pages(args.shared)
    with tempfile.TemporaryDirectory() as tmp:
        pages_file = str(Path(tmp) / "pages.pickle")
        with open(pages_file, "wb") as fh:
            pickle.dump(todo, fh)
        base_dir = args.base_dir
        if base_dir is None:
            base_dir = Path(tmp) / "base"
            subprocess.run(["git", "worktree", "add", "--detach", str(base_dir), args.base],
                           check=True, cwd=ROOT, capture_output=True)
        try:
            base = _run_side(base_dir, pages_file, str(Path(tmp) / "base.pickle"))
            new = _run_side(ROOT, pages_file, str(Path(tmp) / "new.pickle"))
        finally:
            if args.base_dir is None:
                subprocess.run(["git", "worktree", "remove", "--force", str(base_dir)],
                               cwd=ROOT, capture_output=True)
    differing: dict[str, list[str]] = {}
    for name, _, _ in todo:
        a, b = base[name], new[name]
        if a == b:
            continue
        for f in sorted(set(a) | set(b)):
            if a.get(f) != b.get(f):
                differing.setdefault(f, []).append(f"{name}: {_first_difference(a.get(f), b.get(f))}")
    print(f"{len(todo)} pages compared ({sum(1 for n, _, _ in todo if n.startswith('bench/'))} "
          f"benchmark, {sum(1 for n, _, _ in todo if n.startswith('corpus/'))} corpus); "
          f"{len({n for n, _, _ in todo if base[n] != new[n]})} differ")
    for f, lines in differing.items():
        print(f"- {f}: {len(lines)} pages")
        for line in lines[:args.show]:
            print(f"    {line}")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
