"""What the clients put on the wire: paths, encoding, query strings, bodies, retry policy."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from gateway.base.errors import UpstreamError
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.registry import RegistryClient
from tests.upstream.scripted import ScriptedUpstream, json_response

MODEL_ID = "3b1f6c2e-0000-4000-8000-000000000001"
USER_ID = "9c2e5b1e-0000-4000-8000-000000000002"
REFERENCE = {"id": "5b0e", "type": "mlmodelService"}
MODEL = {
    "id": MODEL_ID,
    "name": "churn",
    "algorithm": "XGBoost",
    "service": REFERENCE,
    "version": 0.1,
    "updatedAt": 1,
}
PAGE = {"data": [], "paging": {"total": 0}}
EVENT = {
    "id": "e1",
    "eventType": "entityUpdated",
    "entityType": "mlmodel",
    "entityId": MODEL_ID,
    "timestamp": 1,
}
VERSION_PAGE: dict[str, object] = {"data": []}


async def sent(answer: object, call: Callable[[CatalogClient], Awaitable[Any]]) -> httpx.Request:
    upstream = ScriptedUpstream(json_response(200, answer))
    http = upstream.http()
    await call(CatalogClient(http, auth="Bearer caller", request_id="req-1"))
    await http.aclose()
    assert len(upstream.requests) == 1
    return upstream.requests[0]


def target(request: httpx.Request) -> str:
    return f"{request.method} {request.url.raw_path.decode()}"


async def test_names_are_percent_encoded_as_one_segment() -> None:
    request = await sent(MODEL, lambda c: c.get_model_by_name('svc."a/b c"%#?'))
    assert target(request) == "GET /api/v1/mlmodels/name/svc.%22a%2Fb%20c%22%25%23%3F"


async def test_fields_are_sorted_and_de_duplicated() -> None:
    request = await sent(MODEL, lambda c: c.get_model(MODEL_ID, fields=["tags", "owners", "tags"]))
    assert target(request) == f"GET /api/v1/mlmodels/{MODEL_ID}?fields=owners,tags"


async def test_empty_fields_and_the_default_include_are_left_out() -> None:
    request = await sent(MODEL, lambda c: c.get_model(MODEL_ID))
    assert target(request) == f"GET /api/v1/mlmodels/{MODEL_ID}"
    assert request.headers["x-request-id"] == "req-1"
    assert request.headers["authorization"] == "Bearer caller"


async def test_a_non_default_include_is_sent() -> None:
    request = await sent(MODEL, lambda c: c.get_model(MODEL_ID, include="all"))
    assert target(request) == f"GET /api/v1/mlmodels/{MODEL_ID}?include=all"


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (
            lambda c: c.list_models(fields={"owners"}, service="mlflow_prod", limit=5, after="c1"),
            "GET /api/v1/mlmodels?fields=owners&limit=5&after=c1&service=mlflow_prod",
        ),
        (
            lambda c: c.list_tables(
                database_schema="pg.shop.public", before="c0", include="deleted"
            ),
            "GET /api/v1/tables?include=deleted&limit=10&before=c0&databaseSchema=pg.shop.public",
        ),
        (
            lambda c: c.list_tables(database="pg.shop"),
            "GET /api/v1/tables?limit=10&database=pg.shop",
        ),
        (lambda c: c.list_users(limit=0), "GET /api/v1/users?limit=0"),
        (
            lambda c: c.list_services("database", fields=("owners",)),
            "GET /api/v1/services/databaseServices?fields=owners&limit=10",
        ),
    ],
    ids=["models", "tables-by-schema", "tables-by-database", "users", "services"],
)
async def test_list_queries(call: Callable[[CatalogClient], Awaitable[Any]], expected: str) -> None:
    assert target(await sent(PAGE, call)) == expected


async def test_followers_send_the_user_id_as_a_json_string() -> None:
    request = await sent(EVENT, lambda c: c.add_follower("table", MODEL_ID, USER_ID))
    assert target(request) == f"PUT /api/v1/tables/{MODEL_ID}/followers"
    assert request.content == f'"{USER_ID}"'.encode()
    assert request.headers["content-type"] == "application/json"


async def test_unfollow_names_the_user_in_the_path() -> None:
    request = await sent(EVENT, lambda c: c.remove_follower("mlmodel", MODEL_ID, USER_ID))
    assert target(request) == f"DELETE /api/v1/mlmodels/{MODEL_ID}/followers/{USER_ID}"
    assert request.content == b""


async def test_a_vote_carries_only_the_vote_type() -> None:
    request = await sent(EVENT, lambda c: c.cast_vote("mlmodel", MODEL_ID, "votedDown"))
    assert target(request) == f"PUT /api/v1/mlmodels/{MODEL_ID}/vote"
    assert request.content == b'{"updatedVoteType":"votedDown"}'


async def test_bulk_upsert_sends_a_bare_array() -> None:
    result = {"status": "success", "numberOfRowsProcessed": 1}
    request = await sent(result, lambda c: c.bulk_upsert_models([{"name": "a", "service": "s"}]))
    assert target(request) == "PUT /api/v1/mlmodels/bulk"
    assert request.content == b'[{"name":"a","service":"s"}]'


async def test_restore_sends_the_id_in_the_body() -> None:
    request = await sent(MODEL, lambda c: c.restore_model(MODEL_ID))
    assert target(request) == "PUT /api/v1/mlmodels/restore"
    assert request.content == f'{{"id":"{MODEL_ID}"}}'.encode()


async def test_service_lookups_by_name_and_id() -> None:
    service = {
        "id": "5b0e",
        "name": "pg",
        "serviceType": "Postgres",
        "version": 0.1,
        "updatedAt": 1,
    }
    by_name = await sent(service, lambda c: c.get_service_by_name("database", "pg"))
    by_id = await sent(service, lambda c: c.get_service("mlmodel", "5b0e", include="all"))
    assert target(by_name) == "GET /api/v1/services/databaseServices/name/pg"
    assert target(by_id) == "GET /api/v1/services/mlmodelServices/5b0e?include=all"


async def test_the_logged_in_user() -> None:
    user = {"id": USER_ID, "name": "admin", "email": "admin@example.com"}
    request = await sent(user, lambda c: c.get_logged_in_user(fields=["follows"]))
    assert target(request) == "GET /api/v1/users/loggedInUser?fields=follows"


# Which calls are retried after a 503

RETRIED: list[tuple[str, Callable[[CatalogClient], Awaitable[Any]], object]] = [
    ("get", lambda c: c.get_model(MODEL_ID), MODEL),
    ("upsert", lambda c: c.upsert_model({"name": "churn", "service": "s"}), MODEL),
    ("soft-delete", lambda c: c.delete_model(MODEL_ID), MODEL),
    ("follow", lambda c: c.add_follower("mlmodel", MODEL_ID, USER_ID), EVENT),
    ("vote", lambda c: c.cast_vote("table", MODEL_ID, "votedUp"), EVENT),
]
NOT_RETRIED: list[tuple[str, Callable[[CatalogClient], Awaitable[Any]]]] = [
    ("create", lambda c: c.create_model({"name": "churn", "service": "s"})),
    ("create-service", lambda c: c.create_service("mlmodel", {"name": "s"})),
    ("hard-delete", lambda c: c.delete_model(MODEL_ID, hard_delete=True)),
    ("restore", lambda c: c.restore_model(MODEL_ID)),
]


@pytest.mark.parametrize(("name", "call", "answer"), RETRIED, ids=[r[0] for r in RETRIED])
async def test_idempotent_catalog_calls_are_retried(
    name: str, call: Callable[[CatalogClient], Awaitable[Any]], answer: object
) -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503}), json_response(200, answer))
    http = upstream.http()
    await call(CatalogClient(http, auth=None))
    await http.aclose()
    assert len(upstream.requests) == 2


@pytest.mark.parametrize(("name", "call"), NOT_RETRIED, ids=[r[0] for r in NOT_RETRIED])
async def test_other_catalog_calls_are_not_retried(
    name: str, call: Callable[[CatalogClient], Awaitable[Any]]
) -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503}), json_response(200, MODEL))
    http = upstream.http()
    with pytest.raises(UpstreamError):
        await call(CatalogClient(http, auth=None))
    await http.aclose()
    assert len(upstream.requests) == 1


async def test_upsert_reports_whether_it_created() -> None:
    upstream = ScriptedUpstream(json_response(201, MODEL), json_response(200, MODEL))
    http = upstream.http()
    client = CatalogClient(http, auth=None)
    body = {"name": "churn", "service": "s"}
    assert [(await client.upsert_model(body))[1] for _ in range(2)] == [True, False]
    await http.aclose()


# Registry


async def test_registry_queries_always_carry_preview() -> None:
    upstream = ScriptedUpstream(json_response(200, VERSION_PAGE))
    http = upstream.http("registry")
    client = RegistryClient(http, auth=None)
    await client.list_versions("ri.m.1", branch="staging", page_size=2, page_token="t/1")
    await client.list_versions("ri.m.1")
    await http.aclose()
    assert [target(r) for r in upstream.requests] == [
        "GET /api/v2/models/ri.m.1/versions?preview=true&branch=staging&pageSize=2&pageToken=t%2F1",
        "GET /api/v2/models/ri.m.1/versions?preview=true",
    ]


async def test_promote_sends_the_branch_only_when_given() -> None:
    version = {
        "rid": "ri.v.2",
        "modelApi": {"inputs": [], "outputs": []},
        "condaRequirements": [],
        "backingRepositories": [],
        "createdTime": "2025-01-01T00:00:00Z",
    }
    upstream = ScriptedUpstream(json_response(200, version))
    http = upstream.http("registry")
    client = RegistryClient(http, auth=None)
    await client.promote_version("ri.m.1", "ri.v.1")
    await client.promote_version("ri.m.1", "ri.v.1", branch="canary")
    await http.aclose()
    assert [target(r) for r in upstream.requests] == [
        "POST /api/v2/models/ri.m.1/promoteVersion?preview=true"
    ] * 2
    assert [r.content for r in upstream.requests] == [
        b'{"sourceModelVersionRid":"ri.v.1"}',
        b'{"sourceModelVersionRid":"ri.v.1","branch":"canary"}',
    ]


async def test_registry_creates_are_not_retried() -> None:
    upstream = ScriptedUpstream(json_response(503, {"errorCode": "INTERNAL"}))
    http = upstream.http("registry")
    with pytest.raises(UpstreamError):
        await RegistryClient(http, auth=None).create_model("m", "ri.compass.main.folder.1")
    await http.aclose()
    assert len(upstream.requests) == 1
