"""Input checks made before any upstream call: ids, RIDs, names."""

from __future__ import annotations

import re
import uuid
from typing import Any

from gateway.base.errors import BadUserInputError

_RID = re.compile(
    r"^ri\.[a-z][a-z0-9-]*\.([a-z0-9][a-z0-9\-]*)?\.[a-z][a-z0-9-]*\.[a-zA-Z0-9._-]+$"
)


# What `str(uuid.UUID(...))` gives back: such a value is already checked and normalised.
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def check_uuid(value: str, argument: str = "id") -> str:
    if type(value) is str and _CANONICAL_UUID.fullmatch(value):
        return value
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


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://\S+$")
_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,255}$")


def check_fqn(value: str, argument: str) -> str:
    """A fully qualified name: 1 to 3072 characters, no control characters."""
    if not value.strip() or len(value) > 3072 or _CONTROL.search(value):
        raise BadUserInputError(
            f"`{argument}` must be a fully qualified name of 1 to 3072 characters.",
            extensions={"argument": argument},
        )
    return value


def check_uri(value: str, argument: str) -> str:
    """An absolute URI with a scheme (`https://...`, `s3://...`) and no spaces."""
    if len(value) > 2048 or not _URI.match(value):
        raise BadUserInputError(
            f"`{argument}` must be an absolute URI such as https://host/path, got {value[:80]!r}.",
            extensions={"argument": argument},
        )
    return value


def check_branch(value: str, argument: str) -> str:
    """A registry branch name: letters, digits, `.`, `_`, `/`, `-`; at most 256 characters."""
    if not _BRANCH.match(value):
        raise BadUserInputError(
            f"`{argument}` must be a branch name (letters, digits, . _ / -), got {value[:80]!r}.",
            extensions={"argument": argument},
        )
    return value


def check_choice(value: str, choices: frozenset[str], argument: str) -> str:
    """One of a closed set of upstream values (matched exactly)."""
    if value not in choices:
        raise BadUserInputError(
            f"`{argument}` must be one of {', '.join(sorted(choices))}; got {value[:80]!r}.",
            extensions={"argument": argument},
        )
    return value


_JSON_NAMES = {
    list: "an array",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "true or false",
}


def check_object(value: object, argument: str) -> dict[str, Any] | None:
    """A JSON object argument (a `JSON` scalar may hold any JSON value), or None."""
    if value is None:
        return None
    if not isinstance(value, dict):
        raise BadUserInputError(
            f"`{argument}` must be a JSON object, got {_JSON_NAMES.get(type(value), 'a value')}.",
            extensions={"argument": argument},
        )
    return value


_VERSION = re.compile(r"(0|[1-9][0-9]{0,5})\.[0-9]")


def check_version(value: str, argument: str = "version") -> str:
    """A catalog entity version number such as `0.2` or `12.3`."""
    if not _VERSION.fullmatch(value):
        raise BadUserInputError(
            f"`{argument}` must be a version number such as 0.2 or 1.0, got {value[:80]!r}.",
            extensions={"argument": argument},
        )
    return value


# `<classification or glossary>.<tag or term>`, more parts for nested ones; a part that
# holds a dot is double-quoted.
_TAG_FQN = re.compile(r'(?:"[^"]+"|[^."]+)(?:\.(?:"[^"]+"|[^."]+))+')


def check_tag_fqn(value: str, argument: str) -> str:
    """A tag's (or glossary term's) fully qualified name, e.g. `PII.Sensitive`."""
    check_fqn(value, argument)
    if not _TAG_FQN.fullmatch(value):
        raise BadUserInputError(
            f"`{argument}` must be a tag's fully qualified name, `<classification>.<tag>` "
            f"such as PII.Sensitive, got {value[:80]!r}.",
            extensions={"argument": argument},
        )
    return value
