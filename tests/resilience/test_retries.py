"""Retries: an idempotent call is sent once more after 502/503/504; a POST never is."""

from __future__ import annotations

import pytest

from gateway.emulator.ids import registry_model_rid
from tests.conftest import EmulatorHandle, GatewayClient
from tests.mutations.rest import table_by_name

VERSIONS = """
query Versions($rid: String!) { modelVersions(modelRid: $rid, first: 1) { nodes { rid } } }
"""
VOTE = """
mutation Vote($id: ID!) {
  vote(kind: TABLE, id: $id, vote: UP) { __typename ... on MutationError { code } }
}
"""
CREATE = """
mutation Create($input: MlModelInput!) {
  createMlModel(input: $input) { __typename ... on MutationError { code } }
}
"""
LIST_VERSIONS = "GET /api/v2/models/{modelRid}/versions"
TABLE_VOTE = "PUT /api/v1/tables/{id}/vote"
CREATE_MODEL = "POST /api/v1/mlmodels"


def statuses(emulator: EmulatorHandle, route: str) -> list[int]:
    return [int(str(e["status"])) for e in emulator.requests() if e["route"] == route]


@pytest.mark.parametrize("status", [502, 503, 504])
async def test_a_read_is_sent_again_after_a_gateway_status(
    gateway: GatewayClient, emulator: EmulatorHandle, status: int
) -> None:
    # given one failure in front of the registry's version list
    emulator.add_fault(match=LIST_VERSIONS, status=status, times=1)
    # when
    result = await gateway.execute(VERSIONS, {"rid": registry_model_rid("churn_predictor")})
    # then the second attempt answered
    assert "errors" not in result
    assert len(result["data"]["modelVersions"]["nodes"]) == 1
    assert statuses(emulator, LIST_VERSIONS) == [status, 200]


async def test_a_vote_put_is_sent_again_after_a_503(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    table_id = table_by_name(emulator, "postgres_shop.shop.public.customers")["id"]
    emulator.add_fault(match=TABLE_VOTE, status=503, times=1)
    result = await gateway.execute(VOTE, {"id": table_id})
    assert result == {"data": {"vote": {"__typename": "VoteSuccess"}}}
    assert statuses(emulator, TABLE_VOTE) == [503, 200]


async def test_a_post_is_sent_exactly_once_whatever_it_answers(
    gateway: GatewayClient, emulator: EmulatorHandle
) -> None:
    # given a catalog that answers the create with 503 every time
    emulator.add_fault(match=CREATE_MODEL, status=503)
    # when
    result = await gateway.execute(CREATE, {"input": {"name": "m", "service": "mlflow_prod"}})
    # then the error is reported and exactly one request was made
    assert [e["extensions"]["code"] for e in result["errors"]] == ["UPSTREAM_ERROR"]
    assert statuses(emulator, CREATE_MODEL) == [503]
