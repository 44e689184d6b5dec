"""Relay connections over the catalog's cursor paging (cursors passed through)."""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson
import strawberry

from gateway.base.errors import BadUserInputError
from gateway.domain.types.common import PageInfo
from gateway.upstream.records import PagingRecord

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_PAGE_SIZE = 10

# Descriptions of the paging arguments every catalog connection takes.
FIRST_DOC = (
    "Page size, counted from the start or from `after`: 0 to the gateway's maximum "
    "(GATEWAY_MAX_PAGE_SIZE, 1000 by default); 10 when neither `first` nor `last` is given. "
    "Not with `last`."
)
AFTER_DOC = (
    "Cursor to page forwards from (`pageInfo.endCursor` or an edge's `cursor`): the page "
    "starts after that item. Not with `before`; a cursor the catalog cannot read is "
    "BAD_USER_INPUT."
)
LAST_DOC = (
    "Page size counted backwards from `before`, which it needs: 0 to the gateway's maximum. "
    "Not with `first`."
)
BEFORE_DOC = (
    "Cursor to page backwards from (`pageInfo.startCursor` or an edge's `cursor`): the page "
    "ends before that item. Not with `after`."
)
INCLUDE_DOC = (
    "Which entities to list by soft-deletion state: live ones only (NON_DELETED, the "
    "default), soft-deleted ones only (DELETED), or both (ALL)."
)


def _edge_cursor(root: Edge[Any]) -> str:
    return root.cursor()


@strawberry.type(description="An item of a connection with its cursor.")
class Edge(Generic[T]):
    cursor_: str = strawberry.field(
        name="cursor",
        resolver=_edge_cursor,
        description="Pass as `after`/`before` to page from here.",
    )
    node: T = strawberry.field(description="The item.")
    # The cursor, or the catalog row's (name, id) it is made from when asked for: a list
    # page rarely selects its edges' cursors.
    key: strawberry.Private[str | tuple[str, str]]

    def cursor(self) -> str:
        key = self.key
        return key if isinstance(key, str) else catalog_cursor(*key)


@strawberry.type(description="A page of items (Relay connection).")
class Connection(Generic[T]):
    edges: list[Edge[T]] = strawberry.field(description="The items with their cursors.")
    page_info: PageInfo = strawberry.field(description="Where this page stands.")
    total_count: int | None = strawberry.field(
        description="Number of items matching the filters across all pages, when known."
    )

    @strawberry.field(description="The items without cursors.")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def catalog_cursor(name: str, id_: str) -> str:
    """The catalog's cursor for a row: base64url of `{"name": ..., "id": ...}`."""
    return base64.urlsafe_b64encode(orjson.dumps({"name": name, "id": id_})).decode()


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Validated `first/after/last/before` as catalog `limit/after/before`."""

    limit: int
    after: str | None
    before: str | None


def page_args(
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    max_page_size: int,
) -> PageArgs:
    if first is not None and last is not None:
        raise BadUserInputError("Pass either `first` or `last`, not both.")
    if after is not None and before is not None:
        raise BadUserInputError("Pass either `after` or `before`, not both.")
    if last is not None and before is None:
        raise BadUserInputError(
            "`last` pages backwards and needs `before` (the catalog pages by cursor)."
        )
    size = first if first is not None else last
    if size is None:
        size = DEFAULT_PAGE_SIZE
    if size < 0 or size > max_page_size:
        raise BadUserInputError(f"Page size must be between 0 and {max_page_size}, got {size}.")
    return PageArgs(limit=size, after=after, before=before)


def catalog_connection(
    rows: Sequence[R],
    paging: PagingRecord,
    convert: Callable[[R], T],
    key: Callable[[R], tuple[str, str]],
) -> Connection[T]:
    edges = [Edge(key=key(r), node=convert(r)) for r in rows]
    return Connection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=paging.after is not None,
            has_previous_page=paging.before is not None,
            start_cursor=paging.before or (edges[0].cursor() if edges else None),
            end_cursor=paging.after or (edges[-1].cursor() if edges else None),
        ),
        total_count=paging.total,
    )


def empty_connection() -> Connection[T]:
    return Connection(
        edges=[],
        page_info=PageInfo(
            has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
        ),
        total_count=0,
    )
