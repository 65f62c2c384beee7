"""Fetching against a real HTTP server on 127.0.0.1: every failure kind is a reason."""

from __future__ import annotations

import time

from localserver import ARTICLE, Server, gzip_bomb

from provenance import __version__
from provenance.fetch import Fetcher, FetchOptions, Snapshot
from provenance.model import Failure


def fetcher(**kw) -> Fetcher:
    opts = {"delay": 0.0, "timeout": 5.0, "max_bytes": 1024 * 1024} | kw
    return Fetcher(FetchOptions(**opts))


def reason(item) -> str:
    assert isinstance(item, Failure), item
    return item.reason


def test_page_is_fetched_with_an_honest_user_agent(server):
    with fetcher() as f:
        snap = f.fetch(server.url("/page"))
    assert isinstance(snap, Snapshot)
    assert snap.status == 200 and snap.body == ARTICLE.encode()
    assert snap.content_type == "text/html" and snap.charset == "utf-8"
    assert snap.final_url == server.url("/page")
    agents = {ua for path, _, ua in server.log if path == "/page"}
    assert agents and all(ua.startswith(f"provenance/{__version__}") for ua in agents)


def test_the_user_agent_carries_the_operators_contact(server):
    with fetcher(contact="mailto:desk@example.org (x)\r\nX-Evil: 1") as f:
        f.fetch(server.url("/page"))
    agents = {ua for path, _, ua in server.log if path == "/page"}
    assert agents == {f"provenance/{__version__} (news provenance auditor;"
                      " +mailto:desk@example.org xX-Evil: 1)"}


def test_redirects_are_followed_to_the_final_url(server):
    server.redirect("/old", "/older", 301)
    server.redirect("/older", server.url("/page"), 302)
    with fetcher() as f:
        snap = f.fetch(server.url("/old"))
    assert isinstance(snap, Snapshot)
    assert snap.url == server.url("/old") and snap.final_url == server.url("/page")


def test_redirect_loop(server):
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with fetcher() as f:
        assert reason(f.fetch(server.url("/a"))) == "redirect loop"


def test_too_many_redirects(server):
    for i in range(15):
        server.redirect(f"/hop{i}", f"/hop{i + 1}")
    with fetcher() as f:
        assert reason(f.fetch(server.url("/hop0"))) == "too many redirects"
    assert server.hits.get("/hop10") == 1 and "/hop11" not in server.hits


def test_http_404(server):
    with fetcher() as f:
        assert reason(f.fetch(server.url("/nothing-here"))) == "HTTP 404"


def test_429_is_retried_after_the_time_it_asks_for(server):
    calls = []

    def busy(h):
        calls.append(time.monotonic())
        if len(calls) == 1:
            h.reply(429, b"slow down", "text/plain", {"Retry-After": "1"})
        else:
            h.reply(200, ARTICLE.encode())

    server.routes["/busy"] = busy
    with fetcher() as f:
        snap = f.fetch(server.url("/busy"))
    assert isinstance(snap, Snapshot)
    assert len(calls) == 2 and calls[1] - calls[0] >= 0.95


def test_503_gives_up_after_the_retries(server):
    server.page("/down", b"down", "text/plain", status=503, headers={"Retry-After": "0"})
    with fetcher(retries=2) as f:
        assert reason(f.fetch(server.url("/down"))) == "HTTP 503"
    assert server.hits["/down"] == 3


def test_retry_after_beyond_the_time_limit_fails_at_once(server):
    server.page("/later", b"", "text/plain", status=429, headers={"Retry-After": "3600"})
    with fetcher() as f:
        started = time.monotonic()
        assert "retry after 3600 s" in reason(f.fetch(server.url("/later")))
    assert time.monotonic() - started < 2


def test_slow_response_times_out(server):
    def slow(h):
        time.sleep(1.5)
        h.reply(200, ARTICLE.encode())

    server.routes["/slow"] = slow
    with fetcher(timeout=0.4) as f:
        started = time.monotonic()
        assert reason(f.fetch(server.url("/slow"))) == "timed out after 0.4 s"
    assert time.monotonic() - started < 1.2


def test_slowly_dripping_body_hits_the_total_time_limit(server):
    def drip(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        for _ in range(20):
            h.wfile.write(b"<p>still here</p>" * 10)
            h.wfile.flush()
            time.sleep(0.1)

    server.routes["/drip"] = drip
    with fetcher(timeout=0.5) as f:
        assert reason(f.fetch(server.url("/drip"))) == "timed out after 0.5 s"


def test_oversized_body(server):
    server.page("/big", b"<html><body>" + b"x" * (2 * 1024 * 1024) + b"</body></html>")
    with fetcher() as f:
        assert reason(f.fetch(server.url("/big"))) == "body over 1 MB"


def test_oversized_body_without_content_length(server):
    def chunked(h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        for _ in range(40):
            h.wfile.write(b"y" * 65536)

    server.routes["/stream"] = chunked
    with fetcher() as f:
        assert reason(f.fetch(server.url("/stream"))) == "body over 1 MB"


def test_gzip_bomb_stops_at_the_cap(server):
    bomb = gzip_bomb(40 * 1024 * 1024)
    assert len(bomb) < 64 * 1024  # small on the wire, 40 MB when inflated
    server.page("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    with fetcher() as f:
        assert reason(f.fetch(server.url("/bomb"))) == "body over 1 MB"


def test_gzip_body_is_decompressed(server):
    import gzip

    server.page("/gz", gzip.compress(ARTICLE.encode()), headers={"Content-Encoding": "gzip"})
    with fetcher() as f:
        snap = f.fetch(server.url("/gz"))
    assert isinstance(snap, Snapshot) and snap.body == ARTICLE.encode()


def test_non_html_content_type_is_refused(server):
    server.page("/pic", b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "image/png")
    with fetcher() as f:
        assert reason(f.fetch(server.url("/pic"))) == "not text: image/png"


def test_robots_txt_is_obeyed_unless_ignored(server):
    server.page("/private/page", ARTICLE)
    with fetcher() as f:
        assert reason(f.fetch(server.url("/private/page"))) == "blocked by robots.txt"
        assert isinstance(f.fetch(server.url("/page")), Snapshot)
    assert "/private/page" not in server.hits
    assert server.hits["/robots.txt"] == 1  # fetched once per host
    with fetcher(obey_robots=False) as f:
        assert isinstance(f.fetch(server.url("/private/page")), Snapshot)


def test_redirect_into_a_disallowed_path_is_blocked(server):
    server.redirect("/go", "/private/x")
    with fetcher() as f:
        assert reason(f.fetch(server.url("/go"))) == "blocked by robots.txt"


def test_missing_robots_txt_allows_everything(server):
    del server.routes["/robots.txt"]
    with fetcher() as f:
        assert isinstance(f.fetch(server.url("/page")), Snapshot)


def test_connection_refused_is_a_reason():
    srv = Server()
    url = srv.url("/page")
    srv.server_close()  # the port is free again: nothing listens there
    with fetcher() as f:
        assert reason(f.fetch(url)).startswith("cannot connect")


def test_per_host_politeness_delay_and_concurrency(server):
    def hold(h):
        time.sleep(0.3)
        h.reply(200, ARTICLE.encode())

    for i in range(4):
        server.routes[f"/hold{i}"] = hold
    server.routes["/hold"] = hold
    with fetcher(delay=0.0, workers=6) as f:
        results = list(f.fetch_all([server.url(f"/hold{i}") for i in range(4)]))
    assert all(isinstance(r, Snapshot) for r in results)
    starts = sorted(t for p, t, _ in server.log if p.startswith("/hold"))
    # 4 requests of 0.3 s with at most 2 at once: the third starts after the first ended
    assert starts[2] - starts[0] >= 0.28
    server.log.clear()
    with fetcher(delay=0.2, workers=4) as f:
        list(f.fetch_all([server.url("/page")] * 3))
    starts = sorted(t for p, t, _ in server.log if p == "/page")
    assert len(starts) == 3 and min(b - a for a, b in zip(starts, starts[1:], strict=False)) >= 0.18


def test_results_keep_the_order_given(server):
    server.page("/one", "<html><body><p>one</p></body></html>")
    with fetcher(workers=4) as f:
        out = list(f.fetch_all([server.url("/one"), server.url("/missing"), server.url("/page")]))
    assert isinstance(out[0], Snapshot) and out[0].url.endswith("/one")
    assert isinstance(out[1], Failure) and out[2].url.endswith("/page")


def test_wrong_declared_charset_is_overruled_by_the_bytes(server):
    from provenance.extract import extract

    text = "<html><body><p>Die Größe der Straße überrascht die Bürger in München.</p></body></html>"
    server.page("/latin-claimed", text.encode("utf-8"), "text/html; charset=iso-8859-1")
    server.page("/utf8-claimed", text.encode("cp1252"), "text/html; charset=utf-8")
    with fetcher() as f:
        for path in ("/latin-claimed", "/utf8-claimed"):
            snap = f.fetch(server.url(path))
            assert isinstance(snap, Snapshot)
            doc = extract(snap.source())
            assert "Die Größe der Straße überrascht die Bürger" in doc.text, path


def test_http_charset_wins_over_the_page_meta(server):
    from provenance.extract import extract

    text = ('<html><head><meta charset="utf-8"></head><body><p>Привет, мир! Это проверка '
            'кодировки страницы.</p></body></html>')
    server.page("/cyr", text.encode("koi8-r"), "text/html; charset=koi8-r")
    with fetcher() as f:
        snap = f.fetch(server.url("/cyr"))
    assert "Привет, мир!" in extract(snap.source()).text
