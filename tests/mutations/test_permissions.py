"""The catalog decides who may write; the gateway passes its answer on, typed and in its words.

The embedded catalog has OpenMetadata's default policies: a plain user (a data consumer)
may not create, may change an asset only as its owner, and may follow for anyone.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import EmulatorHandle, GatewayClient
from tests.gateway.rest import catalog_get
from tests.mutations.rest import user_id

# A seeded user in no team and with no role: the catalog's default data consumer.
PLAIN = "kevin"
UPSERT = """
mutation Upsert($input: MlModelInput!) {
  upsertMlModel(input: $input) {
    __typename
    ... on UpsertMlModelSuccess { created mlModel { fullyQualifiedName description version } }
    ... on MutationError { message code }
  }
}
"""
CREATE = """
mutation Create($input: MlModelInput!) {
  createMlModel(input: $input) {
    __typename
    ... on CreateMlModelSuccess { mlModel { fullyQualifiedName } }
    ... on MutationError { message code }
  }
}
"""
BULK = """
mutation Bulk($input: [MlModelInput!]!) {
  upsertMlModels(input: $input) {
    __typename
    ... on UpsertMlModelsSuccess {
      status passed failed
      items { index fullyQualifiedName error { __typename message code } }
    }
  }
}
"""
FOLLOW = """
mutation Follow($id: ID!, $user: ID) {
  follow(kind: ML_MODEL, id: $id, userId: $user) {
    __typename
    ... on FollowSuccess { user { name } asset { ... on MlModel { followers { name } } } }
    ... on MutationError { message code }
  }
}
"""


def models(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    page = catalog_get(emulator, "/v1/mlmodels", fields="owners", limit=100)
    return list(page["data"])


def owned_by(emulator: EmulatorHandle, user: str) -> dict[str, Any]:
    """A model with `user` among its owners (and no team of theirs: they own it alone)."""
    return next(m for m in models(emulator) if [o["name"] for o in m["owners"]] == [user])


def not_owned_by(emulator: EmulatorHandle, user: str) -> dict[str, Any]:
    return next(m for m in models(emulator) if user not in [o["name"] for o in m["owners"]])


def same_model(model: dict[str, Any], description: str) -> dict[str, Any]:
    """The model's identity with a new description (an upsert of an existing model)."""
    return {"name": model["name"], "service": model["service"]["name"], "description": description}


def refused(user: str, operation: str) -> str:
    return f"Principal: CatalogPrincipal{{name='{user}'}} operations [{operation}] not allowed"


async def test_a_plain_user_may_not_create_and_an_admin_may(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    body: dict[str, object] = {"input": {"name": "kevins_model", "service": "mlflow_prod"}}
    as_plain = await gateway.execute(CREATE, body, user=PLAIN)
    as_admin = await gateway.execute(CREATE, body)
    assert as_plain == {
        "data": {
            "createMlModel": {
                "__typename": "PermissionError",
                "message": refused(PLAIN, "Create"),
                "code": "FORBIDDEN",
            }
        }
    }
    assert as_admin == {
        "data": {
            "createMlModel": {
                "__typename": "CreateMlModelSuccess",
                "mlModel": {"fullyQualifiedName": "mlflow_prod.kevins_model"},
            }
        }
    }


async def test_an_upsert_by_a_plain_user_needs_ownership(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a model the plain user owns and one it does not
    own, other = owned_by(emulator, PLAIN), not_owned_by(emulator, PLAIN)
    # when the plain user upserts each, then the admin the other
    mine = await gateway.execute(UPSERT, {"input": same_model(own, "Mine.")}, user=PLAIN)
    theirs = await gateway.execute(UPSERT, {"input": same_model(other, "Not mine.")}, user=PLAIN)
    admin = await gateway.execute(UPSERT, {"input": same_model(other, "Admin's.")})
    # then the owner's write and the admin's pass; the other is refused with the catalog's words
    assert mine["data"]["upsertMlModel"]["__typename"] == "UpsertMlModelSuccess"
    assert mine["data"]["upsertMlModel"]["mlModel"]["description"] == "Mine."
    assert theirs == {
        "data": {
            "upsertMlModel": {
                "__typename": "PermissionError",
                "message": refused(PLAIN, "EditAll"),
                "code": "FORBIDDEN",
            }
        }
    }
    assert admin["data"]["upsertMlModel"]["mlModel"]["description"] == "Admin's."
    # and the refused write left the model as it was
    stored = catalog_get(emulator, f"/v1/mlmodels/{other['id']}")
    assert stored["description"] == "Admin's."


async def test_following_on_behalf_of_another_user_succeeds_as_in_the_catalog(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    other = not_owned_by(emulator, PLAIN)
    rosa = user_id(emulator, "rosa")
    result = await gateway.execute(FOLLOW, {"id": other["id"], "user": rosa}, user=PLAIN)
    answer = result["data"]["follow"]
    assert answer["__typename"] == "FollowSuccess"
    assert answer["user"] == {"name": "rosa"}
    assert {"name": "rosa"} in answer["asset"]["followers"]


async def test_a_bulk_upsert_by_a_plain_user_reports_each_refused_item(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given one model the plain user owns, one it does not, and a new one
    own, other = owned_by(emulator, PLAIN), not_owned_by(emulator, PLAIN)
    items = [
        same_model(own, "Bulk, mine."),
        same_model(other, "Bulk, not mine."),
        {"name": "kevins_new_model", "service": "mlflow_prod"},
    ]
    # when
    result = await gateway.execute(BULK, {"input": items}, user=PLAIN)
    # then only the owned one passes; each refused item carries its 403
    own_fqn, other_fqn = own["fullyQualifiedName"], other["fullyQualifiedName"]
    assert result == {
        "data": {
            "upsertMlModels": {
                "__typename": "UpsertMlModelsSuccess",
                "status": "PARTIAL_SUCCESS",
                "passed": 1,
                "failed": 2,
                "items": [
                    {"index": 0, "fullyQualifiedName": own_fqn, "error": None},
                    {
                        "index": 1,
                        "fullyQualifiedName": other_fqn,
                        "error": {
                            "__typename": "PermissionError",
                            "message": f"Permission denied: {refused(PLAIN, 'EditAll')}",
                            "code": "FORBIDDEN",
                        },
                    },
                    {
                        "index": 2,
                        "fullyQualifiedName": "mlflow_prod.kevins_new_model",
                        "error": {
                            "__typename": "PermissionError",
                            "message": f"Permission denied: {refused(PLAIN, 'Create')}",
                            "code": "FORBIDDEN",
                        },
                    },
                ],
            }
        }
    }
