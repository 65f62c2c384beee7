"""The corpus step writes its results as it finds them: what it holds does not grow with them."""

from __future__ import annotations

import random
import sys
import tracemalloc


def _corpus(folder, vocab, groups, pieces, words=600, seed=3):
    """`groups` wire texts (credited to SeaPRwire), each copied by three documents that
    interleave its `pieces` paragraphs with their own: the same number of documents and
    words for any `pieces`, but one passage per piece in each of the group's six pairs,
    and one copied marker per piece in each copy."""
    rng = random.Random(seed)
    folder.mkdir()
    n = words // pieces

    def para():
        return " ".join(rng.choice(vocab) for _ in range(n))

    for g in range(groups):
        wire = [para() for _ in range(pieces)]
        (folder / f"g{g:03d}w.txt").write_text("Headline\n\n(SeaPRwire) – " + "\n\n".join(wire), encoding="utf-8")
        for c in range(3):
            own = [para() for _ in range(pieces)]
            text = "\n\n".join(x for pair in zip(own, wire, strict=True) for x in pair)
            (folder / f"g{g:03d}c{c}.txt").write_text(text, encoding="utf-8")


def test_memory_held_while_writing_does_not_grow_with_the_results(tmp_path, monkeypatch, ruleset):
    """Two corpora of the same documents and words, one with ten times the passages and
    copied markers of the other (12 groups: 7,200 passages and 3,600 markers against
    720 and 360). The Python memory held when the results are written (at the start of
    the step's transaction, and its peak inside it) must not grow with them: holding the
    pairs with their passages, or one entry per copied marker, as the step did before,
    costs about 1 MB more here. Buffers are made small (batches of 20 texts, 256 rows
    staged, 10 texts read at once) so that the bounded ones stay far below that."""
    from click.testing import CliRunner

    from provenance import corpus, store
    from provenance.cli import cli

    monkeypatch.setattr(corpus._Stage, "FLUSH", 256)
    monkeypatch.setattr(corpus.DbTexts, "BATCH", 10)
    held: list[tuple[int, int]] = []

    class Measured(corpus._Transaction):
        def __enter__(self):
            self.current = tracemalloc.get_traced_memory()[0]
            tracemalloc.reset_peak()
            return super().__enter__()

        def __exit__(self, *exc):
            held.append((self.current, tracemalloc.get_traced_memory()[1]))
            return super().__exit__(*exc)

    monkeypatch.setattr(corpus, "_Transaction", Measured)
    rng = random.Random(1)
    # interned and kept alive here, so the step's sys.intern never grows the interned dict
    vocab = [sys.intern("".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou")
                                for _ in range(rng.randint(2, 4)))) for _ in range(1000)]

    def step(name, groups, pieces, traced=True):
        _corpus(tmp_path / name, vocab, groups, pieces)
        db = tmp_path / f"{name}.db"
        r = CliRunner().invoke(cli, ["audit", str(tmp_path / name), "--db", str(db), "--no-reuse", "-q"])
        assert r.exit_code == 0, r.output
        conn = store.connect(db)
        if traced:
            tracemalloc.start()
        try:
            summary = corpus.run(conn, ruleset, batch=20)
        finally:
            tracemalloc.stop()
            conn.conn.close()
        return summary

    step("warm", 2, 60, traced=False)  # imports and caches, once
    few = step("few", 12, 6)
    many = step("many", 12, 60)
    assert (few.documents, few.pairs) == (many.documents, many.pairs) == (48, 72)
    assert 12 * 3 * 5 <= few.copied_markers and many.copied_markers >= 9 * few.copied_markers
    (few_at_start, few_peak), (many_at_start, many_peak) = held[-2:]
    assert many_at_start - few_at_start < 100_000, held
    assert many_peak - few_peak < 250_000, held
