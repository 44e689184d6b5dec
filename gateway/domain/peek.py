"""A resolver's cheap twin, for executors that can use one.

A domain type marks a resolver with `answers_with(peek)`: `peek(parent)` is the resolver's
answer when the parent already holds it, else `NOT_READY`. The gateway's fast executor
(gateway/graphql/execution.py) reads the mark with `peek_of` and calls the resolver (with its
info) only for `NOT_READY`; under Strawberry's standard executor the resolver alone runs.
Types depend on this module, never on the executor.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])

# What a peek answers when the parent alone cannot tell (a load is needed).
NOT_READY: Any = object()
_PEEK = "__gateway_peek__"


def answers_with(peek: Callable[[Any], Any]) -> Callable[[F], F]:
    """Give a resolver a cheap twin: `peek(parent)` is the resolver's answer when the parent
    already holds it, else NOT_READY."""

    def mark(resolver: F) -> F:
        setattr(resolver, _PEEK, peek)
        return resolver

    return mark


def peek_of(resolver: object) -> Callable[[Any], Any] | None:
    """The peek a resolver was marked with, or None."""
    peek: Callable[[Any], Any] | None = getattr(resolver, _PEEK, None)
    return peek
