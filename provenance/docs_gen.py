"""Generate docs/cli.md (the CLI reference), docs/rules.md (the rule catalogue) and
docs/packs.md (the keys a pack may use) from the code and the rule packs, so the
documentation cannot drift.

Run `python -m provenance.docs_gen docs` after changing a command or a pack;
a test fails while the committed files differ from what this makes.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click


def cli_reference() -> str:
    from .cli import cli

    lines = ["# Command-line reference", "",
             "Generated from the code by `python -m provenance.docs_gen docs`; do not edit.", ""]

    def walk(cmd: click.Command, path: list[str]) -> None:
        ctx = click.Context(cmd, info_name=" ".join(path), terminal_width=78, max_content_width=78,
                            help_option_names=["-h", "--help"])
        lines.append(f"{'#' * min(len(path) + 1, 4)} `{' '.join(path)}`")
        lines.append("")
        lines.append("```")
        lines.append(cmd.get_help(ctx).rstrip())
        lines.append("```")
        lines.append("")
        if isinstance(cmd, click.Group):
            for name in sorted(cmd.commands):
                walk(cmd.commands[name], [*path, name])

    walk(cli, ["provenance"])
    return "\n".join(lines)


def rule_catalogue() -> str:
    from .packs import load

    ruleset = load()
    lines = ["# Rule catalogue", "",
             "Generated from `rules/*.toml` by `python -m provenance.docs_gen docs`; do not edit.",
             "", f"{len(ruleset.rules)} rules in {sum(1 for k in ruleset.packs if k.startswith('pack:'))} "
             f"packs; {len(ruleset.outlets)} outlets in the registry.", ""]
    by_pack: dict[str, list] = {}
    for rule in ruleset.rules:
        by_pack.setdefault(rule.pack, []).append(rule)
    for pack, rules in by_pack.items():
        lines += [f"## Pack `{pack}` ({rules[0].version})", ""]
        for rule in rules:
            entity = rule.entity or "(from the outlet registry)"
            lines.append(f"### `{rule.id}`")
            lines.append("")
            lines.append(f"- kind `{rule.kind}`, category `{rule.category}`, entity `{entity}`")
            if rule.spec.get("regions"):
                lines.append(f"- only in blocks: {', '.join(rule.spec['regions'])}")
            if rule.kind in ("pattern", "credit") and rule.spec.get("window"):
                before = rule.spec.get("window_before", rule.spec["window"])
                after = rule.spec.get("window_after", rule.spec["window"])
                if before == after:
                    lines.append(f"- `window = {rule.spec['window']}`: the pattern runs only within "
                                 f"{before} characters of its literals")
                else:
                    lines.append(f"- `window = {rule.spec['window']}` (`window_before = {before}`, "
                                 f"`window_after = {after}`): the pattern runs only from {before} "
                                 f"characters before its literals to {after} after them")
            if rule.spec.get("message"):
                lines.append(f"- {rule.spec['message']}")
            if rule.spec.get("why"):
                lines.append(f"- Why it matters: {rule.spec['why']}")
            ex = rule.examples
            if ex["match"]:
                lines.append(f"- Matches, e.g.: {_code(ex['match'][0])}")
            if ex["no_match"]:
                lines.append(f"- Does not match, e.g.: {_code(ex['no_match'][0])}")
            lines.append("")
    types = Counter(o.type for o in ruleset.outlets.values())
    countries = Counter(o.country or "?" for o in ruleset.outlets.values())
    lines += ["## Outlet registry", "",
              "| type | outlets |", "|---|---|"]
    lines += [f"| {t} | {n} |" for t, n in sorted(types.items())]
    lines += ["", "Countries: " + ", ".join(f"{c} {n}" for c, n in sorted(countries.items())) + ".",
              "", "State-affiliated outlets, with the public source given for each:", ""]
    lines += [f"- `{o.id}` {o.name}: {o.affiliation_source or 'source not given'}"
              for o in sorted(ruleset.outlets.values(), key=lambda o: o.id) if o.state_affiliated]
    lines.append("")
    return "\n".join(lines)


def pack_format() -> str:
    """The keys a rule pack may use, per kind, from the loader's own tables."""
    from . import packs

    lines = ["# Rule pack format", "",
             "Generated from the pack loader (`provenance/packs.py`) by `python -m provenance.docs_gen "
             "docs`; do not edit. The loader refuses any other key, with the file and the key in the "
             "message.", "",
             "A pack is a TOML file with a `[pack]` table (`id`, `version`, `languages`, "
             "`description`) and `[[rules]]`. The minimal form of the contract (`phrase` rules) always "
             "works.", "", "## Keys of every rule", "", "| key | type | meaning |", "|---|---|---|"]
    lines += [f"| `{k}` | {t.__name__} | {packs.KEY_DOCS[k]} |" for k, t in packs._COMMON_KEYS.items()]
    for kind in sorted(packs.KINDS):
        required = packs._REQUIRED[kind]
        lines += ["", f"## Kind `{kind}`", "", packs.KIND_DOCS[kind], "",
                  "| key | type | required | meaning |", "|---|---|---|---|"]
        lines += [f"| `{k}` | {t.__name__} | {'yes' if k in required else ''} | {packs.KEY_DOCS[k]} |"
                  for k, t in packs._KIND_KEYS[kind].items()]
        lines += [f"| `{k}` | | yes | {packs.KEY_DOCS[k]} |" for k in required
                  if k not in packs._KIND_KEYS[kind]]
    lines += ["", "## Keys of an outlet cue (`[[rules.cues]]`)", "", "| key | type | meaning |", "|---|---|---|"]
    lines += [f"| `{k}` | {t.__name__} | {packs.KEY_DOCS.get(k, '')} |" for k, t in packs._CUE_KEYS.items()]
    lines += ["", "## Keys of a registry outlet (`[[outlets]]` in `[registry]` files)", "",
              "| key | type |", "|---|---|"]
    lines += [f"| `{k}` | {t.__name__} |" for k, t in packs._OUTLET_KEYS.items()]
    lines.append("")
    return "\n".join(lines)


def _code(text: str) -> str:
    text = " ".join(text.replace("[[", "").replace("]]", "").split())
    return "`" + text.replace("`", "'") + "`"


def documents() -> dict[str, str]:
    return {"cli.md": cli_reference(), "rules.md": rule_catalogue(), "packs.md": pack_format()}


def main(argv: list[str]) -> None:
    out = Path(argv[0] if argv else "docs")
    out.mkdir(parents=True, exist_ok=True)
    for name, text in documents().items():
        (out / name).write_text(text, encoding="utf-8")
        print(f"wrote {out / name}")


if __name__ == "__main__":
    main(sys.argv[1:])
