"""What loading the plugin costs every pytest run, aws or not.

Measures ``import pytest_awsmsg.plugin`` in fresh interpreters (pytest itself
already imported, as it is when pytest loads plugins) against importing
botocore, which the plugin must not pull in.

Run: python benchmarks/bench_import.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys

SNIPPET = "import pytest, time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"


def cost(module: str, repeat: int = 7) -> float:
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", SNIPPET.format(module=module)], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(repeat)
    ]
    return statistics.median(runs)


def main() -> None:
    plugin = cost("pytest_awsmsg.plugin")
    botocore = cost("botocore.session")
    print("Import cost, median of 7 fresh interpreters (pytest already loaded)")
    print(f"  pytest_awsmsg.plugin  {plugin * 1000:8.2f} ms")
    print(f"  botocore.session      {botocore * 1000:8.2f} ms   (plugin is {plugin / botocore:.3f}x of it)")


if __name__ == "__main__":
    main()
