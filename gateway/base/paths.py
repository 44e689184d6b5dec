"""Where the gateway keeps data on disk by default."""

from __future__ import annotations

import os
from pathlib import Path


def default_data_dir() -> Path:
    """`$GATEWAY_DATA_DIR`, else `$XDG_DATA_HOME/catalog-gateway`, else `~/.local/share/...`."""
    explicit = os.environ.get("GATEWAY_DATA_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "catalog-gateway"
