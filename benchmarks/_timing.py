"""Small timing helpers shared by the benchmarks (not part of the test suite)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def ops_per_second(run: Callable[[int], None], ops_per_round: int, rounds: int = 5, warmup: int = 1) -> float:
    """Median operations per second of ``run(n)`` over several rounds."""
    for _ in range(warmup):
        run(max(1, ops_per_round // 10))
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        run(ops_per_round)
        rates.append(ops_per_round / (time.perf_counter() - start))
    return statistics.median(rates)


def seconds_per_call(run: Callable[[], None], repeat: int = 20) -> float:
    """Median wall seconds of one call of ``run``."""
    run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def report(title: str, rows: list[tuple[str, float]], unit: str, baseline: dict[str, float]) -> str:
    lines = [title]
    for name, value in rows:
        ratios = "  ".join(f"{value / ref:.2f}x {ref_name}" for ref_name, ref in baseline.items() if ref_name != name)
        lines.append(f"  {name:<14} {value:>12,.1f} {unit}   {ratios}")
    return "\n".join(lines)
