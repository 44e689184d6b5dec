"""The layers of docs/architecture.md hold, and an import against them is caught.

`scripts/dev test` runs `lint-imports` on the package itself; here each case plants one
wrong-way import in a copy of the package and checks that the contract it breaks, and only
that check, fails by name.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# (module that gets the import, the import, the contract that must fail)
WRONG_WAY = [
    ("gateway/upstream/http.py", "import gateway.domain.loaders", "layers"),
    ("gateway/upstream/catalog.py", "import gateway.domain.validation", "layers"),
    ("gateway/base/settings.py", "import gateway.emulator.config", "emulator-apart"),
    ("gateway/base/observability/metrics.py", "import gateway.upstream.resilience", "layers"),
    ("gateway/domain/types/service.py", "import gateway.graphql.execution", "layers"),
    ("gateway/domain/loaders.py", "import gateway.server.app", "layers"),
    ("gateway/graphql/schema.py", "import gateway.server.http", "layers"),
    ("gateway/graphql/execution.py", "import gateway.domain.types.ml_model", "executor-generic"),
    ("gateway/emulator/app.py", "import gateway.upstream.pool", "emulator-standalone"),
    ("gateway/server/http/view.py", "import gateway.graphql.schema", "http-view-generic"),
]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    lint = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(lint), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env={**os.environ, "COLUMNS": "400"},  # one contract per line, however long its name
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def copy_of_package(tmp_path: Path) -> Path:
    shutil.copytree(
        ROOT / "gateway", tmp_path / "gateway", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_package_keeps_its_layers(tmp_path: Path) -> None:
    done = lint_imports(copy_of_package(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Contracts: 5 kept, 0 broken." in done.stdout


@pytest.mark.parametrize(("module", "statement", "contract"), WRONG_WAY)
def test_a_wrong_way_import_breaks_its_contract(
    tmp_path: Path, module: str, statement: str, contract: str
) -> None:
    root = copy_of_package(tmp_path)
    target = root / module
    target.write_text(target.read_text(encoding="utf-8") + f"\n{statement}  # noqa\n")

    done = lint_imports(root)

    assert done.returncode == 1, done.stdout + done.stderr
    assert "Contracts: 4 kept, 1 broken." in done.stdout, done.stdout
    assert f"{contract}" in broken_ids(done.stdout, root), done.stdout
    importer = module.removesuffix(".py").replace("/", ".")
    assert importer in done.stdout


def broken_ids(report: str, root: Path) -> set[str]:
    """The ids of the contracts `lint-imports` reports as BROKEN (it prints their names)."""
    contracts = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["importlinter"]
    names = {c["name"]: c["id"] for c in contracts["contracts"]}
    return {names[name] for name in names if f"{name} BROKEN" in report}
