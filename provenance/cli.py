"""The `provenance` command line: parses options and calls the pipeline stages.

Heavy modules are imported inside the commands, so `provenance --help`
starts fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from . import __version__

LANG_OPTION = click.option(
    "--lang", "lang", type=click.Choice(["auto", "en", "de", "all"]), default=None,
    help="Report language: auto (each document in its own), en, de, or all (a subfolder "
         "per language).  [default: auto for `report`, all for `audit --report`]")
FAIL_UNDER_OPTION = click.option(
    "--fail-under", "fail_under", type=click.IntRange(0, 100), default=None, metavar="SCORE",
    help="Exit with status 1 if any document scores below SCORE (for scripts).")
RULES_OPTION = click.option(
    "--rules", "rules_dirs", multiple=True, type=click.Path(path_type=Path),
    help="Add a folder of rule packs to the built-in ones (repeatable).")


def _load_rules(rules_dirs: tuple[Path, ...], builtin: bool = True) -> Any:
    from .packs import PackError, load

    try:
        return load(list(rules_dirs), builtin=builtin)
    except PackError as exc:
        click.echo(f"Error: invalid rule pack: {exc}", err=True)
        sys.exit(2)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="provenance")
def cli() -> None:
    """Audit news articles for provenance markers: press-release wires, agency
    copy, cited outlets, attributions, calls to action and scraping residue."""


@cli.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("--db", "db_path", default="provenance.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite file to write.")
@RULES_OPTION
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write Markdown reports to this folder.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per document on standard output.")
@click.option("--force", is_flag=True, help="Re-audit documents even when nothing changed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on standard error.")
@LANG_OPTION
@FAIL_UNDER_OPTION
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes  [default: the number of cores]")
def audit(sources: tuple[str, ...], db_path: Path, rules_dirs: tuple[Path, ...],
          report_dir: Path | None, as_json: bool, force: bool, quiet: bool,
          lang: str | None, fail_under: int | None, jobs: int | None) -> None:
    """Audit SOURCES (files, folders, http(s) URLs, or - for standard input)."""
    from . import store
    from .model import Failure
    from .parallel import run

    ruleset = _load_rules(rules_dirs)
    db = store.connect(db_path)
    options = {"sources": list(sources), "rules": [str(p) for p in rules_dirs],
               "force": force, "report": str(report_dir) if report_dir else None}
    writer = store.Writer(db, ruleset, __version__, options)
    seen: list[str] = []

    def wanted(source: Any) -> bool:
        from .extract import document_id

        doc_id = document_id(source.data)
        if force or not writer.is_unchanged(doc_id):
            return True
        if fail_under is not None:
            seen.append(doc_id)
        writer.skip()
        return False

    try:
        for item in run(list(sources), ruleset, jobs=jobs, stdin=sys.stdin.buffer, on_source=wanted):
            writer.add(item)
            if isinstance(item, Failure):
                click.echo(f"failed: {item.origin}: {item.reason}", err=True)
                if as_json:
                    click.echo(json.dumps({"origin": item.origin, "error": item.reason},
                                          ensure_ascii=False))
                continue
            if fail_under is not None:  # only then: the list grows with the corpus
                seen.append(item.document.id)
            if as_json:
                click.echo(json.dumps(_as_json(item), ensure_ascii=False))
            if not quiet:
                v = item.verdict
                click.echo(f"audited: {item.document.origin}: {v.provenance_class} "
                           f"{v.score} {v.grade}, {len(item.markers)} markers", err=True)
    finally:
        writer.close()
    if not quiet:
        click.echo(f"{writer.documents} audited, {writer.unchanged} unchanged, "
                   f"{writer.failures} failed -> {db_path}", err=True)
    if report_dir is not None:
        from .report import write_reports

        written = write_reports(db, report_dir, lang=lang or "all", formats=("md", "html"))
        if not quiet:
            click.echo(f"{len(written)} report files -> {report_dir}", err=True)
    if fail_under is not None:
        _fail_under(db, fail_under, seen)


def _fail_under(db: Any, threshold: int, ids: list[str] | None) -> None:
    """Exit 1 when any of the documents scores below `threshold`, naming each one."""
    from .report import scores_below

    if ids is not None and not ids:
        return
    low = scores_below(db, threshold, ids)
    for row in low:
        click.echo(f"below {threshold}: {row['origin']}: score {row['score']}", err=True)
    if low:
        sys.exit(1)


def _as_json(result: Any) -> dict[str, Any]:
    doc = result.document
    return {
        "id": doc.id, "origin": doc.origin, "url": doc.url, "domain": doc.domain,
        "title": doc.title, "lang": doc.lang, "verdict": result.verdict.as_dict(),
        "markers": [
            {k: v for k, v in m.as_dict().items() if k != "block"} | {"block": m.block}
            for m in result.markers
        ],
    }


@cli.command()
@click.argument("doc_ids", nargs=-1)
@click.option("--db", "db_path", default="provenance.db", show_default=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--out", "out_dir", default="reports", show_default=True,
              type=click.Path(file_okay=False, path_type=Path))
@LANG_OPTION
@click.option("--format", "formats", type=click.Choice(["md", "html"]), multiple=True,
              help="md: a file per document and index.md; html: one self-contained "
                   "index.html for the corpus. Repeatable.  [default: md]")
@FAIL_UNDER_OPTION
def report(doc_ids: tuple[str, ...], db_path: Path, out_dir: Path, lang: str | None,
           formats: tuple[str, ...], fail_under: int | None) -> None:
    """Write reports (Markdown, or one HTML page) from an existing database."""
    from . import store
    from .report import write_reports

    db = store.connect(db_path)
    written = write_reports(db, out_dir, list(doc_ids) or None, lang=lang or "auto",
                            formats=formats or ("md",))
    click.echo(f"{len(written)} report files -> {out_dir}", err=True)
    if fail_under is not None:
        _fail_under(db, fail_under, list(doc_ids) or None)


@cli.group()
def rules() -> None:
    """List, show, test and check rule packs."""


@rules.command("list")
@RULES_OPTION
def rules_list(rules_dirs: tuple[Path, ...]) -> None:
    """List the loaded rules."""
    ruleset = _load_rules(rules_dirs)
    for rule in ruleset.rules:
        entity = rule.entity or "(registry)"
        click.echo(f"{rule.id}\t{rule.kind}\t{rule.category}\t{entity}\t{rule.pack} {rule.version}")
    click.echo(f"{len(ruleset.rules)} rules, {len(ruleset.outlets)} outlets", err=True)


@rules.command("show")
@click.argument("rule_id")
@RULES_OPTION
def rules_show(rule_id: str, rules_dirs: tuple[Path, ...]) -> None:
    """Show one rule as it is written in its pack."""
    ruleset = _load_rules(rules_dirs)
    rule = ruleset.rule(rule_id)
    if rule is None:
        click.echo(f"Error: no rule {rule_id!r}", err=True)
        sys.exit(2)
    click.echo(f"# {rule.path}")
    click.echo(json.dumps(rule.spec, indent=2, ensure_ascii=False))


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def rules_test(directory: Path | None) -> None:
    """Run every rule's own examples (the built-in packs, plus DIRECTORY)."""
    from .rules import Engine
    from .ruletest import check_rule

    ruleset = _load_rules((directory,) if directory else ())
    engine = Engine(ruleset)
    failed = total = 0
    for rule in ruleset.rules:
        if directory and not Path(rule.path).parent.samefile(directory):
            continue
        for res in check_rule(engine, rule):
            total += 1
            if not res.ok:
                failed += 1
                click.echo(f"FAIL {res.rule_id} [{res.kind}] {res.text!r}: {res.detail}")
    click.echo(f"{total - failed} passed, {failed} failed")
    if failed:
        sys.exit(1)


@rules.command("check")
@click.argument("directory", required=False, type=click.Path(file_okay=False, path_type=Path))
def rules_check(directory: Path | None) -> None:
    """Validate packs (schema, regexes, duplicate ids); errors name file and key."""
    ruleset = _load_rules((directory,) if directory else ())
    click.echo(f"ok: {len(ruleset.rules)} rules in {len(ruleset.packs)} files, "
               f"{len(ruleset.outlets)} outlets")


def main() -> None:
    cli(prog_name="provenance")
