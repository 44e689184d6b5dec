"""The gateway's executor answers exactly as graphql-core's own: same data, same errors.

Each case runs the operation through Strawberry's standard executor and through
`GatewayExecutor`, and asserts both the exact expected answer and that the two agree
(messages, paths and null propagation included).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

import pytest
import strawberry
from aiodataloader import DataLoader
from graphql import parse
from pydantic import ValidationError
from strawberry.extensions import SchemaExtension
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.base.settings import Settings
from gateway.domain.context import Context
from gateway.domain.loaders import Loaders
from gateway.domain.peek import NOT_READY, answers_with
from gateway.graphql.execution import _SYNC_TYPES, GatewayExecutor, is_awaitable
from gateway.graphql.schema import create_schema
from gateway.server.app import Upstreams
from gateway.server.cli import build_parser
from gateway.upstream.catalog import CatalogClient
from gateway.upstream.registry import RegistryClient
from tests.conftest import EmulatorHandle, gateway_settings

Answer = tuple[Any, list[tuple[str, list[str | int] | None]]]


@strawberry.interface
class Named:
    name: str


@strawberry.type
class Tag:
    fqn: str


@strawberry.type
class Person(Named):
    email: str | None


@strawberry.type
class Team(Named):
    size: int


@strawberry.type
class Item:
    id: strawberry.ID
    name: str
    count: int
    note: str | None
    tags: list[Tag]
    maybe_tags: list[Tag | None]
    record: strawberry.Private[dict[str, Any]]

    @strawberry.field
    def label(self) -> str:
        return f"{self.name}:{self.count}"

    @strawberry.field
    def strict_label(self) -> str:
        value: str = self.record["strict"]
        if value == "raise":
            raise ValueError("label failed")
        return value

    @strawberry.field(description="From the record, else through a loader.", graphql_type=int)
    @answers_with(lambda self: self.record.get("loaded", NOT_READY))
    def loaded(self, info: strawberry.Info[dict[str, Any], None]) -> int | Awaitable[int]:
        RESOLVER_CALLS.append(self.id)
        if "loaded" in self.record:
            known: int = self.record["loaded"]
            return known
        loaded: Awaitable[int] = info.context["loader"].load(self.id)
        return loaded

    @strawberry.field
    def pair(self) -> list[Tag]:
        """What the record's `pair` factory makes (items may be null or awaitable)."""
        made: list[Tag] = self.record["pair"]()
        return made

    @strawberry.field
    def owner(self) -> Named:
        if self.count % 2:
            return Team(name=f"team-{self.id}", size=self.count)
        return Person(name=f"user-{self.id}", email=None)


def _item(n: int, **record: Any) -> Item:
    return Item(
        id=strawberry.ID(str(n)),
        name=f"item-{n}",
        count=n,
        note=None if n % 2 else f"note {n}",
        tags=[Tag(fqn=f"T.{n}"), Tag(fqn="T.all")],
        maybe_tags=[Tag(fqn="x"), None],
        record={"strict": f"s{n}", **record},
    )


ITEMS: dict[str, list[Item]] = {}
Member = Annotated[Person | Team, strawberry.union("Member")]
MEMBERS: dict[str, Callable[[], list[Any]]] = {
    "plain": lambda: [Person(name="p1", email="p1@x"), Team(name="t1", size=2)],
    # A Person cast to Team resolves to Team, though Person instances resolve to Person.
    "cast": lambda: [
        Person(name="p1", email=None),
        strawberry.cast(Team, Person(name="as-team", email=None)),
        Person(name="p2", email=None),
    ],
    "wrong": lambda: [Team(name="t1", size=2), Tag(fqn="not a member")],
}
RESOLVER_CALLS: list[str] = []


@strawberry.type
class Query:
    @strawberry.field
    def items(self, which: str = "plain") -> list[Item]:
        return ITEMS[which]

    @strawberry.field
    def nullable_items(self, which: str = "plain") -> list[Item | None] | None:
        return list(ITEMS[which])

    @strawberry.field
    async def first(self) -> Item | None:
        return ITEMS["plain"][0]

    @strawberry.field
    def members(self, which: str = "plain") -> list[Member | None]:
        return MEMBERS[which]()


class Middleware(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        Middleware.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


def _schema(executor: type[Any], *, middleware: bool = False) -> strawberry.Schema:
    return strawberry.Schema(
        query=Query,
        types=[Person, Team],
        execution_context_class=executor,
        extensions=[Middleware] if middleware else [],
    )


STANDARD = _schema(StrawberryGraphQLCoreExecutionContext)
FAST = _schema(GatewayExecutor)


class BatchCounter:
    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    async def load(self, keys: list[str]) -> list[int]:
        self.batches.append(list(keys))
        await asyncio.sleep(0)
        return [int(k) * 10 for k in keys]


async def _run(schema: strawberry.Schema, query: str) -> tuple[Answer, BatchCounter]:
    counter = BatchCounter()
    result = await schema.execute(
        query, context_value={"loader": DataLoader(counter.load, cache=False)}
    )
    errors = [(e.message, e.path) for e in result.errors or ()]
    return (result.data, errors), counter


async def _both(query: str) -> tuple[Answer, BatchCounter]:
    """The answer of both executors (asserted equal), with the gateway executor's loads."""
    standard, _ = await _run(STANDARD, query)
    fast, counter = await _run(FAST, query)
    assert fast == standard
    return fast, counter


@pytest.fixture(autouse=True)
def items() -> None:
    ITEMS.clear()
    ITEMS["plain"] = [_item(1, loaded=5), _item(2, loaded=6)]
    ITEMS["null_name"] = [_item(1), Item(**{**vars(_item(2)), "name": None})]
    ITEMS["raising"] = [_item(1), _item(2, strict="raise")]
    ITEMS["bad_int"] = [Item(**{**vars(_item(1)), "count": "many"})]
    ITEMS["odd_scalars"] = [
        Item(**{**vars(_item(1)), "count": 2**31}),
        Item(**{**vars(_item(2)), "count": -(2**31), "name": 7}),
        Item(**{**vars(_item(3)), "count": True, "name": False}),
        Item(**{**vars(_item(4)), "count": 2**31 - 1, "id": 4}),
    ]
    ITEMS["null_tag"] = [Item(**{**vars(_item(1)), "tags": [Tag(fqn="a"), None]})]
    ITEMS["unloaded"] = [_item(1), _item(2), _item(3, loaded=7)]
    ITEMS["pair"] = [_item(1, pair=lambda: [None, _later_tag()])]


async def _later_tag() -> Tag:
    await asyncio.sleep(0)
    return Tag(fqn="later")


async def test_plain_fields_aliases_fragments_typename_and_directives() -> None:
    # when
    answer, _ = await _both(
        """
        query {
          items {
            __typename id n: name count note label
            ... on Item { tags { fqn __typename } }
            ...More
            skipped: name @skip(if: true)
            kept: count @include(if: true)
          }
        }
        fragment More on Item { maybeTags { fqn } strictLabel }
        """
    )
    # then
    data, errors = answer
    assert errors == []
    assert data == {
        "items": [
            {
                "__typename": "Item",
                "id": "1",
                "n": "item-1",
                "count": 1,
                "note": None,
                "label": "item-1:1",
                "tags": [
                    {"fqn": "T.1", "__typename": "Tag"},
                    {"fqn": "T.all", "__typename": "Tag"},
                ],
                "maybeTags": [{"fqn": "x"}, None],
                "strictLabel": "s1",
                "kept": 1,
            },
            {
                "__typename": "Item",
                "id": "2",
                "n": "item-2",
                "count": 2,
                "note": "note 2",
                "label": "item-2:2",
                "tags": [
                    {"fqn": "T.2", "__typename": "Tag"},
                    {"fqn": "T.all", "__typename": "Tag"},
                ],
                "maybeTags": [{"fqn": "x"}, None],
                "strictLabel": "s2",
                "kept": 2,
            },
        ]
    }


async def test_null_in_a_non_null_field_propagates_to_the_nearest_nullable_parent() -> None:
    # when
    in_list, _ = await _both('query { items(which: "null_name") { id name } }')
    in_nullable_list, _ = await _both('query { nullableItems(which: "null_name") { id name } }')
    # then
    message = "Cannot return null for non-nullable field Item.name."
    assert in_list == (None, [(message, ["items", 1, "name"])])
    assert in_nullable_list == (
        {"nullableItems": [{"id": "1", "name": "item-1"}, None]},
        [(message, ["nullableItems", 1, "name"])],
    )


async def test_a_resolver_error_is_located_and_nulls_its_parent() -> None:
    # when
    answer, _ = await _both('query { nullableItems(which: "raising") { id strictLabel } }')
    # then
    assert answer == (
        {"nullableItems": [{"id": "1", "strictLabel": "s1"}, None]},
        [("label failed", ["nullableItems", 1, "strictLabel"])],
    )


async def test_a_value_the_scalar_cannot_represent_is_a_field_error() -> None:
    # when
    answer, _ = await _both('query { nullableItems(which: "bad_int") { count } }')
    # then
    assert answer == (
        {"nullableItems": [None]},
        [("Int cannot represent non-integer value: 'many'", ["nullableItems", 0, "count"])],
    )


async def test_scalars_at_the_edges_are_coerced_as_graphql_core_does() -> None:
    # when
    answer, _ = await _both('query { nullableItems(which: "odd_scalars") { id name count } }')
    # then: 32-bit bounds, booleans and numbers in String, ID and Int fields
    assert answer == (
        {
            "nullableItems": [
                None,
                {"id": "2", "name": "7", "count": -(2**31)},
                {"id": "3", "name": "false", "count": 1},
                {"id": "4", "name": "item-4", "count": 2**31 - 1},
            ]
        },
        [
            (
                "Int cannot represent non 32-bit signed integer value: 2147483648",
                ["nullableItems", 0, "count"],
            )
        ],
    )


async def test_awaitables_are_told_apart_by_type_and_plain_types_are_remembered() -> None:
    class Plain:
        pass

    class WithAwait:
        def __await__(self) -> Any:
            yield None

    class Dynamic:
        def __getattr__(self, name: str) -> Any:
            return None

    async def coroutine() -> None:
        return None

    pending = coroutine()
    assert is_awaitable(pending)
    pending.close()
    assert is_awaitable(WithAwait())
    assert is_awaitable(asyncio.get_running_loop().create_future())
    assert not is_awaitable(Plain())
    assert Plain in _SYNC_TYPES
    # A type whose attributes are dynamic answers per value (hasattr asks the instance).
    assert is_awaitable(Dynamic())
    assert Dynamic not in _SYNC_TYPES
    assert WithAwait not in _SYNC_TYPES


async def test_a_null_item_in_a_list_of_non_null_objects_is_an_error() -> None:
    # when
    answer, _ = await _both('query { nullableItems(which: "null_tag") { tags { fqn } } }')
    # then
    assert answer == (
        {"nullableItems": [None]},
        [
            (
                "Cannot return null for non-nullable field Item.tags.",
                ["nullableItems", 0, "tags", 1],
            )
        ],
    )


async def test_a_null_item_before_an_awaitable_one_fails_the_list() -> None:
    # when
    answer, _ = await _both('query { nullableItems(which: "pair") { pair { fqn } } }')
    # then
    assert answer == (
        {"nullableItems": [None]},
        [("Cannot return null for non-nullable field Item.pair.", ["nullableItems", 0, "pair", 0])],
    )


async def test_awaitables_from_sync_resolvers_are_awaited_together_in_one_batch() -> None:
    # when
    answer, counter = await _both('query { items(which: "unloaded") { id loaded } }')
    RESOLVER_CALLS.clear()
    await _run(FAST, 'query { items(which: "unloaded") { id loaded } }')
    # then: the peek answers item 3; the resolver runs for the two it cannot
    assert RESOLVER_CALLS == ["1", "2"]
    assert answer == (
        {"items": [{"id": "1", "loaded": 10}, {"id": "2", "loaded": 20}, {"id": "3", "loaded": 7}]},
        [],
    )
    assert counter.batches == [["1", "2"]]


async def test_abstract_types_from_sync_resolvers_resolve_their_runtime_type() -> None:
    # when
    answer, _ = await _both(
        "query { first { owner { __typename name ... on Team { size } } } "
        "items { owner { name ... on Person { email } } } }"
    )
    # then
    assert answer == (
        {
            "first": {"owner": {"__typename": "Team", "name": "team-1", "size": 1}},
            "items": [{"owner": {"name": "team-1"}}, {"owner": {"name": "user-2", "email": None}}],
        },
        [],
    )


async def test_union_members_resolve_by_class_unless_cast_and_a_stranger_is_an_error() -> None:
    # when members of a union are asked for, twice (the second time from the class cache)
    for _ in range(2):
        plain, _ = await _both("{ members { __typename ... on Person { email } } }")
        cast, _ = await _both('{ members(which: "cast") { __typename } }')
        wrong, _ = await _both('{ members(which: "wrong") { __typename } }')

        # then each is its class's type, a cast one the type it is cast to, and an
        # object of no member type a located error
        assert plain == (
            {"members": [{"__typename": "Person", "email": "p1@x"}, {"__typename": "Team"}]},
            [],
        )
        assert cast == (
            {"members": [{"__typename": n} for n in ("Person", "Team", "Person")]},
            [],
        )
        assert wrong == (
            {"members": [{"__typename": "Team"}, None]},
            [
                (
                    "The type \"<class 'tests.gateway.test_execution.Tag'>\" of the field "
                    '"members" is not in the list of the types of the union: '
                    "\"['Person', 'Team']\"",
                    ["members", 1],
                )
            ],
        )


async def test_resolver_middleware_still_sees_every_field() -> None:
    # given
    Middleware.seen = []
    schema = _schema(GatewayExecutor, middleware=True)
    # when
    result = await schema.execute("query { first { id tags { fqn } } }")
    # then
    assert result.errors is None
    assert result.data == {"first": {"id": "1", "tags": [{"fqn": "T.1"}, {"fqn": "T.all"}]}}
    assert Middleware.seen == ["first", "id", "tags", "fqn", "fqn"]


# The gateway's own schema, against the emulator: every shape the frontends send.
GATEWAY_OPERATIONS = [
    """query { mlModels(first: 30) { totalCount pageInfo { hasNextPage endCursor }
        edges { cursor node { __typename id name displayName algorithm updatedAt version
          service { id name kind serviceType description
            owners { __typename ... on User { name } } }
          followerCount followers { name email } votes { upVotes downVotes upVoters { name } }
          tags { tagFQN source } owners { __typename ... on User { email } ... on Team { name } }
          mlHyperParameters { name value } mlStore { storage } registryModelRid } } } }""",
    """query { tables(first: 20) { nodes { name fullyQualifiedName serviceType
        columns { name dataType tags { tagFQN } children { name } }
        database { name } databaseSchema { name } followerCount votes { downVotes }
        mlModels { name } } } }""",
    """query { mlModels(first: 5) { nodes { name mlFeatures { name dataType
        featureSources { name table { name columns { name } followers { email } } } } } } }""",
    """query { users(first: 10) { nodes { id name displayName email } } }""",
]


@pytest.fixture
async def contexts(emulator: EmulatorHandle) -> AsyncIterator[Any]:
    settings = gateway_settings(emulator)
    upstreams = Upstreams.create(settings)

    def context() -> Context:
        catalog = CatalogClient(upstreams.catalog, auth=None, request_id=None)
        registry = RegistryClient(upstreams.registry, auth=None, request_id=None)
        return Context(
            request=None,
            settings=settings,
            catalog=catalog,
            registry=registry,
            loaders=Loaders.create(catalog, registry),
        )

    yield settings, context
    await upstreams.aclose()


@pytest.mark.parametrize("operation", GATEWAY_OPERATIONS)
async def test_gateway_operations_answer_as_with_the_standard_executor(
    contexts: Any, operation: str
) -> None:
    # given
    settings, context = contexts
    fast = create_schema(settings.model_copy(update={"executor": "fast"}))
    standard = create_schema(settings.model_copy(update={"executor": "standard"}))
    # when
    expected = await standard.execute(operation, context_value=context())
    answer = await fast.execute(operation, context_value=context())
    # then
    assert expected.errors is None
    assert answer.errors is None
    assert answer.data == expected.data
    assert answer.data


def test_the_executor_setting_picks_the_gateway_executor_or_strawberrys_own() -> None:
    # when the schema is made with each executor setting
    fast = create_schema(Settings(executor="fast"))
    standard = create_schema(Settings(executor="standard"))

    # then fast runs the gateway's executor, standard Strawberry's stock one
    assert fast.execution_context_class is GatewayExecutor
    assert standard.execution_context_class is StrawberryGraphQLCoreExecutionContext
    with pytest.raises(ValidationError, match="'fast' or 'standard'"):
        Settings(executor="turbo")


def test_gateway_serve_takes_the_executor_as_a_flag() -> None:
    # when
    args = build_parser().parse_args(["serve", "--executor", "standard"])
    # then
    assert args.executor == "standard"


async def test_an_operation_leaves_nothing_for_the_cycle_collector(contexts: Any) -> None:
    # given the gateway's schema, warmed up, and the cyclic garbage collector off
    settings, context = contexts
    schema = create_schema(settings)
    operation = GATEWAY_OPERATIONS[0]
    assert (await schema.execute(operation, context_value=context())).errors is None
    gc.collect()
    gc.disable()
    try:

        def alive() -> set[int]:
            kinds = GatewayExecutor | Context
            return {id(o) for o in gc.get_objects() if isinstance(o, kinds)}

        # (other tests' contexts may still be referenced from elsewhere)
        before = alive()

        # when an operation is answered
        result = await schema.execute(operation, context_value=context())
        assert result.errors is None
        del result

        # then its executor and context (with the loaders and records hanging off them)
        # were freed by reference counting alone
        assert alive() - before == set()
    finally:
        gc.enable()


async def test_work_tracked_after_the_executor_is_gone_is_still_settled() -> None:
    # given an executor's info helpers, and the executor gone
    executor = GatewayExecutor.build(FAST._schema, parse("{ first { id } }"))
    assert isinstance(executor, GatewayExecutor)
    helpers = executor.async_helpers
    del executor
    gc.collect()
    settled: list[str] = []

    async def late(name: str) -> None:
        await asyncio.sleep(0)
        settled.append(name)

    async def failing() -> None:
        raise ValueError("ignored")

    # when awaitables are tracked through them, then they still run to the end
    helpers.track([late("a"), 1, failing(), late("b")])
    for _ in range(5):
        await asyncio.sleep(0)
    assert settled == ["a", "b"]
