"""The benchmark's plot: latency, CPU and upstream calls against page size; q/s against
concurrency."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt

from bench._report import Cell

STYLE = {"gateway": "-", "floor": "--"}


def plot(
    path: Path,
    pages: Sequence[Cell],
    loads: Sequence[Cell],
    titles: dict[str, str],
    subtitle: str,
) -> None:
    """`pages`: Q1 at concurrency 1 per page size; `loads`: every query per concurrency."""
    figure, (latency, cost, rate) = plt.subplots(1, 3, figsize=(17, 5.2))
    for side, style in STYLE.items():
        cells = sorted((c for c in pages if c.side == side), key=lambda c: _size(c.key))
        sizes = [_size(c.key) for c in cells]
        latency.plot(sizes, [c.p50_ms for c in cells], style, marker="o", label=side)
        cost.plot(
            sizes, [c.calls_per_query for c in cells], style, marker="s", label=f"{side} calls"
        )
    cpu_axis = cost.twinx()
    for side, style in STYLE.items():
        cells = sorted((c for c in pages if c.side == side), key=lambda c: _size(c.key))
        cpu_axis.plot(
            [_size(c.key) for c in cells],
            [c.cpu_ms for c in cells],
            style,
            color="tab:red",
            marker="^",
            label=f"{side} CPU ms/query",
        )
    cpu_axis.set_ylabel("CPU ms per query (gateway; floor: its client)")
    cpu_axis.set_ylim(bottom=0)
    latency.set(
        xscale="log",
        yscale="log",
        xlabel="page size (models)",
        ylabel="p50 ms (concurrency 1)",
        title="Q1 list page: p50 vs page size",
    )
    # Linear axes: linear growth shows as a straight line.
    cost.set(
        xlabel="page size (models)",
        ylabel="upstream calls per query",
        title="Q1: upstream calls (flat) and CPU (linear)",
    )
    cost.set_ylim(0, max(2.0, max((c.calls_per_query for c in pages), default=1) * 1.5))
    for key in dict.fromkeys(c.key for c in loads):
        for side, style in STYLE.items():
            cells = sorted(
                (c for c in loads if c.key == key and c.side == side), key=lambda c: c.concurrency
            )
            rate.plot(
                [c.concurrency for c in cells],
                [c.rate for c in cells],
                style,
                marker="o",
                label=f"{titles.get(key, key)} ({side})" if side == "gateway" else None,
                color=f"C{list(titles).index(key) % 10}" if key in titles else None,
            )
    rate.set(
        xscale="log",
        yscale="log",
        xlabel="concurrent clients",
        ylabel="queries per second",
        title="q/s vs concurrency (solid: gateway, dashed: floor)",
    )
    for axis in (latency, cost, rate):
        axis.grid(True, which="both", alpha=0.3)
    latency.legend()
    lines, labels = cost.get_legend_handles_labels()
    more_lines, more_labels = cpu_axis.get_legend_handles_labels()
    cost.legend(lines + more_lines, labels + more_labels, fontsize=8)
    rate.legend(fontsize=7)
    figure.suptitle(subtitle, fontsize=9)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _size(key: str) -> int:
    return int(key.split("/")[1])
