"""Where the fast executor once answered otherwise than Strawberry's stock execution.

Each case builds one small schema twice, with `GatewayExecutor` and with Strawberry's own
execution (what `GATEWAY_EXECUTOR=standard` serves), and asserts the exact answer of both.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLAbstractType, GraphQLResolveInfo
from strawberry.schema.config import StrawberryConfig
from strawberry.types.field import StrawberryField

from gateway.graphql.execution import GatewayExecutor

Answer = tuple[Any, list[tuple[str, list[str | int] | None]]]


async def _both(operation: str, **schema: Any) -> tuple[Answer, Answer]:
    """The answers of the fast and of the standard executor to `operation`, in that order."""
    answers: list[Answer] = []
    for executor in (GatewayExecutor, None):
        built = strawberry.Schema(**schema, execution_context_class=executor)
        result = await built.execute(operation, context_value={"caller": "ada"})
        errors = [(e.message, e.path) for e in result.errors or ()]
        answers.append((result.data, errors))
    return answers[0], answers[1]


# -- the configured Info class ------------------------------------------------------------


class CallerInfo(strawberry.Info[dict[str, str], None]):
    """An application's own Info: a helper over the context."""

    @property
    def caller(self) -> str:
        return self.context["caller"]


@strawberry.type
class Pet:
    name: str

    @strawberry.field
    def card(self, info: strawberry.Info[dict[str, str], None]) -> str:
        kind = type(info).__name__
        assert isinstance(info, CallerInfo)
        return f"{kind} {info.caller} {info.field_name} {info.python_name} {self.name}"


@strawberry.type
class PetQuery:
    @strawberry.field
    def pets(self) -> list[Pet]:
        return [Pet(name="rex"), Pet(name="tom")]


async def test_a_resolver_asking_for_info_gets_the_configured_info_class() -> None:
    # given a schema whose Info class is the application's own
    config = StrawberryConfig(info_class=CallerInfo)

    # when a sync resolver without arguments (one the fast executor calls itself) asks
    # for its info
    fast, standard = await _both("{ pets { card } }", query=PetQuery, config=config)

    # then it is an instance of that class, with all of an Info's attributes
    assert (
        fast
        == standard
        == (
            {
                "pets": [
                    {"card": "CallerInfo ada card card rex"},
                    {"card": "CallerInfo ada card card tom"},
                ]
            },
            [],
        )
    )


# -- exception handlers on a plain attribute ----------------------------------------------


class MissingError(LookupError):
    pass


@strawberry.type
class Found:
    value: str


@strawberry.type
class NotFound:
    message: str


class MissingHandler(strawberry.ExceptionHandler[MissingError, NotFound]):
    def handle(self, exception: MissingError, *, field: StrawberryField, info: Any) -> NotFound:
        return NotFound(message=f"{field.python_name}: {exception}")


@strawberry.type
class Slot:
    key: str
    content: Found | NotFound


class SlotRow:
    """What the resolver hands over as a `Slot`: `content` is read through a property."""

    def __init__(self, key: str) -> None:
        self.key = key

    @property
    def content(self) -> Found:
        if self.key == "gone":
            raise MissingError(f"nothing under {self.key}")
        return Found(value=self.key)


@strawberry.type
class SlotQuery:
    @strawberry.field
    def slots(self) -> list[Slot]:
        return [SlotRow("here"), SlotRow("gone")]  # type: ignore[list-item]


async def test_an_exception_handler_answers_for_a_field_without_a_resolver() -> None:
    # given a handler turning MissingError into NotFound for the fields that may answer it
    handlers = [MissingHandler()]

    # when a plain attribute of such a type raises it
    fast, standard = await _both(
        "{ slots { key content { __typename ... on Found { value } "
        "... on NotFound { message } } } }",
        query=SlotQuery,
        exception_handlers=handlers,
    )

    # then the handler's answer stands in its place
    assert (
        fast
        == standard
        == (
            {
                "slots": [
                    {"key": "here", "content": {"__typename": "Found", "value": "here"}},
                    {
                        "key": "gone",
                        "content": {
                            "__typename": "NotFound",
                            "message": "content: nothing under gone",
                        },
                    },
                ]
            },
            [],
        )
    )


# -- runtime types decided by the value, not its class -----------------------------------


@strawberry.interface
class Animal:
    name: str

    @classmethod
    def resolve_type(
        cls, obj: Any, _info: GraphQLResolveInfo[Any], _type: GraphQLAbstractType
    ) -> str:
        return "Lion" if obj.name == "Leo" else "Cat"


@strawberry.type
class Cat(Animal):
    pass


@strawberry.type
class Lion(Animal):
    pass


@strawberry.interface
class Pal:
    name: str


@strawberry.type
class Kitten(Pal):
    @classmethod
    def is_type_of(cls, obj: Any, _info: GraphQLResolveInfo[Any]) -> bool:
        return isinstance(obj, Kitten) or obj.name == "Tom"


@strawberry.type
class Puppy(Pal):
    @classmethod
    def is_type_of(cls, obj: Any, _info: GraphQLResolveInfo[Any]) -> bool:
        return isinstance(obj, Puppy) or obj.name == "Rex"


@strawberry.type
class Stray:
    """A Strawberry type that implements neither interface: its values are typed by
    `is_type_of` of the implementations, one by one."""

    name: str


@strawberry.type
class ZooQuery:
    @strawberry.field
    def animals(self) -> list[Animal]:
        return [Cat(name="Tom"), Cat(name="Leo"), Cat(name="Kit")]

    @strawberry.field
    def pals(self) -> list[Pal]:
        return [Stray(name="Tom"), Stray(name="Rex")]  # type: ignore[list-item]


async def test_a_runtime_type_the_value_decides_is_asked_for_every_value() -> None:
    # when an interface's own resolve_type, or its implementations' is_type_of, tell
    # values of one class apart
    fast, standard = await _both(
        "{ animals { __typename name } pals { __typename name } }",
        query=ZooQuery,
        types=[Cat, Lion, Kitten, Puppy],
    )

    # then each value gets its own type, not the first one's
    assert (
        fast
        == standard
        == (
            {
                "animals": [
                    {"__typename": "Cat", "name": "Tom"},
                    {"__typename": "Lion", "name": "Leo"},
                    {"__typename": "Cat", "name": "Kit"},
                ],
                "pals": [
                    {"__typename": "Kitten", "name": "Tom"},
                    {"__typename": "Puppy", "name": "Rex"},
                ],
            },
            [],
        )
    )
