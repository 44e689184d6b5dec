"""Query cost: the estimated size of an operation with its variables, capped before execution."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLList,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionSetNode,
    VariableDefinitionNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    type_from_ast,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from strawberry.extensions import SchemaExtension

QUERY_TOO_COMPLEX = "QUERY_TOO_COMPLEX"
ANY_SCALAR = "_Any"

# A list without `first`/`last` (followers, tags, columns, a connection page left at its
# default size) counts as this many items.
DEFAULT_PAGE_SIZE = 10
# Connections whose resolvers page by another default than DEFAULT_PAGE_SIZE.
DEFAULT_PAGE_SIZES: Mapping[str, int] = {"Query.modelVersions": 20, "MlModel.versions": 20}
PAGE_ARGUMENTS = ("first", "last")
# Costs are reported in JSON: beyond this an integer loses precision in most clients.
MAX_REPORTED_COST = 2**53 - 1


class _Walk:
    """One cost computation: the operation's coerced variables and a memo of fragment costs."""

    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: VariableValues
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            node.name.value: node
            for node in document.definitions
            if isinstance(node, FragmentDefinitionNode)
        }
        # Keyed by (fragment, concrete type, page size): a fragment spread many times (or
        # fragments spreading each other twice over) is costed once, not exponentially often.
        self.memo: dict[tuple[str, str, int | None], int] = {}

    def selection_set(self, selection_set: SelectionSetNode, parent: Any, page: int | None) -> int:
        """The cost of a selection set on `parent`; for an abstract type, the dearest member's."""
        if is_abstract_type(parent):
            return max(
                (
                    self.on_object(selection_set, member, page)
                    for member in self.schema.get_possible_types(parent)
                ),
                default=0,
            )
        return self.on_object(selection_set, parent, page)

    def on_object(
        self, selection_set: SelectionSetNode, parent: GraphQLObjectType, page: int | None
    ) -> int:
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                if self.included(node):
                    total += self.field(node, parent, page)
            elif isinstance(node, InlineFragmentNode):
                if self.included(node) and self.matches(node, parent):
                    total += self.on_object(node.selection_set, parent, page)
            elif isinstance(node, FragmentSpreadNode) and self.included(node):
                fragment = self.fragments.get(node.name.value)
                if fragment is not None and self.matches(fragment, parent):
                    total += self.fragment(fragment, parent, page)
        return total

    def fragment(
        self, fragment: FragmentDefinitionNode, parent: GraphQLObjectType, page: int | None
    ) -> int:
        key = (fragment.name.value, parent.name, page)
        cost = self.memo.get(key)
        if cost is None:
            cost = self.memo[key] = self.on_object(fragment.selection_set, parent, page)
        return cost

    def field(self, node: FieldNode, parent: GraphQLObjectType, page: int | None) -> int:
        name = node.name.value
        definition = parent.fields.get(name)
        if definition is None:
            # A meta-field (`__typename`, `__schema`, `__type`: a validated document holds
            # no other unknown field). Introspection has its own switch (setting
            # `introspection`); it is free here.
            return 0
        if node.selection_set is None:
            return 1
        own_page = self.page_size(definition, node, f"{parent.name}.{name}")
        is_list = isinstance(get_nullable_type(definition.type), GraphQLList)
        child_type = get_named_type(definition.type)
        if not is_list:
            # A connection: its page size weighs the lists inside it (`edges`, `nodes`).
            return 1 + self.selection_set(node.selection_set, child_type, own_page)
        if own_page is not None:
            size = own_page
        elif name == "_entities":
            size = self.representations(definition, node)
        else:
            size = page if page is not None else DEFAULT_PAGE_SIZE
        return 1 + size * self.selection_set(node.selection_set, child_type, None)

    def page_size(self, definition: GraphQLField, node: FieldNode, coordinate: str) -> int | None:
        """`first`/`last` (the larger when both), the field's default when neither; None for
        a field that does not page."""
        if not any(argument in definition.args for argument in PAGE_ARGUMENTS):
            return None
        values = get_argument_values(definition, node, self.variables)
        given = [values[a] for a in PAGE_ARGUMENTS if isinstance(values.get(a), int)]
        if not given:
            return DEFAULT_PAGE_SIZES.get(coordinate, DEFAULT_PAGE_SIZE)
        return max(0, *map(int, given))

    def representations(self, definition: GraphQLField, node: FieldNode) -> int:
        # `[_Any!]!`: coerced to a list (a single value to a list of one); a missing or null
        # list made `operation_cost` give up before the walk.
        value: list[Any] = get_argument_values(definition, node, self.variables)["representations"]
        return len(value)

    def included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        if not node.directives:
            return True
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip is not None and skip.get("if") is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return include is None or include.get("if") is not False

    def matches(
        self, fragment: InlineFragmentNode | FragmentDefinitionNode, parent: GraphQLObjectType
    ) -> bool:
        if fragment.type_condition is None:
            return True
        condition = type_from_ast(self.schema, fragment.type_condition)
        if condition is parent:
            return True
        return is_abstract_type(condition) and self.schema.is_sub_type(condition, parent)


def operation_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: dict[str, Any] | None = None,
) -> int | None:
    """The cost of the operation `operation_name` selects in a validated `document`.

    Every field counts 1; a field returning a list multiplies the cost of what it selects
    by the list's size: its `first`/`last`, or for the `edges`/`nodes` of a connection the
    connection's `first`/`last`, else the page size the field defaults to (10, or 20 for
    model versions); `_entities` counts its representations. Nested lists multiply.
    Fields under @skip/@include are counted when included; of the members of a union or
    interface, the dearest counts. None when the operation or its variables are invalid
    (execution then reports why).
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    inputs = variables or {}
    definitions: Sequence[VariableDefinitionNode] = operation.variable_definitions or ()
    # Federation representations (a list of `_Any`) are the one large input, and the walk
    # needs only their count, which coercion keeps: a list sent for them is taken as sent,
    # and execution coerces and reports its items.
    as_sent = [
        d.variable.name.value
        for d in definitions
        if isinstance(inputs.get(d.variable.name.value), list)
        and getattr(get_named_type(type_from_ast(schema, d.type)), "name", None) == ANY_SCALAR
    ]
    if as_sent:
        definitions = [d for d in definitions if d.variable.name.value not in as_sent]
    coerced = get_variable_values(schema, definitions, inputs)
    if isinstance(coerced, list):
        return None
    for name in as_sent:
        coerced.coerced[name] = inputs[name]
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    return _Walk(schema, document, coerced).selection_set(operation.selection_set, root, None)


class CostLimit(SchemaExtension):
    """Refuses, before execution, an operation whose cost (`operation_cost`) exceeds `max_cost`.

    It runs at execution time rather than as a validation rule because the cost depends on
    the variables (`first: $n`), which validation neither sees nor may depend on: the
    validation cache keys on the document alone.
    """

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context.result is None:
            cost = operation_cost(
                context.schema._schema, document, context.operation_name, context.variables
            )
            if cost is not None and cost > self.max_cost:
                error = too_complex(cost, self.max_cost)
                context.result = ExecutionResult(errors=[error])
        yield


def too_complex(cost: int, max_cost: int) -> GraphQLError:
    reported = min(cost, MAX_REPORTED_COST)
    return GraphQLError(
        f"The operation costs {reported}, more than the limit of {max_cost}: ask for smaller "
        "pages (first/last) or fewer nested lists. Each field counts 1, times the size of "
        "every list around it.",
        extensions={"code": QUERY_TOO_COMPLEX, "cost": reported, "maxCost": max_cost},
    )
