"""CORS: an allow-list of origins (none by default), preflights, and the `cors_origins` setting."""

from __future__ import annotations

import httpx
import pytest
from pydantic import ValidationError

from gateway.base.settings import Settings
from tests.http.conftest import GatewayFactory

APP = "https://app.example.com"
OTHER = "https://evil.example.net"
REJECTED_ORIGIN = {
    "errors": [
        {
            "message": "This origin may not call the API (setting cors_origins).",
            "extensions": {"code": "CORS_REJECTED"},
        }
    ]
}
PREFLIGHT_VARY = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"


def preflight(origin: str, method: str = "POST", **extra: str) -> dict[str, str]:
    return {"Origin": origin, "Access-Control-Request-Method": method, **extra}


async def test_by_default_no_origin_passes_a_preflight(http: httpx.AsyncClient) -> None:
    response = await http.options("/graphql", headers=preflight(APP))

    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert response.json() == REJECTED_ORIGIN


async def test_by_default_cross_origin_answers_are_not_readable(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Origin": APP}
    )

    # the request runs (a same-origin page sends Origin too), but grants no access
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers
    assert response.headers["vary"] == "Accept, Origin"


async def test_an_allowed_origin_passes_preflight_with_its_headers(
    gateway_with: GatewayFactory,
) -> None:
    async with gateway_with(cors_origins=f"{APP}, http://localhost:3000") as gateway:
        response = await gateway.http.options(
            "/graphql",
            headers=preflight(
                APP,
                **{
                    "Access-Control-Request-Headers": "content-type, authorization",
                    "Access-Control-Request-Private-Network": "true",
                },
            ),
        )

    assert response.status_code == 204
    assert {k: v for k, v in response.headers.items() if k.startswith("access-control")} == {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "GET, POST",
        "access-control-allow-headers": "content-type, authorization",
        "access-control-allow-private-network": "true",
        "access-control-max-age": "600",
    }
    assert response.headers["vary"] == PREFLIGHT_VARY


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        (preflight(OTHER), "This origin may not call the API (setting cors_origins)."),
        (preflight(APP, "PUT"), "PUT is not allowed: use GET or POST."),
    ],
)
async def test_preflights_outside_the_allow_list_are_refused(
    gateway_with: GatewayFactory, headers: dict[str, str], message: str
) -> None:
    async with gateway_with(cors_origins=APP) as gateway:
        response = await gateway.http.options("/graphql", headers=headers)

    assert response.status_code == 403
    assert "access-control-allow-origin" not in response.headers
    assert response.json() == {
        "errors": [{"message": message, "extensions": {"code": "CORS_REJECTED"}}]
    }


async def test_answers_name_the_allowed_origin_only(gateway_with: GatewayFactory) -> None:
    async with gateway_with(cors_origins=APP) as gateway:
        allowed = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": APP}
        )
        other = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": OTHER}
        )

    assert allowed.headers["access-control-allow-origin"] == APP
    assert allowed.headers["access-control-expose-headers"] == "X-Request-ID"
    assert allowed.headers["vary"] == "Accept, Origin"
    assert "access-control-allow-credentials" not in allowed.headers
    assert "access-control-allow-origin" not in other.headers
    assert allowed.json() == other.json() == {"data": {"__typename": "Query"}}


async def test_a_wildcard_allows_any_origin(gateway_with: GatewayFactory) -> None:
    async with gateway_with(cors_origins="*") as gateway:
        answer = await gateway.http.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"Origin": OTHER}
        )
        preflight_answer = await gateway.http.options("/graphql", headers=preflight(OTHER))

    assert answer.headers["access-control-allow-origin"] == "*"
    assert answer.headers["vary"] == "Accept"
    assert preflight_answer.status_code == 204
    assert preflight_answer.headers["access-control-allow-origin"] == "*"


async def test_errors_are_readable_by_an_allowed_origin(gateway_with: GatewayFactory) -> None:
    async with gateway_with(cors_origins=APP) as gateway:
        response = await gateway.http.post(
            "/graphql", content=b"{", headers={"Origin": APP, "Content-Type": "application/json"}
        )

    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == APP


@pytest.mark.parametrize(
    ("value", "origins"),
    [
        ("", ()),
        ("*", ("*",)),
        (
            "https://App.Example.com/, http://localhost:3000,https://x.org:443,http://[::1]:8080",
            (
                "https://app.example.com",
                "http://localhost:3000",
                "https://x.org",
                "http://[::1]:8080",
            ),
        ),
        (["http://a.test:80"], ("http://a.test",)),
        ('["https://a.test", "https://b.test:8443"]', ("https://a.test", "https://b.test:8443")),
    ],
)
def test_cors_origins_setting_is_normalized_as_browsers_send_origins(
    value: object, origins: tuple[str, ...]
) -> None:
    assert Settings(cors_origins=value).cors_origins == origins


def test_cors_origins_setting_reads_a_comma_separated_environment_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GATEWAY_CORS_ORIGINS", "https://a.test,https://b.test")

    assert Settings().cors_origins == ("https://a.test", "https://b.test")


@pytest.mark.parametrize(
    "value",
    ["ftp://a.test", "https://a.test/path", "a.test", "https://user@a.test", "https://a.test?q"],
)
def test_cors_origins_setting_rejects_what_is_not_an_origin(value: str) -> None:
    with pytest.raises(ValidationError, match="is not an origin like"):
        Settings(cors_origins=value)
