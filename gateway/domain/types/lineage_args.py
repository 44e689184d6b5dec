"""The arguments of `MlModel.lineage` and `Table.lineage`: descriptions and checks."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, InlineFragmentNode, IntValueNode, SelectionSetNode, VariableNode

from gateway.base.errors import BadUserInputError
from gateway.domain.context import Info
from gateway.domain.loaders import LineageKey
from gateway.upstream.catalog import EntityKind

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


def prefetch_lineage(info: Info, kind: EntityKind, entity_id: str) -> None:
    """Start the lineage call(s) that the current field's selection will make on the entity
    it answers (`mlModel(id:) { lineage(...) }`), so that call and the entity's own read go
    out together: one round trip instead of two. The `lineage` resolver later loads the
    same key and gets the same answer; nothing is started for depths out of range."""
    raw = info._raw_info
    # The executor's coerced variables (graphql-core's VariableValues keeps them apart).
    found = getattr(raw.variable_values, "coerced", raw.variable_values)
    variables: dict[str, Any] = found if isinstance(found, dict) else {}
    for node in _lineage_nodes(raw.field_nodes[0].selection_set):
        depths: dict[str, Any] = {"upstreamDepth": 1, "downstreamDepth": 1}
        for argument in node.arguments or ():
            value = argument.value
            if isinstance(value, IntValueNode):
                depths[argument.name.value] = int(value.value)
            elif isinstance(value, VariableNode):
                depths[argument.name.value] = variables.get(value.name.value)
        up, down = depths["upstreamDepth"], depths["downstreamDepth"]
        if not (isinstance(up, int) and isinstance(down, int)):
            continue
        if min(up, down) >= 0 and max(up, down) <= MAX_DEPTH:
            pending = info.context.loaders.lineage.load(LineageKey(kind, entity_id, up, down))
            # Read the outcome even if no resolver awaits it (the entity turned out
            # missing), so a failure is not reported as never retrieved.
            pending.add_done_callback(lambda done: done.cancelled() or done.exception())


def _lineage_nodes(selection_set: SelectionSetNode | None) -> list[FieldNode]:
    """The `lineage` fields directly under a selection (inline fragments included)."""
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set is not None else ():
        if isinstance(selection, FieldNode) and selection.name.value == "lineage":
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_lineage_nodes(selection.selection_set))
    return found
