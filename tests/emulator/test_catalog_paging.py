"""Catalog emulator: cursor paging, list filters and list parameters."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from gateway.emulator.catalog.seed import SEED_MODEL_COUNT, SEED_TABLE_COUNT, SEED_USER_NAMES


def walk_forward(catalog: httpx.Client, path: str, limit: int) -> list[dict[str, Any]]:
    pages = [catalog.get(path, params={"limit": limit}).json()]
    while "after" in pages[-1]["paging"]:
        pages.append(
            catalog.get(path, params={"limit": limit, "after": pages[-1]["paging"]["after"]}).json()
        )
    return pages


def test_forward_paging_visits_every_model_once_in_name_order(catalog: httpx.Client) -> None:
    # when all models are read seven at a time
    pages = walk_forward(catalog, "/mlmodels", 7)

    # then every page reports the total, the first has no before, the last no after
    names = [m["name"] for page in pages for m in page["data"]]
    assert len(pages) == 5
    assert [len(p["data"]) for p in pages] == [7, 7, 7, 7, 2]
    assert {p["paging"]["total"] for p in pages} == {SEED_MODEL_COUNT}
    assert "before" not in pages[0]["paging"]
    assert all("before" in p["paging"] for p in pages[1:])
    assert "after" not in pages[-1]["paging"]
    assert names == sorted(names)
    assert len(set(names)) == len(names) == SEED_MODEL_COUNT


def test_backward_paging_from_the_last_page_returns_the_same_pages(catalog: httpx.Client) -> None:
    # given the pages read forward
    forward = walk_forward(catalog, "/tables", 9)

    # when they are read backward from the last page's before cursor
    backward = [forward[-1]]
    while "before" in backward[-1]["paging"]:
        backward.append(
            catalog.get(
                "/tables", params={"limit": 9, "before": backward[-1]["paging"]["before"]}
            ).json()
        )

    # then the same rows come back, page by page, and every backward page has an after
    assert [[t["id"] for t in p["data"]] for p in reversed(backward)] == [
        [t["id"] for t in p["data"]] for p in forward
    ]
    assert all("after" in p["paging"] for p in backward[1:])
    assert "before" not in backward[-1]["paging"]
    assert sum(len(p["data"]) for p in forward) == SEED_TABLE_COUNT


def test_cursor_is_base64url_json_of_name_and_id(catalog: httpx.Client) -> None:
    # when the first page of users is read
    page = catalog.get("/users", params={"limit": 2}).json()

    # then the after cursor names the last row
    decoded = json.loads(base64.urlsafe_b64decode(page["paging"]["after"]))
    assert decoded == {"name": page["data"][1]["name"], "id": page["data"][1]["id"]}
    assert page["paging"]["total"] == len(SEED_USER_NAMES)


def test_limit_zero_answers_only_the_total(catalog: httpx.Client) -> None:
    # when limit is zero
    page = catalog.get("/mlmodels", params={"limit": 0}).json()

    # then there is no data and no cursor
    assert page == {"data": [], "paging": {"total": SEED_MODEL_COUNT}}


def test_default_limit_is_ten(catalog: httpx.Client) -> None:
    # when no limit is given
    page = catalog.get("/tables").json()

    # then ten rows come back
    assert len(page["data"]) == 10


def test_service_filter_takes_the_service_name(catalog: httpx.Client) -> None:
    # when models are listed per service
    totals = {
        service: catalog.get("/mlmodels", params={"service": service, "limit": 0}).json()["paging"][
            "total"
        ]
        for service in ("mlflow_prod", "sagemaker_prod", "vertex_ai", "sklearn_lab", "nope")
    }

    # then the counts split the seed
    assert totals == {
        "mlflow_prod": 12,
        "sagemaker_prod": 7,
        "vertex_ai": 6,
        "sklearn_lab": 5,
        "nope": 0,
    }


def test_table_filters_by_database_and_schema(catalog: httpx.Client) -> None:
    # when tables are listed by database and by schema
    by_database = catalog.get("/tables", params={"database": "snowflake_dw.analytics"}).json()
    by_schema = catalog.get(
        "/tables", params={"databaseSchema": "snowflake_dw.analytics.finance"}
    ).json()

    # then only theirs come back
    assert by_database["paging"]["total"] == 18
    assert [t["name"] for t in by_schema["data"]] == ["budget", "fx_rates", "gl_entries"]


def test_databases_and_schemas_filters(catalog: httpx.Client) -> None:
    # when databases and schemas are listed by their parents
    databases = catalog.get("/databases", params={"service": "bigquery_analytics"}).json()
    schemas = catalog.get("/databaseSchemas", params={"database": "postgres_shop.shop"}).json()

    # then the seeded children come back
    assert [d["fullyQualifiedName"] for d in databases["data"]] == [
        "bigquery_analytics.events_prod"
    ]
    assert [s["name"] for s in schemas["data"]] == ["billing", "inventory", "public"]


def test_list_pages_render_requested_fields(catalog: httpx.Client) -> None:
    # when a page is asked with followers, votes and tags
    page = catalog.get("/mlmodels", params={"limit": 50, "fields": "followers,votes,tags"}).json()

    # then every row carries them
    assert all({"followers", "votes", "tags"} <= row.keys() for row in page["data"])
    assert all("owners" not in row for row in page["data"])
