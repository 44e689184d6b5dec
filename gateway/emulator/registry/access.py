"""Checks every registry call passes before its handler: token, preview flag, scope.

The registry accepts any non-empty bearer token (401 `Default:Unauthorized` without
one). A JWT whose `scope`/`scp` claim lists Foundry API scopes (`api:...`) must list
the one the endpoint needs (`api:models-read` for GET, `api:models-write` for POST),
else 403 `ApiUsageDenied {missingScope}`; tokens without such scopes may call all.
"""

from __future__ import annotations

import base64
import binascii

import orjson
from starlette.requests import Request

from gateway.emulator.headers import header
from gateway.emulator.registry.errors import RegistryError

READ_SCOPE = "api:models-read"
WRITE_SCOPE = "api:models-write"


def bearer_token(request: Request) -> str | None:
    scheme, _, token = (header(request, b"authorization") or "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_scopes(token: str) -> frozenset[str] | None:
    """The Foundry API scopes a JWT grants, or None when it states none."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(claims, dict):
        return None
    raw = claims.get("scope", claims.get("scp"))
    if isinstance(raw, str):
        scopes = frozenset(raw.split())
    elif isinstance(raw, list):
        scopes = frozenset(s for s in raw if isinstance(s, str))
    else:
        return None
    api_scopes = frozenset(s for s in scopes if s.startswith("api:"))
    return api_scopes or None


def check(request: Request) -> None:
    """Raise the error a real server would answer before reaching the endpoint."""
    token = bearer_token(request)
    if token is None:
        raise RegistryError("Default:Unauthorized")
    if request.query_params.get("preview", "").lower() != "true":
        raise RegistryError("ApiFeaturePreviewUsageOnly")
    scopes = token_scopes(token)
    needed = READ_SCOPE if request.method == "GET" else WRITE_SCOPE
    if scopes is not None and needed not in scopes:
        raise RegistryError("ApiUsageDenied", missingScope=needed)
