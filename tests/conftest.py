from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def ruleset():
    from provenance import packs

    return packs.load()


@pytest.fixture(scope="session")
def auditor(ruleset):
    from provenance.audit import Auditor

    return Auditor(ruleset)


@pytest.fixture
def run_cli(tmp_path, monkeypatch):
    """Invoke the CLI in a temporary folder; returns click's Result."""
    from click.testing import CliRunner

    from provenance.cli import cli

    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, input: bytes | str | None = None):
        return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)

    return invoke


def example_texts(rules, no_match: bool = True) -> list[str]:
    """The rules' example texts, match markers ([[...]]) removed."""
    out = []
    for rule in rules:
        out.extend(t.replace("[[", "").replace("]]", "") for t in rule.examples["match"])
        if no_match:
            out.extend(rule.examples["no_match"])
    return out


def text_doc(text: str, origin: str = "test.txt", domain: str | None = None):
    from provenance.model import Document

    return Document(id="t", origin=origin, text=text, body=text,
                    title=text.split("\n", 1)[0], domain=domain)


def blocks_doc(parts: list[tuple[str, str]], domain: str | None = None):
    """A document laid out from (region, text) parts, one line each."""
    from provenance.model import Block, Document

    text, blocks, pos = "", [], 0
    for region, chunk in parts:
        blocks.append(Block(region, pos, pos + len(chunk)))
        text += chunk + "\n"
        pos = len(text)
    return Document(id="b", origin="b.html", text=text, body=text, title=parts[0][1],
                    domain=domain, blocks=tuple(blocks))


@pytest.fixture
def server():
    """A real HTTP server on 127.0.0.1 with a robots.txt and one article page."""
    from localserver import ARTICLE, Server

    srv = Server()
    srv.page("/robots.txt", "User-agent: *\nDisallow: /private\n", "text/plain")
    srv.page("/page", ARTICLE)
    srv.thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
