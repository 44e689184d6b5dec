"""Relay paging of every connection, forwards and backwards, against the catalog's own pages.

Each GraphQL page is compared whole with the catalog's REST answer to the same
`limit`/`after`/`before`: the same rows in the same order, `totalCount`, `hasNextPage` and
`hasPreviousPage` from the catalog's paging, and cursors that are the catalog's own
(`startCursor` the first row's, `endCursor` the last row's, on every page).
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get


@dataclass(frozen=True)
class Listing:
    """A GraphQL connection and the catalog list call behind it."""

    id: str
    rest_path: str
    rest_params: dict[str, str]
    field: str  # the connection field with its fixed arguments, `$page` marks the paging ones
    path: tuple[str, ...]  # where the connection sits in `data`


LISTINGS = [
    Listing("mlModels", "/v1/mlmodels", {}, "mlModels($page)", ("mlModels",)),
    Listing(
        "mlModels-of-a-service",
        "/v1/mlmodels",
        {"service": "mlflow_prod"},
        'mlModels(service: "mlflow_prod", $page)',
        ("mlModels",),
    ),
    Listing(
        "Service.mlModels",
        "/v1/mlmodels",
        {"service": "sagemaker_prod"},
        'service(kind: ML_MODEL, name: "sagemaker_prod") { mlModels($page)',
        ("service", "mlModels"),
    ),
    Listing(
        "services-ML_MODEL",
        "/v1/services/mlmodelServices",
        {},
        "services(kind: ML_MODEL, $page)",
        ("services",),
    ),
    Listing(
        "services-DATABASE",
        "/v1/services/databaseServices",
        {},
        "services(kind: DATABASE, $page)",
        ("services",),
    ),
    Listing("tables", "/v1/tables", {}, "tables($page)", ("tables",)),
    Listing(
        "tables-of-a-database",
        "/v1/tables",
        {"database": "snowflake_dw.analytics"},
        'tables(database: "snowflake_dw.analytics", $page)',
        ("tables",),
    ),
    Listing(
        "tables-of-a-schema",
        "/v1/tables",
        {"databaseSchema": "bigquery_analytics.events_prod.web"},
        'tables(databaseSchema: "bigquery_analytics.events_prod.web", $page)',
        ("tables",),
    ),
    Listing("users", "/v1/users", {}, "users($page)", ("users",)),
]
PAGE_ARGS = "first: $first, after: $after, last: $last, before: $before"
SELECTION = """{
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
    nodes { id }
}"""


def operation(listing: Listing) -> str:
    field = listing.field.replace("$page", PAGE_ARGS)
    closing = " }" * (len(listing.path) - 1)
    return (
        "query Page($first: Int, $after: String, $last: Int, $before: String) "
        f"{{ {field} {SELECTION}{closing} }}"
    )


def row_cursor(row: dict[str, Any]) -> str:
    """The catalog's cursor of a row, written independently of the gateway's code."""
    raw = json.dumps({"name": row["name"], "id": row["id"]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode()


def expected_page(rest: dict[str, Any]) -> dict[str, Any]:
    rows, paging = rest["data"], rest["paging"]
    cursors = [row_cursor(r) for r in rows]
    # The catalog's own cursors are its first and last rows' (when it gives them).
    assert paging.get("before", cursors[0] if cursors else None) == (
        cursors[0] if cursors else None
    )
    assert paging.get("after", cursors[-1] if cursors else None) == (
        cursors[-1] if cursors else None
    )
    return {
        "totalCount": paging["total"],
        "pageInfo": {
            "hasNextPage": "after" in paging,
            "hasPreviousPage": "before" in paging,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
        "edges": [
            {"cursor": c, "node": {"id": r["id"], "name": r["name"]}}
            for c, r in zip(cursors, rows, strict=True)
        ],
        "nodes": [{"id": r["id"]} for r in rows],
    }


def rest_page(emulator: EmulatorHandle, listing: Listing, **paging: object) -> dict[str, Any]:
    params = {k: v for k, v in paging.items() if v is not None}
    result: dict[str, Any] = catalog_get(
        emulator, listing.rest_path, **listing.rest_params, **params
    )
    return result


async def graphql_page(
    gateway: GatewayClient, listing: Listing, **variables: object
) -> dict[str, Any]:
    result = await gateway.execute(operation(listing), variables)
    assert "errors" not in result, result["errors"]
    data: Any = result["data"]
    for step in listing.path:
        data = data[step]
    page: dict[str, Any] = data
    return page


@pytest.mark.parametrize("listing", LISTINGS, ids=[listing.id for listing in LISTINGS])
async def test_forward_pages_are_the_catalogs_pages(
    gateway: GatewayClient, emulator: EmulatorHandle, listing: Listing
) -> None:
    # given: every row, in the catalog's order
    everything = rest_page(emulator, listing, limit=1000)["data"]
    assert len(everything) >= 3, "the seed has enough rows to page through"
    size = 2 if len(everything) < 10 else 4
    seen: list[str] = []
    after: str | None = None
    while True:
        # when
        page = await graphql_page(gateway, listing, first=size, after=after)
        # then
        assert page == expected_page(rest_page(emulator, listing, limit=size, after=after))
        seen += [edge["node"]["id"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [row["id"] for row in everything]


@pytest.mark.parametrize("listing", LISTINGS, ids=[listing.id for listing in LISTINGS])
async def test_backward_pages_are_the_catalogs_pages(
    gateway: GatewayClient, emulator: EmulatorHandle, listing: Listing
) -> None:
    # given: every row; paging backwards from the last one
    everything = rest_page(emulator, listing, limit=1000)["data"]
    size = 2 if len(everything) < 10 else 3
    seen: list[str] = []
    before: str | None = row_cursor(everything[-1])
    while before is not None:
        # when
        page = await graphql_page(gateway, listing, last=size, before=before)
        # then
        assert page == expected_page(rest_page(emulator, listing, limit=size, before=before))
        assert len(page["edges"]) == min(size, len(everything) - 1 - len(seen))
        seen = [edge["node"]["id"] for edge in page["edges"]] + seen
        before = page["pageInfo"]["startCursor"] if page["pageInfo"]["hasPreviousPage"] else None
    # every row before the last one, each once, in order
    assert seen == [row["id"] for row in everything[:-1]]


async def test_a_middle_page_has_both_neighbours_and_its_own_cursors(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given: the catalog's third to fifth models
    rows = rest_page(emulator, LISTINGS[0], limit=6)["data"]
    # when: the page after the second row, and the page before the sixth
    forward = await graphql_page(gateway, LISTINGS[0], first=3, after=row_cursor(rows[1]))
    backward = await graphql_page(gateway, LISTINGS[0], last=3, before=row_cursor(rows[5]))
    # then both are rows 3-5, with the first row's cursor first and the last row's last
    assert forward == backward
    assert [edge["node"]["name"] for edge in forward["edges"]] == [r["name"] for r in rows[2:5]]
    assert forward["pageInfo"] == {
        "hasNextPage": True,
        "hasPreviousPage": True,
        "startCursor": row_cursor(rows[2]),
        "endCursor": row_cursor(rows[4]),
    }


async def test_an_empty_page_has_no_cursors(gateway: GatewayClient) -> None:
    # when
    page = await graphql_page(gateway, LISTINGS[0], first=0)
    # then
    assert page == {
        "totalCount": 30,
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "edges": [],
        "nodes": [],
    }


async def test_the_largest_page_is_accepted(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given max_page_size's default, 1000
    page = await graphql_page(gateway, LISTINGS[0], first=1000)
    assert page == expected_page(rest_page(emulator, LISTINGS[0], limit=1000))
    assert len(page["edges"]) == 30


async def test_a_database_services_ml_models_are_an_empty_page(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    emulator.reset_counters()
    query = operation(
        Listing(
            "", "", {}, 'service(kind: DATABASE, name: "snowflake_dw") { mlModels($page)', ("",) * 2
        )
    )
    # when
    result = await gateway.execute(query, {"first": 5})
    # then: no model list is asked for
    assert result == {
        "data": {
            "service": {
                "mlModels": {
                    "totalCount": 0,
                    "pageInfo": {
                        "hasNextPage": False,
                        "hasPreviousPage": False,
                        "startCursor": None,
                        "endCursor": None,
                    },
                    "edges": [],
                    "nodes": [],
                }
            }
        }
    }
    assert "GET /api/v1/mlmodels" not in emulator.counters()


async def test_the_default_page_is_ten(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    page = await graphql_page(gateway, LISTINGS[0])
    assert page == expected_page(rest_page(emulator, LISTINGS[0], limit=10))
    assert len(page["edges"]) == 10


BAD_PAGES = [
    pytest.param({"first": 2, "last": 2}, "Pass either `first` or `last`, not both.", id="both"),
    pytest.param(
        {"first": 2, "after": "x", "before": "y"},
        "Pass either `after` or `before`, not both.",
        id="after-and-before",
    ),
    pytest.param(
        {"last": 2},
        "`last` pages backwards and needs `before` (the catalog pages by cursor).",
        id="last-without-before",
    ),
    pytest.param(
        {"first": -1}, "Page size must be between 0 and 1000, got -1.", id="negative-first"
    ),
    pytest.param(
        {"last": -1, "before": "x"},
        "Page size must be between 0 and 1000, got -1.",
        id="negative-last",
    ),
    pytest.param(
        {"first": 1001}, "Page size must be between 0 and 1000, got 1001.", id="first-too-big"
    ),
    pytest.param(
        {"last": 1001, "before": "x"},
        "Page size must be between 0 and 1000, got 1001.",
        id="last-too-big",
    ),
]


@pytest.mark.parametrize("listing", LISTINGS, ids=[listing.id for listing in LISTINGS])
@pytest.mark.parametrize(("variables", "message"), BAD_PAGES)
async def test_bad_page_arguments_are_refused_before_any_list_call(
    gateway: GatewayClient,
    emulator: EmulatorHandle,
    listing: Listing,
    variables: dict[str, object],
    message: str,
) -> None:
    # given
    emulator.reset_counters()
    # when
    result = await gateway.execute(operation(listing), variables)
    # then: the connection's field fails with the argument named; no list call was made
    (error,) = result["errors"]
    assert error["message"] == message
    assert error["path"] == list(listing.path)
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    # every connection is nullable: the failing one alone is null, its parent stays
    null_at_failure: dict[str, object] | None = None
    for name in reversed(listing.path):
        null_at_failure = {name: null_at_failure}
    assert result["data"] == null_at_failure
    if len(listing.path) == 1:
        assert emulator.counters() == {}
    else:
        assert "GET /api/v1/mlmodels" not in emulator.counters()
