"""The OpenMetadata-compatible catalog half of the emulator (REST API under `/api/v1`)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from gateway.emulator.auth import Authenticator
from gateway.emulator.catalog.classifications import ClassificationKind, TagKind
from gateway.emulator.catalog.databases import DatabaseKind, DatabaseSchemaKind
from gateway.emulator.catalog.kinds import EntityKind
from gateway.emulator.catalog.mlmodels import MlModelKind
from gateway.emulator.catalog.repository import Repository
from gateway.emulator.catalog.routes import CatalogRoutes
from gateway.emulator.catalog.search_index import SearchIndex
from gateway.emulator.catalog.seed import seed_catalog
from gateway.emulator.catalog.services import DatabaseServiceKind, MlModelServiceKind
from gateway.emulator.catalog.store import Store
from gateway.emulator.catalog.tables import TableKind
from gateway.emulator.catalog.users import UserKind
from gateway.emulator.config import CATALOG_VERSION
from gateway.emulator.db import Database
from gateway.emulator.knobs import Knobs


def entity_kinds() -> tuple[EntityKind, ...]:
    """Every entity type the catalog serves."""
    return (
        MlModelServiceKind(),
        DatabaseServiceKind(),
        DatabaseKind(),
        DatabaseSchemaKind(),
        TableKind(),
        MlModelKind(),
        UserKind(),
        ClassificationKind(),
        TagKind(),
    )


class CatalogEmulator:
    """The catalog component: its tables in the shared database, its routes and its seed."""

    def __init__(
        self, db: Database, knobs: Knobs, auth: Authenticator, version: str = CATALOG_VERSION
    ) -> None:
        self.store = Store(db)
        self.repo = Repository(self.store, entity_kinds())
        # Registers its tables with the store and keeps its documents in step with writes.
        self.search = SearchIndex(self.store, self.repo.kinds)
        self._routes = CatalogRoutes(self.repo, knobs, auth, version, self.search)

    def routes(self) -> list[BaseRoute]:
        return self._routes.routes()

    def create_tables(self) -> None:
        self.store.create_tables()

    def seed(self) -> None:
        seed_catalog(self.repo)

    def clear(self) -> None:
        self.store.clear()
        self.search.reset()

    def restored(self) -> None:
        self.store.forget()
        self.search.reset()


__all__ = ["CatalogEmulator", "entity_kinds"]
