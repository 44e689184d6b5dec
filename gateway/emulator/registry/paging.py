"""Paging of version lists: `pageSize` rules and opaque `v1.<base64>` page tokens.

A token names the model, the branch and the sort key of the last version sent, so the
next page continues strictly after it: versions added meanwhile (always newer) never
shift a page and never repeat one. A token from another model or branch is invalid.
"""

from __future__ import annotations

import base64
import binascii
from typing import Final

import orjson

from gateway.emulator.registry.errors import RegistryError, bad_request

DEFAULT_PAGE_SIZE: Final = 100
MAX_PAGE_SIZE: Final = 1000
_PREFIX: Final = "v1."


def page_size(raw: str | None) -> int:
    """The page size to use; `None` (absent) gives the default, large sizes are clamped."""
    if raw is None:
        return DEFAULT_PAGE_SIZE
    try:
        size = int(raw)
    except ValueError:
        raise bad_request(f"pageSize: expected an integer, got '{raw}'") from None
    if size <= 0:
        raise RegistryError("InvalidPageSize", pageSize=size)
    return min(size, MAX_PAGE_SIZE)


def encode(model_rid: str, branch: str, created_time: str, seq: int) -> str:
    payload = orjson.dumps({"m": model_rid, "b": branch, "t": created_time, "s": seq})
    return _PREFIX + base64.urlsafe_b64encode(payload).rstrip(b"=").decode()


def decode(token: str, model_rid: str, branch: str) -> tuple[str, int]:
    """The (createdTime, seq) key a token continues after, for this model and branch."""
    invalid = RegistryError("InvalidPageToken", pageToken=token)
    if not token.startswith(_PREFIX):
        raise invalid
    body = token[len(_PREFIX) :]
    try:
        data = orjson.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):
        raise invalid from None
    if (
        not isinstance(data, dict)
        or data.get("m") != model_rid
        or data.get("b") != branch
        or not isinstance(data.get("t"), str)
        or not isinstance(data.get("s"), int)
        or isinstance(data.get("s"), bool)
    ):
        raise invalid
    return data["t"], data["s"]
