"""docs/schema.md is generated from the migrations and metadata.toml, and kept current."""

from __future__ import annotations

from conftest import ROOT

from provenance import catalog, schema_doc


def test_every_table_view_and_column_is_described():
    assert schema_doc.problems() == []


def test_json_columns_exist():
    schema = schema_doc.live_schema()
    for name, info in catalog.described().items():
        cols = {c["name"] for c in {**schema["tables"], **schema["views"]}[name]["columns"]}
        assert set(info.get("json", [])) <= cols, name


def test_docs_schema_md_is_current():
    current = (ROOT / "docs" / "schema.md").read_text(encoding="utf-8")
    assert current == schema_doc.render(), (
        "docs/schema.md is stale: run `python -m provenance.schema_doc docs/schema.md`")


def test_doc_names_every_migration_and_query():
    text = schema_doc.render()
    for name in schema_doc.live_schema()["migrations"]:
        assert f"`{name}`" in text
    queries = catalog.queries()
    assert len(queries) >= 12
    assert len({q["name"] for q in queries}) == len(queries)
    for q in queries:
        assert q["sql"].strip() in text


def test_problems_catch_an_undescribed_column(monkeypatch):
    real = catalog.load()
    tables = dict(real["tables"])
    tables["runs"] = {**tables["runs"], "columns": {
        k: v for k, v in tables["runs"]["columns"].items() if k != "unchanged"}}
    monkeypatch.setattr(catalog, "load", lambda: {**real, "tables": tables})
    assert schema_doc.problems() == ["column runs.unchanged has no description"]
