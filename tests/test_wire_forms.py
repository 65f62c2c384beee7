"""Wire datelines, credits and footers as sites that repost releases print them
(docs/quality.md, "Wires and press releases from public pages"), each between two
ordinary paragraphs; and the wire named where it is not syndication of the text."""

from __future__ import annotations

import pytest
from conftest import blocks_doc

from provenance import packs
from provenance.rules import Engine

ENGINE = Engine(packs.load())
BEFORE = "The company said demand had grown in every region over the past year."
AFTER = "It expects to hire more staff in the coming months, a spokesperson said."


def _wires(text: str, region: str = "body") -> set[str]:
    doc = blocks_doc([("heading", "Acme news"), ("body", BEFORE), (region, text), ("body", AFTER)])
    found = [m for m in ENGINE.run(doc) if m.category == "syndication"]
    assert all(doc.text[m.start:m.end] == m.snippet for m in found)
    return {m.entity for m in found}


@pytest.mark.parametrize("line, wire", [
    ("NEW YORK, March 7, 2025 /PRNewswire/ — With thousands of press releases published each month", "pr-newswire"),
    ("BEIJING, Jan. 5, 2024 /Xinhua-PRNewswire/ -- The company announced its results today.", "pr-newswire"),
    ("CisionView original content to download multimedia:https://www.prnewswire.com/news-releases/acme-302029.html", "pr-newswire"),
    ("View original content:https://www.prnewswire.co.uk/news-releases/acme-302029.html", "pr-newswire"),
    ("Originalinhalt anzeigen:https://www.prnewswire.com/de/pressemitteilungen/acme-302029.html", "pr-newswire"),
    ("Photo - https://mma.prnewswire.com/media/2300000/Acme.jpg", "pr-newswire"),
    ("TAMPA, Fla.–(BUSINESS WIRE)– Company name in the headline should read: Oragenics", "business-wire"),
    ("Die Ausgangssprache, in der der Originaltext veröffentlicht wird, ist die offizielle und autorisierte Version.", "business-wire"),
    ("Originalversion auf businesswire.com ansehen: https://www.businesswire.com/news/home/20240101000001/de/", "business-wire"),
    ("SARASOTA, Fla., Aug. 08, 2025 (GLOBE NEWSWIRE) — Trump Media and Technology Group Corp. announced today", "globenewswire"),
    ("NEWARK, CALIFORNIA / ACCESS Newswire / September 11, 2025 / Altigen Technologies announced", "accesswire"),
    ("View the original press release on accesswire.com", "accesswire"),
    ("FREMONT, Calif., September 4, 2023 (PRWeb) -- RedNOx Inc. is proud to announce", "prweb"),
    ("San Antonio, Texas (PRWEB) December 11, 2009 -- The leader in battery replacements", "prweb"),
    ("LEONBERG, Germany, July 13, 2020 (Newswire.com) - In earlier times", "newswire-com"),
    ("TOKYO, Feb 14, 2025 - (JCN Newswire) - Oita University and Eisai Co., Ltd. announced today", "jcn-newswire"),
    ("HONG KONG, Mar 3, 2025 - (ACN Newswire) - Acme Holdings announced its interim results.", "acn-newswire"),
    ("TOKYO, Feb. 1, 2024 /Kyodo JBN/ -- Acme Corporation announced today", "kyodo-jbn"),
    ("HONG KONG, 1 June 2018 /Media OutReach/ - Acme announced today a partnership.", "media-outreach"),
    ("OTS0006 2023-01-21/08:00", "apa-ots"),
    ("Digitale Pressemappe: http://www.presseportal.de/pm/12345", "presseportal"),
    ("Wien (pts001/14.03.2024/09:00) - Die Acme GmbH bringt ein neues Produkt auf den Markt.", "pressetext"),
    ("(PresseBox) (Augsburg, 20.07.2026) KUKA hat heute bekannt gegeben", "pressebox"),
    ("Die United News Network GmbH übernimmt keine Haftung für die Korrektheit der Meldung.", "pressebox"),
    ("openPR disclaims liability for any content contained in this release.", "openpr"),
])
def test_wire_forms(line, wire):
    assert _wires(line) == {wire}


@pytest.mark.parametrize("line", [
    # related-story lists, menus and partners name the wire, they are not its text
    "Acme Corp. Announces Results - GlobeNewswire",
    "Partners: Reuters, AP, PR Newswire, GlobeNewswire, Business Wire",
    "Pressemitteilungen: APA-OTS | ots.at | Presseportal",
    # articles about a wire or a release it sent
    "Business Wire, a Berkshire Hathaway company, announced a new CEO on Monday.",
    "The market will reach $9.86 billion by 2030, according to MarketsandMarkets via GlobeNewswire.",
    "The company announced the deal in a statement distributed by Business Wire on Monday.",
    "Mawson publishes monthly updates via GlobeNewswire and on its website.",
    # a wire named in a list of sources
    "$1.87M convertible note Nov 2024, Metavallon VC (PRWeb) | AEC-specific proposal automation",
    "ULVAC, “ULVAC Developing Next-Generation Dilution Refrigerator,” Nasdaq (JCN Newswire), Mar. 20, 2025.",
    # pressetext's own newsroom copy, not a paid release
    "Wien (pte001/14.03.2024/09:00) - Forscher haben ein neues Verfahren entwickelt.",
    # Marketwired's dateline: left out (docs/quality.md)
    "SANTA CLARA, CA--(Marketwired - August 11, 2016) - Avaya reported financial results",
])
def test_wire_named_is_no_syndication(line):
    assert _wires(line) == set()


def test_a_menu_line_naming_a_wire_is_no_closing_line():
    assert _wires("Via GlobeNewswire", region="nav") == set()
    assert _wires("Via GlobeNewswire") == {"globenewswire"}
