"""A real HTTP server on 127.0.0.1 for the fetching tests (never the internet)."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Route = Callable[["Handler"], None]


class Handler(BaseHTTPRequestHandler):
    server: Server

    def do_GET(self) -> None:  # noqa: N802
        srv = self.server
        path = self.path.split("?", 1)[0]
        with srv.lock:
            srv.log.append((path, time.monotonic(), self.headers.get("User-Agent", "")))
            srv.hits[path] = srv.hits.get(path, 0) + 1
            srv.active[path] = srv.active.get(path, 0) + 1
            srv.max_active[path] = max(srv.max_active.get(path, 0), srv.active[path])
        try:
            route = srv.routes.get(path)
            if route is None:
                self.reply(404, b"not found", "text/plain")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.active[path] -= 1

    def reply(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.routes: dict[str, Route] = {}
        self.lock = threading.Lock()
        self.log: list[tuple[str, float, str]] = []
        self.hits: dict[str, int] = {}
        self.active: dict[str, int] = {}
        self.max_active: dict[str, int] = {}
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def page(self, path: str, body: bytes | str, ctype: str = "text/html; charset=utf-8",
             status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.routes[path] = lambda h: h.reply(status, data, ctype, headers)

    def redirect(self, path: str, to: str, status: int = 302) -> None:
        self.routes[path] = lambda h: h.reply(status, b"", "text/plain", {"Location": to})


def gzip_bomb(size: int) -> bytes:
    """`size` zero bytes, gzip-compressed (about 1000:1)."""
    return gzip.compress(b"\0" * size, compresslevel=9)


ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Council approves the new bridge</title>
<link rel="canonical" href="https://www.example-news.com/2024/bridge">
</head><body>
<header><nav><a href="/">Home</a> <a href="https://www.reuters.com/">Reuters</a> <a href="/world">World</a></nav></header>
<article><h1>Council approves the new bridge</h1>
<p>The city council approved the construction of a new bridge over the river on Monday, after a debate that lasted more than six hours and ended with a narrow majority of votes.</p>
<p>According to Reuters, the project will cost about 40 million euros and take three years to complete, with the first works planned for the spring of next year.</p>
<p>Residents of both districts had asked for a second crossing for years, because the old bridge is closed to trucks and often jammed during the morning rush hour.</p>
<p>The mayor said the decision was a good day for the city and thanked the members of the council for the long and constructive discussion of the plans.</p>
</article>
<footer><div class="newsletter"><p>Sign up for our newsletter</p></div><p>Follow us on Twitter</p><p>Imprint</p></footer>
</body></html>
"""
