"""The catalog search's request pieces: typed filters as `query_filter` JSON, sorts, facets.

`query_filter` is an Elasticsearch search body (`{"query": {"bool": {"must": [...]}}}`)
the catalog adds as a filter to the query string's match. Every filter is a `term` on a
keyword field (case-insensitive there); several values of one filter match any of them
(`bool.should`), and filters together must all match. A Tier tag is matched on `tier`,
where the index keeps it (its `tags` leave it out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

# The index names of the entity types the gateway searches, by catalog entity type.
SEARCH_INDEXES: dict[str, str] = {"mlmodel": "mlmodel_search_index", "table": "table_search_index"}
# The users' index: looked up by id only (contract §1.2b), never searched by text here.
USER_INDEX = "user_search_index"
# The alias of every data asset's index, for a search across entity types.
ALL_INDEXES = "all"

# Facet -> the keyword field its terms aggregation counts (`sterms#<field>` in answers).
FACET_FIELDS: dict[str, str] = {
    "tags": "tags.tagFQN",
    "owners": "owners.displayName.keyword",
    "service": "service.displayName.keyword",
    "serviceType": "serviceType",
    "domains": "domains.displayName.keyword",
}


@dataclass(frozen=True, slots=True)
class SearchFilters:
    """What every hit must match. Owners, services and domains match by name or display
    name (the facets count display names); tags by FQN; service types by name."""

    tags: Sequence[str] = ()
    owners: Sequence[str] = ()
    services: Sequence[str] = ()
    service_types: Sequence[str] = ()
    domains: Sequence[str] = ()
    entity_types: Sequence[str] = ()


def _term(field: str, value: str) -> dict[str, Any]:
    return {"term": {field: value}}


def _tag_field(fqn: str) -> str:
    """The index keeps the Tier tag apart from the others (`tier`, not `tags`)."""
    return "tier.tagFQN" if fqn.lower().startswith("tier.") else "tags.tagFQN"


def _any_of(clauses: list[dict[str, Any]]) -> dict[str, Any]:
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _named(prefix: str, values: Sequence[str]) -> list[dict[str, Any]]:
    return [
        clause
        for value in values
        for clause in (
            _term(f"{prefix}.name.keyword", value),
            _term(f"{prefix}.displayName.keyword", value),
        )
    ]


def query_filter(filters: SearchFilters) -> dict[str, Any] | None:
    """The `query_filter` search body for `filters`; None when nothing is filtered."""
    must: list[dict[str, Any]] = []
    groups = (
        [_term(_tag_field(v), v) for v in filters.tags],
        _named("owners", filters.owners),
        _named("service", filters.services),
        [_term("serviceType", v) for v in filters.service_types],
        _named("domains", filters.domains),
        [_term("entityType", v) for v in filters.entity_types],
    )
    for clauses in groups:
        if clauses:
            must.append(_any_of(clauses))
    if not must:
        return None
    return {"query": {"bool": {"must": must}}}
