"""Hostile input: each case is audited or recorded with a one-line reason, and the
other documents of the same run are always audited (exit status 0)."""

from __future__ import annotations

import json
import os
import pathlib
import sqlite3

import pytest

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
        real = pathlib.Path.read_bytes

        def read_bytes(self):
            if self.name == "secret.txt":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
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
