"""Text reuse across a corpus: which documents copy which texts, how much, and where.

Churnalism research (the Media Standards Trust's churnalism.com) found copied
press releases by text overlap. This module does the same in four steps:

1. *Boilerplate out*: lines outside the article body, lines holding a
   boilerplate or residue marker (cookie notices, newsletters, navigation),
   and lines that repeat across many documents (site templates, legal
   footers) are not text that can be "reused".
2. *Candidates*: every document becomes word 5-shingles; a fixed, hash-chosen
   sample of them (hash mod 4 == 0, the same for every document) goes into an
   inverted index (sorted with numpy), and two texts sharing at least two
   sampled shingles are a candidate pair. Unlike MinHash-LSH, which estimates
   Jaccard similarity of whole documents, this finds a paragraph copied into a
   long article (containment), and it costs one sort, i.e. near-linear time;
   bench/reuse.py measures both.
3. *Exact verification*: the two token streams are aligned on shared shingles,
   extended to maximal runs, and runs separated by a few edited words are
   joined into one passage; passages carry character spans in both texts.
4. *Clusters*: verified pairs are joined into reuse clusters (union-find).

A text that copies from a reference or a cluster member credited to a wire or
an agency receives a marker of that category with role `copied` that quotes
the copied passage; the verdict then follows it (see `verdict.py`).
"""

from __future__ import annotations

import hashlib
import re
import sys
from array import array
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

_TOKEN = re.compile(r"\w+")
CREDIT_CATEGORIES = ("syndication", "agency")
CHROME_CATEGORIES = ("boilerplate", "residue")
COPIED_RULE = "reuse.copied"


@dataclass(frozen=True)
class Settings:
    """Thresholds of the analysis; the defaults are documented in docs/reuse.md."""

    k: int = 5                 # words per shingle
    sample: int = 4            # keep shingles whose hash % sample == 0 for the index
    min_common: int = 2        # sampled shingles two texts must share to be compared
    max_group: int = 50        # a shingle in more texts than this links them in a chain ...
    hubs: int = 3              # ... plus a star from its first this many credited texts
    max_partners: int = 5      # candidates verified per text, strongest first
    min_passage: int = 8       # words in a shared run
    gap: int = 4               # edited words bridged inside one passage
    min_words: int = 25        # shared words for a pair to count as reuse
    min_share: float = 0.1     # share of the smaller side for a pair to count as reuse
    boiler_docs: int = 5       # a short line in this many texts is boilerplate ...
    boiler_short: int = 30     # ... when it has fewer words than this
    boiler_many: float = 0.01  # any line in this share of texts (at least 50) is boilerplate
    site_docs: int = 3         # a line repeated in this many texts of one domain is template


@dataclass(slots=True)
class Item:
    """A text to compare: a corpus document or a reference text."""

    id: str
    kind: str  # "document" or "reference"
    origin: str
    text: str
    body: str | None = None  # None when the body is the whole text
    domain: str | None = None
    credits: frozenset[tuple[str, str]] = frozenset()  # own (category, entity) wire/agency markers
    chrome: tuple[tuple[int, int], ...] = ()  # spans of boilerplate/residue markers
    title: str | None = None


@dataclass(frozen=True, slots=True)
class Passage:
    """One shared passage: token range matched, and character spans in both texts."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    words: int  # matched words (edits bridged inside the passage are not counted)


@dataclass(slots=True)
class Pair:
    a: int  # index into items
    b: int
    a_share: float
    b_share: float
    a_words: int
    b_words: int
    shared_words: int
    passages: list[Passage] = field(default_factory=list)


@dataclass
class Analysis:
    items: list[Item]
    pairs: list[Pair]
    clusters: list[list[int]]
    boilerplate_lines: int
    candidates: int
    texts: Texts  # where the items' texts are read again (copied markers quote them)


class Texts:
    """The items of one analysis and where their texts come from: here, the items themselves.

    `corpus.DbTexts` reads the texts from the audit database a batch at a time
    instead, so that the analysis holds compact per-text data and the texts of
    one batch, never the whole corpus."""

    def __init__(self, items: list[Item]) -> None:
        self.items = items

    def read(self, indices: Iterable[int]) -> Iterator[tuple[int, Item]]:
        """(index, item with its text) for each index, in the order given."""
        for i in indices:
            yield i, self.items[i]

    def __len__(self) -> int:
        return len(self.items)


# -- lines and tokens ----------------------------------------------------------

def _line_spans(text: str) -> Iterator[tuple[int, int]]:
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            yield pos, end
        pos = end + 1


@lru_cache(maxsize=200_000)
def _word_code(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(),
                          "little", signed=True)


def _line_key(line: str) -> int:
    return hash(" ".join(line.casefold().split()))


def _body_lines(item: Item) -> set[str] | None:
    if item.body is None or item.body == item.text:
        return None
    return {ln.strip() for ln in item.body.split("\n") if ln.strip()}


def _chrome_lines(item: Item) -> list[tuple[int, int]]:
    """Lines that are page chrome by themselves: outside the body, or holding a chrome marker."""
    body = _body_lines(item)
    marks = sorted(item.chrome)
    out = []
    for start, end in _line_spans(item.text):
        if body is not None and item.text[start:end].strip() not in body:
            out.append((start, end))
        elif any(ms < end and start < me for ms, me in marks):
            out.append((start, end))
    return out


class Tokens:
    """The analysable words of one text: normalised forms, and their character spans,
    found only when a passage needs them (most texts never reach verification)."""

    __slots__ = ("norm", "_text", "_lines", "_starts", "_ends")

    def __init__(self, norm: list[str], text: str, lines: list[tuple[int, int]]) -> None:
        self.norm = norm
        self._text = text
        self._lines = lines
        self._starts: array | None = None
        self._ends: array | None = None

    def _spans(self) -> None:
        starts, ends = array("l"), array("l")
        for a, b in self._lines:
            for m in _TOKEN.finditer(self._text, a, b):
                starts.append(m.start())
                ends.append(m.end())
        self._starts, self._ends = starts, ends

    @property
    def starts(self) -> array:
        if self._starts is None:
            self._spans()
        return self._starts  # type: ignore[return-value]

    @property
    def ends(self) -> array:
        if self._ends is None:
            self._spans()
        return self._ends  # type: ignore[return-value]

    def __len__(self) -> int:
        return len(self.norm)


class Corpus:
    """The items plus the corpus-wide knowledge of what is boilerplate.

    Texts are read from `texts` when needed and not kept, so that memory does
    not grow with the corpus's text: one pass here for the line statistics
    (kept as numpy counts, and only for lines frequent enough to matter), one
    pass for the index keys (`candidate_pairs`), then the texts of one batch of
    candidate pairs at a time for verification (`load`)."""

    def __init__(self, items: list[Item] | Texts, settings: Settings | None = None) -> None:
        import numpy as np

        self.texts = items if isinstance(items, Texts) else Texts(items)
        self.items = self.texts.items
        self.settings = s = settings or Settings()
        keys, site_keys, site_ids = array("q"), array("q"), array("q")
        domains: dict[str, int] = {}
        for _, item in self.texts.read(range(len(self.items))):
            lines = {_line_key(item.text[a:b]) for a, b in _line_spans(item.text)}
            keys.extend(lines)
            if item.domain:
                site_keys.extend(lines)
                site_ids.extend([domains.setdefault(item.domain, len(domains))] * len(lines))
        self.many = max(50, int(s.boiler_many * len(self.items)))
        uniq, counts = np.unique(np.frombuffer(keys, dtype=np.int64), return_counts=True)
        self.boilerplate_lines = int(np.count_nonzero(counts >= s.boiler_docs))
        frequent = counts >= min(s.boiler_docs, self.many)
        self.line_docs: dict[int, int] = dict(zip(uniq[frequent].tolist(), counts[frequent].tolist(),
                                                  strict=True))
        self.site_lines: set[tuple[str, int]] = set()  # (domain, line key) of site templates
        if site_keys:
            both = np.stack([np.frombuffer(site_ids, dtype=np.int64),
                             np.frombuffer(site_keys, dtype=np.int64)], axis=1)
            pairs, counts = np.unique(both, axis=0, return_counts=True)
            name = {i: d for d, i in domains.items()}
            self.site_lines = {(name[d], k) for d, k in pairs[counts >= s.site_docs].tolist()}
        self._batch: dict[int, Tokens] = {}
        self._shingles: dict[int, Any] = {}
        self._positions: dict[int, tuple[Any, Any]] = {}

    def is_boilerplate_line(self, line: str, domain: str | None) -> bool:
        s = self.settings
        key = _line_key(line)
        n = self.line_docs.get(key, 0)
        if n >= self.many:
            return True
        if n >= s.boiler_docs and len(_TOKEN.findall(line)) < s.boiler_short:
            return True
        return bool(domain) and (domain, key) in self.site_lines

    def kept_lines(self, item: Item) -> list[tuple[int, int]]:
        chrome = set(_chrome_lines(item))
        return [(a, b) for a, b in _line_spans(item.text) if (a, b) not in chrome
                and not self.is_boilerplate_line(item.text[a:b], item.domain)]

    def tokens_of(self, item: Item) -> Tokens:
        """The analysable words of one item (its text at hand)."""
        norm: list[str] = []
        lines = self.kept_lines(item)
        findall, text = _TOKEN.findall, item.text
        for a, b in lines:
            norm.extend(map(str.casefold, findall(text, a, b)))
        return Tokens(norm, text, lines)

    def sampled(self, item: Item) -> list[int]:
        """The index keys of one text: its sampled shingles, each once."""
        m = self.settings.sample
        return list({h for h in self.shingles(self.tokens_of(item).norm) if h % m == 0})

    def shingles(self, norm: list[str]) -> list[int]:
        """Hashes of the k-word shingles, the same in every process: Python's `hash` of a
        string changes from process to process (PYTHONHASHSEED), which made the sample,
        and so the pairs found, differ between two runs on the same files."""
        k = self.settings.k
        if len(norm) < k:
            return []
        codes = list(map(_word_code, norm))
        # a tuple of ints hashes the same in every process
        return list(map(hash, zip(*(codes[i:] for i in range(k)), strict=False)))

    def load(self, indices: Collection[int]) -> None:
        """Read the texts of one batch for verification, dropping the previous batch's:
        the texts held at once are bounded by the batch, not by the corpus."""
        self._batch = {}
        for i, item in self.texts.read(sorted(indices)):
            tokens = self._batch[i] = self.tokens_of(item)
            tokens.norm = list(map(sys.intern, tokens.norm))  # one string per distinct word of the batch
        self._shingles, self._positions = {}, {}

    def tokens(self, index: int) -> Tokens:
        """The tokens of a text of the batch (one outside it becomes the batch)."""
        if index not in self._batch:
            self.load([index])
        return self._batch[index]

    def shingles_of(self, index: int) -> Any:
        """The shingles of one text as a numpy array, once per batch (verification meets a text often)."""
        import numpy as np

        found = self._shingles.get(index)
        if found is None:
            found = self._shingles[index] = np.array(self.shingles(self.tokens(index).norm), dtype=np.int64)
        return found

    def positions(self, index: int) -> tuple[Any, Any]:
        """The shingles of one text sorted, and where each starts (ascending for equal
        shingles): another text's shingles are looked up here with a binary search,
        in a fraction of a dict's memory."""
        import numpy as np

        found = self._positions.get(index)
        if found is None:
            shingles = self.shingles_of(index)
            order = np.argsort(shingles, kind="stable")
            found = self._positions[index] = (shingles[order], order)
        return found


# -- candidates ----------------------------------------------------------------

def candidate_pairs(corpus: Corpus) -> list[tuple[int, int, int]]:
    """(a, b, shared sampled shingles) for every pair worth verifying, as a list (see `candidates`)."""
    return list(_iter_candidates(candidates(corpus)))


def candidates(corpus: Corpus) -> tuple[Any, Any, Any]:
    """The candidate pairs as three numpy arrays (a, b, shared sampled shingles): 24 bytes a
    pair, where a list of tuples takes about 150; one sort, near-linear.

    Two bounds keep the cost linear in the corpus even when texts share
    sentences with hundreds of others (templated or wire-heavy crawls): a key in
    more than `max_group` texts links them as a chain plus a star from its first
    few credited texts (so a copy still meets the wire release it copies), and
    each text keeps only its `max_partners` strongest candidates.
    """
    import numpy as np

    s = corpus.settings
    items = corpus.items
    hashes, owners = array("q"), array("q")
    for i, item in corpus.texts.read(range(len(items))):  # one text at a time, none kept
        keys = corpus.sampled(item)
        hashes.extend(keys)
        owners.extend([i] * len(keys))
    none = np.array([], dtype=np.int64)
    if not hashes:
        return none, none, none
    order = np.argsort(np.frombuffer(hashes, dtype=np.int64), kind="stable")
    h = np.frombuffer(hashes, dtype=np.int64)[order]
    o = np.frombuffer(owners, dtype=np.int64)[order]  # within one key, owners ascend (stable sort, one key per text)
    del hashes, owners, order  # the peak of the step is here: hold each array once
    starts = np.flatnonzero(np.r_[True, h[1:] != h[:-1]])
    del h
    sizes = np.diff(np.r_[starts, len(o)])
    n = np.int64(len(items))
    is_ref = np.array([it.kind == "reference" for it in items], dtype=bool)
    credited = is_ref | np.array([bool(it.credits) for it in items], dtype=bool)
    small = (sizes >= 2) & (sizes <= s.max_group)
    big = sizes > s.max_group
    hubs = np.minimum(np.add.reduceat(credited[o].astype(np.int64), starts)[big], s.hubs)
    # every pair code goes into one array of at most this many (no list of pieces to concatenate)
    bound = int((sizes[small] * (sizes[small] - 1) // 2).sum() + ((sizes[big] - 1) * (1 + hubs)).sum())
    allc = np.empty(bound, dtype=np.int64)
    pos = 0
    for codes in _pair_codes(o, starts, sizes, small, big, credited, n, s.hubs):
        allc[pos:pos + len(codes)] = codes
        pos += len(codes)
    del o, starts, sizes
    allc = allc[:pos]
    if pos == 0:
        return none, none, none
    allc.sort()  # in place: np.unique would sort a copy
    first = np.empty(pos, dtype=bool)
    first[0] = True
    np.not_equal(allc[1:], allc[:-1], out=first[1:])
    at = np.flatnonzero(first)
    del first
    counts = np.empty_like(at)  # the next start (or the end) minus this one, without copies
    counts[:-1] = at[1:]
    counts[-1] = pos
    counts -= at
    keep = counts >= s.min_common
    uniq, counts = allc[at[keep]], counts[keep]
    del allc, at, keep
    a, b = np.divmod(uniq, n)
    del uniq
    useful = (a != b) & ~(is_ref[a] & is_ref[b])  # references are not compared with each other
    a, b, counts = a[useful], b[useful], counts[useful]
    if len(a) == 0:
        return none, none, none
    chosen = _strongest(a, b, counts, credited, s.max_partners)
    return a[chosen], b[chosen], counts[chosen]


def _pair_codes(o: Any, starts: Any, sizes: Any, small: Any, big: Any, credited: Any, n: Any,
                hubs: int) -> Iterator[Any]:
    """The codes (a * n + b, a < b) of the pairs each key links: every pair of a small
    group; for a big one, a chain plus a star from its first `hubs` credited texts."""
    import numpy as np

    for size in np.unique(sizes[small]).tolist():
        members = o[starts[sizes == size][:, None] + np.arange(size)]  # groups x size
        i, j = np.triu_indices(size, 1)
        yield (members[:, i] * n + members[:, j]).ravel()
    for start, size in zip(starts[big].tolist(), sizes[big].tolist(), strict=True):
        members = o[start:start + size]
        yield members[:-1] * n + members[1:]  # a chain keeps the cluster connected
        for hub in members[credited[members]][:hubs].tolist():
            others = members[members != hub]
            yield np.minimum(others, hub) * n + np.maximum(others, hub)


def _iter_candidates(cands: tuple[Any, Any, Any], step: int = 65536) -> Iterator[tuple[int, int, int]]:
    """The candidate arrays as (a, b, shared) tuples of Python ints, a slice at a time."""
    a, b, c = cands
    for at in range(0, len(a), step):
        yield from zip(a[at:at + step].tolist(), b[at:at + step].tolist(), c[at:at + step].tolist(),
                       strict=True)


def _strongest(a: Any, b: Any, counts: Any, credited: Any, k: int) -> Any:
    """Mask of the pairs that are among the `k` strongest candidates of either side:
    credited partners (a wire or agency text, a reference) first, then most shared keys."""
    import numpy as np

    m = len(a)
    # int32 where the values fit: the same order, half the memory (this is the step's peak)
    small = np.int32 if max(len(credited), int(counts.max(initial=0)) + 1) < 2**31 else np.int64
    side = np.concatenate([a, b]).astype(small)  # the text whose candidates these are
    partner = np.concatenate([b, a]).astype(small)
    fewer = -np.concatenate([counts, counts]).astype(small)
    uncredited = ~credited[partner]
    rank = np.lexsort((partner, fewer, uncredited, side))
    del partner, fewer, uncredited
    side_sorted = side[rank]
    del side
    first = np.empty(2 * m, dtype=bool)
    first[:1] = True
    np.not_equal(side_sorted[1:], side_sorted[:-1], out=first[1:])
    del side_sorted
    place = np.arange(2 * m)
    group_start = np.maximum.accumulate(np.where(first, place, 0))
    del first
    top = (place - group_start) < k
    del place, group_start
    picked = rank[top]
    del rank, top
    chosen = np.zeros(m, dtype=bool)
    chosen[np.where(picked >= m, picked - m, picked)] = True  # rank i is pair i mod m
    return chosen


# -- exact verification --------------------------------------------------------

def verify(corpus: Corpus, a: int, b: int) -> Pair | None:
    """Align two texts exactly; a `Pair` when they share enough, else None."""
    import numpy as np

    s = corpus.settings
    ta, tb = corpus.tokens(a), corpus.tokens(b)
    na, nb = ta.norm, tb.norm
    k = s.k
    if len(na) < k or len(nb) < k:
        return None
    sorted_b, order_b = corpus.positions(b)
    shingles_a = corpus.shingles_of(a)
    first = np.searchsorted(sorted_b, shingles_a, "left")
    last = np.minimum(np.searchsorted(sorted_b, shingles_a, "right"), first + 16)  # 16 places at most
    hit = np.flatnonzero(last > first)
    where_b = order_b.tolist()
    len_a, len_b, min_passage = len(na), len(nb), s.min_passage
    runs: list[tuple[int, int, int]] = []
    for i, lo, hi in zip(hit.tolist(), first[hit].tolist(), last[hit].tolist(), strict=True):
        for j in where_b[lo:hi]:
            if i and j and na[i - 1] == nb[j - 1]:
                continue  # inside a run found from an earlier start on the same diagonal
            if na[i:i + k] != nb[j:j + k]:
                continue  # hash collision
            x, y = i + k, j + k
            while x < len_a and y < len_b and na[x] == nb[y]:
                x += 1
                y += 1
            if x - i >= min_passage:
                runs.append((x - i, i, j))
    if not runs:
        return None
    taken_a = bytearray(len(na))
    taken_b = bytearray(len(nb))
    chosen = []
    for length, i, j in sorted(runs, key=lambda r: (-r[0], r[1], r[2])):
        if any(taken_a[i:i + length]) or any(taken_b[j:j + length]):
            continue
        taken_a[i:i + length] = b"\x01" * length
        taken_b[j:j + length] = b"\x01" * length
        chosen.append((i, j, length))
    chosen.sort()
    merged: list[list[int]] = []  # [a_first, a_last_excl, b_first, b_last_excl, words]
    for i, j, length in chosen:
        if merged:
            last = merged[-1]
            if 0 <= i - last[1] <= s.gap and 0 <= j - last[3] <= s.gap:
                last[1], last[3], last[4] = i + length, j + length, last[4] + length
                continue
        merged.append([i, i + length, j, j + length, length])
    shared = sum(m[4] for m in merged)
    a_share, b_share = shared / len(na), shared / len(nb)
    if shared < s.min_words or max(a_share, b_share) < s.min_share:
        return None
    passages = [Passage(ta.starts[m[0]], ta.ends[m[1] - 1], tb.starts[m[2]], tb.ends[m[3] - 1], m[4])
                for m in merged]
    return Pair(a, b, round(a_share, 4), round(b_share, 4), len(na), len(nb), shared, passages)


def clusters(n: int, pairs: Iterable[Pair]) -> list[list[int]]:
    """Connected components of the reuse graph (only texts with at least one pair)."""
    return clusters_of(n, ((p.a, p.b) for p in pairs))


def clusters_of(n: int, edges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the graph of (a, b) index pairs: what clusters need of
    the pairs, so that a caller writing pairs as they come keeps only these."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    linked = set()
    for a, b in edges:
        linked.update((a, b))
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = defaultdict(list)
    for x in sorted(linked):
        groups[find(x)].append(x)
    return sorted(groups.values(), key=lambda g: (-len(g), g))


def analyze(items: list[Item] | Texts, settings: Settings | None = None, batch: int = 2000) -> Analysis:
    """The whole analysis over documents and references, its results in memory (for
    callers with a corpus in memory; `corpus.run` writes them as `verified` yields them).
    Candidate pairs are verified with the texts of at most `batch` items read at a time."""
    corpus = Corpus(items, settings)
    cands = candidates(corpus)
    pairs = list(verified(corpus, cands, batch))
    every = corpus.items
    return Analysis(every, pairs, clusters(len(every), pairs), corpus.boilerplate_lines, len(cands[0]),
                    corpus.texts)


def verified(corpus: Corpus, cands: tuple[Any, Any, Any], batch: int = 2000) -> Iterator[Pair]:
    """The candidate pairs that verify, in candidate order, a document always first (`a` is
    in the documents table), as each batch of at most `batch` texts is read: memory stays
    bounded however large the corpus (`Texts` may read them from a database)."""
    every = corpus.items
    for chunk, needed in _batches(_iter_candidates(cands), batch):
        corpus.load(needed)
        for a, b, _ in chunk:
            p = verify(corpus, a, b)
            if p is not None:
                if every[p.a].kind == "reference":
                    _swap(p)
                yield p
    corpus.load(())


def _batches(cands: Iterable[tuple[int, int, int]], size: int) -> Iterator[tuple[list[tuple[int, int, int]], set[int]]]:
    """Consecutive runs of candidate pairs, each with the texts it needs (at most `size`)."""
    chunk: list[tuple[int, int, int]] = []
    needed: set[int] = set()
    for cand in cands:
        new = (cand[0] not in needed) + (cand[1] not in needed)
        if chunk and len(needed) + new > size:
            yield chunk, needed
            chunk, needed = [], set()
        chunk.append(cand)
        needed.update(cand[:2])
    if chunk:
        yield chunk, needed


def _swap(p: Pair) -> None:
    p.a, p.b = p.b, p.a
    p.a_share, p.b_share = p.b_share, p.a_share
    p.a_words, p.b_words = p.b_words, p.a_words
    p.passages = [Passage(x.b_start, x.b_end, x.a_start, x.a_end, x.words) for x in p.passages]


# -- copied markers ------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Copied:
    """A marker to add: `document_id` copied `passage` from a text credited to (category, entity)."""

    document_id: str
    category: str
    entity: str
    start: int
    end: int
    snippet: str
    source_id: str


def copied_markers(analysis: Analysis) -> Iterator[Copied]:
    """For each pair, the side without a credit copies the credited side's wire or agency.

    Passages of one text copied from several credited texts overlap; they are
    joined into one marker per stretch of text and credit, so a text copied
    across a cluster gets one quote per copied stretch, not one per partner.
    The markers come one document at a time (by document id, then start),
    each quoted text read once, so that none of them need be held at once."""
    items = analysis.items
    copying: dict[int, list[tuple[Pair, int, bool]]] = defaultdict(list)  # text -> (pair, source, flip)
    for p in analysis.pairs:
        for src, dst, flip in copy_links(items, p.a, p.b):
            copying[dst].append((p, src, flip))

    def spans(dst: int) -> Iterator[tuple[int, list[tuple[int, int]]]]:
        for p, src, flip in copying[dst]:
            yield src, [(x.b_start, x.b_end) if flip else (x.a_start, x.a_end) for x in p.passages]

    yield from copied_from(items, analysis.texts, sorted(copying, key=lambda i: items[i].id), spans)


def copy_links(items: list[Item], a: int, b: int) -> Iterator[tuple[int, int, bool]]:
    """(source, copying text, whether the copier is `b`) for each side of pair (a, b) that is a
    document lacking a wire or agency credit of the other side."""
    for src, dst, flip in ((b, a, False), (a, b, True)):
        if items[dst].kind == "document" and items[src].credits - items[dst].credits:
            yield src, dst, flip


def copied_from(items: list[Item], texts: Texts, targets: Iterable[int],
                spans: Callable[[int], Iterable[tuple[int, list[tuple[int, int]]]]]) -> Iterator[Copied]:
    """The copied markers of each target text (in the order given), from `spans(target)`:
    (source, character spans of the target copied from it) for each of its copying pairs.
    The order of the pairs does not matter: the spans are sorted and joined per credit."""
    for dst, target in texts.read(targets):
        found_by: dict[tuple[str, str], list[tuple[int, int, str]]] = defaultdict(list)
        for src, where in spans(dst):
            for category, entity in sorted(items[src].credits - target.credits):
                for start, end in where:
                    found_by[(category, entity)].append((start, end, items[src].id))
        out = []
        doc_id, text = target.id, target.text
        for (category, entity), found in found_by.items():
            found.sort()
            start, end, source = found[0]
            for s_, e_, src_id in found[1:]:
                if s_ <= end or not text[end:s_].strip():  # overlapping, or apart by white space only
                    end = max(end, e_)
                    continue
                out.append(Copied(doc_id, category, entity, start, end, text[start:end], source))
                start, end, source = s_, e_, src_id
            out.append(Copied(doc_id, category, entity, start, end, text[start:end], source))
        yield from sorted(out, key=lambda c: (c.start, c.category, c.entity))
