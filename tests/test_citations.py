"""Outlet roles: citations told apart from mentions, self-references, credits and
names that are common words; attribution markers. Uses the shipped registry."""

from __future__ import annotations

import pytest
from conftest import text_doc

from provenance import packs
from provenance.model import Block, Document, Link
from provenance.rules import Engine

ENGINE = Engine(packs.load())


def cited(text: str, domain: str | None = None) -> set[str]:
    return {m.entity for m in ENGINE.run(text_doc(text, domain=domain)) if m.category == "citation"}


def outlet_markers(text: str, domain: str | None = None) -> list[tuple[str, str, str]]:
    return [(m.entity, m.category, m.role or "") for m in ENGINE.run(text_doc(text, domain=domain))
            if m.category in ("citation", "mention")]


# Names that are common words, people, or outlets named without being a source.
# None of them may produce a citation; strict names (common words) produce nothing.
NEGATIVES_DE = [
    "Die Zeit drängt.",
    "Das ist ein Bild der Lage.",
    "Er ist in der Welt herumgekommen.",
    "Kunst ist der Spiegel der Gesellschaft.",
    "Das Thema steht im Focus.",
    "Ein Stern am Himmel.",
    "Markus Reuter sagte am Montag, die Lage sei ernst.",
    "Die Australier haben vor gar nicht so langer Zeit gewählt.",
    "Aber da ist jetzt so viel Zeit vergangen.",
    "Es wurde laut in der Welt.",
    "Sie sagte, in der Zeit nach dem Krieg sei alles anders gewesen.",
    "Er kam 2001 zur Süddeutschen Zeitung.",
    "Zum Vergrößern auf das Bild klicken.",
    "Die Zeit des gemeinsamen Kaffeetrinkens ist vorbei.",
    "Per Mail werden die wichtigsten Regeln verschickt.",
    "Das Bild der Innenstädte wird sich verändern.",
    "Er blickte in den Spiegel und erschrak.",
    "Die Welt schaut auf Berlin.",
    "Im Focus der Ermittlungen steht der Vorstand.",
    "Unter einem guten Stern stand das Projekt nicht.",
    "Er arbeitete früher für CNN.",
    "Bloomberg-Moderatorin Annmarie Hordern fragte nach.",
    "In einer Rede vor der Denkfabrik Chatham House betonte Rutte die Einigkeit.",
    "Um einen neuen Code zu erzeugen, klicken Sie bitte auf das Bild.",
    "Der Verlag übernahm die Frankfurter Rundschau im Jahr 2018.",
    "Laut Welt-Gesundheitsorganisation steigen die Fallzahlen.",
    # "Insider" is a German common noun
    "Wie Insider berichten, steht der Verkauf kurz bevor.",
    "Die Agentur berichtete unter Berufung auf Insider über den Plan.",
    # "war/ist im …" without "zu lesen" is an appearance or a job, not a source
    "Er war im ZDF, als die Nachricht kam.",
    "Sie ist bei der Zeit.",
]
NEGATIVES_EN = [
    "The Times they are a-changin'.",
    "Michael Bloomberg said he would run.",
    "The Sun rose over the hills.",
    "It was a mirror image of last year.",
    "The BBC building was evacuated.",
    "He was a guest editor at the Wall Street Journal in New York.",
    "CNN said in a statement that it would cut jobs.",
    "Gannett, which owns USA Today, agreed to the merger.",
    "The Pulitzer Prize was shared with the New York Times for his investigation.",
    "The sun sets at six; the Times Square lights come on.",
    "Share this item via WhatsApp",
    "According to the EPA, about 15 million tons of shingles are dumped.",
    "Mr. Bloomberg said the plan would cost billions.",
    "The Post Office will close at noon.",
    "He watched the Guardian angel statue in the square.",
    "Time is running out for the talks.",
    "Global markets fell on Monday.",
    "Stars and Stripes hung from the balcony.",
    # a common-word name that runs on into a longer name or modifies a noun
    "The study was published in the journal Nature Astronomy.",
    "According to Phoenix police, the suspect fled on foot.",
    "He told Vice President Pence that the aid was on hold.",
    "The rating was cut, according to Standard & Poor's.",
    "She said the BBC building was closed on Monday.",
    "Prices rose 3 per cent, per capita income fell.",
    "Share per WhatsApp or per Mail.",
]


@pytest.mark.parametrize("text", NEGATIVES_DE + NEGATIVES_EN)
def test_common_words_and_mentions_are_not_citations(text):
    assert not cited(text), text


def test_there_are_forty_negatives():
    assert len(NEGATIVES_DE) + len(NEGATIVES_EN) >= 40
    assert len(NEGATIVES_DE) >= 15 and len(NEGATIVES_EN) >= 15


@pytest.mark.parametrize("text", [
    "Die Zeit drängt.", "Das ist ein Bild der Lage.", "Er ist in der Welt herumgekommen.",
    "Ein Stern am Himmel.", "Das Thema steht im Focus.", "The Sun rose over the hills.",
])
def test_strict_names_without_a_cue_leave_no_marker_at_all(text):
    assert outlet_markers(text) == []


POSITIVES = [
    ("The talks had stalled, per Axios.", "axios"),
    ("Die Gespräche seien gescheitert, hieß es im „Handelsblatt“.", "handelsblatt"),
    ("So war es im „Spiegel“ zu lesen.", "spiegel"),
    ("Das sagte sie im ARD-„Morgenmagazin“.", "ard"),
    ("Laut Reuters versucht die NATO, Spaltungen zu vermeiden.", "reuters"),
    ("Wie die BBC jedoch betont, hat das Bündnis seine Unterstützung erhöht.", "bbc"),
    ("Laut dem Wall Street Journal hat Trump seine Absicht bekräftigt.", "wsj"),
    ("Dem Handelsblatt zufolge plant der Konzern einen Umbau.", "handelsblatt"),
    ("Nach Informationen der Süddeutschen Zeitung plant die Regierung neue Schulden.", "sz"),
    ("Das berichtet der Spiegel unter Berufung auf Regierungskreise.", "spiegel"),
    ("Wie die Zeit berichtet, plant die Regierung neue Schulden.", "zeit"),
    ("Laut Bild will der Kanzler zurücktreten.", "bild"),
    ("Das sagte der Minister der Welt am Sonntag.", "welt"),
    ("»Wir zählen jedes Pfund«, sagte ein Geschäftsmann im November der «Financial Times».", "ft"),
    ("Er hatte den Plan in einem in der „Bild“-Zeitung veröffentlichten Brief kritisiert.", "bild"),
    ("Nach dpa-Informationen ist der Patient Mitte 40.", "dpa"),
    ("Das ist das Ergebnis einer Recherche von \"Correctiv\".", "correctiv"),
    ("Kurz nach der Tat veröffentlichte die Deutsche Presse-Agentur (dpa) eine Meldung.", "dpa"),
    ("Der Virologe schätzte in einem Interview mit dem Deutschlandfunk die Sterblichkeit.", "deutschlandfunk"),
    ("Er sagte gegenüber der FAZ, er werde nicht kandidieren.", "faz"),
    ("CNBC reported that the deal was close.", "cnbc"),
    ("The minister told Reuters on Monday that talks had stalled.", "reuters"),
    ("Investments rose by 22%, according to a Bloomberg report.", "bloomberg"),
    ("By CNN's count, Trump visited his golf resorts at least 86 days.", "cnn"),
    ("Schumer called for further testimony, The Washington Post reports.", "washington-post"),
    ("The Hill is also reporting on the layoffs.", "the-hill"),
    ("Her attorney said in an email to The Associated Press that he meant no harm.", "ap"),
    ("An Associated Press journalist in the area also reported hearing gunfire.", "ap"),
    ("The Times reported on Sunday that the talks had failed.", "times-uk"),
    ("The cases rose sharply, according to the state-run Xinhua News Agency.", "xinhua"),
    ("As the Guardian first reported, the plan was shelved.", "guardian"),
    ("Speaking to the BBC, the minister denied the claims.", "bbc"),
    ("He paid no tax for years, according to a report Sunday in The New York Times.", "nyt"),
    ("Die FAZ hatte am Montag über den Brief berichtet.", "faz"),
    ("Das sagte der Minister am Sonntag im Deutschlandfunk.", "deutschlandfunk"),
    ("The figures come from data compiled by Bloomberg.", "bloomberg"),
    ("The plan was leaked, said Axios, which first reported the story.", "axios"),
    ("The Wall Street Journal, citing people familiar with the matter, reported a delay.", "wsj"),
    ("The talks have collapsed, reports the Guardian.", "guardian"),
    ("Reuters was first to report the move.", "reuters"),
    ("Sky News understands that the minister will resign.", "sky-news"),
]


@pytest.mark.parametrize("text,outlets", [
    ("Laut ARD und ZDF ist die Wahl entschieden.", {"ard", "zdf"}),
    ("Wie NDR, WDR und SZ berichten, ermittelt die Staatsanwaltschaft.", {"ndr", "wdr", "sz"}),
    ("Der Spiegel und das ZDF hatten zuerst darüber berichtet.", {"spiegel", "zdf"}),
    ("The bill stalled, according to Reuters and the AP.", {"reuters", "ap"}),
    ("The minister told CNN and the BBC that he would resign.", {"cnn", "bbc"}),
    ("Several outlets, including AFP, the Associated Press, National Public Radio, and Reuters, "
     "reported that the study was flawed.", {"afp", "ap", "npr", "reuters"}),
])
def test_a_list_of_outlets_shares_its_cue(text, outlets):
    assert cited(text) == outlets, outlet_markers(text)


def test_a_list_does_not_override_a_member_judged_by_its_own_cue():
    """Ownership makes USA Today a topic; the list around it gives no citation."""
    text = "Gannett, which owns USA Today and the Detroit Free Press, reported a loss."
    assert cited(text) == set(), outlet_markers(text)
    assert cited("CNN and Fox News are owned by different companies.") == set()


@pytest.mark.parametrize("text,outlet", POSITIVES)
def test_citations_are_found(text, outlet):
    assert outlet in cited(text), (text, outlet_markers(text))


def test_interview_role():
    roles = {(e, r) for e, c, r in outlet_markers(
        "In einem Interview mit Bloomberg TV am Freitag erklärte Rutte, die NATO sei bereit.")}
    assert ("bloomberg", "interview") in roles


def test_chatham_house_as_a_venue_is_a_mention():
    marks = outlet_markers("In einer Rede vor der Londoner Denkfabrik Chatham House betonte Rutte die Einigkeit.")
    assert marks == [("chatham-house", "mention", "mention")]


def test_publisher_naming_itself_is_self():
    text = "Doch nach Informationen der Süddeutschen Zeitung sehen das Konkurrenten anders."
    assert cited(text) == {"sz"}
    assert cited(text, domain="sueddeutsche.de") == set()
    assert ("sz", "mention", "self") in outlet_markers(text, domain="sueddeutsche.de")


def test_subdomain_of_publisher_is_self():
    assert ENGINE.outlet_for_domain("wien.orf.at") == "orf"
    assert ENGINE.outlet_for_domain("example.org") is None
    assert ENGINE.outlet_for_domain(None) is None


def test_agency_copy_naming_its_own_agency_is_self():
    text = "NEW YORK (Reuters) - Oil fell.\nOil fell after sources told Reuters that Russia would not cut output."
    roles = {r for e, c, r in outlet_markers(text) if e == "reuters"}
    assert "cited" not in roles and "self" in roles


def test_copyright_line_names_the_publisher():
    text = ("Laut der NZZ ist der Plan gescheitert.\n"
            "Copyright © Neue Zürcher Zeitung AG. Alle Rechte vorbehalten.")
    assert cited(text) == set()


def test_person_with_outlet_name_is_ignored_throughout():
    text = "Michael Bloomberg is running. Bloomberg said he would spend billions."
    assert cited(text) == set()


def test_photo_agency_is_never_a_source():
    assert cited("Laut EPA ist das Foto echt.") == set()


def test_citation_in_chrome_is_a_mention():
    text = "Nav\nLaut Reuters steigt der Preis."
    doc = Document(id="x", origin="x", text=text, body=text, blocks=(Block("nav", 0, len(text)),))
    marks = [m for m in ENGINE.run(doc) if m.entity == "reuters"]
    assert marks and all(m.category == "mention" for m in marks)


def _linked(text: str, anchor: str, href: str, domain: str, placed: bool = True) -> Document:
    at = text.index(anchor)
    link = Link(href=href, text=anchor, domain=domain,
                start=at if placed else None, end=at + len(anchor) if placed else None)
    return Document(id="l", origin="l", text=text, body=text, links=(link,))


def test_body_link_to_an_outlet_next_to_a_cue_is_a_citation():
    doc = _linked("Wie berichtet, plant der Konzern einen Umbau.", "berichtet",
                  "https://www.spiegel.de/a", "spiegel.de")
    marks = [m for m in ENGINE.run(doc) if m.category == "citation"]
    assert [(m.entity, m.snippet) for m in marks] == [("spiegel", "berichtet")]
    doc = _linked("The plan was shelved, according to a report last week.", "a report",
                  "https://www.nytimes.com/x", "nytimes.com")
    assert {m.entity for m in ENGINE.run(doc) if m.category == "citation"} == {"nyt"}


def test_body_link_without_cue_or_offsets_is_not_a_citation():
    doc = _linked("Mehr dazu lesen Sie hier.", "hier", "https://www.spiegel.de/a", "spiegel.de")
    assert not [m for m in ENGINE.run(doc) if m.entity == "spiegel"]
    doc = _linked("Wie berichtet, plant der Konzern einen Umbau.", "berichtet",
                  "https://www.spiegel.de/a", "spiegel.de", placed=False)
    assert not [m for m in ENGINE.run(doc) if m.entity == "spiegel"]


def test_snippets_are_exact_with_quotes_and_suffixes():
    text = "Er kritisierte das in einem in der „Bild“-Zeitung veröffentlichten Brief."
    for m in ENGINE.run(text_doc(text)):
        assert text[m.start:m.end] == m.snippet


def test_sentence_boundaries_respect_abbreviations():
    assert "cnn" in cited("U.S. officials said so, according to CNN.")
    assert not cited("Laut Plan. Die Zeit drängt.")


# -- attribution --------------------------------------------------------------

def attribution(text: str) -> list[tuple[str, str]]:
    return [(m.entity, m.snippet) for m in ENGINE.run(text_doc(text)) if m.category == "attribution"]


def test_kremlin_spokesman_is_one_official_marker():
    assert attribution("Das sagte der Kreml-Sprecher Dmitri Peskow am Montag.") == [
        ("official", "Kreml-Sprecher Dmitri Peskow")]


@pytest.mark.parametrize("text,entity", [
    ("Berichten zufolge soll der Minister zurücktreten.", "vague"),
    ("Medienberichten zufolge ist der Deal geplatzt.", "vague"),
    ("von denen nach Angaben westlicher Verbündeter mehr als 10.000 gefallen sind", "vague"),
    ("The deal collapsed, according to reports.", "vague"),
    ("It is said that the king was ill.", "vague"),
    ("Das erfuhr die Zeitung aus Regierungskreisen.", "anonymous"),
    ("Two sources said the deal was off.", "anonymous"),
    ("a person familiar with the matter said", "anonymous"),
    ("He spoke on condition of anonymity.", "anonymous"),
    ("Das Auswärtige Amt erklärte am Dienstag, die Lage sei ernst.", "official"),
    ("The State Department said on Monday that visas were suspended.", "official"),
    ("Many people are saying the election was rigged.", "vague"),
    ("Experten zufolge steht die Einigung kurz bevor.", "vague"),
    ("In Sicherheitskreisen heißt es, die Lage sei ernst.", "anonymous"),
    ("Two Turkish security sources told Reuters a migrant had died.", "anonymous"),
    ("A government source told the newspaper the deal was close.", "anonymous"),
    # named office holders and state spokespeople (attribution.official.person)
    ("Außenministerin Annalena Baerbock sagte am Montag in Berlin, man werde helfen.", "official"),
    ("Der Verlust betrage 40 Prozent, sagte Energieminister Herman Haluschtschenko am Sonntag.", "official"),
    ("Die Ermittlungen laufen laut dem hessischen Innenminister Peter Beuth wegen Terrorverdachts.", "official"),
    ("Wie ein Sprecher der Polizei mitteilte, wurde niemand verletzt.", "official"),
    ("Police spokesman John Smith said the man had been arrested.", "official"),
    ("\"We will not back down,\" said Defense Secretary Lloyd Austin.", "official"),
])
def test_attribution_markers(text, entity):
    assert entity in {e for e, _ in attribution(text)}, attribution(text)


@pytest.mark.parametrize("text", [
    "Das Finanzministerium liegt in der Wilhelmstraße.",
    "Der Kreml-Kritiker wurde verhaftet.",
    "The White House lawn was green.",
    "Er besuchte das Weiße Haus im Sommer.",
    "In der Mitteilung heißt es, der Plan sei fertig.",
    "Die Berichte wurden veröffentlicht.",
    "The show ran long, according to reports from The Wrap and Deadline.",
    "His friends wanted some say in the disposition of his effects.",
    "He told Pentagon officials there was clear direction to hold the aid.",
    "\"If the State Department had any discretion here, that would be outrageous,\" said the congressman.",
    # former office holders, other organisations' officers, a title's listener
    "Former Prime Minister Boris Johnson said he regretted the decision.",
    "Ex-Minister Karl Müller sagte, er bereue nichts.",
    "DFB-Präsident Bernd Neuendorf sagte, die Mannschaft sei bereit.",
    "Indiana State Teachers Association President Keith Gambill told the crowd.",
    "He told Foreign Minister Sergei Lavrov that talks would continue.",
    "A police spokesperson declined to comment.",
    "The people are saying goodbye to the old bridge.",
])
def test_attribution_precision(text):
    assert attribution(text) == []


def test_a_cue_is_tried_only_on_documents_of_its_languages():
    """The French "Selon" cue cites Reuters in a French text or one of unknown language;
    in a text identified as German it is not tried (nor needed)."""
    from dataclasses import replace

    from conftest import text_doc

    from provenance import packs
    from provenance.rules import Engine

    engine = Engine(packs.load())
    doc = text_doc("Selon Reuters, le gouvernement prépare une réforme.")
    cited = [m.entity for m in engine.run(doc) if m.category == "citation"]
    assert cited == ["reuters"]
    assert [m.entity for m in engine.run(replace(doc, lang="fr")) if m.category == "citation"] == ["reuters"]
    assert not [m for m in engine.run(replace(doc, lang="de")) if m.category == "citation"]
