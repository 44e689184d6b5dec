"""Entity keys of `_entities` representations, read and checked before any upstream call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from gateway.base.errors import BadUserInputError

R = TypeVar("R")
E = TypeVar("E")


@dataclass(frozen=True, slots=True)
class ReferenceFetch(Generic[R, E]):
    """An entity being fetched for `_entities`: the loader's pending record and how the
    record becomes the entity. A type's `fetch_reference` answers one at once, so the
    schema awaits every representation's record together, with no task per entity;
    `resolve_reference` is the same fetch awaited alone."""

    pending: Awaitable[R | None]
    convert: Callable[[R], E]

    def entity(self, record: R | None) -> E | None:
        return self.convert(record) if record is not None else None

    async def result(self) -> E | None:
        return self.entity(await self.pending)


def fetch_reference_of(origin: object) -> Callable[..., ReferenceFetch[Any, Any]] | None:
    """The entity type's `fetch_reference(info, **key)`, if it has one."""
    fetch: Callable[..., ReferenceFetch[Any, Any]] | None = getattr(origin, "fetch_reference", None)
    return fetch


def key_value(representation: Mapping[str, object], field: str) -> str | None:
    """The string value of key `field` (GraphQL name), or None when the key is absent."""
    value = representation.get(field)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadUserInputError(f"Key field `{field}` of a representation must be a string.")
    return value


def missing_key(type_name: str, *keys: str) -> BadUserInputError:
    """The error for a representation that has none of its type's key fields."""
    wanted = " or ".join(f"`{k}`" for k in keys)
    return BadUserInputError(f"A representation of {type_name} needs {wanted}.")


def representation_problem(representation: object, entity_types: Collection[str]) -> str | None:
    """Why a representation cannot be resolved at all, or None when its type is known."""
    type_name = representation.get("__typename") if isinstance(representation, dict) else None
    if isinstance(type_name, str) and type_name in entity_types:
        return None
    return (
        "A representation must be an object whose `__typename` is an entity type "
        f"({', '.join(sorted(entity_types))})."
    )
