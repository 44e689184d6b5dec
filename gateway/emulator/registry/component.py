"""The registry as one emulator component: its routes, tables, seed and reset."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.emulator.auth import Authenticator
from gateway.emulator.db import Database
from gateway.emulator.knobs import Knobs
from gateway.emulator.registry.hooks import hook_routes
from gateway.emulator.registry.routes import api_routes
from gateway.emulator.registry.seed import seed
from gateway.emulator.registry.store import RegistryStore


class RegistryEmulator:
    """A Foundry-compatible Models API (`/api/v2/models`) backed by the shared database.

    `auth` is part of the components' shared signature; the registry needs no caller
    names, as it takes any non-empty bearer token.
    """

    def __init__(self, db: Database, knobs: Knobs, auth: Authenticator) -> None:
        del auth
        self.knobs = knobs
        self.store = RegistryStore(db)

    def routes(self) -> list[BaseRoute]:
        return [*hook_routes(self.store), *api_routes(self.knobs, self.store)]

    def create_tables(self) -> None:
        self.store.create_tables()

    def seed(self) -> None:
        seed(self.store)

    def clear(self) -> None:
        self.store.clear()

    def restored(self) -> None:
        """Nothing to drop: the registry keeps no state outside the database."""
