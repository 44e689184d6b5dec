"""Request headers read straight from the ASGI scope."""

from __future__ import annotations

from starlette.requests import Request


def header(request: Request, name: bytes) -> str | None:
    """The first value of the lower-case header `name`, as `request.headers.get` gives it,
    without building Starlette's `Headers` (which re-encodes the name on every lookup)."""
    raw: bytes
    for key, raw in request.scope["headers"]:
        if key == name:
            return raw.decode("latin-1")
    return None
