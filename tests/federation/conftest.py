"""A supergraph for tests: this gateway and the reviews subgraph, under a real Apollo Gateway.

The processes are started once per session over the shared emulator; tests that read or
count upstream data still ask for `emulator`, which reseeds it (the seed's ids are fixed).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.server.app import create_app
from tests.conftest import EmulatorHandle, gateway_settings
from tests.federation.environment import FEDERATION_DIR, require_node
from tests.federation.node import NodeServer, compose
from tests.gateway.rest import all_models, catalog_get
from tests.servers import ThreadedServer


class HeaderRecorder:
    """Wraps an ASGI app and keeps the headers of every request it serves, in order."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.seen: list[dict[str, str]] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            self.seen.append(
                {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
            )
        await self.app(scope, receive, send)


@dataclass(frozen=True, slots=True)
class CatalogSubgraph:
    """This gateway on a loopback port, as the supergraph's `catalog` subgraph."""

    url: str
    recorder: HeaderRecorder


@dataclass(frozen=True, slots=True)
class Supergraph:
    """A running Apollo Gateway over the composed supergraph."""

    url: str
    client: httpx.Client

    def execute(
        self,
        query: str,
        variables: dict[str, object] | None = None,
        *,
        headers: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        body: dict[str, object] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        response = self.client.post(self.url, json=body, headers=headers or {})
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@pytest.fixture(scope="session")
def node() -> str:
    return require_node()


@pytest.fixture(scope="session")
def catalog_subgraph(emulator_server: EmulatorHandle, executor: str) -> Iterator[CatalogSubgraph]:
    recorder = HeaderRecorder(create_app(gateway_settings(emulator_server, executor=executor)))
    server = ThreadedServer(recorder).start()
    yield CatalogSubgraph(url=f"{server.url}/graphql", recorder=recorder)
    server.stop()


@pytest.fixture(scope="session")
def reviews(emulator_server: EmulatorHandle) -> list[dict[str, Any]]:
    """The second subgraph's data, about seeded models, tables and users (and one unknown id).

    Each review is about a model (`modelId`) or a table (`tableFqn`), by an author or not.
    """
    models = all_models(emulator_server)
    table = catalog_get(emulator_server, "/v1/tables", limit=1)["data"][0]
    users = catalog_get(emulator_server, "/v1/users", limit=2)["data"]
    rows = [
        (5, "Solid.", users[0], {"modelId": models[0]["id"]}),
        (2, "Drifts.", users[1], {"modelId": models[0]["id"]}),
        (4, "Fast.", None, {"modelId": models[1]["id"]}),
        (3, "Wide.", users[0], {"tableFqn": table["fullyQualifiedName"]}),
        (1, "Gone.", None, {"modelId": "6a1e9b0c-0000-4000-8000-000000000000"}),
    ]
    return [
        {
            "id": f"r{i}",
            "rating": rating,
            "body": body,
            **({"authorId": author["id"]} if author else {}),
            **about,
        }
        for i, (rating, body, author, about) in enumerate(rows, start=1)
    ]


@pytest.fixture(scope="session")
def reviews_subgraph(
    node: str, reviews: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[NodeServer]:
    workdir = tmp_path_factory.mktemp("reviews")
    data = workdir / "reviews.json"
    data.write_text(json.dumps({"reviews": reviews}), encoding="utf-8")
    server = NodeServer(
        node, "reviews/server.mjs", "--data", str(data), log=workdir / "log"
    ).start()
    yield server
    server.stop()


def supergraph_config(catalog_url: str, reviews_url: str) -> dict[str, Any]:
    """The catalog's SDL comes from its running `_service { sdl }`, as Rover would ask it."""
    return {
        "subgraphs": {
            "catalog": {"routing_url": catalog_url, "schema": {"subgraph_url": catalog_url}},
            "reviews": {
                "routing_url": reviews_url,
                "schema": {"file": str(FEDERATION_DIR / "reviews" / "schema.graphql")},
            },
        }
    }


@pytest.fixture(scope="session")
def composition(
    node: str,
    catalog_subgraph: CatalogSubgraph,
    reviews_subgraph: NodeServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    config = supergraph_config(catalog_subgraph.url, reviews_subgraph.url)
    return compose(node, config, tmp_path_factory.mktemp("compose"))


@pytest.fixture(scope="session")
def supergraph(
    node: str, composition: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Supergraph]:
    assert composition["errors"] == []
    workdir = tmp_path_factory.mktemp("apollo-gateway")
    sdl = workdir / "supergraph.graphql"
    sdl.write_text(composition["supergraphSdl"], encoding="utf-8")
    server = NodeServer(node, "gateway.mjs", "--supergraph", str(sdl), log=workdir / "log").start()
    with httpx.Client(timeout=30) as client:
        yield Supergraph(url=server.url, client=client)
    server.stop()


@pytest.fixture
def recorder(catalog_subgraph: CatalogSubgraph) -> HeaderRecorder:
    """The catalog subgraph's request headers, from this test's requests on."""
    catalog_subgraph.recorder.seen.clear()
    return catalog_subgraph.recorder
