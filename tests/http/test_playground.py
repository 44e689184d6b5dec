"""The playground page and its assets over HTTP (the browser test drives it for real)."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from graphql import parse, validate

from gateway.graphql.schema import create_schema
from gateway.server.playground import CONTENT_SECURITY_POLICY, EXAMPLE_OPERATION, NPM_ASSETS
from tests.browser.environment import require_assets
from tests.conftest import GatewayClient
from tests.http.conftest import GatewayFactory

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ASSET_URL = re.compile(r'(?:src|href)="([^"]+)"')


@pytest.fixture
def assets() -> None:
    """The npm files the page loads (installed by the set-up; CI fails without them)."""
    require_assets()


def page_urls(html: str) -> list[str]:
    return ASSET_URL.findall(html)


@pytest.mark.usefixtures("assets")
async def test_a_browser_gets_the_page_loading_only_local_assets(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"Accept": BROWSER_ACCEPT})

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    urls = page_urls(response.text)
    assert [url.split("?")[0] for url in urls] == [
        "data:,",
        "graphql/assets/graphiql.min.css",
        "graphql/assets/react.production.min.js",
        "graphql/assets/react-dom.production.min.js",
        "graphql/assets/graphiql.min.js",
        "graphql/assets/playground.js",
    ]
    for url in urls[1:]:
        asset = await http.get(f"/{url}")
        assert asset.status_code == 200, url
        assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        kind = "text/css" if ".css" in url else "text/javascript"
        assert asset.headers["content-type"].startswith(kind), url


@pytest.mark.usefixtures("assets")
async def test_a_browser_link_with_a_query_still_gets_the_page(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"Accept": BROWSER_ACCEPT}
    )

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"


@pytest.mark.usefixtures("assets")
async def test_the_page_configuration_cannot_close_its_script_element(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/graphql", headers={"Accept": "text/html"})

    config = response.text.split('<script type="application/json" id="playground-config">')[1]
    assert config.split("</script>")[0].count("<") == 0


async def test_unknown_assets_are_not_found(http: httpx.AsyncClient) -> None:
    for name in ("package.json", "..%2Fpackage.json", "graphiql.js"):
        response = await http.get(f"/graphql/assets/{name}")
        assert response.status_code == 404, name


async def test_missing_assets_get_a_page_saying_how_to_install_them(
    gateway_with: GatewayFactory, tmp_path: Path
) -> None:
    async with gateway_with(playground_assets=str(tmp_path)) as gateway:
        page = await gateway.http.get("/graphql", headers={"Accept": BROWSER_ACCEPT})
        asset = await gateway.http.get("/graphql/assets/graphiql.min.js")

    assert page.status_code == 503
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert "The GraphiQL playground is not installed" in page.text
    assert "<code>scripts/dev setup</code>" in page.text
    assert "<code>GATEWAY_PLAYGROUND_ASSETS</code>" in page.text
    for relative in NPM_ASSETS.values():
        assert f"<code>{relative}</code>" in page.text
    assert "<script" not in page.text
    assert asset.status_code == 404


async def test_without_graphiql_there_is_no_page(gateway_with: GatewayFactory) -> None:
    async with gateway_with(graphiql=False) as gateway:
        html_only = await gateway.http.get("/graphql", headers={"Accept": "text/html"})
        browser = await gateway.http.get(
            "/graphql",
            params={"query": "{ __typename }"},
            headers={"Accept": BROWSER_ACCEPT, "Apollo-Require-Preflight": "true"},
        )
        asset = await gateway.http.get("/graphql/assets/playground.js")

    assert html_only.status_code == 406
    assert browser.status_code == 200
    assert browser.json() == {"data": {"__typename": "Query"}}
    assert asset.status_code == 404


def test_the_example_operation_is_valid_against_the_schema() -> None:
    schema = create_schema()._schema

    assert validate(schema, parse(EXAMPLE_OPERATION)) == []


async def test_the_example_operation_answers_a_page_of_seeded_models(
    gateway: GatewayClient,
) -> None:
    body = await gateway.execute(EXAMPLE_OPERATION)

    assert set(body) == {"data"}
    page = body["data"]["mlModels"]
    assert page["pageInfo"]["hasNextPage"] is True
    assert len(page["nodes"]) == 5
    for node in page["nodes"]:
        assert set(node) == {
            "fullyQualifiedName",
            "algorithm",
            "service",
            "followerCount",
            "votes",
        }
        assert node["fullyQualifiedName"].startswith(f"{node['service']['name']}.")
