"""Run the examples that every rule carries: `match` must fire, `no_match` must not.

In a `match` example, `[[...]]` marks text that a marker of the rule must
overlap; the brackets are removed before matching. A rule that reads only
certain regions (`regions = ["caption"]`) has its examples checked as a block
of its first region, so that caption-only rules can carry examples too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Block, Document
from .packs import Rule
from .rules import Engine

_MARK = re.compile(r"\[\[(.+?)\]\]", re.S)


@dataclass(frozen=True)
class ExampleResult:
    rule_id: str
    kind: str  # "match" or "no_match"
    text: str
    ok: bool
    detail: str


def strip_marks(example: str) -> tuple[str, list[tuple[int, int]]]:
    spans: list[tuple[int, int]] = []
    out: list[str] = []
    pos = 0
    length = 0
    for m in _MARK.finditer(example):
        chunk = example[pos:m.start()]
        out.append(chunk)
        length += len(chunk)
        spans.append((length, length + len(m.group(1))))
        out.append(m.group(1))
        length += len(m.group(1))
        pos = m.end()
    out.append(example[pos:])
    return "".join(out), spans


def check_rule(engine: Engine, rule: Rule) -> list[ExampleResult]:
    results = []
    regions = rule.spec.get("regions") or ["body"]
    region = "body" if "body" in regions else regions[0]
    for kind in ("match", "no_match"):
        for example in rule.examples[kind]:
            text, spans = strip_marks(example)
            doc = Document(id="example", origin="example", text=text, body=text,
                           title=text.split("\n", 1)[0],
                           blocks=(Block(region, 0, len(text)),) if region != "body" else ())
            hits = [m for m in engine.run(doc, dedupe=False)
                    if m.rule_id == rule.id and m.category == rule.category]
            if kind == "no_match":
                ok = not hits
                detail = "" if ok else f"unexpected: {hits[0].snippet!r}"
            elif not hits:
                ok, detail = False, "no marker"
            else:
                missing = [text[s:e] for s, e in spans
                           if not any(m.start < e and s < m.end for m in hits)]
                ok = not missing
                detail = "" if ok else f"no marker over {missing[0]!r}; got {[m.snippet for m in hits]}"
            results.append(ExampleResult(rule.id, kind, example, ok, detail))
    return results
