"""Hostile input: each case is audited or recorded with a one-line reason, and the
other documents of the same run are always audited (exit status 0)."""

from __future__ import annotations

import gzip
import io
import json
import os
import signal
import sqlite3
import threading
import time

import pytest
from localserver import ARTICLE, Server, gzip_bomb

GOOD = "Laut Reuters hat die Regierung am Montag neue Zahlen vorgelegt. Folgen Sie uns auf Telegram.\n"


def run_folder(run_cli, tmp_path, files: dict[str, bytes]):
    folder = tmp_path / "in"
    folder.mkdir(exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    (folder / "zz-good.txt").write_bytes(GOOD.encode())
    result = run_cli("audit", "in", "--db", "out.db", "--json", "-q")
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    good = [r for r in rows if r["origin"].endswith("zz-good.txt")]
    assert good and "error" not in good[0], "the good document must always be audited"
    return {r["origin"].rsplit("/", 1)[-1]: r for r in rows}


@pytest.mark.parametrize("name,data,expect", [
    ("empty.txt", b"", "error:empty"),
    ("spaces.txt", b"  \n\t\n   ", "error:empty"),
    ("binary.txt", bytes(range(256)) * 40, "error:binary"),
    ("png.txt", b"\x89PNG\r\n\x1a\n" + os.urandom(4000), "error:binary"),
    ("bom-nuls.txt", b"\xff\xfe\x00\x00\x00\x00\x00\x00", "error:empty"),  # found by fuzzing
    ("nul.txt", b"Laut Reuters\x00 ist das so, sagte der Minister am Montag.", "ok:Laut Reuters ist"),
    ("broken-utf8.txt", "Grüße aus Köln, sagte er. ".encode() * 20 + b"\xff\xfe kaputt", "ok:Grüße aus Köln"),
    ("latin1.txt", "Die Bürger äußern sich über die Größe der Straße.".encode("latin-1"), "ok:äußern"),
    ("cp1252.txt", "„Zitat“ – die Bürger äußern sich € 5.".encode("cp1252"), "ok:„Zitat“ –"),
    ("utf16-bom.txt", "Die Bürger äußern sich über die Größe.".encode("utf-16"), "ok:äußern"),
    ("utf16-nobom.txt", "Die Bürger äußern sich über die Größe.".encode("utf-16-le"), "ok:äußern"),
])
def test_bad_text_input(run_cli, tmp_path, name, data, expect):
    rows = run_folder(run_cli, tmp_path, {name: data})
    row = rows[name]
    kind, want = expect.split(":", 1)
    if kind == "error":
        assert want in row["error"] and "\n" not in row["error"]
    else:
        assert "error" not in row
        conn = sqlite3.connect(tmp_path / "out.db")
        text = conn.execute("SELECT text FROM documents WHERE id = ?", (row["id"],)).fetchone()[0]
        assert want in text


def test_huge_file_is_refused_without_reading(run_cli, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    with open(folder / "huge.txt", "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    rows = run_folder(run_cli, tmp_path, {})
    assert "too large" in rows["huge.txt"]["error"]


def test_single_five_megabyte_line_is_audited(run_cli, tmp_path):
    line = ("Laut Reuters steigen die Preise weiter, sagte ein Sprecher. " * 90_000)[:5_000_000]
    rows = run_folder(run_cli, tmp_path, {"long.txt": line.encode()})
    assert "error" not in rows["long.txt"]
    assert sum(m["entity"] == "reuters" for m in rows["long.txt"]["markers"]) > 1000


def test_symlink_loop_is_recorded(run_cli, tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "loop").symlink_to(folder, target_is_directory=True)
    (folder / "sub" / "a.txt").write_text(GOOD, encoding="utf-8")
    result = run_cli("audit", "in", "--db", "out.db", "--json", "-q")
    assert result.exit_code == 0
    rows = [json.loads(x) for x in result.stdout.splitlines()]
    assert any("symbolic-link loop" in r.get("error", "") for r in rows)
    assert sum(1 for r in rows if "error" not in r) == 1


def test_awkward_file_names(run_cli, tmp_path):
    names = ["with space.txt", "quote'\"s.txt", "semi;colon.txt", "$(touch pwned).txt", "ümlaut-日本.txt"]
    rows = run_folder(run_cli, tmp_path, {n: GOOD.encode() for n in names})
    for n in names:
        assert "error" not in rows[n], n
    assert not (tmp_path / "pwned").exists()


def test_unreadable_file(run_cli, tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    secret = folder / "secret.txt"
    secret.write_text(GOOD, encoding="utf-8")
    secret.chmod(0)
    if os.geteuid() == 0:  # root reads everything: make the read fail as it would for a user
        import builtins

        from provenance import ingest

        real = builtins.open

        def guarded_open(file, *args, **kwargs):
            if str(file).endswith("secret.txt"):
                raise PermissionError(13, "Permission denied", str(file))
            return real(file, *args, **kwargs)

        monkeypatch.setattr(ingest, "open", guarded_open, raising=False)
    rows = run_folder(run_cli, tmp_path, {})
    assert rows["secret.txt"]["error"] == "permission denied"


PACK = '''[pack]
id = "user"
version = "1.0.0"

[[rules]]
id = "user.bad"
kind = "pattern"
category = "boilerplate"
entity = "newsletter"
pattern = "{pattern}"
{extra}
'''


@pytest.mark.parametrize("pattern,extra,expect", [
    ("(a+)+$", "", "catastrophic backtracking"),
    ("(\\\\w+\\\\s?)+$", "", "catastrophic backtracking"),
    ("newsletter", "colour = 'red'", "colour: unknown key"),
])
def test_hostile_rule_pack_exits_2(run_cli, tmp_path, pattern, extra, expect):
    user = tmp_path / "user"
    user.mkdir()
    (user / "bad.toml").write_text(PACK.format(pattern=pattern, extra=extra), encoding="utf-8")
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    result = run_cli("audit", "a.txt", "--rules", str(user))
    assert result.exit_code == 2
    assert expect in result.output and "bad.toml" in result.output
    assert run_cli("rules", "check", str(user)).exit_code == 2


# -- HTML ------------------------------------------------------------------------

PARA = "<p>Laut Reuters hat die Regierung am Montag neue Zahlen vorgelegt, die zeigen, dass die Preise weiter steigen.</p>"


def audited_text(tmp_path, row) -> str:
    assert "error" not in row, row
    conn = sqlite3.connect(tmp_path / "out.db")
    return conn.execute("SELECT text FROM documents WHERE id = ?", (row["id"],)).fetchone()[0]


def test_html_nested_200000_levels_is_audited(run_cli, tmp_path):
    """Expected: audited, the text kept (tags deeper than 256 levels are dropped)."""
    page = "<html><body>" + "<div>" * 200_000 + PARA + "</div>" * 200_000 + "</body></html>"
    rows = run_folder(run_cli, tmp_path, {"deep.html": page.encode()})
    assert "Laut Reuters hat die Regierung" in audited_text(tmp_path, rows["deep.html"])
    assert any(m["entity"] == "reuters" for m in rows["deep.html"]["markers"])


def test_html_deep_unclosed_inline_and_tables_are_audited(run_cli, tmp_path):
    """Expected: audited; misnested depth no parser limit catches is read as plain text."""
    rows = run_folder(run_cli, tmp_path, {
        "spans.html": ("<html><body>" + "<span>" * 100_000 + "Laut Reuters steigen die Preise.").encode(),
        "tables.html": ("<html><body>" + "<table><tr><td>" * 5_000 + "Laut Reuters steigen die Preise.").encode()})
    for name in ("spans.html", "tables.html"):
        assert "Laut Reuters steigen die Preise." in audited_text(tmp_path, rows[name])


def test_html_unclosed_tags_and_stray_closing_tags(run_cli, tmp_path):
    """Expected: audited, every sentence kept in order (a processing instruction, which
    has no tag name, found by fuzzing, included)."""
    page = (b"<html><body><div><p>Laut Reuters hat die Regierung <b>am Montag <i>neue Zahlen</p></p>"
            b"</div></b> vorgelegt.</span><ul><?li ?></ul><p>Folgen Sie uns auf Telegram</td></table>")
    rows = run_folder(run_cli, tmp_path, {"sloppy.html": page})
    text = audited_text(tmp_path, rows["sloppy.html"])
    assert text.index("Laut Reuters") < text.index("vorgelegt.") < text.index("Folgen Sie uns auf Telegram")
    assert {m["entity"] for m in rows["sloppy.html"]["markers"]} >= {"reuters", "social-follow"}


def test_html_with_only_scripts_and_styles(run_cli, tmp_path):
    """Expected: a failure "no text in the page" (script text is never read as article text)."""
    page = (b"<html><head><style>body{color:red}</style><script>var s='Laut Reuters';</script></head>"
            b"<body><script>document.write('Folgen Sie uns')</script><style>p{}</style>"
            b"<noscript></noscript><template><p>hidden</p></template></body></html>")
    rows = run_folder(run_cli, tmp_path, {"scripts.html": page})
    assert rows["scripts.html"]["error"] == "no text in the page"


@pytest.mark.parametrize("declared,encoding", [("utf-8", "cp1252"), ("iso-8859-1", "utf-8"),
                                                ("shift_jis", "cp1252"), ("no-such-charset", "utf-8")])
def test_html_whose_declared_charset_is_wrong(run_cli, tmp_path, declared, encoding):
    """Expected: audited, and decoded correctly despite the declaration."""
    page = (f'<html><head><meta charset="{declared}"></head><body><p>Die Bürger äußern sich über '
            f"die Größe der Straße, sagte der Sprecher am Montag.</p></body></html>").encode(encoding)
    rows = run_folder(run_cli, tmp_path, {"charset.html": page})
    assert "Die Bürger äußern sich über die Größe der Straße" in audited_text(tmp_path, rows["charset.html"])


# -- archives --------------------------------------------------------------------

def test_jsonl_with_a_broken_line_in_the_middle(run_cli, tmp_path):
    """Expected: lines 1 and 3 audited, line 2 a failure "not valid JSON ..." naming the line."""
    lines = [json.dumps({"text": GOOD}), '{"text": "Laut Reuters', json.dumps({"html": f"<p>{GOOD}</p>"})]
    rows = run_folder(run_cli, tmp_path, {"feed.jsonl": ("\n".join(lines) + "\n").encode()})
    assert "error" not in rows["feed.jsonl:1"] and "error" not in rows["feed.jsonl:3"]
    assert rows["feed.jsonl:2"]["error"].startswith("not valid JSON")


def test_truncated_gzip_jsonl(run_cli, tmp_path):
    """Expected: the complete lines before the cut audited, then one failure "cannot read"."""
    whole = gzip.compress("".join(json.dumps({"text": f"{GOOD} Nummer {i}."}) + "\n"
                                  for i in range(200)).encode())
    rows = run_folder(run_cli, tmp_path, {"feed.jsonl.gz": whole[: len(whole) // 2]})
    audited = [k for k, r in rows.items() if k.startswith("feed.jsonl.gz:") and "error" not in r]
    failed = [r for k, r in rows.items() if k.startswith("feed.jsonl.gz") and "error" in r]
    assert len(audited) > 10 and len(failed) == 1
    assert failed[0]["error"].startswith("cannot read") and "\n" not in failed[0]["error"]


def _warc(records: int) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True)
    for i in range(records):
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")],
                                   protocol="HTTP/1.1")
        body = f"<html><body>{PARA}<p>Artikel Nummer {i}.</p>{'<p>Mehr Text.</p>' * 200}</body></html>"
        writer.write_record(writer.create_warc_record(
            f"https://www.example-news.com/{i}", "response", payload=io.BytesIO(body.encode()),
            http_headers=headers))
    return out.getvalue()


@pytest.mark.parametrize("cut", [0.55, 0.999])
def test_truncated_warc(run_cli, tmp_path, cut):
    """Expected: the complete records audited, the cut one a failure "cannot read WARC: ..."
    (or audited with the part that arrived, when only its end is missing)."""
    whole = _warc(6)
    rows = run_folder(run_cli, tmp_path, {"crawl.warc.gz": whole[: int(len(whole) * cut)]})
    mine = {k: r for k, r in rows.items() if k.startswith("crawl.warc.gz")}
    audited = [r for r in mine.values() if "error" not in r]
    failed = [r for r in mine.values() if "error" in r]
    assert len(audited) >= int(6 * cut) - 1 and len(failed) <= 1
    assert len(audited) + len(failed) >= int(6 * cut)
    for r in failed:
        assert r["error"].startswith("cannot read WARC") and "\n" not in r["error"]
    if cut < 0.9:
        assert failed, "a WARC cut in half ends in a failure"


# -- URLs (a real server on 127.0.0.1) ----------------------------------------------

@pytest.fixture
def servers():
    """Two servers (two hosts, so that per-host politeness does not serialise them):
    `bad` serves the hostile URLs, `good` an ordinary article."""
    pair = []
    for _ in range(2):
        srv = Server()
        srv.page("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
        srv.thread.start()
        pair.append(srv)
    pair[1].page("/article", ARTICLE)
    yield pair
    for srv in pair:
        srv.shutdown()
        srv.server_close()


def run_urls(run_cli, tmp_path, servers, path: str, *extra: str) -> dict:
    bad, good = servers
    (tmp_path / "zz-good.txt").write_text(GOOD, encoding="utf-8")
    result = run_cli("audit", bad.url(path), good.url("/article"), "zz-good.txt", "--db", "out.db",
                     "--json", "-q", "--ignore-robots", *extra)
    assert result.exit_code == 0, result.output
    rows = {r["origin"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert "error" not in rows["zz-good.txt"] and "error" not in rows[good.url("/article")]
    return rows[bad.url(path)]


def test_url_that_times_out(run_cli, tmp_path, servers):
    """Expected: a failure "timed out after 0.5 s"; the run does not wait for the server."""
    def slow(handler):
        time.sleep(3)
        handler.reply(200, ARTICLE.encode())

    servers[0].routes["/slow"] = slow
    started = time.monotonic()
    row = run_urls(run_cli, tmp_path, servers, "/slow", "--timeout", "0.5")
    assert row["error"] == "timed out after 0.5 s"
    assert time.monotonic() - started < 3


def test_url_redirect_loop(run_cli, tmp_path, servers):
    """Expected: a failure "redirect loop"."""
    servers[0].redirect("/a", "/b")
    servers[0].redirect("/b", "/a")
    assert run_urls(run_cli, tmp_path, servers, "/a")["error"] == "redirect loop"


def test_url_gzip_bomb(run_cli, tmp_path, servers):
    """Expected: a failure "body over 10 MB", decompression stops at the cap."""
    servers[0].page("/bomb", gzip_bomb(200 * 1024 * 1024), headers={"Content-Encoding": "gzip"})
    assert run_urls(run_cli, tmp_path, servers, "/bomb")["error"] == "body over 10 MB"


def test_image_served_as_html(run_cli, tmp_path, servers):
    """Expected: a failure "binary data, not text"."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 64
    servers[0].page("/photo", png, "text/html; charset=utf-8")
    assert run_urls(run_cli, tmp_path, servers, "/photo")["error"] == "binary data, not text"


# -- limits ---------------------------------------------------------------------------

def test_max_chars_caps_text_and_html(run_cli, tmp_path):
    """Expected: documents over --max-chars are failures that name the limit; smaller ones audited."""
    long_text = GOOD * 40
    rows = run_folder(run_cli, tmp_path, {"long.txt": long_text.encode(),
                                          "long.html": f"<html><body><p>{long_text}</p></body></html>".encode()})
    assert "error" not in rows["long.txt"]  # the default limit is 20 MB of text
    result = run_cli("audit", "in", "--db", "capped.db", "--json", "-q", "--max-chars", "1000")
    assert result.exit_code == 0
    rows = {r["origin"].rsplit("/", 1)[-1]: r for r in map(json.loads, result.stdout.splitlines())}
    for name in ("long.txt", "long.html"):
        assert rows[name]["error"].startswith("too large: ") and "(--max-chars)" in rows[name]["error"]
        assert "the limit is 1,000" in rows[name]["error"]
    assert "error" not in rows["zz-good.txt"]
    conn = sqlite3.connect(tmp_path / "capped.db")
    assert conn.execute("SELECT count(*) FROM failures WHERE reason LIKE 'too large%'").fetchone()[0] == 2


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_max_seconds_stops_a_slow_document(run_cli, tmp_path, jobs):
    """Expected: a document that needs longer than --max-seconds is a failure "took over 0.2 s",
    the next document is audited, and the run is not held up for long (in worker processes too)."""
    dense = ("Laut Reuters steigen die Preise weiter, sagte ein Sprecher. " * 40_000).encode()
    started = time.monotonic()
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "dense.txt").write_bytes(dense)
    (tmp_path / "in" / "zz-good.txt").write_bytes(GOOD.encode())
    result = run_cli("audit", "in", "--db", "out.db", "--json", "-q", "--max-seconds", "0.2",
                     "--jobs", jobs)
    assert result.exit_code == 0
    rows = {r["origin"].rsplit("/", 1)[-1]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["dense.txt"]["error"].startswith("took over 0.2 s")
    assert "error" not in rows["zz-good.txt"]
    assert time.monotonic() - started < 20


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_deadline_fired_inside_a_destructor_still_stops_the_document():
    """The alarm can go off while Python runs a `__del__` (garbage collection freeing a
    regex match mid-scan); Python ignores exceptions there, so the guard reports the
    overrun when the block ends instead of losing it."""
    from provenance.limits import DocumentTimeout, deadline

    class Slow:
        def __del__(self):
            end = time.monotonic() + 0.3
            while time.monotonic() < end:
                pass

    with pytest.raises(DocumentTimeout, match="took over 0.05 s"), deadline(0.05):
        obj = Slow()
        del obj  # the alarm fires inside __del__, whose exception Python ignores
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    # and a document still running after a swallowed alarm is stopped by the next one
    started = time.monotonic()
    with pytest.raises(DocumentTimeout), deadline(0.05):
        obj = Slow()
        del obj
        while True:
            pass
    assert time.monotonic() - started < 1.5
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_deadline_guard():
    """The guard interrupts Python code, restores the previous handler and timer,
    and off the main thread still reports the overrun afterwards."""
    from provenance.limits import DocumentTimeout, deadline

    before = signal.getsignal(signal.SIGALRM)
    with pytest.raises(DocumentTimeout, match="took over 0.05 s"), deadline(0.05):
        while True:
            pass
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    with deadline(None), deadline(0):
        time.sleep(0.01)
    with deadline(5):
        pass
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            with deadline(0.01):
                time.sleep(0.05)
        except DocumentTimeout as exc:
            errors.append(exc)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert len(errors) == 1
