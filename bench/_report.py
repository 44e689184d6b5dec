"""The benchmark's figures and how they are printed: cells, tables, targets, machine facts."""

from __future__ import annotations

import math
import os
import platform
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

PACKAGES = (
    "strawberry-graphql", "graphql-core", "starlette", "uvicorn", "uvloop", "httptools",
    "httpx", "aiohttp", "msgspec", "orjson",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Cell:
    """One measured run of one query at one concurrency, through the gateway or the floor."""

    key: str
    side: str  # "gateway" or "floor"
    concurrency: int
    completed: int
    sent: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int
    upstream_calls: int
    cpu_seconds: float  # the gateway's, or the floor client's
    emulator_cpu_seconds: float
    rss_mb: float | None  # the gateway's resident memory after the run

    @property
    def rate(self) -> float:
        return self.completed / self.seconds if self.seconds else 0.0

    @property
    def calls_per_query(self) -> float:
        return self.upstream_calls / self.sent if self.sent else math.nan

    @property
    def cpu_ms(self) -> float:
        return self.cpu_seconds * 1000 / self.completed if self.completed else math.nan

    @property
    def emulator_cpu_ms(self) -> float:
        return self.emulator_cpu_seconds * 1000 / self.completed if self.completed else math.nan


Group = Callable[[Cell], int]


def by_concurrency(cell: Cell) -> int:
    return cell.concurrency


def by_page_size(cell: Cell) -> int:
    return int(cell.key.split("/")[1])


def _header(group: str) -> str:
    return (
        f"  {group:>5}  {'side':<7}  {'q/s':>7}  {'p50 ms':>7}  {'p99 ms':>7}  "
        f"{'upstream/q':>10}  {'CPU ms/q':>8}  {'emu CPU ms/q':>12}  {'RSS MB':>6}  {'errors':>6}"
    )


def _cell_line(group: int, cell: Cell) -> str:
    rss = f"{cell.rss_mb:6.1f}" if cell.rss_mb is not None else f"{'-':>6}"
    return (
        f"  {group:>5}  {cell.side:<7}  {cell.rate:>7.1f}  {cell.p50_ms:>7.2f}  "
        f"{cell.p99_ms:>7.2f}  {cell.calls_per_query:>10.2f}  {cell.cpu_ms:>8.2f}  "
        f"{cell.emulator_cpu_ms:>12.2f}  {rss}  {cell.errors:>6}"
    )


def _ratio_line(group: int, gateway: Cell, floor: Cell) -> str:
    rate = gateway.rate / floor.rate if floor.rate else math.nan
    cpu = gateway.cpu_ms / floor.cpu_ms if floor.cpu_ms else math.nan
    return (
        f"  {group:>5}  {'g/floor':<7}  {rate:>6.2f}x  "
        f"{gateway.p50_ms - floor.p50_ms:>+7.2f}  {gateway.p99_ms - floor.p99_ms:>+7.2f}  "
        f"{gateway.calls_per_query - floor.calls_per_query:>+10.2f}  {cpu:>7.1f}x"
    )


def table(
    title: str, cells: Iterable[Cell], group: Group = by_concurrency, label: str = "conc"
) -> list[str]:
    """Gateway and floor rows per group (concurrency or page size), then their comparison."""
    by_key = {(c.side, group(c)): c for c in cells}
    lines = [title, _header(label)]
    for value in sorted({g for _, g in by_key}):
        gateway = by_key.get(("gateway", value))
        floor = by_key.get(("floor", value))
        lines += [_cell_line(value, c) for c in (gateway, floor) if c is not None]
        if gateway is not None and floor is not None:
            lines.append(_ratio_line(value, gateway, floor))
    return lines


@dataclass(frozen=True, slots=True)
class Target:
    name: str
    value: float
    limit: float
    unit: str
    note: str = ""

    @property
    def met(self) -> bool:
        return self.value <= self.limit + 1e-9

    def line(self) -> str:
        verdict = "met" if self.met else "MISSED"
        note = f"  ({self.note})" if self.note else ""
        return (
            f"  {self.name:<52} {self.value:>8.2f} {self.unit:<6} <= {self.limit:<7.2f} "
            f"{verdict}{note}"
        )


def machine_facts(command: str, wrk: str) -> list[str]:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    memory = 0.0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory = int(line.split()[1]) / 1024 / 1024
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in PACKAGES)
    load = os.getloadavg()
    return [
        f"$ {command}",
        f"date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"machine: {cpu}, {os.cpu_count()} CPUs (shared by wrk, gateway and emulator), "
        f"{memory:.1f} GiB, {platform.platform()}",
        f"load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"python {platform.python_version()}; {versions}",
        f"load generator: {(wrk_version.stdout or wrk_version.stderr).splitlines()[0]}",
    ]
