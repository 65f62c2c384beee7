"""The floor: the least any audit of these files must do, to compare the real one with.

Reads the same files, matches the same literal phrases (every phrase rule of
the packs and every outlet name and alias) with one Aho-Corasick automaton,
and inserts the (whole-word) matches into SQLite in one transaction. No language id, no
patterns, no verdicts: what is left is reading, one scan and one write.

    python bench/floor.py CORPUS_DIR DB [--rules DIR]...
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import tomllib
from collections.abc import Iterator
from pathlib import Path

import ahocorasick_rs


def phrases(dirs: list[Path]) -> list[str]:
    out: set[str] = set()
    for folder in dirs:
        for path in sorted(folder.glob("*.toml")):
            data = tomllib.loads(path.read_text("utf-8"))
            for rule in data.get("rules", []):
                if rule.get("kind") == "phrase":
                    out.update(p.lower() for p in rule["phrases"])
            for outlet in data.get("outlets", []):
                names = [outlet["name"], *outlet.get("aliases", []), *outlet.get("strict_aliases", [])]
                out.update(n.lower() for n in names)
    return sorted(out)


def whole_word(text: str, s: int, e: int) -> bool:
    """Phrases match whole words only, as in the audit."""
    if s > 0 and text[s].isalnum() and text[s - 1].isalnum():
        return False
    return not (e < len(text) and text[e - 1].isalnum() and text[e].isalnum())


def files(root: Path) -> Iterator[Path]:
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in sorted(names):
            yield Path(folder, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("db", type=Path)
    ap.add_argument("--rules", type=Path, action="append", default=[])
    args = ap.parse_args()
    builtin = Path(__file__).resolve().parent.parent / "rules"
    keys = phrases([builtin, *args.rules])
    ac = ahocorasick_rs.AhoCorasick(keys)
    conn = sqlite3.connect(args.db, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("CREATE TABLE IF NOT EXISTS matches (path TEXT, phrase TEXT, start INT, \"end\" INT)")
    conn.execute("BEGIN")
    for path in files(args.corpus):
        text = path.read_bytes().decode("utf-8", errors="replace").lower()
        conn.executemany("INSERT INTO matches VALUES (?, ?, ?, ?)",
                         [(str(path), keys[i], s, e)
                          for i, s, e in ac.find_matches_as_indexes(text, overlapping=True)
                          if whole_word(text, s, e)])
    conn.execute("COMMIT")
    conn.close()


if __name__ == "__main__":
    main()
