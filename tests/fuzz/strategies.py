"""Hypothesis strategies: GraphQL documents from the schema, broken documents, HTTP requests."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import quote

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLUnionType,
    get_named_type,
)
from hypothesis import strategies as st

from gateway.emulator.catalog.seed import SEED_ADMIN_ID
from gateway.emulator.ids import REGISTRY_LINKED_MODELS, registry_model_rid, registry_version_rid
from gateway.graphql.schema import create_schema

T = TypeVar("T")

SCHEMA = create_schema()._schema
MAX_DEPTH = 3
NAME_START = "abcdefghijklmnopqrstuvwxyz_"
# Values the seeded emulator knows, so that many operations reach real data.
KNOWN_STRINGS = (
    SEED_ADMIN_ID,
    "admin",
    "alice",
    "mlflow_prod",
    "mlflow_prod.churn_predictor",
    "postgres_shop.shop.public.customers",
    registry_model_rid(REGISTRY_LINKED_MODELS[0]),
    registry_version_rid(REGISTRY_LINKED_MODELS[0], 0),
    "master",
    "",
    "5e5e5e5e-0000-4000-8000-000000000000",
)


def weighted(*choices: tuple[int, st.SearchStrategy[T]]) -> st.SearchStrategy[T]:
    """One of the strategies, in proportion to its weight (`one_of` is far from uniform)."""
    return st.sampled_from([s for weight, s in choices for _ in range(weight)]).flatmap(
        lambda strategy: strategy
    )


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True with probability about 1/n: integer draws lean to their bounds, and sampling to
    its first element (the simplest), so True comes last."""
    return st.sampled_from([False] * (n - 1) + [True])


PAGE_SIZES = weighted(
    (9, st.integers(-2, 12)), (1, st.sampled_from([100, 1000, 1001, 2**31 - 1, -(2**31)]))
)
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)


@dataclass
class Operation:
    """A generated request: the document, its variables and the operation name to send."""

    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    operation_name: str | None = None


class _Builder:
    """Draws one operation over the schema; collects the variables its arguments use."""

    def __init__(self, draw: st.DrawFn) -> None:
        self.draw = draw
        self.definitions: list[str] = []
        self.variables: dict[str, Any] = {}
        self.aliases = 0

    def selection_set(self, parent: Any, depth: int) -> str:
        if isinstance(parent, GraphQLUnionType) or (
            isinstance(parent, GraphQLInterfaceType) and self.draw(st.booleans())
        ):
            members = SCHEMA.get_possible_types(parent)
            picked = self.draw(st.lists(st.sampled_from(members), min_size=1, max_size=3))
            parts = ["__typename"] + [
                f"... on {member.name} {self.selection_set(member, depth)}" for member in picked
            ]
            return "{ " + " ".join(parts) + " }"
        # Unique names: the same field twice with other arguments fails validation, which
        # the broken documents cover well enough.
        chosen = self.draw(
            st.lists(
                st.sampled_from(list(parent.fields.items())),
                min_size=1,
                max_size=3,
                unique_by=lambda item: item[0],
            )
        )
        parts = [self.field(name, field.type, field.args, depth) for name, field in chosen]
        if self.draw(one_in(100)):
            parts.append("noSuchField")
        return "{ " + " ".join(parts) + " }"

    def field(self, name: str, type_: GraphQLOutputType, args: dict[str, Any], depth: int) -> str:
        text = f"{self.alias()}: {name}" if self.draw(one_in(6)) else name
        arguments = [
            f"{arg_name}: {self.argument(arg_name, arg.type)}"
            for arg_name, arg in args.items()
            if isinstance(arg.type, GraphQLNonNull) or self.draw(st.booleans())
        ]
        if arguments:
            text += "(" + ", ".join(arguments) + ")"
        named = get_named_type(type_)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType):
            if depth < MAX_DEPTH:
                text += " " + self.selection_set(named, depth + 1)
            else:
                text += " { __typename }"
        return text

    def argument(self, name: str, type_: GraphQLInputType) -> str:
        if not self.draw(one_in(4)):
            return literal(self.draw(values(name, type_)), type_)
        variable = f"v{len(self.variables)}"
        self.definitions.append(f"${variable}: {type_}")
        self.variables[variable] = self.draw(weighted((9, values(name, type_)), (1, JSON_VALUES)))
        return f"${variable}"

    def alias(self) -> str:
        self.aliases += 1
        return self.draw(st.text(NAME_START, min_size=1, max_size=6)) + str(self.aliases)


def values(name: str, type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    """Values of `type_` as JSON has them (enums by name), some out of range or malformed."""
    key = (name, str(type_))
    strategy = _VALUES.get(key)
    if strategy is None:
        strategy = _VALUES[key] = _values(name, type_)
    return strategy


# Built once per argument name and type: building strategies costs more than drawing.
_VALUES: dict[tuple[str, str], st.SearchStrategy[Any]] = {}


def _values(name: str, type_: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(type_, GraphQLNonNull):
        return values(name, type_.of_type)
    if isinstance(type_, GraphQLList):
        element = values(name, type_.of_type)
        return weighted((3, st.lists(element, max_size=3)), (1, element))
    if name in ("first", "last"):
        return PAGE_SIZES
    if isinstance(type_, GraphQLEnumType):
        return weighted(
            (19, st.sampled_from(list(type_.values))),
            (1, st.text(NAME_START, min_size=1, max_size=5)),
        )
    if isinstance(type_, GraphQLInputObjectType):
        return st.fixed_dictionaries(
            {
                key: values(key, field.type)
                for key, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull)
            },
            optional={
                key: values(key, field.type)
                for key, field in type_.fields.items()
                if not isinstance(field.type, GraphQLNonNull)
            },
        )
    return _scalars(type_)


def _scalars(type_: GraphQLScalarType) -> st.SearchStrategy[Any]:
    if type_.name == "Int":
        return weighted((9, st.integers(-5, 50)), (1, st.integers(-(2**40), 2**40)))
    if type_.name == "Float":
        return st.floats(allow_nan=False, allow_infinity=False, width=32)
    if type_.name == "Boolean":
        return st.booleans()
    strings = weighted((3, st.sampled_from(KNOWN_STRINGS)), (1, st.text(max_size=16)))
    if type_.name == "_Any":
        typenames = st.sampled_from(["MlModel", "Table", "Service", "User", "ModelVersion", "X"])
        keys = st.sampled_from(["id", "fullyQualifiedName", "rid", "modelRid", "__typename"])
        return weighted(
            (
                4,
                st.fixed_dictionaries(
                    {"__typename": typenames},
                    optional={"id": strings, "rid": strings, "fullyQualifiedName": strings},
                ),
            ),
            (1, st.dictionaries(keys, strings, max_size=2)),
            (1, JSON_VALUES),
        )
    return strings


def literal(value: Any, type_: GraphQLInputType) -> str:
    """`value` written as a GraphQL literal for an argument of `type_`."""
    named = get_named_type(type_)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        if isinstance(named, GraphQLEnumType) and value.isidentifier():
            return value
        return json.dumps(value)
    if isinstance(value, list):
        return "[" + ", ".join(literal(item, type_) for item in value) + "]"
    if isinstance(value, dict):
        fields = named.fields if isinstance(named, GraphQLInputObjectType) else {}
        parts = [
            f"{key}: {literal(item, fields[key].type if key in fields else type_)}"
            for key, item in value.items()
            if key.isidentifier()
        ]
        return "{" + ", ".join(parts) + "}"
    raise TypeError(f"no literal for {value!r}")


@st.composite
def operations(draw: st.DrawFn) -> Operation:
    """A query or mutation over the schema: fields, aliases, arguments, variables, fragments."""
    mutation = draw(one_in(5))
    root = SCHEMA.mutation_type if mutation else SCHEMA.query_type
    assert root is not None
    builder = _Builder(draw)
    selection = builder.selection_set(root, 0)
    name = draw(st.sampled_from(["", "Fuzz"]))
    definitions = f"({', '.join(builder.definitions)})" if builder.definitions else ""
    query = f"{'mutation' if mutation else 'query'} {name}{definitions} {selection}"
    if draw(one_in(10)):
        query += f"\nfragment F on {root.name} {{ __typename }}"
    operation_name = draw(st.sampled_from([None, None, None, name or None, "Nope"]))
    return Operation(query, builder.variables, operation_name)


@st.composite
def broken(draw: st.DrawFn, source: st.SearchStrategy[Operation]) -> Operation:
    """An operation with a slice cut, repeated or replaced by punctuation or random text."""
    operation = draw(source)
    text = operation.query
    start = draw(st.integers(0, len(text)))
    end = draw(st.integers(start, min(len(text), start + 12)))
    insert = draw(
        st.sampled_from(["", "{", "}", "(", ")", "$", "...", ":", "@skip", '"', "#", "!", "\\u"])
        | st.text(max_size=4)
        | st.just(text[start:end] * 2)
    )
    return Operation(text[:start] + insert + text[end:], operation.variables, None)


DOCUMENTS = weighted(
    (6, operations()),
    (2, broken(operations())),
    (1, st.builds(Operation, st.text(max_size=60))),
)

# HTTP requests: method, headers, and a body or a query string, each possibly malformed.
METHODS = st.sampled_from(["POST"] * 12 + ["GET", "PUT", "DELETE", "PATCH", "OPTIONS"])
CONTENT_TYPES = st.sampled_from(
    [
        *["application/json"] * 8,
        None,
        "application/json; charset=utf-8",
        "application/json; charset=latin-1",
        "Application/JSON",
        "application/graphql-response+json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "application/json;;",
        "garbage",
        '"',
    ]
)
ACCEPTS = st.sampled_from(
    [
        *[None] * 30,
        "*/*",
        "application/json",
        "application/graphql-response+json",
        "application/json;q=0, application/graphql-response+json;q=0.5",
        "text/html",
        "text/plain",
        "application/*;q=1.5",
        "application/json; charset=utf-16",
        "*/*;q=abc",
        ",,,",
    ]
)
PREFLIGHT_HEADERS = st.sampled_from(
    [*[{"Apollo-Require-Preflight": "true"}] * 3, {"GraphQL-Require-Preflight": "1"}, {}]
)
AUTHORIZATION = st.sampled_from([{}, {}, {"Authorization": "Bearer x.y.z"}, {"Authorization": ""}])
HASHES = weighted(
    (1, st.text("0123456789abcdefABCDEF", max_size=66)),
    (1, st.text("0123456789abcdef", min_size=64, max_size=64)),
)
PERSISTED_QUERIES = st.fixed_dictionaries(
    {"version": st.sampled_from([1, 1, 2, "1", None])}, optional={"sha256Hash": HASHES}
)
EXTENSIONS = weighted(
    (1, JSON_VALUES),
    (
        2,
        st.fixed_dictionaries(
            {"persistedQuery": weighted((1, JSON_VALUES), (3, PERSISTED_QUERIES))}
        ),
    ),
)


@st.composite
def json_bodies(draw: st.DrawFn) -> Any:
    """A request body as JSON: mostly an object with the GraphQL parameters, some wrong."""
    operation = draw(DOCUMENTS)
    members: dict[str, Any] = {}
    for key, good in (
        ("query", operation.query),
        ("variables", operation.variables),
        ("operationName", operation.operation_name),
    ):
        if draw(one_in(8)):
            members[key] = draw(JSON_VALUES)
        elif not draw(one_in(8)):
            members[key] = good
    if draw(one_in(4)):
        members["extensions"] = draw(EXTENSIONS)
    elif draw(one_in(3)):
        # The real hash: the document gets stored (if valid), and later found by hash alone.
        sha256 = hashlib.sha256(operation.query.encode()).hexdigest()
        members["extensions"] = {"persistedQuery": {"version": 1, "sha256Hash": sha256}}
        if draw(st.booleans()):
            members.pop("query", None)
    return draw(weighted((8, st.just(members)), (1, JSON_VALUES), (1, st.lists(st.just(members)))))


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    """A POST body: JSON (escaped as ASCII, so lone surrogates travel as `\\\\ud800`) or bytes."""
    if draw(one_in(10)):
        return draw(st.binary(max_size=40))
    return json.dumps(draw(json_bodies())).encode()


@st.composite
def query_strings(draw: st.DrawFn) -> str:
    """A GET query string with the GraphQL parameters (JSON-encoded where the protocol says),
    some wrong, percent-encoded from UTF-8 (lone surrogates make it invalid UTF-8)."""
    operation = draw(DOCUMENTS)
    pairs: list[tuple[str, str]] = []
    if not draw(one_in(8)):
        pairs.append(("query", operation.query))
    if draw(one_in(4)) or operation.variables:
        pairs.append(("variables", json.dumps(operation.variables)))
    if draw(one_in(4)):
        pairs.append(("extensions", json.dumps(draw(EXTENSIONS))))
    if draw(one_in(8)) or operation.operation_name is not None:
        pairs.append(("operationName", operation.operation_name or ""))
    if draw(one_in(8)):
        extra = st.sampled_from(["query", "variables", "x", "extensions"])
        pairs.append((draw(extra), draw(st.text(max_size=8))))
    return "&".join(f"{_quote(key)}={_quote(value)}" for key, value in pairs)


def _quote(text: str) -> str:
    return quote(text.encode("utf-8", "surrogatepass"), safe="")
