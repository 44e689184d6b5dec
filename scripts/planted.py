"""Planted bugs: one-line bugs from `planted_bugs.toml`, each applied in its own copy of the
working tree, that the tests listed with it must catch."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from worktree import (
    ROOT,
    check_imports_copy,
    clone,
    copy_env,
    deselect_args,
    existing,
    failing_tests,
    outermost,
    pytest_command,
    snapshot,
)

BUGS_FILE = ROOT / "scripts" / "planted_bugs.toml"
# A bug whose tests run longer than this counts as not caught: the harness cannot tell a
# hang the bug caused from one it did not.
BUG_TIMEOUT = 900.0


@dataclass(frozen=True, slots=True)
class PlantedBug:
    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    verdict: str  # killed, survived, no tests, timeout, error or stale
    detail: str = ""
    tests: tuple[str, ...] = ()
    seconds: float = 0.0


def load_bugs(path: Path = BUGS_FILE) -> list[PlantedBug]:
    bugs: list[PlantedBug] = []
    for entry in tomllib.loads(path.read_text(encoding="utf-8"))["bug"]:
        bugs.append(
            PlantedBug(
                name=str(entry["name"]),
                file=str(entry["file"]),
                original=str(entry["original"]),
                replacement=str(entry["replacement"]),
                tests=tuple(str(t) for t in entry["tests"]),
            )
        )
    return bugs


def stale(tree: Path, bug: PlantedBug) -> str | None:
    """Why `bug` can no longer be planted in `tree` (its text must occur exactly once)."""
    path = tree / bug.file
    if not path.is_file():
        return f"{bug.file} does not exist"
    count = path.read_text(encoding="utf-8").count(bug.original)
    if count != 1:
        return f"the original text occurs {count} times in {bug.file}, not once: {bug.original!r}"
    return None


def plant(tree: Path, bug: PlantedBug) -> None:
    path = tree / bug.file
    path.write_text(
        path.read_text(encoding="utf-8").replace(bug.original, bug.replacement), encoding="utf-8"
    )


def first_failure(output: str) -> str:
    for line in output.splitlines():
        if line.startswith(("FAILED ", "ERROR ")):
            return line
    return ""


def try_bug(bug: PlantedBug, tree: Path, copy: Path, deselect: list[str]) -> Outcome:
    started = time.monotonic()
    clone(tree, copy)
    try:
        tests = existing(copy, list(bug.tests))
        missing = [t for t in bug.tests if t not in tests]
        note = f"missing: {', '.join(missing)}" if missing else ""
        if not tests:
            return Outcome("no tests", note)
        problem = stale(copy, bug)
        if problem is not None:
            return Outcome("stale", problem)
        plant(copy, bug)
        command = pytest_command("-q", "-x", "-p", "no:cacheprovider", *deselect, *tests)
        try:
            done = subprocess.run(
                command,
                cwd=copy,
                env=copy_env(copy),
                capture_output=True,
                text=True,
                timeout=BUG_TIMEOUT,
            )
        except subprocess.TimeoutExpired:
            return Outcome("timeout", f"still running after {BUG_TIMEOUT:.0f}s", tuple(tests))
        seconds = time.monotonic() - started
        verdicts = {0: "survived", 1: "killed", 5: "no tests"}
        verdict = verdicts.get(done.returncode, "error")
        if verdict == "killed":
            detail = first_failure(done.stdout)
        elif verdict == "error":
            detail = f"pytest exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
        else:
            detail = ""
        return Outcome(verdict, "; ".join(filter(None, [detail, note])), tuple(tests), seconds)
    finally:
        shutil.rmtree(copy, ignore_errors=True)


def run_planted(jobs: int) -> int:
    """Plant every bug in turn (`jobs` at a time) and report; 0 only when all were caught."""
    bugs = load_bugs()
    outcomes: dict[int, Outcome] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="planted-") as scratch:
        tree = Path(scratch) / "tree"
        snapshot(tree)
        for index, bug in enumerate(bugs, 1):
            problem = stale(tree, bug)
            if problem is not None:
                outcomes[index] = Outcome("stale", problem)
        runnable = [(i, b) for i, b in enumerate(bugs, 1) if i not in outcomes]
        baseline = Path(scratch) / "baseline"
        clone(tree, baseline)
        check_imports_copy(baseline)
        union = outermost({t for _, bug in runnable for t in existing(baseline, list(bug.tests))})
        print(f"==> baseline: {' '.join(union) or '(no tests)'} on an unmodified copy", flush=True)
        failed = failing_tests(baseline, union, BUG_TIMEOUT) if union else []
        shutil.rmtree(baseline, ignore_errors=True)
        for node in failed:
            print(f"    fails without any bug, left out: {node}", flush=True)
        deselect = deselect_args(failed)
        print(f"==> {len(runnable)} planted bugs, {jobs} at a time", flush=True)
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            futures = {
                i: pool.submit(try_bug, bug, tree, Path(scratch) / f"bug-{i}", deselect)
                for i, bug in runnable
            }
            for i, future in futures.items():
                outcomes[i] = future.result()
    print(f"\nplanted bugs ({time.monotonic() - started:.0f}s):")
    for index, bug in enumerate(bugs, 1):
        outcome = outcomes[index]
        where = ", ".join(outcome.tests or bug.tests)
        print(f"  {outcome.verdict:<9} {index}. {bug.name}  [{bug.file}; {where}]")
        if outcome.detail:
            print("            " + outcome.detail.replace("\n", "\n            "))
    counts: dict[str, int] = {}
    for outcome in outcomes.values():
        counts[outcome.verdict] = counts.get(outcome.verdict, 0) + 1
    print("planted: " + ", ".join(f"{n} {verdict}" for verdict, n in sorted(counts.items())))
    return 0 if counts.get("killed", 0) == len(bugs) else 1
