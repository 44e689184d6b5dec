"""Failures injected through the emulator's knobs, and a closed port, over both transports."""

from __future__ import annotations

import socket
import time

import pytest

from gateway.base.errors import (
    BadUserInputError,
    GatewayError,
    NotFoundError,
    UpstreamError,
    UpstreamUnavailableError,
)
from gateway.emulator.registry.seed import CHURN_MODEL_RID, CHURN_PROD_MODEL_RID
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.http import UpstreamConfig, UpstreamHttp
from gateway.upstream.records import RegistryModelRecord
from gateway.upstream.registry import RegistryClient
from tests.conftest import EmulatorHandle
from tests.upstream.conftest import Transport, logged

LIST_MODELS = "GET /api/v1/mlmodels"
CREATE_MODEL = "POST /api/v1/mlmodels"
GET_REGISTRY_MODEL = "GET /api/v2/models/{modelRid}"
PROMOTE = "POST /api/v2/models/{modelRid}/promoteVersion"
CHURN_VERSION = "ri.models.main.model-version.00000000-0000-4000-8000-000000000000"


def statuses(emulator: EmulatorHandle, route: str) -> list[int]:
    return [status for _, status in logged(emulator, route)]


def assert_nothing_leaks(error: GatewayError, emulator: EmulatorHandle) -> None:
    text = str(error)
    for secret in (emulator.token, "Injected fault", "Bad Gateway", emulator.url):
        assert secret not in text


# Retries


async def test_a_read_is_retried_after_a_503(
    registry: RegistryClient, emulator: EmulatorHandle
) -> None:
    # given one 503 in front of the registry's get-model route
    emulator.add_fault(match=GET_REGISTRY_MODEL, status=503, times=1)
    # when
    model = await registry.get_model(CHURN_MODEL_RID)
    # then the second attempt answered
    assert model == RegistryModelRecord(rid=CHURN_MODEL_RID)
    assert statuses(emulator, GET_REGISTRY_MODEL) == [503, 200]


async def test_a_catalog_read_gives_up_after_its_retries(
    catalog: CatalogClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=LIST_MODELS, status=503)
    with pytest.raises(UpstreamError) as caught:
        await catalog.list_models()
    assert (caught.value.code, caught.value.status) == ("UPSTREAM_ERROR", 503)
    assert caught.value.message == "The catalog failed to answer (HTTP 503)"
    assert statuses(emulator, LIST_MODELS) == [503, 503]
    assert_nothing_leaks(caught.value, emulator)


async def test_a_catalog_post_is_never_retried(
    catalog: CatalogClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=CREATE_MODEL, status=503, times=1)
    with pytest.raises(UpstreamError) as caught:
        await catalog.create_model({"name": "late", "service": "mlflow_prod"})
    assert caught.value.status == 503
    assert statuses(emulator, CREATE_MODEL) == [503]


async def test_a_registry_post_is_never_retried(
    registry: RegistryClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=PROMOTE, status=503, times=1)
    with pytest.raises(UpstreamError):
        await registry.promote_version(CHURN_PROD_MODEL_RID, CHURN_VERSION)
    assert statuses(emulator, PROMOTE) == [503]


# Status mapping of injected errors


async def test_an_injected_catalog_400_shows_the_upstream_message(
    catalog: CatalogClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=LIST_MODELS, status=400)
    with pytest.raises(BadUserInputError) as caught:
        await catalog.list_models()
    assert caught.value.message == "Injected fault"
    assert caught.value.to_extensions() == {"code": "BAD_USER_INPUT", "upstream": "catalog"}


async def test_an_injected_registry_404_is_not_found(
    registry: RegistryClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match="registry", status=404)
    with pytest.raises(NotFoundError) as caught:
        await registry.get_model(CHURN_MODEL_RID)
    assert caught.value.to_extensions() == {
        "code": "NOT_FOUND",
        "upstream": "registry",
        "upstreamError": "Default:InjectedFault",
    }
    assert statuses(emulator, GET_REGISTRY_MODEL) == [404]


# Garbage bodies


@pytest.mark.parametrize("body", ["non-json", "schema-violation"])
async def test_a_garbage_catalog_body_is_an_upstream_error(
    body: str, catalog: CatalogClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=LIST_MODELS, body=body)
    with pytest.raises(UpstreamError) as caught:
        await catalog.list_models()
    assert caught.value.to_extensions() == {"code": "UPSTREAM_ERROR", "upstream": "catalog"}
    assert (caught.value.message, caught.value.status) == (
        "The catalog sent an invalid response",
        200,
    )
    assert statuses(emulator, LIST_MODELS) == [200]
    assert_nothing_leaks(caught.value, emulator)


@pytest.mark.parametrize("body", ["non-json", "schema-violation"])
async def test_a_garbage_registry_body_is_an_upstream_error(
    body: str, registry: RegistryClient, emulator: EmulatorHandle
) -> None:
    emulator.add_fault(match=GET_REGISTRY_MODEL, body=body)
    with pytest.raises(UpstreamError) as caught:
        await registry.get_model(CHURN_MODEL_RID)
    assert caught.value.message == "The registry sent an invalid response"


# Unreachable upstreams


async def test_a_hanging_upstream_times_out_without_a_retry(
    emulator: EmulatorHandle, transport: Transport
) -> None:
    # given a client with a short timeout and an upstream that answers after 30 s
    config = UpstreamConfig("registry", emulator.registry_url, timeout=0.2, transport=transport)
    http = UpstreamHttp(config)
    registry = RegistryClient(http, auth=emulator.headers()["Authorization"])
    emulator.add_fault(match=GET_REGISTRY_MODEL, delay_ms=30_000, times=1)
    # when
    started = time.monotonic()
    with pytest.raises(UpstreamUnavailableError) as caught:
        await registry.get_model(CHURN_MODEL_RID)
    elapsed = time.monotonic() - started
    await http.aclose()
    # then it gave up long before the hang (or the 10 s default timeout) was over
    assert caught.value.message == "The registry is unavailable (timeout)"
    assert elapsed < 5
    assert_nothing_leaks(caught.value, emulator)
    # the emulator counts a request when it arrives: exactly one attempt was made
    assert emulator.counters() == {GET_REGISTRY_MODEL: 1}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_a_closed_port_is_unavailable(transport: Transport) -> None:
    # given an upstream URL nothing listens on, and a service token
    url = f"http://127.0.0.1:{closed_port()}/api"
    config = UpstreamConfig("catalog", url, token="service-secret", transport=transport)
    http = UpstreamHttp(config)
    # when
    with pytest.raises(UpstreamUnavailableError) as caught:
        await CatalogClient(http, auth=None).list_models()
    await http.aclose()
    # then
    assert caught.value.to_extensions() == {"code": "UPSTREAM_UNAVAILABLE", "upstream": "catalog"}
    assert caught.value.message == "The catalog is unavailable (connection failed)"
    assert "service-secret" not in str(caught.value)
    assert url not in str(caught.value)
