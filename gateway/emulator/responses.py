"""Fast JSON responses for the emulator (orjson, nulls left to the caller)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.responses import Response


class JSONResponse(Response):
    """`application/json` rendered with orjson."""

    media_type = "application/json"

    def __init__(
        self,
        content: Any,
        status_code: int = 200,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(orjson.dumps(content), status_code=status_code, headers=headers)


def omit_none(data: dict[str, Any]) -> dict[str, Any]:
    """Drop `None` values, as both upstream APIs leave absent properties out."""
    return {k: v for k, v in data.items() if v is not None}
