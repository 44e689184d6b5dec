"""The schema's own rules: the depth limit, undefined fragments, and how errors are shaped and
logged (a stable `extensions.code` for every error; anything unexpected masked and logged)."""

from __future__ import annotations

import asyncio
import logging
from enum import Enum
from typing import Annotated, Any

import pytest
import strawberry
from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    get_introspection_query,
)
from strawberry.federation.schema_directives import Key
from strawberry.federation.types import FieldSet

from gateway.base.errors import NotFoundError
from gateway.domain.types.keys import ReferenceFetch
from gateway.graphql.schema import INTERNAL_MESSAGE, GatewaySchema, shape_error
from tests.conftest import EmulatorHandle, gateway_settings, running_gateway


async def _post(
    emulator: EmulatorHandle, query: str, **settings: object
) -> tuple[int, dict[str, Any]]:
    async with running_gateway(gateway_settings(emulator, **settings), emulator) as gateway:
        emulator.reset_counters()
        response = await gateway.http.post("/graphql", json={"query": query})
        return response.status_code, response.json()


# The federation spec's own definitions: their text is the spec's, not this schema's.
FEDERATION_TYPES = {"_Any", "_Entity", "_Service", "_FieldSet", "link__Import", "link__Purpose"}
FEDERATION_FIELDS = {"Query._entities", "Query._service"}


def undescribed(schema: GraphQLSchema) -> list[str]:
    """Coordinates of every type, field, argument, input field and enum value without a
    description (blank counts as none), federation and introspection definitions aside."""
    missing: list[str] = []
    for name, kind in schema.type_map.items():
        if name.startswith("__") or name in FEDERATION_TYPES:
            continue
        if not (kind.description or "").strip():
            missing.append(name)
        if isinstance(kind, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in kind.fields.items():
                coordinate = f"{name}.{field_name}"
                if coordinate in FEDERATION_FIELDS:
                    continue
                if not (field.description or "").strip():
                    missing.append(coordinate)
                missing += [
                    f"{coordinate}({arg_name}:)"
                    for arg_name, arg in field.args.items()
                    if not (arg.description or "").strip()
                ]
        elif isinstance(kind, GraphQLInputObjectType):
            missing += [
                f"{name}.{field_name}"
                for field_name, field in kind.fields.items()
                if not (field.description or "").strip()
            ]
        elif isinstance(kind, GraphQLEnumType):
            missing += [
                f"{name}.{value_name}"
                for value_name, value in kind.values.items()
                if not (value.description or "").strip()
            ]
    return sorted(missing)


def test_everything_in_the_schema_is_described() -> None:
    from gateway.graphql.schema import create_schema

    assert undescribed(create_schema()._schema) == [], (
        "describe these (what it means, defaults, limits): Strawberry takes "
        "`description=` on types, fields, arguments (strawberry.argument) and enum values "
        "(strawberry.enum_value)"
    )


# A small schema with one undescribed definition of each kind, and federation's own.
@strawberry.enum(description="A colour.")
class Colour(Enum):
    RED = strawberry.enum_value("red", description="Red.")
    BLUE = "blue"


@strawberry.input(description="Which items.")
class Filter:
    colour: Colour = strawberry.field(description="Of this colour.")
    name: str = strawberry.field(description=" ")


@strawberry.type
class Item:
    name: str


def _items(
    where: Annotated[Filter, strawberry.argument(description="Filter.")], first: int
) -> list[Item]:
    return []


@strawberry.federation.type(description="Items.")
class ItemQuery:
    items: list[Item] = strawberry.field(resolver=_items, description="Items.")


def test_the_description_rule_names_each_kind_of_undescribed_definition() -> None:
    # given
    schema = strawberry.federation.Schema(query=ItemQuery, types=[Item])
    # then
    assert undescribed(schema._schema) == [
        "Colour.BLUE",
        "Filter.name",
        "Item",
        "Item.name",
        "Query.items(first:)",
    ]


async def test_introspection_is_not_held_to_the_depth_limit(emulator: EmulatorHandle) -> None:
    # given a depth limit far below the introspection query's (GraphiQL's) depth of 13
    # when
    status, body = await _post(emulator, get_introspection_query(), max_depth=3)
    # then
    assert status == 200
    assert "errors" not in body
    assert body["data"]["__schema"]["queryType"] == {"name": "Query", "kind": "OBJECT"}


DEEP_THROUGH_A_FRAGMENT = """
query { mlModels { nodes { ...M } } }
fragment M on MlModel { service { mlModels { nodes { name } } } }
"""


async def test_the_depth_limit_sees_through_fragments(emulator: EmulatorHandle) -> None:
    status, body = await _post(emulator, DEEP_THROUGH_A_FRAGMENT, max_depth=4)
    assert (status, body) == (
        400,
        {
            "errors": [
                {
                    "message": "'anonymous' exceeds maximum operation depth of 4",
                    "locations": [{"line": 3, "column": 54}],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ]
        },
    )
    assert emulator.counters() == {}


@pytest.mark.parametrize(
    ("query", "column"),
    [
        pytest.param("{ me { ...Nope } }", 11, id="in-a-field"),
        pytest.param("{ me { ... on User { ...Nope } } }", 25, id="in-an-inline-fragment"),
        pytest.param(
            "{ me { ...Known } mlModels { nodes { ...Nope } } } fragment Known on User { name }",
            41,
            id="beside-a-known-fragment",
        ),
    ],
)
async def test_an_undefined_fragment_is_a_validation_error(
    emulator: EmulatorHandle, query: str, column: int
) -> None:
    # when: the depth rule cannot measure the document, the known-fragments rule reports it
    status, body = await _post(emulator, query, max_depth=4)
    # then
    assert (status, body) == (
        400,
        {
            "errors": [
                {
                    "message": "Unknown fragment 'Nope'.",
                    "locations": [{"line": 1, "column": column}],
                    "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
                }
            ]
        },
    )
    assert emulator.counters() == {}


async def test_a_gateway_error_is_logged_with_its_code(
    emulator: EmulatorHandle, caplog: pytest.LogCaptureFixture
) -> None:
    # when
    with caplog.at_level(logging.INFO, logger="gateway.errors"):
        _, body = await _post(emulator, '{ mlModel(id: "nope") { name } }')
    # then
    assert body["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "argument": "id"}
    assert [(r.name, r.levelname, r.getMessage()) for r in caplog.records] == [
        ("gateway.errors", "INFO", "BAD_USER_INPUT: `id` must be a UUID, got 'nope'.")
    ]


@pytest.mark.parametrize(
    ("path", "where"),
    [(["mlModels", "edges", 0, "node", "name"], "mlModels.edges.0.node.name"), (None, "operation")],
)
def test_an_unexpected_error_is_masked_and_logged_with_where_it_happened(
    caplog: pytest.LogCaptureFixture, path: list[str | int] | None, where: str
) -> None:
    # given
    cause = ValueError("secret detail")
    error = GraphQLError("secret detail", path=path, original_error=cause)
    # when
    with caplog.at_level(logging.ERROR, logger="gateway.errors"):
        shape_error(error)
    # then
    assert (error.message, error.extensions) == (
        INTERNAL_MESSAGE,
        {"code": "INTERNAL_SERVER_ERROR"},
    )
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in caplog.records] == [
        ("ERROR", f"unexpected error in {where}", (ValueError, cause, cause.__traceback__))
    ]


@pytest.mark.parametrize(
    ("error", "message", "extensions"),
    [
        pytest.param(
            GraphQLError("x", original_error=NotFoundError("No such model.")),
            "No such model.",
            {"code": "NOT_FOUND"},
            id="gateway-error",
        ),
        pytest.param(
            GraphQLError("Syntax Error: Unexpected Name 'x'."),
            "Syntax Error: Unexpected Name 'x'.",
            {"code": "GRAPHQL_PARSE_FAILED"},
            id="syntax",
        ),
        pytest.param(
            GraphQLError("Cannot return null for non-nullable field Query.x.", path=["x"]),
            "Cannot return null for non-nullable field Query.x.",
            {"code": "BAD_USER_INPUT"},
            id="with-a-path",
        ),
        pytest.param(
            GraphQLError("Variable '$n' has invalid value: Int cannot represent 'a'"),
            "Variable '$n' has invalid value: Int cannot represent 'a'",
            {"code": "BAD_USER_INPUT"},
            id="variable-value",
        ),
        pytest.param(
            GraphQLError("Variable '$n' is never used."),
            "Variable '$n' is never used.",
            {"code": "GRAPHQL_VALIDATION_FAILED"},
            id="variable-rule",
        ),
        pytest.param(
            GraphQLError("Unknown type 'X'.", extensions={"hint": "h"}),
            "Unknown type 'X'.",
            {"hint": "h", "code": "GRAPHQL_VALIDATION_FAILED"},
            id="other-extensions-kept",
        ),
        pytest.param(
            GraphQLError("Mine.", extensions={"code": "MINE"}),
            "Mine.",
            {"code": "MINE"},
            id="code-kept",
        ),
    ],
)
def test_every_error_gets_a_stable_code(
    error: GraphQLError, message: str, extensions: dict[str, Any]
) -> None:
    shape_error(error)
    assert (error.message, error.extensions) == (message, extensions)


async def test_parse_and_validation_caches_stay_bounded() -> None:
    # given the schema's caches, shared by every request of the process
    from strawberry.extensions import ParserCache, ValidationCache

    from gateway.base.settings import Settings
    from gateway.graphql.schema import create_schema

    schema = create_schema(Settings(catalog_url="http://catalog", registry_url="http://registry"))
    made = [factory() for factory in schema.extensions]
    parse = next(e for e in made if isinstance(e, ParserCache)).cached_parse_document
    validate = next(e for e in made if isinstance(e, ValidationCache)).cached_validate_document
    # when a flood of distinct documents arrives (each alias makes a new one)
    for n in range(600):
        result = await schema.execute(f"{{ a{n}: __typename }}")
        assert result.data == {f"a{n}": "Query"}
    # then neither cache holds more than its bound: memory does not grow with the flood
    assert size(parse) == size(validate) == 512


def size(cached: Any) -> int:
    """Entries in a `functools.lru_cache`."""
    return int(cached.cache_info().currsize)


@strawberry.federation.type(keys=[Key(fields=FieldSet("id"))])
class Thing:
    """An entity of a small schema whose records named "bad" cannot become one."""

    id: strawberry.ID

    @classmethod
    def fetch_reference(cls, info: strawberry.Info, **key: object) -> ReferenceFetch[str, Thing]:
        record: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        record.set_result(str(key["id"]))
        return ReferenceFetch(record, cls.convert)

    @classmethod
    def convert(cls, found: str) -> Thing:
        if found == "bad":
            raise ValueError("a record the type cannot hold")
        return cls(id=strawberry.ID(found))


@strawberry.type
class ThingQuery:
    @strawberry.field
    def ping(self) -> str:
        return "pong"


async def test_an_entity_whose_conversion_fails_fails_alone() -> None:
    # given a small federated schema whose entity turns one record into an error
    schema = GatewaySchema(query=ThingQuery, types=[Thing])
    representations = [{"__typename": "Thing", "id": i} for i in ("a", "bad", "c")]
    # when
    result = await schema.execute(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Thing { id } } }",
        variable_values={"r": representations},
    )
    # then the other two are answered, and that one is null with a masked error
    assert result.data == {"_entities": [{"id": "a"}, None, {"id": "c"}]}
    assert [(e.message, e.path, e.extensions) for e in result.errors or ()] == [
        (INTERNAL_MESSAGE, ["_entities", 1], {"code": "INTERNAL_SERVER_ERROR"})
    ]
