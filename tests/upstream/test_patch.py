"""What a targeted edit puts on the wire: the JSON Patch, its media type, If-Match, the ETag
read, the change flag, and that a PATCH is never retried."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from gateway.base.errors import PreconditionFailedError, UpstreamError
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from tests.upstream.scripted import ScriptedUpstream, json_response
from tests.upstream.wire import Serve, ok

MODEL_ID = "3b1f6c2e-0000-4000-8000-000000000001"
TABLE_ID = "7c1d2e3f-0000-4000-8000-000000000003"
REFERENCE = {"id": "5b0e", "type": "mlmodelService"}
MODEL = {
    "id": MODEL_ID,
    "name": "churn",
    "algorithm": "XGBoost",
    "service": REFERENCE,
    "version": 0.2,
    "updatedAt": 1,
}
TABLE = {"id": TABLE_ID, "name": "orders", "columns": [], "version": 0.1, "updatedAt": 1}
OPERATIONS = [
    {"op": "test", "path": "/tags/1/tagFQN", "value": "PII.Sensitive"},
    {"op": "remove", "path": "/tags/1"},
    {"op": "add", "path": "/description", "value": "Predicts churn."},
]
STALE = {
    "code": 412,
    "message": 'The entity has been modified. Current ETag: "ab". Please refresh.',
}


async def answered(
    *script: httpx.Response, call: Callable[[CatalogClient], Awaitable[Any]]
) -> tuple[Any, list[httpx.Request]]:
    upstream = ScriptedUpstream(*script)
    http = upstream.http()
    try:
        result = await call(CatalogClient(http, auth="Bearer caller"))
    finally:
        await http.aclose()
    return result, upstream.requests


def changed(event: str) -> httpx.Response:
    return httpx.Response(200, json=MODEL, headers={"X-OpenMetadata-Change": event})


async def test_a_model_patch_is_a_json_patch_document_with_its_media_type() -> None:
    # when
    (record, was_changed), requests = await answered(
        changed("entityUpdated"), call=lambda c: c.patch_model(MODEL_ID, OPERATIONS)
    )
    # then
    [request] = requests
    assert (
        f"{request.method} {request.url.raw_path.decode()}" == f"PATCH /api/v1/mlmodels/{MODEL_ID}"
    )
    assert request.headers["content-type"] == "application/json-patch+json"
    assert request.headers["authorization"] == "Bearer caller"
    assert "if-match" not in request.headers
    assert httpx.Response(200, content=request.content).json() == OPERATIONS
    assert (record.id, record.version, was_changed) == (MODEL_ID, 0.2, True)


async def test_if_match_is_sent_as_given() -> None:
    _, requests = await answered(
        changed("entityUpdated"),
        call=lambda c: c.patch_model(MODEL_ID, OPERATIONS, if_match='W/"0.2"'),
    )
    assert requests[0].headers["if-match"] == 'W/"0.2"'


async def test_a_patch_that_changed_nothing_says_so() -> None:
    (_, was_changed), _ = await answered(
        changed("entityNoChange"), call=lambda c: c.patch_model(MODEL_ID, OPERATIONS)
    )
    assert was_changed is False


async def test_a_table_patch_goes_to_the_table() -> None:
    answer = httpx.Response(200, json=TABLE, headers={"X-OpenMetadata-Change": "entityUpdated"})
    (record, was_changed), requests = await answered(
        answer, call=lambda c: c.patch_table(TABLE_ID, OPERATIONS, if_match='"ab"')
    )
    assert f"{requests[0].method} {requests[0].url.path}" == f"PATCH /api/v1/tables/{TABLE_ID}"
    assert requests[0].headers["if-match"] == '"ab"'
    assert (record.id, was_changed) == (TABLE_ID, True)


async def test_a_stale_precondition_is_precondition_failed_and_not_retried() -> None:
    with pytest.raises(PreconditionFailedError) as caught:
        await answered(
            json_response(412, STALE),
            changed("entityUpdated"),
            call=lambda c: c.patch_model(MODEL_ID, OPERATIONS, if_match='"aa"'),
        )
    assert caught.value.code == "PRECONDITION_FAILED"


async def test_a_patch_is_never_retried() -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503}), changed("entityUpdated"))
    http = upstream.http(retries=3)
    with pytest.raises(UpstreamError):
        await CatalogClient(http, auth=None).patch_model(MODEL_ID, OPERATIONS)
    await http.aclose()
    assert len(upstream.requests) == 1


@pytest.mark.parametrize(
    ("headers", "expected"),
    [({"ETag": '"0123456789abcdef"'}, '"0123456789abcdef"'), ({}, None)],
    ids=["etag", "none"],
)
async def test_a_read_for_an_edit_answers_the_etag(
    headers: dict[str, str], expected: str | None
) -> None:
    answer = httpx.Response(200, json=MODEL, headers=headers)
    (record, etag), requests = await answered(
        answer, call=lambda c: c.get_model_with_etag(MODEL_ID, fields=["tags", "owners"])
    )
    assert (
        str(requests[0].url) == f"http://catalog.test/api/v1/mlmodels/{MODEL_ID}?fields=owners,tags"
    )
    assert (record.id, etag) == (MODEL_ID, expected)


async def test_reads_by_name_with_the_etag() -> None:
    model = httpx.Response(200, json=MODEL, headers={"ETag": '"m"'})
    table = httpx.Response(200, json=TABLE, headers={"ETag": '"t"'})
    (_, model_etag), model_requests = await answered(
        model, call=lambda c: c.get_model_by_name_with_etag("svc.churn")
    )
    (_, table_etag), table_requests = await answered(
        table,
        call=lambda c: c.get_table_by_name_with_etag("pg.shop.public.orders", fields=["tags"]),
    )
    assert (model_etag, table_etag) == ('"m"', '"t"')
    assert model_requests[0].url.path == "/api/v1/mlmodels/name/svc.churn"
    assert str(table_requests[0].url).endswith("/v1/tables/name/pg.shop.public.orders?fields=tags")


async def test_over_the_pool_the_headers_are_read_whatever_their_case(serve: Serve) -> None:
    # given a server that answers a PATCH and a GET with mixed-case headers
    body = json.dumps(MODEL).encode()
    server = await serve(
        lambda request: (
            ok(body, "x-OpenMetadata-CHANGE: entityNoChange")
            if request.startswith(b"PATCH")
            else ok(body, 'ETAG: "e1"')
        )
    )
    http = UpstreamHttp(UpstreamConfig("catalog", f"{server.url}/api", transport="pool"))
    client = CatalogClient(http, auth=None)
    # when
    _, etag = await client.get_model_with_etag(MODEL_ID)
    _, was_changed = await client.patch_model(MODEL_ID, OPERATIONS, if_match=etag)
    await http.aclose()
    # then
    assert (etag, was_changed) == ('"e1"', False)
    patch = server.requests[1]
    assert b'\r\nIf-Match: "e1"\r\n' in patch
    assert b"\r\nContent-Type: application/json-patch+json\r\n" in patch
