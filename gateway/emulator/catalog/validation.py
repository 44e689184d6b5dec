"""Request-body checks with the upstream's two failure modes.

The upstream first binds JSON to a generated Java class (a wrong JSON type, an unknown
enum value or an unknown property fails as `400 Invalid request format`), then runs bean
validation (`[name must not be null]`, `[name size must be between 1 and 256]`, ...).
A `Check` does both: it raises `MappingError` for the first kind and appends messages
for the second, returning the value normalised (defaults filled in, UUIDs lower-cased).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from gateway.emulator.catalog.errors import invalid_format, violations

Check = Callable[[Any, str, list[str]], Any]
_INT_MAX = 2147483647
ENTITY_NAME_PATTERN = "^((?!::).)*$"


class MappingError(Exception):
    """The JSON does not map onto the request type."""


class UnknownProperty(MappingError):
    """An object holds a property its type does not declare."""

    def __init__(self, path: str, name: str) -> None:
        super().__init__(path)
        self.name = name


@dataclass(frozen=True, slots=True)
class Prop:
    check: Check
    required: bool = False
    default: Any = None


def text(
    min_len: int | None = None, max_len: int | None = None, pattern: str | None = None
) -> Check:
    regex = re.compile(pattern) if pattern else None
    sized = min_len is not None or max_len is not None
    low, high = min_len or 0, _INT_MAX if max_len is None else max_len

    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, str):
            raise MappingError(path)
        if sized and not low <= len(value) <= high:
            errors.append(f"{path} size must be between {low} and {high}")
        if regex is not None and regex.fullmatch(value) is None:
            errors.append(f'{path} must match "{pattern}"')
        return value

    return check


def entity_name() -> Check:
    return text(1, 256, ENTITY_NAME_PATTERN)


def fqn_text() -> Check:
    return text(1, 3072)


def integer() -> Check:
    def check(value: Any, path: str, _: list[str]) -> Any:
        if isinstance(value, bool) or not isinstance(value, int):
            raise MappingError(path)
        return value

    return check


def boolean() -> Check:
    def check(value: Any, path: str, _: list[str]) -> Any:
        if not isinstance(value, bool):
            raise MappingError(path)
        return value

    return check


def enum(values: Iterable[str]) -> Check:
    allowed = frozenset(values)

    def check(value: Any, path: str, _: list[str]) -> Any:
        if not isinstance(value, str) or value not in allowed:
            raise MappingError(path)
        return value

    return check


def uuid_text() -> Check:
    def check(value: Any, path: str, _: list[str]) -> Any:
        return parse_uuid(value, path)

    return check


def json_object() -> Check:
    """Any JSON object, kept as sent (connection configs, profiles, life cycles, ...)."""

    def check(value: Any, path: str, _: list[str]) -> Any:
        if not isinstance(value, dict):
            raise MappingError(path)
        return value

    return check


def array(item: Check) -> Check:
    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, list):
            raise MappingError(path)
        return [item(element, f"{path}[{i}]", errors) for i, element in enumerate(value)]

    return check


def obj(props: Mapping[str, Prop], *, additional: Check | None = None) -> Check:
    """An object with these properties; a null property counts as absent. Other properties
    are refused, unless `additional` checks them (then they are kept, after the declared
    ones). Properties are mapped in the order sent, so the first that fails to map is the
    one reported, as a streaming JSON binder does; violations come in declared order."""

    def check(value: Any, path: str, errors: list[str]) -> Any:
        if not isinstance(value, dict):
            raise MappingError(path)
        mapped: dict[str, tuple[Any, list[str]]] = {}
        extra: dict[str, Any] = {}
        for key, item in value.items():
            prop = props.get(key)
            where = f"{path}.{key}" if path else key
            if prop is None:
                if additional is None:
                    raise UnknownProperty(path, key)
                extra[key] = additional(item, where, errors)
            elif item is not None:
                found: list[str] = []
                mapped[key] = (prop.check(item, where, found), found)
        out: dict[str, Any] = {}
        for key, prop in props.items():
            done = mapped.get(key)
            if done is not None:
                out[key] = done[0]
                errors.extend(done[1])
            elif prop.default is not None:
                out[key] = prop.default
            elif prop.required:
                errors.append(
                    f"{path}.{key} must not be null" if path else f"{key} must not be null"
                )
        out.update(extra)
        return out

    return check


def anything() -> Check:
    """Any JSON value, kept as sent."""

    def check(value: Any, path: str, _: list[str]) -> Any:
        return value

    return check


def one_of(*checks: Check) -> Check:
    """The first of `checks` the value maps onto (as Jackson tries a union's types)."""

    def check(value: Any, path: str, errors: list[str]) -> Any:
        for option in checks:
            found: list[str] = []
            try:
                result = option(value, path, found)
            except MappingError:
                continue
            errors.extend(found)
            return result
        raise MappingError(path)

    return check


def lazy(target: Callable[[], Check]) -> Check:
    """A check defined later (recursive shapes such as nested table columns)."""

    def check(value: Any, path: str, errors: list[str]) -> Any:
        return target()(value, path, errors)

    return check


# What `str(uuid.UUID(...))` gives back: such a value needs no parsing.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def parse_uuid(value: Any, path: str = "") -> str:
    if not isinstance(value, str):
        raise MappingError(path)
    if _CANONICAL_UUID.fullmatch(value):
        return value
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise MappingError(path) from exc


def decode_json(body: bytes) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise invalid_format() from exc


def validate(check: Check, value: Any) -> Any:
    """Run `check` on a decoded body; mapping errors win over bean violations."""
    try:
        errors: list[str] = []
        result = check(value, "", errors)
    except MappingError as exc:
        raise invalid_format() from exc
    if errors:
        raise violations(errors)
    return result
