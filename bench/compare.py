"""Before/after: the gateway at another revision and the working tree, measured in one run.

    .venv/bin/python -m bench.compare --base REV [--rounds 3] [--seconds 5]
        [--cells Q1:1,Q1:10,Q2:1,Q3:1,Q3:10] [--output PATH]

Checks out REV in a temporary git worktree and starts two `gateway serve` processes, one
from that worktree (A) and one from this checkout (B), against one emulator (5 ms upstream
latency, 1,000 ML models, as in bench/gateway_bench.py). Each cell (a query at a
concurrency) is loaded with wrk on A and B in turn, the order flipped every round, so a
machine that gets slower or faster mid-run weighs on both alike. Prints, per cell, the
median over rounds of gateway CPU ms per query, p50 and q/s for A and B, and B/A.
Both gateways answer the same bodies, checked before any timing.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import orjson

from bench._dataset import Dataset, EmulatorControl, grow_catalog
from bench._procs import ROOT, Server, emulator, gateway
from bench._queries import LIST_SIZE, Operation, operations
from bench._wrk import ACCEPT, ensure_wrk, run_wrk
from bench.gateway_bench import CATALOG_SIZE, LATENCY_MS

DEFAULT_CELLS = "Q1:1,Q1:10,Q2:1,Q3:1,Q3:10"
WARMUP_SECONDS = 1.0

# One side's run of a cell: gateway CPU ms per query, p50 ms, q/s, errors.
Run = tuple[float, float, float, int]


@contextmanager
def worktree(revision: str) -> Iterator[Path]:
    """A detached checkout of `revision`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="gateway-base-") as parent:
        path = Path(parent) / "tree"
        subprocess.run(
            ["git", "worktree", "add", "--detach", "--quiet", str(path), revision],
            cwd=ROOT,
            check=True,
        )
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False
            )


def imported_from(cwd: Path) -> Path:
    """Where `python -m gateway` run in `cwd` imports the package from."""
    done = subprocess.run(
        [sys.executable, "-c", "import gateway; print(gateway.__file__)"],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return Path(done.stdout.strip()).parent.parent


def answer(server: Server, body: bytes) -> object:
    headers = {"Content-Type": "application/json", "Accept": ACCEPT}
    response = httpx.post(f"{server.url}/graphql", content=body, headers=headers, timeout=60)
    return response.status_code, orjson.loads(response.content)


def cell(wrk: str, server: Server, op: Operation, concurrency: int, seconds: float) -> Run:
    url = f"{server.url}/graphql"
    run_wrk(wrk, url, op.bodies, concurrency, WARMUP_SECONDS)
    time.sleep(0.2)
    cpu = server.cpu_seconds()
    load = run_wrk(wrk, url, op.bodies, concurrency, seconds)
    cpu_ms = (server.cpu_seconds() - cpu) * 1000 / max(load.completed, 1)
    return cpu_ms, load.p50_ms, load.completed / load.seconds, load.errors


def parse_cells(text: str) -> list[tuple[str, int]]:
    cells = []
    for item in text.split(","):
        key, _, concurrency = item.partition(":")
        cells.append((f"Q1/{LIST_SIZE}" if key == "Q1" else key, int(concurrency or 1)))
    return cells


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.compare",
        description="The gateway at --base against the working tree, interleaved in one run.",
    )
    parser.add_argument("--base", required=True, help="git revision to compare against")
    parser.add_argument("--rounds", type=int, default=3, help="A/B rounds per cell")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--cells", default=DEFAULT_CELLS, help="QUERY:CONCURRENCY, ...")
    parser.add_argument("--output", type=Path, help="also write the report here")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    wrk = ensure_wrk()
    cells = parse_cells(args.cells)
    base = subprocess.run(
        ["git", "rev-parse", "--short", args.base], cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    head = subprocess.run(
        ["git", "describe", "--always", "--dirty"], cwd=ROOT, check=True, capture_output=True,
        text=True,
    ).stdout.strip()  # fmt: skip
    results: dict[tuple[str, int, str], list[Run]] = {}
    with ExitStack() as stack:
        tree = stack.enter_context(worktree(args.base))
        if imported_from(tree) != tree:
            raise SystemExit(f"python -m gateway in {tree} does not import that checkout")
        upstream = stack.enter_context(emulator(LATENCY_MS))
        print(f"growing the catalog to {CATALOG_SIZE} ML models", file=sys.stderr)
        grow_catalog(EmulatorControl(upstream.url), CATALOG_SIZE)
        ops = {op.key: op for op in operations(Dataset.discover(upstream.url), True)}
        sides = {
            "A": stack.enter_context(gateway(upstream.url, tree, "gateway A")),
            "B": stack.enter_context(gateway(upstream.url, ROOT, "gateway B")),
        }
        for key, _ in cells:
            for body in ops[key].bodies[:2]:
                if answer(sides["A"], body) != answer(sides["B"], body):
                    raise SystemExit(f"{key}: A and B answer differently")
        for round_ in range(args.rounds):
            order = ("A", "B") if round_ % 2 == 0 else ("B", "A")
            for key, concurrency in cells:
                print(f"round {round_ + 1}: {key} concurrency {concurrency}", file=sys.stderr)
                for side in order:
                    measured = cell(wrk, sides[side], ops[key], concurrency, args.seconds)
                    results.setdefault((key, concurrency, side), []).append(measured)
    lines = [
        f"$ .venv/bin/python -m bench.compare {' '.join(argv or sys.argv[1:])}",
        f"A: {base} (worktree)   B: {head} (this checkout)",
        f"{args.rounds} rounds of {args.seconds:g} s per side and cell, A/B order flipped "
        f"each round; emulator {LATENCY_MS:g} ms latency, {CATALOG_SIZE} ML models; medians",
        "",
        f"{'cell':<12}{'CPU ms/q A':>11}{'B':>7}{'B/A':>7}{'p50 ms A':>10}{'B':>7}"
        f"{'q/s A':>8}{'B':>7}{'B/A':>7}{'errors':>8}",
    ]
    for key, concurrency in cells:
        a = results[(key, concurrency, "A")]
        b = results[(key, concurrency, "B")]

        def med(rows: list[Run], i: int) -> float:
            return float(statistics.median(r[i] for r in rows))

        errors = sum(r[3] for r in a + b)
        lines.append(
            f"{f'{key} c{concurrency}':<12}{med(a, 0):>11.2f}{med(b, 0):>7.2f}"
            f"{med(b, 0) / med(a, 0):>7.2f}{med(a, 1):>10.1f}{med(b, 1):>7.1f}"
            f"{med(a, 2):>8.0f}{med(b, 2):>7.0f}{med(b, 2) / med(a, 2):>7.2f}{errors:>8}"
        )
    lines += ["", "every run, in round order (CPU ms/q | p50 ms):"]
    for key, concurrency in cells:
        for side in ("A", "B"):
            runs = results[(key, concurrency, side)]
            lines.append(
                f"{f'{key} c{concurrency}':<12}{side}  "
                + "  ".join(f"{cpu:.2f} | {p50:.1f}" for cpu, p50, _, _ in runs)
            )
    report = "\n".join(lines) + "\n"
    print(report)
    if args.output:
        args.output.write_text(report)


if __name__ == "__main__":
    main()
