"""Synthetic news corpora with planted copies, for tests/test_reuse.py and bench/reuse.py.

Articles are random sentences over a Zipf-distributed pseudo-German vocabulary,
published on sites whose pages carry the same navigation, cookie notice and
legal footer. Press releases carry a SeaPRwire dateline and disclaimer; copies
of them are planted whole, in part, lightly edited, with the disclaimer removed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from itertools import accumulate

_SYLLABLES = ("ba", "be", "di", "do", "fa", "ge", "ha", "ka", "ke", "la", "le", "li", "ma", "me",
              "na", "ne", "no", "ra", "re", "ri", "sa", "se", "ta", "te", "to", "un", "ver", "ein",
              "sch", "ung", "ter", "ber", "wal", "kon", "stra", "mit", "zu", "al", "or", "ent")
DISCLAIMER = ("Der Artikel wird von einem Drittanbieter bereitgestellt. SeaPRwire (https://www.seaprwire.com/) "
              "gibt diesbezüglich keine Zusicherungen oder Darstellungen ab.")


def vocabulary(rng: random.Random, size: int = 20000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4))))
    out = sorted(words)
    rng.shuffle(out)
    return out


@dataclass
class Writer:
    seed: int = 1
    rng: random.Random = field(init=False)
    words: list[str] = field(init=False)
    cum: list[float] = field(init=False)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.words = vocabulary(self.rng)
        self.cum = list(accumulate(1 / (r + 1) ** 1.05 for r in range(len(self.words))))

    def sentence(self) -> str:
        n = self.rng.randint(8, 20)
        ws = self.rng.choices(self.words, cum_weights=self.cum, k=n)
        return ws[0].capitalize() + " " + " ".join(ws[1:]) + "."

    def paragraph(self) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(2, 4)))

    def article(self, paragraphs: int) -> list[str]:
        return [self.paragraph() for _ in range(paragraphs)]

    def edit(self, paragraph: str, every: int = 15) -> str:
        """A light edit: one word in `every` replaced."""
        out = []
        for i, w in enumerate(paragraph.split(" ")):
            out.append(self.rng.choice(self.words) if i % every == every - 1 else w)
        return " ".join(out)


def site_chrome(site: int) -> tuple[list[str], list[str]]:
    """Lines before and after the article on every page of one site."""
    head = [f"Startseite | Politik | Wirtschaft | Kultur | Sport | Seite{site}",
            "Wir verwenden Cookies, um Ihnen ein optimales Webseiten-Erlebnis zu bieten. "
            "Mit der Nutzung der Seite stimmen Sie der Verwendung zu."]
    tail = [f"Alle Rechte vorbehalten. Verlag {site} GmbH | Impressum | Datenschutz | Kontakt",
            "Teilen auf Facebook | Teilen auf X | Per E-Mail senden"]
    return head, tail


@dataclass
class Planted:
    copy: str
    source: str
    kind: str
    copied: list[str]  # the copied paragraphs as they stand in the copy


def corpus(n: int, sites: int = 20, press_releases: int | None = None, seed: int = 1,
           paragraphs: tuple[int, int] = (3, 6)) -> tuple[dict[str, str], list[Planted]]:
    """`n` articles, a few percent press releases, each copied once in one of four ways."""
    w = Writer(seed)
    rng = w.rng
    docs: dict[str, str] = {}
    planted: list[Planted] = []
    pr_count = press_releases if press_releases is not None else max(4, n // 50)
    kinds = ("whole", "partial", "edited", "disclaimer-kept")
    prs: list[tuple[str, list[str]]] = []
    for i in range(pr_count):
        body = w.article(rng.randint(*paragraphs))
        name = f"pr{i:06d}.txt"
        docs[name] = "\n\n".join([w.sentence()[:-1], "(SeaPRwire) – " + body[0], *body[1:], DISCLAIMER])
        prs.append((name, body))
    for i in range(n - len(docs)):
        site = rng.randrange(sites)
        head, tail = site_chrome(site)
        title = w.sentence()[:-1]
        own = w.article(rng.randint(*paragraphs))
        name = f"a{i:06d}.txt"
        if i < 2 * pr_count:
            src, body = prs[i % pr_count]
            kind = kinds[i % len(kinds)]
            if kind == "whole":
                copied = list(body)
                main = [copied[0]] + copied[1:]
            elif kind == "partial":
                copied = body[:2] if len(body) > 2 else body[:1]
                main = own[:1] + copied + own[1:]
            elif kind == "edited":
                copied = [w.edit(p) for p in body]
                main = copied
            else:
                copied = list(body)
                main = ["(SeaPRwire) – " + body[0], *body[1:], DISCLAIMER]
            planted.append(Planted(name, src, kind, copied))
        else:
            main = own
        docs[name] = "\n\n".join([*head, title, *main, *tail])
    return docs, planted
