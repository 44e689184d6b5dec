"""Owners are users or Group teams, behind the `Owner` interface."""

from __future__ import annotations

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import all_models, catalog_get

OWNERS = """
query Owners($fqn: String!) {
  mlModel(fullyQualifiedName: $fqn) {
    owners { __typename id name ... on User { email } }
  }
}
"""


async def test_team_and_user_owners(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given: a seeded model owned by a team
    model = next(
        m
        for m in all_models(emulator, fields="owners")
        if any(o["type"] == "team" for o in m["owners"])
    )
    expected = [
        {"__typename": "Team", "id": o["id"], "name": o["name"]}
        if o["type"] == "team"
        else {
            "__typename": "User",
            "id": o["id"],
            "name": o["name"],
            "email": catalog_get(emulator, f"/v1/users/{o['id']}")["email"],
        }
        for o in model["owners"]
    ]
    # when
    result = await gateway.execute(OWNERS, {"fqn": model["fullyQualifiedName"]})
    # then
    assert result == {"data": {"mlModel": {"owners": expected}}}
