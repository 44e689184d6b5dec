"""UpstreamHttp over a scripted transport: credentials, bodies, retries and the error table."""

from __future__ import annotations

import logging
from typing import Any

import httpx
import pytest

from gateway.base.errors import (
    BadUserInputError,
    ConflictError,
    ForbiddenError,
    GatewayError,
    NotFoundError,
    PreconditionFailedError,
    RateLimitedError,
    UnauthenticatedError,
    UpstreamError,
    UpstreamUnavailableError,
)
from gateway.upstream.http import sanitize
from gateway.upstream.records import RegistryModelRecord
from tests.upstream.scripted import ScriptedUpstream, json_response, raw_response

RID = "ri.models.main.model.8c1d6f0a-2e3b-4a5c-9d7e-6f1a2b3c4d5e"
OK = {"rid": RID}
SERVICE_TOKEN = "service-token-5f2a"
CALLER_TOKEN = "caller-token-77c1"
SECRET_BODY = "stack trace with password=hunter2"


async def get(upstream: ScriptedUpstream, **config: Any) -> RegistryModelRecord:
    http = upstream.http(**config)
    try:
        reply = await http.request(
            "GET", "/v1/thing", RegistryModelRecord, auth=None, idempotent=True
        )
    finally:
        await http.aclose()
    return reply.data


async def post(upstream: ScriptedUpstream, **config: Any) -> RegistryModelRecord:
    http = upstream.http(**config)
    try:
        reply = await http.request(
            "POST", "/v1/thing", RegistryModelRecord, auth=None, idempotent=False, json={}
        )
    finally:
        await http.aclose()
    return reply.data


# Credentials and request shape


async def test_forwards_the_callers_authorization_verbatim() -> None:
    # given an upstream with a service token
    upstream = ScriptedUpstream(json_response(200, OK))
    http = upstream.http(token=SERVICE_TOKEN)
    # when a caller with its own credentials calls
    await http.request(
        "GET", "/v1/thing", RegistryModelRecord, auth=f"Bearer {CALLER_TOKEN}", idempotent=True
    )
    await http.aclose()
    # then the caller's header is sent as is
    assert upstream.requests[0].headers["authorization"] == f"Bearer {CALLER_TOKEN}"


async def test_falls_back_to_the_service_token() -> None:
    upstream = ScriptedUpstream(json_response(200, OK))
    await get(upstream, token=SERVICE_TOKEN)
    assert upstream.requests[0].headers["authorization"] == f"Bearer {SERVICE_TOKEN}"


async def test_sends_no_authorization_without_caller_or_service_token() -> None:
    upstream = ScriptedUpstream(json_response(200, OK))
    await get(upstream)
    assert "authorization" not in upstream.requests[0].headers


async def test_encodes_json_bodies_and_sets_the_headers() -> None:
    # given
    upstream = ScriptedUpstream(json_response(201, OK))
    http = upstream.http()
    # when
    reply = await http.request(
        "POST",
        "/v1/mlmodels",
        RegistryModelRecord,
        auth=None,
        idempotent=False,
        json={"name": "churn", "tags": []},
        request_id="req-42",
    )
    await http.aclose()
    # then
    sent = upstream.requests[0]
    assert (reply.status, reply.data) == (201, RegistryModelRecord(rid=RID))
    assert str(sent.url) == "http://catalog.test/api/v1/mlmodels"
    assert sent.content == b'{"name":"churn","tags":[]}'
    assert sent.headers["content-type"] == "application/json"
    assert sent.headers["accept"] == "application/json"
    assert sent.headers["x-request-id"] == "req-42"


async def test_a_get_carries_no_body_and_no_content_type() -> None:
    upstream = ScriptedUpstream(json_response(200, OK))
    await get(upstream)
    sent = upstream.requests[0]
    assert sent.content == b""
    assert "content-type" not in sent.headers
    assert "x-request-id" not in sent.headers


async def test_reply_exposes_status_and_headers() -> None:
    upstream = ScriptedUpstream(
        httpx.Response(201, json=OK, headers={"X-OpenMetadata-Change": "entityCreated"})
    )
    http = upstream.http()
    reply = await http.request("PUT", "/v1/x", RegistryModelRecord, auth=None, idempotent=True)
    await http.aclose()
    assert reply.status == 201
    assert reply.headers["x-openmetadata-change"] == "entityCreated"


# Retries


async def test_retries_an_idempotent_call_on_503() -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503}), json_response(200, OK))
    assert await get(upstream) == RegistryModelRecord(rid=RID)
    assert len(upstream.requests) == 2


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_gives_up_after_the_configured_retries(status: int) -> None:
    upstream = ScriptedUpstream(json_response(status, {"code": status, "message": "down"}))
    with pytest.raises(UpstreamError) as caught:
        await get(upstream, retries=2)
    assert len(upstream.requests) == 3
    assert caught.value.status == status
    assert caught.value.message == f"The catalog failed to answer (HTTP {status})"


async def test_never_retries_a_non_idempotent_call() -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503}), json_response(200, OK))
    with pytest.raises(UpstreamError):
        await post(upstream, retries=3)
    assert len(upstream.requests) == 1


async def test_does_not_retry_other_5xx() -> None:
    upstream = ScriptedUpstream(json_response(500, {"code": 500}), json_response(200, OK))
    with pytest.raises(UpstreamError):
        await get(upstream, retries=3)
    assert len(upstream.requests) == 1


async def test_retries_an_idempotent_call_after_a_connect_error() -> None:
    upstream = ScriptedUpstream(httpx.ConnectError("refused"), json_response(200, OK))
    assert await get(upstream) == RegistryModelRecord(rid=RID)
    assert len(upstream.requests) == 2


async def test_a_connect_error_on_a_non_idempotent_call_is_unavailable_at_once() -> None:
    upstream = ScriptedUpstream(httpx.ConnectError("refused"), json_response(200, OK))
    with pytest.raises(UpstreamUnavailableError) as caught:
        await post(upstream)
    assert len(upstream.requests) == 1
    assert caught.value.message == "The catalog is unavailable (connection failed)"


async def test_zero_retries_means_one_attempt() -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503}), json_response(200, OK))
    with pytest.raises(UpstreamError):
        await get(upstream, retries=0)
    assert len(upstream.requests) == 1


async def test_a_read_timeout_is_unavailable_and_not_retried() -> None:
    upstream = ScriptedUpstream(httpx.ReadTimeout("slow"), json_response(200, OK))
    with pytest.raises(UpstreamUnavailableError) as caught:
        await get(upstream, retries=2)
    assert len(upstream.requests) == 1
    assert caught.value.to_extensions() == {"code": "UPSTREAM_UNAVAILABLE", "upstream": "catalog"}
    assert caught.value.message == "The catalog is unavailable (timeout)"


async def test_a_broken_connection_is_unavailable() -> None:
    upstream = ScriptedUpstream(httpx.RemoteProtocolError("peer closed"))
    with pytest.raises(UpstreamUnavailableError) as caught:
        await get(upstream)
    assert caught.value.message == "The catalog is unavailable (transport error)"


# The error table

STATUS_TABLE = [
    (401, UnauthenticatedError, "UNAUTHENTICATED", "The catalog rejected the credentials"),
    (403, ForbiddenError, "FORBIDDEN", "The catalog does not allow this operation"),
    (404, NotFoundError, "NOT_FOUND", "The catalog has no such resource"),
    (409, ConflictError, "CONFLICT", "The catalog reports a conflict with an existing resource"),
    (
        412,
        PreconditionFailedError,
        "PRECONDITION_FAILED",
        "The catalog reports the resource changed since it was read",
    ),
    (429, RateLimitedError, "RATE_LIMITED", "The catalog is rate limiting requests; retry later"),
    (405, BadUserInputError, "BAD_USER_INPUT", "The catalog rejected the request (HTTP 405)"),
    (422, BadUserInputError, "BAD_USER_INPUT", "The catalog rejected the request (HTTP 422)"),
    (500, UpstreamError, "UPSTREAM_ERROR", "The catalog failed to answer (HTTP 500)"),
    (501, UpstreamError, "UPSTREAM_ERROR", "The catalog failed to answer (HTTP 501)"),
    (302, UpstreamError, "UPSTREAM_ERROR", "The catalog sent an unexpected HTTP 302"),
]


@pytest.mark.parametrize(("status", "kind", "code", "message"), STATUS_TABLE)
async def test_catalog_statuses_map_to_fixed_messages(
    status: int, kind: type[GatewayError], code: str, message: str
) -> None:
    # given an upstream error whose body holds text that must not leak
    upstream = ScriptedUpstream(json_response(status, {"code": status, "message": SECRET_BODY}))
    # when
    with pytest.raises(GatewayError) as caught:
        await get(upstream, retries=0)
    # then
    error = caught.value
    assert type(error) is kind
    assert (error.code, error.message, error.status, error.upstream) == (
        code,
        message,
        status,
        "catalog",
    )
    assert error.to_extensions() == {"code": code, "upstream": "catalog"}
    assert SECRET_BODY not in str(error)


async def test_a_catalog_400_carries_the_upstream_message() -> None:
    upstream = ScriptedUpstream(
        json_response(400, {"code": 400, "message": "Invalid field name wrongField"})
    )
    with pytest.raises(BadUserInputError) as caught:
        await get(upstream)
    assert caught.value.message == "Invalid field name wrongField"
    assert caught.value.to_extensions() == {"code": "BAD_USER_INPUT", "upstream": "catalog"}


async def test_a_catalog_400_without_a_readable_message_gets_a_fixed_one() -> None:
    upstream = ScriptedUpstream(raw_response(400, b"<html>Bad Request</html>"))
    with pytest.raises(BadUserInputError) as caught:
        await get(upstream)
    assert caught.value.message == "The catalog rejected the request as invalid"


async def test_a_registry_404_names_the_registry_error() -> None:
    # given the registry's error envelope
    body = {
        "errorCode": "NOT_FOUND",
        "errorName": "ModelNotFound",
        "errorInstanceId": "2f6c1a9e-8b3d-4c7a-9e21-5d4f3b2a1c0e",
        "parameters": {"modelRid": RID},
    }
    upstream = ScriptedUpstream(json_response(404, body))
    # when
    with pytest.raises(NotFoundError) as caught:
        await get(upstream, name="registry")
    # then
    assert caught.value.message == "The registry has no such resource"
    assert caught.value.to_extensions() == {
        "code": "NOT_FOUND",
        "upstream": "registry",
        "upstreamError": "ModelNotFound",
    }


async def test_a_registry_400_message_is_the_error_name_and_its_scalar_parameters() -> None:
    body = {
        "errorCode": "INVALID_ARGUMENT",
        "errorName": "InvalidPageSize",
        "errorInstanceId": "3c4d5e6f-7a8b-4c9d-8e0f-2a3b4c5d6e7f",
        "parameters": {"pageSize": 0, "nested": {"secret": SECRET_BODY}},
    }
    upstream = ScriptedUpstream(json_response(400, body))
    with pytest.raises(BadUserInputError) as caught:
        await get(upstream, name="registry")
    assert caught.value.message == "InvalidPageSize: pageSize=0"
    assert caught.value.to_extensions() == {
        "code": "BAD_USER_INPUT",
        "upstream": "registry",
        "upstreamError": "InvalidPageSize",
    }


async def test_a_registry_error_with_an_odd_name_is_not_echoed() -> None:
    body = {"errorCode": "INVALID_ARGUMENT", "errorName": "<script>", "parameters": {}}
    upstream = ScriptedUpstream(json_response(400, body))
    with pytest.raises(BadUserInputError) as caught:
        await get(upstream, name="registry")
    assert caught.value.message == "The registry rejected the request as invalid"
    assert caught.value.to_extensions() == {"code": "BAD_USER_INPUT", "upstream": "registry"}


async def test_a_non_json_success_body_is_an_upstream_error() -> None:
    upstream = ScriptedUpstream(raw_response(200, b"<html><body>502 Bad Gateway</body></html>"))
    with pytest.raises(UpstreamError) as caught:
        await get(upstream)
    assert (caught.value.message, caught.value.status) == (
        "The catalog sent an invalid response",
        200,
    )


async def test_a_schema_violating_success_body_is_an_upstream_error() -> None:
    upstream = ScriptedUpstream(json_response(200, {"rid": 42}))
    with pytest.raises(UpstreamError) as caught:
        await get(upstream)
    assert caught.value.to_extensions() == {"code": "UPSTREAM_ERROR", "upstream": "catalog"}


async def test_unknown_fields_in_a_success_body_are_ignored() -> None:
    upstream = ScriptedUpstream(json_response(200, {"rid": RID, "addedLater": {"x": 1}}))
    assert await get(upstream) == RegistryModelRecord(rid=RID)


# What reaches messages and logs


async def test_tokens_and_bodies_stay_out_of_errors_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # given a failing upstream, a service token and a caller token
    upstream = ScriptedUpstream(json_response(500, {"code": 500, "message": SECRET_BODY}))
    http = upstream.http(token=SERVICE_TOKEN)
    # when
    with caplog.at_level(logging.INFO, logger="gateway.upstream"):
        for auth in (None, f"Bearer {CALLER_TOKEN}"):
            with pytest.raises(UpstreamError) as caught:
                await http.request("GET", "/v1/x", RegistryModelRecord, auth=auth, idempotent=True)
            assert SERVICE_TOKEN not in str(caught.value)
            assert CALLER_TOKEN not in str(caught.value)
    await http.aclose()
    # then the failure is logged at warning level without any credential
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 2
    assert all(r.name == "gateway.upstream" for r in caplog.records)
    assert SERVICE_TOKEN not in caplog.text
    assert CALLER_TOKEN not in caplog.text


async def test_a_400_message_is_sanitised_before_it_is_shown_or_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    message = "bad\x00 value\n\tBearer abc.def see http://h/x?token=s3cret " + "y" * 300
    upstream = ScriptedUpstream(json_response(400, {"code": 400, "message": message}))
    with (
        caplog.at_level(logging.WARNING, logger="gateway.upstream"),
        pytest.raises(BadUserInputError) as caught,
    ):
        await get(upstream)
    expected = sanitize(message)
    assert caught.value.message == expected
    assert expected.startswith("bad value [redacted] see http://h/x yyy")
    assert len(expected) == 200
    assert expected.endswith("…")
    assert "s3cret" not in caplog.text
    assert "abc.def" not in caplog.text


def test_sanitize_redacts_jwts_and_keeps_plain_text() -> None:
    jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.e30"
    assert sanitize(f"token {jwt} rejected") == "token [redacted] rejected"
    assert sanitize("mlmodel instance for svc.churn not found") == (
        "mlmodel instance for svc.churn not found"
    )


def test_the_config_repr_masks_the_token() -> None:
    upstream = ScriptedUpstream(json_response(200, OK))
    http = upstream.http(token=SERVICE_TOKEN)
    assert SERVICE_TOKEN not in repr(http.config)
    assert "token='**********'" in repr(http.config)


# Ping


async def test_ping_accepts_any_answer_below_500() -> None:
    upstream = ScriptedUpstream(json_response(404, {"code": 404, "message": "nope"}))
    http = upstream.http(token=SERVICE_TOKEN)
    await http.ping()
    await http.aclose()
    assert str(upstream.requests[0].url) == "http://catalog.test/api/"
    assert "authorization" not in upstream.requests[0].headers


async def test_ping_reports_a_failing_upstream() -> None:
    upstream = ScriptedUpstream(json_response(503, {"code": 503, "message": "down"}))
    http = upstream.http()
    with pytest.raises(UpstreamError) as caught:
        await http.ping()
    await http.aclose()
    assert caught.value.message == "The catalog failed to answer (HTTP 503)"
    assert len(upstream.requests) == 1


async def test_ping_reports_an_unreachable_upstream() -> None:
    upstream = ScriptedUpstream(httpx.ConnectError("refused"))
    http = upstream.http(name="registry")
    with pytest.raises(UpstreamUnavailableError) as caught:
        await http.ping()
    await http.aclose()
    assert caught.value.message == "The registry is unavailable (connection failed)"
