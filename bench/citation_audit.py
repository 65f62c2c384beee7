"""Lay out unlabelled real pages for a hand audit of outlet citations.

`build` writes one JSONL file (html + original URL per line) from the
extraction benchmark (`html/<id>.html.gz`, URLs in `ground-truth.json`) and the
labelled corpus (URLs from `labels.jsonl`), so that `provenance audit` knows
each page's publisher. `dump` prints every marker of the categories
`citation`, `mention` and `attribution` (or those given with `--category`, e.g.
`agency`, `syndication`, `image-credit`) from an audit database with ~150
characters of context on either side, one block per marker, for judging by the
labelling policy in ../shared/corpus/README.md. `cues` lists sentences that hold
an attribution cue and a registry outlet name but no citation marker (misses).
`ctas` lists short visible lines with call-to-action vocabulary (abonn, newsletter,
spend, donate, follow us, suivez, síguenos, ...) that no boilerplate marker touches
(likely boilerplate misses). `build --bench-only` leaves out the labelled corpus, so
that only pages nobody has tuned on are judged.
`credit-misses` lists credit-shaped spans (an agency of the registry in a copy
credit shape, or a picture-credit label) that no agency or image-credit marker
overlaps (recall misses of those two categories).

    python bench/citation_audit.py build /tmp/cites.jsonl [--bench-only]
    provenance audit /tmp/cites.jsonl --db /tmp/cites.db --no-reuse -q
    python bench/citation_audit.py dump /tmp/cites.db [--category boilerplate] [--entity newsletter]
    python bench/citation_audit.py cues /tmp/cites.db
    python bench/citation_audit.py ctas /tmp/cites.db [--max-len 200]
    python bench/citation_audit.py credit-misses /tmp/cites.db
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = next((p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()),
              ROOT.parent / "shared")
_ORIGINAL_URL = re.compile(r"original URL: (https?://[^\s)]+)")
CUES = re.compile(
    r"\b(?:laut|zufolge|berichtet\w*|meldet\w*|schreibt|schrieb|gegenüber|sagte|sagten|"
    r"Interview|according to|told|reported|reports|citing|cited|in an interview|"
    r"first reported|wrote|writes|said)\b", re.I)
# call-to-action vocabulary of the boilerplate policy, in de/en/fr/es
CTA_WORDS = re.compile(
    r"abonn|newsletter|spend|support|donat|follow|folg(?:en|t|e) (?:sie |du )?uns|subscri|sign up|"
    r"suiv|s[ií]gu|suscr|membre|mitglied|member|unterst[üu]tz|soutien|soutenez|contribut|"
    r"inscri|an ?melden|registr", re.I)


def build(out: Path, bench_only: bool = False) -> int:
    """Write the JSONL file; returns the number of pages."""
    n = 0
    with out.open("w", encoding="utf-8") as fh:
        bench = SHARED / "extraction-benchmark"
        truth = json.loads((bench / "ground-truth.json").read_text(encoding="utf-8"))
        for page_id, item in sorted(truth.items()):
            path = bench / "html" / f"{page_id}.html.gz"
            if not path.exists():
                continue
            html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
            fh.write(json.dumps({"html": html, "url": item.get("url")}) + "\n")
            n += 1
        corpus = SHARED / "corpus"
        labels = [] if bench_only else (corpus / "labels.jsonl").read_text(encoding="utf-8").splitlines()
        for line in labels:
            if not line.strip():
                continue
            label = json.loads(line)
            raw = (corpus / label["doc"]).read_text(encoding="utf-8", errors="replace")
            m = _ORIGINAL_URL.search(label.get("source") or "")
            key = "html" if label["doc"].endswith(".html") else "text"
            fh.write(json.dumps({key: raw, "url": m.group(1) if m else None}) + "\n")
            n += 1
    return n


def _context(text: str, start: int, end: int, width: int = 150) -> str:
    left = text[max(0, start - width):start].replace("\n", " | ")
    right = text[end:end + width].replace("\n", " | ")
    return f"{left}[[{text[start:end]}]]{right}"


def dump(db: Path, categories: list[str], entities: list[str] | None = None) -> None:
    """Print the markers of `categories` (and `entities`, if given) with their context, by domain."""
    con = sqlite3.connect(db)
    marks = ",".join("?" * len(categories))
    where = f"m.category in ({marks})"
    if entities:
        where += f" and m.entity in ({','.join('?' * len(entities))})"
    rows = con.execute(
        f"""select d.domain, d.origin, m.category, m.entity, m.role, m.block, m.start, m."end", d.text,
                   m.rule_id
            from markers m join documents d on d.id = m.document_id
            where {where} order by m.category, d.domain, d.origin, m.start""",
        [*categories, *(entities or [])])
    for n, (domain, origin, cat, entity, role, block, s, e, text, rule) in enumerate(rows, 1):
        print(f"#{n} {cat} {entity} role={role} block={block} {rule} {domain} {origin}")
        print("   " + _context(text, s, e))


def cues(db: Path) -> None:
    """Lines with an attribution cue and a registry outlet name that no citation marker covers."""
    from provenance import packs

    ruleset = packs.load([])
    names = sorted({a for o in ruleset.outlets.values() for a in (o.name, *o.aliases, *o.strict_aliases)
                    if len(a) > 1}, key=len, reverse=True)
    name_re = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w])")
    con = sqlite3.connect(db)
    cited = {(doc, s) for doc, s in con.execute("select document_id, start from markers where category='citation'")}
    for doc_id, domain, text in con.execute("select id, domain, text from documents order by domain"):
        for m in name_re.finditer(text):
            if (doc_id, m.start()) in cited:
                continue
            window = text[max(0, m.start() - 120):m.end() + 120]
            if "\n" in window[:120]:
                window = window[window.rfind("\n", 0, 120) + 1:]
            if CUES.search(window):
                print(f"{domain} {m.group(0)!r}: {_context(text, m.start(), m.end(), 120)}")


def ctas(db: Path, max_len: int = 200) -> None:
    """Short lines with call-to-action vocabulary that no boilerplate marker touches."""
    con = sqlite3.connect(db)
    spans: dict[int, list[tuple[int, int]]] = {}
    for doc, s, e in con.execute("select document_id, start, \"end\" from markers where category='boilerplate'"):
        spans.setdefault(doc, []).append((s, e))
    for doc_id, domain, origin, text in con.execute(
            "select id, domain, origin, text from documents order by domain, origin"):
        pos = 0
        for line in text.split("\n"):
            start, end = pos, pos + len(line)
            pos = end + 1
            if len(line.strip()) > max_len or not CTA_WORDS.search(line):
                continue
            if any(s < end and e > start for s, e in spans.get(doc_id, ())):
                continue
            print(f"{domain} {origin}: {line.strip()}")


# Picture-credit labels and holders: each hit is a candidate on its own.
IMAGE_SHAPES = (
    r"(?:(?:(?<![\w-])|(?<=\p{Ll})(?=Credits?\s*:))(?:Foto|Fotos|Bild|Bilder|Bildquelle|Bildnachweis|Bildrechte|Grafik|Photo|Photos|"
    r"Photograph|Image|Picture|Credit|Crédits?|Crédit photo|Fotografía|Imagen|Video)\s*:"
    r"|(?<![\w-])(?:Photo|Photograph|Foto|Image) (?:by|von|de|par|por) \p{Lu}"
    r"|©|\([cC]\)(?=\s*\w)|Getty Images|\bimago\b|\bIMAGO\b|[Pp]icture[ -][Aa]lliance|Shutterstock|"
    r"\bKeystone\b|\bKEYSTONE\b|\bAP Photo\b|iStock|Adobe ?Stock|Alamy|Unsplash|Pixabay|"
    r"(?i:image copyright|bildquelle|getty)|\bvia (?:AP|Reuters|AFP|Getty)\b|(?<![\w-])[Cc]ourtesy\b)")
# A copyright footer ("© 2019 Acme Inc. All rights reserved") is no picture credit (policy).
_FOOTER = re.compile(r"(?i)(?:copyright|\(c\)|©)\s*(?:\d{4}|copyright)|rights? reserved|"
                     r"rechte vorbehalten|derechos reservados|droits réservés")
# Copy-credit shapes around an agency name ({a}); a hit is a candidate where the name is an
# agency of the registry.
AGENCY_SHAPES = (
    r"\((?:[\p{{L}}\-]{{1,15}}\s*[/,]\s*)*{a}(?:\s*[/,]\s*[^()\n]{{0,30}})?\)",   # (dpa) (dpa/lno) (KNA, DR)
    r"(?<![\w/]){a}/[\p{{L}}]{{2,6}}(?![\w/])",                                        # dpa/lno
    r"[\p{{L}}.]+ ?/ ?{a}(?![\w-])|(?<![\w-]){a} ?/ ?\p{{Lu}}|(?<![\w-]){a} (?:Photo|Foto|Images?)\b",  # Name/AP
    r"(?:Quelle|Source|Fuente|Agenturen|Mit Material|Material|with material|reporting from|"
    r"avec|con información de|Par|Von|By|Por)\b[^\n]{{0,40}}?(?<![\w-]){a}(?![\w-])",
    r"(?:©|\([cC]\)|Copyright)\s*(?:\d{{4}}\s*)?{a}(?![\w-])",
    r"(?m)(?<![\w-]){a}(?![\w-])\s*(?:\)?\s*[-—–]\s|\.-|\s*$)",                     # (AP) — / EFE signoff
    r"(?m)^\s*(?:[\p{{Lu}}\p{{L}}\-]+,\s*)?{a}(?![\w-])",                                # line opens with it
)


def credit_misses(db: Path) -> None:
    """Credit-shaped spans that no agency or image-credit marker overlaps, with context."""
    import regex

    from provenance import packs

    ruleset = packs.load([])
    names = sorted({a for o in ruleset.outlets.values() if o.type == "agency"
                    for a in (o.name, *o.aliases, *o.strict_aliases) if len(a) > 1}, key=len, reverse=True)
    alt = "(?:" + "|".join(regex.escape(n) for n in names) + ")"
    agency_re = regex.compile("|".join(f"(?:{s.format(a='(?P<n' + str(i) + '>' + alt + ')')})"
                                       for i, s in enumerate(AGENCY_SHAPES)))
    image_re = regex.compile(IMAGE_SHAPES)
    con = sqlite3.connect(db)
    spans: dict[str, list[tuple[int, int]]] = {}
    for doc, s, e in con.execute(
            "select document_id, start, \"end\" from markers where category in ('agency', 'image-credit')"):
        spans.setdefault(doc, []).append((s, e))
    tally: dict[str, int] = {}
    for doc_id, domain, text in con.execute("select id, domain, text from documents order by domain, id"):
        covered = spans.get(doc_id, [])
        seen: set[int] = set()
        for kind, pattern in (("agency", agency_re), ("image", image_re)):
            for m in pattern.finditer(text):
                line_start = text.rfind("\n", 0, m.start()) + 1
                line_end = text.find("\n", m.end())
                line_end = len(text) if line_end < 0 else line_end
                lo, hi = max(line_start, m.start() - 80), min(line_end, m.end() + 80)
                if lo in seen or any(s < hi and e > lo for s, e in covered):
                    continue
                if kind == "image" and _FOOTER.search(text, max(line_start, m.start() - 12), m.end() + 40):
                    continue
                seen.add(lo)
                tally[kind] = tally.get(kind, 0) + 1
                print(f"{kind} {domain} {doc_id[:8]}: {_context(text, m.start(), m.end(), 100)}")
    print(" ".join(f"{k}={v}" for k, v in sorted(tally.items())), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build")
    b.add_argument("out", type=Path)
    b.add_argument("--bench-only", action="store_true", help="leave out the labelled corpus")
    d = sub.add_parser("dump")
    d.add_argument("db", type=Path)
    d.add_argument("--category", action="append",
                   help="citation, mention, attribution, agency, syndication, image-credit, boilerplate, "
                        "residue (repeatable)")
    d.add_argument("--entity", action="append", help="only markers of this entity (repeatable)")
    c = sub.add_parser("cues")
    c.add_argument("db", type=Path)
    t = sub.add_parser("ctas")
    t.add_argument("db", type=Path)
    t.add_argument("--max-len", type=int, default=200, help="longest line considered (characters)")
    m = sub.add_parser("credit-misses")
    m.add_argument("db", type=Path)
    args = parser.parse_args(argv)
    if args.cmd == "build":
        print(f"{build(args.out, args.bench_only)} pages -> {args.out}", file=sys.stderr)
    elif args.cmd == "dump":
        dump(args.db, args.category or ["citation", "mention", "attribution"], args.entity)
    elif args.cmd == "ctas":
        ctas(args.db, args.max_len)
    elif args.cmd == "credit-misses":
        credit_misses(args.db)
    else:
        cues(args.db)
    return 0


if __name__ == "__main__":
    sys.exit(main())
