"""A press release that no wire sent is classed by its form (media contact, "About
<issuer>", "FOR IMMEDIATE RELEASE" ...), without a marker; news texts are not."""

from __future__ import annotations

import pytest
from reportkit import build_db, make_doc, marker_at

from provenance import packs
from provenance.release_form import decisive, signals
from provenance.verdict import decide

NEWS = ("Die Stadt hat am Montag neue Regeln für den Verkehr in der Innenstadt beschlossen. "
        "Der Gemeinderat stimmte mit großer Mehrheit dafür, wie ein Sprecher sagte. ") * 4
NEWS_EN = ("The council voted on Monday to close the bridge for repairs until the spring. "
           "Residents said the detour would add half an hour to their daily commute. ") * 4


@pytest.fixture(scope="module")
def weights():
    return packs.load().verdict


def _kinds(text: str) -> set[str]:
    return {s.kind for s in decisive(signals(text))}


# Lines as they stand on real pages: a company newsroom (my6sense), releases reposted
# by a release portal (text/003-006, text/014 of the corpus), an APA-OTS release
# ("Rückfragehinweis:") and a company's own Austrian release (KPMG).
@pytest.mark.parametrize("tail, kind", [
    ("About my6sense\nmy6sense offers an open programmatic white-label native advertising"
     " platform for ad networks.", "about-issuer"),
    ("About Trump Media\n\nThe mission of Trump Media is to end Big Tech’s assault on free"
     " speech.", "about-issuer"),
    (" About Daversa\n\n Daversa is technology’s premier executive search firm.", "about-issuer"),
    ("Über Amnesty International\nAmnesty International ist eine weltweite Bewegung.",
     "about-issuer"),
    ("Press Contact:\n\nNEUE ZÜRCHER NACHRICHTEN\n\nContact Person: Mr Urs Bruger",
     "media-contact"),
    ("Press Inquiries:Tom RicherCEO", "media-contact"),
    ("MEDIA CONTACT\nJane Doe\njane@example.com", "media-contact"),
    ("~\nRückfragehinweis:\n Profil Redaktion GmbH\n online@profil.at\n~", "media-contact"),
    ("Rückfragehinweis:\nKPMG Austria GmbH\nPorzellangasse 51\n1090 Wien", "media-contact"),
    ("Pressekontakt:\nMax Muster, Telefon 030 123456", "media-contact"),
    ("This press release contains forward-looking statements within the meaning of the"
     " Securities Act.", "safe-harbour"),
])
def test_strong_signs_decide_alone(tail, kind):
    assert kind in _kinds(NEWS_EN + "\n" + tail)


def test_immediate_release_label():
    # an association's release as its own site's feed carries it
    text = ("Four newsrooms honored for successful, novel approaches to audience engagement\n\n"
            "FOR IMMEDIATE RELEASE\n\nJohn Murray\n\nArlington, VA – The News Media Alliance has"
            " named four recipients of the 2021 John P. Murray Award.\n" + NEWS_EN)
    assert _kinds(text) == {"immediate-release"}


def test_weak_signs_need_a_second_kind():
    label = "Pressemitteilung\n" + NEWS
    assert _kinds(label) == set()
    assert _kinds(label + "\n###") == {"release-label", "end-mark"}
    assert _kinds(NEWS_EN + "\nForward-Looking Statements\nWords.") == set()
    assert _kinds("Press release – 12 March 2024\n" + NEWS_EN
                  + "\nForward-Looking Statements\nWords.") == {"release-label",
                                                                  "safe-harbour-heading"}


@pytest.mark.parametrize("text", [
    NEWS_EN + "\nAbout 200 people attended the vigil on Sunday.\nAbout 200 people came.",
    NEWS_EN + "\nAbout the author\nJane Doe is a reporter who covers the author beat.",
    NEWS_EN + "\nAbout Us\nUs and them: the site is run by volunteers.",
    NEWS_EN + "\nAbout the study\nResearchers in the study followed 2,000 patients.",
    # "About <Name>" early in the text is a section, not the closing boilerplate
    "About Reuters\nReuters is a news agency.\n" + NEWS_EN * 2,
    # the next paragraph does not name it again
    NEWS_EN + "\nAbout Gaza\nThe strip is home to two million people.",
    NEWS_EN + " In a press release, the company said it would cut 200 jobs.",
    NEWS_EN + "\nThe media contact for the campaign, Jane Doe, declined to comment.",
    NEWS_EN + "\n### What happens next\nThe council meets again in May.",
    NEWS + "\nDie Pressemitteilung der Polizei nennt keine Namen.",
    NEWS_EN + "\nRead the press release here.",
    # a trade-news column about press releases
    "Police reporter Gina Gallucci did not know what to make of a press release she received"
    " from the American Association of Retired People.\n" + NEWS_EN,
])
def test_news_texts_are_no_release(text):
    assert decisive(signals(text)) == []


def test_verdict_classes_a_release_by_its_form(weights):
    text = "Acme names a new chief\n" + NEWS_EN + "\nAbout Acme\nAcme makes anvils.\nMedia Contact:\nJane Doe"
    v = decide(make_doc(text, "r.txt", lang="en"), [], weights)
    reason = v.reasons[0]
    assert (v.provenance_class, reason.key, reason.markers) == ("press-release", "class.release-form", ())
    assert reason.params["kinds"] == ["about-issuer", "media-contact"]
    for sig in reason.params["signals"]:  # quoted exactly, with offsets into the text
        assert text[sig["start"]:sig["end"]].strip() == sig["text"]
    assert v.score == 60  # the form earns no points: only markers do


def test_markers_come_first(weights):
    text = "T\n(SeaPRwire) – " + NEWS_EN + "\nMedia Contact:\nJane Doe"
    wire = [marker_at(text, "(SeaPRwire)", "syndication", "seaprwire")]
    assert decide(make_doc(text, "r.txt"), wire, weights).reasons[0].key == "class.wire"
    agency = [marker_at(text, "(SeaPRwire)", "agency", "dpa")]
    assert decide(make_doc(text, "r.txt"), agency, weights).reasons[0].key == "class.agency"
    short = "Media Contact:\nJane Doe"
    assert decide(make_doc(short, "r.txt"), [], weights).provenance_class == "undetermined"


def test_threshold_is_data(weights):
    text = "Pressemitteilung\n" + NEWS + "\n###"
    off = {**weights, "class": {**weights["class"], "release_min_weak_kinds": 0}}
    assert decide(make_doc(text, "r.txt"), [], weights).provenance_class == "press-release"
    assert decide(make_doc(text, "r.txt"), [], off).provenance_class == "original"


def test_report_quotes_the_signs(tmp_path):
    from provenance.report import write_reports

    text = "Acme names a new chief\n" + NEWS_EN + "\nAbout Acme\nAcme makes anvils.\nMedia Contact:\nJane"
    db = build_db(tmp_path / "r.db", [(make_doc(text, "r.txt", lang="en"), [])])
    out = tmp_path / "out"
    write_reports(db, out)
    page = next(p for p in out.rglob("*.md") if p.name != "index.md").read_text()
    assert "written as a press release" in page and "“About Acme”" in page
