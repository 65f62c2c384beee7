"""Markers -> provenance class, score and grade, with the reasons listed.

Every point comes from `rules/verdict.toml`; the reasons name the markers
that earned it, so a report can trace each point to quoted evidence. The
reasons add up: base + every weight's points + any clamping = the score.
Marker indexes in reasons refer to the markers in `marker_key` order, which a
report can rebuild from the database alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from .model import Document, Marker, Reason, Verdict

CLASSES = ("press-release", "agency-copy", "derivative", "original", "undetermined")
_WORD = re.compile(r"\w+")
COPIED = "copied"  # marker role of text that reuse.py found copied from a credited text


def marker_key(m: Marker | Mapping[str, Any]) -> tuple[Any, ...]:
    """Canonical order of a document's markers (works on `Marker` and DB rows alike)."""
    if type(m) is Marker:  # the audit's case: no ABC check, no lookups through a lambda
        return _marker_key(m)
    get = m.get if isinstance(m, Mapping) else lambda k: getattr(m, k)
    return (get("start"), get("end"), get("category"), get("entity"), get("rule_id"),
            get("role") or "")


def _marker_key(m: Marker) -> tuple[Any, ...]:
    return (m.start, m.end, m.category, m.entity, m.rule_id, m.role or "")


def canonical(markers: Sequence[Marker]) -> list[Marker]:
    """`markers` in `marker_key` order (sorted once per audited document)."""
    if all(type(m) is Marker for m in markers):
        return sorted(markers, key=_marker_key)
    return sorted(markers, key=marker_key)


def decide(doc: Document, markers: Sequence[Marker], weights: dict[str, Any]) -> Verdict:
    """Class, score and grade; `reasons` say which markers moved which dimension."""
    markers = canonical(markers)
    reasons: list[Reason] = []
    base = int(weights.get("base", 50))
    score = base
    reasons.append(Reason("base", base, f"starting score {base}", (), "base", {}))
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
        each = int(spec["each"])
        raw = each * len(hits)
        cap = int(spec.get("cap", raw))
        points = max(raw, cap) if raw < 0 else min(raw, cap)
        score += points
        reasons.append(Reason(spec.get("dimension", "other"), points,
                              f"{len(hits)} × {spec.get('text', key)}", tuple(hits),
                              f"points.{key}",
                              {"count": len(hits), "each": each, "cap": cap, "weight": key}))
    bounded = max(0, min(100, score))
    if bounded != score:
        reasons.append(Reason("bounds", bounded - score, "score kept within 0-100", (),
                              "bounds", {"raw": score}))
    cls, why, refs, code, params = _classify(doc, markers, weights.get("class", {}))
    reasons.insert(0, Reason("class", 0, why, refs, f"class.{code}", params))
    return Verdict(cls, bounded, grade(bounded, weights.get("grades", {})), tuple(reasons))


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


def provenance_class(doc: Document, markers: Sequence[Marker],
                     rules: dict[str, Any]) -> tuple[str, str, tuple[int, ...]]:
    """The class and the sentence that explains it, with the deciding markers."""
    cls, why, refs, _code, _params = _classify(doc, markers, rules)
    return cls, why, refs


def _classify(doc: Document, markers: Sequence[Marker], rules: dict[str, Any]
              ) -> tuple[str, str, tuple[int, ...], str, dict[str, Any]]:
    copied_ok = copied_share(doc, markers) >= float(rules.get("copied_min_share", 0.5))

    def idx(pred: Any) -> tuple[int, ...]:
        return tuple(i for i, m in enumerate(markers) if pred(m) and (copied_ok or m.role != COPIED))

    syn = idx(lambda m: m.category == "syndication")
    if syn:
        wires = sorted({markers[i].entity for i in syn})
        if all(markers[i].role == COPIED for i in syn):
            return ("press-release", f"mostly copied from a text distributed through {', '.join(wires)}",
                    syn, "copied-wire", {"wires": wires})
        return ("press-release", f"distributed through {', '.join(wires)}", syn, "wire",
                {"wires": wires})
    agency = idx(lambda m: m.category == "agency")
    if agency:
        names = sorted({markers[i].entity for i in agency})
        if all(markers[i].role == COPIED for i in agency):
            return ("agency-copy", f"mostly copied from agency copy of {', '.join(names)}",
                    agency, "copied-agency", {"agencies": names})
        return ("agency-copy", f"credited as agency copy: {', '.join(names)}", agency, "agency",
                {"agencies": names})
    min_words = int(rules.get("min_words", 40))
    words = _count_words(doc.body, min_words)
    if words < min_words:
        return ("undetermined", f"too little text to judge ({words} words)", (), "short",
                {"words": words})
    release = _release_form(doc, rules)
    if release:
        kinds = sorted({s["kind"] for s in release})
        return ("press-release", f"written as a press release: {', '.join(kinds)}", (),
                "release-form", {"kinds": kinds, "signals": release})
    cites = idx(lambda m: m.category == "citation")
    outlets = sorted({markers[i].entity for i in cites})
    if len(outlets) >= int(rules.get("derivative_min_outlets", 2)):
        return ("derivative", f"built on the reporting of {len(outlets)} other outlets: "
                f"{', '.join(outlets)}", cites, "outlets",
                {"count": len(outlets), "outlets": outlets})
    if not outlets:  # the lead and the word count below matter only to cited outlets
        return "original", "no marker of copied, syndicated or agency text", (), "no-markers", {}
    body_start = doc.text.find(doc.body[:200]) if doc.body else 0
    body_start = max(body_start, 0)
    lead_end = body_start + _lead_length(doc.body, float(rules.get("lead_share", 0.25)),
                                         int(rules.get("lead_words", 0)))
    short_words = int(rules.get("short_words", 0))
    words = -1  # counted when first needed: most texts never get that far
    for outlet in outlets:
        refs = idx(lambda m, o=outlet: m.entity == o and m.category in ("citation", "mention"))
        in_lead = any(markers[i].start < lead_end and markers[i].category == "citation"
                      for i in refs)
        if in_lead and len(refs) >= int(rules.get("lead_min_refs", 2)):
            return ("derivative", f"the lead rests on {outlet}, named {len(refs)} times",
                    refs, "lead", {"outlet": outlet, "count": len(refs)})
        if in_lead and words < 0:
            words = _count_words(doc.body, short_words) if short_words else 0
        if in_lead and words < short_words:
            # a short item whose lead cites an outlet retells that outlet's report
            return ("derivative", f"a short text ({words} words) whose lead rests on {outlet}",
                    refs, "short-lead", {"outlet": outlet, "words": words})
    return ("original", f"own reporting; cites {', '.join(outlets)} in passing", cites,
            "in-passing", {"outlets": outlets})


def _release_form(doc: Document, rules: dict[str, Any]) -> list[dict[str, Any]]:
    """The signs of a press release that decide the class (release_form.py), with offsets
    into `doc.text` where the body sits in it; [] when there are too few. A release that
    no wire sent has no `syndication` marker, so its form is read here."""
    min_kinds = int(rules.get("release_min_weak_kinds", 0))
    if min_kinds <= 0 or not doc.body:
        return []
    from .release_form import decisive, signals

    found = decisive(signals(doc.body), min_kinds)
    if not found:
        return []
    start = doc.text.find(doc.body)
    out = []
    for s in found:
        d = s.as_dict()
        if start >= 0:
            d["start"], d["end"] = start + s.start, start + s.end
        else:  # body assembled from blocks: keep the quote, drop the offsets
            del d["start"], d["end"]
        out.append(d)
    return out


def _lead_length(body: str, share: float, min_words: int) -> int:
    """Characters of the lead: the first `share` of the body, but at least its first
    `min_words` words (a news lead is a sentence or two, however short the text)."""
    lead = _up_to_words(min_words).match(body) if min_words > 0 else None  # {0,n}: always matches
    end = lead.end() if lead else 0
    return max(int(len(body) * share), end)


def _count_words(text: str, limit: int) -> int:
    """Words in `text` (runs of `\\w`), counted up to `limit` only: long bodies need
    no full count. One regex match at C speed instead of a Python loop per word."""
    if limit <= 1:
        return 1 if _WORD.search(text) else 0
    if _words(limit).match(text):
        return limit
    return len(_WORD.findall(text))  # fewer than `limit`: count them all


# `\W*+\w++` is one word and the non-word characters before it: possessive, so a
# word is never split in two, and a repeat of it ends exactly at the end of a word
@lru_cache(maxsize=32)
def _words(n: int) -> re.Pattern[str]:
    """Matches the first `n` words of a text (fails when it has fewer)."""
    return re.compile(rf"(?:\W*+\w++){{{n}}}")


@lru_cache(maxsize=32)
def _up_to_words(n: int) -> re.Pattern[str]:
    """Matches up to the end of the `n`-th word (or of the last, when there are fewer)."""
    return re.compile(rf"(?:\W*+\w++){{0,{n}}}")
