"""Plain data types at the boundaries of the pipeline stages.

sources -> ingest (Source) -> extract (Document) -> rules (Marker)
-> verdict (Verdict) -> store -> report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Raw bytes and where they came from; nothing is decoded yet."""

    origin: str
    data: bytes
    kind: str = "text"  # "text" or "html"
    url: str | None = None
    content_type: str | None = None
    charset: str | None = None
    title: str | None = None
    published: str | None = None
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Failure:
    """A source that could not be read, with a reason a person understands."""

    origin: str
    reason: str


@dataclass(frozen=True)
class Block:
    """A region of `Document.text`: body, heading, caption, nav, aside, footer..."""

    kind: str
    start: int
    end: int


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    domain: str | None
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Document:
    id: str
    origin: str
    text: str
    body: str
    title: str | None = None
    url: str | None = None
    domain: str | None = None
    lang: str | None = None
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    def block_at(self, offset: int) -> str:
        """Kind of the block holding `offset` ("body" when none does)."""
        for block in self.blocks:
            if block.start <= offset < block.end:
                return block.kind
        return "body"


@dataclass(frozen=True)
class Marker:
    rule_id: str
    category: str
    entity: str
    start: int
    end: int
    snippet: str
    role: str | None = None
    block: str = "body"

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "category": self.category,
            "entity": self.entity,
            "role": self.role,
            "start": self.start,
            "end": self.end,
            "snippet": self.snippet,
            "block": self.block,
        }


@dataclass(frozen=True)
class Reason:
    """One line of a verdict: which markers moved which dimension by how much."""

    dimension: str
    points: int
    text: str
    markers: tuple[int, ...] = ()  # indexes into the document's marker list
    key: str = ""  # what earned the points: "base", "points.<weight>", "class.<code>", "bounds"
    params: dict[str, Any] = field(default_factory=dict)  # values a report needs to word it

    def as_dict(self) -> dict[str, Any]:
        return {
            "dimension": self.dimension,
            "points": self.points,
            "text": self.text,
            "markers": list(self.markers),
            "key": self.key,
            "params": self.params,
        }


@dataclass(frozen=True)
class Verdict:
    provenance_class: str
    score: int
    grade: str
    reasons: tuple[Reason, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {
            "provenance_class": self.provenance_class,
            "score": self.score,
            "grade": self.grade,
        }


@dataclass(frozen=True)
class Result:
    """Everything the audit of one document produced, ready to store."""

    document: Document
    markers: tuple[Marker, ...]
    verdict: Verdict
    notes: tuple[str, ...] = ()  # e.g. a rule that overran its time limit
