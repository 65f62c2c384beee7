"""Audit a labelled corpus and print precision and recall per category and language.

The corpus is a folder with `labels.jsonl` (one JSON object per document: `doc`,
`lang`, `syndication`, `agencies`, `cited_outlets`, `boilerplate`, `image_credit`,
`residue`) and the documents it names. Figures are given per language, per
document kind (html, text) and over all documents. Boilerplate kinds that the
labels do not record (cookie-consent, paywall) are left out of the counts. Every document is audited exactly as
`provenance audit FILE` would audit it; the found entity sets are compared with
the labelled sets document by document, and the counts are summed (micro
average). `image_credit` and `residue` are document-level booleans.

    python bench/evaluate.py [CORPUS] [--json PATH] [--show-errors CATEGORY] [--urls]

--urls gives each page the original URL recorded in its label (as when a page
is audited by URL), so that the publisher is known even where the saved page
has no canonical link; without it, files are audited exactly as files.

--review FILE adds label entries the labels leave out against their own policy
(bench/label_review.toml: each addition quotes the document and says why); the
figures are then printed "with N reviewed additions", never silently.

CORPUS defaults to ../shared/corpus relative to the repository. The figures are
also written to bench/results/evaluate.json (or --json PATH).
"""

from __future__ import annotations

import argparse
import html
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# ../shared/corpus next to the repository; a worktree one level deeper looks one up
CORPUS_CANDIDATES = (ROOT.parent / "shared" / "corpus", ROOT.parent.parent / "shared" / "corpus")
DEFAULT_OUT = ROOT / "bench" / "results" / "evaluate.json"

SET_CATEGORIES = {  # label field -> marker category
    "syndication": "syndication",
    "agencies": "agency",
    "cited_outlets": "citation",
    "boilerplate": "boilerplate",
}
BOOL_CATEGORIES = {"image_credit": "image-credit", "residue": "residue"}
# boilerplate kinds the engine finds but the labels do not record (policy v2 labels only
# donation, membership, newsletter and social-follow): not counted as false positives
UNLABELLED_BOILERPLATE = frozenset({"cookie-consent", "paywall"})


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, found: set[str], wanted: set[str], doc: str) -> None:
        self.tp += len(found & wanted)
        self.fp += len(found - wanted)
        self.fn += len(wanted - found)
        for entity in sorted(found - wanted):
            self.errors.append(f"FP {doc} {entity}")
        for entity in sorted(wanted - found):
            self.errors.append(f"FN {doc} {entity}")

    def as_dict(self) -> dict[str, Any]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": _ratio(self.tp, self.tp + self.fp),
                "recall": _ratio(self.tp, self.tp + self.fn)}


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def found_sets(markers: Iterable[Any]) -> dict[str, set[str]]:
    """Entity sets per label field from an audit's markers."""
    marks = list(markers)
    out: dict[str, set[str]] = {}
    for key, category in SET_CATEGORIES.items():
        out[key] = {m.entity for m in marks if m.category == category}
    out["boilerplate"] -= UNLABELLED_BOILERPLATE
    for key, category in BOOL_CATEGORIES.items():
        out[key] = {key} if any(m.category == category for m in marks) else set()
    return out


def wanted_sets(label: dict[str, Any]) -> dict[str, set[str]]:
    out = {key: set(label.get(key) or ()) for key in SET_CATEGORIES}
    for key in BOOL_CATEGORIES:
        out[key] = {key} if label.get(key) else set()
    return out


_ORIGINAL_URL = re.compile(r"original URL: (https?://[^\s)]+)")


def original_url(label: dict[str, Any]) -> str | None:
    """The page's original URL as recorded in the label's `source` field."""
    m = _ORIGINAL_URL.search(label.get("source") or "")
    return m.group(1) if m else None


def _doc_kind(doc: str) -> str:
    """"html" or "text" (the corpus keeps them in folders of those names), as a column."""
    return "html" if doc.lower().endswith((".html", ".htm")) else "text"


def load_review(path: Path, corpus: Path) -> list[dict[str, Any]]:
    """Label additions from a review file (TOML, `[[add]]` with doc, category, value, quote, why).

    The labels are the reference; a review only adds what they leave out against
    their own policy, and every addition must quote the document verbatim (checked
    here), so the figures "as given" and "as reviewed" are both reproducible."""
    import tomllib

    data = tomllib.loads(path.read_text(encoding="utf-8"))
    adds = data.get("add", [])
    for add in adds:
        missing = {"doc", "category", "value", "quote", "why"} - add.keys()
        if missing:
            raise ValueError(f"{path}: an [[add]] lacks {', '.join(sorted(missing))}")
        if add["category"] not in SET_CATEGORIES:
            raise ValueError(f"{path}: {add['doc']}: category must be one of {', '.join(SET_CATEGORIES)}")
        raw = (corpus / add["doc"]).read_bytes().decode("utf-8", "replace")
        visible = html.unescape(re.sub(r"<[^>]*>", "", raw))  # the quote may run across a link
        if " ".join(add["quote"].split()) not in " ".join(visible.split()):
            raise ValueError(f"{path}: {add['doc']}: quote not found in the document: {add['quote']!r}")
    return adds


def evaluate(corpus: Path, rules: list[Path] | None = None, urls: bool = False,
             review: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """Audit every labelled document and return counts per category and language."""
    from provenance import packs
    from provenance.audit import Auditor
    from provenance.ingest import read_file
    from provenance.model import Failure

    auditor = Auditor(packs.load(rules or []))
    table: dict[str, dict[str, Counts]] = defaultdict(lambda: defaultdict(Counts))
    failures: list[str] = []
    docs = 0
    with (corpus / "labels.jsonl").open(encoding="utf-8") as fh:
        labels = [json.loads(line) for line in fh if line.strip()]
    for label in labels:
        source = read_file(corpus / label["doc"], label["doc"])
        if urls and not isinstance(source, Failure):
            source = replace(source, url=original_url(label))
        result = source if isinstance(source, Failure) else auditor.audit_source(source)
        if isinstance(result, Failure):
            failures.append(f"{label['doc']}: {result.reason}")
            markers: tuple[Any, ...] = ()
        else:
            markers = result.markers
        docs += 1
        found, wanted = found_sets(markers), wanted_sets(label)
        for add in review or ():
            if add["doc"] == label["doc"]:
                wanted[add["category"]].add(add["value"])
        groups = (label.get("lang") or "?", _doc_kind(label["doc"]), "all")
        for lang in groups:
            for key in (*SET_CATEGORIES, *BOOL_CATEGORIES):
                table[key][lang].add(found[key], wanted[key], label["doc"])
        # boilerplate per kind
        for kind in found["boilerplate"] | wanted["boilerplate"]:
            f = {kind} & found["boilerplate"]
            w = {kind} & wanted["boilerplate"]
            for lang in groups:
                table[f"boilerplate:{kind}"][lang].add(f, w, label["doc"])
    return {
        "corpus": str(corpus),
        "urls": urls,
        "review": [f"{a['doc']} {a['category']} +{a['value']}" for a in review or ()],
        "documents": docs,
        "failures": failures,
        "categories": {key: {lang: c.as_dict() for lang, c in sorted(langs.items())}
                       for key, langs in table.items()},
        "errors": {key: sorted(e for c in langs.values() if c is langs.get("all") for e in c.errors)
                   for key, langs in table.items()},
    }


def _fmt(value: float | None) -> str:
    return "  -  " if value is None else f"{value:.3f}"


def render(report: dict[str, Any]) -> str:
    kinds = ("html", "text")
    langs = sorted({lang for langs in report["categories"].values() for lang in langs} - {"all", *kinds})
    langs += [k for k in kinds if any(k in langs_ for langs_ in report["categories"].values())]
    langs.append("all")
    head = f"{'category':<24}" + "".join(f"{lang:>16}" for lang in langs)
    lines = [f"corpus: {report['corpus']} ({report['documents']} documents"
             f"{', original URLs' if report.get('urls') else ''})",
             "labels: " + (f"with {len(report['review'])} reviewed additions" if report.get("review")
                           else "as given"),
             "precision/recall per category, language and document kind (tp/fp/fn in the JSON file)",
             "not counted: boilerplate kinds the labels do not record ("
             + ", ".join(sorted(UNLABELLED_BOILERPLATE)) + ")",
             head, "-" * len(head)]
    for key in sorted(report["categories"], key=lambda k: (k.split(":")[0] != k, k)):
        row = f"{key:<24}"
        for lang in langs:
            c = report["categories"][key].get(lang)
            row += f"{'':>16}" if c is None else f"{_fmt(c['precision']):>7}/{_fmt(c['recall']):<8}"
        lines.append(row)
    if report["failures"]:
        lines.append("failures: " + "; ".join(report["failures"]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=DEFAULT_OUT, help="where to write the figures")
    parser.add_argument("--urls", action="store_true", help="give pages their original URL from the labels")
    parser.add_argument("--rules", type=Path, action="append", default=[], help="extra rule folder")
    parser.add_argument("--review", type=Path, default=None,
                        help="TOML file of label additions, each quoting the document (see bench/label_review.toml)")
    parser.add_argument("--show-errors", action="append", default=[], metavar="CATEGORY",
                        help="list false positives and negatives of a category (repeatable)")
    args = parser.parse_args(argv)
    if args.corpus is None:
        args.corpus = next((c for c in CORPUS_CANDIDATES if c.is_dir()), CORPUS_CANDIDATES[0])
    if not (args.corpus / "labels.jsonl").is_file():
        print(f"no labels.jsonl in {args.corpus}", file=sys.stderr)
        return 2
    try:
        review = load_review(args.review, args.corpus) if args.review else None
    except (OSError, ValueError) as exc:
        print(f"review: {exc}", file=sys.stderr)
        return 2
    report = evaluate(args.corpus, args.rules, urls=args.urls, review=review)
    print(render(report))
    for key in args.show_errors:
        for line in report["errors"].get(key, []):
            print(f"  {key}: {line}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
