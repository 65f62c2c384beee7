"""Cross-article consistency: the same person named with conflicting roles across the corpus.

Copied or recycled text often carries stale titles ("der niederländische
Ministerpräsident Mark Rutte" after he had become NATO's secretary general).
We find appositions "<role phrase> <Firstname Lastname>" with one regular
expression over title words (compounds ending in -präsident, -minister,
-sekretär, -chef, -sprecher, ...; President, Prime Minister, Secretary
General, ...), normalise the role to a key, group by person, and call two
roles of one person a conflict when neither is a generic head ("Chef",
"chief") and neither key ends with the other ("Minister" fits
"Außenminister"). Time-qualified roles ("ehemalige", "former", "Ex-",
"designierte") never conflict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_DE_HEADS = ("präsident", "minister", "sekretär", "chef", "sprecher", "kanzler", "vorsitzende",
             "vorsitzender", "botschafter", "direktor", "leiter", "kommissar", "bürgermeister",
             "gouverneur", "premier", "senator", "abgeordnete", "abgeordneter", "general",
             "admiral", "berater", "beauftragte", "beauftragter", "staatssekretär", "könig",
             "papst", "kardinal", "bischof", "richter", "anwalt", "manager")
_EN_HEADS = ("Prime Minister", "Secretary[- ]General", "Secretary of State", "Secretary of Defen[cs]e",
             "Foreign Secretary", "Home Secretary", "President", "Vice President", "Chancellor",
             "Minister", "Premier", "Senator", "Governor", "Mayor", "Ambassador", "General",
             "Admiral", "Director", "Chairman", "Chairwoman", "Chair", "CEO", "[Cc]hief",
             "[Ss]pokes(?:person|man|woman)", "Commissioner", "King", "Queen", "Pope")
_ARTICLES = ("der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "einen", "eines",
             "einem", "und", "oder", "sowie", "wie", "so", "the", "a", "an", "and", "of", "with",
             "by", "mit", "von", "vom", "zum", "zur", "für", "bei", "als")
_NAME = (r"(?P<name>[A-ZÄÖÜ][a-zäöüßéèáàíóúçñ]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?"
         r"[ \t]+(?:(?:van|von|de|der|den|da|di|du|le|la|al|bin|ibn|ten|ter)[ \t]+)*"
         r"[A-ZÄÖÜ][a-zäöüßéèáàíóúçñ'’]+(?:-[A-ZÄÖÜ][a-zäöüß]+)?)\b")
_NOT_ARTICLE = r"(?!(?i:" + "|".join(_ARTICLES) + r")\b)"
_DE_QUALIFIER = r"(?:" + _NOT_ARTICLE + r"(?:[a-zäöü]\w*(?:e|en|er|es)|[Ee]x)[ \t]+)"
_EN_QUALIFIER = r"(?:" + _NOT_ARTICLE + r"(?:[A-Z][\w.]*|U\.S\.|former|then)[ \t]+)"
_DE_ROLE = r"(?:[\w]+-)*(?=[A-ZÄÖÜ])\w*?(?i:" + "|".join(_DE_HEADS) + r")(?:in|innen)?"
_EN_ROLE = r"(?:" + "|".join(_EN_HEADS) + r")"
_APPOSITION = re.compile(
    rf"(?<![\w-])(?P<role>{_DE_QUALIFIER}{{0,2}}{_DE_ROLE}|{_EN_QUALIFIER}{{0,2}}{_EN_ROLE})"
    rf"[ \t]+{_NAME}")
_TIME = re.compile(r"(?i)\b(?:ehemalig\w*|früher\w*|einstig\w*|designiert\w*|scheidend\w*|"
                   r"künftig\w*|former|then|outgoing|incoming|ex)\b|(?i:\bex-)")
GENERIC = frozenset({"chef", "chief", "head", "leader", "boss", "leiter", "führer", "spitze",
                     "manager", "chair", "chairman", "chairwoman", "director", "direktor"})
CANONICAL = {
    "generalsekretär": "secretary-general", "secretary general": "secretary-general",
    "secretary-general": "secretary-general",
    "ministerpräsident": "prime-minister", "premierminister": "prime-minister",
    "prime minister": "prime-minister", "premier": "prime-minister",
    "präsident": "president", "staatspräsident": "president", "president": "president",
    "bundespräsident": "president",
    "kanzler": "chancellor", "bundeskanzler": "chancellor", "chancellor": "chancellor",
    "außenminister": "foreign-minister", "foreign minister": "foreign-minister",
    "foreign secretary": "foreign-minister", "secretary of state": "foreign-minister",
    "verteidigungsminister": "defence-minister", "defense minister": "defence-minister",
    "defence minister": "defence-minister", "secretary of defense": "defence-minister",
    "secretary of defence": "defence-minister", "defense secretary": "defence-minister",
    "sprecher": "spokesperson", "spokesperson": "spokesperson", "spokesman": "spokesperson",
    "spokeswoman": "spokesperson", "ceo": "chief", "chief executive": "chief",
}
_HEAD_ONLY = re.compile(r"(?i)(?:prime minister|secretary[- ]general|secretary of (?:state|defen[cs]e)|"
                        r"foreign secretary|home secretary|vice president|chief executive)$")


@dataclass(frozen=True)
class Role:
    """One apposition: `snippet` is text[start:end], the role phrase followed by the name."""

    person: str
    role: str
    role_key: str
    former: bool
    start: int
    end: int
    snippet: str


def role_key(role: str) -> str:
    """The head of a role phrase, canonical across spellings and the two languages we know."""
    phrase = " ".join(role.split())
    m = _HEAD_ONLY.search(phrase)
    head = m.group(0) if m else phrase.split()[-1]
    head = head.rsplit("-", 1)[-1] if "-" in head and not m else head
    head = head.lower().replace("secretary-general", "secretary general")
    if head.endswith("innen"):
        head = head[:-5]
    elif head.endswith("in") and head[:-2] in CANONICAL | {h: h for h in _DE_HEADS}:
        head = head[:-2]
    if head.endswith(("vorsitzende", "vorsitzender")):
        head = "vorsitzende"
    return CANONICAL.get(head, head)


# Every role phrase holds one of these words (lower case; German heads end compounds), so
# lines without any of them cannot hold an apposition: one automaton pass finds the lines
# worth the regular expression, which costs a few microseconds at every word start.
_HEAD_WORDS = sorted({*_DE_HEADS, "minister", "secretary", "president", "chancellor", "premier",
                      "senator", "governor", "mayor", "ambassador", "general", "admiral", "director",
                      "chair", "ceo", "chief", "spokes", "commissioner", "king", "queen", "pope"})


@lru_cache(maxsize=1)
def _heads() -> Any:
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(_HEAD_WORDS, matchkind=ahocorasick_rs.MatchKind.LeftmostFirst)


def _candidate_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines holding a head word; the whole text when lower-casing
    changes its length (the positions would not map back)."""
    low = text.lower()
    if len(low) != len(text):
        return [(0, len(text))]
    out: list[tuple[int, int]] = []
    for _, start, _end in _heads().find_matches_as_indexes(low, overlapping=False):
        if out and start < out[-1][1]:
            continue
        end = text.find("\n", start)
        out.append((text.rfind("\n", 0, start) + 1, len(text) if end < 0 else end))
    return out


def find_roles(text: str) -> list[Role]:
    """Every "<role> <Firstname Lastname>" apposition in `text` (appositions never cross a
    line: the pattern joins its words with spaces and tabs only)."""
    out = []
    for line_start, line_end in _candidate_lines(text):
        out.extend(_roles(text, line_start, line_end))
    return out


def _roles(text: str, start: int, end: int) -> list[Role]:
    out = []
    for m in _APPOSITION.finditer(text, start, end):
        role = " ".join(m.group("role").split())
        out.append(Role(person=" ".join(m.group("name").split()), role=role, role_key=role_key(role),
                        former=bool(_TIME.search(role)), start=m.start(), end=m.end(),
                        snippet=text[m.start():m.end()]))
    return out


def compatible(a: str, b: str) -> bool:
    """Two role keys that may describe one position at one time."""
    if a == b or a in GENERIC or b in GENERIC:
        return True
    return a.endswith(b) or b.endswith(a)


def conflicts(rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Persons with incompatible roles: rows need person, role, role_key, former, document_id.

    Returns one entry per person and pair of conflicting role keys, with every
    mention of each side (so a report can quote both)."""
    by_person: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        if not row["former"]:
            by_person[row["person"]][row["role_key"]].append(row)
    out = []
    for person in sorted(by_person):
        keys = sorted(by_person[person])
        for i, a in enumerate(keys):
            for b in keys[i + 1:]:
                if not compatible(a, b):
                    out.append({"person": person, "a_key": a, "b_key": b,
                                "a": by_person[person][a], "b": by_person[person][b]})
    return out
