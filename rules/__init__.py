"""The built-in rule packs (TOML data), installed as provenance.rulepacks."""
