"""What the browser tests need from the machine, and how to report it when it is missing."""

from __future__ import annotations

import os
from pathlib import Path
from typing import NoReturn

import pytest

from gateway.server.playground import NPM_ASSETS, default_assets_dir
from tests.conftest import in_ci

CHROMIUM = Path(os.environ.get("GATEWAY_TEST_CHROMIUM", "/usr/bin/chromium"))
SETUP_HINT = "run `scripts/dev setup` (as root it installs Debian's chromium and runs npm ci)"


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, where the set-up must have provided it; skip on a developer's machine."""
    message = f"{reason}: {SETUP_HINT}"
    if in_ci(os.environ):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_assets() -> None:
    missing = [path for path in NPM_ASSETS.values() if not (default_assets_dir() / path).is_file()]
    if missing:
        unavailable(f"the playground's npm assets are not installed ({', '.join(missing)})")
