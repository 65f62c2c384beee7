"""Markdown reports: CommonMark, hostile text, safe slugs, languages, stability."""

from __future__ import annotations

import re
import shutil
import string

import pytest
from reportkit import (
    MD,
    build_db,
    check_commonmark,
    headings,
    hostile_docs,
    make_doc,
    marker_at,
    table_shapes,
)

from provenance import report_data as rd
from provenance.report import md_escape, write_reports
from provenance.report_i18n import CATALOGUE, join, t


@pytest.fixture
def hostile(tmp_path):
    db = build_db(tmp_path / "h.db", hostile_docs())
    out = tmp_path / "out"
    files = write_reports(db, out, lang="all", formats=("md", "html"))
    return db, out, files


def _rendered(path):
    return MD.render(path.read_text("utf-8"))


def test_catalogue_languages_have_the_same_keys_and_placeholders():
    en, de = CATALOGUE["en"], CATALOGUE["de"]
    assert en.keys() == de.keys()
    fmt = string.Formatter()
    for key in en:
        names_en = {f for _, f, _, _ in fmt.parse(en[key]) if f}
        names_de = {f for _, f, _, _ in fmt.parse(de[key]) if f}
        assert names_en == names_de, key


def test_list_patterns():
    assert join("en", ["a", "b", "c"]) == "a, b and c"
    assert join("de", ["a", "b"]) == "a und b"
    assert join("de", ["a"]) == "a"


@pytest.mark.parametrize("text", [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))",
    "a | b | c", "``` code ```", "`x`", "# h", "1. item", "- item", "> q", "![i](http://e/x.png)",
    "www.example.com", "https://example.com/x", "&lt;b&gt;", "*em* __strong__", "<https://e.x>",
    "x@example.com", "~~s~~", "$x^2$", "\\[1\\]", "==\n===",
])
def test_escaped_text_renders_as_itself(text):
    html = MD.render("before " + md_escape(text) + " after")
    assert html.startswith("<p>") and html.count("<p>") == 1
    for tag in ("<script", "<img", "<a ", "<code", "<em", "<strong", "<h1", "<s>", "<table"):
        assert tag not in html
    tokens = MD.parse("x " + md_escape(text))
    inline = tokens[1]
    assert "".join(c.content for c in inline.children if c.type == "text") \
        == "x " + " ".join(text.split())


def test_hostile_text_never_becomes_structure(hostile):
    _db, out, files = hostile
    mds = [p for p in files if p.suffix == ".md"]
    assert len(mds) == 6  # 2 documents + index, in two languages
    for path in mds:
        tokens = check_commonmark(path)
        html = _rendered(path)
        assert "<script" not in html and "<img" not in html and "javascript:" not in \
            re.findall(r'href="([^"]*)"', html).__str__()
        heads = headings(tokens)
        assert sum(1 for tag, _ in heads if tag == "h1") == 1, heads
        for shape in table_shapes(tokens):
            assert len(set(shape)) == 1, (path, shape)
    report = next(p for p in mds if p.parent.name == "en" and p.name != "index.md"
                  and "script" in p.read_text("utf-8"))
    html = _rendered(report)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "[x](javascript:alert(1))" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    tokens = MD.parse(report.read_text("utf-8"))
    titles = [c for _tag, c in headings(tokens)]
    assert "Not a heading" not in " ".join(titles)


def test_every_finding_is_highlighted_in_its_quote_and_in_the_article(hostile):
    db, out, _files = hostile
    corpus = rd.load(db)
    doc = next(d for d in corpus.docs if d.findings)
    src = (out / "en" / f"{doc.slug}.md").read_text("utf-8")
    found, article = src.split("\n## The article, annotated\n")
    strong = _strong_texts(article)
    numbers = re.findall(r"\\\[([\d, ]+)\\\]", article)
    flat = [int(n) for group in numbers for n in group.split(", ")]
    assert sorted(flat) == [f.number for f in doc.findings]
    for h in rd.highlights(doc.findings):
        piece = " ".join(doc.text[h.start:h.end].split("\n")[-1].split())
        assert any(piece in s for s in strong), piece
    quoted = _strong_texts(found)
    for f in doc.findings:
        assert f"\\[{f.number}\\]" in found
        assert " ".join(f.snippet.split()) in quoted


def _strong_texts(src: str) -> list[str]:
    out = []
    for tok in MD.parse(src):
        if tok.type != "inline":
            continue
        inside = False
        buf = ""
        for c in tok.children:
            if c.type == "strong_open":
                inside, buf = True, ""
            elif c.type == "strong_close":
                inside = False
                out.append(buf)
            elif inside:
                buf += c.content if c.type != "softbreak" else " "
    return out


def test_slugs_are_safe_unique_and_stay_inside(hostile, tmp_path):
    db, out, files = hostile
    for path in files:
        assert path.resolve().is_relative_to(out.resolve())
    names = rd.slugs([{"id": "abc", "origin": "../../x"}, {"id": "abd", "origin": "/"},
                      {"id": "zz", "origin": ".."}, {"id": "a" * 20, "origin": "index"},
                      {"id": "a" * 8 + "b" * 12, "origin": "index"},
                      {"id": "../..", "origin": "C:\\x\\con.txt"}])
    assert len(set(names.values())) == len(names)
    for name in names.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
        assert name != "index"


def test_report_paths_cannot_leave_the_folder(tmp_path):
    from provenance.report import _inside

    for bad in ("../x.md", "a/../../x.md", "/etc/x.md", "..", "sub/x.md"):
        with pytest.raises(ValueError):
            _inside(tmp_path, bad)


def test_same_database_same_bytes(hostile, tmp_path):
    db, out, files = hostile
    copy = tmp_path / "copy.db"
    db.conn.execute("VACUUM INTO ?", (str(copy),))
    from provenance import store

    again = write_reports(store.connect(copy), tmp_path / "again", lang="all",
                          formats=("md", "html"))
    assert [p.relative_to(tmp_path / "again") for p in again] == \
        [p.relative_to(out) for p in files]
    for a, b in zip(files, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_languages_auto_follows_the_document(tmp_path):
    text = "Titel\n\n" + "Laut Reuters ist das so, sagte der Minister am Montag in Berlin. " * 8
    doc_de = make_doc(text, "a.txt", lang="de")
    doc_en = make_doc(text + " x", "b.txt", lang="en")
    marks = [marker_at(text, "Laut Reuters", "citation", "reuters", "cited")]
    db = build_db(tmp_path / "l.db", [(doc_de, marks), (doc_en, marks)])
    files = write_reports(db, tmp_path / "auto")
    by_name = {p.name: p.read_text("utf-8") for p in files}
    de = next(v for k, v in by_name.items() if k.startswith("a-"))
    en = next(v for k, v in by_name.items() if k.startswith("b-"))
    assert f"## {t('de', 'sec.found')}" in de and f"## {t('en', 'sec.found')}" in en
    assert "## Fragen zur Diskussion" in de and "## Questions for discussion" in en
    only_en = write_reports(db, tmp_path / "en", lang="en")
    assert all("## What we found" in p.read_text("utf-8") for p in only_en
               if p.name != "index.md")


def test_report_sections_and_questions(tmp_path):
    text = ("Titel\n\nLaut Reuters und laut AFP ist das so, berichten Quellen zufolge Kreise. "
            + "Ein weiterer Satz über die Lage in der Hauptstadt. " * 8 + "\nJetzt spenden!")
    marks = [marker_at(text, "Laut Reuters", "citation", "reuters", "cited"),
             marker_at(text, "laut AFP", "citation", "afp", "cited"),
             marker_at(text, "Quellen zufolge", "attribution", "vague"),
             marker_at(text, "Jetzt spenden!", "boilerplate", "donation")]
    db = build_db(tmp_path / "s.db", [(make_doc(text, "s.txt", lang="en"), marks)])
    (path,) = [p for p in write_reports(db, tmp_path / "r") if p.name != "index.md"]
    src = path.read_text("utf-8")
    tokens = check_commonmark(path)
    assert [h for tag, h in headings(tokens) if tag == "h2"] == [
        "What we found", "Outlets named in the text", "Score by dimension",
        "What this report cannot tell", "Questions for discussion", "The article, annotated"]
    assert "**Verdict: derivative · score" in src
    questions = src.split("## Questions for discussion\n")[1].split("\n## ")[0]
    items = re.findall(r"^\d\. (.+)$", questions, re.M)
    assert 3 <= len(items) <= 4
    assert any("Reuters" in q and "AFP" in q for q in items)
    assert any("vague or anonymous" in q for q in items)
    assert any("money or membership" in q for q in items)
    assert "A cited outlet may have been quoted correctly or not" in src
    assert "| \\[1\\] Reuters | news agency | cited as a source |" in src
    score = src.split("## Score by dimension\n")[1].split("\n## ")[0]
    assert "| sourcing | +4 |" in score and "(findings 1, 2)" in score and "(finding 3)" in score


def test_index_has_rows_totals_outlets_wires_and_charts(tmp_path):
    a = "A\n\n" + "Laut Reuters ist das so. " * 20
    b = "B\n\n(SeaPRwire) – " + "Laut Reuters und laut AFP ist das so. " * 20
    docs = [(make_doc(a, "a.txt", lang="en"), [marker_at(a, "Laut Reuters", "citation", "reuters", "cited", n)
                                               for n in range(3)]),
            (make_doc(b, "b.txt", lang="en"), [marker_at(b, "(SeaPRwire)", "syndication", "seaprwire"),
                                               marker_at(b, "laut AFP", "citation", "afp", "cited")])]
    db = build_db(tmp_path / "i.db", docs)
    files = write_reports(db, tmp_path / "r", lang="en")
    index = tmp_path / "r" / "index.md"
    tokens = check_commonmark(index)
    src = index.read_text("utf-8")
    links = re.findall(r"\]\(([^)]+)\)", src)
    assert sorted(links) == sorted(p.name for p in files if p.name != "index.md")
    assert "| Reuters | 3 | 1 |" in src and "| AFP \\| Agence \\<France\\> | 1 | 1 |" in src
    assert "| SeaPRwire | press-release wire | 1 | 1 |" in src
    assert "| Outlets cited as sources | 4 | 2 |" in src
    fences = [tok for tok in tokens if tok.type == "fence"]
    assert [f.info for f in fences] == ["mermaid", "mermaid"]
    assert '"press release" : 1' in fences[0].content
    assert 'bar [3, 1]' in fences[1].content and '"AFP  Agence France"' in fences[1].content


def test_fail_under(run_cli, tmp_path):
    text = "Titel\n\n(SeaPRwire) – " + "Ein Satz über die Lage. " * 20
    db = build_db(tmp_path / "f.db", [(make_doc(text, "f.txt"),
                                       [marker_at(text, "(SeaPRwire)", "syndication", "seaprwire")])])
    db.conn.close()
    low = run_cli("report", "--db", "f.db", "--out", "r", "--fail-under", "50")
    assert low.exit_code == 1 and "below 50: f.txt: score 25" in low.stderr
    ok = run_cli("report", "--db", "f.db", "--out", "r", "--fail-under", "25")
    assert ok.exit_code == 0
    seeds = tmp_path / "in"
    seeds.mkdir()
    (seeds / "a.txt").write_text(text, "utf-8")
    r = run_cli("audit", "in", "--db", "g.db", "-q", "--fail-under", "90")
    assert r.exit_code == 1
    r = run_cli("audit", "in", "--db", "g.db", "-q", "--fail-under", "1")  # unchanged, still checked
    assert r.exit_code == 0
    r = run_cli("audit", "in", "--db", "g.db", "-q", "--fail-under", "99")
    assert r.exit_code == 1
    assert run_cli("report", "--db", "g.db", "--fail-under", "101").exit_code == 2


def test_report_formats_option(run_cli, tmp_path):
    text = "Titel\n\n" + "Laut Reuters ist das so. " * 20
    build_db(tmp_path / "h.db", [(make_doc(text, "h.txt"),
                                  [marker_at(text, "Laut Reuters", "citation", "reuters", "cited")])]
             ).conn.close()
    r = run_cli("report", "--db", "h.db", "--out", "html", "--format", "html")
    assert r.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "html").iterdir()) == ["index.html"]
    r = run_cli("report", "--db", "h.db", "--out", "both", "--format", "html", "--format", "md",
                "--lang", "de")
    assert len(list((tmp_path / "both").iterdir())) == 3
    assert "Was wir gefunden haben" in next((tmp_path / "both").glob("h-*.md")).read_text("utf-8")


def test_seed_reports_parse(tmp_path):
    from conftest import SEEDS

    from provenance.audit import audit

    shutil.copytree(SEEDS, tmp_path / "seeds")
    audit([str(tmp_path / "seeds")], db=tmp_path / "s.db")
    from provenance import store

    files = write_reports(store.connect(tmp_path / "s.db"), tmp_path / "r", lang="all")
    for path in files:
        tokens = check_commonmark(path)
        assert sum(1 for tag, _ in headings(tokens) if tag == "h1") == 1
        for shape in table_shapes(tokens):
            assert len(set(shape)) == 1


def test_catalogue_words_every_builtin_weight_and_dimension():
    from provenance import packs

    weights = packs.load().verdict
    for lang in CATALOGUE:
        for key, spec in weights["points"].items():
            assert f"reason.{key}.one" in CATALOGUE[lang] and f"reason.{key}.other" in CATALOGUE[lang]
            assert f"dim.{spec['dimension']}" in CATALOGUE[lang]
