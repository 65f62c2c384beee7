"""The pipeline as a library: sources -> documents -> markers -> verdicts -> store."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from .extract import MAX_TEXT_CHARS, ExtractError, extract
from .ingest import IngestOptions, iter_sources
from .limits import DEFAULT_MAX_SECONDS, DocumentTimeout, deadline
from .model import Document, Failure, Marker, Result, Source
from .packs import RuleSet
from .rules import Engine
from .verdict import decide


@dataclass
class Auditor:
    """Rules compiled once, applied to any number of documents."""

    ruleset: RuleSet
    max_chars: int = MAX_TEXT_CHARS                  # characters of text per document
    max_seconds: float | None = DEFAULT_MAX_SECONDS  # extraction + rules per document

    def __post_init__(self) -> None:
        self.engine = Engine(self.ruleset)
        self.warm = False

    def warm_up(self) -> None:
        """Load what documents load lazily (the language model), e.g. before forking workers,
        and in any case before the first document's time limit starts."""
        from .extract import detect_lang

        detect_lang("This text only loads the language model before work starts.")
        self.warm = True

    def markers(self, doc: Document) -> list[Marker]:
        return self.engine.run(doc)

    def audit_document(self, doc: Document) -> Result:
        found = self.markers(doc)
        verdict = decide(doc, found, self.ruleset.verdict)
        return Result(doc, tuple(found), verdict, tuple(self.engine.overruns))

    def audit_source(self, source: Source) -> Result | Failure:
        """Never raises for bad input: what cannot be audited becomes a `Failure`."""
        if not self.warm:
            self.warm_up()
        try:
            with deadline(self.max_seconds):
                doc = extract(source, max_chars=self.max_chars)
                return self.audit_document(doc)
        except DocumentTimeout as exc:
            return Failure(source.origin, str(exc))
        except ExtractError as exc:
            return Failure(source.origin, str(exc))
        except RecursionError:
            return Failure(source.origin, "too deeply nested to parse")
        except MemoryError:
            return Failure(source.origin, "out of memory while parsing")


def run(sources: list[str], ruleset: RuleSet, stdin: BinaryIO | None = None,
        on_source: Callable[[Source], bool] | None = None,
        ingest: IngestOptions | None = None, max_chars: int = MAX_TEXT_CHARS,
        max_seconds: float | None = DEFAULT_MAX_SECONDS) -> Iterator[Result | Failure]:
    """Audit every source in order; `on_source` may return False to skip one.
    `ingest` says how to read them (globs, fetching, snapshots); `max_chars` and
    `max_seconds` are the per-document limits (see `limits`)."""
    auditor = Auditor(ruleset, max_chars=max_chars, max_seconds=max_seconds)
    for item in iter_sources(sources, stdin=stdin, options=ingest):
        if isinstance(item, Failure):
            yield item
            continue
        if on_source is not None and not on_source(item):
            continue
        yield auditor.audit_source(item)


def audit(sources: list[str], db: str | Path | None = None, rules: list[Path] | tuple[Path, ...] = (),
          **options: Any) -> list[Result | Failure]:
    """Library entry point: audit `sources`, store them in `db` when given, return results."""
    from . import __version__, packs, store

    ruleset = packs.load(list(rules))
    results = list(run(sources, ruleset))
    if db is not None:
        database = store.connect(db)
        writer = store.Writer(database, ruleset, __version__, options)
        for item in results:
            writer.add(item)
        writer.close()
    return results
