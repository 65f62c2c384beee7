"""Signs that a text is written as a press release, for releases no wire distributed.

A release posted by its issuer (a company newsroom, an NGO, a police press office) or
reposted without a wire carries no wire's name, dateline or disclaimer, so it gets no
`syndication` marker: the contract reserves that category, and its entity, for the wires.
Its *form* still gives it away. The verdict reads these signs from the body and quotes
them in the class reason (`class.release-form`); they are not markers and earn no points.

Strong signs, each enough on its own: "FOR IMMEDIATE RELEASE"; a media-contact label on a
line of its own ("Media Contact:", "Pressekontakt:", "Rückfragehinweis:"); an "About
<Name>" / "Über <Name>" heading in the second half of the body whose next paragraph names
<Name> again (the issuer's boilerplate); a safe-harbour sentence about "this press
release". Weak signs count only in pairs of different kinds: a "Press release" /
"Pressemitteilung" label line, a "###" or "-ENDS-" end mark, a "Forward-looking
statements" heading.
"""

from __future__ import annotations

from dataclasses import dataclass

import ahocorasick_rs
import regex

_LINE_START = r"^[ \t*_#>]*"
_LABEL_END = r"[ \t*_]*(?::|$)"

# strong: enough on their own
_IMMEDIATE = regex.compile(
    r"(?i)\b(?:for immediate release|zur sofortigen veröffentlichung"
    r"|pour (?:diffusion|publication) immédiate|para (?:su )?(?:publicación|difusión) inmediata)\b")
_CONTACT = regex.compile(
    r"(?mi)" + _LINE_START +
    r"(?:(?:media|press|news media|investor|public relations|pr) (?:contacts?|inquiries|enquiries)"
    r"|for (?:media|press) (?:inquiries|enquiries)"
    r"|pressekontakte?|presseanfragen|medienkontakte?|rückfragehinweis"
    r"|kontakt für (?:die )?(?:medien|presse)(?:vertreter(?:innen)?)?"
    r"|ansprechpartner(?:in)? für (?:die )?(?:presse|medien)"
    r"|contacts? (?:presse|médias?)|contactos? (?:de prensa|para (?:los )?medios))" + _LABEL_END)
_SAFE_HARBOUR_SENTENCE = regex.compile(
    r"(?i)\bthis (?:press|news) release (?:contains|includes|may contain) (?:certain )?[\"“]?forward[- ]looking"
    r"|\bdiese (?:presse)?(?:mitteilung|information) enthält (?:bestimmte )?"
    r"(?:in die zukunft gerichtete|zukunftsgerichtete) aussagen")
_ABOUT = regex.compile(
    r"(?m)" + _LINE_START + r"(?:About|ABOUT|Über|ÜBER|À propos de|A propos de|Acerca de|Sobre) "
    r"(?P<name>[\p{L}\p{N}][^\n]{1,60}?)[ \t*_:]*$")
# "About Us", "Über den Autor": the page or the writer, not an issuer
_NOT_ISSUER = regex.compile(
    r"(?i)(?:us|uns|me|mich|this|these|our|unser|the (?:author|writer|reporter|editor|book|study|survey|data|report|series|project)"
    r"|(?:den|die|der) (?:autor|autorin|verfasser|verfasserin|studie|umfrage)|l'auteur|el autor|la autora)\b")

# weak: count in pairs of different kinds
_LABEL = regex.compile(
    r"(?mi)" + _LINE_START +
    r"(?:press release|news release|media release|pressemitteilung|presseinformation|presse-information"
    r"|medienmitteilung|medieninformation|communiqué de presse|comunicado de prensa|nota de prensa)"
    r"(?:[ \t*_]*(?:[-–—:|,]|\s(?:vom|from|du|del)\s)[^\n]{0,40})?[ \t*_]*$")
_END_MARK = regex.compile(r"(?mi)^[ \t]*(?:#{3}|-+ ?ends? ?-+)[ \t]*$")
_SAFE_HARBOUR_HEADING = regex.compile(
    r"(?mi)" + _LINE_START +
    r"(?:cautionary (?:note|statement) (?:regarding|concerning|about) )?"
    r"(?:forward[- ]looking statements?|safe harbou?r statement|zukunftsgerichtete aussagen"
    r"|in die zukunft gerichtete aussagen|déclarations prospectives)[ \t*_:]*$")

# each regex with the lower-case words one of which every match contains
_PATTERNS = (
    (_IMMEDIATE, "immediate-release", True,
     ("immediate release", "sofortigen veröffentlichung", "immédiate", "inmediata")),
    (_CONTACT, "media-contact", True,
     ("media contact", "press contact", "investor contact", "relations contact", "pr contact",
      "inquiries", "enquiries", "pressekontakt", "presseanfragen", "medienkontakt",
      "rückfragehinweis", "kontakt für", "ansprechpartner", "contact presse", "contacts presse",
      "contact média", "contacts média", "contacto de prensa", "contactos de prensa",
      "contacto para", "contactos para")),
    (_SAFE_HARBOUR_SENTENCE, "safe-harbour", True, ("forward-looking", "forward looking",
                                                   "zukunft gerichtete", "zukunftsgerichtete")),
    (_LABEL, "release-label", False,
     ("press release", "news release", "media release", "pressemitteilung", "presseinformation", "presse-information",
      "medienmitteilung", "medieninformation", "communiqué de presse", "comunicado de prensa",
      "nota de prensa")),
    (_END_MARK, "end-mark", False, ("###", "-end", "- end", "end-", "end -")),
    (_SAFE_HARBOUR_HEADING, "safe-harbour-heading", False,
     ("forward-looking", "forward looking", "safe harbo", "zukunft gerichtete",
      "zukunftsgerichtete", "déclarations prospectives")),
)

_KEYS = ahocorasick_rs.AhoCorasick(sorted({k for *_, keys in _PATTERNS for k in keys}))

_ABOUT_FROM = 0.4    # the "About" heading sits after this share of the body
_ABOUT_NEXT = 200    # characters of the next paragraph that must name the issuer again


@dataclass(frozen=True)
class Signal:
    """One sign of a press release: its kind, whether it decides alone, where it is."""

    kind: str
    strong: bool
    start: int  # offsets into the body
    end: int
    text: str

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "strong": self.strong, "start": self.start,
                "end": self.end, "text": self.text}


def signals(body: str) -> list[Signal]:
    """Every sign of a press release in `body`, in text order."""
    found: list[Signal] = []

    def add(kind: str, strong: bool, m: regex.Match[str]) -> None:
        found.append(Signal(kind, strong, m.start(), m.end(), m.group(0).strip()))

    present = set(_KEYS.find_matches_as_strings(body.lower(), overlapping=True))
    for pattern, kind, strong, keys in _PATTERNS:
        # a regex runs only where one of its words is in the text (most news has none)
        if present.intersection(keys):
            for m in pattern.finditer(body):
                add(kind, strong, m)
    low = int(len(body) * _ABOUT_FROM)
    for m in _ABOUT.finditer(body, low):
        name = m.group("name").strip()
        if _NOT_ISSUER.match(name) or not _issuer_like(name):
            continue
        following = body[m.end():m.end() + _ABOUT_NEXT + 20].lstrip()
        if name in following[:_ABOUT_NEXT]:
            add("about-issuer", True, m)
    return sorted(found, key=lambda s: (s.start, s.end))


def _issuer_like(name: str) -> bool:
    """A name, not a phrase: capitalised, digits with a capital ("3M", "1&1 AG"), or one
    lower-case token written like a brand ("my6sense", "eBay"). "About the study",
    "About 200 people" and a sentence ("About 200 people came.") name no issuer."""
    if name[-1] in "?!,;" or name[-1] == "." and name.split()[-1][0].islower():
        return False
    if name[0].isupper():
        return True
    if name[0].isdigit():
        return any(c.isupper() for c in name)
    return " " not in name and len(name) >= 4 and any(c.isdigit() or c.isupper() for c in name[1:])


def decisive(found: list[Signal], min_weak_kinds: int = 2) -> list[Signal]:
    """The signs that make the text a press release, or [] when they are not enough:
    any strong sign, or weak signs of at least `min_weak_kinds` different kinds."""
    strong = [s for s in found if s.strong]
    if strong:
        return strong
    if len({s.kind for s in found}) >= min_weak_kinds:
        return list(found)
    return []
