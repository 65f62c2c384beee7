"""Markers -> provenance class, score and grade, with the reasons listed.

Every point comes from `rules/verdict.toml`; the reasons name the markers
that earned it, so a report can trace each point to quoted evidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from .model import Document, Marker, Reason, Verdict

CLASSES = ("press-release", "agency-copy", "derivative", "original", "undetermined")
_WORD = re.compile(r"\w+")


def decide(doc: Document, markers: list[Marker] | tuple[Marker, ...],
           weights: dict[str, Any]) -> Verdict:
    reasons: list[Reason] = []
    score = int(weights.get("base", 50))
    groups: dict[str, list[int]] = defaultdict(list)
    for i, m in enumerate(markers):
        if m.category == "mention":
            continue
        groups[f"{m.category}.{m.entity}"].append(i)
        groups[m.category].append(i)
    for key, spec in sorted(weights.get("points", {}).items()):
        hits = groups.get(key, [])
        if not hits:
            continue
        raw = int(spec["each"]) * len(hits)
        cap = int(spec.get("cap", raw))
        points = max(raw, cap) if raw < 0 else min(raw, cap)
        score += points
        reasons.append(Reason(spec.get("dimension", "other"), points,
                              f"{len(hits)} × {spec.get('text', key)}", tuple(hits)))
    score = max(0, min(100, score))
    cls, why, refs = provenance_class(doc, markers, weights.get("class", {}))
    reasons.insert(0, Reason("class", 0, why, refs))
    return Verdict(cls, score, grade(score, weights.get("grades", {})), tuple(reasons))


def grade(score: int, grades: dict[str, int]) -> str:
    table = grades or {"A": 80, "B": 65, "C": 50, "D": 35, "E": 0}
    for letter, floor in sorted(table.items(), key=lambda kv: -kv[1]):
        if score >= floor:
            return letter
    return "E"


def provenance_class(doc: Document, markers: list[Marker] | tuple[Marker, ...],
                     rules: dict[str, Any]) -> tuple[str, str, tuple[int, ...]]:
    """The class and the sentence that explains it, with the deciding markers."""
    def idx(pred: Any) -> tuple[int, ...]:
        return tuple(i for i, m in enumerate(markers) if pred(m))

    syn = idx(lambda m: m.category == "syndication")
    if syn:
        wires = sorted({markers[i].entity for i in syn})
        return "press-release", f"distributed through {', '.join(wires)}", syn
    agency = idx(lambda m: m.category == "agency")
    if agency:
        names = sorted({markers[i].entity for i in agency})
        return "agency-copy", f"credited as agency copy: {', '.join(names)}", agency
    min_words = int(rules.get("min_words", 40))
    words = _count_words(doc.body, min_words)
    if words < min_words:
        return "undetermined", f"too little text to judge ({words} words)", ()
    cites = idx(lambda m: m.category == "citation")
    outlets = {markers[i].entity for i in cites}
    if len(outlets) >= int(rules.get("derivative_min_outlets", 2)):
        return ("derivative", f"built on the reporting of {len(outlets)} other outlets: "
                f"{', '.join(sorted(outlets))}", cites)
    body_start = doc.text.find(doc.body[:200]) if doc.body else 0
    body_start = max(body_start, 0)
    lead_end = body_start + len(doc.body) * float(rules.get("lead_share", 0.25))
    for outlet in sorted(outlets):
        refs = idx(lambda m, o=outlet: m.entity == o and m.category in ("citation", "mention"))
        in_lead = any(markers[i].start < lead_end and markers[i].category == "citation"
                      for i in refs)
        if in_lead and len(refs) >= int(rules.get("lead_min_refs", 2)):
            return ("derivative", f"the lead rests on {outlet}, named {len(refs)} times",
                    refs)
    if outlets:
        return "original", f"own reporting; cites {', '.join(sorted(outlets))} in passing", cites
    return "original", "no marker of copied, syndicated or agency text", ()


def _count_words(text: str, limit: int) -> int:
    """Words in `text`, counted up to `limit` only: long bodies need no full count."""
    n = 0
    for _ in _WORD.finditer(text):
        n += 1
        if n >= limit:
            break
    return n
