"""Values derived from stored rows, kept between requests until a row they were built from changes.

Each value is stored with the keys it depends on: entity ids (the entity itself and every
entity it references), `fqn:<container>` for child lists and `type:<type>` for counts.
The store reports each write as the keys it touches, which drops every value built from
any of them.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# Past this many values the cache starts over, so arbitrary `fields` combinations cannot
# grow it without bound.
MAX_VALUES = 50_000


def children_key(container_fqn: str) -> str:
    """The key a container's list of children depends on."""
    return f"fqn:{container_fqn}"


def type_key(entity_type: str) -> str:
    """The key what is counted over all entities of a type depends on."""
    return f"type:{entity_type}"


class DependencyCache(Generic[K, V]):
    """A dict whose entries are dropped by the keys they were built from."""

    def __init__(self, max_values: int = MAX_VALUES) -> None:
        self.max_values = max_values
        self._values: dict[K, V] = {}
        self._dependents: dict[str, set[K]] = {}

    def __len__(self) -> int:
        return len(self._values)

    def get(self, key: K) -> V | None:
        return self._values.get(key)

    def put(self, key: K, value: V, depends_on: Iterable[str]) -> None:
        if len(self._values) >= self.max_values:
            self.clear()
        self._values[key] = value
        for dependency in depends_on:
            dependents = self._dependents.get(dependency)
            if dependents is None:
                self._dependents[dependency] = {key}
            else:
                dependents.add(key)

    def drop(self, dependencies: Iterable[str]) -> None:
        """Forget every value built from any of `dependencies`."""
        for dependency in dependencies:
            for key in self._dependents.pop(dependency, ()):
                self._values.pop(key, None)

    def clear(self) -> None:
        self._values.clear()
        self._dependents.clear()
