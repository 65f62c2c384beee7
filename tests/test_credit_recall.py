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
