"""Compile a `RuleSet` once and run it over documents in a single pass.

All literal phrases of all rules (and all outlet names) go into two
Aho-Corasick automata, so the cost per document does not grow with the
number of phrase rules. Regex rules are few by design.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import ahocorasick_rs
import regex

from .model import Document, Marker
from .packs import Rule, RuleSet
from .prefilter import leading_literals, prefilter_text, required_literals
from .textview import TextView, fold

PATTERN_TIMEOUT = 2.0  # seconds per pattern and document
CITING_ROLES = {"cited", "interview"}
# a bracket separates names too: "© Dieter Mayr (KNA)", "Foto: Name (dpa)"
_SPLIT_NAMES = regex.compile(r"\s*(?:[,/|;+&()]|\bund\b|\band\b|\bet\b|\by\b|\bvia\b|\bon\b|\bfrom\b)\s*", regex.I)
_NAME_STRIP = " \t.:;,-()[]'\"©"
# parts of a credit line that name no holder: "Reuters/Danish Siddiqui/Files", "Acme, Inc."
_NOT_A_HOLDER = frozenset({"file", "files", "file photo", "archive", "archiv", "archivbild", "inc", "llc",
                           "ltd", "corp", "co", "gmbh", "ag", "left", "right", "center", "links", "rechts",
                           "symbolbild", "ausschnitt", "less", "more"})
# a block line that is plain ASCII text (letters, digits, spaces, "'" and "-", no regex syntax)
_PLAIN_LINE = regex.compile(r"[A-Za-z0-9 '-]+")
_PERSON = regex.compile(r"^\p{Lu}[\p{L}'.-]*(?: (?:\p{Lu}[\p{L}'.-]*|von|van|de|da|del|der|di|le|la)){1,4}$")


# a chrome-only rule with a `chrome_window` scans from this many characters before the
# window, so that a match starting before the window but ending inside it is still found
_NEAR_BODY_MARGIN = 400


# a credit holder written as its registered domain ("afp.com"), which the registry knows
_DOMAIN = regex.compile(r"[a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*\.[a-z]{2,}")


class PatternTimeout(Exception):
    def __init__(self, rule_id: str) -> None:
        super().__init__(f"rule {rule_id} ran over {PATTERN_TIMEOUT:g} s; its matches are missing")
        self.rule_id = rule_id


@dataclass(frozen=True)
class _Cue:
    role: str
    before: Any
    after: Any
    languages: frozenset[str] | None = None  # tried only on documents in these languages


class Engine:
    """Rules compiled for repeated use; `run` is safe to call from one thread."""

    def __init__(self, ruleset: RuleSet, prefilter: bool = True) -> None:
        self.ruleset = ruleset
        self.prefilter = prefilter
        self.rules = ruleset.rules
        lower_phrases: dict[str, list[int]] = defaultdict(list)
        case_phrases: dict[str, list[tuple[str, Any]]] = defaultdict(list)
        self.patterns: list[tuple[int, Any, str | None]] = []
        self.credits: list[tuple[int, Any]] = []
        # (rule, whole alternation, max_chars, plain ASCII lines lower-cased, the other lines)
        self.blocks: list[tuple[int, Any, int, frozenset[str], Any, Any]] = []
        self.repeats: list[tuple[int, int]] = []
        self.outlet_rules: list[tuple[int, list[_Cue], set[str] | None, Any]] = []
        block_rest: dict[int, str] = {}  # a block rule's lines that are not plain, as one alternation
        for idx, rule in enumerate(self.rules):
            spec = rule.spec
            if rule.kind == "phrase":
                for phrase in spec["phrases"]:
                    key = fold(phrase)
                    if spec.get("case_sensitive"):
                        case_phrases[key].append(("rule", idx))
                    else:
                        lower_phrases[key.lower()].append(idx)
            elif rule.kind == "pattern":
                self.patterns.append((idx, regex.compile(spec["pattern"]), spec.get("group")))
            elif rule.kind == "credit":
                self.credits.append((idx, regex.compile(spec["pattern"])))
            elif rule.kind == "block":
                alternation = "|".join(f"(?:{line})" for line in spec["lines"])
                plain = frozenset(line.lower() for line in spec["lines"] if _PLAIN_LINE.fullmatch(line))
                rest = "|".join(f"(?:{line})" for line in spec["lines"] if line.lower() not in plain)
                plain_alt = "|".join(f"(?:{line})" for line in spec["lines"] if line.lower() in plain)
                if rest:
                    block_rest[idx] = f"(?i:{rest})"
                self.blocks.append((idx, regex.compile(f"(?i:{alternation})"), spec.get("max_chars", 80),
                                    plain, regex.compile(f"(?i:{rest})") if rest else None,
                                    regex.compile(f"(?i:{plain_alt})") if plain_alt else None))
            elif rule.kind == "repeat":
                self.repeats.append((idx, spec.get("min_chars", 20)))
            elif rule.kind == "outlet":
                cues = [
                    _Cue(c["role"],
                         regex.compile(c["before"] + "$") if "before" in c else None,
                         regex.compile("^" + c["after"]) if "after" in c else None,
                         frozenset(c["languages"]) if "languages" in c else None)
                    for c in spec["cues"]
                ]
                types = set(spec["types"]) if "types" in spec else None
                link_cue = regex.compile(spec["link_cue"]) if "link_cue" in spec else None
                self.outlet_rules.append((idx, cues, types, link_cue))
        # outlet names are matched case-sensitively: "Die Zeit" is not "die Zeit"
        self.alias_to_outlet: dict[str, str] = {}
        # a name that is also listed as strict ("Bild", "Stern") stays strict
        for outlet in ruleset.outlets.values():
            strict = {fold(a) for a in outlet.strict_aliases}
            for alias in dict.fromkeys((outlet.name, *outlet.aliases)):
                if fold(alias) in strict:
                    continue
                case_phrases[fold(alias)].append(("outlet", outlet.id))
                self.alias_to_outlet.setdefault(fold(alias).lower(), outlet.id)
            for alias in sorted(strict):
                case_phrases[alias].append(("strict", outlet.id))
        # in a credit line ("Foto: Stern", "© EPA") a common-word name is unambiguous
        for outlet in ruleset.outlets.values():
            for alias in outlet.strict_aliases:
                self.alias_to_outlet.setdefault(fold(alias).lower(), outlet.id)
        self.alias_spellings = {fold(a) for o in ruleset.outlets.values()
                                for a in (o.name, *o.aliases, *o.strict_aliases)}
        self._name_words: dict[str, set[str]] = {}
        self.photo_only = frozenset(o.id for o in ruleset.outlets.values() if not o.citable)
        self.lower_phrases = lower_phrases
        self.case_keys = list(case_phrases)
        self.case_targets = [case_phrases[k] for k in self.case_keys]
        self.case_ac = ahocorasick_rs.AhoCorasick(self.case_keys) if self.case_keys else None
        self._build_prefilter(block_rest)
        self.domain_to_outlet = ruleset.outlet_domains()
        self.sisters = _sisters(ruleset.outlets)
        self.regions = {r.id: set(r.spec["regions"]) for r in self.rules if "regions" in r.spec}
        # rules whose chrome matches count only just before the body (a byline, not a teaser list)
        self.windows = {r.id: r.spec["chrome_window"] for r in self.rules if "chrome_window" in r.spec}

    def _build_prefilter(self, block_rest: dict[int, str]) -> None:
        """Pattern and credit rules whose required literals are known run only on
        documents that contain one of them (see `prefilter`)."""
        literal_rules: dict[str, list[int]] = defaultdict(list)
        self.unfiltered: set[int] = set()
        # rules with a `window`: their regex runs only around their literals' hits,
        # from (before) the start of a hit to (after) its end
        self.literal_windows: dict[int, tuple[int, int]] = {}
        # rules whose every match starts with one of their literals: tried only there
        self.anchored: set[int] = set()
        for ridx, _pattern, _group in self.patterns:
            self._add_literals(ridx, literal_rules)
        for ridx, _ in self.credits:
            self._add_literals(ridx, literal_rules)
        # a block rule's other (non-plain) lines need one of their literals inside the line
        block_literals: dict[int, list[str]] = {}
        for ridx, rest in block_rest.items():
            literals = required_literals(rest) if self.prefilter else None
            if literals:
                block_literals[ridx] = literals
                for literal in literals:
                    literal_rules[literal].append(ridx)
        # lower-case phrases and the literals share one automaton over `view.lower`:
        # each key has its phrase rules and its literal rules (either may be empty)
        keys = list(dict.fromkeys([*self.lower_phrases, *literal_rules]))
        self.lower_keys = keys
        self.lower_targets = [self.lower_phrases.get(k, []) for k in keys]
        self.literal_targets = [literal_rules.get(k, []) for k in keys]
        self.phrase_key = [bool(t) for t in self.lower_targets]
        self.literal_key = [bool(t) for t in self.literal_targets]
        self.lower_ac = ahocorasick_rs.AhoCorasick(keys) if keys else None
        index = {k: i for i, k in enumerate(keys)}
        self.block_keys = {ridx: [index[x] for x in lits] for ridx, lits in block_literals.items()}
        self.longest_block = max((b[2] for b in self.blocks), default=-1)

    def _add_literals(self, ridx: int, literal_rules: dict[str, list[int]]) -> None:
        if not self.prefilter:
            self.unfiltered.add(ridx)
            return
        pattern = self.rules[ridx].spec["pattern"]
        literals = leading_literals(pattern)
        if literals is not None:
            self.anchored.add(ridx)
        else:
            literals = required_literals(pattern)
            if literals is None:
                self.unfiltered.add(ridx)
                return
            spec = self.rules[ridx].spec
            if "window" in spec:
                self.literal_windows[ridx] = (spec.get("window_before", spec["window"]),
                                              spec.get("window_after", spec["window"]))
        for literal in literals:
            literal_rules[literal].append(ridx)

    def _scan_lower(self, doc: Document, view: TextView,
                    found: list[Marker]) -> dict[int, list[tuple[int, int]]]:
        """The one pass over `view.lower`: markers of lower-case phrases (whole words)
        go to `found`; the hits of literals are returned by key. Literals are looked
        for in `prefilter_text(view.lower)`, which is `view.lower` itself unless the
        text holds one of the three letters it maps; then they get a pass of their own."""
        hits: dict[int, list[tuple[int, int]]] = defaultdict(list)
        if self.lower_ac is None:
            return hits
        lower = view.lower
        n = len(lower)
        targets, phrase_key, literal_key = self.lower_targets, self.phrase_key, self.literal_key
        literal_text = prefilter_text(lower)
        shared = literal_text is lower
        for pidx, s, e in self.lower_ac.find_matches_as_indexes(lower, overlapping=True):
            if shared and literal_key[pidx]:
                hits[pidx].append((s, e))
            if phrase_key[pidx]:
                # a whole word: no letter or digit joined on either side
                if (s and lower[s].isalnum() and lower[s - 1].isalnum()) or \
                        (e < n and lower[e - 1].isalnum() and lower[e].isalnum()):
                    continue
                for ridx in targets[pidx]:
                    found.append(self._marker(doc, view, ridx, s, e))
        if not shared:
            for pidx, s, e in self.lower_ac.find_matches_as_indexes(literal_text, overlapping=True):
                if literal_key[pidx]:
                    hits[pidx].append((s, e))
        return hits

    def _candidates(self, view: TextView, doc: Document,
                    hits: dict[int, list[tuple[int, int]]]) -> tuple[set[int], dict[int, list[tuple[int, int]]]]:
        """Pattern and credit rules that can match in this document: one of their
        literals occurs (`hits`, by key, from `_scan_lower`), and the document has a
        block their `regions` allow (text outside every block is body, so a
        caption-only rule skips plain text). Also, for rules with a `window`, the
        spans of the view their regex must scan."""
        wanted = set(self.unfiltered)
        windows: dict[int, list[tuple[int, int]]] = {}
        if hits:
            targets = self.literal_targets
            literal_windows, anchored = self.literal_windows, self.anchored
            spans: dict[int, list[tuple[int, int]]] = defaultdict(list)
            for pidx, at in hits.items():
                for ridx in targets[pidx]:
                    wanted.add(ridx)
                    if ridx in literal_windows or ridx in anchored:
                        spans[ridx].extend(at)
            for ridx, at in spans.items():
                if ridx in anchored:  # where a match may start: (start, start) each
                    windows[ridx] = [(s, s) for s in sorted({s for s, _ in at})]
                else:
                    windows[ridx] = _merge_windows(at, *literal_windows[ridx], len(view.folded))
        kinds = {b.kind for b in doc.blocks} | {"body"}
        return {r for r in wanted
                if self.rules[r].id not in self.regions or self.regions[self.rules[r].id] & kinds}, windows

    # -- running -------------------------------------------------------------

    def run(self, doc: Document, dedupe: bool = True) -> list[Marker]:
        """Markers of `doc`; rules that overran their time limit are listed in
        `self.overruns` (reset on each call) and contribute nothing."""
        self.overruns: list[str] = []
        view = TextView(doc.text)
        found: list[Marker] = []
        literal_hits = self._scan_lower(doc, view, found)
        outlet_hits: list[tuple[int, int, str, bool]] = []
        if self.case_ac is not None:
            folded = view.folded
            n = len(folded)
            for pidx, s, e in self.case_ac.find_matches_as_indexes(folded, overlapping=True):
                # a whole word: no letter or digit joined on either side
                if (s and folded[s].isalnum() and folded[s - 1].isalnum()) or \
                        (e < n and folded[e - 1].isalnum() and folded[e].isalnum()):
                    continue
                for what, target in self.case_targets[pidx]:
                    if what == "rule":
                        found.append(self._marker(doc, view, target, s, e))
                    else:
                        outlet_hits.append((s, e, target, what == "strict"))
        candidates, windows = self._candidates(view, doc, literal_hits)
        for ridx, pattern, group in self.patterns:
            if ridx not in candidates:
                continue
            try:
                spans = [m.span(group) if group else m.span()
                         for m in self._scan(pattern, view, doc, ridx, windows.get(ridx))]
            except TimeoutError:
                self.overruns.append(str(PatternTimeout(self.rules[ridx].id)))
                continue
            found.extend(self._marker(doc, view, ridx, s, e) for s, e in spans if e > s)
        for ridx, pattern in self.credits:
            if ridx not in candidates:
                continue
            try:
                found.extend(self._credit(doc, view, ridx, pattern, windows.get(ridx)))
            except PatternTimeout as exc:
                self.overruns.append(str(exc))
        if self.blocks or self.repeats:
            found.extend(self._lines(doc, view, literal_hits))
        found = [m for m in found if self._in_region(m)]
        if self.windows:
            found = self._near_body(doc, found)
        pictures = [(m.start, m.end) for m in found if m.category == "image-credit"]
        if pictures:  # an agency named in a picture credit is not agency copy
            found = [m for m in found if m.category != "agency"
                     or not any(s < m.end and m.start < e for s, e in pictures)]
        # a photo agency ("Quelle: Getty Images") supplies pictures, never copy
        found = [m for m in found if m.category != "agency" or m.entity not in self.photo_only]
        if self.outlet_rules and (outlet_hits or doc.links):
            found.extend(self._outlets(doc, view, outlet_hits, found))
        return _dedupe(found) if dedupe else found

    def _marker(self, doc: Document, view: TextView, ridx: int, s: int, e: int,
                entity: str | None = None, role: str | None = None,
                category: str | None = None) -> Marker:
        rule = self.rules[ridx]
        os_, oe = view.span(s, e)
        return Marker(
            rule_id=rule.id, category=category or rule.category,
            entity=entity or rule.entity or "", start=os_, end=oe,
            snippet=doc.text[os_:oe], role=role if role is not None else rule.spec.get("role"),
            block=doc.block_at(os_),
        )

    def _in_region(self, marker: Marker) -> bool:
        regions = self.regions.get(marker.rule_id)
        return regions is None or marker.block in regions

    def _near_body(self, doc: Document, found: list[Marker]) -> list[Marker]:
        """Drop chrome markers of `chrome_window` rules that do not end within that many
        characters before the body: a byline sits over the article, a teaser list elsewhere."""
        body = _body_start(doc)
        return [m for m in found if m.rule_id not in self.windows
                or m.block in ("body", "heading")
                or (body is not None and 0 <= body - m.end <= self.windows[m.rule_id])]

    def _scan(self, pattern: Any, view: TextView, doc: Document, ridx: int,
              windows: list[tuple[int, int]] | None = None) -> list[Any]:
        """Matches of a pattern; a rule held to blocks other than the body (captions,
        navigation) scans only those blocks (mapped into the view when its offsets
        are not the text's), and a rule with a `window` only the `windows` around
        its literals."""
        rule_id = self.rules[ridx].id
        regions = self.regions.get(rule_id)
        spans: list[tuple[int, int]] | None = None
        if regions and "body" not in regions:
            spans = [(b.start, b.end) for b in doc.blocks if b.kind in regions]
            if rule_id in self.windows:
                spans = self._near_body_spans(doc, spans, self.windows[rule_id])
            if not view.identity:
                spans = [view.view_span(s, e) for s, e in spans]
        if ridx in self.anchored and windows is not None:
            return _anchored(pattern, view.folded, [s for s, _ in windows],
                             spans if spans is not None else [(0, len(view.folded))])
        if windows is not None:
            spans = windows if spans is None else _clip(windows, spans)
        if spans is None:
            return list(pattern.finditer(view.folded, timeout=PATTERN_TIMEOUT))
        folded = view.folded
        return [m for s, e in spans for m in pattern.finditer(folded, s, e, timeout=PATTERN_TIMEOUT)]

    def _near_body_spans(self, doc: Document, spans: list[tuple[int, int]],
                         window: int) -> list[tuple[int, int]]:
        """The part of a chrome-only rule's blocks that `_near_body` can keep: headings
        whole, other chrome only in the `window` before the body (plus room for a match
        that starts earlier), nothing when there is no body."""
        body = _body_start(doc)
        headings = {(b.start, b.end) for b in doc.blocks if b.kind == "heading"}
        low = -1 if body is None else max(0, body - window - _NEAR_BODY_MARGIN)
        out = []
        for s, e in spans:
            if (s, e) in headings:
                out.append((s, e))
            elif body is not None and e > low and s < body:
                out.append((max(s, low), min(e, body)))
        return out

    def _credit(self, doc: Document, view: TextView, ridx: int, pattern: Any,
                windows: list[tuple[int, int]] | None = None) -> Iterable[Marker]:
        rule = self.rules[ridx]
        types = set(rule.spec["types"]) if "types" in rule.spec else None
        person = rule.spec.get("person_entity")
        try:
            matches = self._scan(pattern, view, doc, ridx, windows)
        except TimeoutError:
            raise PatternTimeout(rule.id) from None
        return self._credit_markers(doc, view, ridx, matches, types, person)

    def _credit_markers(self, doc: Document, view: TextView, ridx: int, matches: list[Any],
                        types: set[str] | None, person: str | None) -> Iterable[Marker]:
        spec = self.rules[ridx].spec
        fallback = spec.get("fallback_entity")
        # a partner paper's byline credits copy; the publisher's own byline does not
        publisher = self.outlet_for_domain(doc.domain) if spec.get("not_publisher") else None
        abbreviation = spec.get("not_abbreviation")
        for m in matches:
            marks = [mk for mk in self._credit_names(doc, view, ridx, m, types, person, fallback)
                     if (publisher is None or mk.entity != publisher)
                     and not (abbreviation and _abbreviation(view.folded, m.start(), mk.snippet))]
            # "Jose Luis Magana/AP": a person's name alone is no credit unless an outlet stands by it
            if spec.get("require_outlet") and not any(
                    mk.entity not in (person, fallback) for mk in marks):
                continue
            # "… in Washington. REUTERS/Evelyn Hockstein": after a sentence, only an outlet
            # together with a photographer makes a credit ("… the talks. dpa/AFP" signs off copy)
            if spec.get("require_person") and not any(mk.entity == person for mk in marks):
                continue
            yield from marks

    def _credit_names(self, doc: Document, view: TextView, ridx: int, m: Any,
                      types: set[str] | None, person: str | None,
                      fallback: str | None) -> Iterable[Marker]:
        """One marker per name in the `names` group of a credit match: an outlet id,
        else `person` for a person's name, else `fallback` (an unknown credit holder)."""
        gs, ge = m.span("names")
        # a pattern may read the first name in a lookbehind (`lead`), to search from the "/"
        lead = m.start("lead") if "lead" in m.re.groupindex else -1
        if lead >= 0:
            gs = lead
        if ge <= gs:
            return
        names = view.folded[gs:ge]
        pos = 0
        for part in _SPLIT_NAMES.split(names):
            at = names.find(part, pos)
            pos = at + len(part)
            core = part.strip(_NAME_STRIP)
            if not core or core.lower() in _NOT_A_HOLDER:
                continue
            cs = gs + at + part.find(core)
            ce = cs + len(core)
            outlet_id = self._resolve(core, types)
            if outlet_id and not self._known_case(core):
                outlet_id = None  # "die elektronische Patientenakte (ePA)" is not the EPA
            if outlet_id:
                yield self._marker(doc, view, ridx, cs, ce, entity=outlet_id)
            elif person and _PERSON.match(core) and not self._resolve(core, None):
                yield self._marker(doc, view, ridx, cs, ce, entity=person)
            elif fallback and any(c.isalpha() for c in core):
                yield self._marker(doc, view, ridx, cs, ce, entity=fallback)

    def _known_case(self, name: str) -> bool:
        """False for a name in mixed case that no alias spells that way ("ePA" is not
        "EPA"): agencies credit themselves as "dpa", "DPA", "Reuters", "REUTERS"."""
        head = regex.split(r"[\s-]", name, maxsplit=1)[0]
        if any(w == w.lower() or w == w.upper() or (w[:1].isupper() and w[1:] == w[1:].lower())
               for w in (name, head)):
            return True
        return name in self.alias_spellings or head in self.alias_spellings

    def _resolve(self, name: str, types: set[str] | None) -> str | None:
        key = name.lower()
        outlet_id = self.alias_to_outlet.get(key)
        if outlet_id is None:
            # "Getty Images via AFP", "dpa-infocom": try the first word too
            head = regex.split(r"[\s-]", key, maxsplit=1)[0]
            outlet_id = self.alias_to_outlet.get(head)
            if outlet_id is None and _DOMAIN.fullmatch(key):
                outlet_id = self.outlet_for_domain(key)  # "afp.com/Michael Regan"
            if outlet_id is None:
                return None
        outlet = self.ruleset.outlets[outlet_id]
        if types is not None and outlet.type not in types:
            return None
        return outlet_id

    def _lines(self, doc: Document, view: TextView,
               hits: dict[int, list[tuple[int, int]]] | None = None) -> Iterable[Marker]:
        text = doc.text
        # where the literals of each block rule's non-plain lines occur (view offsets are
        # the text's when the view is the identity): a line without one can only be a
        # plain line. Worked out at the first line short enough for a block rule.
        gate: dict[int, list[int]] | None = None if hits is not None and view.identity else {}
        longest = self.longest_block
        seen: set[str] = set()
        title = fold(doc.title or "").lower()
        # an identity view holds every line already folded: `fold` maps whitespace to
        # whitespace only, and such a text has no runs of spaces and nothing to drop
        whole = view.folded if view.identity else None
        pos = 0
        for raw in text.split("\n"):
            start = pos
            pos += len(raw) + 1
            stripped = raw.strip()
            if not stripped:
                continue
            s = start + raw.find(stripped)
            e = s + len(stripped)
            folded = whole[s:e] if whole is not None else fold(stripped)
            size = len(folded)
            key = folded.lower()
            if size <= longest:
                if gate is None:
                    assert hits is not None
                    gate = {ridx: sorted(s for k in keys for s, _ in hits.get(k, ()))
                            for ridx, keys in self.block_keys.items()}
                is_ascii = folded.isascii()
                for ridx, pattern, max_chars, plain, rest, plain_re in self.blocks:
                    if size > max_chars:
                        continue
                    starts = gate.get(ridx)
                    # the non-plain lines can match only where one of their literals lies in the line
                    maybe = starts is None or _hit_in(starts, s, e)
                    # an ASCII line matches a plain ASCII alternative exactly when it equals it in
                    # lower case (no other character folds onto an ASCII letter there); the other
                    # alternatives still need the regex; a non-ASCII line takes the regex
                    if is_ascii:
                        ok = key in plain or (maybe and rest is not None and rest.fullmatch(folded))
                    elif maybe:
                        ok = pattern.fullmatch(folded)
                    else:
                        ok = plain_re is not None and plain_re.fullmatch(folded)
                    if ok:
                        yield self._plain_marker(doc, ridx, s, e)
            if self.repeats:
                for ridx, min_chars in self.repeats:
                    if len(key) >= min_chars and key in seen:
                        entity = "duplicate-title" if key == title else None
                        yield self._plain_marker(doc, ridx, s, e, entity=entity)
                seen.add(key)

    def _plain_marker(self, doc: Document, ridx: int, s: int, e: int,
                      entity: str | None = None) -> Marker:
        rule = self.rules[ridx]
        return Marker(rule_id=rule.id, category=rule.category,
                      entity=entity or rule.entity or "", start=s, end=e,
                      snippet=doc.text[s:e], role=rule.spec.get("role"),
                      block=doc.block_at(s))

    # -- outlets ---------------------------------------------------------------

    def _outlets(self, doc: Document, view: TextView,
                 hits: list[tuple[int, int, str, bool]], others: list[Marker]) -> list[Marker]:
        """Give every outlet name (and every body link to an outlet's domain) a role.

        Names come from the one Aho-Corasick pass in `run`; here each is judged
        by the cues around it. Strict aliases (names that are common words) and
        bare links only count when a cue makes them a citation.
        """
        credited = [(m.start, m.end) for m in others
                    if m.category in ("agency", "image-credit", "syndication")]
        self_ids = {m.entity for m in others if m.category == "agency"}
        publisher = self.outlet_for_domain(doc.domain)
        if publisher:
            self_ids.add(publisher)
            self_ids.update(self.sisters.get(publisher, ()))
        # keep the longest alias at each place: "Bloomberg TV" over "Bloomberg"
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        kept: list[tuple[int, int, str, bool, bool]] = []
        for s, e, outlet_id, strict in hits:
            if kept and s < kept[-1][1]:
                continue
            os_, oe = view.span(s, e)
            if kept and _appositive(doc.text, kept[-1], os_, oe, outlet_id):
                # "Deutsche Presse-Agentur (dpa)": one name, judged once
                ps, _pe, pid, pstrict, plink = kept[-1]
                kept[-1] = (ps, oe + 1, pid, pstrict and strict, plink)
                continue
            if os_ > 0 and doc.text[os_ - 1] == "(" and self._other_body(doc.text, os_, oe, outlet_id):
                continue  # "American Psychological Association (APA)": another body's abbreviation
            kept.append((os_, oe, outlet_id, strict, False))
        kept.extend(self._link_hits(doc, kept))
        out: list[Marker] = []
        for ridx, cues, types, link_cue in self.outlet_rules:
            if doc.lang is not None:  # a cue of other languages cannot match; a document of unknown language tries all
                cues = [c for c in cues if c.languages is None or doc.lang in c.languages]
            rule = self.rules[ridx]
            window = rule.spec.get("window", 160)
            judged: list[tuple[int, int, str, bool, str]] = []
            people: set[tuple[str, str]] = set()
            rule_self = set(self_ids)
            cued: list[bool] = []
            for os_, oe, outlet_id, strict, is_link in kept:
                outlet = self.ruleset.outlets[outlet_id]
                if types is not None and outlet.type not in types:
                    continue
                role = self._role(doc.text, os_, oe, cues, window, default=None)
                cued.append(role is not None)
                role = role or "mention"
                if strict and not is_link and role in CITING_ROLES and _longer_name(doc.text, oe):
                    role = "mention"  # "Nature Astronomy", "Vice President", "Phoenix police"
                if is_link and role not in CITING_ROLES and link_cue is not None \
                        and link_cue.search(fold(doc.text[os_:oe])):
                    role = "cited"  # the anchor text is itself the cue: "wie <a>berichtet</a>"
                if role == "ignore":
                    people.add((outlet_id, doc.text[os_:oe]))
                elif role == "self":
                    rule_self.add(outlet_id)  # "© Neue Zürcher Zeitung AG": the publisher
                if role in CITING_ROLES and not outlet.citable:
                    role = "mention"  # a photo agency is credited, never a source
                judged.append((os_, oe, outlet_id, strict or is_link, role))
            self._coordinate(doc.text, judged, cued, cues, window)
            for os_, oe, outlet_id, strict, role in judged:
                if role == "ignore" or (outlet_id, doc.text[os_:oe]) in people:
                    continue  # "Michael Bloomberg ... Bloomberg said": the person throughout
                if any(cs <= os_ < ce or cs < oe <= ce for cs, ce in credited):
                    role = "credit"
                elif strict and role not in CITING_ROLES:
                    continue
                elif outlet_id in rule_self:
                    role = "self"
                block = doc.block_at(os_)
                if role in CITING_ROLES and block not in ("body", "heading"):
                    role = "mention"
                category = rule.category if role in CITING_ROLES else "mention"
                out.append(Marker(rule_id=rule.id, category=category, entity=outlet_id,
                                  start=os_, end=oe, snippet=doc.text[os_:oe], role=role,
                                  block=block))
        return out

    def _other_body(self, text: str, s: int, e: int, outlet_id: str) -> bool:
        """True when the words before "(" spell out the name at `s`:`e` and share no word
        with the outlet's names ("American Psychological Association (APA)"), unlike
        "Deutsche Presseagentur (dpa)", a spelling the registry lacks."""
        long_form = spelled_out(text, s - 1, text[s:e])
        if long_form is None:
            return False
        words = self._name_words.get(outlet_id)
        if words is None:
            outlet = self.ruleset.outlets[outlet_id]
            words = {w for n in (outlet.name, *outlet.aliases) for w in regex.split(r"[\W_]+", n.lower())
                     if len(w) >= 4}
            self._name_words[outlet_id] = words
        return not any(w.lower() in words for w in long_form.split())

    def outlet_for_domain(self, domain: str | None) -> str | None:
        """The outlet that owns `domain` or a parent of it (wien.orf.at -> orf)."""
        while domain:
            outlet_id = self.domain_to_outlet.get(domain.lower())
            if outlet_id:
                return outlet_id
            if "." not in domain:
                return None
            domain = domain.split(".", 1)[1]
            if "." not in domain:  # never match a bare TLD
                return None
        return None

    def _link_hits(self, doc: Document,
                   names: list[tuple[int, int, str, bool, bool]]) -> list[tuple[int, int, str, bool, bool]]:
        """Body links to an outlet's domain, placed in the text (links without offsets,
        e.g. from plain text, cannot be judged and are skipped)."""
        out: list[tuple[int, int, str, bool, bool]] = []
        for link in doc.links:
            if link.start is None or link.end is None or link.end <= link.start:
                continue
            outlet_id = self.outlet_for_domain(link.domain)
            if outlet_id is None:
                continue
            if any(s < link.end and link.start < e for s, e, *_ in names):
                continue  # the name in the anchor decides
            out.append((link.start, link.end, outlet_id, True, True))
        return out

    @staticmethod
    def _role(text: str, s: int, e: int, cues: list[_Cue], window: int,
              default: str | None = "mention") -> str | None:
        before, after = _clause(text, s, e, window)
        for cue in cues:
            # `after` is anchored at its start and fails at once; `before` is anchored at
            # its end and is searched for: try the cheap one first (both must hold)
            if cue.after is not None and not cue.after.search(after):
                continue
            if cue.before is not None and not cue.before.search(before):
                continue
            return cue.role
        return default

    def _coordinate(self, text: str, judged: list[tuple[int, int, str, bool, str]],
                    cued: list[bool], cues: list[_Cue], window: int) -> None:
        """Names joined into a list share one cue: "laut ARD und ZDF", "according to
        Reuters and the AP", "NBC News and Bloomberg have reported". The list is
        judged as one name (the context before its first and after its last member);
        a citing role goes to every member that no cue of its own judged."""
        i = 0
        while i < len(judged):
            j = i
            while j + 1 < len(judged) and _COORDINATOR.match(text, judged[j][1], judged[j + 1][0]):
                j += 1
            if j > i:
                role = self._role(text, judged[i][0], judged[j][1], cues, window, default=None)
                if role in CITING_ROLES:
                    for k in range(i, j + 1):
                        if not cued[k]:
                            judged[k] = (*judged[k][:4], role)
            i = j + 1


# what may stand between a name and its context without changing the role:
# quotes ("der \"Spiegel\""), and a generic noun glued on ("Bild-Zeitung")
_OPEN_QUOTES = regex.compile(r"[\"'(\[]+$")
_CLOSE_QUOTES = regex.compile(r"^(?:\"|'(?!s?\s))+|^[)\]]+")
_NAME_SUFFIX = regex.compile(
    r"^-(?:Zeitung|Magazin|Sender|Blatt|Redaktion|Online|Website|Webseite|Portal|Agentur)\b")
_SENT_END = regex.compile(r"[.!?]+[\"')\]]*\s+")
_ABBREV = regex.compile(
    r"(?:^|[\s(])(?:\p{L}|Mr|Mrs|Ms|Dr|Prof|St|Sr|Jr|Nr|No|vs|bzw|ca|etc|Inc|Corp|Co|Ltd|Gov|Sen|Rep|Gen|"
    r"Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec|Okt|Dez|Abs|Art|Bd|Hrsg|Mio|Mrd|Tel|usw|vgl|ggf|evtl|"
    r"z\.\s?B|u\.\s?a|d\.\s?h|U\.S|U\.K)\.$")
_SENT_START = regex.compile(r"[\p{Lu}\p{N}\"'(\[\-]")


# what joins the names of a list: ", ", " and ", ", und die ", " / ", quotes around names
_COORDINATOR = regex.compile(
    r"[\"'\u201c\u201d\u201e\u00ab\u00bb)]*(?:\s*,\s*(?:(?:and|or|und|oder|sowie|as well as)\s+)?"
    r"|\s+(?:and|or|und|oder|sowie|as well as|&)\s+|\s*/\s*)"
    r"(?:(?:the|der|die|das|dem|den|des|von|vom)\s+)?[\"'\u201c\u201d\u201e\u00ab\u00bb(]*$")
# after a common-word name, what makes it part of a longer name or a mere modifier:
# "Nature Astronomy", "Vice President", "Fortune 500", "Standard & Poor's",
# "Times-Picayune", "Welt-Gesundheitsorganisation", "Phoenix police", "Metro officials"
_LONGER_NAME = regex.compile(
    r"[\"'\u201c\u201d\u00ab\u00bb\u2019]?(?:-(?!(?:Zeitung|Magazin|Sender|Blatt|Redaktion|Online|Website|Portal|"
    r"Bericht|Berichten|Berichts|Berichte|Informationen|Angaben|Recherche|Recherchen|Meldung|Meldungen|Umfrage|"
    r"Analyse|Interview|Gespräch|Report|Reporter|Reporterin|Korrespondent|Korrespondentin|Reportage|Chefredakteur|"
    r"Chefredakteurin|Autor|Autorin|Kolumnist|Kolumnistin|Journalist|Journalistin|Journalisten|Korrespondenten|"
    r"Reportern|Rechercheteam|Enthüllung|Enthüllungen|Auswertung|Anfrage|Anfragen|Nachfrage|Nachfragen)\b)\p{L}"
    r"| +(?:&|\p{N})"
    r"| +(?!(?:Magazine|Magazin|Online|TV|Radio|Zeitung|Newspaper|Interview|Report|Reporter|Podcast|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Montag|Dienstag|Mittwoch|Donnerstag|Freitag|"
    r"Samstag|Sonntag|Montagabend|Sonntagabend|January|February|March|April|May|June|July|August|September|"
    r"October|November|December|Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|Anfang|Mitte|Ende)\b)\p{Lu}"
    r"| +(?:police|officials|authorities|residents|officers|prosecutors|firefighters|council|city|county|"
    r"fans|players|team|coach|airport|hospital|university|school|station|transit|area|region|department|"
    r"government|mayor|governor|sheriff)\b)")


def _sisters(outlets: dict[str, Any]) -> dict[str, frozenset[str]]:
    """Outlets with the same owner as each outlet: a title naming its sister title
    ("sagte er den Zeitungen der Funke Mediengruppe" on waz.de) does not cite another
    newsroom. Owners that only say "public broadcaster (...)" group separate
    institutions and make no sisters."""
    by_owner: dict[str, set[str]] = {}
    for outlet_id, outlet in outlets.items():
        owner = (outlet.owner or "").strip()
        if owner and not owner.lower().startswith("public broadcaster"):
            by_owner.setdefault(owner, set()).add(outlet_id)
    out: dict[str, frozenset[str]] = {}
    for ids in by_owner.values():
        if len(ids) > 1:
            for outlet_id in ids:
                out[outlet_id] = frozenset(ids - {outlet_id})
    return out


def _longer_name(text: str, end: int) -> bool:
    """True where a common-word name runs on into a longer name or modifies a noun."""
    return _LONGER_NAME.match(text, end, min(len(text), end + 60)) is not None


def _appositive(text: str, prev: tuple[int, int, str, bool, bool], s: int, e: int,
                outlet_id: str) -> bool:
    """True for the short form in brackets right after the full name of the same outlet."""
    return (prev[2] == outlet_id and not prev[4] and text[prev[1]:s] in (" (", "(")
            and text[e:e + 1] == ")")


def _clause(text: str, s: int, e: int, window: int) -> tuple[str, str]:
    """The folded text from the start of the sentence up to [s, e), and from there
    to the end of the sentence, each bounded by the line and by `window`."""
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    if line_end < 0:
        line_end = len(text)
    before = fold_keep(text[max(line_start, s - window):s])
    probe = before + text[s:s + 1]  # the name itself may start the next sentence
    cut = 0
    for m in _SENT_END.finditer(before):
        if _is_boundary(probe, m):
            cut = m.end()
    before = _OPEN_QUOTES.sub("", before[cut:])
    after = fold_keep(text[e:min(line_end, e + window)])
    after = _CLOSE_QUOTES.sub("", after, count=1)
    after = _NAME_SUFFIX.sub("", after, count=1)
    for m in _SENT_END.finditer(after):
        if _is_boundary(after, m):
            after = after[:m.start() + 1]
            break
    return before, after


def _is_boundary(text: str, m: Any) -> bool:
    """A sentence ends at `m` unless an abbreviation precedes it ("U.S.", "z. B.",
    "Dr.") or what follows cannot start a sentence."""
    if m.end() >= len(text) or not _SENT_START.match(text, m.end()):
        return False
    if text[m.start()] == "." and _ABBREV.search(text, 0, m.start() + 1):
        return False
    return True


def fold_keep(text: str) -> str:
    """`fold` without stripping the ends, for context windows."""
    if not text:
        return text
    lead = " " if text[0].isspace() else ""
    trail = " " if text[-1].isspace() else ""
    core = fold(text)
    return (lead + core + trail) if core else " "


def _body_start(doc: Document) -> int | None:
    """Where the article body begins: chrome-window rules count bylines just above it."""
    return next((b.start for b in doc.blocks if b.kind == "body"), None)


def _anchored(pattern: Any, text: str, starts: list[int],
              spans: list[tuple[int, int]]) -> list[Any]:
    """What `pattern.finditer(text, s, e)` finds in each span, for a pattern whose
    matches can only start at `starts` (sorted): `match` tried there, skipping
    places inside the previous match as `finditer` does."""
    out: list[Any] = []
    for s, e in spans:
        last = s
        for at in starts:
            if at < last:
                continue
            if at >= e:
                break
            m = pattern.match(text, at, e, timeout=PATTERN_TIMEOUT)
            if m is not None:
                out.append(m)
                last = m.end()
    return out


def _merge_windows(hits: list[tuple[int, int]], before: int, after: int,
                   length: int) -> list[tuple[int, int]]:
    """[start - before, end + after] around every literal hit, within the text, with
    overlapping or touching windows merged: a match that contains a hit and reads no
    further than `before` characters before it and `after` beyond it lies inside one window."""
    hits.sort()
    out: list[tuple[int, int]] = []
    for s, e in hits:
        ws, we = max(0, s - before), min(length, e + after)
        if out and ws <= out[-1][1]:
            if we > out[-1][1]:
                out[-1] = (out[-1][0], we)
        else:
            out.append((ws, we))
    return out


# searched backwards from its end ((?r)): a forward search tried every start in the 120
# characters, 0.3 ms a call, where this takes a microsecond or two
_RUN_WORDS = regex.compile(r"(?r)(?<![\p{L}'’\-])[\p{L}][\p{L}'’\-]*(?:[ \t]+[\p{L}][\p{L}'’\-]*){0,7}[ \t]*\Z")
_FUNCTION_WORDS = frozenset({"of", "for", "the", "and", "on", "in", "für", "der", "die", "das", "des",
                             "und", "de", "du", "la", "le", "les", "et", "del", "y", "el"})


def spelled_out(text: str, at: int, name: str) -> str | None:
    """The words right before `at` when they spell `name` out, so that "(APA)" after
    "American Psychological Association" reads as that body's abbreviation, not a
    credit; else None. Each of the last two or more words (no punctuation between;
    function words may be skipped) gives its initial and maybe more of its letters, in
    order, and together they give all of `name`'s letters."""
    letters = "".join(c for c in name.lower() if c.isalpha())
    if len(letters) < 2:
        return None
    run = _RUN_WORDS.search(text, max(0, at - 120), at)
    if run is None:
        return None
    words = [p for w in run.group().split() for p in w.split("-") if p]
    for i in range(len(words) - 1):
        if words[i][0].lower() == letters[0] and _spells(words[i:], letters):
            return " ".join(words[i:])
    return None


def _spells(words: list[str], letters: str) -> bool:
    if not words:
        return not letters
    word = words[0].lower()
    if word in _FUNCTION_WORDS and (not letters or word[0] != letters[0]) \
            and _spells(words[1:], letters):
        return True
    if not letters or word[0] != letters[0]:
        return False
    pos, k = 1, 1
    while True:  # this word gives letters[:k]; the next words give the rest
        if _spells(words[1:], letters[k:]):
            return True
        if k >= len(letters):
            return False
        pos = word.find(letters[k], pos) + 1
        if pos == 0:
            return False
        k += 1


_LAST_WORD = regex.compile(r"([\p{L}]{2,8})[ \t]*\Z")


def _abbreviation(text: str, at: int, name: str) -> bool:
    """A name in parentheses at `at` that pairs with the words before it as a long form
    and its abbreviation, either way round: "Austria Presse Agentur (APA)",
    "a contract with AFP (Agence France-Presse)"."""
    if spelled_out(text, at, name):
        return True
    last = _LAST_WORD.search(text, max(0, at - 12), at)
    return bool(last) and " " in name.strip() and spelled_out(name, len(name), last.group(1))


def _hit_in(starts: list[int], s: int, e: int) -> bool:
    """Whether one of the sorted `starts` lies in [s, e)."""
    i = bisect_left(starts, s)
    return i < len(starts) and starts[i] < e


def _clip(windows: list[tuple[int, int]], spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of `windows` inside `spans` (blocks), in the order of the spans."""
    return [(max(s, ws), min(e, we)) for s, e in spans for ws, we in windows
            if ws < e and s < we]


def _dedupe(markers: list[Marker]) -> list[Marker]:
    """One marker per piece of evidence: drop exact repeats and markers inside a
    longer one of the same category and entity ("Follow us" in "Follow us on")."""
    markers.sort(key=lambda m: (m.start, -(m.end - m.start), m.category, m.entity, m.rule_id))
    out: list[Marker] = []
    open_by_key: dict[tuple[str, str], list[Marker]] = defaultdict(list)
    for m in markers:
        cover = open_by_key[(m.category, m.entity)]
        cover[:] = [c for c in cover if c.end > m.start]
        if any(c.start <= m.start and m.end <= c.end for c in cover):
            continue
        out.append(m)
        cover.append(m)
    return out


def rule_markers(engine: Engine, rule: Rule, doc: Document) -> list[Marker]:
    """Markers that one rule contributes to a document (for examples and `rules test`)."""
    return [m for m in engine.run(doc) if m.rule_id == rule.id]
