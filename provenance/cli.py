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

AGAINST_OPTION = click.option(
    "--against", multiple=True, type=click.Path(exists=True, path_type=Path),
    help="Reference texts to find copies of: a folder of texts or an audit database (repeatable).")


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
@click.argument("sources", nargs=-1)
@click.option("--db", "db_path", default="provenance.db", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="SQLite file to write.")
@RULES_OPTION
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write Markdown reports to this folder.")
@click.option("--json", "as_json", is_flag=True,
              help="Print one JSON object per document on standard output, as each is audited "
                   "(markers the reuse step adds afterwards are in the database only).")
@click.option("--force", is_flag=True, help="Re-audit documents even when nothing changed.")
@click.option("-q", "--quiet", is_flag=True, help="No progress on standard error.")
@LANG_OPTION
@FAIL_UNDER_OPTION
@click.option("--include", multiple=True, metavar="GLOB",
              help="In folders, read only files matching GLOB (name or relative path; repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="In folders, skip files and folders matching GLOB (repeatable).")
@click.option("--urls", "urls_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Also audit the URLs in this file, one per line.")
@click.option("--offline", is_flag=True,
              help="Never fetch: audit URLs from the snapshots stored in --db.")
@click.option("--ignore-robots", is_flag=True, help="Fetch pages even where robots.txt disallows it.")
@click.option("--contact", metavar="URL_OR_EMAIL",
              help="Put a way to reach you into the User-Agent of fetches, as polite crawlers do.")
@click.option("--timeout", default=20.0, show_default=True, type=click.FloatRange(min=0.1),
              help="Total seconds allowed per URL, redirects and retries included.")
@click.option("--max-bytes", default=10 * 1024 * 1024, show_default=True,
              type=click.IntRange(min=1), help="Largest fetched body, after decompression.")
@click.option("--max-chars", default=20_000_000, show_default=True, type=click.IntRange(min=1),
              help="Longest text of one document, in characters; longer ones are recorded as failures.")
@click.option("--max-seconds", default=300.0, show_default=True, type=click.FloatRange(min=0),
              help="Time allowed to extract and audit one document (0: no limit); "
                   "slower ones are recorded as failures.")
@AGAINST_OPTION
@click.option("--reuse/--no-reuse", default=True, show_default=True,
              help="After the audit, compare the whole database for text reuse and conflicting "
                   "person roles (`provenance reuse` runs it later on its own).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Audit on a Dask cluster: a scheduler address (tcp://host:8786) or local:N "
                   "for N local worker processes. Needs: pip install 'provenance[dask]'.")
@click.option("--dask-chunk", default=50, show_default=True, type=click.IntRange(min=1),
              help="With --dask: files audited per task.")
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None,
              help="Worker processes  [default: the number of cores]")
def audit(sources: tuple[str, ...], db_path: Path, rules_dirs: tuple[Path, ...],
          report_dir: Path | None, as_json: bool, force: bool, quiet: bool,
          lang: str | None, fail_under: int | None, against: tuple[Path, ...],
          include: tuple[str, ...], exclude: tuple[str, ...], urls_file: Path | None,
          offline: bool, ignore_robots: bool, timeout: float, max_bytes: int,
          dask_address: str | None, dask_chunk: int, jobs: int | None,
          max_chars: int = 20_000_000, max_seconds: float = 300.0, reuse: bool = True,
          contact: str | None = None) -> None:
    """Audit SOURCES (files, folders, http(s) URLs, or - for standard input)."""
    from . import snapshots, store
    from .fetch import FetchOptions
    from .ingest import IngestOptions, read_url_list
    from .model import Failure
    from .parallel import run

    specs = list(sources) + (read_url_list(urls_file) if urls_file else [])
    if not specs:
        raise click.UsageError("give at least one SOURCE or --urls FILE")
    ruleset = _load_rules(rules_dirs)
    options: dict[str, Any] = {
        "sources": list(sources), "rules": [str(p) for p in rules_dirs],
        "force": force, "report": str(report_dir) if report_dir else None,
        "urls": str(urls_file) if urls_file else None, "offline": offline,
        "include": list(include), "exclude": list(exclude),
        "ignore_robots": ignore_robots, "contact": contact, "timeout": timeout, "max_bytes": max_bytes,
        "max_chars": max_chars, "max_seconds": max_seconds}
    session = _dask_session(dask_address, ruleset, rules_dirs, quiet) if dask_address else None
    if session is not None:
        options["dask"] = session.info | {"files_per_task": dask_chunk}
    db = store.connect(db_path)
    writer = store.Writer(db, ruleset, __version__, options)
    ingest = IngestOptions(
        include=include, exclude=exclude, offline=offline,
        fetch=FetchOptions(timeout=timeout, max_bytes=max_bytes, obey_robots=not ignore_robots,
                           contact=contact),
        on_snapshot=lambda snap: snapshots.save(db, snap),
        find_snapshot=lambda url: snapshots.latest(db, url))
    seen: list[str] = []

    def wanted_id(doc_id: str) -> bool:
        if force or not writer.is_unchanged(doc_id):
            return True
        if fail_under is not None:  # only then: the list grows with the corpus
            seen.append(doc_id)
        writer.skip()
        return False

    def wanted(source: Any) -> bool:
        from .extract import document_id

        if not force and not writer.earlier:  # nothing can be unchanged: skip the hash
            return True
        return wanted_id(document_id(source.data))

    if session is not None:
        from .distributed import unchanged_ids

        items = session.run(specs, stdin=sys.stdin.buffer, wanted=wanted_id, options=ingest,
                            skip=None if force else unchanged_ids(db, ruleset.version),
                            files_per_task=dask_chunk, progress=not quiet)
    else:
        items = run(specs, ruleset, jobs=jobs, stdin=sys.stdin.buffer, on_source=wanted,
                    ingest=ingest, max_chars=max_chars, max_seconds=max_seconds or None,
                    prepared=not as_json)  # rows are cheaper to pass; --json needs the objects
    try:
        for item in items:
            if isinstance(item, Failure):
                writer.add(item)
                click.echo(f"failed: {item.origin}: {item.reason}", err=True)
                if as_json:
                    click.echo(json.dumps({"origin": item.origin, "error": item.reason},
                                          ensure_ascii=False))
                continue
            # Dask and --json hand back objects: made into rows once, here, not again by the writer
            rows = item if isinstance(item, store.Prepared) else store.prepare(item)
            writer.add(rows)
            if fail_under is not None:
                seen.append(rows.id)
            if as_json:
                click.echo(json.dumps(_as_json(item), ensure_ascii=False))
            if not quiet:
                click.echo(f"audited: {rows.origin}: {rows.provenance_class} "
                           f"{rows.score} {rows.grade}, {len(rows.markers)} markers", err=True)
    except BaseException as exc:
        writer.close(finished=False)  # keep what was audited; the run stays unfinished
        if session is not None:
            session.close()
            from .distributed import DaskError  # imports no Dask

            if isinstance(exc, DaskError):
                click.echo(f"Error: {exc}", err=True)
                sys.exit(1)
        raise
    writer.close()
    if session is not None:
        session.close()
    if not quiet:
        click.echo(f"{writer.documents} audited, {writer.unchanged} unchanged, "
                   f"{writer.failures} failed -> {db_path}", err=True)
    if reuse or against:
        _corpus_step(db, ruleset, against, quiet)
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


def _corpus_step(db: Any, ruleset: Any, against: tuple[Path, ...], quiet: bool) -> None:
    """Reuse and consistency over the whole database (they need every document)."""
    from . import corpus

    summary = corpus.run(db, ruleset, against,
                         log=None if quiet else lambda line: click.echo(line, err=True))
    if not quiet:
        click.echo(corpus.describe(summary), err=True)


@cli.command()
@click.option("--db", "db_path", default="provenance.db", show_default=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path))
@RULES_OPTION
@AGAINST_OPTION
@click.option("-q", "--quiet", is_flag=True, help="No summary on standard error.")
def reuse(db_path: Path, rules_dirs: tuple[Path, ...], against: tuple[Path, ...], quiet: bool) -> None:
    """Find text reuse and conflicting person roles in an existing database."""
    from . import store

    _corpus_step(store.connect(db_path), _load_rules(rules_dirs), against, quiet)


def _dask_session(address: str, ruleset: Any, rules_dirs: tuple[Path, ...], quiet: bool) -> Any:
    """Connect (or start local:N) and check every worker's rule packs; errors exit."""
    from .distributed import DaskError, DaskSession, parse_address

    try:
        parse_address(address)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--dask") from exc
    try:
        session = DaskSession(address, ruleset, rules_dirs)
    except DaskError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(2 if "pip install" in str(exc) else 1)
    if not quiet:
        click.echo(f"dask: {session.workers} workers at {session.client.scheduler.address}, "
                   f"rules {ruleset.version} on every worker", err=True)
    return session


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


@cli.command()
@click.option("--db", "db_path", default="provenance.db", show_default=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="CSV (JSON columns stay text) or JSON Lines.")
@click.option("--table", "tables", multiple=True, metavar="NAME",
              help="Table or view to export (repeatable); default: all of them.")
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="With one --table: a file (default: standard output). "
                   "Otherwise: a folder, one NAME.csv/NAME.jsonl per table (default: export).")
def export(db_path: Path, fmt: str, tables: tuple[str, ...], out: Path | None) -> None:
    """Export tables and views as CSV or JSON Lines, for pandas, R and spreadsheets."""
    from . import store
    from .export import names, write

    conn = store.connect(db_path).conn
    known = names(conn, include_hidden=True)
    for name in tables:
        if name not in known:
            raise click.BadParameter(f"no table or view {name!r}; choose from: "
                                     + ", ".join(known), param_hint="--table")
    chosen = list(dict.fromkeys(tables)) or names(conn)
    if len(tables) == 1 and (out is None or str(out) == "-"):
        write(conn, chosen[0], fmt, sys.stdout)
        return
    if len(tables) == 1 and out is not None:
        with out.open("w", encoding="utf-8", newline="") as fh:
            n = write(conn, chosen[0], fmt, fh)
        click.echo(f"{n} rows of {chosen[0]} -> {out}", err=True)
        return
    folder = out or Path("export")
    folder.mkdir(parents=True, exist_ok=True)
    for name in chosen:
        target = folder / f"{name}.{fmt}"
        with target.open("w", encoding="utf-8", newline="") as fh:
            n = write(conn, name, fmt, fh)
        click.echo(f"{n} rows of {name} -> {target}", err=True)


@cli.command()
@click.option("--db", "db_path", default="provenance.db", show_default=True,
              type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--open", "open_browser", is_flag=True, help="Open a web browser.")
@click.option("--write-metadata", "metadata_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Only write the Datasette metadata JSON to this file (for datasette publish).")
def explore(db_path: Path, host: str, port: int, open_browser: bool,
            metadata_out: Path | None) -> None:
    """Open the file in Datasette, with table descriptions and example queries."""
    from . import explore as ex
    from . import store

    store.connect(db_path).conn.close()  # bring an older file's schema up to date
    if metadata_out is not None:
        ex.write_metadata(db_path, metadata_out)
        click.echo(f"metadata -> {metadata_out}", err=True)
        return
    if not ex.available():
        click.echo(f"Error: Datasette is not installed: {ex.INSTALL_HINT}", err=True)
        sys.exit(1)
    code = ex.serve(db_path, host, port, open_browser)
    if code:
        sys.exit(code)


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
