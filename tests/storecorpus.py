"""A generated corpus of small, distinct articles with a mix of provenance markers.

Used by the store tests (kill -9, two writers) and bench/store_fts.py: big
enough to interrupt part-way, small enough to audit in seconds.
"""

from __future__ import annotations

import random
from pathlib import Path

OPENERS = [
    "(SeaPRwire) – Ein Unternehmen hat heute eine neue Plattform vorgestellt.",
    "Berlin (dpa) - Die Regierung will das Gesetz noch im Herbst beschließen.",
    "PRAGUE (Reuters) - The central bank kept interest rates on hold on {day}.",
    "Die Stadt plant einen neuen Radweg entlang des Flusses.",
    "The council voted to extend the library's opening hours.",
]
MIDDLES = [
    "Laut Reuters ist die Lage unübersichtlich.",
    "Berichten zufolge gab es mehrere Verletzte.",
    "According to sources, the talks stalled again.",
    "Ein Sprecher des Ministeriums bestätigte die Angaben.",
    "Wie die Nachrichtenagentur AFP berichtet, wurde die Sitzung vertagt.",
    "The mayor said the plan would cost {n} million euros.",
    "Die Kosten liegen bei rund {n} Millionen Euro.",
]
CLOSERS = [
    "Jetzt spenden!",
    "Abonnieren Sie unseren Newsletter.",
    "Folgen Sie uns auf Telegram.",
    "Sign up for our newsletter.",
    "Mit Material von AFP",
    "",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def article(i: int, rng: random.Random) -> str:
    lines = [f"Meldung {i}: {rng.choice(['Wirtschaft', 'Politik', 'Kultur', 'Sport'])}"]
    lines.append(rng.choice(OPENERS).format(day=rng.choice(DAYS)))
    for _ in range(rng.randint(1, 3)):
        lines.append(rng.choice(MIDDLES).format(n=rng.randint(2, 900)))
    lines.append(f"Die Nummer dieser Meldung ist {i}.")
    lines.append(rng.choice(CLOSERS))
    return "\n\n".join(line for line in lines if line) + "\n"


def write_corpus(folder: Path, n: int, seed: int = 6, start: int = 0) -> list[Path]:
    """Write `n` distinct articles to `folder`, numbered from `start`; article i is the same
    in every folder. Returns their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(start, start + n):
        path = folder / f"a{i:05d}.txt"
        path.write_text(article(i, random.Random(seed * 1_000_003 + i)), encoding="utf-8")
        paths.append(path)
    return paths
