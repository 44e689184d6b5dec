"""Change descriptions and version arithmetic.

Versions are counted in tenths: a new entity is 1 (0.1), a change adds 1 (+0.1), a
breaking change jumps to the next multiple of 10 (the next x.0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

FIRST_VERSION = 1


def next_version(version: int, major: bool) -> int:
    return (version // 10 + 1) * 10 if major else version + 1


def as_number(version: int) -> float:
    return round(version / 10, 1)


def parse_version(text: str) -> int:
    """Tenths from a path segment such as `0.2` or `1`; ValueError when not a number."""
    return round(float(text) * 10)


def field_value(value: Any) -> Any:
    """Scalars are reported as they are, lists and objects as JSON text (as upstream)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return orjson.dumps(value).decode()


def _identity(item: Any) -> Any:
    return orjson.dumps(item, option=orjson.OPT_SORT_KEYS)


@dataclass(slots=True)
class Change:
    """What one write changed, in the upstream's fieldsAdded/Updated/Deleted form."""

    added: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)
    major: bool = False

    def __bool__(self) -> bool:
        return bool(self.added or self.updated or self.deleted)

    def compare(self, name: str, old: Any, new: Any) -> None:
        if old == new:
            return
        if isinstance(old, list) or isinstance(new, list):
            self.compare_items(name, old or [], new or [])
        elif old is None:
            self.added.append({"name": name, "newValue": field_value(new)})
        elif new is None:
            self.deleted.append({"name": name, "oldValue": field_value(old)})
        else:
            self.updated.append(
                {"name": name, "oldValue": field_value(old), "newValue": field_value(new)}
            )

    def compare_items(
        self,
        name: str,
        old: list[Any],
        new: list[Any],
        key: Callable[[Any], Any] = _identity,
    ) -> None:
        old_keys = {key(item) for item in old}
        new_keys = {key(item) for item in new}
        added = [item for item in new if key(item) not in old_keys]
        removed = [item for item in old if key(item) not in new_keys]
        if added:
            self.added.append({"name": name, "newValue": field_value(added)})
        if removed:
            self.deleted.append({"name": name, "oldValue": field_value(removed)})

    def describe(self, previous_version: int) -> dict[str, Any]:
        return {
            "fieldsAdded": self.added,
            "fieldsUpdated": self.updated,
            "fieldsDeleted": self.deleted,
            "previousVersion": as_number(previous_version),
        }
