"""Trafilatura's extraction alone over a folder of HTML pages, for comparison.

    python bench/trafilatura_alone.py HTML_DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

import trafilatura


def main() -> None:
    for path in sorted(Path(sys.argv[1]).glob("*.html")):
        trafilatura.extract(path.read_bytes(), fast=True, include_comments=False)


if __name__ == "__main__":
    main()
