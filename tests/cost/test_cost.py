"""Query cost: exact costs of typical operations; the limit answers before any upstream call."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema, parse

from gateway.graphql.cost import operation_cost
from gateway.graphql.schema import create_schema
from tests.conftest import EmulatorHandle, gateway_settings, running_gateway

SCHEMA = create_schema()._schema

PLAYGROUND_EXAMPLE = """
query {
  mlModels(first: 10) {
    nodes { name service { name } followers { name } votes { upVotes downVotes } }
  }
}
"""
PAGE_BY_VARIABLE = "query Page($n: Int) { mlModels(first: $n) { nodes { name } } }"
CONNECTION_DEFAULTS = """
query { mlModels { totalCount pageInfo { hasNextPage } edges { cursor node { name } } } }
"""
NESTED_CONNECTIONS = """
query {
  services(kind: ML_MODEL, first: 5) {
    nodes { mlModels(first: 4) { nodes { followers { name } } } }
  }
}
"""
NESTED_LISTS = "query { tables(first: 3) { nodes { columns { name children { name } } } } }"
ENTITIES = """
query Entities($r: [_Any!]!) {
  _entities(representations: $r) {
    ... on MlModel { name followers { name } }
    ... on User { name }
  }
}
"""
FRAGMENTS = """
fragment A on MlModel { name }
fragment B on MlModel { ...A ...A }
fragment C on MlModel { ...B ...B }
query { mlModels(first: 2) { nodes { ...C ...C } } }
"""
NEGATIVE_PAGE_ALIAS = """
query {
  big: mlModels(first: 1000) { nodes { name followers { name } tags { tagFQN } } }
  sneaky: mlModels(first: -100000) { nodes { name } }
}
"""
FRAGMENT_AT_TWO_PAGE_SIZES = """
fragment Page on MlModelConnection { nodes { name followers { name } } }
query { one: mlModels(first: 1) { ...Page } hundred: mlModels(first: 100) { ...Page } }
"""
SKIPPED = "query Me($s: Boolean!) { me { id name @skip(if: $s) } }"
FOLLOW = """
mutation Follow($id: ID!) {
  follow(kind: ML_MODEL, id: $id) {
    __typename
    ... on FollowSuccess {
      user { name }
      asset { ... on MlModel { id version followerCount followers { name } } }
    }
    ... on MutationError { message code }
  }
}
"""
MODEL_ID = "5e5e5e5e-0000-4000-8000-000000000000"


INCLUDED = "query Me($i: Boolean!) { me { id name @include(if: $i) } }"
INCLUDED_FRAGMENTS = """
query Me($i: Boolean!) { me { id ... on User @include(if: $i) { name } ...Mail @include(if: $i) } }
fragment Mail on User { email }
"""
SKIPPED_SPREAD = """
query Me($s: Boolean!) { me { id ...Mail @skip(if: $s) } }
fragment Mail on User { email }
"""
INLINE_AFTER_A_FIELD = """
query { mlModels(first: 3) { nodes { name ... on MlModel { tags { tagFQN } } } } }
"""
INLINE_ON_THE_CONNECTION = (
    "query { mlModels(first: 3) { ... on MlModelConnection { nodes { name } } } }"
)
INTERFACE_FRAGMENT = """
query { mlModel(id: "m") { owners { ... on Owner { name } } } }
"""
ENTITY_FRAGMENTS = """
query Entities($r: [_Any!]!) {
  _entities(representations: $r) { ...Model ...Person ... on Owner { displayName } }
}
fragment Model on MlModel { name followers { name } }
fragment Person on User { name email }
"""
ENTITY_VERSIONS = """
query Entities($r: [_Any!]!, $n: Int) {
  _entities(representations: $r) { ... on MlModel { versions(first: $n) { nodes { rid } } } }
}
"""
TWO_OPERATIONS = """
query Cheap { me { name } }
query Dear { mlModels(first: 100) { nodes { name } } }
"""
EMPTY_PAGE = "query { mlModels(first: 0) { nodes { name } } }"


@pytest.mark.parametrize(
    ("query", "variables", "cost"),
    [
        pytest.param("query { me { name } }", None, 2, id="object-and-scalar"),
        # 1 + nodes 1 + 10 x (name 1 + service 2 + followers (1 + 10) + votes 3)
        pytest.param(PLAYGROUND_EXAMPLE, None, 172, id="playground-example"),
        pytest.param(PAGE_BY_VARIABLE, {"n": 3}, 5, id="first-from-variable"),
        pytest.param(PAGE_BY_VARIABLE, {}, 12, id="default-page-size"),
        pytest.param("query { users(last: 4) { nodes { name } } }", None, 6, id="last"),
        # totalCount and pageInfo are once per page; edges and nodes once per item.
        pytest.param(CONNECTION_DEFAULTS, None, 35, id="connection-parts"),
        # 2 + 5 x (mlModels 1 + nodes 1 + 4 x (followers 1 + 10))
        pytest.param(NESTED_CONNECTIONS, None, 232, id="nested-connections"),
        # 2 + 3 x (columns 1 + 10 x (name 1 + children (1 + 10)))
        pytest.param(NESTED_LISTS, None, 365, id="nested-lists"),
        pytest.param(
            'query { modelVersions(modelRid: "ri.x") { nodes { rid } } }',
            None,
            22,
            id="model-versions-page-20",
        ),
        # 1 + 3 representations x the dearer member (MlModel: 1 + 11)
        pytest.param(ENTITIES, {"r": [{"__typename": "User", "id": "u"}] * 3}, 37, id="entities"),
        pytest.param(
            ENTITIES, {"r": [{"__typename": "User", "id": "u"}] * 100}, 1201, id="entities-100"
        ),
        # A single representation is coerced to a list of one.
        pytest.param(ENTITIES, {"r": {"__typename": "User", "id": "u"}}, 13, id="entities-one"),
        pytest.param(FRAGMENTS, None, 18, id="fragments"),
        # one (1 + nodes (1 + 1 x 12)) + hundred (1 + nodes (1 + 100 x 12)): a fragment's
        # cost depends on the page it is spread in
        pytest.param(FRAGMENT_AT_TWO_PAGE_SIZES, None, 1216, id="fragment-at-two-page-sizes"),
        # big (2 + 1000 x (1 + 11 + 11)) + sneaky (2 + 0 x 1): a negative page costs nothing,
        # it never takes cost away from its siblings
        pytest.param(NEGATIVE_PAGE_ALIAS, None, 23004, id="negative-page-alias"),
        pytest.param(SKIPPED, {"s": True}, 2, id="skip"),
        pytest.param(SKIPPED, {"s": False}, 3, id="not-skipped"),
        pytest.param(INCLUDED, {"i": False}, 2, id="not-included"),
        pytest.param(INCLUDED, {"i": True}, 3, id="included"),
        pytest.param(INCLUDED_FRAGMENTS, {"i": False}, 2, id="fragments-not-included"),
        pytest.param(INCLUDED_FRAGMENTS, {"i": True}, 4, id="fragments-included"),
        pytest.param(SKIPPED_SPREAD, {"s": True}, 2, id="spread-skipped"),
        pytest.param(SKIPPED_SPREAD, {"s": False}, 3, id="spread-not-skipped"),
        # 1 + nodes (1 + 3 x (name 1 + tags 11))
        pytest.param(INLINE_AFTER_A_FIELD, None, 38, id="inline-fragment-after-a-field"),
        # the connection's page reaches `nodes` through an inline fragment
        pytest.param(INLINE_ON_THE_CONNECTION, None, 5, id="inline-fragment-on-connection"),
        # a fragment on the interface itself applies to each implementation: 1 + (1 + 10 x 1)
        pytest.param(INTERFACE_FRAGMENT, None, 12, id="interface-fragment"),
        # 1 + 2 x the dearer member: MlModel (Model 12; Person and Owner do not apply) or
        # User (Person 2 + Owner 1)
        pytest.param(ENTITY_FRAGMENTS, {"r": [{}] * 2}, 25, id="entity-fragments"),
        # representations taken as sent, the other variables still coerced: 1 + 2 x (1 + (1 + 3))
        pytest.param(ENTITY_VERSIONS, {"r": [{}] * 2, "n": 3}, 11, id="entities-and-a-page"),
        pytest.param(EMPTY_PAGE, None, 2, id="empty-page"),
        # an inline fragment without a type condition applies where it stands
        pytest.param("query { me { id ... { name email } } }", None, 4, id="untyped-inline"),
        # meta-fields are free, wherever they are
        pytest.param("query { me { __typename name } }", None, 2, id="typename"),
        pytest.param("query { __schema { types { name fields { name } } } }", None, 0, id="intro"),
        # 1 + FollowSuccess: user 2 + asset (1 + 3 + followers 11)
        pytest.param(FOLLOW, {"id": MODEL_ID}, 18, id="mutation-union"),
    ],
)
def test_operation_cost(query: str, variables: dict[str, Any] | None, cost: int) -> None:
    # given
    document = parse(query)
    # when
    computed = operation_cost(SCHEMA, document, None, variables)
    # then
    assert computed == cost


@pytest.mark.parametrize(("name", "cost"), [("Cheap", 2), ("Dear", 102), (None, None)])
def test_the_named_operation_is_costed(name: str | None, cost: int | None) -> None:
    # None: which operation runs is ambiguous, and execution says so
    assert operation_cost(SCHEMA, parse(TWO_OPERATIONS), name) == cost


def test_a_fragment_doubling_thirty_times_is_costed_once_per_fragment() -> None:
    # given F30 spreads F29 twice, ... F1 spreads F0 twice: 2^30 names, 31 fragments
    fragments = ["fragment F0 on User { name }"] + [
        f"fragment F{i} on User {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 31)
    ]
    document = parse("query { me { ...F30 } }\n" + "\n".join(fragments))
    # when / then: exact, and in no time (each fragment's cost is computed once)
    assert operation_cost(SCHEMA, document) == 1 + 2**30


# A schema with shapes the gateway's own does not have (yet): a list paged by its own
# arguments, a connection behind an interface, an interface nobody implements.
SHAPES = build_schema(
    """
    type Item { id: ID! tags: [String!]! }
    interface Paged { nodes: [Item!]! }
    type ItemPage implements Paged { nodes: [Item!]! }
    interface Lonely { id: ID! }
    type Query {
      items(first: Int, last: Int): [Item!]!
      paged(first: Int): Paged
      lonely: Lonely
    }
    """
)


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        pytest.param("{ items(first: 3) { id } }", 4, id="list-first"),
        pytest.param("{ items(last: 2) { id } }", 3, id="list-last"),
        pytest.param("{ items(first: 2, last: 5) { id } }", 6, id="list-larger-of-both"),
        pytest.param("{ items { id } }", 11, id="list-default"),
        pytest.param("{ paged(first: 3) { nodes { id } } }", 5, id="abstract-connection"),
        pytest.param("{ lonely { id } }", 1, id="interface-without-implementations"),
    ],
)
def test_operation_cost_of_other_shapes(query: str, cost: int) -> None:
    assert operation_cost(SHAPES, parse(query)) == cost


async def test_the_operation_that_runs_is_the_one_costed(emulator: EmulatorHandle) -> None:
    # when the dear one of two operations is asked for
    status, body = await _post(
        emulator, {"query": TWO_OPERATIONS, "operationName": "Dear"}, max_cost=50
    )
    # then it is refused; the cheap one runs
    assert status == 400
    assert body == _too_complex(102, 50)
    assert emulator.counters() == {}
    status, body = await _post(
        emulator, {"query": TWO_OPERATIONS, "operationName": "Cheap"}, max_cost=50
    )
    assert (status, body) == (200, {"data": {"me": {"name": "admin"}}})


def test_cost_of_invalid_variables_is_left_to_execution() -> None:
    assert operation_cost(SCHEMA, parse(PAGE_BY_VARIABLE), None, {"n": "ten"}) is None


@pytest.mark.parametrize("variables", [{}, {"r": None}], ids=["missing", "null"])
def test_cost_of_missing_representations_is_left_to_execution(
    variables: dict[str, Any],
) -> None:
    assert operation_cost(SCHEMA, parse(ENTITIES), None, variables) is None


async def _post(
    emulator: EmulatorHandle,
    body: dict[str, Any],
    *,
    accept: str = "application/graphql-response+json",
    **settings: object,
) -> tuple[int, dict[str, Any]]:
    async with running_gateway(gateway_settings(emulator, **settings), emulator) as gateway:
        emulator.reset_counters()
        # As the emulator's admin: a mutation needs the caller's own credentials.
        headers = {"Accept": accept, **emulator.headers()}
        response = await gateway.http.post("/graphql", json=body, headers=headers)
        return response.status_code, response.json()


def _too_complex(cost: int, max_cost: int) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": f"The operation costs {cost}, more than the limit of {max_cost}: ask "
                "for smaller pages (first/last) or fewer nested lists. Each field counts 1, "
                "times the size of every list around it.",
                "extensions": {"code": "QUERY_TOO_COMPLEX", "cost": cost, "maxCost": max_cost},
            }
        ]
    }


async def test_over_the_limit_is_refused_before_any_upstream_call(
    emulator: EmulatorHandle,
) -> None:
    # when
    status, body = await _post(emulator, {"query": PLAYGROUND_EXAMPLE}, max_cost=171)
    # then
    assert status == 400
    assert body == _too_complex(172, 171)
    assert emulator.counters() == {}


async def test_legacy_json_clients_get_the_same_error_with_200(emulator: EmulatorHandle) -> None:
    status, body = await _post(
        emulator, {"query": PLAYGROUND_EXAMPLE}, accept="application/json", max_cost=100
    )
    assert status == 200
    assert body == _too_complex(172, 100)
    assert emulator.counters() == {}


async def test_a_cost_at_the_limit_runs(emulator: EmulatorHandle) -> None:
    status, body = await _post(
        emulator, {"query": PAGE_BY_VARIABLE, "variables": {"n": 2}}, max_cost=4
    )
    assert status == 200
    assert body == {
        "data": {
            "mlModels": {"nodes": [{"name": "ad_spend_allocator"}, {"name": "address_validator"}]}
        }
    }


async def test_variables_set_the_cost(emulator: EmulatorHandle) -> None:
    # given: the same document, which validation alone cannot cost
    big = {"query": PAGE_BY_VARIABLE, "variables": {"n": 1000}}
    # when
    status, body = await _post(emulator, big, max_cost=500)
    # then
    assert status == 400
    assert body == _too_complex(1002, 500)
    assert emulator.counters() == {}


@pytest.mark.parametrize(
    ("query", "cost"),
    [
        pytest.param(NEGATIVE_PAGE_ALIAS, 23004, id="negative-page-alias"),
        pytest.param(FRAGMENT_AT_TWO_PAGE_SIZES, 1216, id="fragment-at-two-page-sizes"),
    ],
)
async def test_no_shape_of_the_operation_hides_its_cost(
    emulator: EmulatorHandle, query: str, cost: int
) -> None:
    # given a limit between the operation's true cost and what a careless count would make it
    # when
    status, body = await _post(emulator, {"query": query}, max_cost=1000)
    # then it is refused, whole, before any upstream call
    assert status == 400
    assert body == _too_complex(cost, 1000)
    assert emulator.counters() == {}


async def test_a_mutation_over_the_limit_writes_nothing(emulator: EmulatorHandle) -> None:
    status, body = await _post(
        emulator, {"query": FOLLOW, "variables": {"id": MODEL_ID}}, max_cost=10
    )
    assert status == 400
    assert body == _too_complex(18, 10)
    assert emulator.counters() == {}


async def test_an_astronomic_cost_is_reported_json_safe(emulator: EmulatorHandle) -> None:
    # given: nested pages of 2^31 - 1 each (the resolvers would refuse them, too late)
    n = 2**31 - 1
    query = (
        f"query {{ services(kind: ML_MODEL, first: {n}) {{ nodes {{ mlModels(first: {n}) "
        f"{{ nodes {{ followers {{ name }} }} }} }} }} }}"
    )
    # when
    status, body = await _post(emulator, {"query": query})
    # then
    assert status == 400
    assert body == _too_complex(2**53 - 1, 50_000)
    assert emulator.counters() == {}
