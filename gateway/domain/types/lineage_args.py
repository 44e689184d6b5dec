"""The arguments of `MlModel.lineage` and `Table.lineage`: descriptions and checks."""

from __future__ import annotations

from gateway.base.errors import BadUserInputError

MAX_DEPTH = 3
UPSTREAM_DEPTH_DOC = (
    "How many hops upstream (towards what it reads from) to walk: 0 to 3, 1 by default. "
    "Out of range: BAD_USER_INPUT, before any catalog call."
)
DOWNSTREAM_DEPTH_DOC = (
    "How many hops downstream (towards what reads from it) to walk: 0 to 3, 1 by default. "
    "Out of range: BAD_USER_INPUT, before any catalog call."
)
LINEAGE_DOC = (
    "The lineage graph around the {noun}: the entities it reads from (upstream) and that "
    "read from it (downstream), up to the depths asked for, with the edges between them "
    "(one catalog call per request). Null when the catalog has no lineage for it (a "
    "soft-deleted {noun})."
)


def check_depth(value: int, argument: str) -> int:
    if not 0 <= value <= MAX_DEPTH:
        raise BadUserInputError(
            f"`{argument}` must be between 0 and {MAX_DEPTH}, got {value}.",
            extensions={"argument": argument},
        )
    return value
