"""Upstream failures become typed per-field errors with partial data, and leak nothing."""

from __future__ import annotations

import orjson
import pytest

from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway
from tests.gateway.rest import all_models, catalog_get, registry_get

TWO_UPSTREAMS = """
query Both($rid: String!) {
  mlModels(first: 2) { nodes { name } }
  modelVersions(modelRid: $rid, first: 1) { nodes { rid } }
}
"""

SECRETS = ("emulator-token", "Injected fault", "Bad Gateway", "Traceback", '"id": 42')


def _registry_rid(emulator: EmulatorHandle) -> str:
    for model in all_models(emulator, fields="extension"):
        rid = model.get("extension", {}).get("registryModelRid")
        if rid:
            return str(rid)
    raise AssertionError("the seed links no ML model to the registry")


def _newest_version(emulator: EmulatorHandle, model_rid: str) -> str:
    """RID of the first version the registry lists for the model on its default branch."""
    page = registry_get(emulator, f"/api/v2/models/{model_rid}/versions", pageSize=1)
    return str(page["data"][0]["rid"])


def _assert_no_leak(result: dict[str, object], *, upstream_message_allowed: bool = False) -> None:
    """No token, raw body or traceback; a 400's own message is the one thing passed on."""
    text = orjson.dumps(result).decode()
    for secret in SECRETS:
        if upstream_message_allowed and secret == "Injected fault":
            continue
        assert secret not in text


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "BAD_USER_INPUT"),
        (401, "UNAUTHENTICATED"),
        (403, "FORBIDDEN"),
        (409, "CONFLICT"),
        (412, "PRECONDITION_FAILED"),
        (429, "RATE_LIMITED"),
        (500, "UPSTREAM_ERROR"),
        (503, "UPSTREAM_ERROR"),
    ],
)
async def test_registry_status_family_fails_only_its_field(
    gateway: GatewayClient, emulator: EmulatorHandle, status: int, code: str
) -> None:
    # given
    rid = _registry_rid(emulator)
    names = [m["name"] for m in all_models(emulator)[:2]]
    emulator.add_fault(match="registry", status=status)
    # when
    result = await gateway.execute(TWO_UPSTREAMS, {"rid": rid})
    # then: the catalog half answers, the registry field is null with a typed error
    assert result["data"] == {
        "mlModels": {"nodes": [{"name": n} for n in names]},
        "modelVersions": None,
    }
    errors = result["errors"]
    assert isinstance(errors, list)
    assert [e["path"] for e in errors] == [["modelVersions"]]
    assert errors[0]["extensions"]["code"] == code
    assert errors[0]["extensions"]["upstream"] == "registry"
    _assert_no_leak(result, upstream_message_allowed=status == 400)


@pytest.mark.parametrize(
    ("fault", "code"),
    [
        ({"body": "non-json"}, "UPSTREAM_ERROR"),
        ({"body": "schema-violation"}, "UPSTREAM_ERROR"),
        ({"delay_ms": 1500}, "UPSTREAM_UNAVAILABLE"),
    ],
)
async def test_catalog_transport_faults(
    emulator: EmulatorHandle, fault: dict[str, object], code: str
) -> None:
    # given: a short timeout so the delay is a hang to the gateway
    settings = gateway_settings(emulator, upstream_timeout=0.5, upstream_retries=0)
    rid = _registry_rid(emulator)
    emulator.add_fault(match="GET /api/v1/mlmodels", **fault)
    async with running_gateway(settings, emulator) as gateway:
        # when
        result = await gateway.execute(TWO_UPSTREAMS, {"rid": rid})
    # then: mlModels alone is null, and the registry half answers
    assert result["data"] == {
        "mlModels": None,
        "modelVersions": {"nodes": [{"rid": _newest_version(emulator, rid)}]},
    }
    errors = result["errors"]
    assert isinstance(errors, list)
    assert [e["extensions"]["code"] for e in errors] == [code]
    assert errors[0]["path"] == ["mlModels"]
    _assert_no_leak(result)


THREE_ROOTS = "{ mlModels { nodes { name } } tables(first: 2) { nodes { name } } me { name } }"


async def test_a_failing_root_list_leaves_the_other_root_fields_answered(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a catalog whose model list fails (every attempt), while its tables and users answer
    tables = catalog_get(emulator, "/v1/tables", limit=2)["data"]
    me = catalog_get(emulator, "/v1/users/loggedInUser")
    emulator.add_fault(match="GET /api/v1/mlmodels", status=503)
    emulator.reset_counters()
    # when
    result = await gateway.execute(THREE_ROOTS)
    # then mlModels alone is null, with the one error the 503 maps to
    assert result == {
        "data": {
            "mlModels": None,
            "tables": {"nodes": [{"name": t["name"]} for t in tables]},
            "me": {"name": me["name"]},
        },
        "errors": [
            {
                "message": "The catalog failed to answer (HTTP 503)",
                "locations": [{"line": 1, "column": 3}],
                "path": ["mlModels"],
                "extensions": {"code": "UPSTREAM_ERROR", "upstream": "catalog"},
            }
        ],
    }
    assert len(tables) == 2
    # the list was tried twice (one retry), the other two fields asked once each
    assert emulator.counters() == {
        "GET /api/v1/mlmodels": 2,
        "GET /api/v1/tables": 1,
        "GET /api/v1/users/loggedInUser": 1,
    }


async def test_connection_refused_is_upstream_unavailable(emulator: EmulatorHandle) -> None:
    from gateway.server.embedded import free_port

    settings = gateway_settings(
        emulator, registry_url=f"http://127.0.0.1:{free_port()}", upstream_retries=0
    )
    rid = _registry_rid(emulator)
    async with running_gateway(settings, emulator) as gateway:
        result = await gateway.execute(TWO_UPSTREAMS, {"rid": rid})
    assert result["data"]["mlModels"] is not None
    assert result["data"]["modelVersions"] is None
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_UNAVAILABLE"]


async def test_missing_entity_reads_as_null_without_error(gateway: GatewayClient) -> None:
    result = await gateway.execute(
        'query { mlModel(id: "00000000-0000-0000-0000-000000000000") { name } '
        'table(fullyQualifiedName: "no.such.schema.table") { name } }'
    )
    assert result == {"data": {"mlModel": None, "table": None}}


async def test_invalid_id_is_rejected_before_any_upstream_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute('query { mlModel(id: "not-a-uuid") { name } }')
    assert result["data"] == {"mlModel": None}
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
    assert emulator.counters() == {}


async def test_upstream_400_is_bad_user_input_with_its_message(gateway: GatewayClient) -> None:
    # A cursor that is not a cursor reaches the catalog, which answers 400.
    result = await gateway.execute('query { mlModels(first: 2, after: "%%%") { totalCount } }')
    assert result["data"] == {"mlModels": None}
    error = result["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["upstream"] == "catalog"


def test_unexpected_exception_is_masked(caplog: pytest.LogCaptureFixture) -> None:
    from graphql import GraphQLError

    from gateway.graphql.schema import shape_error

    error = GraphQLError("boom", path=["mlModels"], original_error=KeyError("token=s3cret"))
    shape_error(error)
    assert error.formatted == {
        "message": "Internal server error.",
        "path": ["mlModels"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR"},
    }
    assert "s3cret" in caplog.text


async def test_no_token_anywhere_is_unauthenticated(emulator: EmulatorHandle) -> None:
    settings = gateway_settings(emulator, catalog_token=None, registry_token=None)
    async with running_gateway(settings, emulator) as gateway:
        result = await gateway.execute("query { me { name } }", anonymous=True)
    assert result["data"] == {"me": None}
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UNAUTHENTICATED"]
