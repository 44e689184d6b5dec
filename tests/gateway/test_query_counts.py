"""Upstream calls per query, read from the emulator's per-route counters.

A query costs one round of concurrent, de-duplicated calls per level of the selection: the
list call, then one GET per distinct entity the next level needs (the catalog has no
multi-get), never one per row.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import all_models, upstream_calls

SERVICE_REFERENCE_ONLY = """
query { mlModels(first: 50) { nodes { name service { id name fullyQualifiedName serviceType } } } }
"""

PAGE_WITH_FAN_OUT = """
query Page($first: Int!) {
  mlModels(first: $first) {
    nodes {
      name
      service { name serviceType }
      followers { name email }
      mlFeatures { featureSources { table { name columns { name } } } }
    }
  }
}
"""

VOTES_AND_TAGS = """
query { mlModels(first: 5) { edges { node { name votes { upVotes } tags { tagFQN } } } } }
"""


def _list_queries(emulator: EmulatorHandle) -> list[dict[str, list[str]]]:
    return [
        parse_qs(str(r["query"]))
        for r in emulator.requests()
        if r["route"] == "GET /api/v1/mlmodels"
    ]


async def test_service_id_name_fqn_and_type_cost_no_service_call(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    emulator.reset_counters()
    # when
    result = await gateway.execute(SERVICE_REFERENCE_ONLY)
    # then
    assert "errors" not in result
    nodes = result["data"]["mlModels"]["nodes"]
    assert len(nodes) == min(50, len(all_models(emulator)))
    assert all(n["service"]["serviceType"] for n in nodes)
    emulator.reset_counters()
    await gateway.execute(SERVICE_REFERENCE_ONLY)
    assert upstream_calls(emulator) == {"GET /api/v1/mlmodels": 1}
    assert "fields" not in _list_queries(emulator)[0]


async def test_fields_parameter_carries_only_what_was_selected(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    emulator.reset_counters()
    result = await gateway.execute(VOTES_AND_TAGS)
    assert "errors" not in result
    assert _list_queries(emulator) == [{"fields": ["tags,votes"], "limit": ["5"]}]


async def test_fan_out_costs_one_call_per_distinct_entity_per_level(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    models = all_models(emulator, fields="followers")
    for first in (10, len(models)):
        # given: what the page references, straight from the catalog
        page = models[:first]
        users = {f["id"] for m in page for f in m.get("followers", [])}
        tables = {
            s["dataSource"]["id"]
            for m in page
            for feature in m.get("mlFeatures", [])
            for s in feature.get("featureSources", [])
            if "dataSource" in s
        }
        emulator.reset_counters()
        # when
        result = await gateway.execute(PAGE_WITH_FAN_OUT, {"first": first})
        # then: level 1 is one list call; level 2 one GET per distinct user and table
        assert "errors" not in result
        assert len(result["data"]["mlModels"]["nodes"]) == first
        expected = {"GET /api/v1/mlmodels": 1}
        if users:
            expected["GET /api/v1/users/{id}"] = len(users)
        if tables:
            expected["GET /api/v1/tables/{id}"] = len(tables)
        assert upstream_calls(emulator) == expected
        assert _list_queries(emulator) == [{"fields": ["followers"], "limit": [str(first)]}]


# Calls flat in page size: whatever the shape of the selection (named fragments, inline
# fragments, aliases, fragments on the connection) and whichever relationship field it
# reaches, a page of N costs the list call plus what the next level needs per distinct
# entity, never one call per row.

MODEL_SELECTIONS = {
    # relationship fields, each on its own
    "owners": ("owners { name }", "owners"),
    "followers": ("followers { name }", "followers"),
    "followerCount": ("followerCount", "followers"),
    "votes": ("votes { upVotes downVotes upVoters { name } downVoters { name } }", "votes"),
    "tags": ("tags { tagFQN }", "tags"),
    "registryModelRid": ("registryModelRid", "extension"),
    "versions": ("versions(first: 2) { nodes { rid } }", "extension"),
    # shapes of selection
    "named-fragment": ("...Social", "followers,owners,tags"),
    "nested-named-fragments": ("...Outer", "extension,tags,votes"),
    "inline-fragment": ("... on MlModel { tags { tagFQN } owners { name } }", "owners,tags"),
    "inline-fragment-without-type": ("... { votes { upVotes } }", "votes"),
    "named-fragment-in-inline-fragment": ("... on MlModel { ...Social }", "followers,owners,tags"),
    "aliases": ("t: tags { tagFQN } f: followers { name } n: followerCount", "followers,tags"),
    "fragment-with-aliases": ("...Aliased", "extension,followers"),
}
FRAGMENTS = {
    "Social": "fragment Social on MlModel { owners { name } followers { name } tags { tagFQN } }",
    "Inner": "fragment Inner on MlModel { tags { tagFQN } versions(first: 1) { nodes { rid } } }",
    "Outer": "fragment Outer on MlModel { votes { upVotes } ...Inner }",
    "Aliased": "fragment Aliased on MlModel { who: followers { name } rid: registryModelRid }",
}
CONNECTION_SHAPES = {
    "nodes": "mlModels(first: $first) { nodes { name %s } }",
    "edges": "mlModels(first: $first) { edges { cursor node { name %s } } }",
    "connection-fragment": "mlModels(first: $first) { ...Page }",
    "aliased-connection": "models: mlModels(first: $first) { nodes { name %s } }",
}
VERSIONS_ROUTE = "GET /api/v2/models/{modelRid}/versions"


def _spread(text: str) -> list[str]:
    """The fragments `text` uses, with those they use in turn (GraphQL refuses unused ones)."""
    used = [name for name in FRAGMENTS if f"...{name}" in text]
    return [d for name in used for d in [*_spread(FRAGMENTS[name]), FRAGMENTS[name]]]


def _operation(shape: str, selection: str) -> str:
    definitions = list(dict.fromkeys(_spread(selection)))
    if shape == "connection-fragment":
        definitions.append(f"fragment Page on MlModelConnection {{ nodes {{ name {selection} }} }}")
    body = CONNECTION_SHAPES[shape].replace("%s", selection)
    return "\n".join([f"query Page($first: Int!) {{ {body} }}", *definitions])


def _expected_calls(emulator: EmulatorHandle, first: int, selection: str) -> dict[str, int]:
    expected = {"GET /api/v1/mlmodels": 1}
    if "versions" in selection or "...Outer" in selection:
        # one version list per registry-linked model of the page (the registry has no batch)
        linked = [
            m
            for m in all_models(emulator, fields="extension")[:first]
            if m.get("extension", {}).get("registryModelRid")
        ]
        if linked:
            expected[VERSIONS_ROUTE] = len(linked)
    return expected


@pytest.mark.parametrize("shape", list(CONNECTION_SHAPES))
@pytest.mark.parametrize(
    ("selection", "fields"), list(MODEL_SELECTIONS.values()), ids=list(MODEL_SELECTIONS)
)
async def test_model_page_calls_are_flat_in_page_size(
    gateway: GatewayClient, emulator: EmulatorHandle, shape: str, selection: str, fields: str
) -> None:
    query = _operation(shape, selection)
    for first in (3, 30):
        # given
        expected = _expected_calls(emulator, first, selection)
        emulator.reset_counters()
        # when
        result = await gateway.execute(query, {"first": first})
        # then: one list call asking for exactly the relationship fields selected
        assert "errors" not in result, result["errors"]
        page = result["data"]["models" if shape == "aliased-connection" else "mlModels"]
        rows = page["nodes"] if "nodes" in page else [e["node"] for e in page["edges"]]
        assert len(rows) == first
        assert upstream_calls(emulator) == expected
        assert _list_queries(emulator) == [{"fields": [fields], "limit": [str(first)]}]


OTHER_PAGES = {
    "table-owners": ("tables", "tables(first: $first) { nodes { owners { name } } }", "owners"),
    "table-followers": (
        "tables",
        "tables(first: $first) { nodes { followers { name } followerCount } }",
        "followers",
    ),
    "table-votes": ("tables", "tables(first: $first) { nodes { votes { upVotes } } }", "votes"),
    "table-tags-by-fragment": (
        "tables",
        "tables(first: $first) { nodes { ... on Table { t: tags { tagFQN } } } }",
        "tags",
    ),
    "service-owners-and-tags": (
        "services",
        "services(kind: DATABASE, first: $first) { nodes { owners { name } tags { tagFQN } } }",
        "owners,tags",
    ),
}
LIST_ROUTES = {
    "tables": "GET /api/v1/tables",
    "services": "GET /api/v1/services/databaseServices",
}


@pytest.mark.parametrize(
    ("root", "body", "fields"), list(OTHER_PAGES.values()), ids=list(OTHER_PAGES)
)
async def test_table_and_service_page_calls_are_flat_in_page_size(
    gateway: GatewayClient, emulator: EmulatorHandle, root: str, body: str, fields: str
) -> None:
    for first in (1, 3) if root == "services" else (3, 30):
        # given
        emulator.reset_counters()
        # when
        result = await gateway.execute(f"query Page($first: Int!) {{ {body} }}", {"first": first})
        # then: the list call alone, asking for exactly what was selected
        assert "errors" not in result, result["errors"]
        assert len(result["data"][root]["nodes"]) == first
        assert upstream_calls(emulator) == {LIST_ROUTES[root]: 1}
        (logged,) = [r for r in emulator.requests() if r["route"] == LIST_ROUTES[root]]
        assert parse_qs(str(logged["query"])) == {"fields": [fields], "limit": [str(first)]}


TWO_PAGES = """
query {
  tagged: mlModels(first: 4) { nodes { name tags { tagFQN } } }
  owned: mlModels(first: 5) { nodes { name owners { name } } }
}
"""


async def test_two_aliased_pages_each_ask_for_their_own_fields(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given
    emulator.reset_counters()
    # when
    result = await gateway.execute(TWO_PAGES)
    # then: two list calls, each with the fields its own selection needs, nothing per row
    assert "errors" not in result, result["errors"]
    assert upstream_calls(emulator) == {"GET /api/v1/mlmodels": 2}
    assert sorted(_list_queries(emulator), key=lambda q: q["limit"]) == [
        {"fields": ["tags"], "limit": ["4"]},
        {"fields": ["owners"], "limit": ["5"]},
    ]


LOOKUPS = {
    "mlModel-by-name": (
        'mlModel(fullyQualifiedName: "mlflow_prod.churn_predictor") '
        "{ tags { tagFQN } owners { name } }",
        "GET /api/v1/mlmodels/name/{fqn:path}",
    ),
    "table-by-name": (
        "table(fullyQualifiedName: "
        '"bigquery_analytics.events_prod.ml_features.customer_features") '
        "{ tags { tagFQN } owners { name } }",
        "GET /api/v1/tables/name/{fqn:path}",
    ),
    "service-by-id": (
        'service(kind: ML_MODEL, id: "628d7497-1524-592d-8afa-6dd1dea7ffbf") '
        "{ owners { name } tags { tagFQN } }",
        "GET /api/v1/services/mlmodelServices/{id}",
    ),
}


@pytest.mark.parametrize(("field", "route"), list(LOOKUPS.values()), ids=list(LOOKUPS))
async def test_a_lookup_asks_for_its_relationship_fields_in_its_one_call(
    gateway: GatewayClient, emulator: EmulatorHandle, field: str, route: str
) -> None:
    # given
    emulator.reset_counters()
    # when
    result = await gateway.execute(f"query {{ {field} }}")
    # then
    assert "errors" not in result, result["errors"]
    assert upstream_calls(emulator) == {route: 1}
    (logged,) = emulator.requests()
    assert parse_qs(str(logged["query"])) == {"fields": ["owners,tags"]}
