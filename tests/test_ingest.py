"""Sources: folders with globs, JSON Lines, WARC, URLs, snapshots and --offline."""

from __future__ import annotations

import gzip
import io
import json
import sqlite3

from localserver import ARTICLE

from provenance.ingest import IngestOptions, iter_sources
from provenance.model import Failure, Source

TEXT = "Laut Reuters ist die Brücke fertig. Der Bürgermeister sprach von einem guten Tag."


def origins(items) -> list[str]:
    return [i.origin for i in items]


def test_jsonl_with_a_broken_line_in_the_middle(tmp_path, run_cli):
    lines = [json.dumps({"text": TEXT, "title": "Brücke", "url": "https://example.org/a"}),
             '{"text": "broken', "",
             json.dumps({"html": ARTICLE, "published": "2024-01-01"}),
             json.dumps({"title": "no body"}), json.dumps([1, 2])]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n")
    items = list(iter_sources([str(path)]))
    assert [type(i).__name__ for i in items] == ["Source", "Failure", "Source", "Failure", "Failure"]
    assert origins(items) == [f"{path}:1", f"{path}:2", f"{path}:4", f"{path}:5", f"{path}:6"]
    assert items[1].reason.startswith("not valid JSON")
    assert items[3].reason == "no 'text' or 'html' field"
    assert items[0].kind == "text" and items[0].title == "Brücke" and items[0].url == "https://example.org/a"
    assert items[2].kind == "html" and items[2].published == "2024-01-01"
    result = run_cli("audit", str(path), "--db", "out.db", "--json", "-q")
    assert result.exit_code == 0
    objs = [json.loads(x) for x in result.stdout.splitlines()]
    assert sum("error" in o for o in objs) == 3 and sum("verdict" in o for o in objs) == 2
    conn = sqlite3.connect(tmp_path / "out.db")
    assert conn.execute("SELECT count(*) FROM failures").fetchone()[0] == 3
    assert conn.execute("SELECT url FROM documents WHERE origin LIKE '%:1'").fetchone()[0] == \
        "https://example.org/a"


def test_a_jsonl_file_without_articles_is_one_failure(tmp_path):
    """A labels file lying among the articles ("doc", "notes", no text) is reported once,
    not once per line; records without a text before the first article still are, one by one."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT)
    (folder / "labels.jsonl").write_text(
        "\n".join(json.dumps({"doc": f"text/{i:03}.txt", "notes": "…"}) for i in range(80)) + "\n")
    items = list(iter_sources([str(folder)]))
    failures = [i for i in items if isinstance(i, Failure)]
    assert len(failures) == 1 and failures[0].origin.endswith("labels.jsonl")
    assert failures[0].reason.startswith("not a file of articles")
    assert sum(isinstance(i, Source) for i in items) == 1
    mixed = tmp_path / "mixed.jsonl"
    mixed.write_text("\n".join([json.dumps({"title": "x"})] * 3 + [json.dumps({"text": TEXT})] +
                               [json.dumps({"title": "y"})] * 30) + "\n")
    kinds = [type(i).__name__ for i in iter_sources([str(mixed)])]
    assert kinds == ["Failure"] * 3 + ["Source"] + ["Failure"] * 30


def test_gzipped_jsonl_and_a_truncated_one(tmp_path):
    good = tmp_path / "a.jsonl.gz"
    good.write_bytes(gzip.compress((json.dumps({"text": TEXT}) + "\n").encode() * 3))
    assert [type(i) for i in iter_sources([str(good)])] == [Source] * 3
    bad = tmp_path / "b.jsonl.gz"
    bad.write_bytes(good.read_bytes()[:-12])
    items = list(iter_sources([str(bad)]))
    assert isinstance(items[-1], Failure) and "cannot read" in items[-1].reason


def test_gzipped_pages_in_a_folder_are_read_and_bad_ones_reported(tmp_path):
    from provenance.ingest import read_file

    root = tmp_path / "crawl"
    root.mkdir()
    (root / "a.html.gz").write_bytes(gzip.compress(ARTICLE.encode()))
    (root / "b.txt.gz").write_bytes(gzip.compress(TEXT.encode()))
    (root / "c.html.gz").write_bytes(gzip.compress(ARTICLE.encode())[:-20])  # cut short
    (root / "d.html.gz").write_bytes(gzip.compress(b"<html>" + b" " * 3_000_000))  # unpacks to 3 MB
    (root / "e.zip").write_bytes(b"PK")  # not something we read
    items = list(iter_sources([str(root)], options=IngestOptions(max_bytes=1_000_000)))
    assert origins(items) == [str(root / n) for n in ("a.html.gz", "b.txt.gz", "c.html.gz", "d.html.gz")]
    assert [i.kind for i in items[:2]] == ["html", "text"]
    assert items[0].data == ARTICLE.encode() and items[1].data == TEXT.encode()
    assert isinstance(items[2], Failure) and items[2].reason.startswith("not valid gzip")
    assert isinstance(items[3], Failure) and "once decompressed" in items[3].reason
    assert isinstance(read_file(root / "b.txt.gz", "b"), Source)


def test_folder_include_and_exclude_globs(tmp_path):
    root = tmp_path / "site"
    (root / "news").mkdir(parents=True)
    (root / "drafts").mkdir()
    (root / "news" / "a.html").write_text(ARTICLE)
    (root / "news" / "b.htm").write_text(ARTICLE)
    (root / "news" / "c.txt").write_text(TEXT)
    (root / "news" / "d.xml").write_text("<x>hi there</x>")
    (root / "drafts" / "e.html").write_text(ARTICLE)
    (root / "f.jsonl").write_text(json.dumps({"text": TEXT}) + "\n")

    def names(**kw):
        return [i.origin.split("site/")[1] for i in iter_sources([str(root)], options=IngestOptions(**kw))]

    assert names() == ["drafts/e.html", "f.jsonl:1", "news/a.html", "news/b.htm", "news/c.txt"]
    assert names(include=("*.html", "*.htm")) == ["drafts/e.html", "news/a.html", "news/b.htm"]
    assert names(include=("*.html",), exclude=("drafts",)) == ["news/a.html"]
    assert names(include=("news/*.xml",)) == ["news/d.xml"]
    assert names(exclude=("*.txt", "*.jsonl")) == ["drafts/e.html", "news/a.html", "news/b.htm"]


def test_warc_response_records(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for url, ctype, status, body in (
                ("https://www.example-news.com/a", "text/html; charset=utf-8", "200 OK", ARTICLE.encode()),
                ("https://www.example-news.com/logo.png", "image/png", "200 OK", b"\x89PNG"),
                ("https://www.example-news.com/gone", "text/html", "404 Not Found", b"<p>gone</p>")):
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body),
                                                          http_headers=headers))
    items = list(iter_sources([str(path)]))
    assert len(items) == 2
    src, fail = items
    assert isinstance(src, Source) and src.url == "https://www.example-news.com/a"
    assert src.data == ARTICLE.encode() and src.charset == "utf-8" and src.kind == "html"
    assert isinstance(fail, Failure) and fail.reason == "HTTP 404"
    broken = tmp_path / "broken.warc"
    broken.write_bytes(b"this is not a warc file at all\r\n\r\n")
    assert all(isinstance(i, Failure) for i in iter_sources([str(broken)]))


def test_urls_are_fetched_snapshotted_and_reaudited_offline(server, tmp_path, run_cli):
    urls = tmp_path / "urls.txt"
    urls.write_text(f"# my list\n{server.url('/page')}\n\n{server.url('/private/x')}\n"
                    f"{server.url('/missing')}\n")
    result = run_cli("audit", "--urls", str(urls), "--db", "web.db", "--json", "-q")
    assert result.exit_code == 0, result.output
    objs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o.get("error") for o in objs] == [None, "blocked by robots.txt", "HTTP 404"]
    doc = objs[0]
    assert doc["url"] == "https://www.example-news.com/2024/bridge" and doc["domain"] == "example-news.com"
    blocks = {(m["category"], m["block"]) for m in doc["markers"]}
    assert ("boilerplate", "footer") in blocks and ("citation", "body") in blocks
    conn = sqlite3.connect(tmp_path / "web.db")
    row = conn.execute("SELECT url, final_url, status, headers, size, document_id, body FROM snapshots"
                       ).fetchone()
    assert row[0] == server.url("/page") and row[2] == 200 and row[5] == doc["id"]
    assert json.loads(row[3])["content-type"].startswith("text/html")
    assert gzip.decompress(row[6]) == ARTICLE.encode() and row[4] == len(ARTICLE.encode())
    fetched = server.hits["/page"]
    # offline: the same document from the snapshot, no request to the server
    again = run_cli("audit", server.url("/page"), server.url("/never"), "--db", "web.db",
                    "--offline", "--force", "--json", "-q")
    objs2 = [json.loads(x) for x in again.stdout.splitlines()]
    assert objs2[0]["id"] == doc["id"] and objs2[0]["markers"] == doc["markers"]
    assert objs2[1] == {"origin": server.url("/never"), "error": "offline: no stored snapshot"}
    assert server.hits["/page"] == fetched


def test_cli_fetch_limits(server, run_cli):
    server.page("/big", b"<html><body>" + b"x" * 5000 + b"</body></html>")
    server.page("/private/p", ARTICLE)
    result = run_cli("audit", server.url("/big"), server.url("/private/p"), "--db", "x.db",
                     "--max-bytes", "3000", "--ignore-robots", "--timeout", "5", "--json", "-q")
    objs = [json.loads(x) for x in result.stdout.splitlines()]
    assert objs[0]["error"] == "body over 3,000 bytes"
    assert "verdict" in objs[1]


def test_audit_without_sources_is_a_usage_error(run_cli):
    result = run_cli("audit")
    assert result.exit_code == 2
