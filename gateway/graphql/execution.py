"""The executor: graphql-core's, minus the per-field machinery a field's answer does not need.

graphql-core builds a `GraphQLResolveInfo` for every field it resolves and Strawberry wraps
every resolver in argument conversion and an `Info`: ~4-6 µs a field, which for a list page
of 50 models (~700 fields) costs more than everything else the gateway does. Most fields
need none of it: a plain attribute of the parent, or a sync resolver that reads the parent
and touches `info` only on its fallback path (a relationship the parent's record lacks).

For such fields `GatewayExecutor.execute_fields` reads the attribute (or the resolver's
peek, see gateway/domain/peek.py) or calls the resolver itself with an info of the schema's Info
class whose graphql-core info is built on first use, and completes the value with
graphql-core's own `complete_value`, so errors, null propagation, abstract types and
awaitables behave exactly as before. Everything else (fields with arguments, async
resolvers, field extensions such as permissions, fields an exception handler may answer
for, introspection) takes the standard path. `GATEWAY_EXECUTOR=standard` leaves this
module out altogether (tests/gateway/test_executor_parity.py holds the cases where the two
once differed).
"""

from __future__ import annotations

import asyncio
import operator
import weakref
from collections.abc import Awaitable, Callable, Sequence
from types import GeneratorType
from typing import Any, NamedTuple, TypeVar

from graphql import (
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLField,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLResolveInfoHelpers,
    GraphQLString,
    TypeNameMetaFieldDef,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.execution.executor import to_nodes
from graphql.pyutils import Path, Undefined, gather_with_cancel
from graphql.pyutils import is_awaitable as graphql_is_awaitable
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.cast import get_strawberry_type_cast
from strawberry.types.field import StrawberryField
from strawberry.types.info import Info
from strawberry.types.union import StrawberryUnion

from gateway.domain.peek import NOT_READY, peek_of

Resolve = Callable[[Any, Any], Any]


class FieldPlan(NamedTuple):
    """How to answer one field of one object type without the standard machinery."""

    field_def: GraphQLField
    return_type: GraphQLOutputType
    resolve: Resolve
    # Whether `resolve` reads its info argument (else it is given None).
    needs_info: bool
    # The leaf type's output coercion when the field is a single scalar or enum.
    coerce: Callable[[Any], Any] | None
    # The object type when the field is one object or a list of them, with no
    # `is_type_of` check: completed here without graphql-core's completion layers.
    object_type: GraphQLObjectType | None
    is_list: bool
    item_type: GraphQLOutputType | None
    # For a scalar field read from the parent alone (a plain attribute, or a resolver's
    # peek): the reader, used inline by `execute_fields`. NOT_READY or anything unusual
    # (null in a non-null field, a value the scalar rejects) takes the full path.
    read: Callable[[Any], Any] | None
    nullable: bool
    # A resolver's peek (gateway/domain/peek.py), tried before the resolver.
    peek: Callable[[Any], Any] | None
    # The Python type a built-in scalar serializes to itself (str for String and ID, bool
    # for Boolean, int for Int within 32 bits): such a value needs no coercion call.
    native: type | None


class LazyResolveInfo:
    """Stands in for a field's `GraphQLResolveInfo` (inside the resolver's Strawberry
    `Info`): `context` at once, the rest built on first use."""

    __slots__ = ("_details", "_executor", "_field_def", "_parent_type", "_path", "_real")

    def __init__(
        self,
        executor: GatewayExecutor,
        field_def: GraphQLField,
        details: FieldDetailsList,
        parent_type: GraphQLObjectType,
        path: Path,
    ) -> None:
        self._executor = executor
        self._field_def = field_def
        self._details = details
        self._parent_type = parent_type
        self._path = path
        self._real: GraphQLResolveInfo[Any] | None = None

    @property
    def context(self) -> Any:
        return self._executor.context_value

    def real(self) -> GraphQLResolveInfo[Any]:
        if self._real is None:
            self._real = self._executor.build_resolve_info(
                self._field_def, to_nodes(self._details), self._parent_type, self._path
            )
        return self._real

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real(), name)


def _reader(field: StrawberryField) -> Callable[[Any], Any]:
    default_resolver = field.default_resolver
    name = field.python_name
    if default_resolver is getattr:
        return operator.attrgetter(name)
    return lambda source: default_resolver(source, name)


def _call(field: StrawberryField, info_class: type[Info]) -> Resolve | None:
    """The resolver called as Strawberry would (source as self/root/parent, an instance of
    the schema's Info class), or None when it needs what only the standard path provides."""
    resolver = field.base_resolver
    if resolver is None or field.is_async or field.arguments:
        return None
    function = resolver.wrapped_func
    if not callable(function):
        return None
    pass_self = resolver.self_parameter is not None
    source_names = [p.name for p in (resolver.root_parameter, resolver.parent_parameter) if p]
    info_name = resolver.info_parameter.name if resolver.info_parameter else None

    if pass_self and not source_names:
        if info_name is None:
            return lambda source, _info: function(source)
        return lambda source, info: function(
            source, **{info_name: info_class(_raw_info=info, _field=field)}
        )

    def call(source: Any, info: LazyResolveInfo) -> Any:
        kwargs: dict[str, Any] = dict.fromkeys(source_names, source)
        if info_name is not None:
            kwargs[info_name] = info_class(_raw_info=info, _field=field)  # type: ignore[arg-type]
        return function(source, **kwargs) if pass_self else function(**kwargs)

    return call


def _strawberry_schema(schema: Any) -> Any:
    """The Strawberry schema a graphql-core schema was made from, or None."""
    return getattr(schema, "_strawberry_schema", None)


def _handles_exceptions(schema: Any, field: StrawberryField) -> bool:
    """Whether an exception handler of the schema may turn an exception of `field` into a
    value (its error type is among the field's types): Strawberry's wrapper must run then,
    resolver or plain attribute alike. Unknown counts as yes."""
    converter = getattr(_strawberry_schema(schema), "schema_converter", None)
    handlers_of = getattr(converter, "_get_field_exception_handlers", None)
    return handlers_of is None or bool(handlers_of(field))


# Types whose values were seen not to be awaitable. `await` looks `__await__` up on the
# type, so the type decides for every value of it; generators differ value by value (a
# generator-based coroutine is awaitable), and a type with `__getattr__` may answer per
# instance: neither is cached. Bounded: cleared when full.
_SYNC_TYPES: dict[type, None] = dict.fromkeys(
    (type(None), bool, int, float, str, bytes, list, tuple, dict, set, frozenset)
)
_SYNC_TYPES_LIMIT = 4096


def is_awaitable(value: Any) -> bool:
    """graphql-core's awaitable check (Strawberry's fast variant), with the types of values
    found not awaitable remembered, so a resolver's object costs one lookup."""
    value_type = type(value)
    if value_type in _SYNC_TYPES:
        return False
    if optimized_is_awaitable(value):
        return True
    if value_type is not GeneratorType and getattr(value_type, "__getattr__", None) is None:
        if len(_SYNC_TYPES) >= _SYNC_TYPES_LIMIT:
            _SYNC_TYPES.clear()
        _SYNC_TYPES[value_type] = None
    return False


# Built-in scalars whose output coercion returns a value of this Python type unchanged.
_NATIVE: dict[Any, type] = {
    GraphQLString: str,
    GraphQLID: str,
    GraphQLBoolean: bool,
    GraphQLInt: int,
}
_MIN_INT = -(2**31)
_MAX_INT = 2**31 - 1


def _plain_object(type_: GraphQLOutputType) -> GraphQLObjectType | None:
    nullable = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(nullable, GraphQLObjectType) and nullable.is_type_of is None:
        return nullable
    return None


def _plan(
    field_def: GraphQLField,
    resolve: Resolve,
    needs_info: bool,
    read: Callable[[Any], Any] | None = None,
    peek: Callable[[Any], Any] | None = None,
) -> FieldPlan:
    return_type = field_def.type
    nullable = return_type.of_type if isinstance(return_type, GraphQLNonNull) else return_type
    coerce = nullable.coerce_output_value if is_leaf_type(nullable) else None
    object_type = _plain_object(return_type)
    item_type = nullable.of_type if isinstance(nullable, GraphQLList) else None
    if item_type is not None:
        object_type = _plain_object(item_type)
    return FieldPlan(
        field_def,
        return_type,
        resolve,
        needs_info,
        coerce,
        object_type,
        item_type is not None,
        item_type,
        (read or peek) if coerce is not None else None,
        not isinstance(return_type, GraphQLNonNull),
        peek,
        _NATIVE.get(nullable) if coerce is not None else None,
    )


def build_plan(parent_type: GraphQLObjectType, field_name: str, schema: Any) -> FieldPlan | None:
    if field_name == "__typename":
        name = parent_type.name
        return _plan(TypeNameMetaFieldDef, lambda _source, _info: name, False)
    field_def = parent_type.fields.get(field_name)
    if field_def is None or field_def.args:
        return None
    field = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if not isinstance(field, StrawberryField) or field.extensions:
        return None
    if _handles_exceptions(schema, field):
        return None
    if getattr(field_def.resolve, "_is_default", False):
        read = _reader(field)
        return _plan(field_def, lambda source, _info: read(source), False, read)
    config = getattr(_strawberry_schema(schema), "config", None)
    info_class = getattr(config, "info_class", None)
    if not (isinstance(info_class, type) and issubclass(info_class, Info)):
        return None
    resolve = _call(field, info_class)
    if resolve is None:
        return None
    peek = peek_of(field.base_resolver.wrapped_func) if field.base_resolver else None
    return _plan(field_def, resolve, True, peek=peek)


Step = tuple[str, FieldDetailsList, FieldPlan | None]
C = TypeVar("C", dict[str, Any], list[Any])


async def _settled(values: C, pending: list[Any]) -> C:
    """`values` (a field's results, or a list's items) with the awaitables at the `pending`
    keys awaited together, as graphql-core does (one awaited alone)."""
    if len(pending) == 1:
        key = pending[0]
        values[key] = await values[key]
    else:
        done = await gather_with_cancel(*(values[key] for key in pending))
        for key, value in zip(pending, done, strict=True):
            values[key] = value
    return values


# Attribute values coerced inline; others (enums, custom scalars) take the full path.
_PLAIN_SCALARS = frozenset({str, int, float, bool})

# Plans by object type, then field name; weak so schemas built and dropped (tests) go too.
_plans: weakref.WeakKeyDictionary[GraphQLObjectType, dict[str, FieldPlan | None]] = (
    weakref.WeakKeyDictionary()
)


# The object type each class of value resolves to, per abstract type (None: the abstract
# type has a resolver of its own, nothing is remembered). Strawberry's resolver tries the
# union's types one by one (~5 µs a value), but when it is Strawberry's own (a union, or
# an interface without a `resolve_type`) it matches an instance of a non-generic object
# type to that type first, so for such a class the answer is the class's own type. Any
# other answer (an interface's own `resolve_type`, the implementations' `is_type_of`) may
# depend on the value, and is asked for every value.
_runtime_types: weakref.WeakKeyDictionary[
    GraphQLAbstractType, dict[type, GraphQLObjectType | None] | None
] = weakref.WeakKeyDictionary()
_UNKNOWN: Any = object()


def _resolved_by_strawberry(abstract: GraphQLAbstractType) -> bool:
    """Whether `abstract`'s runtime types are found by Strawberry's own resolver."""
    definition = (abstract.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    if isinstance(definition, StrawberryUnion):
        return True
    return (
        isinstance(definition, StrawberryObjectDefinition)
        and definition.is_interface
        and definition.resolve_type is None
    )


_orphaned: set[asyncio.Future[list[Any]]] = set()


def _helpers_of(executor: GatewayExecutor) -> GraphQLResolveInfoHelpers:
    """The executor's `info` helpers without a strong reference back to it.

    graphql-core's are its own bound methods, which it holds: the executor is then in a
    reference cycle, and with it everything a request hangs off it (context, loaders,
    their futures, records), freed only by the cyclic garbage collector. Its collections,
    several per query, cost ~0.7 ms a `_entities` query of 100 models, and a full one
    now and then paused every query in flight.
    """
    ref = weakref.ref(executor)

    def track(values: Sequence[Any]) -> None:
        alive = ref()
        if alive is not None:
            alive.track_async_work(values)
            return
        # Work started after the operation was answered is still settled, not orphaned.
        pending = [value for value in values if is_awaitable(value)]
        if pending:
            future = asyncio.gather(*pending, return_exceptions=True)
            _orphaned.add(future)
            future.add_done_callback(_orphaned.discard)

    return GraphQLResolveInfoHelpers(gather=_gather_together, track=track)


def _gather_together(values: Sequence[Awaitable[Any]]) -> Awaitable[list[Any]]:
    """graphql-core's `gather_async_work`, which uses nothing of its executor."""
    return gather_with_cancel(*values)


class GatewayExecutor(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's executor with the fast path above; see the module docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        manager = self.middleware_manager
        # Resolver middleware (a schema extension's `resolve`) must see every field.
        self._fast = manager is None or not manager.middlewares
        if self.is_awaitable in (optimized_is_awaitable, graphql_is_awaitable):
            self.is_awaitable = is_awaitable  # type: ignore[assignment]
        # Per grouped field set of this operation: its fields with their plans. The set
        # is kept alongside so its id is not reused while this executor lives.
        self._steps: dict[int, tuple[GroupedFieldSet, list[Step]]] = {}
        self.async_helpers = _helpers_of(self)

    def _steps_of(self, parent_type: GraphQLObjectType, fields: GroupedFieldSet) -> list[Step]:
        found = self._steps.get(id(fields))
        if found is not None:
            return found[1]
        by_name = _plans.get(parent_type)
        if by_name is None:
            by_name = _plans[parent_type] = {}
        steps: list[Step] = []
        for response_name, details in fields.items():
            field_name = details[0].node.name.value
            if field_name not in by_name:
                by_name[field_name] = build_plan(parent_type, field_name, self.schema)
            plan = by_name[field_name]
            # A directive left on a node (@stream, @defer) needs graphql-core's handling.
            if plan is not None and plan.object_type and any(d.node.directives for d in details):
                plan = plan._replace(object_type=None)
            steps.append((response_name, details, plan))
        self._steps[id(fields)] = (fields, steps)
        return steps

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        if not self._fast:
            return super().execute_fields(
                parent_type, source_value, path, grouped_field_set, position_context
            )
        results: dict[str, Any] = {}
        is_awaitable = self.is_awaitable
        awaitable_fields: list[str] = []
        type_name = parent_type.name
        try:
            for response_name, details, plan in self._steps_of(parent_type, grouped_field_set):
                if plan is not None and plan.read is not None:
                    # A plain scalar attribute: read and coerced here. Anything unusual
                    # (null in a non-null field, a value the scalar rejects) takes the
                    # full path below, which reads it again and reports it.
                    try:
                        value = plan.read(source_value)
                        value_type = type(value)
                        if value_type is plan.native and (
                            value_type is not int or _MIN_INT <= value <= _MAX_INT
                        ):
                            results[response_name] = value
                            continue
                        if value is NOT_READY:
                            pass
                        elif value is None:
                            if plan.nullable:
                                results[response_name] = None
                                continue
                        elif value_type in _PLAIN_SCALARS:
                            coerced = plan.coerce(value)  # type: ignore[misc]
                            if coerced is not None and coerced is not Undefined:
                                results[response_name] = coerced
                                continue
                    except Exception:  # noqa: S110 - reported by the full path
                        pass
                field_path = Path(path, response_name, type_name)
                if plan is None:
                    result = self.execute_field(
                        parent_type, source_value, details, field_path, position_context
                    )
                    if result is Undefined:
                        continue
                else:
                    result = self._execute_planned(
                        plan, parent_type, source_value, details, field_path, position_context
                    )
                results[response_name] = result
                if is_awaitable(result):
                    awaitable_fields.append(response_name)
        except Exception:
            if awaitable_fields:
                self.settle_in_background([results[f] for f in awaitable_fields])
            raise
        if not awaitable_fields:
            return results
        return _settled(results, awaitable_fields)

    def _execute_planned(
        self,
        plan: FieldPlan,
        parent_type: GraphQLObjectType,
        source: Any,
        details: FieldDetailsList,
        path: Path,
        position_context: Any,
    ) -> Any:
        """graphql-core's `execute_field` for a planned field: same results, same errors."""
        return_type = plan.return_type
        info: LazyResolveInfo | None = None
        is_awaitable = self.is_awaitable
        try:
            result = plan.peek(source) if plan.peek is not None else NOT_READY
            if result is NOT_READY:
                if plan.needs_info:
                    info = LazyResolveInfo(self, plan.field_def, details, parent_type, path)
                result = plan.resolve(source, info)
            if result is None or isinstance(result, Exception) or is_awaitable(result):
                pass
            elif plan.coerce is not None:
                coerced = plan.coerce(result)
                if coerced is not None and coerced is not Undefined:
                    return coerced
            elif plan.object_type is not None:
                if not plan.is_list:
                    completed = self._complete_object(
                        plan.object_type, details, path, result, position_context
                    )
                    if is_awaitable(completed):
                        return self._await_completed(completed, return_type, details, path)
                    return completed
                if type(result) is list:
                    return self._complete_object_list(
                        plan, parent_type, details, path, result, position_context
                    )
            if info is None:
                info = LazyResolveInfo(self, plan.field_def, details, parent_type, path)
            # From here on exactly graphql-core's `execute_field` after its resolver call.
            if is_awaitable(result):
                return self.complete_awaitable_value(
                    return_type,
                    details,
                    info,  # type: ignore[arg-type]
                    path,
                    result,
                    position_context,
                )
            completed = self.complete_value(
                return_type,
                details,
                info,  # type: ignore[arg-type]
                path,
                result,
                position_context,
            )
            if is_awaitable(completed):
                return self._await_completed(completed, return_type, details, path)
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
        return completed

    def complete_abstract_value(
        self,
        return_type: GraphQLAbstractType,
        field_details_list: FieldDetailsList,
        info: GraphQLResolveInfo[Any],
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's, with the runtime type of a value whose class decides it found
        once per class (see `_runtime_types`)."""
        by_class = _runtime_types.get(return_type, _UNKNOWN)
        if by_class is _UNKNOWN:
            by_class = _runtime_types[return_type] = (
                {} if _resolved_by_strawberry(return_type) else None
            )
        if by_class is not None and get_strawberry_type_cast(result) is None:
            cls = type(result)
            runtime_type = by_class.get(cls, _UNKNOWN)
            if runtime_type is _UNKNOWN:
                runtime_type = by_class[cls] = self._class_type(return_type, cls, result, info)
            if runtime_type is not None:
                return self.complete_object_value(
                    runtime_type, field_details_list, info, path, result, position_context
                )
        return super().complete_abstract_value(
            return_type, field_details_list, info, path, result, position_context
        )

    def _class_type(
        self,
        abstract: GraphQLAbstractType,
        cls: type,
        value: Any,
        info: GraphQLResolveInfo[Any],
    ) -> GraphQLObjectType | None:
        """The object type every instance of `cls` resolves to as an `abstract` value: its
        own, when Strawberry's resolver answers it for `value`; else None."""
        definition = getattr(cls, "__strawberry_definition__", None)
        if (
            not isinstance(definition, StrawberryObjectDefinition)
            or definition.is_interface
            or definition.is_graphql_generic
        ):
            return None
        own = self.schema.get_type(definition.name)
        if (
            not isinstance(own, GraphQLObjectType)
            or (own.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF) is not definition
            or not self.schema.is_sub_type(abstract, own)
            or abstract.resolve_type is None
        ):
            return None
        # Asked, not assumed, so that a Strawberry resolving otherwise shows here.
        return own if abstract.resolve_type(value, info, abstract) == own.name else None

    def _complete_object(
        self,
        object_type: GraphQLObjectType,
        details: FieldDetailsList,
        path: Path,
        value: Any,
        position_context: Any,
    ) -> Any:
        """graphql-core's completion of an object with no `is_type_of`, minus its layers."""
        grouped_field_set, new_defer_usages, _ = self.collect_subfields(object_type, details)
        if new_defer_usages or position_context is not None:
            return self.execute_collected_subfields(
                object_type, value, path, grouped_field_set, new_defer_usages, position_context
            )
        return self.execute_fields(object_type, value, path, grouped_field_set, None)

    def _complete_object_list(
        self,
        plan: FieldPlan,
        parent_type: GraphQLObjectType,
        details: FieldDetailsList,
        path: Path,
        items: list[Any],
        position_context: Any,
    ) -> Any:
        """graphql-core's list completion for a list of plain objects; raises what it
        raises (the caller handles the field's error)."""
        object_type = plan.object_type
        item_type = plan.item_type
        assert object_type is not None
        assert item_type is not None
        is_awaitable = self.is_awaitable
        completed: list[Any] = []
        awaitable_indices: list[int] = []
        try:
            for index, item in enumerate(items):
                item_path = path.add_key(index, None)
                try:
                    if item is None or isinstance(item, Exception) or is_awaitable(item):
                        info = LazyResolveInfo(self, plan.field_def, details, parent_type, path)
                        value = self._complete_item(
                            item_type, details, info, item_path, item, position_context
                        )
                    else:
                        value = self._complete_object(
                            object_type, details, item_path, item, position_context
                        )
                    if is_awaitable(value):
                        value = self._await_completed(value, item_type, details, item_path)
                        awaitable_indices.append(index)
                except Exception as raw_error:
                    self.handle_field_error(raw_error, item_type, details, item_path)
                    value = None
                completed.append(value)
        except Exception:
            # As graphql-core does: what was started, and awaitable items not reached yet,
            # are settled in the background rather than left unawaited.
            pending = [completed[i] for i in awaitable_indices]
            pending += [item for item in items[len(completed) + 1 :] if is_awaitable(item)]
            if pending:
                self.settle_in_background(pending)
            raise
        if not awaitable_indices:
            return completed
        return _settled(completed, awaitable_indices)

    def _complete_item(
        self,
        item_type: GraphQLOutputType,
        details: FieldDetailsList,
        info: LazyResolveInfo,
        item_path: Path,
        item: Any,
        position_context: Any,
    ) -> Any:
        """One list item through graphql-core's completion (null, error or awaitable)."""
        if self.is_awaitable(item):
            return self._complete_awaited_item(
                item_type, details, info, item_path, item, position_context
            )
        return self.complete_value(
            item_type,
            details,
            info,  # type: ignore[arg-type]
            item_path,
            item,
            position_context,
        )

    async def _complete_awaited_item(
        self,
        item_type: GraphQLOutputType,
        details: FieldDetailsList,
        info: LazyResolveInfo,
        item_path: Path,
        item: Awaitable[Any],
        position_context: Any,
    ) -> Any:
        value = self._complete_item(
            item_type, details, info, item_path, await item, position_context
        )
        return await value if self.is_awaitable(value) else value

    async def _await_completed(
        self,
        completed: Awaitable[Any],
        return_type: GraphQLOutputType,
        details: FieldDetailsList,
        path: Path,
    ) -> Any:
        try:
            return await completed
        except Exception as raw_error:
            self.handle_field_error(raw_error, return_type, details, path)
            return None
