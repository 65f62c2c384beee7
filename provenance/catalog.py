"""What the SQLite file means: descriptions and example queries from `metadata.toml`.

One packaged file feeds Datasette (`provenance explore`), docs/schema.md
(`provenance.schema_doc`) and the tests that keep both honest.
"""

from __future__ import annotations

import json
import sqlite3
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any


@lru_cache(maxsize=1)
def load() -> dict[str, Any]:
    """The parsed `provenance/metadata.toml`."""
    raw = resources.files("provenance").joinpath("metadata.toml").read_text(encoding="utf-8")
    return tomllib.loads(raw)


def described() -> dict[str, dict[str, Any]]:
    """Tables and views by name, each {description, columns}."""
    meta = load()
    return {**meta.get("tables", {}), **meta.get("views", {})}


def queries() -> list[dict[str, Any]]:
    return list(load().get("queries", []))


def shadow_tables(conn: sqlite3.Connection) -> set[str]:
    """FTS5 bookkeeping tables, which nobody queries directly."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    virtual = {r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")}
    suffixes = ("_data", "_idx", "_docsize", "_config", "_content")
    return {n for n in names for v in virtual if n in {v + s for s in suffixes}}


def registry_info(conn: sqlite3.Connection) -> dict[str, Any]:
    """Sources and licence of the outlet registries used by the latest run (merged when a
    run used several registry files)."""
    try:
        rows = conn.execute(
            "SELECT header FROM run_packs WHERE kind = 'registry'"
            " AND run_id = (SELECT max(run_id) FROM run_packs WHERE kind = 'registry')"
            " ORDER BY pack").fetchall()
    except sqlite3.Error:
        return {}
    sources: list[Any] = []
    licences: list[str] = []
    merged: dict[str, Any] = {}
    for (header,) in rows:
        try:
            value = json.loads(header or "{}")
        except ValueError:
            continue
        if not isinstance(value, dict):
            continue
        found = value.get("sources", value.get("source"))
        sources += found if isinstance(found, list) else [found] if found else []
        licence = value.get("licence") or value.get("license")
        if licence and str(licence) not in licences:
            licences.append(str(licence))
        for key in ("licence_url", "license_url", "source_url"):
            if value.get(key):
                merged.setdefault(key, value[key])
    if sources:
        merged["sources"] = sources
    if licences:
        merged["licence"] = "; ".join(licences)
    return merged


def _sources_text(sources: Any) -> str:
    if isinstance(sources, str):
        return sources
    if isinstance(sources, list):
        parts = []
        for item in sources:
            if isinstance(item, dict):
                parts.append(" ".join(str(item[k]) for k in ("name", "title", "url") if item.get(k)))
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p)
    return ""


def datasette_metadata(db_name: str, registry: dict[str, Any] | None = None) -> dict[str, Any]:
    """Datasette metadata for a database called `db_name` (the file name without .db):
    descriptions of every table, view and column, and the example queries as canned queries.
    The outlet registry's sources and licence come from the file itself (`registry`)."""
    meta = load()
    registry = registry or {}
    tables: dict[str, Any] = {}
    for name, info in described().items():
        tables[name] = {"description": info["description"],
                        "columns": dict(info.get("columns", {}))}
    licence = registry.get("licence") or registry.get("license")
    licence_url = registry.get("licence_url") or registry.get("license_url")
    sources = _sources_text(registry.get("sources"))
    outlets = tables.get("outlets")
    if outlets is not None:
        extra = []
        if sources:
            extra.append(f"Registry sources: {sources}.")
        if licence:
            extra.append(f"Registry licence: {licence}.")
        if not sources:
            extra.append("The registry file in force names no sources.")
        if not licence:
            extra.append("The registry file in force names no licence.")
        outlets["description"] = " ".join([outlets["description"], *extra])
        if licence:
            outlets["license"] = str(licence)
        if licence_url:
            outlets["license_url"] = str(licence_url)
        if registry.get("source_url"):
            outlets["source"] = sources or str(registry["source_url"])
            outlets["source_url"] = str(registry["source_url"])
    canned = {
        q["name"]: {"title": q["title"], "sql": q["sql"].strip(),
                    **({"description": q["note"]} if q.get("note") else {})}
        for q in meta.get("queries", [])
    }
    for table in ("documents", "markers"):
        tables.setdefault(table, {})["fts_table"] = f"{table}_fts"
    tables["documents"]["fts_pk"] = "rowid"
    tables["markers"]["fts_pk"] = "id"
    return {
        "title": meta["title"],
        "description": meta["description"],
        "databases": {db_name: {"description": meta["description"], "tables": tables,
                                "queries": canned}},
    }
