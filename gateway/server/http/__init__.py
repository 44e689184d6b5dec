"""GraphQL over HTTP for /graphql: the protocol view, media types, CORS and CSRF prevention."""

from __future__ import annotations

from gateway.server.http.cors import Cors
from gateway.server.http.view import GraphQLView

__all__ = ["Cors", "GraphQLView"]
