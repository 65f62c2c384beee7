"""Copy and picture credits from the third battery of real lines (docs/quality.md,
"Agency and picture credits from public pages (third battery)"): each in the layout
where it occurs, and the look-alike of the other category where it must not count."""

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


def test_photo_comma_credits_the_picture_not_the_text():
    """Arab News: "… à Dubaï (Photo, AFP)." was read as a dateline "(…, AFP)"."""
    doc = blocks_doc([("heading", "Migrations"),
                      ("body", "Travailleurs asiatiques sur un chantier à Dubaï (Photo, AFP).\n"
                               "Les migrations sont aussi anciennes que l'humanité.")])
    assert _marks(doc, "image-credit") == [("afp", "AFP")]
    assert not _marks(doc, "agency")


def test_copyright_line_is_copy_but_after_a_caption_sentence_a_picture():
    own_line = blocks_doc([("body", "Les pourparlers reprendront la semaine prochaine.\n\n© 2024 AFP\n\nLire aussi")])
    assert _marks(own_line, "agency") == [("afp", "AFP")]
    gallery = blocks_doc([("body", "Carmen Thomas moderierte 1973 das ZDF-Sportstudio. © dpa\n\nMehr Bilder")])
    assert _marks(gallery, "image-credit") == [("dpa", "dpa")]
    assert not _marks(gallery, "agency")


def test_agency_lists_are_copy_credits_with_rtr_as_reuters():
    doc = blocks_doc([("body", "Die Polizei sucht Zeugen.\n\nAFP/dpa/rtr")])
    assert sorted(_marks(doc, "agency")) == [("afp", "AFP"), ("dpa", "dpa"), ("reuters", "rtr")]
    assert not _marks(doc, "image-credit")
    # a photographer's name makes the same shape a picture credit
    photo = blocks_doc([("body", "Die Polizei sucht Zeugen.\n\nMichael Kappeler/dpa")])
    assert not _marks(photo, "agency")


def test_agency_and_photographer_in_brackets():
    doc = blocks_doc([("body", "DSK à la barre, le 12 février 2015 (AFP / Benoît Peyrucq)\n\nLe procès continue.")])
    assert _marks(doc, "image-credit") == [("afp", "AFP"), ("photographer", "Benoît Peyrucq")]
    assert not _marks(doc, "agency")
    desk = blocks_doc([("body", "Die Polizei sucht Zeugen. (dpa/lby)")])
    assert not _marks(desk, "image-credit")
    assert _marks(desk, "agency") == [("dpa", "dpa")]


def test_signoffs_after_the_text():
    dash = blocks_doc([("body", "The land is needed for the project, he said. -- PTI")])
    assert _marks(dash, "agency") == [("pti", "PTI")]
    names = blocks_doc([("body", "The talks will resume next week.\n\nMeg Kinnard and Errin Haines, The Associated Press")])
    assert _marks(names, "agency") == [("ap", "The Associated Press")]
    caption = blocks_doc([("body", "The talks will resume next week."), ("caption", "Al Goldis, Associated Press")])
    assert not _marks(caption, "agency")
    inputs = blocks_doc([("body", "The talks will resume next week.\n\n(With inputs from PTI)")])
    assert _marks(inputs, "agency") == [("pti", "PTI")]
    with_afp = blocks_doc([("body", "The talks will resume next week.\n\n(FRANCE 24 with AFP)")])
    assert _marks(with_afp, "agency") == [("afp", "AFP")]
    assert not _marks(blocks_doc([("body", "He spoke with AFP.")]), "agency")


def test_label_with_copyright_sign_stays_on_its_line():
    doc = blocks_doc([("body", "Un incendie à Saint-Pétersbourg.\nPhoto© AFP/Olga MALTSEVA")])
    assert _marks(doc, "image-credit") == [("afp", "AFP"), ("photographer", "Olga MALTSEVA")]
    # a footer menu item "Bildrechte" over the site's copyright line credits no picture
    footer = blocks_doc([("body", "Text."), ("footer", "Bildrechte\n© Norddeutscher Rundfunk")])
    assert not _marks(footer, "image-credit")
