"""Who a catalog request is from: its bearer token's live user, cached until that user changes."""

from __future__ import annotations

import time
from dataclasses import dataclass

from starlette.requests import Request

from gateway.emulator.auth import Authenticator
from gateway.emulator.catalog import fqn
from gateway.emulator.catalog.cache import DependencyCache
from gateway.emulator.catalog.errors import CatalogError
from gateway.emulator.catalog.repository import Actor
from gateway.emulator.catalog.store import Store
from gateway.emulator.headers import header as raw_header


@dataclass(frozen=True, slots=True)
class Principal:
    """The parts of a user record an `Actor` takes."""

    name: str
    user_id: str
    is_admin: bool
    is_bot: bool


class Principals:
    """Authenticates requests against the token table and the catalog's users."""

    def __init__(self, store: Store, auth: Authenticator) -> None:
        self.store = store
        self.auth = auth
        # Only live users are kept: a deleted or unknown one is looked up again each time.
        self.cache: DependencyCache[str, Principal] = DependencyCache()
        store.caches.append(self.cache)

    def actor(self, request: Request) -> Actor:
        header = raw_header(request, b"authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise CatalogError(401, "Not Authorized! Token not present")
        name = self.auth.principal_of(header)
        if name is None:
            raise CatalogError(401, "Not Authorized! Invalid token")
        principal = self.cache.get(name)
        if principal is None:
            principal = self._lookup(name)
        return Actor(
            name=principal.name,
            user_id=principal.user_id,
            now=int(time.time() * 1000),
            is_admin=principal.is_admin,
            is_bot=principal.is_bot,
        )

    def _lookup(self, name: str) -> Principal:
        user = self.store.get_by_fqn("user", fqn.quote(name))
        if user is None or user.deleted:
            raise CatalogError(401, f"Not Authorized! User {name} is not a known user")
        principal = Principal(
            name=user.name,
            user_id=user.id,
            is_admin=bool(user.doc.get("isAdmin")),
            is_bot=bool(user.doc.get("isBot")),
        )
        self.cache.put(name, principal, (user.id,))
        return principal
