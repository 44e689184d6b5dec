"""Bearer-token principals.

A token is either listed in the emulator's token table (token -> user name) or a JWT
whose `sub` claim names the user. JWT signatures are NOT checked: the emulator is a
development and test upstream, never an identity provider.
"""

from __future__ import annotations

import base64
import binascii

import orjson

# Past this many distinct headers the memo starts over (clients may mint JWTs freely).
MAX_REMEMBERED = 10_000


class Authenticator:
    """Maps an `Authorization: Bearer ...` header to a principal name."""

    def __init__(self, tokens: dict[str, str]) -> None:
        self.tokens = dict(tokens)
        # A header always names the same principal, so each is decoded once.
        self._named: dict[str, str | None] = {}

    def principal_of(self, header: str) -> str | None:
        """The principal an `Authorization` header value names, or None."""
        try:
            return self._named[header]
        except KeyError:
            pass
        if len(self._named) >= MAX_REMEMBERED:
            self._named.clear()
        named = self._decode(header)
        self._named[header] = named
        return named

    def _decode(self, header: str) -> str | None:
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        named = self.tokens.get(token)
        if named is not None:
            return named
        return jwt_subject(token)


def jwt_subject(token: str) -> str | None:
    """The `sub` claim of an unsigned-or-signed JWT, without verifying the signature."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    try:
        claims = orjson.loads(base64.urlsafe_b64decode(payload))
    except (binascii.Error, ValueError):
        return None
    if not isinstance(claims, dict):
        return None
    sub = claims.get("sub")
    return sub if isinstance(sub, str) and sub else None


def make_jwt(sub: str, **claims: object) -> str:
    """An unsigned JWT for `sub` (`alg: none`), accepted by the emulator."""

    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(data)).rstrip(b"=").decode()

    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({'sub': sub, **claims})}.e30"
