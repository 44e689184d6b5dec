"""The base layer: settings, the error tree, metrics, tracing and logs.

Every other layer may import it; it imports none of them (pyproject.toml's import-linter
contracts, docs/architecture.md)."""
