"""Credit shapes found missing on real pages (docs/quality.md, "Credit recall on
unlabelled real pages"): each in the layout where it occurs, and its look-alike
where it must not fire."""

from __future__ import annotations

from conftest import blocks_doc

from provenance import packs
from provenance.model import Document
from provenance.rules import Engine

ENGINE = Engine(packs.load())


def _marks(doc: Document, category: str) -> list[tuple[str, str]]:
    found = [m for m in ENGINE.run(doc) if m.category == category]
    assert all(doc.text[m.start:m.end] == m.snippet for m in found)
    return [(m.entity, m.snippet) for m in found]


def test_caption_glued_to_its_credit_label():
    """The Sun prints "…sought treatmentCredit: EPA": every glued credit counts."""
    doc = blocks_doc([("heading", "Plague"), ("body", "A case of plague was reported."),
                      ("caption", "People sought treatmentCredit: EPA\n6\nA hunter ate a rabbitCredit: Getty - Contributor")])
    assert _marks(doc, "image-credit") == [("epa", "EPA"), ("getty-images", "Getty - Contributor")]
    # in running text a glued label is a word ("TaxCredit:"), not a caption's end
    assert not _marks(blocks_doc([("body", "The TaxCredit: Reuters reported it.")]), "image-credit")


def test_copyright_tail_is_a_caption_credit_but_no_footer():
    lead = blocks_doc([("heading", "Fraport"), ("aside", "Flughafen Frankfurt, © Fraport AG"),
                       ("body", "Fraport verdient im Sommer so viel wie noch nie.")])
    assert _marks(lead, "image-credit") == [("photographer", "Fraport AG")]
    footer = blocks_doc([("heading", "Fraport"), ("body", "Fraport verdient im Sommer so viel wie noch nie."),
                         ("footer", "Impressum, © Aviation Media GmbH")])
    assert not _marks(footer, "image-credit")
    rights = blocks_doc([("heading", "Fraport"), ("aside", "Aviation Media, © Aviation Media GmbH. Alle Rechte vorbehalten"),
                         ("body", "Fraport verdient im Sommer so viel wie noch nie.")])
    assert not _marks(rights, "image-credit")


def test_via_agency_credits_a_caption_only():
    caption = blocks_doc([("body", "Epstein was found dead."),
                          ("caption", "This file photo shows Jeffrey Epstein.\nNew York State Sex Offender Registry via AP")])
    assert _marks(caption, "image-credit") == [("ap", "AP")]
    body = blocks_doc([("body", "Epstein was found dead.\nThe story reached Europe via AP")])
    assert not _marks(body, "image-credit")


def test_agency_byline_with_place_over_the_date():
    """Indian papers: "PTI, New Delhi," over the date, just above the body."""
    over = blocks_doc([("heading", "Impeachment sham"), ("aside", "PTI, Washington,\nNov 20 2019, 10:18am ist"),
                       ("body", "US President Donald Trump has claimed victory.")])
    assert _marks(over, "agency") == [("pti", "PTI")]
    person = blocks_doc([("heading", "Impeachment sham"), ("aside", "Jane Doe, Washington,\nNov 20 2019, 10:18am ist"),
                         ("body", "US President Donald Trump has claimed victory.")])
    assert not _marks(person, "agency")


def test_pti_signs_off_body_copy():
    doc = blocks_doc([("heading", "Deported"), ("body", "More than 300 Indians were deported to India. PTI")])
    assert _marks(doc, "agency") == [("pti", "PTI")]
    assert not _marks(blocks_doc([("body", "The PTI said it would appeal.")]), "agency")


def test_image_copyright_and_courtesy_lines():
    bbc = blocks_doc([("body", "Assange was arrested."),
                      ("caption", "Image copyright Reuters\nImage caption Assange gestures with a thumbs up")])
    assert _marks(bbc, "image-credit") == [("reuters", "Reuters")]
    quanta = blocks_doc([("body", "Tuft cells emerge."), ("caption", "The airways of a mouse.\nCourtesy of Andrew Vaughan")])
    assert _marks(quanta, "image-credit") == [("photographer", "Andrew Vaughan")]
    prose = blocks_doc([("body", "The tour was arranged courtesy of the embassy.\nImage copyright law is strict.")])
    assert not _marks(prose, "image-credit")


def _roles(doc: Document) -> list[tuple[str, str | None]]:
    return [(m.entity, m.role) for m in ENGINE.run(doc) if m.category in ("citation", "mention")]


def test_caption_left_in_the_text_ends_with_agency_and_photographer():
    """Agencies send "… 2023. REUTERS/Evelyn Hockstein" after the caption; printed as text
    it stays after the last sentence. The first name is read backwards from the "/"."""
    doc = blocks_doc([("body", "President Joe Biden speaks in Washington, U.S., September 26, 2023. "
                               "REUTERS/Evelyn Hockstein/File Photo\nThe talks resumed on Monday.")])
    assert _marks(doc, "image-credit") == [("reuters", "REUTERS"), ("photographer", "Evelyn Hockstein")]
    assert _roles(doc) == [("reuters", "credit")]
    # an outlet without a photographer signs off copy; a name pair without an outlet is no credit
    for text in ("Der Vorschlag kam von der Regierung. dpa/AFP",
                 "Er wechselte den Verein. Hertha BSC/Union Berlin",
                 "Die Firma sucht Fachkräfte. Supply Chain/Logistics"):
        assert not _marks(blocks_doc([("body", text)]), "image-credit"), text


def test_handout_and_credit_ellipsis_are_picture_credits_not_citations():
    handout = blocks_doc([("body", "Soldiers on patrol near Bakhmut. Handout via REUTERS\nThe fighting went on.")])
    assert _marks(handout, "image-credit") == [("reuters", "REUTERS")]
    assert _roles(handout) == [("reuters", "credit")]
    nyt = blocks_doc([("body", "The Capitol in Washington. Credit...Doug Mills/The New York Times\nThe vote was close.")])
    assert _marks(nyt, "image-credit") == [("photographer", "Doug Mills"), ("nyt", "The New York Times")]
    freelance = blocks_doc([("caption", "Credit...Haiyun Jiang for The New York Times")])
    assert _marks(freelance, "image-credit") == [("photographer", "Haiyun Jiang")]


def test_pa_media_is_an_agency_and_pa_alone_only_in_credits():
    assert _marks(blocks_doc([("body", "LONDON (PA) - A man has been charged after a crash.")]), "agency") == [("pa-media", "PA")]
    assert _marks(blocks_doc([("caption", "Boris Johnson outside Downing Street. Picture: PA")]), "image-credit") == [("pa-media", "PA")]
    prose = blocks_doc([("body", "The PA system failed during the speech in Pittsburgh, PA, on Monday.")])
    assert not [m for m in ENGINE.run(prose) if m.entity == "pa-media"]


def test_closing_lines_that_credit_agency_copy():
    cases = {
        "With files from The Canadian Press": [("cp", "The Canadian Press")],
        "This report by The Canadian Press was first published June 10, 2021.": [("cp", "The Canadian Press")],
        "Additional reporting by Reuters": [("reuters", "Reuters")],
        "Material from the Associated Press was used in this report.": [("ap", "the Associated Press")],
        "The Associated Press and Reuters contributed to this report.": [("ap", "The Associated Press"), ("reuters", "Reuters")],
        "Mit Informationen von Reuters": [("reuters", "Reuters")],
        "Unter Verwendung von Material der dpa": [("dpa", "dpa")],
        "Text: dpa": [("dpa", "dpa")],
        "dpa/tmn": [("dpa", "dpa")],
    }
    for line, expected in cases.items():
        doc = blocks_doc([("body", "Die Behörden kündigten am Montag neue Regeln an.\n" + line)])
        assert _marks(doc, "agency") == expected, line
        assert not _marks(doc, "image-credit"), line
        assert all(role == "credit" for _, role in _roles(doc)), line
    for line in ("Additional reporting by Jane Doe in London", "Text: Anna Schmidt",
                 "This report by the committee was first published in May."):
        assert not _marks(blocks_doc([("body", "The rules were announced on Monday.\n" + line)]), "agency"), line


def test_dateline_with_the_agency_spelled_out():
    doc = blocks_doc([("body", "Berlin (dts Nachrichtenagentur) - Die Bundesregierung plant neue Regeln.")])
    assert _marks(doc, "agency") == [("dts", "dts Nachrichtenagentur")]
