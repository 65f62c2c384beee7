"""Fuzz the extractor (text and HTML) and the rules engine.

Each input is audited the way `provenance audit` audits a source
(`Auditor.audit_source`): it must become a `Result` or a `Failure` with a
one-line reason; anything else raised is a crash. For a `Result` the
invariants of the contract are checked too: every marker span is exact
(`text[start:end] == snippet`), blocks lie inside the text, the body is found
in the text, and a second audit of the same bytes gives the same output.

Two engines:

* ``atheris`` (coverage-guided libFuzzer; `pip install atheris`), the default
  when it is installed. The first byte of an input picks the mode (plain text,
  HTML, HTML with a declared charset, the rules engine on decoded text); a
  seed corpus is built from the repository's seeds, the test article and, when
  present, the shared corpus pages (cut to --max-len bytes).
* ``hypothesis`` (no extra install): structured random HTML and text built
  from tags, rule phrases and arbitrary characters, until the time is up.

    python bench/fuzz.py --minutes 12                  # atheris when installed
    python bench/fuzz.py --minutes 12 --engine hypothesis

A crash stops the run and leaves the input in --artifacts (atheris) or is
printed with its shrunk example (hypothesis). The summary line gives the
engine, the duration and the number of inputs tried.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "utf-16", "shift_jis", "koi8-r", "bogus-charset",
            "utf-7", "gb18030", ""]
MODES = ("text", "html", "html+charset", "engine")


def _setup() -> tuple[object, object, type]:
    from provenance import packs
    from provenance.audit import Auditor
    from provenance.model import Failure

    ruleset = packs.load()
    # no wall-clock budget here: libFuzzer's own -timeout reports a hang as a crash
    return Auditor(ruleset, max_seconds=None), ruleset, Failure


def check(auditor: object, failure_type: type, mode: str, payload: bytes) -> str:
    """Audit `payload` in `mode`; raise AssertionError when an invariant breaks.
    Returns "ok", "failure" or "engine"."""
    from provenance.model import Document, Source

    if mode == "engine":
        text = payload.decode("utf-8", "replace")
        doc = Document(id="f", origin="fuzz", text=text, body=text, title=None)
        first = auditor.markers(doc)  # type: ignore[attr-defined]
        for m in first:
            assert 0 <= m.start < m.end <= len(text), m
            assert text[m.start:m.end] == m.snippet, m
        assert auditor.markers(doc) == first  # type: ignore[attr-defined]
        return "engine"
    charset = None
    if mode == "html+charset" and payload:
        charset = CHARSETS[payload[0] % len(CHARSETS)] or None
        payload = payload[1:]
    kind = "text" if mode == "text" else "html"
    source = Source(origin="fuzz", data=payload, kind=kind, charset=charset)
    out = auditor.audit_source(source)  # type: ignore[attr-defined]
    if isinstance(out, failure_type):
        reason = out.reason  # type: ignore[attr-defined]
        assert reason and "\n" not in reason, repr(reason)
        again = auditor.audit_source(source)  # type: ignore[attr-defined]
        assert isinstance(again, failure_type) and again.reason == reason, (reason, again)
        return "failure"
    doc = out.document  # type: ignore[attr-defined]
    text = doc.text
    assert text.strip(), "an audited document has text"
    assert doc.body in text, "the body is part of the text"
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= len(text), b
    for m in out.markers:  # type: ignore[attr-defined]
        assert 0 <= m.start < m.end <= len(text), m
        assert text[m.start:m.end] == m.snippet, m
    again = auditor.audit_source(source)  # type: ignore[attr-defined]
    assert again.document.text == text and again.markers == out.markers, "not deterministic"  # type: ignore[attr-defined]
    assert again.verdict == out.verdict, "verdict not deterministic"  # type: ignore[attr-defined]
    return "ok"


# -- atheris ---------------------------------------------------------------------

def _seed_corpus(folder: Path, max_len: int) -> int:
    from tests_localserver import ARTICLE  # type: ignore[import-not-found]

    seeds: list[bytes] = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        seeds.append(b"\x00" + path.read_bytes()[:max_len])
        seeds.append(b"\x03" + path.read_bytes()[:max_len])
    seeds.append(b"\x01" + ARTICLE.encode())
    seeds.append(b"\x02\x01" + ARTICLE.encode("latin-1", "replace"))
    seeds += [b"\x01<div>" * 500, b"\x01<p>a</p></p></div><b><i>x</b></i>", b"\x01<script>x</script>",
              b"\x01<meta charset=koi8-r><p>\xd0\xd2\xc9\xd7\xc5\xd4</p>", b"\x00\xff\xfe" + "a".encode("utf-16-le")]
    shared = ROOT.parent.parent / "shared" / "corpus" / "html"
    if not shared.is_dir():
        shared = ROOT.parent / "shared" / "corpus" / "html"
    for path in sorted(shared.glob("*.html"))[:25] if shared.is_dir() else []:
        seeds.append(b"\x01" + path.read_bytes()[: max_len - 1])
    for i, data in enumerate(seeds):
        (folder / f"seed-{i:03d}").write_bytes(data)
    return len(seeds)


def run_atheris(minutes: float, max_len: int, artifacts: Path, corpus: Path | None) -> int:
    import atheris

    sys.path.insert(0, str(ROOT / "tests"))
    import localserver

    sys.modules["tests_localserver"] = localserver
    with atheris.instrument_imports(include=["provenance"]):
        auditor, _ruleset, failure_type = _setup()
    counts = {m: 0 for m in MODES} | {"failure": 0, "ok": 0}

    last = [time.monotonic()]

    def one_input(data: bytes) -> None:
        if not data:
            return
        mode = MODES[data[0] % len(MODES)]
        counts[mode] += 1
        counts[check(auditor, failure_type, mode, data[1:])] += 1
        if time.monotonic() - last[0] > 60:  # libFuzzer exits without atexit: report as we go
            last[0] = time.monotonic()
            summary()

    work = corpus or Path(tempfile.mkdtemp(prefix="fuzz-corpus-"))
    work.mkdir(parents=True, exist_ok=True)
    n = _seed_corpus(work, max_len)
    artifacts.mkdir(parents=True, exist_ok=True)
    print(f"atheris: {n} seeds in {work}, {minutes:g} minutes", file=sys.stderr, flush=True)
    started = time.monotonic()

    def summary() -> None:
        took = time.monotonic() - started
        total = sum(counts[m] for m in MODES)
        print(f"SUMMARY engine=atheris seconds={took:.0f} inputs={total} "
              + " ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr, flush=True)

    argv = [sys.argv[0], str(work), f"-max_total_time={int(minutes * 60)}", f"-max_len={max_len}",
            "-timeout=60", "-rss_limit_mb=3072", "-print_final_stats=1",
            f"-artifact_prefix={artifacts}/", f"-dict={_dictionary(work.parent)}"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()
    return 0


def _dictionary(where: Path) -> Path:
    """libFuzzer tokens: HTML syntax, charsets and phrases the rules look for."""
    tokens = ["<html>", "</html>", "<body>", "<p>", "</p>", "<div>", "</div>", "<script>", "</script>",
              "<style>", "<nav>", "<footer>", "<article>", "<h1>", "<figure>", "<figcaption>",
              "<br>", "<!--", "-->", "<![CDATA[", "<meta charset=", "<table>", "<td>", "<a href=",
              "class=\"caption\"", "role=\"navigation\"", "&amp;", "&#x0;", "&nbsp;", "\u00ad",
              "(dpa)", "Laut Reuters", "(SeaPRwire)", "Foto: ", "told the BBC", "nach oben",
              "Folgen Sie uns", "Sign up for our newsletter", "\xef\xbb\xbf", "\r\n",
              '<script type="application/ld+json">', '{"@type":"NewsArticle"', "<template>", "<svg>",
              "<math>", "<noscript>", "<select>", "<option>", "<iframe>", "<![endif]-->"]
    path = where / "fuzz.dict"
    with path.open("w", encoding="utf-8") as fh:
        for tok in tokens:
            esc = "".join(c if 32 <= ord(c) < 127 and c not in '"\\' else f"\\x{ord(c) & 0xff:02x}"
                          if ord(c) < 256 else "".join(f"\\x{b:02x}" for b in c.encode())
                          for c in tok)
            fh.write(f'"{esc}"\n')
    return path


# -- hypothesis -------------------------------------------------------------------

def run_hypothesis(minutes: float) -> int:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    auditor, _ruleset, failure_type = _setup()
    words = st.sampled_from(["Laut Reuters", "(dpa)", "Foto: dpa", "told the BBC", "nach oben",
                             "Sign up for our newsletter", "(SeaPRwire) –", "&amp;", "&#0;", "\u00ad",
                             "ß", "İ", "\r\n", "\x00", "\ufffd", "—"])
    tags = st.sampled_from(["p", "div", "nav", "footer", "aside", "figure", "figcaption", "h1",
                            "article", "main", "script", "style", "span", "table", "td", "li",
                            "header", "template", "svg", "a", "br", "b", "select"])
    leaf = st.one_of(words, st.text(max_size=30))

    def wrap(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(tags, st.booleans(), st.lists(children, max_size=6)).map(
            lambda t: f"<{t[0]}>{''.join(t[2])}" + (f"</{t[0]}>" if t[1] else ""))

    html = st.recursive(leaf, wrap, max_leaves=60)
    payloads = st.one_of(
        st.tuples(st.just("html"), html.map(lambda s: s.encode("utf-8", "surrogatepass"))),
        st.tuples(st.just("html+charset"), st.tuples(st.integers(0, 255), html).map(
            lambda t: bytes([t[0]]) + t[1].encode("utf-8", "surrogatepass"))),
        st.tuples(st.just("text"), st.one_of(st.binary(max_size=3000),
                                             st.lists(leaf, max_size=40).map(
                                                 lambda x: "".join(x).encode("utf-8", "surrogatepass")))),
        st.tuples(st.just("engine"), st.lists(leaf, max_size=40).map(
            lambda x: "".join(x).encode("utf-8", "surrogatepass"))),
    )
    counts = {m: 0 for m in MODES} | {"failure": 0, "ok": 0}
    end = time.monotonic() + minutes * 60
    started = time.monotonic()

    @settings(max_examples=500, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(payloads)
    def prop(item: tuple[str, bytes]) -> None:
        mode, payload = item
        counts[mode] += 1
        counts[check(auditor, failure_type, mode, payload)] += 1

    while time.monotonic() < end:
        prop()
    took = time.monotonic() - started
    total = sum(counts[m] for m in MODES)
    print(f"SUMMARY engine=hypothesis seconds={took:.0f} inputs={total} "
          + " ".join(f"{k}={v}" for k, v in counts.items()), file=sys.stderr, flush=True)
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--minutes", type=float, default=10.0, help="how long to fuzz (default 10)")
    ap.add_argument("--engine", choices=("auto", "atheris", "hypothesis"), default="auto")
    ap.add_argument("--max-len", type=int, default=65536, help="largest atheris input in bytes")
    ap.add_argument("--artifacts", type=Path, default=Path(tempfile.gettempdir()) / "provenance-fuzz",
                    help="where atheris leaves a crashing input")
    ap.add_argument("--corpus", type=Path, default=None, help="atheris working corpus folder")
    args = ap.parse_args()
    sys.path.insert(0, str(ROOT))
    engine = args.engine
    if engine == "auto":
        try:
            import atheris  # noqa: F401
            engine = "atheris"
        except ImportError:
            engine = "hypothesis"
    os.environ.setdefault("PYTHONHASHSEED", "0")
    if engine == "atheris":
        return run_atheris(args.minutes, args.max_len, args.artifacts, args.corpus)
    return run_hypothesis(args.minutes)


if __name__ == "__main__":
    sys.exit(main())
