"""`tags`: the catalog's tag definitions, for a tag picker."""

from __future__ import annotations

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get

TAGS = """
query Tags($classification: String, $first: Int, $after: String) {
  tags(classification: $classification, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes { id name fullyQualifiedName description classification disabled color }
  }
}
"""


async def test_the_tags_of_a_classification_as_the_catalog_defines_them(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    rest = catalog_get(emulator, "/v1/tags", parent="Tier", limit=100)["data"]
    result = await gateway.execute(TAGS, {"classification": "Tier", "first": 100})
    tags = result["data"]["tags"]
    assert [t["fullyQualifiedName"] for t in tags["nodes"]] == [
        "Tier.Tier1",
        "Tier.Tier2",
        "Tier.Tier3",
        "Tier.Tier4",
        "Tier.Tier5",
    ]
    assert tags["nodes"] == [
        {
            "id": t["id"],
            "name": t["name"],
            "fullyQualifiedName": t["fullyQualifiedName"],
            "description": t["description"],
            "classification": "Tier",
            "disabled": False,
            "color": (t.get("style") or {}).get("color"),
        }
        for t in rest
    ]
    assert tags["nodes"][0]["color"] == "#F5222D"
    assert (tags["totalCount"], tags["pageInfo"]["hasNextPage"]) == (5, False)


async def test_every_tag_once_when_paging_through_all(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    total = catalog_get(emulator, "/v1/tags", limit=0)["paging"]["total"]
    seen: list[str] = []
    after: str | None = None
    while True:
        result = await gateway.execute(TAGS, {"first": 7, "after": after})
        page = result["data"]["tags"]
        seen += [t["fullyQualifiedName"] for t in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert total >= 30
    assert len(seen) == len(set(seen)) == total
    assert {"PII.Sensitive", "Tier.Tier1", "Certification.Gold"} <= set(seen)


async def test_an_unknown_classification_lists_nothing(gateway: GatewayClient) -> None:
    result = await gateway.execute(TAGS, {"classification": "Nope"})
    assert result["data"]["tags"]["nodes"] == []
    assert result["data"]["tags"]["totalCount"] == 0
