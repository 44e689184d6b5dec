"""Embedded upstreams: an OpenMetadata-compatible catalog and a Foundry-compatible registry."""
