"""`Query.search`: the catalog's search over ML models and tables, with facets.

A page is one `GET /v1/search/query`: each hit's index document (`_source`) holds the
entity as the entity API has it, bar `followers`, `votes` and `tags`, which load through
the entity loaders when selected. The same answer carries the facets' aggregations; a
request that selects only facets asks for no hits (`size=0`).
"""

from __future__ import annotations

import base64
import binascii
from enum import Enum
from typing import Annotated, Literal

import strawberry

from gateway.base.errors import BadUserInputError
from gateway.domain.context import Info
from gateway.domain.selection import selected_names
from gateway.domain.types.common import PageInfo
from gateway.domain.types.connection import DEFAULT_PAGE_SIZE
from gateway.domain.types.enums import described
from gateway.domain.types.ml_model import MlModel
from gateway.domain.types.table import Table
from gateway.upstream.catalog import SortOrder
from gateway.upstream.records_search import (
    SearchHitRecord,
    SearchResponseRecord,
    source_kind,
    source_model,
    source_table,
)
from gateway.upstream.search import (
    ALL_INDEXES,
    FACET_FIELDS,
    SEARCH_INDEXES,
)
from gateway.upstream.search import SearchFilters as UpstreamFilters

MAX_QUERY_LENGTH = 1000
MAX_FILTER_VALUES = 50
# The catalog's index answers offsets (from + size) up to this many hits.
MAX_WINDOW = 10_000
_CURSOR_PREFIX = "search:"


@strawberry.enum(description="The kinds of catalog entity a search finds.")
class SearchKind(Enum):
    _value_: Literal["mlmodel", "table"]  # the catalog's entity types, for mypy
    ML_MODEL = described("mlmodel", "ML models (`MlModel` results).")
    TABLE = described("table", "Tables and views (`Table` results).")


@strawberry.enum(description="What search results are ordered by.")
class SearchSortField(Enum):
    RELEVANCE = described(
        "_score",
        "How well a result matches the query, best first: the default when there is a "
        "query. Without one every result scores alike, so NAME is used instead.",
    )
    NAME = described("name.keyword", "The name, A to Z by default.")
    UPDATED_AT = described("updatedAt", "The time of the last change, newest first by default.")
    FOLLOWERS = described("followers", "The number of followers, most first by default.")
    VOTES = described("totalVotes", "Up votes less down votes (0 at least), most first by default.")


@strawberry.enum(description="A sort direction.")
class SortDirection(Enum):
    _value_: Literal["asc", "desc"]  # the catalog's `sort_order`, for mypy
    ASC = described("asc", "Ascending: smallest, oldest or A first.")
    DESC = described("desc", "Descending: largest, newest or Z first.")


@strawberry.input(description="How search results are ordered.")
class SearchSort:
    field: SearchSortField = strawberry.field(
        default=SearchSortField.RELEVANCE, description="What to order by (RELEVANCE by default)."
    )
    direction: SortDirection | None = strawberry.field(
        default=None,
        description="Which way; when left out, ascending for NAME and descending otherwise.",
    )


@strawberry.input(
    description="What every result must match. Values of one filter match any of them; "
    "the filters together must all match. Matching is case-insensitive, and a value from "
    "`facets` filters on that facet."
)
class SearchFilters:
    tags: list[str] | None = strawberry.field(
        default=None, description="Tag FQNs, e.g. `PII.Sensitive` (at most 50)."
    )
    owners: list[str] | None = strawberry.field(
        default=None, description="Owners (users or teams), by name or display name (at most 50)."
    )
    service: str | None = strawberry.field(
        default=None, description="The service, by name or display name."
    )
    service_type: str | None = strawberry.field(
        default=None, description="The service type, e.g. `Mlflow`, `Postgres`."
    )
    domains: list[str] | None = strawberry.field(
        default=None, description="Domains, by name or display name (at most 50)."
    )
    include_deleted: bool = strawberry.field(
        default=False, description="Whether soft-deleted entities are found too (not by default)."
    )


SearchResult = Annotated[
    MlModel | Table,
    strawberry.union("SearchResult", description="An entity a search found."),
]


@strawberry.type(description="Where a result matched the query: one field's matching passages.")
class SearchHighlight:
    field: str = strawberry.field(
        description="The index field, e.g. `name`, `description`, `columns.name`."
    )
    fragments: list[str] = strawberry.field(
        description="Passages of the field with the matched words marked up as the catalog "
        'marks them (e.g. `<span class="text-highlighter">churn</span>`).'
    )


@strawberry.type(description="A search result with its cursor, score and highlights.")
class SearchEdge:
    cursor: str = strawberry.field(description="Pass as `after` to page on from this result.")
    node: SearchResult = strawberry.field(description="The entity found.")
    score: float | None = strawberry.field(
        description="How well it matches the query; null when the results are sorted by "
        "another field than RELEVANCE."
    )
    highlights: list[SearchHighlight] = strawberry.field(
        description="Where it matched the query, field by field (empty without a query or "
        "when the catalog gives none)."
    )


@strawberry.type(description="A facet value and how many results have it.")
class FacetValue:
    value: str = strawberry.field(
        description="The value as the catalog's index keeps it (tag FQNs and service types "
        "in lower case); pass it back in the matching filter."
    )
    count: int = strawberry.field(description="How many results (over all pages) have it.")


@strawberry.type(
    description="Counts of the results' values, by facet, over all pages of the current "
    "query and filters; most frequent first, at most the catalog's bucket count (10) each."
)
class SearchFacets:
    tags: list[FacetValue] = strawberry.field(description="Tag FQNs.")
    owners: list[FacetValue] = strawberry.field(description="Owners' display names.")
    service: list[FacetValue] = strawberry.field(description="Services' display names.")
    service_type: list[FacetValue] = strawberry.field(description="Service types.")
    domains: list[FacetValue] = strawberry.field(description="Domains' display names.")


@strawberry.type(description="A page of search results (offset paging).")
class SearchConnection:
    edges: list[SearchEdge] = strawberry.field(description="The results with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int | None = strawberry.field(
        description="How many results the query and filters find over all pages."
    )
    facets: SearchFacets | None = strawberry.field(
        description="Counts of the results' tags, owners, services, service types and "
        "domains. Costs one more catalog call only when no results are asked for with it."
    )

    @strawberry.field(description="The results without cursors.")
    def nodes(self) -> list[SearchResult]:
        return [edge.node for edge in self.edges]


def encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The offset of the result a cursor names; BAD_USER_INPUT when it names none."""
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
    except (binascii.Error, UnicodeError, ValueError):
        text = ""
    number = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not number.isdigit() or len(number) > 9:
        raise BadUserInputError(
            "`after` is not a cursor of a search result.", extensions={"argument": "after"}
        )
    return int(number)


def _bad(argument: str, message: str) -> BadUserInputError:
    return BadUserInputError(message, extensions={"argument": argument})


def _values(values: list[str] | None, argument: str) -> tuple[str, ...]:
    found = tuple(values or ())
    if len(found) > MAX_FILTER_VALUES:
        raise _bad(argument, f"`{argument}` takes at most {MAX_FILTER_VALUES} values.")
    for value in found:
        if not value.strip() or len(value) > 3072:
            raise _bad(argument, f"`{argument}` values must be 1 to 3072 characters.")
    return found


def _one(value: str | None, argument: str) -> tuple[str, ...]:
    return _values([value], argument) if value is not None else ()


def upstream_filters(filters: SearchFilters | None, kinds: list[SearchKind]) -> UpstreamFilters:
    """The typed filters of a search; a bad value is BAD_USER_INPUT naming its argument."""
    entity_types = tuple(k.value for k in kinds) if len(kinds) > 1 else ()
    if filters is None:
        return UpstreamFilters(entity_types=entity_types)
    return UpstreamFilters(
        tags=_values(filters.tags, "filters.tags"),
        owners=_values(filters.owners, "filters.owners"),
        services=_one(filters.service, "filters.service"),
        service_types=_one(filters.service_type, "filters.serviceType"),
        domains=_values(filters.domains, "filters.domains"),
        entity_types=entity_types,
    )


def _index(kinds: list[SearchKind]) -> str:
    if len(kinds) == 1:
        return SEARCH_INDEXES[kinds[0].value]
    return ALL_INDEXES


def _sort(sort: SearchSort | None, query: str | None) -> tuple[str, SortOrder]:
    field = sort.field if sort is not None else SearchSortField.RELEVANCE
    if field is SearchSortField.RELEVANCE and not query:
        field = SearchSortField.NAME
    direction = sort.direction if sort is not None else None
    if direction is None:
        direction = SortDirection.ASC if field is SearchSortField.NAME else SortDirection.DESC
    return field.value, direction.value


def _node(hit: SearchHitRecord) -> MlModel | Table | None:
    kind = source_kind(hit)
    if kind == "mlmodel":
        return MlModel.from_record(source_model(hit))
    if kind == "table":
        return Table.from_record(source_table(hit))
    return None


def _facets(answer: SearchResponseRecord) -> SearchFacets:
    def values(facet: str) -> list[FacetValue]:
        buckets = answer.buckets(FACET_FIELDS[facet]) or []
        return [FacetValue(value=str(b.key), count=b.doc_count) for b in buckets]

    return SearchFacets(
        tags=values("tags"),
        owners=values("owners"),
        service=values("service"),
        service_type=values("serviceType"),
        domains=values("domains"),
    )


_PAGE_FIELDS = frozenset({"edges", "nodes", "pageInfo", "totalCount"})
_SEARCH_ARGUMENTS = (("query_filter", "filters"), ("sort", "sort"))


def _upstream_argument(message: str) -> str:
    lowered = message.lower()
    for needle, argument in _SEARCH_ARGUMENTS:
        if needle in lowered:
            return argument
    return "query"


async def run_search(
    info: Info,
    *,
    query: str | None,
    kinds: list[SearchKind] | None,
    filters: SearchFilters | None,
    sort: SearchSort | None,
    first: int | None,
    after: str | None,
) -> SearchConnection:
    """One catalog search call for the page (and its facets)."""
    if query is not None and len(query) > MAX_QUERY_LENGTH:
        raise _bad("query", f"`query` must be at most {MAX_QUERY_LENGTH} characters.")
    text = (query or "").strip()
    size = DEFAULT_PAGE_SIZE if first is None else first
    max_size = info.context.settings.max_page_size
    if size < 0 or size > max_size:
        raise _bad("first", f"`first` must be between 0 and {max_size}, got {size}.")
    offset = decode_cursor(after) + 1 if after is not None else 0
    if offset + size > MAX_WINDOW:
        raise _bad("after", f"Search pages end at result {MAX_WINDOW}: narrow the query.")
    wanted = list(dict.fromkeys(kinds)) if kinds else [SearchKind.ML_MODEL, SearchKind.TABLE]
    typed = upstream_filters(filters, wanted)
    sort_field, sort_order = _sort(sort, text)
    selected = selected_names(info._raw_info.field_nodes, (), info._raw_info.fragments)
    page_wanted = bool(selected & _PAGE_FIELDS)
    try:
        answer = await info.context.catalog.search(
            q=text or "*",
            index=_index(wanted),
            offset=offset if page_wanted else 0,
            size=size if page_wanted else 0,
            filters=typed,
            sort_field=sort_field,
            sort_order=sort_order,
            deleted=None if filters is not None and filters.include_deleted else False,
        )
    except BadUserInputError as error:
        if error.status != 400:
            raise
        argument = _upstream_argument(error.message)
        raise BadUserInputError(
            f"The catalog refused the search's `{argument}`: {error.message}",
            upstream=error.upstream,
            status=error.status,
            extensions={**error.extensions, "argument": argument},
        ) from error
    edges: list[SearchEdge] = []
    hits = answer.hits.hits if page_wanted else []
    for position, hit in enumerate(hits):
        node = _node(hit)
        if node is None:
            continue
        highlights = [
            SearchHighlight(field=name, fragments=list(fragments))
            for name, fragments in sorted((hit.highlight or {}).items())
        ]
        edges.append(
            SearchEdge(
                cursor=encode_cursor(offset + position),
                node=node,
                score=hit.score,
                highlights=highlights,
            )
        )
    total = answer.hits.total.value
    end = offset + len(hits)
    return SearchConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=end < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
        facets=_facets(answer) if "facets" in selected else None,
    )
