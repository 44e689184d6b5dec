"""Emulator settings: where data lives, seeding, latency, the token table and the version the
catalog reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gateway.base.paths import default_data_dir

DEFAULT_TOKEN = "emulator-token"  # noqa: S105 - a documented development token, not a secret
DEFAULT_PRINCIPAL = "admin"
# The OpenMetadata release the catalog emulates (the contracts describe 1.13). The official
# SDK compares the major and minor parts of `GET /api/v1/system/version` with its own.
CATALOG_VERSION = "1.13.0"


@dataclass(slots=True)
class EmulatorConfig:
    """How one emulator instance runs.

    `data` is a directory (the SQLite file `emulator.sqlite3` is kept inside it) or the
    literal `:memory:` for a throwaway database.
    """

    data: str = field(default_factory=lambda: str(default_data_dir()))
    seed: bool = True
    latency_ms: float = 0.0
    tokens: dict[str, str] = field(default_factory=lambda: {DEFAULT_TOKEN: DEFAULT_PRINCIPAL})
    catalog_version: str = CATALOG_VERSION

    @property
    def database_path(self) -> str:
        if self.data == ":memory:":
            return ":memory:"
        directory = Path(self.data)
        directory.mkdir(parents=True, exist_ok=True)
        return str(directory / "emulator.sqlite3")
