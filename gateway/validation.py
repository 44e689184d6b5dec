"""Input checks made before any upstream call: ids, RIDs, names."""

from __future__ import annotations

import re
import uuid

from gateway.errors import BadUserInputError

_RID = re.compile(
    r"^ri\.[a-z][a-z0-9-]*\.([a-z0-9][a-z0-9\-]*)?\.[a-z][a-z0-9-]*\.[a-zA-Z0-9._-]+$"
)


def check_uuid(value: str, argument: str = "id") -> str:
    try:
        return str(uuid.UUID(value))
    except (ValueError, AttributeError, TypeError):
        raise BadUserInputError(
            f"`{argument}` must be a UUID, got {value[:80]!r}.",
            extensions={"argument": argument},
        ) from None


def check_rid(value: str, argument: str) -> str:
    if not _RID.match(value):
        raise BadUserInputError(
            f"`{argument}` must be a Foundry RID (ri.<service>.<instance>.<type>.<locator>), "
            f"got {value[:80]!r}.",
            extensions={"argument": argument},
        )
    return value


def check_name(value: str, argument: str) -> str:
    if not value or len(value) > 256 or "::" in value:
        raise BadUserInputError(
            f"`{argument}` must be 1 to 256 characters without `::`.",
            extensions={"argument": argument},
        )
    return value


def one_of(argument_names: tuple[str, str], values: tuple[object, object]) -> None:
    if sum(v is not None for v in values) != 1:
        a, b = argument_names
        raise BadUserInputError(f"Pass exactly one of `{a}` or `{b}`.")
