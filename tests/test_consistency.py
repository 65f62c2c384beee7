"""People named with conflicting roles across the corpus."""

from __future__ import annotations

from conftest import SEEDS

from provenance.consistency import compatible, conflicts, find_roles, role_key


def test_appositions_in_german_and_english():
    text = ("Der niederländische Ministerpräsident Mark Rutte traf US-Präsident Donald Trump. "
            "NATO Secretary General Mark Rutte said so; die ehemalige Bundeskanzlerin Angela Merkel schwieg.")
    found = {(r.person, r.role_key, r.former) for r in find_roles(text)}
    assert found == {("Mark Rutte", "prime-minister", False), ("Donald Trump", "president", False),
                     ("Mark Rutte", "secretary-general", False), ("Angela Merkel", "chancellor", True)}
    for r in find_roles(text):
        assert text[r.start:r.end] == r.snippet


def test_no_apposition_without_a_full_name():
    assert find_roles("Präsident Trump sagte, der Außenminister der 32 Staaten sei da.") == []


def test_role_keys_and_compatibility():
    assert role_key("NATO-Generalsekretär") == role_key("Secretary-General") == "secretary-general"
    assert role_key("Außenministerin") == "foreign-minister"
    assert compatible("chef", "prime-minister")          # generic heads fit anything
    assert compatible("minister", "foreign-minister")    # a shorter title of the same office
    assert not compatible("prime-minister", "secretary-general")


def test_conflicts_need_two_incompatible_current_roles():
    rows = [dict(person="A B", role_key=k, former=f, document_id=str(i))
            for i, (k, f) in enumerate([("prime-minister", True), ("secretary-general", False),
                                        ("chef", False)])]
    assert conflicts(rows) == []
    rows.append(dict(person="A B", role_key="president", former=False, document_id="9"))
    [c] = conflicts(rows)
    assert (c["a_key"], c["b_key"]) == ("president", "secretary-general")


def test_rutte_conflict_in_the_seed_index(tmp_path, run_cli):
    r = run_cli("audit", str(SEEDS), "--db", "s.db", "-q", "--report", "out")
    assert r.exit_code == 0, r.output
    index = (tmp_path / "out" / "en" / "index.md").read_text("utf-8")
    section = index.split("## People named with conflicting roles", 1)[1]
    assert "### Mark Rutte: prime\\-minister or secretary\\-general" in section or \
        "### Mark Rutte: prime-minister or secretary-general" in section
    assert "niederländische Ministerpräsident Mark Rutte" in section
    assert "NATO-Generalsekretär Mark Rutte" in section.replace("\\-", "-")
    assert "Donald Trump" not in section  # named consistently


def test_conflict_section_speaks_the_report_language(tmp_path, run_cli):
    r = run_cli("audit", str(SEEDS), "--db", "s.db", "-q", "--report", "out")
    assert r.exit_code == 0, r.output
    german = (tmp_path / "out" / "de" / "index.md").read_text("utf-8")
    assert "## Personen mit widersprüchlichen Funktionen" in german
    assert "People named with conflicting roles" not in german


def _full_scan(text):
    from provenance.consistency import _APPOSITION

    return [(m.start(), m.end()) for m in _APPOSITION.finditer(text)]


def test_only_lines_with_a_head_word_are_scanned_and_nothing_is_lost():
    text = ("Die Lage bleibt angespannt.\n"
            "Gestern sagte der niederländische Ministerpräsident Mark Rutte, man warte ab.\n"
            "Ein Satz ohne Titel mit Anna Schmidt.\n\n"
            "Former Prime Minister Boris Johnson and Secretary-General Antonio Guterres spoke.\n"
            "UN-Generalsekretär Antonio Guterres, Bundeskanzlerin Angela Merkel und "
            "Pressesprecherin Anna Schmidt.")
    found = [(r.start, r.end) for r in find_roles(text)]
    assert found == _full_scan(text)
    assert {r.person for r in find_roles(text)} == {"Mark Rutte", "Boris Johnson", "Antonio Guterres",
                                                    "Angela Merkel", "Anna Schmidt"}
    for r in find_roles(text):
        assert text[r.start:r.end] == r.snippet


def test_text_whose_lower_case_changes_length_is_scanned_whole():
    text = "İstanbul: Außenminister Hakan Fidan kam.\nDer Bürgermeister Ekrem İmamoğlu sprach."
    assert len(text.lower()) != len(text)
    assert [(r.start, r.end) for r in find_roles(text)] == _full_scan(text)
    assert [r.person for r in find_roles(text)][0] == "Hakan Fidan"


def test_a_name_does_not_run_across_a_line_break():
    assert find_roles("Es sprach Außenminister Annalena\nBaerbock.") == []
