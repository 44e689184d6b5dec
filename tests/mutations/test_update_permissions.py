"""Who may edit what: the catalog decides per patch path; a plain user edits descriptions and
tags of anything, everything of what it owns, and a refusal is the catalog's own words."""

from __future__ import annotations

from typing import Any

from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.test_permissions import PLAIN, not_owned_by, refused
from tests.mutations.test_update import (
    ALICE,
    CHURN,
    CUSTOMERS,
    UPDATE_MODEL,
    UPDATE_TABLE,
    column_named,
    label,
    read_model,
    read_table,
    stable,
)

KEVINS_WITH_A_DOMAIN = "mlflow_prod.return_reason_classifier"  # kevin owns it, in Marketing


def typename(result: dict[str, Any], root: str) -> str:
    name: str = result["data"][root]["__typename"]
    return name


async def test_a_plain_user_edits_the_description_and_tags_of_what_it_does_not_own(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a model the plain user does not own
    model = not_owned_by(emulator, PLAIN)
    before = read_model(emulator, model["fullyQualifiedName"])
    # when it sets the description and adds a tag
    result = await gateway.execute(
        UPDATE_MODEL,
        {
            "id": model["id"],
            "input": {"description": "Seen by Kevin.", "addTags": [{"tagFQN": "PII.NonSensitive"}]},
        },
        user=PLAIN,
    )
    # then the catalog allowed both
    assert typename(result, "updateMlModel") == "UpdateMlModelSuccess"
    after = read_model(emulator, model["fullyQualifiedName"])
    expected = stable(before)
    expected["description"] = "Seen by Kevin."
    expected["tags"].append(label("PII.NonSensitive"))
    assert stable(after) == expected
    assert after["updatedBy"] == PLAIN


async def test_a_plain_user_edits_a_column_of_a_table_it_does_not_own(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    before = read_table(emulator, CUSTOMERS)
    update = {"columns": [{"name": "email", "description": "Where receipts go."}]}
    result = await gateway.execute(UPDATE_TABLE, {"fqn": CUSTOMERS, "input": update}, user=PLAIN)
    assert typename(result, "updateTable") == "UpdateTableSuccess"
    expected = stable(before)
    column_named(expected, "email")["description"] = "Where receipts go."
    assert stable(read_table(emulator, CUSTOMERS)) == expected


async def test_a_plain_user_may_not_rename_or_move_what_it_does_not_own(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a model the plain user does not own, in the Marketing domain
    before = read_model(emulator, CHURN)
    # when it changes the display name, or the domains along with the description
    renamed = await gateway.execute(
        UPDATE_MODEL, {"id": before["id"], "input": {"displayName": "Kevin's"}}, user=PLAIN
    )
    moved = await gateway.execute(
        UPDATE_MODEL,
        {"id": before["id"], "input": {"description": "Moved.", "domains": []}},
        user=PLAIN,
    )
    # then the catalog refused each, in its words, and nothing of either was written
    assert renamed == {
        "data": {
            "updateMlModel": {
                "__typename": "PermissionError",
                "code": "FORBIDDEN",
                "message": refused(PLAIN, "EditDisplayName"),
            }
        }
    }
    assert moved == {
        "data": {
            "updateMlModel": {
                "__typename": "PermissionError",
                "code": "FORBIDDEN",
                "message": refused(PLAIN, "EditAll"),
            }
        }
    }
    assert read_model(emulator, CHURN) == before


async def test_an_owner_edits_everything(gateway: GatewayClient, emulator: EmulatorHandle) -> None:
    # given a model the plain user owns alone, in the Marketing domain
    fqn = KEVINS_WITH_A_DOMAIN
    before = read_model(emulator, fqn)
    assert [o["name"] for o in before["owners"]] == [PLAIN]
    # when it changes names, the algorithm, the domains, tags and owners in one edit
    update = {
        "displayName": "Return reasons",
        "algorithm": "CatBoost",
        "domains": [],
        "addTags": [{"tagFQN": "Tier.Tier3"}],
        "addOwners": [{"id": ALICE}],
    }
    result = await gateway.execute(UPDATE_MODEL, {"id": before["id"], "input": update}, user=PLAIN)
    # then all of it is written
    assert typename(result, "updateMlModel") == "UpdateMlModelSuccess"
    expected = stable(before)
    expected.update(displayName="Return reasons", algorithm="CatBoost", domains=[])
    expected["tags"].append(label("Tier.Tier3"))
    expected["owners"].insert(0, {"id": ALICE, "type": "user"})  # listed by name
    assert stable(read_model(emulator, fqn)) == expected
