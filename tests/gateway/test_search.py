"""`Query.search`, `MlModel.lineage` and `Table.mlModels` against the embedded catalog's search
index and lineage store: answers and upstream calls."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import EmulatorHandle, GatewayClient, gateway_settings, running_gateway
from tests.gateway.rest import catalog_get

SEARCH = "GET /api/v1/search/query"
LINEAGE = "GET /api/v1/lineage/{entity}/{id}"
LIST_MODELS = "GET /api/v1/mlmodels"

MODELS = """
query Search($query: String, $filters: SearchFilters, $sort: SearchSort, $first: Int,
             $after: String) {
  search(query: $query, kinds: [ML_MODEL], filters: $filters, sort: $sort, first: $first,
         after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor score
      node { ... on MlModel { id name description followerCount tags { tagFQN } owners { name } } }
    }
  }
}
"""

FACETS = """
query Facets($filters: SearchFilters) {
  search(kinds: [ML_MODEL], filters: $filters, first: 0) {
    totalCount
    facets { tags { value count } owners { value count } serviceType { value count } }
  }
}
"""


def _data(result: dict[str, Any]) -> dict[str, Any]:
    assert "errors" not in result, result
    data: dict[str, Any] = result["data"]
    return data


async def _search(gateway: GatewayClient, **variables: object) -> dict[str, Any]:
    search: dict[str, Any] = _data(await gateway.execute(MODELS, dict(variables)))["search"]
    return search


async def test_a_text_query_finds_the_models_holding_its_words_best_first(
    gateway: GatewayClient,
) -> None:
    found = await _search(gateway, query="churn")
    names = [e["node"]["name"] for e in found["edges"]]
    assert names == ["churn_baseline", "churn_predictor_prod", "churn_predictor"]
    assert found["totalCount"] == 3
    scores = [e["score"] for e in found["edges"]]
    assert scores == sorted(scores, reverse=True)
    for edge in found["edges"]:
        node = edge["node"]
        assert "churn" in f"{node['name']} {node['description']}".lower()


async def test_tag_and_owner_filters_narrow_to_the_facet_counts(gateway: GatewayClient) -> None:
    everything = _data(await gateway.execute(FACETS))["search"]
    tags = {f["value"]: f["count"] for f in everything["facets"]["tags"]}
    owners = {f["value"]: f["count"] for f in everything["facets"]["owners"]}
    tag, tagged_count = next(iter(tags.items()))
    assert 0 < tagged_count < everything["totalCount"]
    tagged = await _search(gateway, filters={"tags": [tag]}, first=100)
    assert tagged["totalCount"] == tagged_count == len(tagged["edges"])
    for edge in tagged["edges"]:
        assert tag in [t["tagFQN"].lower() for t in edge["node"]["tags"]]
    # the index keeps the Tier tag apart; a Tier filter finds it there
    tier = await _search(gateway, filters={"tags": ["Tier.Tier1"]}, first=100)
    assert 0 < tier["totalCount"] < everything["totalCount"]
    for edge in tier["edges"]:
        assert "Tier.Tier1" in [t["tagFQN"] for t in edge["node"]["tags"]]
    owner, count = next(iter(owners.items()))
    owned = await _search(gateway, filters={"owners": [owner]}, first=100)
    assert owned["totalCount"] == count == len(owned["edges"])
    both = _data(await gateway.execute(FACETS, {"filters": {"tags": [tag], "owners": [owner]}}))[
        "search"
    ]
    assert both["totalCount"] <= min(count, tagged_count)
    assert sum(f["count"] for f in both["facets"]["serviceType"]) == both["totalCount"]


async def test_sorts_by_name_and_by_follower_count(gateway: GatewayClient) -> None:
    by_name = await _search(gateway, sort={"field": "NAME"}, first=30)
    names = [e["node"]["name"] for e in by_name["edges"]]
    assert names == sorted(names)
    assert len(names) == 30
    by_followers = await _search(gateway, sort={"field": "FOLLOWERS"}, first=30)
    counts = [e["node"]["followerCount"] for e in by_followers["edges"]]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] > counts[-1]
    fewest = await _search(gateway, sort={"field": "FOLLOWERS", "direction": "ASC"}, first=5)
    assert [e["node"]["followerCount"] for e in fewest["edges"]] == [0] * 5


async def test_paging_with_after_returns_each_hit_once(gateway: GatewayClient) -> None:
    seen: list[str] = []
    after = None
    total = None
    while True:
        page = await _search(gateway, first=7, after=after)
        total = page["totalCount"]
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == total
    assert len(set(seen)) == total
    assert total > 20


@pytest.mark.parametrize("first", [1, 10, 50])
async def test_a_page_costs_one_search_call_facets_included(
    gateway: GatewayClient, emulator: EmulatorHandle, first: int
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(
        "query($first: Int) { search(first: $first) { totalCount nodes { __typename "
        "... on MlModel { name owners { name } mlFeatures { name } } "
        "... on Table { name columns { name } } } facets { tags { value count } } } }",
        {"first": first},
    )
    assert len(_data(result)["search"]["nodes"]) == first
    assert emulator.counters() == {SEARCH: 1}


RESULT_LIST = """
query($first: Int) {
  search(kinds: [ML_MODEL], first: $first, sort: {field: NAME}) {
    nodes {
      ... on MlModel {
        id name description followerCount tags { tagFQN } owners { name }
        service { name serviceType }
      }
    }
  }
}
"""


@pytest.mark.parametrize("first", [10, 30])
async def test_a_result_list_with_tags_and_follower_counts_costs_one_call(
    gateway: GatewayClient, emulator: EmulatorHandle, first: int
) -> None:
    # given the models as the entity API answers them
    rest = catalog_get(emulator, "/v1/mlmodels", fields="tags,owners,followers", limit=100)
    by_id = {model["id"]: model for model in rest["data"]}
    emulator.reset_counters()
    # when a result list selects what a frontend shows
    result = await gateway.execute(RESULT_LIST, {"first": first})
    # then the index documents answer it all: one call, whatever the page size
    assert emulator.counters() == {SEARCH: 1}
    nodes = _data(result)["search"]["nodes"]
    assert len(nodes) == first
    for node in nodes:
        model = by_id[node["id"]]
        assert node["followerCount"] == len(model["followers"])
        # the index keeps the Tier tag apart: the same tags, the Tier one last
        assert sorted(t["tagFQN"] for t in node["tags"]) == sorted(
            t["tagFQN"] for t in model["tags"]
        )
        assert node["owners"] == [{"name": o["name"]} for o in model["owners"]]
        assert node["service"] == {
            "name": model["service"]["name"],
            "serviceType": model["serviceType"],
        }
        assert (node["name"], node["description"]) == (model["name"], model["description"])


async def test_bad_arguments_are_refused_before_any_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute('{ search(after: "junk") { totalCount } }')
    assert result["data"] == {"search": None}
    assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
    assert result["errors"][0]["extensions"]["argument"] == "after"
    result = await gateway.execute(
        '{ mlModel(fullyQualifiedName: "mlflow_prod.churn_predictor") '
        "{ lineage(upstreamDepth: 4) { edges { columns { toColumn } } } } }"
    )
    assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert result["errors"][0]["extensions"]["argument"] == "upstreamDepth"
    assert LINEAGE not in emulator.counters()
    assert SEARCH not in emulator.counters()


LINEAGE_AND_SOURCES = """
query($fqn: String!) {
  mlModel(fullyQualifiedName: $fqn) {
    id
    mlFeatures { featureSources { table { id name } } }
    lineage {
      nodes { __typename ... on Table { id name } }
      edges { from { id type } to { id type } columns { fromColumns toColumn } }
    }
  }
}
"""


async def test_a_models_lineage_lists_its_feature_source_tables(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    models = _data(await gateway.execute("{ mlModels(first: 5) { nodes { fullyQualifiedName } } }"))
    for model in models["mlModels"]["nodes"]:
        emulator.reset_counters()
        found = _data(
            await gateway.execute(LINEAGE_AND_SOURCES, {"fqn": model["fullyQualifiedName"]})
        )
        node = found["mlModel"]
        sources = {
            s["table"]["id"]: s["table"]["name"]
            for f in node["mlFeatures"]
            for s in f["featureSources"]
            if s["table"] is not None
        }
        assert sources
        lineage = node["lineage"]
        assert {n["id"]: n["name"] for n in lineage["nodes"]} == sources
        assert sorted(
            (e["from"]["id"], e["from"]["type"], e["to"]["id"], e["to"]["type"])
            for e in lineage["edges"]
        ) == sorted((t, "table", node["id"], "mlmodel") for t in sources)
        assert emulator.counters()[LINEAGE] == 1


async def test_table_ml_models_reads_lineage_not_the_model_list(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    model = _data(
        await gateway.execute(LINEAGE_AND_SOURCES, {"fqn": "mlflow_prod.churn_predictor"})
    )["mlModel"]
    table_id = model["mlFeatures"][0]["featureSources"][0]["table"]["id"]
    emulator.reset_counters()
    found = _data(
        await gateway.execute(
            "query($id: ID!) { table(id: $id) { mlModels { name mlFeatures { featureSources "
            "{ table { id } } } } } }",
            {"id": table_id},
        )
    )
    readers = found["table"]["mlModels"]
    names = [m["name"] for m in readers]
    assert "churn_predictor" in names
    assert names == sorted(names)
    for reader in readers:
        assert table_id in {
            s["table"]["id"] for f in reader["mlFeatures"] for s in f["featureSources"]
        }
    counters = emulator.counters()
    assert LIST_MODELS not in counters
    assert counters[LINEAGE] == 1


class InFlight(httpx.AsyncBaseTransport):
    """Real HTTP to the emulator, counting the most requests in flight at once."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.now = 0
        self.most = 0
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.now += 1
        self.most = max(self.most, self.now)
        self.paths.append(request.url.path)
        try:
            return await self.inner.handle_async_request(request)
        finally:
            self.now -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()


@pytest.mark.parametrize(("root", "kind"), [("mlModel", "mlmodel"), ("table", "table")])
async def test_an_entitys_read_and_its_lineage_go_out_together(
    emulator: EmulatorHandle, executor: str, root: str, kind: str
) -> None:
    # given an entity by id, and a gateway whose upstream calls are watched
    entity_id = (await _first_of(emulator, executor, root))["id"]
    transport = InFlight()
    settings = gateway_settings(emulator, executor=executor)
    query = (
        f"query($id: ID!, $d: Int!) {{ {root}(id: $id) {{ name "
        "lineage(upstreamDepth: $d) { edges { from { id } } } } }"
    )
    async with running_gateway(settings, emulator, transport=transport) as gateway:
        # when its lineage is asked for beside its fields
        result = await gateway.execute(query, {"id": entity_id, "d": 2})
    # then the entity's read and the lineage call were in flight at once: one round trip
    assert "errors" not in result
    assert sorted(transport.paths) == sorted(
        [
            f"/api/v1/{'mlmodels' if kind == 'mlmodel' else 'tables'}/{entity_id}",
            f"/api/v1/lineage/{kind}/{entity_id}",
        ]
    )
    assert transport.most == 2


async def _first_of(emulator: EmulatorHandle, executor: str, root: str) -> dict[str, Any]:
    listing = "mlModels" if root == "mlModel" else "tables"
    settings = gateway_settings(emulator, executor=executor)
    async with running_gateway(settings, emulator) as gateway:
        result = await gateway.execute(f"{{ {listing}(first: 1) {{ nodes {{ id }} }} }}")
    return {"id": result["data"][listing]["nodes"][0]["id"]}
