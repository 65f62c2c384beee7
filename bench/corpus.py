"""Synthetic, deterministic benchmark inputs: news-like articles and extra phrase rules.

No network and no data files: articles are composed from German and English
sentence templates, with outlet names, agency credits, wire disclaimers, calls
to action and scraping residue sprinkled in at realistic rates, so that the
audit finds markers of every kind. The same seed always gives the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

OUTLETS = [
    "Reuters", "AFP", "dpa", "Bloomberg", "BBC", "CNN", "The New York Times", "Washington Post",
    "Financial Times", "The Guardian", "Der Spiegel", "Süddeutsche Zeitung", "FAZ", "Die Zeit",
    "Handelsblatt", "Tagesschau", "ZDF", "Deutsche Welle", "Politico", "Axios", "Al Jazeera",
    "Kyodo", "Xinhua", "TASS", "Interfax", "NZZ", "Le Monde", "El País", "NPR", "Fox News",
]
AGENCIES = ["dpa", "AFP", "Reuters", "AP", "KNA", "epd", "APA", "EFE"]
PEOPLE = [
    "Anna Schneider", "Markus Weber", "Julia Hoffmann", "Thomas Becker", "Sarah Klein",
    "John Miller", "Emily Carter", "David Brown", "Laura Wilson", "Michael Lee",
    "Olaf Scholz", "Ursula von der Leyen", "Emmanuel Macron", "Jens Stoltenberg",
]
CITIES_DE = ["Berlin", "Hamburg", "München", "Köln", "Frankfurt", "Leipzig", "Dresden", "Wien", "Zürich"]
CITIES_EN = ["London", "Washington", "New York", "Brussels", "Paris", "Tokyo", "Sydney", "Toronto"]
TOPICS_DE = ["Haushalt", "Energiewende", "Bahnstreik", "Wohnungsbau", "Rentenreform", "Klimaschutz",
             "Digitalisierung", "Migration", "Inflation", "Verteidigung", "Gesundheitsreform"]
TOPICS_EN = ["budget", "energy transition", "rail strike", "housing", "pension reform", "climate policy",
             "digital services", "migration", "inflation", "defence spending", "health care"]
ORGS_DE = ["die Bundesregierung", "der Stadtrat", "die Gewerkschaft", "der Verband", "die Kommission",
           "das Unternehmen", "die Opposition", "der Landtag"]
ORGS_EN = ["the government", "the city council", "the union", "the association", "the commission",
           "the company", "the opposition", "parliament"]

SENTENCES_DE = [
    "{org} hat am {day} neue Pläne zum Thema {topic} vorgestellt.",
    "Nach Angaben von {person} sollen die Maßnahmen bereits im kommenden Jahr greifen.",
    "Kritiker bemängeln, dass die Finanzierung von {number} Millionen Euro nicht gesichert sei.",
    "In {city} versammelten sich am Abend rund {number} Menschen zu einer Kundgebung.",
    "{person} sagte, man werde die Vorschläge sorgfältig prüfen und zeitnah entscheiden.",
    "Die Debatte über {topic} dürfte die kommenden Wochen prägen.",
    "Experten rechnen mit Mehrkosten von etwa {number} Prozent gegenüber dem Vorjahr.",
    "Laut {outlet} liegt ein entsprechender Entwurf bereits vor.",
    "Wie {outlet} berichtete, ist eine Einigung bis zum Sommer möglich.",
    "Berichten zufolge gab es innerhalb der Koalition erheblichen Widerstand.",
    "Das erfuhr die Zeitung aus Regierungskreisen.",
    "Die Opposition forderte eine Sondersitzung des Ausschusses.",
    "Der Vorschlag stieß bei {org} auf gemischte Reaktionen.",
    "Im Gespräch mit {outlet} kündigte {person} weitere Schritte an.",
    "Bis Ende {month} soll ein Gesetzentwurf vorliegen, hieß es weiter.",
    "Die Zahl der Betroffenen stieg im {month} auf {number}.",
]
SENTENCES_EN = [
    "{org} unveiled new plans on {topic} on {day}.",
    "According to {person}, the measures are expected to take effect next year.",
    "Critics say the funding of {number} million dollars has not been secured.",
    "Around {number} people gathered in {city} on Tuesday evening.",
    "{person} said the proposals would be reviewed carefully and decided on soon.",
    "The debate over {topic} is likely to dominate the coming weeks.",
    "Analysts expect costs to rise by about {number} percent compared with last year.",
    "{person} told {outlet} that a draft was already on the table.",
    "As {outlet} reported, an agreement could be reached by the summer.",
    "The minister reportedly faced strong resistance within the coalition.",
    "People familiar with the matter said talks had stalled.",
    "The opposition demanded an emergency session of the committee.",
    "The proposal drew mixed reactions from {org}.",
    "In an interview with {outlet}, {person} announced further steps.",
    "A bill is due by the end of {month}, officials said.",
    "The number of people affected rose to {number} in {month}.",
]
MONTHS_DE = ["Januar", "März", "Mai", "Juli", "September", "November"]
MONTHS_EN = ["January", "March", "May", "July", "September", "November"]
DAYS_DE = ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag"]
DAYS_EN = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]

CTA_DE = ["Jetzt spenden", "Unterstützen Sie unsere Arbeit", "Abonnieren Sie unseren Newsletter",
          "Mitglied werden", "Folgen Sie uns auf Telegram"]
CTA_EN = ["Support our journalism", "Sign up for our newsletter", "Subscribe now", "Donate now",
          "Follow us on Twitter"]
RESIDUE_DE = ["nach oben", "Für Sie ausgewählt", "Mehr zum Thema", "Teilen"]
RESIDUE_EN = ["Read more", "Related articles", "Share this article", "Advertisement"]
WIRE = [
    "{city} (SeaPRwire) - {org} announced a new partnership today.",
    "{city}, {month} 3, 2024 /PRNewswire/ -- {org} today announced quarterly results.",
    "{city}--(BUSINESS WIRE)--{org} today announced a new product line.",
    "{city} (ots) - {org} teilt mit, dass die Arbeiten abgeschlossen sind.",
]


def article(rng: random.Random, n: int) -> str:
    """One article of roughly 2.5-3.5 kB, German or English."""
    de = rng.random() < 0.5
    sentences = SENTENCES_DE if de else SENTENCES_EN
    topics, orgs = (TOPICS_DE, ORGS_DE) if de else (TOPICS_EN, ORGS_EN)
    cities, months, days = (CITIES_DE, MONTHS_DE, DAYS_DE) if de else (CITIES_EN, MONTHS_EN, DAYS_EN)

    plain = [t for t in sentences if "{outlet}" not in t]
    citing = [t for t in sentences if "{outlet}" in t]

    def pick() -> str:
        return rng.choice(citing if rng.random() < 0.08 else plain)

    def fill(template: str) -> str:
        text = template.format(
            org=rng.choice(orgs), topic=rng.choice(topics), person=rng.choice(PEOPLE),
            city=rng.choice(cities), outlet=rng.choice(OUTLETS), month=rng.choice(months),
            day=rng.choice(days), number=rng.randint(2, 9000))
        return text[0].upper() + text[1:]

    topic = rng.choice(topics)
    title = (f"{topic}: {rng.choice(orgs).capitalize()} legt Pläne vor ({n})" if de
             else f"{topic.capitalize()}: {rng.choice(orgs).capitalize()} unveils plans ({n})")
    lines = [title, ""]
    roll = rng.random()
    first = fill(pick())
    if roll < 0.04:
        first = fill(rng.choice(WIRE))
    elif roll < 0.30:
        first = f"{rng.choice(cities)} ({rng.choice(AGENCIES)}) - {first}"
    lines.append(first)
    size = len(first)
    target = rng.randint(2400, 3400)
    while size < target:
        para = " ".join(fill(pick()) for _ in range(rng.randint(2, 4)))
        lines.append(para)
        size += len(para) + 1
        if rng.random() < 0.05:
            extra = rng.choice(RESIDUE_DE if de else RESIDUE_EN)
            lines.append(extra)
            size += len(extra) + 1
    if rng.random() < 0.25:
        lines.append(("Foto: " if de else "Photo: ") + rng.choice(AGENCIES))
    if rng.random() < 0.30:
        lines.append(rng.choice(CTA_DE if de else CTA_EN))
    if rng.random() < 0.10:
        lines.append(title)
    return "\n".join(lines) + "\n"


def write_corpus(out: Path, n: int, seed: int = 7, per_folder: int = 1000) -> Path:
    """`n` articles as UTF-8 .txt files in sub-folders of `per_folder`; returns `out`."""
    rng = random.Random(seed)
    for i in range(n):
        folder = out / f"{i // per_folder:04d}"
        if i % per_folder == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"{i:06d}.txt").write_text(article(rng, i), encoding="utf-8")
    return out


_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "ta", "ve", "zi", "sch", "ber", "gen", "ung", "ter",
              "lan", "dor", "fel", "ish", "ent", "ro", "ma"]


def _pseudo_word(rng: random.Random) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))


def write_rules(out: Path, m: int, seed: int = 11) -> Path:
    """A pack `bench-extra.toml` of `m` phrase rules in the contract's minimal form.

    Most phrases are invented words that never match (as most rules of a big
    pack never fire on a given text); one in fifty is a real word pair from
    the corpus templates, so the extra rules do produce some markers.
    """
    rng = random.Random(seed)
    real = [w for s in SENTENCES_DE + SENTENCES_EN for w in s.split() if w.isalpha() and len(w) > 4]
    out.mkdir(parents=True, exist_ok=True)
    parts = ['[pack]\nid = "bench-extra"\nversion = "1.0.0"\nlanguages = ["de", "en"]\n']
    for i in range(m):
        phrases = []
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.02:
                phrases.append(f"{rng.choice(real)} {rng.choice(real)}")
            else:
                phrases.append(" ".join(_pseudo_word(rng) for _ in range(rng.randint(1, 3))))
        quoted = ", ".join(f'"{p}"' for p in phrases)
        parts.append(f'[[rules]]\nid = "bench-extra.r{i:05d}"\nkind = "phrase"\n'
                     f'category = "boilerplate"\nentity = "newsletter"\nphrases = [{quoted}]\n')
    (out / "bench-extra.toml").write_text("\n".join(parts), encoding="utf-8")
    return out


if __name__ == "__main__":
    import sys

    write_corpus(Path(sys.argv[1]), int(sys.argv[2]))
