"""Every rule's own examples, one parametrised test; and engine behaviour."""

from __future__ import annotations

import pytest
from conftest import blocks_doc, text_doc

from provenance import packs
from provenance.rules import Engine
from provenance.ruletest import check_rule

RULESET = packs.load()
ENGINE = Engine(RULESET)
CASES = [(rule, res) for rule in RULESET.rules for res in check_rule(ENGINE, rule)]


@pytest.mark.parametrize("rule,res", CASES, ids=[f"{r.id}:{x.kind}:{i}" for i, (r, x) in enumerate(CASES)])
def test_rule_example(rule, res):
    assert res.ok, f"{res.rule_id} [{res.kind}] {res.text!r}: {res.detail}"


def test_every_rule_has_examples():
    missing = [r.id for r in RULESET.rules if not r.examples["match"]]
    assert not missing


def test_phrases_match_across_typography():
    text = "Wir sagen: Abonnieren\u00a0Sie unseren  News\u00adletter \u2013 danke."
    marks = ENGINE.run(text_doc(text))
    hit = [m for m in marks if m.entity == "newsletter"]
    assert hit and all(text[m.start:m.end] == m.snippet for m in hit)
    assert hit[0].snippet.startswith("Abonnieren") and hit[0].snippet.endswith("letter")


def test_phrases_are_whole_words():
    assert not [m for m in ENGINE.run(text_doc("Supportus and Follow usual rules")) if m.category == "boilerplate"]


def test_agency_in_picture_credit_is_an_image_credit():
    marks = ENGINE.run(text_doc("Der Minister.\nFoto: Max Muster/dpa\nText."))
    assert {m.category for m in marks if m.entity == "dpa"} == {"image-credit", "mention"}


def test_self_citation_is_not_a_citation():
    doc = text_doc("Laut Reuters steigt der Preis.", domain="reuters.com")
    marks = ENGINE.run(doc)
    assert [(m.category, m.role) for m in marks if m.entity == "reuters"] == [("mention", "self")]


def test_sister_title_is_self_and_public_broadcasters_are_not_sisters():
    """A title naming a title of the same owner does not cite another newsroom; the
    "public broadcaster (...)" owners group separate institutions."""
    text = "Das sagte der Minister den Zeitungen der Funke Mediengruppe."
    on_sister = ENGINE.run(text_doc(text, domain="waz.de"))
    assert [(m.category, m.role) for m in on_sister if m.entity == "funke"] == [("mention", "self")]
    elsewhere = ENGINE.run(text_doc(text, domain="example.org"))
    assert [(m.category, m.role) for m in elsewhere if m.entity == "funke"] == [("citation", "cited")]
    owners = {o.owner for o in RULESET.outlets.values() if o.owner}
    assert any(o.startswith("public broadcaster") for o in owners)
    for outlet_id, sisters in ENGINE.sisters.items():
        owner = RULESET.outlets[outlet_id].owner
        assert not owner.startswith("public broadcaster")
        assert all(RULESET.outlets[s].owner == owner for s in sisters)


def test_think_tanks_are_mentioned_never_cited():
    """A study of a research institute is a finding, not another newsroom's reporting:
    two of them must not make a text derivative."""
    text = ("Laut einer Studie des Deutschen Instituts für Wirtschaftsforschung sinken die Löhne. "
            "According to the Pew Research Center, trust in news has fallen.")
    marks = [m for m in ENGINE.run(text_doc(text)) if m.entity in ("diw", "pew")]
    assert marks and {(m.category, m.role) for m in marks} == {("mention", "mention")}
    assert all(not o.citable for o in RULESET.outlets.values() if o.type == "think tank")


def test_output_is_deterministic():
    text = "Laut Reuters und wie die BBC berichtet, folgen Sie uns auf Telegram.\nnach oben"
    assert ENGINE.run(text_doc(text)) == ENGINE.run(text_doc(text))


def test_byline_in_chrome_counts_only_just_above_the_body():
    over = blocks_doc([("heading", "Titel"), ("aside", "By Jane Doe, Reuters"),
                       ("body", "PRAGUE - The government said on Monday it would act.")])
    assert {m.entity for m in ENGINE.run(over) if m.category == "agency"} == {"reuters"}
    teaser = blocks_doc([("heading", "Titel"), ("body", "The government said on Monday it would act."),
                         ("aside", "Other story\nBy REUTERS\n11/20/2019 10:08 AM")])
    assert not [m for m in ENGINE.run(teaser) if m.category == "agency"]


def test_dated_byline_counts_just_above_the_body_and_in_headings_only():
    """The chrome-only byline rule scans only what it may keep: the chrome just above the
    body and headings; the same byline far above the body or after it is a teaser."""
    byline = "The Associated Press\nPublished Monday, November 18, 2019 8:22AM EST"
    body = ("body", "WASHINGTON - The council met on Monday and agreed on a plan.")
    near = blocks_doc([("nav", "Menu\nNews"), ("aside", byline), body])
    assert {m.entity for m in ENGINE.run(near) if m.category == "agency"} == {"ap"}
    far = blocks_doc([("aside", byline), ("nav", "\n".join(["Section link"] * 150)), body])
    assert not [m for m in ENGINE.run(far) if m.category == "agency"]
    after = blocks_doc([body, ("aside", byline)])
    assert not [m for m in ENGINE.run(after) if m.category == "agency"]
    no_body = blocks_doc([("aside", byline), ("nav", "Menu")])
    assert not [m for m in ENGINE.run(no_body) if m.category == "agency"]


def test_partner_byline_is_not_the_publishers_own():
    line = "By Kate Sullivan, CNN\nJoe Biden said Thursday he expects a delay."
    assert {m.entity for m in ENGINE.run(text_doc(line, domain="mercurynews.com"))
            if m.category == "agency"} == {"cnn"}
    assert not [m for m in ENGINE.run(text_doc(line, domain="cnn.com")) if m.category == "agency"]


def test_slash_credit_needs_an_outlet():
    marks = ENGINE.run(text_doc("Text.\nJose Luis Magana/AP\nMore text."))
    assert {(m.entity, m.snippet) for m in marks if m.category == "image-credit"} == {
        ("photographer", "Jose Luis Magana"), ("ap", "AP")}
    assert not [m for m in ENGINE.run(text_doc("Text.\nJose Luis Magana/Maria Lopez\n"))
                if m.category == "image-credit"]


def test_credit_label_line_keeps_unknown_holders():
    marks = ENGINE.run(text_doc("Der Bürgermeister.\nFoto: privat\n"))
    assert [(m.entity, m.snippet) for m in marks if m.category == "image-credit"] == [
        ("photographer", "privat")]


def test_caption_rules_read_captions_only():
    caption = blocks_doc([("body", "Der Text."), ("caption", "Pinguine in der Antarktis. EFE")])
    body = blocks_doc([("body", "Der Text."), ("body", "Pinguine in der Antarktis. EFE")])
    assert {m.entity for m in ENGINE.run(caption) if m.category == "image-credit"} == {"efe"}
    assert not [m for m in ENGINE.run(body) if m.category == "image-credit"]


def test_acronym_in_mixed_case_is_not_the_agency():
    """"(ePA)" after "Patientenakte" is an abbreviation, not the photo agency EPA; "(EPA)"
    and "(dpa)" keep their spellings."""
    marks = ENGINE.run(text_doc("Die elektronische Patientenakte (ePA) – der lange Weg.\n"
                                "Berlin (dpa) - Die Regierung hat entschieden."))
    assert [(m.category, m.entity) for m in marks if m.category == "agency"] == [("agency", "dpa")]


def test_caption_parenthesis_is_a_picture_credit_not_agency_copy():
    doc = blocks_doc([("heading", "Tariffs"), ("caption", "A cargo ship leaves the port, on Aug. 31, 2019. (AP)"),
                      ("body", "WASHINGTON (AP) — The Senate voted on Tuesday.")])
    got = sorted((m.category, m.entity, m.block) for m in ENGINE.run(doc)
                 if m.category in ("agency", "image-credit"))
    assert got == [("agency", "ap", "body"), ("image-credit", "ap", "caption")]


def test_copyright_photographer_with_agency_in_brackets_is_a_picture_credit():
    doc = blocks_doc([("heading", "Neue Präsidentin"), ("aside", "© Dieter Mayr (KNA)"),
                      ("body", "Das Komitee hat am Samstag gewählt.")])
    got = sorted((m.category, m.entity, m.snippet) for m in ENGINE.run(doc)
                 if m.category in ("agency", "image-credit"))
    assert got == [("image-credit", "kna", "KNA"), ("image-credit", "photographer", "Dieter Mayr")]


def test_credit_parts_that_name_no_holder_are_skipped():
    doc = blocks_doc([("heading", "Markets"),
                      ("caption", "Traders at the exchange. Credit: Reuters/Danish Siddiqui/Files"),
                      ("body", "Shares fell on Tuesday.")])
    got = [m.snippet for m in ENGINE.run(doc) if m.category == "image-credit"]
    assert got == ["Reuters", "Danish Siddiqui"]


@pytest.mark.parametrize("before,name,expected", [
    ("set by the American Psychological Association ", "APA", True),
    ("laut der Deutschen Presse-Agentur ", "dpa", True),
    ("Evangelischer Pressedienst ", "epd", True),
    ("Berlin ", "dpa", False),            # a dateline: one word
    ("NEW YORK ", "AP", False),
    ("Den Haag ", "dpa", False),          # "d" starts a word, but "p", "a" do not follow
    ("ALPHARETTA, Ga. ", "AP", False),    # punctuation ends the run of words
    ("APPLE VALLEY ", "AP", False),        # every word of the run must give a letter
    ("halts subpoena for Trump financial documents\n", "CNN", False),  # a line break ends it
])
def test_spelled_out_tells_an_abbreviation_from_a_dateline(before, name, expected):
    from provenance.rules import spelled_out
    assert bool(spelled_out(before + "(", len(before), name)) is expected


def test_abbreviation_in_parentheses_is_no_agency_credit():
    """"(APA)" after the body it abbreviates is no copy credit, nor is an agency's long name
    after its acronym; a dateline still is."""
    text = ("Die Regeln stammen von der American Psychological Association (APA). Sie gelten.\n"
            "He signed a contract with AFP (Agence France-Presse), one of the oldest agencies.\n"
            "MADRID, 3 Mar. (EUROPA PRESS) - El Gobierno anunció.\n"
            "Wien (APA) - Die Regierung hat beschlossen.")
    got = [(m.entity, m.snippet) for m in ENGINE.run(text_doc(text)) if m.category == "agency"]
    assert got == [("europa-press", "EUROPA PRESS"), ("apa", "APA")]


def test_spelled_out_acronym_of_another_body_is_no_outlet():
    """"according to the American Psychological Association (APA)" cites the psychologists,
    not the Austrian agency; "Austria Presse Agentur (APA)" stays one name of the agency."""
    marks = ENGINE.run(text_doc("People are anxious, according to the American Psychological "
                                "Association (APA), which surveyed adults.\n"
                                "Laut der Austria Presse Agentur (APA) sind viele besorgt."))
    got = [(m.category, m.entity, m.snippet) for m in marks if m.entity == "apa"]
    assert got == [("citation", "apa", "Austria Presse Agentur (APA)")]
    # a long form the registry lacks, but sharing a word with the outlet's names, is the outlet
    marks = ENGINE.run(text_doc("Danach veröffentlichte die Deutsche Presseagentur (dpa) eine Meldung, "
                                "laut der es brennt."))
    assert [m.entity for m in marks if m.category in ("citation", "mention")] == ["dpa"]


@pytest.mark.parametrize("line,entities", [
    ("By Josh Boak, Associated Press", ["ap"]),          # the persons' list must not eat "Associated"
    ("mes/dpa/Reuters", ["dpa", "reuters"]),             # an editor's sign-off, not a picture credit
    ("Quelle: ZEIT ONLINE, dpa, AFP, Reuters, tst", ["dpa", "afp", "reuters"]),
    ("Le Figaro avec AFP", ["afp"]),
    ("Reporting by Kate Holton; Editing by Alison Williams", ["reuters"]),
])
def test_agency_copy_credits_at_the_end_of_an_article(line, entities):
    text = "The government announced new measures on Monday. Critics called them weak.\n" + line + "\n"
    marks = ENGINE.run(text_doc(text))
    assert [m.entity for m in marks if m.category == "agency"] == entities
    assert not [m for m in marks if m.category == "image-credit"]


def test_attribution_in_a_teaser_list_belongs_to_another_story():
    """"police say" under a related-story link in an aside attributes that story, not this one."""
    doc = blocks_doc([("heading", "Council approves budget"),
                      ("body", "The council approved the budget on Monday, police said."),
                      ("aside", "Four shootings in 20 minutes leave 1 dead, police say")])
    got = [(m.entity, m.block) for m in ENGINE.run(doc) if m.category == "attribution"]
    assert got == [("official", "body")]


def test_a_republished_story_credits_its_outlet_and_does_not_cite_it():
    """"This story was originally published by The Washington Post" makes the whole text
    that paper's copy (an agency-category copy credit, as for a partner's byline); the name
    is then a credit, not a citation. On the paper's own site it credits nothing."""
    text = ("The council approved the budget on Monday after a long debate.\n"
            "This story was originally published by The Washington Post.")
    marks = ENGINE.run(text_doc(text))
    assert [(m.category, m.entity) for m in marks if m.entity == "washington-post"] == \
        [("agency", "washington-post"), ("mention", "washington-post")]
    own = ENGINE.run(text_doc(text, domain="washingtonpost.com"))
    assert not [m for m in own if m.category in ("agency", "citation")]


def test_a_photo_agency_never_gives_copy():
    """"Quelle: Getty Images" under a text names where a picture came from; Getty supplies
    no copy, so it is no agency credit (as "Quelle: dpa" is)."""
    text = "The council approved the budget on Monday.\nQuelle: Getty Images\n"
    assert not [m for m in ENGINE.run(text_doc(text)) if m.category == "agency"]
    text = "The council approved the budget on Monday.\nQuelle: dpa\n"
    assert [m.entity for m in ENGINE.run(text_doc(text)) if m.category == "agency"] == ["dpa"]
