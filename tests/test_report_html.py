"""The HTML view: self-contained, escaped, and checked in a real headless chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from reportkit import build_db, hostile_docs

from provenance import report_data as rd
from provenance.report import write_reports

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser") if shutil.which(n)), None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-dev-shm-usage", "--no-first-run"]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


@pytest.fixture
def page(tmp_path):
    db = build_db(tmp_path / "h.db", hostile_docs())
    files = write_reports(db, tmp_path / "out", lang="en", formats=("html",))
    assert [p.name for p in files] == ["index.html"]
    return db, files[0]


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


def test_html_is_self_contained_and_escaped(page):
    db, path = page
    html = path.read_text("utf-8")
    tags = _tags(html)
    names = [t for t, _ in tags]
    assert "script" not in names and "img" not in names and "link" not in names
    assert "iframe" not in names and "object" not in names
    for _tag, attrs in tags:
        for key, value in attrs.items():
            assert not key.startswith("on"), key
            if key in ("src", "href"):
                assert value and value.startswith("#"), value
    csp = [a for t, a in tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in (csp[0]["content"] or "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    corpus = rd.load(db)
    marks = [a for t, a in tags if t == "mark" and "hl" in (a.get("class") or "")]
    in_article = sum(len(p) for d in corpus.docs for para in rd.paragraphs(d.text, d.findings)
                     for p in [[x for x in para if x.mark]])
    legend = len(rd.CATEGORY_ORDER)
    quotes = sum(len(d.findings) for d in corpus.docs)
    assert len(marks) == legend + in_article + quotes
    for cat in rd.CATEGORY_ORDER:
        assert f".cat-{cat}{{background:" in html


def _chromium(*args: str, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run([CHROMIUM, *FLAGS, *args], capture_output=True, text=True,
                          timeout=timeout, check=False)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (CI installs it)")
def test_highlights_in_the_browser_dom(page, tmp_path):
    db, path = page
    url = path.resolve().as_uri()
    dom = _chromium("--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    tags = _tags(dom.stdout)
    assert not any(t in ("script", "img") for t, _ in tags)
    marks = [a for t, a in tags if t == "mark" and "hl" in (a.get("class") or "")]
    numbered = {int(n) for a in marks for n in (a.get("data-n") or "").split()}
    corpus = rd.load(db)
    doc = next(d for d in corpus.docs if d.findings)
    assert numbered == {f.number for f in doc.findings}
    cats = {a.get("data-category") for a in marks}
    assert {"citation", "residue", "attribution", "boilerplate"} <= cats
    text = re.sub(r"<[^>]+>", "", dom.stdout)
    assert "<script>alert(1)</script>" in text.replace("&lt;", "<").replace("&gt;", ">")
    shot = tmp_path / "shot.png"
    res = _chromium(f"--screenshot={shot}", "--window-size=1280,2400", url)
    assert res.returncode == 0, res.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
