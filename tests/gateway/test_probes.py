"""`/healthz` says the process is up; `/readyz` checks each upstream."""

from __future__ import annotations

from gateway.server.embedded import free_port
from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway


async def test_healthz_and_readyz(gateway: GatewayClient) -> None:
    health = await gateway.http.get("/healthz")
    ready = await gateway.http.get("/readyz")
    assert (health.status_code, health.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (
        200,
        {"status": "ready", "upstreams": {"catalog": "ok", "registry": "ok"}},
    )


async def test_readyz_names_the_unreachable_upstream(emulator: EmulatorHandle) -> None:
    settings = gateway_settings(
        emulator, catalog_url=f"http://127.0.0.1:{free_port()}/api", upstream_retries=0
    )
    async with running_gateway(settings, emulator) as gateway:
        ready = await gateway.http.get("/readyz")
        health = await gateway.http.get("/healthz")
    assert health.status_code == 200
    assert (ready.status_code, ready.json()) == (
        503,
        {
            "status": "unavailable",
            "upstreams": {"catalog": "UPSTREAM_UNAVAILABLE", "registry": "ok"},
        },
    )


async def test_caller_token_is_forwarded_and_service_token_is_the_fallback(
    gateway: GatewayClient,
) -> None:
    as_service = await gateway.execute("query { me { name } }")
    users = await gateway.execute("query { users(first: 3) { nodes { name } } }")
    someone = users["data"]["users"]["nodes"][-1]["name"]
    as_caller = await gateway.execute("query { me { name } }", user=someone)
    assert as_service == {"data": {"me": {"name": "admin"}}}
    assert as_caller == {"data": {"me": {"name": someone}}}
