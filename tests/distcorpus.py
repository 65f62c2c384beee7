"""A generated corpus for the distributed tests and bench/dask_speedup.py.

Articles are stitched from the seed articles' own paragraphs plus typical
provenance phrases (agency credits, citations, calls to action, residue), so
that every document has a different mix of markers. Deterministic by seed.
"""

from __future__ import annotations

import random
from pathlib import Path

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

PHRASES = [
    "BERLIN (dpa) - Die Regierung hat am Montag neue Zahlen vorgelegt.",
    "PARIS (Reuters) - The minister said the talks would continue next week.",
    "Laut Reuters hat das Unternehmen seine Prognose gesenkt.",
    "The official told the BBC that no decision had been taken.",
    "In an interview with Kyodo, the spokesperson declined to comment.",
    "Nach Informationen des Spiegel ist der Vertrag bereits unterschrieben.",
    "Mit Material von AFP",
    "Foto: dpa",
    "Photo: Reuters",
    "Sign up for our newsletter",
    "Jetzt spenden!",
    "Unterstützen Sie unseren Journalismus.",
    "Folgen Sie uns auf Telegram",
    "nach oben",
    "Für Sie ausgewählt",
    "Read more",
    "According to sources familiar with the matter, the deal is close.",
    "Berichten zufolge soll der Plan noch im Herbst vorgestellt werden.",
    "A spokesperson for the Ministry of Finance confirmed the figures.",
    "© 2024 The Associated Press. All rights reserved.",
]


def paragraphs() -> list[str]:
    out: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out.extend(p.strip() for p in text.split("\n") if len(p.strip()) > 40)
    return out


def make_corpus(folder: Path, n: int, seed: int = 7, bad: bool = True) -> list[Path]:
    """Write `n` distinct articles in nested sub-folders (plus a few bad files)."""
    rng = random.Random(seed)
    paras = paragraphs()
    written: list[Path] = []
    for i in range(n):
        sub = folder / f"batch{i % 7}" / f"day{i % 3}"
        sub.mkdir(parents=True, exist_ok=True)
        body = rng.sample(paras, k=min(len(paras), rng.randint(3, 8)))
        extra = rng.sample(PHRASES, k=rng.randint(0, 5))
        rest = body + extra
        rng.shuffle(rest)
        lines = [f"Article {i}: {rng.choice(paras)[:60]}", *rest]
        path = sub / f"article{i:05d}.txt"
        path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
        written.append(path)
    if bad:
        (folder / "empty.txt").write_bytes(b"")
        (folder / "binary.txt").write_bytes(bytes(range(256)) * 10)
        (folder / "notes.csv").write_text("not,an,article\n")
        (folder / ".hidden.txt").write_text("hidden files are skipped\n")
    return written
