"""REST clients for the catalog and the registry; nothing here knows about GraphQL."""

from __future__ import annotations

from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import Reply, UpstreamConfig, UpstreamHttp
from gateway.upstream.registry import RegistryClient

__all__ = ["CatalogClient", "RegistryClient", "Reply", "UpstreamConfig", "UpstreamHttp"]
