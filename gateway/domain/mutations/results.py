"""Typed mutation errors (members of every mutation's result union) and the mapping to them.

Expected failures are answered as data: a mutation's result is a union of its success
type and the error types below, all implementing `MutationError { message code }`.
Anything else (upstream down, 5xx, bad credentials) stays a top-level GraphQL error.
"""

from __future__ import annotations

import re
from enum import Enum

import strawberry

from gateway.base import errors
from gateway.domain.types.enums import described


@strawberry.enum(description="Stable code of an expected mutation failure.")
class MutationErrorCode(Enum):
    CONFLICT = described(
        "CONFLICT", "The write collides with an existing entity (`ConflictError`)."
    )
    NOT_FOUND = described(
        "NOT_FOUND",
        "The entity, or something the input refers to, does not exist (`NotFoundError`).",
    )
    BAD_USER_INPUT = described("BAD_USER_INPUT", "The input is invalid (`ValidationError`).")
    FORBIDDEN = described(
        "FORBIDDEN", "The caller may not make this change upstream (`PermissionError`)."
    )


@strawberry.interface(description="An expected failure of a mutation, answered as data.")
class MutationError:
    message: str = strawberry.field(description="What went wrong, for people.")
    code: MutationErrorCode = strawberry.field(description="What went wrong, for programs.")


@strawberry.type(
    name="ConflictError",
    description="The write collides with an existing entity (e.g. the name is taken, "
    "also by a soft-deleted entity).",
)
class Conflict(MutationError):
    code: MutationErrorCode = strawberry.field(
        default=MutationErrorCode.CONFLICT, description="Always CONFLICT."
    )


@strawberry.type(
    name="NotFoundError",
    description="The entity, or something the input refers to (service, owner, tag, "
    "domain, feature source table, user, registry model or version), does not exist "
    "or is soft-deleted.",
)
class NotFound(MutationError):
    code: MutationErrorCode = strawberry.field(
        default=MutationErrorCode.NOT_FOUND, description="Always NOT_FOUND."
    )


@strawberry.type(
    name="ValidationError",
    description="The input is invalid. `field` is the path of the offending argument, "
    "e.g. `input.mlFeatures[0].name`, when it is known.",
)
class InvalidInput(MutationError):
    code: MutationErrorCode = strawberry.field(
        default=MutationErrorCode.BAD_USER_INPUT, description="Always BAD_USER_INPUT."
    )
    field: str | None = strawberry.field(
        default=None, description="Path of the offending argument, when known."
    )


@strawberry.type(
    name="PermissionError", description="The caller may not make this change upstream."
)
class PermissionDenied(MutationError):
    code: MutationErrorCode = strawberry.field(
        default=MutationErrorCode.FORBIDDEN, description="Always FORBIDDEN."
    )


Problem = Conflict | NotFound | InvalidInput | PermissionDenied

# The catalog's bean-validation messages name the property first: `[name must not be null]`.
_PROPERTY = re.compile(r"^\[([A-Za-z][A-Za-z0-9]*) ")


def invalid(error: errors.BadUserInputError) -> InvalidInput:
    """A validation failure found by the gateway's own checks (`extensions.argument`)."""
    argument = error.extensions.get("argument")
    return InvalidInput(
        message=error.message, field=argument if isinstance(argument, str) else None
    )


def expected(error: errors.GatewayError, *, prefix: str = "input") -> Problem | None:
    """The typed error for an expected failure, or None when it must stay a GraphQL error.

    `prefix` names the argument an upstream validation message refers to.
    """
    if isinstance(error, errors.ConflictError):
        return Conflict(message=error.message)
    if isinstance(error, errors.NotFoundError):
        return NotFound(message=error.message)
    if isinstance(error, errors.ForbiddenError):
        return PermissionDenied(message=error.message)
    if isinstance(error, errors.BadUserInputError):
        if error.upstream is None:
            return invalid(error)
        match = _PROPERTY.match(error.message)
        field = f"{prefix}.{match.group(1)}" if match else None
        return InvalidInput(message=error.message, field=field)
    return None


# The catalog's 404 names the missing entity: `user instance for <id> not found`.
_MISSING = re.compile(r"^(?P<type>[A-Za-z]+) instance for (?P<key>.+) not found$")
# What the input calls each entity type it may name.
_ROLES = {
    "user": "owner (user)",
    "team": "owner (team)",
    "mlmodelService": "ML model service",
    "databaseService": "database service",
    "tag": "tag",
    "glossaryTerm": "glossary term",
    "domain": "domain",
    "dataProduct": "data product",
    "table": "feature source table",
    "dashboard": "dashboard",
}


def missing(error: errors.GatewayError, fallback: str) -> str:
    """What a catalog 404 about the input says is missing, in the input's words (the
    owner, the service, the tag...), or `fallback` when the message names nothing known."""
    found = _MISSING.match(error.message)
    if found is None or found.group("type") not in _ROLES:
        return fallback
    return (
        f"The {_ROLES[found.group('type')]} {found.group('key')} named in the input does not "
        "exist in the catalog (or is soft-deleted)."
    )
