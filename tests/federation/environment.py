"""What the federation tests need from the machine: node and federation/'s locked packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import NoReturn

import pytest

from tests.conftest import in_ci

FEDERATION_DIR = Path(__file__).resolve().parents[2] / "federation"
SETUP_HINT = "run `scripts/dev setup` or `npm ci --prefix federation`"
MIN_NODE_MAJOR = 20


def unavailable(reason: str) -> NoReturn:
    """Fail in CI, where the set-up must have provided it; skip on a developer's machine."""
    message = f"{reason}: {SETUP_HINT}"
    if in_ci(os.environ):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def node_environment() -> dict[str, str]:
    """The environment for node scripts: no Apollo cloud credentials, no telemetry."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("APOLLO_")}
    env["APOLLO_TELEMETRY_DISABLED"] = "true"
    return env


def require_node() -> str:
    """The node executable, once node and every locked package of federation/ are there."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed (Node.js 20 or newer is needed)")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, timeout=30, check=False
    ).stdout.strip()
    major = version.lstrip("v").split(".")[0]
    if not major.isdigit() or int(major) < MIN_NODE_MAJOR:
        unavailable(f"node {version or '(unknown version)'} is older than {MIN_NODE_MAJOR}")
    wanted: dict[str, str] = json.loads((FEDERATION_DIR / "package.json").read_text())[
        "dependencies"
    ]
    for name, version_wanted in sorted(wanted.items()):
        manifest = FEDERATION_DIR / "node_modules" / name / "package.json"
        if not manifest.is_file():
            unavailable(f"federation/node_modules has no {name}")
        installed = json.loads(manifest.read_text())["version"]
        if installed != version_wanted:
            unavailable(
                f"federation/node_modules has {name} {installed}, the lock {version_wanted}"
            )
    return node
