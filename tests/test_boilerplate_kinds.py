"""Calls to action get the right kind (policy v2): the same verbs ("Subscribe to",
"Subscribe now", "Abonnez-vous") sell a paper, a newsletter or a social channel,
and a bare footer link is no call at all. Rule examples test one rule each; these
tests run the whole engine and check the kinds a reader's page ends up with."""

from __future__ import annotations

import pytest
from conftest import text_doc

from provenance import packs
from provenance.extract import extract
from provenance.model import Source
from provenance.rules import Engine

ENGINE = Engine(packs.load())
KINDS = {"donation", "membership", "newsletter", "social-follow"}


def kinds(text: str) -> set[str]:
    return {m.entity for m in ENGINE.run(text_doc(text)) if m.category == "boilerplate" and m.entity in KINDS}


@pytest.mark.parametrize("text,expected", [
    ("Get the latest updates right in your inbox. Subscribe to NJ.com’s newsletters.", {"newsletter"}),
    ("Subscribe to Inexhibit’s newsletter", {"newsletter"}),
    ("Subscribe to The Paradigm via Email", {"newsletter"}),
    ("Subscribe to Newsletter", {"newsletter"}),
    ("Subscribe to AppleInsider on YouTube", {"social-follow"}),
    ("Subscribe to The Oregonian\nEmail Newsletters", {"membership"}),
    ("Abonnez-vous à notre newsletter", {"newsletter"}),
    ("Abonnez-vous à notre chaîne YouTube", {"social-follow"}),
    ("Abonnez-vous", {"membership"}),
    # the submit button of a newsletter box is part of the newsletter call
    ("Newsletter\nGet Quanta Magazine delivered to your inbox\nSubscribe now", {"newsletter"}),
    ("Get The Magazine\nThe best in culture.\nSubscribe now", {"membership"}),
    # statements are not calls
    ("Slate relies on advertising to support our journalism.", set()),
    ("By registering you become a member of the CBS Interactive family.", set()),
    ("Launches would carry logistics spacecraft to support the Gateway.", set()),
    ("Ukraine wants to become a member of NATO.", set()),
    ("Support our journalism with a gift today.", {"donation"}),
])
def test_kind_of_a_call(text, expected):
    assert kinds(text) == expected


def _page(footer: str, aside: str = "") -> set[str]:
    html = (f"<html><body><article><h1>Title</h1><p>{'Body text of the article. ' * 20}</p></article>"
            f"<aside>{aside}</aside><footer>{footer}</footer></body></html>")
    doc = extract(Source(origin="page.html", data=html.encode(), kind="html"))
    return {(m.entity, m.block) for m in ENGINE.run(doc) if m.category == "boilerplate"}


def test_newsletter_signup_counts_over_a_box_not_as_a_footer_link():
    assert not _page("<ul><li><a href='/a'>Contact</a></li><li><a href='/n'>Newsletter Sign-Up</a></li></ul>")
    found = _page("<p>Contact</p>", "<h3>Newsletter sign up</h3><p>Get weekly updates, free.</p>")
    assert ("newsletter", "aside") in found
