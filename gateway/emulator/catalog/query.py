"""Query parameters shared by the list and get endpoints: fields, include, limit, cursors."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

import orjson

from gateway.emulator.catalog.errors import bad_request, path_not_found
from gateway.emulator.catalog.rows import Page, RowKey

_DELETED_FILTER: dict[str, bool | None] = {"non-deleted": False, "deleted": True, "all": None}
MAX_LIMIT = 1_000_000


_NO_FIELDS: frozenset[str] = frozenset()
# Parsed `fields` values by (text, allowed names): clients ask the same few again and again.
_parsed_fields: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}
_MAX_PARSED_FIELDS = 1_024


def parse_fields(text: str | None, allowed: tuple[str, ...]) -> frozenset[str]:
    """`fields=a, b` -> {a, b}; `*` is every property; an unknown name is a 400."""
    if not text:
        return _NO_FIELDS
    key = (text, allowed)
    parsed = _parsed_fields.get(key)
    if parsed is None:
        parsed = _parse_fields(text, allowed)
        if len(_parsed_fields) >= _MAX_PARSED_FIELDS:
            _parsed_fields.clear()
        _parsed_fields[key] = parsed
    return parsed


def _parse_fields(text: str, allowed: tuple[str, ...]) -> frozenset[str]:
    names = text.replace(" ", "").split(",")
    if "*" in names:
        return frozenset(allowed)
    known = frozenset(allowed)
    for name in names:
        if name not in known:
            raise bad_request(f"Invalid field name {name}")
    return frozenset(names)


def parse_include(params: Mapping[str, str]) -> str:
    include = params.get("include", "non-deleted")
    if include not in _DELETED_FILTER:
        raise bad_request("[query param include must be one of [all, deleted, non-deleted]]")
    return include


def deleted_filter(include: str) -> bool | None:
    return _DELETED_FILTER[include]


def parse_limit(params: Mapping[str, str]) -> int:
    text = params.get("limit")
    if text is None:
        return 10
    try:
        limit = int(text)
    except ValueError:
        raise path_not_found() from None
    if limit < 0:
        raise bad_request("[query param limit must be greater than or equal to 0]")
    if limit > MAX_LIMIT:
        raise bad_request(f"[query param limit must be less than or equal to {MAX_LIMIT}]")
    return limit


def encode_cursor(entity: RowKey) -> str:
    """base64url of `{"name": ..., "id": ...}`, padded as the upstream's Java encoder does."""
    return base64.urlsafe_b64encode(orjson.dumps({"name": entity.name, "id": entity.id})).decode()


def decode_cursor(cursor: str) -> tuple[str, str]:
    try:
        data: Any = orjson.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        name, entity_id = data["name"], data["id"]
    except (binascii.Error, ValueError, TypeError, KeyError) as exc:
        raise bad_request(f"Invalid cursor {cursor}") from exc
    if not isinstance(name, str) or not isinstance(entity_id, str):
        raise bad_request(f"Invalid cursor {cursor}")
    return name, entity_id


def parse_cursors(
    params: Mapping[str, str],
) -> tuple[tuple[str, str] | None, tuple[str, str] | None]:
    after, before = params.get("after"), params.get("before")
    if after is not None and before is not None:
        raise bad_request("Only one of before or after query parameter allowed")
    return (
        None if after is None else decode_cursor(after),
        None if before is None else decode_cursor(before),
    )


def paging(page: Page, total: int, *, after: bool, before: bool) -> dict[str, Any]:
    """The `paging` object: first page has no `before`, last page no `after`."""
    out: dict[str, Any] = {}
    rows = page.rows
    if rows:
        if before:
            if page.more:
                out["before"] = encode_cursor(rows[0])
            out["after"] = encode_cursor(rows[-1])
        else:
            if after:
                out["before"] = encode_cursor(rows[0])
            if page.more:
                out["after"] = encode_cursor(rows[-1])
    out["total"] = total
    return out
