"""Polite, bounded fetching of web pages with one `httpx.Client`.

Every URL gets a total time limit, a body cap that also holds after
decompression (a gzip bomb stops at the cap), at most 10 redirects with
loops detected, robots.txt (unless told otherwise), at most 2 requests at
once per host with a delay between them, and retries on 429/503 that honour
`Retry-After`. Whatever goes wrong becomes a `Failure` with a one-line
reason ("HTTP 404", "blocked by robots.txt", "timed out after 20 s").
"""

from __future__ import annotations

import email.utils
import threading
import time
import zlib
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

from . import __version__
from .model import Failure, Source

USER_AGENT = f"provenance/{__version__} (news provenance auditor)"


def user_agent(contact: str | None = None) -> str:
    """The product and its purpose, and the operator's contact when given (`--contact`)."""
    if not contact:
        return USER_AGENT
    clean = "".join(c for c in contact if c.isprintable() and c not in "()\r\n").strip()
    return f"provenance/{__version__} (news provenance auditor; +{clean})" if clean else USER_AGENT
ROBOTS_AGENT = "provenance"
TEXT_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/xml", "application/xml")
_RETRY_STATUSES = (429, 503)
_ROBOTS_MAX = 512 * 1024


class FetchError(Exception):
    """A URL that could not be fetched; the message is the one-line reason."""


@dataclass(frozen=True)
class FetchOptions:
    timeout: float = 20.0          # total seconds per URL, redirects and retries included
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 10
    obey_robots: bool = True
    per_host: int = 2              # requests at once to one host
    delay: float = 1.0             # seconds between request starts to one host
    retries: int = 3               # on 429 and 503
    max_retry_wait: float = 30.0   # a longer Retry-After fails the URL at once
    workers: int = 8               # hosts fetched in parallel
    contact: str | None = None     # the operator's URL or e-mail, for the User-Agent


@dataclass(frozen=True)
class Snapshot:
    """What was fetched, exactly: kept so that a re-audit can run offline."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    body: bytes
    fetched_at: str
    content_type: str | None = None
    charset: str | None = None

    def source(self, origin: str | None = None) -> Source:
        kind = "text" if (self.content_type or "").startswith("text/plain") else "html"
        return Source(origin=origin or self.url, data=self.body, kind=kind, url=self.final_url,
                      content_type=self.content_type, charset=self.charset,
                      meta={"fetch": {"url": self.url, "final_url": self.final_url,
                                      "status": self.status, "fetched_at": self.fetched_at}})


@dataclass
class _Host:
    slots: threading.Semaphore
    lock: threading.Lock = field(default_factory=threading.Lock)
    next_start: float = 0.0
    robots: RobotFileParser | None = None
    robots_error: str | None = None
    robots_done: bool = False


class Fetcher:
    """One client, shared politeness state; safe to use from several threads."""

    def __init__(self, options: FetchOptions | None = None,
                 transport: httpx.BaseTransport | None = None) -> None:
        self.options = options or FetchOptions()
        self.client = httpx.Client(
            headers={"User-Agent": user_agent(self.options.contact), "Accept-Encoding": "gzip, deflate",
                     "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.1"},
            follow_redirects=False, transport=transport, trust_env=False,
            limits=httpx.Limits(max_connections=max(4, self.options.workers * 2)))
        self._hosts: dict[str, _Host] = {}
        self._hosts_lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    # -- public -----------------------------------------------------------------

    def fetch(self, url: str) -> Snapshot | Failure:
        """Fetch one URL; never raises for anything the network or server does."""
        deadline = time.monotonic() + self.options.timeout
        try:
            return self._fetch(url, deadline)
        except FetchError as exc:
            return Failure(url, str(exc))
        except httpx.TimeoutException:
            return Failure(url, f"timed out after {self.options.timeout:g} s")
        except httpx.UnsupportedProtocol:
            return Failure(url, "not an http(s) URL")
        except httpx.InvalidURL as exc:
            return Failure(url, f"invalid URL: {exc}")
        except httpx.TooManyRedirects:
            return Failure(url, "too many redirects")
        except httpx.ConnectError as exc:
            return Failure(url, f"cannot connect: {_short(exc)}")
        except httpx.HTTPError as exc:
            return Failure(url, f"network error: {_short(exc)}")

    def fetch_all(self, urls: Iterable[str]) -> Iterator[Snapshot | Failure]:
        """Fetch many URLs in parallel (politely per host), in the order given."""
        urls = list(urls)
        if len(urls) <= 1 or self.options.workers <= 1:
            for url in urls:
                yield self.fetch(url)
            return
        with ThreadPoolExecutor(max_workers=self.options.workers) as pool:
            yield from pool.map(self.fetch, urls)

    # -- one URL ------------------------------------------------------------------

    def _fetch(self, url: str, deadline: float) -> Snapshot:
        seen = {url}
        current = url
        for _ in range(self.options.max_redirects + 1):
            _check_url(current)
            if self.options.obey_robots and not self._allowed(current, deadline):
                raise FetchError("blocked by robots.txt")
            status, headers, body = self._get(current, deadline)
            if status in (301, 302, 303, 307, 308):
                location = headers.get("location")
                if not location:
                    raise FetchError(f"HTTP {status} without a Location")
                nxt = urljoin(current, location.strip())
                if nxt in seen:
                    raise FetchError("redirect loop")
                seen.add(nxt)
                current = nxt
                continue
            if status >= 400:
                raise FetchError(f"HTTP {status}")
            ctype, charset = _content_type(headers.get("content-type"))
            if ctype is None:
                ctype = _sniff(body)
            if ctype is None or not ctype.startswith(TEXT_TYPES):
                raise FetchError(f"not text: {ctype or 'unknown content type'}")
            return Snapshot(url=url, final_url=current, status=status, headers=headers, body=body,
                            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
                            content_type=ctype, charset=charset)
        raise FetchError("too many redirects")

    def _get(self, url: str, deadline: float, cap: int | None = None
             ) -> tuple[int, dict[str, str], bytes]:
        """One GET with retries on 429/503; bodies of redirects and errors are not kept."""
        attempt = 0
        while True:
            with self._polite(url, deadline):
                status, headers, body = self._request(url, deadline, cap)
            if status not in _RETRY_STATUSES or attempt >= self.options.retries:
                return status, headers, body
            wait = _retry_after(headers.get("retry-after"))
            if wait is None:
                wait = min(2.0 ** attempt, 8.0)
            if wait > self.options.max_retry_wait or time.monotonic() + wait >= deadline:
                raise FetchError(f"HTTP {status}, asked to retry after {wait:g} s")
            time.sleep(wait)
            attempt += 1

    def _request(self, url: str, deadline: float, cap: int | None
                 ) -> tuple[int, dict[str, str], bytes]:
        cap = cap or self.options.max_bytes
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise httpx.ReadTimeout("deadline")
        with self.client.stream("GET", url, timeout=httpx.Timeout(remaining)) as resp:
            headers = {k.lower(): v for k, v in resp.headers.items()}
            if resp.status_code >= 300:
                return resp.status_code, headers, b""
            length = headers.get("content-length", "")
            encoding = headers.get("content-encoding", "identity").strip().lower()
            if length.isdigit() and encoding in ("identity", "") and int(length) > cap:
                raise FetchError(f"body over {_mb(cap)}")
            decoder = _Decoder(encoding)
            out = bytearray()
            for chunk in resp.iter_raw():
                if time.monotonic() > deadline:
                    raise httpx.ReadTimeout("deadline")
                out += decoder.feed(chunk, cap + 1 - len(out))
                if len(out) > cap:
                    raise FetchError(f"body over {_mb(cap)}")
            out += decoder.flush(cap + 1 - len(out))
            if len(out) > cap:
                raise FetchError(f"body over {_mb(cap)}")
            return resp.status_code, headers, bytes(out)

    # -- politeness -------------------------------------------------------------------

    def _host(self, url: str) -> _Host:
        key = urlsplit(url).netloc.lower()
        with self._hosts_lock:
            host = self._hosts.get(key)
            if host is None:
                host = self._hosts[key] = _Host(threading.Semaphore(self.options.per_host))
            return host

    def _polite(self, url: str, deadline: float) -> _Slot:
        return _Slot(self._host(url), self.options.delay, deadline, self.options.timeout)

    def _allowed(self, url: str, deadline: float) -> bool:
        parts = urlsplit(url)
        host = self._host(url)
        with host.lock:
            done = host.robots_done
        if not done:
            robots_url = f"{parts.scheme}://{parts.netloc}/robots.txt"
            parser: RobotFileParser | None = None
            error: str | None = None
            try:
                status, _, body = self._get(robots_url, deadline, cap=_ROBOTS_MAX)
                if 200 <= status < 300:
                    parser = RobotFileParser()
                    parser.parse(body.decode("utf-8", "replace").splitlines())
                elif status >= 500:
                    error = f"robots.txt unavailable (HTTP {status})"
                # 3xx and 4xx: no usable robots.txt, everything is allowed
            except FetchError as exc:
                if "body over" not in str(exc):
                    error = f"robots.txt unavailable ({exc})"
            with host.lock:
                host.robots, host.robots_error, host.robots_done = parser, error, True
        if host.robots_error:
            raise FetchError(host.robots_error)
        return host.robots is None or host.robots.can_fetch(ROBOTS_AGENT, url)


class _Slot:
    """At most `per_host` requests at once per host, starts spaced by `delay`."""

    def __init__(self, host: _Host, delay: float, deadline: float, limit: float) -> None:
        self.host, self.delay, self.deadline, self.limit = host, delay, deadline, limit

    def __enter__(self) -> None:
        if not self.host.slots.acquire(timeout=max(0.0, self.deadline - time.monotonic())):
            raise FetchError(f"timed out after {self.limit:g} s")
        with self.host.lock:
            now = time.monotonic()
            start = max(now, self.host.next_start)
            self.host.next_start = start + self.delay
        if start > now:
            if start >= self.deadline:
                self.host.slots.release()
                raise FetchError(f"timed out after {self.limit:g} s")
            time.sleep(start - now)

    def __exit__(self, *exc: Any) -> None:
        self.host.slots.release()


class _Decoder:
    """gzip/deflate decoding that never produces more than asked for, so that
    a small compressed body cannot expand past the cap in memory."""

    def __init__(self, encoding: str) -> None:
        if encoding in ("identity", "", "none"):
            self.z = None
        elif encoding in ("gzip", "x-gzip"):
            self.z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self.z = zlib.decompressobj(zlib.MAX_WBITS)
            self.raw_fallback = True
        else:
            raise FetchError(f"unsupported content encoding: {encoding}")
        self.encoding = encoding
        self.pending = b""

    def feed(self, chunk: bytes, room: int) -> bytes:
        if self.z is None:
            return chunk
        try:
            if self.encoding == "deflate" and self.raw_fallback:
                self.raw_fallback = False
                try:
                    return self._take(chunk, room)
                except zlib.error:  # "deflate" sent as a raw stream, as some servers do
                    self.z = zlib.decompressobj(-zlib.MAX_WBITS)
            return self._take(chunk, room)
        except zlib.error as exc:
            raise FetchError(f"corrupt {self.encoding} body") from exc

    def _take(self, chunk: bytes, room: int) -> bytes:
        assert self.z is not None
        data = self.z.decompress(self.pending + chunk, max(1, room))
        self.pending = self.z.unconsumed_tail
        return data

    def flush(self, room: int) -> bytes:
        if self.z is None:
            return b""
        out = bytearray()
        try:
            while self.pending and len(out) < room:
                out += self._take(b"", room - len(out))
            if len(out) < room:
                out += self.z.flush()
        except zlib.error as exc:
            raise FetchError(f"corrupt {self.encoding} body") from exc
        return bytes(out)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError("not an http(s) URL")


def _content_type(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    main, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip():
            charset = val.strip().strip("'\"")
    return main.strip().lower() or None, charset


def _sniff(body: bytes) -> str | None:
    head = body[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head:
        return "text/html"
    return None


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _mb(n: int) -> str:
    return f"{n / 1048576:g} MB" if n >= 1048576 else f"{n:,} bytes"


def _short(exc: Exception) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:200]
