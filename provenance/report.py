"""Markdown reports, made from the SQLite file alone so they can be re-made any time.

One file per document and an `index.md` for the corpus, in English or German
(`report_i18n`). Article text is escaped so that it can never become Markdown or
HTML structure (links, images, headings, tables, code), and the same database
always gives the same bytes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlite_utils

from . import report_data as rd
from .report_i18n import LANGS, join, pick, t, tn

MODES = ("auto", "all") + LANGS
FORMATS = ("md", "html")
DIMENSION_ORDER = ("base", "origin transparency", "sourcing",
                   "commercial and advocacy signals", "presentation")
_ALWAYS = set("\\`*_[]<>#|~$@&")
_LINE_START = re.compile(r"^(?:[-+=>]|\d{1,9}(?=[.)]))")
_URL = re.compile(r"^https?://[^\s<>\"'`\\|\[\]()]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def md_escape(text: str) -> str:
    """Article text never becomes Markdown or HTML structure in a report.

    Whitespace (newlines too) collapses to one space, so text cannot start a
    block; every character that can open a link, image, HTML tag, code span,
    emphasis or table cell is backslash-escaped; `.` and `:` are escaped where
    they would let GitHub turn a bare domain or URL into a link.
    """
    text = " ".join(_CONTROL.sub(" ", text).split())
    out: list[str] = []
    n = len(text)
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < n else ""
        if ch in _ALWAYS or (ch == "." and nxt.isalnum()) or (ch == ":" and nxt == "/"):
            out.append("\\" + ch)
        else:
            out.append(ch)
    escaped = "".join(out)
    m = _LINE_START.match(escaped)
    if m:
        if m.group().isdigit():
            end = m.end()
            escaped = escaped[:end] + "\\" + escaped[end:]
        else:
            escaped = "\\" + escaped
    return escaped


def md_quote(q: rd.Quote) -> str:
    """The sentence with the matched words in bold."""
    hit = q.hit
    lead = hit[: len(hit) - len(hit.lstrip())]
    trail = hit[len(hit.rstrip()):]
    core = hit.strip()
    before = q.before + lead
    after = trail + q.after
    parts = []
    if q.cut_left:
        parts.append("…")
    if before.strip():
        parts.append(md_escape(before) + (" " if before[-1:].isspace() else ""))
    parts.append(f"**{md_escape(core)}**" if core else "")
    if after.strip():
        parts.append((" " if after[:1].isspace() else "") + md_escape(after))
    if q.cut_right:
        parts.append("…")
    return "".join(parts)


def _numbers(numbers: tuple[int, ...] | list[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _num_tag(numbers: tuple[int, ...]) -> str:
    return "\\[" + ", ".join(str(n) for n in numbers) + "\\]"


def _lang_name(lang: str, code: str | None) -> str:
    """The document language's name, or its code when the catalogue has no name for it."""
    from .report_i18n import has

    if not code:
        return t(lang, "lang.unknown")
    return t(lang, f"lang.{code}") if has(lang, f"lang.{code}") else md_escape(code)


def who(lang: str, doc: rd.DocView, f: rd.Finding) -> str:
    """How a finding is named: the outlet's name for outlets, the entity id otherwise."""
    if f.category in ("citation", "mention", "agency", "syndication", "image-credit") \
            and f.entity in doc.outlets:
        name = doc.outlet_name(f.entity)
    else:
        name = f.entity
    label = md_escape(name)
    if f.role and f.role != "credit":
        return t(lang, "found.who_role", name=label, role=role_name(lang, f.role))
    return label


def class_reason(lang: str, doc: rd.DocView, name: Callable[[str], str] = md_escape) -> str:
    """The class's reason, worded in `lang`; names pass through `name` (escaping)."""
    r = doc.class_reason
    if r is None:
        return ""
    code = r.key.removeprefix("class.")
    p = r.params
    outlet = doc.outlet_name
    if code == "wire":
        return t(lang, "classwhy.wire", wires=join(lang, [name(outlet(w)) for w in p["wires"]]))
    if code == "copied-wire":
        return t(lang, "classwhy.copied-wire",
                 wires=join(lang, [name(outlet(w)) for w in p["wires"]]))
    if code == "copied-agency":
        return t(lang, "classwhy.copied-agency",
                 agencies=join(lang, [name(outlet(a)) for a in p["agencies"]]))
    if code == "agency":
        return t(lang, "classwhy.agency",
                 agencies=join(lang, [name(outlet(a)) for a in p["agencies"]]))
    if code == "short":
        return t(lang, f"classwhy.short.{'one' if p['words'] == 1 else 'other'}",
                 words=p["words"])
    if code == "outlets":
        return t(lang, "classwhy.outlets", count=p["count"],
                 outlets=join(lang, [name(outlet(o)) for o in p["outlets"]]))
    if code == "lead":
        return t(lang, "classwhy.lead", outlet=name(outlet(p["outlet"])), count=p["count"])
    if code == "short-lead":
        return t(lang, "classwhy.short-lead", outlet=name(outlet(p["outlet"])), words=p["words"])
    if code == "in-passing":
        return t(lang, "classwhy.in-passing",
                 outlets=join(lang, [name(outlet(o)) for o in p["outlets"]]))
    if code == "release-form":
        quotes = [f"“{name(str(sig.get('text', ''))[:80])}”" for sig in p.get("signals", [])[:4]]
        return t(lang, "classwhy.release-form", signals=join(lang, quotes))
    if code == "no-markers":
        return t(lang, "classwhy.no-markers")
    return t(lang, "classwhy.unknown", text=name(r.text))


def reason_text(lang: str, line: rd.ScoreLine, name: Callable[[str], str] = md_escape) -> str:
    """One score line in words, with the numbers of the findings that earned it."""
    from .report_i18n import has

    if line.key == "base":
        text = t(lang, "reason.base")
    elif line.key == "bounds":
        text = t(lang, "reason.bounds", raw=line.params.get("raw", ""))
    elif line.key.startswith("points."):
        weight = line.key.removeprefix("points.")
        count = int(line.params.get("count", len(line.numbers)))
        cap = line.params.get("cap", "")
        if has(lang, f"reason.{weight}.one"):
            text = tn(lang, f"reason.{weight}", count, cap=cap)
        else:
            label = line.text.split(" × ", 1)[-1]
            text = tn(lang, "reason.generic", count, text=name(label))
    else:
        text = name(line.text)
    if line.numbers:
        return with_findings(lang, text, line.numbers)
    return text


def with_findings(lang: str, text: str, numbers: tuple[int, ...]) -> str:
    """`text` followed by the numbers of the findings behind it."""
    return tn(lang, "score.with_findings", len(numbers), reason=text, numbers=_numbers(numbers))


def dimension_name(lang: str, dim: str, name: Callable[[str], str] = md_escape) -> str:
    from .report_i18n import has

    return t(lang, f"dim.{dim}") if has(lang, f"dim.{dim}") else name(dim)


def dimension_rows(doc: rd.DocView) -> list[tuple[str, int, list[rd.ScoreLine]]]:
    """Score lines grouped by dimension, in the methodology's order."""
    groups: dict[str, list[rd.ScoreLine]] = {}
    for line in doc.score_lines:
        groups.setdefault(line.dimension, []).append(line)
    order = {d: i for i, d in enumerate(DIMENSION_ORDER)}
    dims = sorted(groups, key=lambda d: (order.get(d, len(order) + (d == "bounds")), d))
    return [(d, sum(x.points for x in groups[d]), groups[d]) for d in dims]


def question_text(lang: str, doc: rd.DocView, key: str, lists: dict[str, list[str]],
                  name: Callable[[str], str] = md_escape) -> str:
    return t(lang, key, **{k: join(lang, [name(v) for v in vs]) for k, vs in lists.items()})


def outlet_type(lang: str, doc: rd.DocView, entity: str) -> str:
    from .report_i18n import has

    kind = doc.outlet_type(entity)
    if kind is None:
        return t(lang, "type.unknown")
    return t(lang, f"type.{kind}") if has(lang, f"type.{kind}") else md_escape(kind)


def role_name(lang: str, role: str | None) -> str:
    from .report_i18n import has

    if not role:
        return t(lang, "role.none")
    return t(lang, f"role.{role}") if has(lang, f"role.{role}") else md_escape(role)


def _cell(text: str) -> str:
    """A table cell: already escaped text, with any remaining pipe escaped."""
    return text.replace("\n", " ")


def document_report(doc: rd.DocView, lang: str) -> str:
    """The Markdown report of one document."""
    L: list[str] = [f"# {md_escape(doc.title)}", ""]
    L.append(f"- {t(lang, 'doc.origin', origin=md_escape(doc.origin))}")
    if doc.url:
        link = f"<{doc.url}>" if _URL.match(doc.url) else md_escape(doc.url)
        L.append(f"- {t(lang, 'doc.link', link=link)}")
    L.append(f"- {t(lang, 'doc.meta', language=_lang_name(lang, doc.lang), id=md_escape(doc.id))}")
    L.append("")
    L.append("**" + t(lang, "doc.verdict", cls=t(lang, f"class.{doc.provenance_class}"),
                      score=doc.score, grade=md_escape(doc.grade)) + "**")
    L.append("")
    why = class_reason(lang, doc)
    if why:
        if doc.class_reason and doc.class_reason.numbers:
            why = with_findings(lang, why, doc.class_reason.numbers)
        L += [t(lang, "doc.why", reason=why), ""]

    L += [f"## {t(lang, 'sec.found')}", ""]
    if not doc.findings:
        L += [t(lang, "found.none"), ""]
    for cat, items in doc.by_category():
        L += [f"### {t(lang, 'cat.' + cat)} ({len(items)})", ""]
        for f in items:
            q = md_quote(rd.quote(doc.text, f.start, f.end))
            L.append("- " + t(lang, "found.item", number=_num_tag((f.number,)),
                              who=who(lang, doc, f), quote=q))
        L.append("")

    rows = doc.outlet_rows()
    if rows:
        L += [f"## {t(lang, 'sec.outlets')}", ""]
        L.append("| " + " | ".join(t(lang, f"outlets.col.{c}")
                                   for c in ("outlet", "type", "role", "quote")) + " |")
        L.append("|---|---|---|---|")
        for f in rows:
            L.append(f"| {_num_tag((f.number,))} {md_escape(doc.outlet_name(f.entity))} | "
                     f"{outlet_type(lang, doc, f.entity)} | {role_name(lang, f.role)} | "
                     f"{_cell(md_quote(rd.quote(doc.text, f.start, f.end)))} |")
        L.append("")

    L += [f"## {t(lang, 'sec.score')}", ""]
    L.append("| " + " | ".join(t(lang, f"score.col.{c}")
                               for c in ("dimension", "points", "because")) + " |")
    L.append("|---|--:|---|")
    for dim, points, lines in dimension_rows(doc):
        because = "; ".join(reason_text(lang, x) for x in lines)
        sign = f"{points}" if dim == "base" else f"{points:+d}"
        L.append(f"| {dimension_name(lang, dim)} | {sign} | {_cell(because)} |")
    L.append(f"| **{t(lang, 'score.total')}** | **{doc.score}** | "
             f"{t(lang, 'score.total.because')} |")
    L.append("")

    L += [f"## {t(lang, 'sec.cannot')}", ""]
    for key in rd.caveats(doc):
        L += [t(lang, key), ""]

    L += [f"## {t(lang, 'sec.questions')}", ""]
    for i, (key, lists) in enumerate(rd.questions(doc), 1):
        L.append(f"{i}. {question_text(lang, doc, key, lists)}")
    L.append("")

    L += [f"## {t(lang, 'sec.article')}", "", t(lang, "article.intro"), ""]
    L += annotated(doc)
    L += [f"[{t(lang, 'doc.back')}](index.md)", ""]
    return "\n".join(L)


def annotated(doc: rd.DocView) -> list[str]:
    """The article, one paragraph per non-empty line, every finding in bold and numbered."""
    out: list[str] = []
    for para in rd.paragraphs(doc.text, doc.findings):
        parts: list[str] = []
        for piece in para:
            if piece.mark is None:
                parts.append(_plain(piece.text))
                continue
            core = piece.text.strip()
            if piece.text[:1].isspace():
                parts.append(" ")
            if core:
                parts.append(f"**{md_escape(core)}**")
            if piece.text[-1:].isspace():
                parts.append(" ")
            if piece.last:
                parts.append(" " + _num_tag(piece.mark.numbers))
        line = re.sub(r" {2,}", " ", "".join(parts)).strip()
        if line:
            out += [line, ""]
    return out


def _plain(s: str) -> str:
    """Escaped text that keeps one space at its edges where it had whitespace."""
    if not s:
        return ""
    core = md_escape(s)
    return (" " if s[:1].isspace() else "") + core + (" " if s[-1:].isspace() and core else "")


def _mermaid_label(text: str) -> str:
    """Labels inside Mermaid code: letters, digits and simple punctuation only."""
    return re.sub(r"[^\w .&'-]", "", text, flags=re.UNICODE).strip() or "?"


def index_report(corpus: rd.Corpus, lang: str) -> str:
    """The corpus overview: one row per document, totals, outlets, wires and charts."""
    n = len(corpus.docs)
    L = [f"# {t(lang, 'index.title')}", "", tn(lang, "index.count", n), ""]
    L += [f"## {t(lang, 'index.documents')}", ""]
    head = [t(lang, f"index.col.{c}") for c in ("document", "class", "score", "grade")]
    head += [t(lang, f"catshort.{c}") for c in rd.COUNTED]
    L.append("| " + " | ".join(head) + " |")
    L.append("|---|---|--:|---|" + "--:|" * len(rd.COUNTED))
    for d in corpus.docs:
        c = d.counts()
        title = md_escape(d.title[:90] + ("…" if len(d.title) > 90 else ""))
        L.append(f"| [{title}]({d.slug}.md) | {t(lang, 'class.' + d.provenance_class)} | "
                 f"{d.score} | {md_escape(d.grade)} | "
                 + " | ".join(str(c.get(k, 0)) for k in rd.COUNTED) + " |")
    L.append("")

    L += [f"## {t(lang, 'index.totals')}", ""]
    L.append(f"| {t(lang, 'index.col.category')} | {t(lang, 'index.col.findings')} | "
             f"{t(lang, 'index.col.documents')} |")
    L.append("|---|--:|--:|")
    for cat, hits, docs in corpus.totals():
        L.append(f"| {t(lang, 'cat.' + cat)} | {hits} | {docs} |")
    L.append("")

    cited = corpus.cited_outlets()
    L += [f"## {t(lang, 'index.outlets')}", ""]
    if cited:
        L.append(f"| {t(lang, 'index.col.outlet')} | {t(lang, 'index.col.citations')} | "
                 f"{t(lang, 'index.col.documents')} |")
        L.append("|---|--:|--:|")
        for _entity, name, hits, docs in cited:
            L.append(f"| {md_escape(name)} | {hits} | {docs} |")
    else:
        L.append(t(lang, "index.outlets.none"))
    L.append("")

    wires = corpus.wires()
    L += [f"## {t(lang, 'index.wires')}", ""]
    if wires:
        L.append(f"| {t(lang, 'index.col.wire')} | {t(lang, 'index.col.kind')} | "
                 f"{t(lang, 'index.col.findings')} | {t(lang, 'index.col.documents')} |")
        L.append("|---|---|--:|--:|")
        for cat, _entity, name, hits, docs in wires:
            L.append(f"| {md_escape(name)} | {t(lang, 'index.kind.' + cat)} | {hits} | {docs} |")
    else:
        L.append(t(lang, "index.wires.none"))
    L.append("")

    L += [f"## {t(lang, 'index.charts')}", ""]
    L += [f"### {t(lang, 'index.chart.classes')}", "", "```mermaid", "pie showData"]
    L.append(f"    title {_mermaid_label(t(lang, 'index.chart.classes'))}")
    for cls, count in corpus.class_counts():
        L.append(f"    \"{_mermaid_label(t(lang, 'class.' + cls))}\" : {count}")
    L += ["```", ""]
    if cited:
        top = max(h for _e, _n, h, _d in cited)
        L += [f"### {t(lang, 'index.chart.outlets')}", "", "```mermaid", "xychart-beta"]
        L.append(f"    title \"{_mermaid_label(t(lang, 'index.chart.outlets'))}\"")
        L.append("    x-axis [" + ", ".join(f"\"{_mermaid_label(name)}\""
                                            for _e, name, _h, _d in cited) + "]")
        L.append(f"    y-axis \"{_mermaid_label(t(lang, 'index.chart.axis'))}\" 0 --> {top}")
        L.append("    bar [" + ", ".join(str(h) for _e, _n, h, _d in cited) + "]")
        L += ["```", ""]
    L += [t(lang, "index.method"), ""]
    return "\n".join(L)


def corpus_lang(corpus: rd.Corpus) -> str:
    """The most common catalogue language among the documents (ties: English)."""
    counts = Counter(pick(d.lang) for d in corpus.docs)
    if not counts:
        return "en"
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0] != "en", kv[0]))[0][0]


def write_reports(db: sqlite_utils.Database, out: Path, ids: list[str] | None = None,
                  lang: str = "auto", formats: tuple[str, ...] = ("md",)) -> list[Path]:
    """Write the reports; returns the files written.

    `lang` is `auto` (each document in its own language, the index in the
    corpus's most common one), `en`, `de`, or `all` (one subfolder per language).
    `formats` holds `md` (a file per document and `index.md`) and/or `html`
    (one self-contained `index.html` for the corpus).
    """
    if lang not in MODES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(MODES)}")
    corpus = rd.load(db, ids)
    if lang == "all":
        written: list[Path] = []
        for code in LANGS:
            written += _write(db, corpus, out / code, code, formats)
        return written
    return _write(db, corpus, out, lang, formats)


def _write(db: sqlite_utils.Database, corpus: rd.Corpus, out: Path, lang: str,
           formats: tuple[str, ...]) -> list[Path]:
    from . import report_reuse

    out.mkdir(parents=True, exist_ok=True)
    index_lang = corpus_lang(corpus) if lang == "auto" else lang
    names = {doc.id: doc.slug for doc in corpus.docs}
    written: list[Path] = []
    if "md" in formats:
        for doc in corpus.docs:
            doc_lang = pick(doc.lang) if lang == "auto" else lang
            written.append(_save(out, doc.slug + ".md", document_report(doc, doc_lang)
                                 + report_reuse.document_sections(db, doc.id, names, doc_lang)))
        written.append(_save(out, "index.md", index_report(corpus, index_lang)
                             + report_reuse.index_sections(db, names, index_lang)))
    if "html" in formats:
        from .report_html import corpus_html

        written.append(_save(out, "index.html", corpus_html(corpus, lang, index_lang)))
    return written


def _save(folder: Path, name: str, content: str) -> Path:
    path = _inside(folder, name)
    path.write_bytes(content.encode("utf-8"))
    return path


def _inside(folder: Path, name: str) -> Path:
    """`folder/name`, refusing any name that would land outside `folder`."""
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or name in ("", ".", ".."):
        raise ValueError(f"report path {name!r} would leave {folder}")
    return path


def scores_below(db: sqlite_utils.Database, threshold: int,
                 ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Documents (all, or those in `ids`) whose score is below `threshold`, for --fail-under."""
    return [r for r in rd.store.documents(db, ids)
            if r.get("score") is not None and int(r["score"]) < threshold]
