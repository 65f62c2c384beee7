"""One self-contained HTML page per corpus, for projecting in class.

Inline CSS only, no scripts, no fonts, images or anything else fetched: a
Content-Security-Policy forbids every request. Every piece of article text goes
through `html.escape`, so it can never become markup. Highlights carry their
category as a class and a `data-category`, with a legend of the colours.
"""

from __future__ import annotations

import html

from . import report as md
from . import report_data as rd
from .report_i18n import join, pick, t, tn

COLOURS = {
    "syndication": "#f4a3a3",
    "agency": "#f7c58b",
    "citation": "#9ec9f5",
    "attribution": "#cdb4f0",
    "image-credit": "#9fe0cf",
    "boilerplate": "#f3e38a",
    "residue": "#d3d3d3",
    "mention": "#d8ecfb",
}
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'"

_CSS = """
body{font:18px/1.55 Georgia,'DejaVu Serif',serif;max-width:60rem;margin:0 auto;padding:1rem 2rem;color:#111;background:#fff}
h1,h2,h3{font-family:'DejaVu Sans',Arial,sans-serif;line-height:1.2}
h2{border-top:3px solid #333;padding-top:1rem;margin-top:3rem}
table{border-collapse:collapse;margin:1rem 0;font:15px/1.4 'DejaVu Sans',Arial,sans-serif}
th,td{border:1px solid #bbb;padding:.25rem .5rem;text-align:left;vertical-align:top}
td.n{text-align:right}
mark{padding:0 .1em;border-radius:.2em;color:#000}
mark b{font-weight:bold}
sup.n{font:bold 12px 'DejaVu Sans',Arial,sans-serif;color:#333}
.legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem}
.legend li{font:15px 'DejaVu Sans',Arial,sans-serif}
.verdict{font:bold 20px 'DejaVu Sans',Arial,sans-serif}
.article{border-left:4px solid #ccc;padding-left:1rem}
.bar{display:inline-block;height:1em;background:#555;vertical-align:middle}
.meta{color:#444;font-size:15px}
"""


def e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _mark(category: str, numbers: tuple[int, ...], inner: str, title: str = "") -> str:
    nums = " ".join(str(n) for n in numbers)
    return (f'<mark class="hl cat-{e(category)}" data-category="{e(category)}" data-n="{nums}"'
            + (f' title="{e(title)}"' if title else "") + f">{inner}</mark>")


def _squash(text: str) -> str:
    """Whitespace runs as one space, keeping a space at either edge where there was one."""
    core = " ".join(text.split())
    if not core:
        return " " if text else ""
    return (" " if text[:1].isspace() else "") + core + (" " if text[-1:].isspace() else "")


def _quote(q: rd.Quote, category: str, number: int) -> str:
    left = "…" if q.cut_left else ""
    right = "…" if q.cut_right else ""
    hit = _mark(category, (number,), "<b>" + e(_squash(q.hit).strip()) + "</b>")
    return f"{left}{e(_squash(q.before).lstrip())}{hit}{e(_squash(q.after).rstrip())}{right}"


def _article(doc: rd.DocView, lang: str) -> str:
    paras = []
    for para in rd.paragraphs(doc.text, doc.findings):
        parts = []
        for piece in para:
            if piece.mark is None:
                parts.append(e(piece.text))
                continue
            h = piece.mark
            title = ", ".join(f"{n}: {t(lang, 'cat.' + next(f.category for f in doc.findings if f.number == n))}"
                              for n in h.numbers)
            parts.append(_mark(h.category, h.numbers, e(piece.text), title))
            if piece.last:
                parts.append(f'<sup class="n">[{", ".join(str(n) for n in h.numbers)}]</sup>')
        paras.append("<p>" + "".join(parts) + "</p>")
    return "\n".join(paras)


def document_section(doc: rd.DocView, lang: str) -> str:
    """One document: verdict, annotated article, numbered findings, score, questions."""
    H = [f'<section class="doc" id="doc-{e(doc.slug)}" lang="{e(lang)}">',
         f"<h2>{e(doc.title)}</h2>",
         f'<p class="meta">{e(t(lang, "doc.origin", origin=doc.origin))}'
         + (f'<br>{e(t(lang, "doc.link", link=doc.url))}' if doc.url else "") + "</p>",
         '<p class="verdict">' + e(t(lang, "doc.verdict", cls=t(lang, f"class.{doc.provenance_class}"),
                                    score=doc.score, grade=doc.grade)) + "</p>"]
    why = md.class_reason(lang, doc, name=str)
    if why:
        if doc.class_reason and doc.class_reason.numbers:
            why = md.with_findings(lang, why, doc.class_reason.numbers)
        H.append(f"<p>{e(t(lang, 'doc.why', reason=why))}</p>")
    H.append(f"<h3>{e(t(lang, 'sec.article'))}</h3>")
    H.append(f'<div class="article">\n{_article(doc, lang)}\n</div>')
    H.append(f"<h3>{e(t(lang, 'sec.found'))}</h3>")
    if not doc.findings:
        H.append(f"<p>{e(t(lang, 'found.none'))}</p>")
    for cat, items in doc.by_category():
        H.append(f"<h4>{e(t(lang, 'cat.' + cat))} ({len(items)})</h4><ul>")
        for f in items:
            who = doc.outlet_name(f.entity) if f.entity in doc.outlets else f.entity
            if f.role and f.role != "credit":
                who = t(lang, "found.who_role", name=who, role=md.role_name(lang, f.role))
            H.append(f'<li id="{e(doc.slug)}-f{f.number}">' + e(t(
                lang, "found.item", number=f"[{f.number}]", who=who, quote="\x00"))
                .replace("\x00", _quote(rd.quote(doc.text, f.start, f.end), f.category, f.number))
                + "</li>")
        H.append("</ul>")
    H.append(f"<h3>{e(t(lang, 'sec.score'))}</h3><table>")
    H.append("<tr>" + "".join(f"<th>{e(t(lang, 'score.col.' + c))}</th>"
                              for c in ("dimension", "points", "because")) + "</tr>")
    for dim, points, lines in md.dimension_rows(doc):
        sign = f"{points}" if dim == "base" else f"{points:+d}"
        because = "; ".join(md.reason_text(lang, x, name=str) for x in lines)
        H.append(f"<tr><td>{e(md.dimension_name(lang, dim, name=str))}</td>"
                 f'<td class="n">{e(sign)}</td><td>{e(because)}</td></tr>')
    H.append(f"<tr><th>{e(t(lang, 'score.total'))}</th><th>{doc.score}</th>"
             f"<td>{e(t(lang, 'score.total.because'))}</td></tr></table>")
    H.append(f"<h3>{e(t(lang, 'sec.cannot'))}</h3>")
    H += [f"<p>{e(t(lang, key))}</p>" for key in rd.caveats(doc)]
    H.append(f"<h3>{e(t(lang, 'sec.questions'))}</h3><ol>")
    H += [f"<li>{e(md.question_text(lang, doc, key, lists, name=str))}</li>"
          for key, lists in rd.questions(doc)]
    H.append("</ol></section>")
    return "\n".join(H)


def corpus_html(corpus: rd.Corpus, mode: str, index_lang: str) -> str:
    """The whole corpus as one page; `mode` is `auto` or a language code."""
    lang = index_lang
    css = _CSS + "".join(f".cat-{c}{{background:{col}}}\n" for c, col in COLOURS.items())
    H = ["<!DOCTYPE html>", f'<html lang="{e(lang)}">', "<head>", '<meta charset="utf-8">',
         f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
         '<meta name="referrer" content="no-referrer">',
         '<meta name="viewport" content="width=device-width, initial-scale=1">',
         f"<title>{e(t(lang, 'html.title'))}</title>", f"<style>{css}</style>", "</head>", "<body>",
         f"<h1>{e(t(lang, 'html.title'))}</h1>",
         f"<p>{e(tn(lang, 'index.count', len(corpus.docs)))}</p>",
         f'<h3>{e(t(lang, "html.legend"))}</h3><ul class="legend">']
    H += [f'<li>{_mark(c, (), e(t(lang, "cat." + c)))}</li>' for c in rd.CATEGORY_ORDER]
    H.append("</ul>")
    H.append(f"<h3>{e(t(lang, 'html.contents'))}</h3><table>")
    head = [t(lang, f"index.col.{c}") for c in ("document", "class", "score", "grade")]
    head += [t(lang, f"catshort.{c}") for c in rd.COUNTED]
    H.append("<tr>" + "".join(f"<th>{e(x)}</th>" for x in head) + "</tr>")
    for d in corpus.docs:
        c = d.counts()
        H.append(f'<tr><td><a href="#doc-{e(d.slug)}">{e(d.title)}</a></td>'
                 f"<td>{e(t(lang, 'class.' + d.provenance_class))}</td>"
                 f'<td class="n">{d.score}</td><td>{e(d.grade)}</td>'
                 + "".join(f'<td class="n">{c.get(k, 0)}</td>' for k in rd.COUNTED) + "</tr>")
    H.append("</table>")
    H.append(f"<h3>{e(t(lang, 'index.chart.classes'))}</h3><table>")
    total = max(1, len(corpus.docs))
    for cls, count in corpus.class_counts():
        H.append(f"<tr><td>{e(t(lang, 'class.' + cls))}</td><td class=\"n\">{count}</td>"
                 f'<td><span class="bar" style="width:{round(12 * count / total, 2)}rem"></span></td></tr>')
    H.append("</table>")
    cited = corpus.cited_outlets()
    if cited:
        top = max(h for _e, _n, h, _d in cited)
        H.append(f"<h3>{e(t(lang, 'index.chart.outlets'))}</h3><table>")
        for _entity, name, hits, _docs in cited:
            H.append(f"<tr><td>{e(name)}</td><td class=\"n\">{hits}</td>"
                     f'<td><span class="bar" style="width:{round(12 * hits / top, 2)}rem"></span></td></tr>')
        H.append("</table>")
    wires = corpus.wires()
    if wires:
        names = join(lang, [n for _c, _e, n, _h, _d in wires])
        H.append(f"<h3>{e(t(lang, 'index.wires'))}</h3><p>{e(names)}</p>")
    for d in corpus.docs:
        H.append(document_section(d, pick(d.lang) if mode == "auto" else mode))
    H += ["</body>", "</html>", ""]
    return "\n".join(H)
