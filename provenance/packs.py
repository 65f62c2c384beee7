"""Load rule packs, the outlet registry and verdict weights from TOML, strictly.

A folder of rules holds three kinds of TOML file, told apart by their first
table: `[pack]` (rules), `[registry]` (outlets) and `[verdict]` (weights).
Every error names the file and the key, because pack authors fix files,
not stack traces.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import regex

from .cache import memo
from .prefilter import required_literals

CATEGORIES = {
    "syndication", "agency", "citation", "mention", "image-credit",
    "boilerplate", "residue", "attribution",
}
KINDS = {"phrase", "pattern", "block", "repeat", "outlet", "credit"}
OUTLET_TYPES = {
    "agency", "newspaper", "broadcaster", "magazine", "online",
    "press-release wire", "platform", "think tank",
}
ROLES = {"cited", "interview", "self", "credit", "mention", "copied"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")
_ENTITY = re.compile(r"^[a-z0-9][a-z0-9-]*$")

_COMMON_KEYS = {
    "id": str, "kind": str, "category": str, "entity": str, "description": str,
    "message": str, "why": str, "references": list, "examples": dict,
    "regions": list, "role": str, "chrome_window": int,
}
_KIND_KEYS: dict[str, dict[str, type]] = {
    "phrase": {"phrases": list, "case_sensitive": bool},
    "pattern": {"pattern": str, "group": str, "window": int, "window_before": int,
                "window_after": int},
    "block": {"lines": list, "max_chars": int},
    "repeat": {"min_chars": int},
    "outlet": {"cues": list, "window": int, "types": list, "link_cue": str},
    "credit": {"pattern": str, "person_entity": str, "types": list, "fallback_entity": str,
               "require_outlet": bool, "require_person": bool, "not_publisher": bool,
               "not_abbreviation": bool, "window": int,
               "window_before": int, "window_after": int},
}
_REQUIRED: dict[str, tuple[str, ...]] = {
    "phrase": ("phrases", "entity"),
    "pattern": ("pattern", "entity"),
    "block": ("lines", "entity"),
    "repeat": ("entity",),
    "outlet": ("cues",),
    "credit": ("pattern",),
}
_CUE_KEYS = {"role": str, "before": str, "after": str, "languages": list}
_OUTLET_KEYS = {
    "id": str, "name": str, "aliases": list, "strict_aliases": list, "domains": list,
    "type": str, "country": str, "languages": list, "owner": str,
    "state_affiliated": bool, "affiliation_source": str, "notes": str,
    "citable": bool,
}
_REGEX_FLAGS = regex.V0

# What each rule kind does (docs/packs.md).
KIND_DOCS: dict[str, str] = {
    "phrase": "Literal phrases, all rules' phrases in one Aho-Corasick automaton: the cost per "
              "document does not grow with their number.",
    "pattern": "A regular expression; with literals the engine can prove, it runs only where one "
               "occurs (docs/engine.md).",
    "block": "A whole line such as \"nach oben\" or \"Read more:\".",
    "repeat": "A line printed twice (a title or caption left in the text).",
    "outlet": "Registry names in the text, each given a role by the first cue that fits.",
    "credit": "A credit line whose `names` group is split into names and resolved against the "
              "registry; a `lead` group, when the pattern has one, starts the names earlier (a first "
              "name read in a lookbehind).",
}

# What each key of a pack means, for pack authors (docs/packs.md is generated from this
# and from the key tables above; a test fails when a key has no entry here).
KEY_DOCS: dict[str, str] = {
    "id": "Dotted lowercase id, unique across all packs (`agency.credit.material`).",
    "kind": "One of the rule kinds: " + ", ".join(f"`{k}`" for k in sorted(KINDS)) + ".",
    "category": "The marker category: " + ", ".join(f"`{c}`" for c in sorted(CATEGORIES)) + ".",
    "entity": "The marker's entity (kebab-case); credit and outlet rules take it from the registry.",
    "description": "A longer description, for the catalogue.",
    "message": "One line that says what the marker shows, quoted in reports.",
    "why": "Why the marker matters to a reader, quoted in reports.",
    "references": "Public sources for the rule (URLs).",
    "examples": "`examples.match` and `examples.no_match`: texts the rule must and must not mark; "
                "`[[…]]` marks the expected snippet. `provenance rules test` and the tests run them.",
    "regions": "Blocks the rule may mark in: `body`, `heading`, `caption`, `aside`, `nav`, `footer` "
               "(default: all).",
    "role": "The role written on the marker (one of " + ", ".join(f"`{r}`" for r in sorted(ROLES)) + ").",
    "chrome_window": "In page chrome, only the last N characters before the body count (a byline, "
                     "not a teaser list).",
    "phrases": "Literal phrases, matched as whole words after folding (one automaton for all rules).",
    "case_sensitive": "Match the phrases in their case (default: any case).",
    "pattern": "A regular expression (the `regex` module, V0) on the folded text; probed for "
               "catastrophic backtracking when the pack loads.",
    "group": "The named group whose span is the marker (default: the whole match).",
    "window": "Run the pattern only within N characters of its literals; the loader refuses it "
              "when the literals cannot be proven.",
    "window_before": "Narrow the window before a literal's start to N characters.",
    "window_after": "Narrow the window after a literal's end to N characters.",
    "lines": "Regular expressions each matched against a whole line (lower case, stripped).",
    "max_chars": "Lines longer than this are never matched.",
    "min_chars": "Repeated lines shorter than this are ignored.",
    "cues": "Ordered attribution cues (`[[rules.cues]]`) that decide an outlet mention's role.",
    "types": "Outlet types to resolve names against: " + ", ".join(f"`{t}`" for t in sorted(OUTLET_TYPES)) + ".",
    "link_cue": "A regex on a body link's anchor text that makes a link to an outlet's domain a citation.",
    "person_entity": "Entity for a name in the credit that reads as a person's (e.g. `photographer`).",
    "fallback_entity": "Entity for a holder that is neither an outlet nor a person's name.",
    "require_outlet": "Keep a credit match only when one of its names is an outlet.",
    "require_person": "Keep a credit match only when one of its names is a person's.",
    "not_publisher": "Drop a name that is the page's own publisher (by its domain).",
    "not_abbreviation": "Drop a name in brackets that the words before it spell out "
                        "(\"American Psychological Association (APA)\").",
    "before": "Cue: a regex matched at the end of the text from the sentence's start to the name.",
    "after": "Cue: a regex matched at the start of the text from the name to the sentence's end.",
    "languages": "Cue: try it only on documents of these languages (or of unknown language).",
}


class PackError(Exception):
    """An invalid pack: `file: key: problem`, one line."""

    def __init__(self, path: Path | str, key: str, problem: str) -> None:
        self.path, self.key, self.problem = str(path), key, problem
        super().__init__(f"{path}: {key}: {problem}")


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    category: str
    entity: str | None
    pack: str
    version: str
    languages: tuple[str, ...]
    path: str
    spec: dict[str, Any]

    @property
    def description(self) -> str:
        return str(self.spec.get("description") or self.spec.get("message") or "")

    @property
    def examples(self) -> dict[str, list[str]]:
        ex = self.spec.get("examples") or {}
        return {"match": list(ex.get("match", [])), "no_match": list(ex.get("no_match", []))}


@dataclass(frozen=True)
class Outlet:
    id: str
    name: str
    type: str
    country: str | None
    domains: tuple[str, ...]
    aliases: tuple[str, ...]
    strict_aliases: tuple[str, ...]
    languages: tuple[str, ...] = ()
    owner: str | None = None
    state_affiliated: bool = False
    affiliation_source: str | None = None
    citable: bool = True  # false for photo agencies (credited, never a source) and think tanks (findings, not reporting)


@dataclass
class RuleSet:
    """All rules, outlets and weights in force for an audit."""

    rules: list[Rule] = field(default_factory=list)
    outlets: dict[str, Outlet] = field(default_factory=dict)
    verdict: dict[str, Any] = field(default_factory=dict)
    packs: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> version, hash, path

    @property
    def version(self) -> str:
        """One string that changes whenever any pack, registry or weight file changes."""
        digest = hashlib.sha256()
        for pid in sorted(self.packs):
            digest.update(f"{pid}={self.packs[pid]['hash']};".encode())
        return digest.hexdigest()[:16]

    def rule(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    def outlet_domains(self) -> dict[str, str]:
        return {d: o.id for o in self.outlets.values() for d in o.domains}


def builtin_dir() -> Path:
    """The packs shipped with the package (installed from the project's `rules/`)."""
    try:
        return Path(str(resources.files("provenance.rulepacks")))
    except ModuleNotFoundError:
        # Python run from a source checkout (`python -m provenance` in the project
        # folder, or worker processes started there) imports the package from the
        # folder, where the packs sit beside it in rules/ rather than inside it.
        here = Path(__file__).resolve().parent.parent / "rules"
        if (here / "verdict.toml").is_file():
            return here
        raise


def parse_toml(raw: bytes) -> dict[str, Any]:
    """A pack file's TOML, parsed once per content and kept in the start-up cache."""
    return memo("toml", raw, lambda: tomllib.loads(raw.decode("utf-8")))


def load(extra_dirs: list[Path] | tuple[Path, ...] = (), builtin: bool = True) -> RuleSet:
    ruleset = RuleSet()
    dirs = ([builtin_dir()] if builtin else []) + [Path(d) for d in extra_dirs]
    seen_rules: dict[str, str] = {}
    for folder in dirs:
        if not folder.is_dir():
            raise PackError(folder, "--rules", "not a folder")
        for path in sorted(folder.glob("*.toml")):
            _load_file(path, ruleset, seen_rules)
    return ruleset


def _load_file(path: Path, ruleset: RuleSet, seen_rules: dict[str, str]) -> None:
    try:
        raw = path.read_bytes()
        data = parse_toml(raw)
    except (OSError, UnicodeDecodeError) as exc:
        raise PackError(path, "(file)", f"cannot read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise PackError(path, "(toml)", str(exc)) from None
    digest = hashlib.sha256(raw).hexdigest()[:16]
    heads = [k for k in ("pack", "registry", "verdict") if k in data]
    if len(heads) != 1:
        raise PackError(path, "(file)", "needs exactly one of [pack], [registry], [verdict]")
    head = heads[0]
    if head == "pack":
        pack = _check_pack_head(path, data)
        key = f"pack:{pack['id']}"
        if key in ruleset.packs:
            raise PackError(path, "pack.id", f"duplicate pack id {pack['id']!r}")
        ruleset.packs[key] = {"version": pack["version"], "hash": digest, "path": str(path)}
        unknown = set(data) - {"pack", "rules"}
        if unknown:
            raise PackError(path, sorted(unknown)[0], "unknown key")
        rules = data.get("rules", [])
        if not isinstance(rules, list):
            raise PackError(path, "rules", "must be an array of tables ([[rules]])")
        for i, spec in enumerate(rules):
            rule = _check_rule(path, i, spec, pack)
            if rule.id in seen_rules:
                raise PackError(path, f"rules[{i}].id",
                                f"duplicate rule id {rule.id!r} (also in {seen_rules[rule.id]})")
            seen_rules[rule.id] = str(path)
            ruleset.rules.append(rule)
    elif head == "registry":
        _load_registry(path, data, ruleset)
        ruleset.packs[f"registry:{path.stem}"] = {
            "version": str(data["registry"].get("version", "")), "hash": digest, "path": str(path)}
    else:
        if not isinstance(data["verdict"], dict):
            raise PackError(path, "verdict", "must be a table")
        _merge(ruleset.verdict, data["verdict"])
        ruleset.packs[f"verdict:{path.stem}"] = {
            "version": str(data["verdict"].get("version", "")), "hash": digest, "path": str(path)}


def _merge(into: dict[str, Any], new: dict[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _check_pack_head(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    pack = data["pack"]
    if not isinstance(pack, dict):
        raise PackError(path, "pack", "must be a table")
    allowed = {"id": str, "version": str, "languages": list, "description": str}
    for key, value in pack.items():
        if key not in allowed:
            raise PackError(path, f"pack.{key}", "unknown key")
        if not isinstance(value, allowed[key]):
            raise PackError(path, f"pack.{key}", f"must be a {allowed[key].__name__}")
    for key in ("id", "version"):
        if key not in pack:
            raise PackError(path, f"pack.{key}", "missing")
    if not _ENTITY.match(pack["id"]):
        raise PackError(path, "pack.id", "must be lowercase kebab-case")
    return pack


def _check_rule(path: Path, i: int, spec: Any, pack: dict[str, Any]) -> Rule:
    where = f"rules[{i}]"
    if not isinstance(spec, dict):
        raise PackError(path, where, "must be a table")
    rid = spec.get("id")
    if isinstance(rid, str):
        where = f"rules[{i}] ({rid})"
    for key in ("id", "kind", "category"):
        if key not in spec:
            raise PackError(path, f"{where}.{key}", "missing")
    kind = spec["kind"]
    if kind not in KINDS:
        raise PackError(path, f"{where}.kind", f"unknown kind {kind!r} (one of {', '.join(sorted(KINDS))})")
    allowed = {**_COMMON_KEYS, **_KIND_KEYS[kind]}
    for key, value in spec.items():
        if key not in allowed:
            raise PackError(path, f"{where}.{key}", f"unknown key for kind {kind!r}")
        if not isinstance(value, allowed[key]):
            raise PackError(path, f"{where}.{key}", f"must be a {allowed[key].__name__}")
    for key in _REQUIRED[kind]:
        if key not in spec:
            raise PackError(path, f"{where}.{key}", "missing")
    if not _ID.match(rid):
        raise PackError(path, f"{where}.id", "must be dotted lowercase kebab-case")
    if spec["category"] not in CATEGORIES:
        raise PackError(path, f"{where}.category", f"unknown category {spec['category']!r}")
    entity = spec.get("entity")
    if entity is not None and not _ENTITY.match(entity):
        raise PackError(path, f"{where}.entity", "must be lowercase kebab-case")
    if "role" in spec and spec["role"] not in ROLES:
        raise PackError(path, f"{where}.role", f"unknown role {spec['role']!r}")
    for key in ("phrases", "lines", "references", "regions", "types"):
        if key in spec:
            if not spec[key] or not all(isinstance(x, str) and x.strip() for x in spec[key]):
                raise PackError(path, f"{where}.{key}", "must be a non-empty list of non-empty strings")
    groups: dict[str, frozenset[str]] = {}
    for key in ("pattern", "link_cue"):
        if key in spec:
            groups[key] = _check_regex(path, f"{where}.{key}", spec[key])
    for j, line in enumerate(spec.get("lines", [])):
        _check_regex(path, f"{where}.lines[{j}]", line)
    if kind == "credit":
        if "names" not in groups["pattern"]:
            raise PackError(path, f"{where}.pattern", "a credit pattern needs a (?P<names>...) group")
    if "window" in spec and kind in ("pattern", "credit"):
        _check_window(path, f"{where}.window", spec)
    for side in ("window_before", "window_after"):
        if side in spec:
            if "window" not in spec:
                raise PackError(path, f"{where}.{side}", "needs `window` (it narrows one side of it)")
            if isinstance(spec[side], bool) or spec[side] < 0:
                raise PackError(path, f"{where}.{side}", "must be 0 or a positive number of characters")
    if "group" in spec and spec["group"] not in groups.get("pattern", frozenset()):
        raise PackError(path, f"{where}.group", f"no group named {spec['group']!r} in the pattern")
    for j, cue in enumerate(spec.get("cues", [])):
        ckey = f"{where}.cues[{j}]"
        if not isinstance(cue, dict):
            raise PackError(path, ckey, "must be a table")
        for key, value in cue.items():
            if key not in _CUE_KEYS:
                raise PackError(path, f"{ckey}.{key}", "unknown key")
            if key == "languages":
                if not isinstance(value, list) or not value or not all(isinstance(x, str) for x in value):
                    raise PackError(path, f"{ckey}.{key}", "must be a non-empty list of language codes")
            elif not isinstance(value, str):
                raise PackError(path, f"{ckey}.{key}", "must be a str")
        if cue.get("role") not in ROLES | {"ignore"}:
            raise PackError(path, f"{ckey}.role", "missing or unknown role")
        if "before" not in cue and "after" not in cue:
            raise PackError(path, ckey, "needs `before` or `after`")
        for key in ("before", "after"):
            if key in cue:
                _check_regex(path, f"{ckey}.{key}", cue[key])
    examples = spec.get("examples", {})
    for key, value in examples.items():
        if key not in ("match", "no_match"):
            raise PackError(path, f"{where}.examples.{key}", "unknown key (match, no_match)")
        if not isinstance(value, list) or not all(isinstance(x, str) for x in value):
            raise PackError(path, f"{where}.examples.{key}", "must be a list of strings")
    return Rule(
        id=rid, kind=kind, category=spec["category"], entity=entity,
        pack=pack["id"], version=pack["version"],
        languages=tuple(pack.get("languages", [])), path=str(path), spec=spec,
    )


def _check_window(path: Path, key: str, spec: dict[str, Any]) -> None:
    """A `window` (the regex runs only within that many characters of the pattern's
    literals) needs literals that every match provably contains."""
    if isinstance(spec["window"], bool) or spec["window"] <= 0:
        raise PackError(path, key, "must be a positive number of characters")
    if required_literals(spec["pattern"]) is None:
        raise PackError(path, key, "the pattern has no provable required literals (every "
                        "alternative needs a literal of 3 or more characters), so it cannot "
                        "be run in windows around them; remove `window`")


# Inputs on which patterns with nested repetition ("(a+)+$", "(\\w+\\s?)+$")
# backtrack for seconds; a sound pattern answers each in microseconds.
_PROBES = ("a" * 3000 + "!", "ab " * 1000 + "!", "a" * 30 + "!", " " * 3000 + "!",
           "aA1 ,.-" * 500 + "\n!")
PROBE_TIMEOUT = 0.25
_PROBE_KEY = repr((_PROBES, PROBE_TIMEOUT, regex.__version__))


def _check_regex(path: Path, key: str, pattern: str) -> frozenset[str]:
    """A bad pattern or one that backtracks catastrophically is an error; otherwise its
    group names. Both are cached by pattern, so a later start-up neither compiles nor
    probes it again (compiling the largest pattern alone takes 50 ms)."""
    def verdict() -> tuple[int | None, frozenset[str]]:
        try:
            compiled = regex.compile(pattern, _REGEX_FLAGS)
        except (regex.error, TypeError) as exc:
            raise PackError(path, key, f"bad regular expression: {exc}") from None
        return _slow_probe(compiled), frozenset(compiled.groupindex)

    slow, groups = memo("regex", f"{_PROBE_KEY}\0{_REGEX_FLAGS}\0{pattern}".encode(), verdict)
    if slow is not None:
        raise PackError(path, key, "catastrophic backtracking: the pattern ran over "
                        f"{PROBE_TIMEOUT:g} s on a {slow:,}-character probe; "
                        "rewrite it without nested repetition")
    return groups


def _slow_probe(compiled: Any) -> int | None:
    """The length of the first probe the pattern cannot answer in time, or None."""
    for probe in _PROBES:
        try:
            compiled.search(probe, timeout=PROBE_TIMEOUT)
        except TimeoutError:
            return len(probe)
    return None


def _load_registry(path: Path, data: dict[str, Any], ruleset: RuleSet) -> None:
    unknown = set(data) - {"registry", "outlets"}
    if unknown:
        raise PackError(path, sorted(unknown)[0], "unknown key")
    ids: set[str] = set()
    for i, entry in enumerate(data.get("outlets", [])):
        where = f"outlets[{i}]"
        if not isinstance(entry, dict):
            raise PackError(path, where, "must be a table")
        if isinstance(entry.get("id"), str):
            where = f"outlets[{i}] ({entry['id']})"
        for key, value in entry.items():
            if key not in _OUTLET_KEYS:
                raise PackError(path, f"{where}.{key}", "unknown key")
            if not isinstance(value, _OUTLET_KEYS[key]):
                raise PackError(path, f"{where}.{key}", f"must be a {_OUTLET_KEYS[key].__name__}")
        for key in ("id", "name", "type"):
            if key not in entry:
                raise PackError(path, f"{where}.{key}", "missing")
        if not _ENTITY.match(entry["id"]):
            raise PackError(path, f"{where}.id", "must be lowercase kebab-case")
        if entry["type"] not in OUTLET_TYPES:
            raise PackError(path, f"{where}.type", f"unknown type {entry['type']!r}")
        if entry["id"] in ids:
            raise PackError(path, f"{where}.id", f"duplicate outlet id {entry['id']!r}")
        ids.add(entry["id"])
        outlet = Outlet(
            id=entry["id"], name=entry["name"], type=entry["type"],
            country=entry.get("country"), domains=tuple(entry.get("domains", [])),
            aliases=tuple(entry.get("aliases", [])),
            strict_aliases=tuple(entry.get("strict_aliases", [])),
            languages=tuple(entry.get("languages", [])), owner=entry.get("owner"),
            state_affiliated=bool(entry.get("state_affiliated", False)),
            affiliation_source=entry.get("affiliation_source"),
            citable=bool(entry.get("citable", True)),
        )
        ruleset.outlets[outlet.id] = outlet

