"""Field pushdown: which upstream `fields=` a GraphQL selection needs.

Walks graphql-core's AST of the current field (fragments and inline fragments included)
down a path such as `edges.node`, and maps the GraphQL field names found there to the
catalog's relationship fields. Results are memoised per selection node and request.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from gateway.domain.context import Info

# GraphQL field of an entity -> catalog `fields=` entry (or entries) it needs.
FieldMap = Mapping[str, str | tuple[str, ...]]
MODEL_FIELDS: FieldMap = {
    "owners": "owners",
    "followers": "followers",
    "followerCount": "followers",
    "votes": "votes",
    "tags": "tags",
    "registryModelRid": "extension",
    "versions": "extension",
    "extension": "extension",
    "domains": "domains",
    "dataProducts": "dataProducts",
    "dashboard": "dashboard",
}
TABLE_FIELDS: FieldMap = {
    # The catalog answers column tags only when `columns` and `tags` are both asked for.
    "columns": ("columns", "tags"),
    "owners": "owners",
    "followers": "followers",
    "followerCount": "followers",
    "votes": "votes",
    "tags": "tags",
}
# Not catalog `fields=` (a user's answer holds these unasked): what a user read from the
# search index may lack, so a selection of it is read by id (`loaders.UserByIdLoader`).
USER_FIELDS: FieldMap = {"description": "description"}
SERVICE_FIELDS: FieldMap = {
    "owners": "owners",
    "tags": "tags",
    "domains": "domains",
    "dataProducts": "dataProducts",
}

CONNECTION_PATHS: tuple[tuple[str, ...], ...] = (("edges", "node"), ("nodes",))
NODE_PATHS: tuple[tuple[str, ...], ...] = ((),)


def _fields_of(
    selection_set: SelectionSetNode | None, fragments: Mapping[str, FragmentDefinitionNode]
) -> Iterator[FieldNode]:
    if selection_set is None:
        return
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields_of(selection.selection_set, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            # Validation has checked that every spread fragment is defined.
            yield from _fields_of(fragments[selection.name.value].selection_set, fragments)


def selected_names(
    nodes: Iterable[FieldNode],
    path: tuple[str, ...],
    fragments: Mapping[str, FragmentDefinitionNode],
) -> set[str]:
    """Names of the fields selected under `path` below `nodes`."""
    level = list(nodes)
    for step in path:
        level = [f for n in level for f in _fields_of(n.selection_set, fragments)]
        level = [f for f in level if f.name.value == step]
    return {f.name.value for n in level for f in _fields_of(n.selection_set, fragments)}


def upstream_fields(
    info: Info,
    mapping: FieldMap,
    paths: tuple[tuple[str, ...], ...] = NODE_PATHS,
) -> frozenset[str]:
    """The catalog `fields=` the current field's selection needs (memoised per node)."""
    raw = info._raw_info
    nodes = raw.field_nodes
    key = (id(nodes[0]), paths, id(mapping))
    cache = info.context.selection_cache
    found = cache.get(key)
    if found is None:
        names: set[str] = set()
        for path in paths:
            names |= selected_names(nodes, path, raw.fragments)
        wanted: set[str] = set()
        for name in names:
            field = mapping.get(name)
            if isinstance(field, str):
                wanted.add(field)
            elif field is not None:
                wanted.update(field)
        found = frozenset(wanted)
        cache[key] = found
    return found
