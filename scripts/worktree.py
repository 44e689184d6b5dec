"""Copies of the working tree to break on purpose, and the tests that already fail in one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Ignored directories the tests read but nobody edits (the playground's assets): linked, not
# copied.
LINKED = ("node_modules",)


def tracked_files() -> list[str]:
    """The working tree as git sees it: tracked files plus untracked ones not ignored (tests
    being written count), so a copy tests what is on disk, not what is committed."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def snapshot(destination: Path) -> None:
    """Copy the working tree into `destination` (modification times kept)."""
    for name in tracked_files():
        target = destination / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    link_shared(destination)


def clone(snapshot: Path, destination: Path) -> None:
    """Copy a snapshot, so that every run of one command tests the same tree while others
    keep editing theirs."""
    shutil.copytree(snapshot, destination, symlinks=True, dirs_exist_ok=True)


def link_shared(directory: Path) -> None:
    for name in LINKED:
        source, link = ROOT / name, directory / name
        if source.is_dir() and not link.exists():
            link.symlink_to(source, target_is_directory=True)


def existing(copy: Path, paths: list[str]) -> list[str]:
    """The test paths (files, directories or node ids) whose file exists in `copy`."""
    return [p for p in paths if (copy / p.split("::", 1)[0]).exists()]


def outermost(paths: set[str]) -> list[str]:
    """`paths` without those inside another of them (a file of a listed directory)."""
    return sorted(p for p in paths if not any(p.startswith(f"{q}/") for q in paths))


def pytest_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pytest", *args]


def copy_env(copy: Path) -> dict[str, str]:
    """The environment for a test run in `copy`: its `gateway` first, for the tests' child
    processes too (the virtualenv's editable install points at the working tree)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(copy), env.get("PYTHONPATH")]))
    return env


def check_imports_copy(copy: Path) -> None:
    """Fail loudly if `import gateway` in `copy` would load another tree's code."""
    found = subprocess.run(
        [sys.executable, "-c", "import gateway; print(gateway.__file__)"],
        cwd=copy,
        env=copy_env(copy),
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not Path(found).resolve().is_relative_to(copy.resolve()):
        raise SystemExit(f"the copy in {copy} imports gateway from {found}: cannot test it")


def failing_tests(copy: Path, tests: list[str], timeout: float) -> list[str]:
    """Node ids (or files that do not collect) among `tests` that fail on the unmodified copy."""
    cache = copy / ".baseline-cache"
    command = pytest_command("-q", "-o", f"cache_dir={cache}", *tests)
    done = subprocess.run(
        command, cwd=copy, env=copy_env(copy), capture_output=True, text=True, timeout=timeout
    )
    if done.returncode not in (0, 1, 2, 5):
        raise SystemExit(
            f"the baseline test run failed ({done.returncode}):\n{done.stdout[-3000:]}"
        )
    lastfailed = cache / "v" / "cache" / "lastfailed"
    failed: dict[str, bool] = json.loads(lastfailed.read_text()) if lastfailed.exists() else {}
    shutil.rmtree(cache, ignore_errors=True)
    return sorted(failed)


def deselect_args(failed: list[str]) -> list[str]:
    """pytest arguments leaving out tests that fail without any bug (a file that does not even
    collect is ignored as a whole)."""
    args: list[str] = []
    for node in failed:
        args += ["--deselect", node] if "::" in node else [f"--ignore={node}"]
    return args
