"""Upstream calls per query, read from the emulator's per-route counters.

A query costs one round of concurrent, de-duplicated calls per level of the selection: the
list call, then one GET per distinct entity the next level needs (the catalog has no
multi-get), never one per row.
"""

from __future__ import annotations

from urllib.parse import parse_qs

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
