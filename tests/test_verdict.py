"""The verdict: weights from data, reasons that add up and point at their markers."""

from __future__ import annotations

import json
import sqlite3

import pytest
from reportkit import build_db, make_doc, marker_at

from provenance.verdict import canonical, decide, grade, marker_key

LONG = " Ein gewöhnlicher Satz über die Lage in der Hauptstadt." * 10


@pytest.fixture(scope="module")
def weights():
    from provenance import packs

    return packs.load().verdict


def _doc(text):
    return make_doc(text, "v.txt")


def _check_reasons(verdict, markers):
    ordered = canonical(markers)
    assert sum(r.points for r in verdict.reasons) == verdict.score
    for r in verdict.reasons:
        if r.key.startswith("points."):
            weight = r.key.removeprefix("points.")
            assert r.markers and r.params["count"] == len(r.markers)
            for i in r.markers:
                m = ordered[i]
                assert weight in (m.category, f"{m.category}.{m.entity}")
        elif r.key == "base":
            assert not r.markers
    assert verdict.reasons[0].dimension == "class"


def test_classes(weights):
    text = "T\n(SeaPRwire) – Laut Reuters und laut AFP." + LONG
    cases = [
        ([marker_at(text, "(SeaPRwire)", "syndication", "seaprwire")], "press-release", "class.wire"),
        ([marker_at(text, "Reuters", "agency", "reuters")], "agency-copy", "class.agency"),
        ([marker_at(text, "Laut Reuters", "citation", "reuters", "cited"),
          marker_at(text, "laut AFP", "citation", "afp", "cited")], "derivative", "class.outlets"),
        ([], "original", "class.no-markers"),
    ]
    for marks, cls, key in cases:
        v = decide(_doc(text), marks, weights)
        assert (v.provenance_class, v.reasons[0].key) == (cls, key)
        _check_reasons(v, marks)
    short = decide(_doc("Kurz."), [], weights)
    assert short.provenance_class == "undetermined" and short.reasons[0].params == {"words": 1}


def test_weights_are_data_and_every_point_is_traced(weights):
    text = "T\nBerichten zufolge und laut Kreisen: Jetzt spenden! nach oben" + LONG
    marks = [marker_at(text, "Berichten zufolge", "attribution", "vague"),
             marker_at(text, "Jetzt spenden!", "boilerplate", "donation"),
             marker_at(text, "nach oben", "residue", "navigation"),
             marker_at(text, "Kreisen", "mention", "x")]
    v = decide(_doc(text), marks, weights)
    base = weights["base"]
    p = weights["points"]
    assert v.score == base + p["attribution.vague"]["each"] + p["boilerplate.donation"]["each"] \
        + p["residue"]["each"]
    _check_reasons(v, marks)
    custom = {"base": 10, "points": {"residue": {"each": 7, "cap": 50, "dimension": "presentation"}}}
    v2 = decide(_doc(text), marks, custom)
    assert v2.score == 17 and grade(17, {}) == v2.grade == "E"


def test_caps_and_bounds(weights):
    text = "T\n" + "Berichten zufolge. " * 30 + LONG
    marks = [marker_at(text, "Berichten zufolge", "attribution", "vague", nth=n) for n in range(30)]
    v = decide(_doc(text), marks, weights)
    vague = next(r for r in v.reasons if r.key == "points.attribution.vague")
    assert vague.points == weights["points"]["attribution.vague"]["cap"] and len(vague.markers) == 30
    low = decide(_doc(text), marks, {"base": 0, "points": {"attribution.vague": {"each": -5}}})
    assert low.score == 0 and low.reasons[-1].key == "bounds" and low.reasons[-1].points == 150
    _check_reasons(low, marks)


def test_stored_reasons_trace_to_stored_markers(tmp_path):
    text = "T\nLaut Reuters und laut AFP ist es so. Jetzt spenden!" + LONG
    marks = [marker_at(text, "Jetzt spenden!", "boilerplate", "donation"),
             marker_at(text, "laut AFP", "citation", "afp", "cited"),
             marker_at(text, "Laut Reuters", "citation", "reuters", "cited")]
    build_db(tmp_path / "v.db", [(_doc(text), marks)]).conn.close()
    conn = sqlite3.connect(tmp_path / "v.db")
    conn.row_factory = sqlite3.Row
    (row,) = conn.execute("SELECT score, reasons FROM verdicts").fetchall()
    reasons = json.loads(row["reasons"])
    stored = sorted((dict(m) for m in conn.execute("SELECT * FROM markers")), key=marker_key)
    assert sum(r["points"] for r in reasons) == row["score"]
    cites = next(r for r in reasons if r["key"] == "points.citation")
    assert [stored[i]["snippet"] for i in cites["markers"]] == ["Laut Reuters", "laut AFP"]
    cls = reasons[0]
    assert cls["key"] == "class.outlets" and cls["params"]["outlets"] == ["afp", "reuters"]


def test_methodology_lists_every_weight_as_in_the_data(weights):
    from conftest import ROOT

    doc = (ROOT / "docs" / "methodology.md").read_text("utf-8")
    rows = {}
    for line in doc.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = (cells[1], int(cells[2]), int(cells[3]))
    assert set(rows) == set(weights["points"])
    for key, spec in weights["points"].items():
        assert rows[key] == (spec["dimension"], spec["each"], spec["cap"]), key
    assert f"starts at the `base` score ({weights['base']})" in doc
    for letter, floor in weights["grades"].items():
        if floor:
            assert f"**{letter}** from {floor}" in doc


def test_short_text_whose_lead_cites_one_outlet_is_derivative(weights):
    """A short item whose lead cites an outlet retells it; in a long text one citation in the
    lead stays 'in passing'. The lead is at least the first `lead_words` words."""
    lead = "T\nThe band will tour again next year, Rolling Stone reported on Tuesday."
    short = lead + " Tickets go on sale on Friday at the usual outlets." * 6
    mark = [marker_at(short, "Rolling Stone", "citation", "rolling-stone", "cited")]
    v = decide(_doc(short), mark, weights)
    assert (v.provenance_class, v.reasons[0].key) == ("derivative", "class.short-lead")
    assert v.reasons[0].params["outlet"] == "rolling-stone" and v.reasons[0].markers == (0,)
    _check_reasons(v, mark)
    long = lead + LONG * 8
    mark = [marker_at(long, "Rolling Stone", "citation", "rolling-stone", "cited")]
    assert decide(_doc(long), mark, weights).reasons[0].key == "class.in-passing"
    # the citation stands past the first quarter of a very short body, within its first 60 words
    tiny = "T\n" + "Ein Mann wurde in Berlin verletzt und die Polizei sucht Zeugen, " * 3 \
        + "berichtete Kan am Mittwoch. Die Ermittlungen dauern an."
    mark = [marker_at(tiny, "Kan", "citation", "kan", "cited")]
    assert decide(_doc(tiny), mark, weights).provenance_class == "derivative"
    late = "T\n" + "Ein Mann wurde in Berlin verletzt und die Polizei sucht Zeugen. " * 8 \
        + "Kan berichtete am Mittwoch darüber."
    mark = [marker_at(late, "Kan", "citation", "kan", "cited")]
    assert decide(_doc(late), mark, weights).provenance_class == "original"
