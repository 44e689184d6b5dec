"""Mutation testing (`scripts/dev mutate`): mutmut over the modules that decide correctness,
or (`--planted`) a fixed list of planted bugs. docs/testing.md says how to read the output."""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import shutil
import subprocess
import sys
import time
from contextlib import chdir
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from planted import run_planted
from worktree import (
    LINKED,
    ROOT,
    clone,
    deselect_args,
    existing,
    failing_tests,
    link_shared,
    outermost,
    snapshot,
)

# Each module that decides correctness, with the tests that exercise it. mutmut first runs
# these tests unmutated to record which test calls which function, then runs against each
# mutant only those of them that called the mutated function.
MODULE_TESTS: dict[str, tuple[str, ...]] = {
    "gateway/domain/types/connection.py": ("tests/gateway",),
    "gateway/domain/selection.py": (
        "tests/gateway",
        "tests/mutations",
        "tests/federation/test_entities.py",
    ),
    "gateway/graphql/cost.py": ("tests/cost", "tests/gateway/test_limits.py"),
    "gateway/graphql/schema.py": (
        "tests/gateway",
        "tests/cost",
        "tests/http",
        "tests/federation/test_entities.py",
        "tests/observability",
    ),
    "gateway/upstream/resilience.py": (
        "tests/resilience",
        "tests/upstream",
        "tests/observability/test_metrics.py",
    ),
    "gateway/server/http/csrf.py": ("tests/http",),
    "gateway/domain/callers.py": ("tests/mutations", "tests/gateway"),
    "gateway/domain/context.py": (
        "tests/mutations",
        "tests/gateway",
        "tests/federation/test_entities.py",
    ),
    "gateway/domain/loaders.py": (
        "tests/gateway",
        "tests/mutations",
        "tests/federation/test_entities.py",
        "tests/observability/test_metrics.py",
    ),
}

# The executor does not change what these modules do: one of them halves the time.
EXECUTOR_ARGS = ["--executors", "fast"]

WORK = ROOT / "build" / "mutate"
REPORT = WORK / "report.md"
# The working tree as the campaign started: the baseline and every module's run test it.
TREE = WORK / "tree"
# A mutant's tests may run (their unmutated time + TIMEOUT_CONSTANT) * TIMEOUT_MULTIPLIER
# seconds before mutmut stops them and records a timeout. The unmutated time counts test
# bodies only, not the emulator and gateway fixtures around them: hence the constant.
TIMEOUT_MULTIPLIER = 10.0
TIMEOUT_CONSTANT = 5.0
BASELINE_TIMEOUT = 1800.0
DETECTED = ("killed", "timeout")
COLUMNS = ("killed", "survived", "timeout", "no tests")
PROGRESS = re.compile(r"(\d+)/(\d+)\s+🎉 (\d+) 🫥 (\d+)\s+⏰ (\d+)\s+🤔 (\d+)\s+🙁 (\d+)")
HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")


@dataclass(slots=True)
class Mutant:
    key: str
    status: str
    line: int | None = None
    diff: str = ""

    @property
    def function(self) -> str:
        from mutmut.utils.format_utils import orig_function_and_class_names_from_key

        name, cls = orig_function_and_class_names_from_key(self.key)
        return f"{cls}.{name}" if cls else name

    def change(self) -> tuple[list[str], list[str]]:
        """The lines the mutation removes and adds, stripped."""
        lines = self.diff.splitlines()[2:]
        removed = [line[1:].strip() for line in lines if line.startswith("-")]
        added = [line[1:].strip() for line in lines if line.startswith("+")]
        return removed, added


@dataclass(slots=True)
class ModuleRun:
    module: str
    tests: list[str]
    seconds: float = 0.0
    mutants: tuple[Mutant, ...] = ()
    error: str = ""

    def count(self, *statuses: str) -> int:
        return sum(m.status in statuses for m in self.mutants)

    @property
    def checked(self) -> int:
        return len(self.mutants) - self.count("not checked")

    def score(self) -> float | None:
        return self.count(*DETECTED) / self.checked if self.checked else None


def slug(module: str) -> str:
    return module.removesuffix(".py").replace("/", "-")


def module_of(key: str) -> str:
    """The source path of a mutant's module, from its name (`gateway.graphql.cost.x_...`)."""
    from mutmut.utils.format_utils import get_module_from_key

    return get_module_from_key(key).replace(".", "/") + ".py"


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value) if isinstance(value, float) else json.dumps(value)


def configure(work: Path, module: str, tests: list[str], args: list[str], isolation: str) -> None:
    """Append the `[tool.mutmut]` of this module's run to the copy's pyproject.toml."""
    pyproject = work / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    if "[tool.mutmut]" in text:
        raise SystemExit("pyproject.toml has a [tool.mutmut] table: scripts/mutate.py writes it")
    # Files beside the sources the tests read (schema.graphql, docs): mutmut runs the tests in
    # its mutants/ folder, holding only what it copied.
    skip = {"gateway", "tests", "pyproject.toml", "mutants", *LINKED}
    also_copy = sorted(p.name for p in work.iterdir() if p.name not in skip)
    config: dict[str, object] = {
        "source_paths": ["gateway"],
        "only_mutate": [module],
        "also_copy": also_copy,
        "pytest_add_cli_args_test_selection": tests,
        "pytest_add_cli_args": ["-p", "no:cacheprovider", *EXECUTOR_ARGS, *args],
        "timeout_multiplier": TIMEOUT_MULTIPLIER,
        "timeout_constant": TIMEOUT_CONSTANT,
        "process_isolation": isolation,
        # The copy sits in the repository's ignored build/: git would describe the checkout.
        "use_git_change_detection": False,
    }
    table = "\n".join(f"{key} = {toml_value(value)}" for key, value in config.items())
    pyproject.write_text(f"{text.rstrip()}\n\n[tool.mutmut]\n{table}\n", encoding="utf-8")


def progress(log: Path) -> str:
    with log.open("rb") as f:
        f.seek(max(0, log.stat().st_size - 2000))
        tail = f.read().decode(errors="replace")
    found = PROGRESS.findall(tail)
    if not found:
        return "preparing (mutants, then a run of its tests to see who calls what)"
    done, total, killed, no_tests, timeout, _, survived = found[-1]
    return (
        f"{done}/{total} mutants tested: {killed} killed, {survived} survived, "
        f"{timeout} timeout, {no_tests} no tests"
    )


def run_mutmut(work: Path, log: Path, module: str, jobs: int) -> int:
    mutmut = Path(sys.executable).with_name("mutmut")
    command = [str(mutmut), "run", "--max-children", str(jobs)]
    with log.open("a") as out:
        process = subprocess.Popen(command, cwd=work, stdout=out, stderr=subprocess.STDOUT)
        last = ""
        while True:
            try:
                return process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                status = progress(log)
                if status != last:
                    print(f"    {module}: {status}", flush=True)
                    last = status
            except KeyboardInterrupt:
                process.wait()
                raise


def first_change(diff: str) -> tuple[int, str] | None:
    """The first line a diff removes: its number in the diffed text, and its text."""
    line_number = 0
    for line in diff.splitlines():
        hunk = HUNK.match(line)
        if hunk:
            line_number = int(hunk[1])
        elif line_number == 0:
            continue
        elif line.startswith("-"):
            return line_number, line[1:]
        elif line.startswith(" "):
            line_number += 1
    return None


def source_line(source: str, mutant: Mutant) -> int | None:
    """The line of the source file a mutant changes (mutmut's diffs count from the `def`)."""
    from mutmut.utils.format_utils import orig_function_and_class_names_from_key

    name, cls = orig_function_and_class_names_from_key(mutant.key)
    scope: list[ast.stmt] = ast.parse(source).body
    if cls is not None:
        scope = next(n.body for n in scope if isinstance(n, ast.ClassDef) and n.name == cls)
    node = next(
        n for n in scope if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef) and n.name == name
    )
    start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    change = first_change(mutant.diff)
    if change is None:
        return start
    offset, text = change
    lines = source.splitlines()
    expected = start + offset - 1
    end = node.end_lineno or start
    same = [n for n in range(start, end + 1) if lines[n - 1].strip() == text.strip()]
    return min(same, key=lambda n: abs(n - expected)) if same else expected


def relocate(diff: str, line: int | None) -> str:
    """The diff with hunk headers counting lines of the source file, not of the function."""
    change = first_change(diff)
    if line is None or change is None:
        return diff
    offset = line - change[0]

    def shift(match: re.Match[str]) -> str:
        header = match[0]
        old, new = int(match[1]), int(match[2])
        header = header.replace(f"-{old}", f"-{old + offset}", 1)
        return header.replace(f"+{new}", f"+{new + offset}", 1)

    return "\n".join(HUNK.sub(shift, part) for part in diff.splitlines())


def tested(work: Path, module: str) -> int:
    """How many mutants of `module` mutmut has a verdict for."""
    meta = work / "mutants" / f"{module}.meta"
    if not meta.exists():
        return 0
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    return sum(code is not None for code in codes.values())


def collect(work: Path, module: str) -> tuple[Mutant, ...]:
    """Every mutant of `module` with its verdict; diffs for those the tests did not detect."""
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    meta = work / "mutants" / f"{module}.meta"
    if not meta.exists():
        return ()
    codes: dict[str, int | None] = json.loads(meta.read_text())["exit_code_by_key"]
    mutants = tuple(Mutant(key, status_by_exit_code[code]) for key, code in codes.items())
    source = (work / module).read_text(encoding="utf-8")
    with chdir(work):
        for mutant in mutants:
            if mutant.status not in DETECTED and mutant.status != "not checked":
                mutant.diff = get_diff_for_mutant(mutant.key, path=module)
                mutant.line = source_line(source, mutant)
                mutant.diff = relocate(mutant.diff, mutant.line)
    return mutants


def unmutated(module: str) -> list[str]:
    """Functions of `module` mutmut leaves alone: decorated ones, except with a lone
    @staticmethod or @classmethod (it mutates function bodies only)."""
    names: list[str] = []

    def skipped(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        decorators = node.decorator_list
        lone = len(decorators) == 1 and isinstance(decorators[0], ast.Name)
        plain = lone and getattr(decorators[0], "id", "") in ("staticmethod", "classmethod")
        return bool(decorators) and not plain

    for node in ast.parse((TREE / module).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and skipped(node):
            names.append(node.name)
        elif isinstance(node, ast.ClassDef):
            methods = (
                n for n in node.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
            )
            names += [f"{node.name}.{m.name}" for m in methods if skipped(m)]
    return names


def run_module(
    module: str, tests: list[str], args: list[str], jobs: int, resume: bool, isolation: str
) -> ModuleRun:
    work = WORK / slug(module)
    if not resume:
        shutil.rmtree(work, ignore_errors=True)
    clone(TREE, work)
    run = ModuleRun(module, existing(work, tests))
    if not run.tests:
        run.error = f"none of its tests exist: {', '.join(tests)}"
        return run
    configure(work, module, run.tests, args, isolation)
    (work / "mutants").mkdir(exist_ok=True)
    link_shared(work / "mutants")
    log = WORK / f"{slug(module)}.log"
    print(f"==> {module}, tests: {' '.join(run.tests)} (log: {log.relative_to(ROOT)})", flush=True)
    started = time.monotonic()
    log.unlink(missing_ok=True)
    code = run_mutmut(work, log, module, jobs)
    if code != 0 and not tested(work, module):
        # mutmut stops when a test fails in its unmutated runs; on a loaded machine that is
        # most often a test's timeout, so a second chance (which keeps the call map) is cheap.
        print(f"    {module}: a test failed before any mutant (see the log); once more", flush=True)
        code = run_mutmut(work, log, module, jobs)
    run.seconds = time.monotonic() - started
    run.mutants = collect(work, module)
    if code != 0:
        tail = log.read_text(errors="replace").split("\r")[-1][-3000:]
        run.error = f"mutmut exited {code}:\n{tail}"
    print(f"    {module}: {summary(run)} in {duration(run.seconds)}", flush=True)
    return run


def summary(run: ModuleRun) -> str:
    if run.error and not run.mutants:
        return f"error: {run.error}"
    counts = ", ".join(f"{run.count(s)} {s}" for s in COLUMNS)
    score = run.score()
    scored = f", score {score:.1%}" if score is not None else ""
    failed = "; mutmut failed, see the log" if run.error else ""
    return f"{len(run.mutants)} mutants: {counts}{scored}{failed}"


def duration(seconds: float) -> str:
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m{secs:02d}s" if minutes else f"{secs}s"


def code(text: str) -> str:
    """Markdown inline code for any text (backticks included)."""
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def table(runs: list[ModuleRun]) -> list[str]:
    total = ModuleRun("total", [], sum(r.seconds for r in runs))
    total.mutants = tuple(m for r in runs for m in r.mutants)
    rows = [
        "| module | mutants | killed | survived | timeout | no tests | other | score | time |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for run in [*runs, total]:
        other = len(run.mutants) - run.count(*COLUMNS)
        score = run.score()
        cells = [
            run.module if run is total else code(run.module),
            str(len(run.mutants)),
            *(str(run.count(s)) for s in COLUMNS),
            str(other),
            f"{score:.1%}" if score is not None else "-",
            duration(run.seconds),
        ]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def survivor_line(module: str, mutant: Mutant) -> str:
    removed, added = mutant.change()
    what = f"{code(' / '.join(removed))} → {code(' / '.join(added)) if added else '(removed)'}"
    status = "" if mutant.status == "survived" else f" ({mutant.status})"
    return f"- {code(f'{module}:{mutant.line}')} {code(mutant.function)}: {what}{status}"


def git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def tree_state() -> str:
    """The commit the working tree is at, and whether sources or tests differ from it."""
    dirty = git("status", "--porcelain", "--", "gateway", "tests")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted changes" if dirty else "")


@dataclass(frozen=True, slots=True)
class RunInfo:
    argv: list[str]
    started: datetime
    tree: str
    seconds: float
    failed: list[str]


def write_report(runs: list[ModuleRun], info: RunInfo) -> str:
    argv = info.argv
    lines = [
        f"# Mutation testing, {info.started:%Y-%m-%d %H:%M} UTC",
        "",
        f"- commit: {info.tree}",
        f"- command: {code(' '.join(['scripts/dev mutate', *argv]))}",
        f"- duration: {duration(info.seconds)} on {os.cpu_count()} cores",
        "- score: (killed + timeout) / mutants tested",
        "",
        *table(runs),
        "",
    ]
    lines += [f"- left out, failing without mutation: {code(n)}" for n in info.failed]
    for run in runs:
        if run.error:
            lines += ["", f"{code(run.module)}: {run.error}"]
    lines += ["", "## Not detected", ""]
    for run in runs:
        undetected = [m for m in run.mutants if m.diff]
        lines += [survivor_line(run.module, m) for m in sorted(undetected, key=by_line)]
    lines += ["", "## Not mutated (decorated functions)", ""]
    lines += [f"- {code(r.module)}: {', '.join(unmutated(r.module)) or '-'}" for r in runs]
    lines += ["", "## Diffs", ""]
    for run in runs:
        for mutant in sorted((m for m in run.mutants if m.diff), key=by_line):
            lines += ["```diff", f"# {mutant.key}: {mutant.status}", mutant.diff, "```", ""]
    text = "\n".join(lines) + "\n"
    REPORT.write_text(text, encoding="utf-8")
    return text


def by_line(mutant: Mutant) -> int:
    return mutant.line or 0


def campaign(modules: list[str], jobs: int, resume: bool, isolation: str, argv: list[str]) -> int:
    started, began = time.monotonic(), datetime.now(UTC)
    tree = tree_state()
    for stale in (TREE, WORK / "baseline"):
        shutil.rmtree(stale, ignore_errors=True)
    snapshot(TREE)
    baseline = WORK / "baseline"
    clone(TREE, baseline)
    union = outermost({t for m in modules for t in existing(baseline, list(MODULE_TESTS[m]))})
    print(f"==> baseline: {' '.join(union)} on an unmodified copy", flush=True)
    failed = failing_tests(baseline, [*EXECUTOR_ARGS, *union], BASELINE_TIMEOUT) if union else []
    shutil.rmtree(baseline, ignore_errors=True)
    for node in failed:
        print(f"    fails without mutation, left out: {node}", flush=True)
    args = deselect_args(failed)
    runs = [run_module(m, list(MODULE_TESTS[m]), args, jobs, resume, isolation) for m in modules]
    seconds = time.monotonic() - started
    write_report(runs, RunInfo(argv, began, tree, seconds, failed))
    print(f"\nmutation testing ({duration(seconds)}):")
    print("\n".join(table(runs)))
    print("\nnot detected (module:line, function, original → mutant):")
    for run in runs:
        for mutant in sorted((m for m in run.mutants if m.diff), key=by_line):
            print(f"  {survivor_line(run.module, mutant)[2:]}  [{mutant.key}]")
    for run in runs:
        if run.error:
            print(f"\n{run.module}: {run.error}")
    print(f"\nreport with every diff: {REPORT.relative_to(ROOT)}")
    print("a mutant's diff and how to run its tests: scripts/dev mutate --show <name>")
    return 1 if any(r.error for r in runs) else 0


def show(key: str) -> int:
    module = module_of(key)
    work = WORK / slug(module)
    if not (work / "mutants" / f"{module}.meta").exists():
        raise SystemExit(f"no results for {module}: run scripts/dev mutate {module} first")
    from mutmut.mutation.diff_apply import get_diff_for_mutant
    from mutmut.stats import status_by_exit_code

    codes = json.loads((work / "mutants" / f"{module}.meta").read_text())["exit_code_by_key"]
    mutant = Mutant(key, status_by_exit_code[codes[key]])
    with chdir(work):
        mutant.diff = get_diff_for_mutant(key, path=module)
    mutant.line = source_line((work / module).read_text(encoding="utf-8"), mutant)
    print(f"# {key}: {mutant.status}")
    print(relocate(mutant.diff, mutant.line))
    tests = " ".join(existing(work, list(MODULE_TESTS.get(module, ("tests",)))))
    print("\nits tests, against this mutant (mutmut's copy picks the mutant by name):")
    print(f"  cd {work.relative_to(ROOT)}/mutants && \\")
    pytest = " ".join(
        [sys.executable, "-m", "pytest", "-x", "-p", "no:cacheprovider", *EXECUTOR_ARGS]
    )
    print(f"  MUTANT_UNDER_TEST='{key}' {pytest} {tests}")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/dev mutate",
        description="Mutation testing of the modules that decide correctness (mutmut), "
        "or of the planted bugs in scripts/planted_bugs.toml. See docs/testing.md.",
    )
    parser.add_argument("modules", nargs="*", help="source paths to mutate (default: all mapped)")
    parser.add_argument("--planted", action="store_true", help="run the planted bugs instead")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel runs")
    parser.add_argument("--resume", action="store_true", help="continue the last run")
    parser.add_argument("--show", metavar="MUTANT", help="a mutant's diff from the last run")
    parser.add_argument("--list", action="store_true", help="print the module -> tests map")
    # forkserver: every test run is the only pytest session of its process. Under `fork`,
    # mutmut runs several sessions in one process, and the second of them fails here.
    parser.add_argument(
        "--isolation",
        choices=("fork", "forkserver"),
        default="forkserver",
        help="how mutmut isolates a mutant's test run (docs/testing.md)",
    )
    options = parser.parse_args(argv)
    if options.list:
        for module, tests in MODULE_TESTS.items():
            print(f"{module}: {' '.join(tests)}")
        return 0
    if options.show:
        return show(options.show)
    if options.planted:
        return run_planted(options.jobs)
    modules = [os.path.relpath(Path(m).resolve(), ROOT) for m in options.modules] or list(
        MODULE_TESTS
    )
    unknown = [m for m in modules if m not in MODULE_TESTS]
    if unknown:
        known = "\n  ".join(MODULE_TESTS)
        parser.error(f"not in MODULE_TESTS ({__file__}): {', '.join(unknown)}; known:\n  {known}")
    return campaign(modules, options.jobs, options.resume, options.isolation, argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
