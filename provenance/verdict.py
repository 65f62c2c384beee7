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
COPIED = "copied"  # marker role of text that reuse.py found copied from a credited text


def decide(doc: Document, markers: list[Marker] | tuple[Marker, ...],
           weights: dict[str, Any]) -> Verdict:
    reasons: list[Reason] = []
    score = int(weights.get("base", 50))
    groups: dict[str, list[int]] = defaultdict(list)
    copied_ok = copied_share(doc, markers) >= float(weights.get("class", {}).get("copied_min_share", 0.5))
    for i, m in enumerate(markers):
        if m.category == "mention":
            continue
        if m.role == COPIED:  # found by reuse.py: counts only when most of the text is copied
            if copied_ok:
                groups[f"copied.{m.category}"].append(i)
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


def copied_share(doc: Document, markers: list[Marker] | tuple[Marker, ...]) -> float:
    """Share of the body's words inside passages that reuse.py found copied (0 when none)."""
    spans = sorted((m.start, m.end) for m in markers if m.role == COPIED)
    if not spans:
        return 0.0
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    copied = sum(len(_WORD.findall(doc.text[a:b])) for a, b in merged)
    total = len(_WORD.findall(doc.body)) or 1
    return min(1.0, copied / total)


def grade(score: int, grades: dict[str, int]) -> str:
    table = grades or {"A": 80, "B": 65, "C": 50, "D": 35, "E": 0}
    for letter, floor in sorted(table.items(), key=lambda kv: -kv[1]):
        if score >= floor:
            return letter
    return "E"


def provenance_class(doc: Document, markers: list[Marker] | tuple[Marker, ...],
                     rules: dict[str, Any]) -> tuple[str, str, tuple[int, ...]]:
    """The class and the sentence that explains it, with the deciding markers."""
    copied_ok = copied_share(doc, markers) >= float(rules.get("copied_min_share", 0.5))

    def idx(pred: Any) -> tuple[int, ...]:
        return tuple(i for i, m in enumerate(markers) if pred(m) and (copied_ok or m.role != COPIED))

    syn = idx(lambda m: m.category == "syndication")
    if syn:
        wires = sorted({markers[i].entity for i in syn})
        if all(markers[i].role == COPIED for i in syn):
            return "press-release", f"mostly copied from a text distributed through {', '.join(wires)}", syn
        return "press-release", f"distributed through {', '.join(wires)}", syn
    agency = idx(lambda m: m.category == "agency")
    if agency:
        names = sorted({markers[i].entity for i in agency})
        if all(markers[i].role == COPIED for i in agency):
            return "agency-copy", f"mostly copied from agency copy of {', '.join(names)}", agency
        return "agency-copy", f"credited as agency copy: {', '.join(names)}", agency
    words = len(_WORD.findall(doc.body))
    if words < int(rules.get("min_words", 40)):
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
